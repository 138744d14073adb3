// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for gomalloc's per-CPU mcache: LIFO reuse, refills from
 * mcentral, flushes of a full free cache, draining.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sched.h>

#include "gom_kunit.h"

static struct gom_mcache_class *gom_cc(struct gom_heap *heap, int cpu,
				       unsigned int spc)
{
	return &per_cpu_ptr(heap->mcache, cpu)->cls[spc];
}

/* A freed object is the next one handed out on the same CPU. */
static void gom_mcache_test_lifo(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	void *p, *q, *r;

	migrate_disable();
	p = gom_heap_alloc(heap, 128, GFP_KERNEL);
	q = gom_heap_alloc(heap, 128, GFP_KERNEL);
	gom_free(p);
	gom_free(q);
	r = gom_heap_alloc(heap, 128, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, r, q);
	r = gom_heap_alloc(heap, 128, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, r, p);
	migrate_enable();
	gom_free(p);
	gom_free(q);
}

/* An exhausted current span is replaced by a refill from mcentral. */
static void gom_mcache_test_refill(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned int spc = gom_size_to_class(1024), i, per, n;
	unsigned long before;
	void **objs;
	int cpu;

	/* two spans filled, a third one started */
	per = gom_class_to_nobjs[spc];
	n = 2 * per + 1;
	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	migrate_disable();
	cpu = smp_processor_id();
	before = gom_cc(heap, cpu, spc)->refills;
	for (i = 0; i < n; i++) {
		objs[i] = gom_heap_alloc(heap, 1024, GFP_KERNEL);
		KUNIT_EXPECT_NOT_NULL(test, objs[i]);
	}
	KUNIT_EXPECT_EQ(test, gom_cc(heap, cpu, spc)->refills - before, 3);
	KUNIT_EXPECT_EQ(test, gom_cc(heap, cpu, spc)->mallocs, n);
	KUNIT_EXPECT_EQ(test, heap->central[spc].nr_full, 2);
	KUNIT_EXPECT_EQ(test, heap->central[spc].nr_cached, 1);
	migrate_enable();
	for (i = 0; i < n; i++)
		gom_free(objs[i]);
}

/* A full free cache sends its older half to mcentral; drain sends all. */
static void gom_mcache_test_flush_drain(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned int spc = gom_size_to_class(64), cap = gom_fc_cap[spc], i;
	struct gom_mcache_class *cc;
	void **objs;
	int cpu;

	objs = kunit_kcalloc(test, cap + 1, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	migrate_disable();
	cpu = smp_processor_id();
	cc = gom_cc(heap, cpu, spc);
	for (i = 0; i < cap + 1; i++)
		objs[i] = gom_heap_alloc(heap, 64, GFP_KERNEL);
	for (i = 0; i < cap; i++)
		gom_free(objs[i]);
	KUNIT_EXPECT_EQ(test, cc->nfree, cap);
	KUNIT_EXPECT_EQ(test, cc->flushes, 0);
	gom_free(objs[cap]);
	KUNIT_EXPECT_EQ(test, cc->nfree, cap - cap / 2 + 1);
	KUNIT_EXPECT_EQ(test, cc->flushes, 1);
	KUNIT_EXPECT_EQ(test, cc->frees, cap + 1);
	migrate_enable();

	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
	gom_mcache_drain_cpu(heap, cpu);
	KUNIT_EXPECT_EQ(test, cc->nfree, 0);
	KUNIT_EXPECT_NULL(test, cc->span);
	KUNIT_EXPECT_EQ(test, heap->central[spc].nr_cached, 0);
	gom_kunit_quiesce(heap);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_inuse, 0);
}

static struct kunit_case gom_mcache_cases[] = {
	KUNIT_CASE(gom_mcache_test_lifo),
	KUNIT_CASE(gom_mcache_test_refill),
	KUNIT_CASE(gom_mcache_test_flush_drain),
	{}
};

static struct kunit_suite gom_mcache_suite = {
	.name = "gomalloc_mcache",
	.test_cases = gom_mcache_cases,
};

kunit_test_suite(gom_mcache_suite);

MODULE_DESCRIPTION("KUnit tests for gomalloc's per-CPU mcache");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOM_INTERNAL_NS);
