// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for gomalloc's mcentral: span lists, full and empty
 * transitions, the empty-span reserve, double frees caught at the span.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "gom_kunit.h"

#define GOM_T_SIZE	64	/* 64 objects per one-page span */

static unsigned int gom_spans(struct gom_mcentral *c)
{
	return c->nr_partial + c->nr_full + c->nr_cached;
}

/* Spans fill, go full, come back and all but the reserve return. */
static void gom_mcentral_test_lifecycle(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned int spc = gom_size_to_class(GOM_T_SIZE);
	struct gom_mcentral *c = &heap->central[spc];
	unsigned int per = gom_class_to_nobjs[spc], n = 3 * per + 1, i, kept;
	struct gom_memstats ms;
	void **objs;
	int cpu;

	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	/* one CPU's mcache: a migration would start a fifth span */
	migrate_disable();
	for (i = 0; i < n; i++) {
		objs[i] = gom_heap_alloc(heap, GOM_T_SIZE, GFP_KERNEL);
		if (!objs[i])
			break;
	}
	migrate_enable();
	KUNIT_ASSERT_EQ(test, i, n);
	KUNIT_EXPECT_GE(test, gom_spans(c), 4);
	KUNIT_EXPECT_GE(test, c->nr_full, 1);
	ms = gom_kunit_stats(heap);
	KUNIT_EXPECT_EQ(test, ms.heap_objects, n);

	for (i = 0; i < n; i++)
		gom_free(objs[i]);
	for_each_possible_cpu(cpu)
		gom_mcache_drain_cpu(heap, cpu);
	KUNIT_EXPECT_EQ(test, c->nr_cached, 0);
	KUNIT_EXPECT_EQ(test, c->nr_full, 0);
	/* 4 one-page spans emptied: the reserve keeps what its bound allows */
	kept = min(4U, c->reserve);
	KUNIT_EXPECT_EQ(test, c->reserve, GOM_MCENTRAL_RESERVE_PAGES);
	KUNIT_EXPECT_EQ(test, c->nr_empty, kept);
	KUNIT_EXPECT_EQ(test, gom_spans(c), kept);
	ms = gom_kunit_stats(heap);
	KUNIT_EXPECT_EQ(test, ms.heap_objects, 0);
	KUNIT_EXPECT_EQ(test, ms.heap_inuse, kept * PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, gom_mcentral_release_reserve(c), kept);
	ms = gom_kunit_stats(heap);
	KUNIT_EXPECT_EQ(test, ms.heap_inuse, 0);
	KUNIT_EXPECT_EQ(test, gom_spans(c), 0);
}

/* A reserve span is handed out again before the mheap grows. */
static void gom_mcentral_test_reserve_reused(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned int spc = gom_size_to_class(GOM_T_SIZE);
	struct gom_mcentral *c = &heap->central[spc];
	struct gom_span *span;
	void *p;
	int cpu;

	p = gom_heap_alloc(heap, GOM_T_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	rcu_read_lock();
	span = gom_spanof(p);
	rcu_read_unlock();
	gom_free(p);
	for_each_possible_cpu(cpu)
		gom_mcache_drain_cpu(heap, cpu);
	KUNIT_EXPECT_EQ(test, c->nr_empty, 1);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_inuse, PAGE_SIZE);

	p = gom_heap_alloc(heap, GOM_T_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, gom_spanof(p), span);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, c->nr_empty, 0);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_inuse, PAGE_SIZE);
	gom_free(p);
}

/* Double frees: twice the same object, and a slot never handed out. */
static void gom_mcentral_test_double_free(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	long before = gom_kunit_errors(GOM_ERR_DOUBLE_FREE);
	long heap_before = atomic_long_read(&heap->errors[GOM_ERR_DOUBLE_FREE]);
	struct gom_memstats ms;
	char *p;

	p = gom_heap_alloc(heap, GOM_T_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	gom_free(p + GOM_T_SIZE * 10);		/* never allocated */
	gom_free(p);
	gom_free(p);
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_DOUBLE_FREE), before + 2);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&heap->errors[GOM_ERR_DOUBLE_FREE]),
			heap_before + 2);
	gom_kunit_quiesce(heap);
	ms = gom_kunit_stats(heap);
	KUNIT_EXPECT_EQ(test, ms.heap_objects, 0);
	KUNIT_EXPECT_EQ(test, ms.heap_inuse, 0);
}

/* Interior pointers are reported and leave the object allocated. */
static void gom_mcentral_test_interior(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	long before = gom_kunit_errors(GOM_ERR_INTERIOR);
	char *p;

	p = gom_heap_alloc(heap, 200, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x77, 200);
	gom_free(p + 8);
	gom_free(p + 199);
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_INTERIOR), before + 2);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x77, 200));
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 1);
	gom_free(p);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
}

static struct kunit_case gom_mcentral_cases[] = {
	KUNIT_CASE(gom_mcentral_test_lifecycle),
	KUNIT_CASE(gom_mcentral_test_reserve_reused),
	KUNIT_CASE(gom_mcentral_test_double_free),
	KUNIT_CASE(gom_mcentral_test_interior),
	{}
};

static struct kunit_suite gom_mcentral_suite = {
	.name = "gomalloc_mcentral",
	.test_cases = gom_mcentral_cases,
};

kunit_test_suite(gom_mcentral_suite);

MODULE_DESCRIPTION("KUnit tests for gomalloc's mcentral");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOM_INTERNAL_NS);
