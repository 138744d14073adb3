// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for gomalloc's mheap: page runs first fit by address,
 * coalescing, release to the page allocator, lookup of foreign addresses.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "gom_kunit.h"

static struct gom_span *gom_run(struct kunit *test, struct gom_heap *heap,
				unsigned int npages)
{
	struct gom_span *span = gom_mheap_alloc_span(heap, npages, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, span);
	KUNIT_EXPECT_EQ(test, span->npages, npages);
	return span;
}

static void gom_check_info(struct kunit *test, struct gom_heap *heap,
			   struct gom_mheap_info *info)
{
	gom_mheap_info(heap, info);
	KUNIT_EXPECT_EQ(test, info->sys_pages,
			info->inuse_pages + info->idle_pages + info->released_pages);
}

/* Runs are carved first fit by address and a freed hole is reused first. */
static void gom_mheap_test_first_fit(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	struct gom_span *a, *b, *c, *d;
	struct gom_mheap_info info;

	a = gom_run(test, heap, 1);
	b = gom_run(test, heap, 3);
	c = gom_run(test, heap, 1);
	KUNIT_EXPECT_EQ(test, b->base, a->base + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, c->base, b->base + 3 * PAGE_SIZE);
	gom_check_info(test, heap, &info);
	KUNIT_EXPECT_EQ(test, info.inuse_pages, 5);
	KUNIT_EXPECT_EQ(test, info.nr_arenas, 1);

	gom_mheap_free_span(heap, b);
	d = gom_run(test, heap, 2);
	KUNIT_EXPECT_EQ(test, d->base, a->base + PAGE_SIZE);
	b = gom_run(test, heap, 2);	/* does not fit the 1-page hole */
	KUNIT_EXPECT_EQ(test, b->base, c->base + PAGE_SIZE);
	gom_mheap_free_span(heap, a);
	gom_mheap_free_span(heap, b);
	gom_mheap_free_span(heap, c);
	gom_mheap_free_span(heap, d);
	gom_check_info(test, heap, &info);
	KUNIT_EXPECT_EQ(test, info.inuse_pages, 0);
}

/* Neighbouring free runs merge: a run as large as both fits their place. */
static void gom_mheap_test_coalesce(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	struct gom_span *runs[GOM_ARENA_PAGES / 8], *big;
	struct gom_mheap_info info;
	unsigned int i;

	runs[0] = gom_run(test, heap, 8);
	if (runs[0]->arena->npages != GOM_ARENA_PAGES) {
		gom_mheap_free_span(heap, runs[0]);
		kunit_skip(test, "memory too fragmented for a 2 MiB arena");
	}
	for (i = 1; i < ARRAY_SIZE(runs); i++) {
		runs[i] = gom_run(test, heap, 8);
		KUNIT_EXPECT_EQ(test, runs[i]->base, runs[i - 1]->base + 8 * PAGE_SIZE);
	}
	gom_check_info(test, heap, &info);
	KUNIT_EXPECT_EQ(test, info.longest, 0);
	KUNIT_EXPECT_EQ(test, info.idle_pages, 0);

	gom_mheap_free_span(heap, runs[10]);
	gom_mheap_free_span(heap, runs[11]);
	gom_mheap_free_span(heap, runs[20]);
	gom_check_info(test, heap, &info);
	KUNIT_EXPECT_EQ(test, info.longest, 16);
	KUNIT_EXPECT_EQ(test, info.idle_pages, 24);
	KUNIT_EXPECT_EQ(test, info.nr_arenas, 1);

	big = gom_run(test, heap, 16);
	KUNIT_EXPECT_EQ(test, big->base, runs[10]->base);
	KUNIT_EXPECT_PTR_EQ(test, big->arena, runs[0]->arena);
	gom_mheap_free_span(heap, big);
	for (i = 0; i < ARRAY_SIZE(runs); i++)
		if (i != 10 && i != 11 && i != 20)
			gom_mheap_free_span(heap, runs[i]);
	gom_check_info(test, heap, &info);
	KUNIT_EXPECT_EQ(test, info.longest, GOM_ARENA_PAGES);
}

/*
 * Idle pages go back to the page allocator, those freed from a span only
 * once they have settled (gom_heap_quiesce()); an empty arena goes away.
 * Issue 11, finding 1: a span's pages were released at once, while a free
 * cache could still hold a duplicate pointer into them.
 */
static void gom_mheap_test_release(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	struct gom_mheap_info info;
	struct gom_span *a, *b;
	unsigned long idle;

	a = gom_run(test, heap, 4);
	b = gom_run(test, heap, 4);
	gom_mheap_free_span(heap, b);
	gom_check_info(test, heap, &info);
	idle = info.idle_pages;
	KUNIT_EXPECT_GT(test, idle, 4);

	KUNIT_EXPECT_EQ(test, gom_mheap_scavenge(heap, 3), 3);
	gom_check_info(test, heap, &info);
	KUNIT_EXPECT_EQ(test, info.released_pages, 3);
	KUNIT_EXPECT_EQ(test, info.idle_pages, idle - 3);
	KUNIT_EXPECT_EQ(test, info.inuse_pages, 4);

	/* everything idle goes but b's pages, which cool */
	KUNIT_EXPECT_EQ(test, gom_mheap_scavenge(heap, ULONG_MAX), idle - 7);
	gom_check_info(test, heap, &info);
	KUNIT_EXPECT_EQ(test, info.idle_pages, 4);
	gom_heap_quiesce(heap);
	KUNIT_EXPECT_EQ(test, gom_mheap_scavenge(heap, ULONG_MAX), 4);
	gom_check_info(test, heap, &info);
	KUNIT_EXPECT_EQ(test, info.idle_pages, 0);
	KUNIT_EXPECT_EQ(test, info.nr_arenas, 1);
	memset((void *)a->base, 0x5a, 4 * PAGE_SIZE);	/* still ours */

	gom_mheap_free_span(heap, a);
	KUNIT_EXPECT_EQ(test, gom_mheap_scavenge(heap, ULONG_MAX), 0);
	gom_heap_quiesce(heap);
	KUNIT_EXPECT_EQ(test, gom_mheap_scavenge(heap, ULONG_MAX), 4);
	gom_check_info(test, heap, &info);
	KUNIT_EXPECT_EQ(test, info.nr_arenas, 0);
	KUNIT_EXPECT_EQ(test, info.sys_pages, 0);
}

/* A heap grows a second arena when the first is full, and finds spans. */
static void gom_mheap_test_lookup(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	struct gom_span *a, *b;

	a = gom_run(test, heap, GOM_ARENA_PAGES);
	b = gom_run(test, heap, 2);
	KUNIT_EXPECT_PTR_NE(test, a->arena, b->arena);
	gom_span_set_lookup(a, a);
	gom_span_set_lookup(b, b);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, gom_spanof((void *)a->base), a);
	KUNIT_EXPECT_PTR_EQ(test, gom_spanof((void *)a->base + 300 * PAGE_SIZE + 5), a);
	KUNIT_EXPECT_PTR_EQ(test, gom_spanof((void *)b->base + PAGE_SIZE), b);
	rcu_read_unlock();
	gom_mheap_free_span(heap, a);
	gom_mheap_free_span(heap, b);
}

/* Pointers gomalloc never handed out are reported, counted and ignored. */
static void gom_mheap_test_foreign(struct kunit *test)
{
	long before = gom_kunit_errors(GOM_ERR_NOT_OURS);
	struct page *page;
	unsigned long local = 42;
	void *k, *v;

	k = kmalloc(64, GFP_KERNEL);
	v = vmalloc(PAGE_SIZE);
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_ASSERT_NOT_NULL(test, page);
	memset(k, 0x11, 64);

	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, gom_spanof(k));
	KUNIT_EXPECT_NULL(test, gom_spanof(page_address(page)));
	rcu_read_unlock();
	gom_free(k);
	gom_free(v);
	gom_free(page_address(page));
	gom_free(&local);
	gom_free((void *)0xdead000000000100UL);
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_NOT_OURS), before + 5);
	KUNIT_EXPECT_EQ(test, gom_ksize(k), 0);
	KUNIT_EXPECT_NULL(test, gom_realloc(k, 128, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_NOT_OURS), before + 7);
	KUNIT_EXPECT_NULL(test, memchr_inv(k, 0x11, 64));
	KUNIT_EXPECT_EQ(test, local, 42);
	kfree(k);
	vfree(v);
	__free_page(page);
}

static struct kunit_case gom_mheap_cases[] = {
	KUNIT_CASE(gom_mheap_test_first_fit),
	KUNIT_CASE(gom_mheap_test_coalesce),
	KUNIT_CASE(gom_mheap_test_release),
	KUNIT_CASE(gom_mheap_test_lookup),
	KUNIT_CASE(gom_mheap_test_foreign),
	{}
};

static struct kunit_suite gom_mheap_suite = {
	.name = "gomalloc_mheap",
	.test_cases = gom_mheap_cases,
};

kunit_test_suite(gom_mheap_suite);

MODULE_DESCRIPTION("KUnit tests for gomalloc's mheap");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOM_INTERNAL_NS);
