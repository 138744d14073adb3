// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for gomalloc's tiny allocator: packing into 16-byte blocks,
 * alignment, block reuse only after every sub-object is freed.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sched.h>

#include "gom_kunit.h"

#define GOM_BLOCK(p)	((unsigned long)(p) & ~(unsigned long)(GOM_TINY_SIZE - 1))

/* Small requests share a block, back to back where alignment allows. */
static void gom_tiny_test_packing(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	char *a, *b, *c, *d;

	migrate_disable();
	a = gom_heap_alloc(heap, 1, GFP_KERNEL);
	b = gom_heap_alloc(heap, 1, GFP_KERNEL);
	c = gom_heap_alloc(heap, 2, GFP_KERNEL);
	d = gom_heap_alloc(heap, 4, GFP_KERNEL);
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, GOM_BLOCK(a), (unsigned long)a);
	KUNIT_EXPECT_PTR_EQ(test, b, a + 1);
	KUNIT_EXPECT_PTR_EQ(test, c, a + 2);
	KUNIT_EXPECT_PTR_EQ(test, d, a + 4);
	KUNIT_EXPECT_EQ(test, gom_ksize(a), 1);
	KUNIT_EXPECT_EQ(test, gom_ksize(c), 2);
	KUNIT_EXPECT_EQ(test, gom_ksize(d), 4);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).tiny_allocs, 4);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 4);
	/* one 16 B block in use */
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_alloc, GOM_TINY_SIZE);
	gom_free(a);
	gom_free(b);
	gom_free(c);
	gom_free(d);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
}

/* Every sub-object is aligned to min(8, largest power of two <= size). */
static void gom_tiny_test_alignment(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned int size, i, align;
	void *p[15 * 8];
	int n = 0;

	for (i = 0; i < 8; i++) {
		for (size = 1; size < GOM_TINY_SIZE; size++) {
			align = size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
			p[n] = gom_heap_alloc(heap, size, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p[n]);
			KUNIT_EXPECT_EQ_MSG(test, (unsigned long)p[n] % align, 0,
					    "size %u", size);
			KUNIT_EXPECT_LE(test, (unsigned long)p[n] + size,
					GOM_BLOCK(p[n]) + GOM_TINY_SIZE);
			KUNIT_EXPECT_GE(test, gom_ksize(p[n]), size);
			memset(p[n], size, size);
			n++;
		}
	}
	n = 0;
	for (i = 0; i < 8; i++) {
		for (size = 1; size < GOM_TINY_SIZE; size++, n++) {
			KUNIT_EXPECT_NULL(test, memchr_inv(p[n], size, size));
			gom_free(p[n]);
		}
	}
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
	gom_kunit_quiesce(heap);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_inuse, 0);
}

/* A block comes back only when all of its sub-objects are freed. */
static void gom_tiny_test_reuse(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	char *a, *b, *c, *d, *e, *f, *g;

	migrate_disable();
	a = gom_heap_alloc(heap, 8, GFP_KERNEL);	/* block X */
	b = gom_heap_alloc(heap, 8, GFP_KERNEL);	/* X full */
	c = gom_heap_alloc(heap, 8, GFP_KERNEL);	/* block Y */
	KUNIT_EXPECT_PTR_EQ(test, b, a + 8);
	KUNIT_EXPECT_NE(test, GOM_BLOCK(c), GOM_BLOCK(a));
	gom_free(a);
	d = gom_heap_alloc(heap, 8, GFP_KERNEL);	/* Y full */
	e = gom_heap_alloc(heap, 8, GFP_KERNEL);	/* not X: b lives */
	KUNIT_EXPECT_PTR_EQ(test, d, c + 8);
	KUNIT_EXPECT_NE(test, GOM_BLOCK(e), GOM_BLOCK(a));
	gom_free(b);					/* X free */
	f = gom_heap_alloc(heap, 8, GFP_KERNEL);
	g = gom_heap_alloc(heap, 8, GFP_KERNEL);	/* X again (LIFO) */
	migrate_enable();
	KUNIT_EXPECT_PTR_EQ(test, f, e + 8);
	KUNIT_EXPECT_EQ(test, GOM_BLOCK(g), GOM_BLOCK(a));
	gom_free(c);
	gom_free(d);
	gom_free(e);
	gom_free(f);
	gom_free(g);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
}

/* Freeing a sub-object twice is a double free; its neighbours survive. */
static void gom_tiny_test_double_free(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	long before = gom_kunit_errors(GOM_ERR_DOUBLE_FREE);
	char *a, *b;

	migrate_disable();
	a = gom_heap_alloc(heap, 4, GFP_KERNEL);
	b = gom_heap_alloc(heap, 4, GFP_KERNEL);
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	memset(b, 0x3c, 4);
	gom_free(a);
	gom_free(a);
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_DOUBLE_FREE), before + 1);
	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0x3c, 4));
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 1);
	gom_free(b);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
}

/* GOM_HEAP_NO_TINY heaps give small requests a class of their own. */
static void gom_tiny_test_disabled(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, GOM_HEAP_NO_TINY);
	void *a, *b;

	a = gom_heap_alloc(heap, 1, GFP_KERNEL);
	b = gom_heap_alloc(heap, 1, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, gom_ksize(a), 8);
	KUNIT_EXPECT_EQ(test, gom_ksize(b), 8);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).tiny_allocs, 0);
	gom_free(a);
	gom_free(b);
}

static struct kunit_case gom_tiny_cases[] = {
	KUNIT_CASE(gom_tiny_test_packing),
	KUNIT_CASE(gom_tiny_test_alignment),
	KUNIT_CASE(gom_tiny_test_reuse),
	KUNIT_CASE(gom_tiny_test_double_free),
	KUNIT_CASE(gom_tiny_test_disabled),
	{}
};

static struct kunit_suite gom_tiny_suite = {
	.name = "gomalloc_tiny",
	.test_cases = gom_tiny_cases,
};

kunit_test_suite(gom_tiny_suite);

MODULE_DESCRIPTION("KUnit tests for gomalloc's tiny allocator");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOM_INTERNAL_NS);
