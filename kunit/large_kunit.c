// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for gomalloc's large objects: exact page counts from 32 KiB
 * to GOM_MAX_ALLOC_SIZE, arena runs and direct spans, bad frees, the
 * per-CPU cache of freed runs, KASAN poison on freed and idle pages.
 */
#include <kunit/test.h>
#include <linux/kasan.h>
#include <linux/module.h>
#include <linux/string.h>

#include "gom_kunit.h"

static const size_t gom_large_sizes[] = {
	GOM_MAX_SMALL_SIZE + 1, 36 * 1024, 40000, 65536, 100000,
	(1 << 20) + 1, 2 << 20, (2 << 20) + 1, (3 << 20) + 5,
	GOM_MAX_ALLOC_SIZE,
};

/* Each object takes exactly ceil(size / 4 KiB) pages, and gives them back. */
static void gom_large_test_exact_pages(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	struct gom_memstats ms0, ms;
	unsigned int i;
	size_t size;
	char *p;

	for (i = 0; i < ARRAY_SIZE(gom_large_sizes); i++) {
		size = gom_large_sizes[i];
		ms0 = gom_kunit_stats(heap);
		p = gom_heap_alloc(heap, size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL_MSG(test, p, "size %zu", size);
		KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(p));
		KUNIT_EXPECT_EQ_MSG(test, gom_ksize(p), PAGE_ALIGN(size),
				    "size %zu", size);
		ms = gom_kunit_stats(heap);
		KUNIT_EXPECT_EQ_MSG(test, ms.heap_inuse - ms0.heap_inuse,
				    PAGE_ALIGN(size), "size %zu", size);
		KUNIT_EXPECT_EQ(test, ms.heap_alloc - ms0.heap_alloc,
				PAGE_ALIGN(size));
		KUNIT_EXPECT_EQ(test, ms.large_allocs, ms0.large_allocs + 1);
		KUNIT_EXPECT_EQ(test, ms.heap_sys, ms.heap_inuse + ms.heap_idle);
		p[0] = 1;
		p[size - 1] = 2;
		gom_free(p);
		/* a run this CPU may keep for reuse counts as in use till then */
		gom_kunit_quiesce(heap);
		ms = gom_kunit_stats(heap);
		KUNIT_EXPECT_EQ(test, ms.heap_inuse, ms0.heap_inuse);
		KUNIT_EXPECT_EQ(test, ms.large_frees, ms0.large_frees + 1);
		KUNIT_EXPECT_EQ(test, ms.heap_objects, 0);
	}
}

/* Several large objects live together, each with its own contents. */
static void gom_large_test_many(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned long pages = 0;
	char *p[ARRAY_SIZE(gom_large_sizes)];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = gom_heap_alloc(heap, gom_large_sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		memset(p[i], i + 1, gom_large_sizes[i]);
		pages += PAGE_ALIGN(gom_large_sizes[i]) >> PAGE_SHIFT;
	}
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_inuse,
			pages << PAGE_SHIFT);
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		KUNIT_EXPECT_NULL(test, memchr_inv(p[i], i + 1, gom_large_sizes[i]));
		gom_free(p[i]);
	}
	gom_kunit_quiesce(heap);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_inuse, 0);
}

/* __GFP_ZERO zeroes the whole run, reused pages included. */
static void gom_large_test_zero(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	size_t size = 100000;
	char *p;

	p = gom_heap_alloc(heap, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0xff, size);
	gom_free(p);
	p = gom_heap_alloc(heap, size, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, PAGE_ALIGN(size)));
	gom_free(p);
}

/* Interior pointers and double frees of large objects are caught. */
static void gom_large_test_bad_frees(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	long interior = gom_kunit_errors(GOM_ERR_INTERIOR);
	long dfree;
	char *p, *q;

	p = gom_heap_alloc(heap, 50000, GFP_KERNEL);
	q = gom_heap_alloc(heap, 3 << 20, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	gom_free(p + PAGE_SIZE);
	gom_free(p + 1);
	gom_free(q + (2 << 20));
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_INTERIOR), interior + 3);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).large_frees, 0);
	gom_free(p);
	gom_free(q);
	gom_kunit_quiesce(heap);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_inuse, 0);
	/* the spans are gone: a second free finds no span, or a dead one */
	interior = gom_kunit_errors(GOM_ERR_NOT_OURS);
	dfree = gom_kunit_errors(GOM_ERR_DOUBLE_FREE);
	gom_free(p);
	gom_free(q);
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_NOT_OURS) - interior +
			gom_kunit_errors(GOM_ERR_DOUBLE_FREE) - dfree, 2);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).large_frees, 2);
}

/*
 * A freed run of up to GOM_LARGE_CACHE_PAGES waits in this CPU's cache: the
 * next request of the same page count gets it back, a free of it while it
 * waits is a double free, and the cache never holds more than its bounds.
 */
static void gom_large_test_cache(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	long dfree = gom_kunit_errors(GOM_ERR_DOUBLE_FREE);
	void *p, *q, *objs[GOM_LARGE_CACHE_SPANS + 1];
	struct gom_mcache *c;
	unsigned int i;

	migrate_disable();
	c = this_cpu_ptr(heap->mcache);
	p = gom_heap_alloc(heap, 50000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	gom_free(p);
	KUNIT_EXPECT_EQ(test, c->large_cache_nr, 1);
	gom_free(p);
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_DOUBLE_FREE), dfree + 1);
	/* another page count cannot have it; the same one gets it back */
	q = gom_heap_alloc(heap, 40000, GFP_KERNEL);
	KUNIT_EXPECT_PTR_NE(test, q, p);
	KUNIT_EXPECT_PTR_EQ(test, gom_heap_alloc(heap, 50000, GFP_KERNEL), p);
	KUNIT_EXPECT_EQ(test, c->large_cache_nr, 0);
	gom_free(p);
	gom_free(q);
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = gom_heap_alloc(heap, 13 * PAGE_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		gom_free(objs[i]);
	KUNIT_EXPECT_LE(test, c->large_cache_nr, GOM_LARGE_CACHE_SPANS);
	KUNIT_EXPECT_LE(test, c->large_cache_pages, GOM_LARGE_CACHE_PAGES);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
	gom_kunit_quiesce(heap);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_inuse, 0);
}

/*
 * @p's shadow byte, read without KASAN's check (which would report the very
 * poison looked for).
 */
static __no_sanitize_address u8 gom_large_shadow(const void *p)
{
#ifdef CONFIG_KASAN_GENERIC
	return READ_ONCE(*(u8 *)kasan_mem_to_shadow(p));
#else
	return 0;
#endif
}

/*
 * Generic KASAN: a freed large run, cached or given back, and the pages of
 * a span that went back to the mheap are poisoned as free pages; a run
 * handed out again is clean.
 */
static void gom_large_test_kasan(struct kunit *test)
{
	static const size_t sizes[] = { 50000, 200 * PAGE_SIZE };
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned long bytes;
	unsigned int i;
	char *p, *q;

	if (!IS_ENABLED(CONFIG_KASAN_GENERIC))
		kunit_skip(test, "needs CONFIG_KASAN_GENERIC");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		bytes = PAGE_ALIGN(sizes[i]);
		p = gom_heap_alloc(heap, sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, gom_large_shadow(p), 0);
		KUNIT_EXPECT_EQ(test, gom_large_shadow(p + bytes - 1), 0);
		gom_free(p);
		KUNIT_EXPECT_EQ(test, gom_large_shadow(p), GOM_KASAN_PAGE_FREE);
		KUNIT_EXPECT_EQ(test, gom_large_shadow(p + bytes - 1),
				GOM_KASAN_PAGE_FREE);
		q = gom_heap_alloc(heap, sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, q);
		KUNIT_EXPECT_EQ(test, gom_large_shadow(q), 0);
		KUNIT_EXPECT_EQ(test, gom_large_shadow(q + bytes - 1), 0);
		gom_free(q);
	}
	p = gom_heap_alloc(heap, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, gom_large_shadow(p), 0);
	gom_free(p);
	gom_kunit_quiesce(heap);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_inuse, 0);
	KUNIT_EXPECT_EQ(test, gom_large_shadow(p), GOM_KASAN_PAGE_FREE);
}

static struct kunit_case gom_large_cases[] = {
	KUNIT_CASE(gom_large_test_exact_pages),
	KUNIT_CASE(gom_large_test_many),
	KUNIT_CASE(gom_large_test_zero),
	KUNIT_CASE(gom_large_test_bad_frees),
	KUNIT_CASE(gom_large_test_cache),
	KUNIT_CASE(gom_large_test_kasan),
	{}
};

static struct kunit_suite gom_large_suite = {
	.name = "gomalloc_large",
	.test_cases = gom_large_cases,
};

kunit_test_suite(gom_large_suite);

MODULE_DESCRIPTION("KUnit tests for gomalloc's large objects");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOM_INTERNAL_NS);
