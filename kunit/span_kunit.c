// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for gomalloc spans: the alloc_cache scan, sweeping frees into
 * the bitmap, the lockless allocated check and object indexes.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "gom_kunit.h"

static struct gom_span *gom_test_span(struct kunit *test, unsigned int spc)
{
	struct gom_span *span = gom_span_alloc(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, span);
	span->base = 0x100000;
	span->npages = gom_class_to_npages[gom_spanclass_sizeclass(spc)];
	gom_span_init_small(span, spc);
	return span;
}

/* A fresh span hands out every slot in order, then reports exhaustion. */
static void gom_span_test_sequential(struct kunit *test)
{
	struct gom_span *span = gom_test_span(test, 1);
	unsigned int i;

	KUNIT_EXPECT_EQ(test, span->nelems, 512);
	gom_span_start_caching(span);
	for (i = 0; i < span->nelems; i++)
		KUNIT_EXPECT_EQ(test, gom_span_next_free(span), (int)i);
	KUNIT_EXPECT_EQ(test, gom_span_next_free(span), -1);
	KUNIT_EXPECT_EQ(test, gom_span_next_free(span), -1);
	gom_span_free(span);
}

/* Allocated slots are skipped, across 64-slot words and whole full words. */
static void gom_span_test_skips_allocated(struct kunit *test)
{
	struct gom_span *span = gom_test_span(test, 1);
	unsigned int i, expect = 0;
	int got;

	for (i = 0; i < span->nelems; i++)
		if (i % 3 == 0 || (i >= 128 && i < 192) || i == 63 || i == 64)
			__set_bit(i, span->alloc_bits);
	gom_span_start_caching(span);
	for (;;) {
		while (expect < span->nelems && test_bit(expect, span->alloc_bits))
			expect++;
		got = gom_span_next_free(span);
		if (expect >= span->nelems)
			break;
		KUNIT_ASSERT_EQ(test, got, (int)expect);
		expect++;
	}
	KUNIT_EXPECT_EQ(test, got, -1);
	gom_span_free(span);
}

/* A sweep sets what was handed out and applies the recorded frees. */
static void gom_span_test_sweep(struct kunit *test)
{
	struct gom_span *span = gom_test_span(test, 3);	/* 24 B, 170 objs */
	unsigned int i;

	__set_bit(150, span->alloc_bits);	/* allocated before caching */
	gom_span_start_caching(span);
	for (i = 0; i < 100; i++)
		KUNIT_ASSERT_EQ(test, gom_span_next_free(span), (int)i);
	KUNIT_EXPECT_TRUE(test, gom_span_slot_allocated(span, 99));
	KUNIT_EXPECT_TRUE(test, gom_span_slot_allocated(span, 150));
	KUNIT_EXPECT_FALSE(test, gom_span_slot_allocated(span, 100));
	KUNIT_EXPECT_FALSE(test, gom_span_slot_allocated(span, 169));

	for (i = 0; i < 100; i += 2)
		__set_bit(i, span->freed_bits);
	__set_bit(150, span->freed_bits);
	gom_span_sweep(span);
	KUNIT_EXPECT_EQ(test, span->alloc_count, 50);
	KUNIT_EXPECT_EQ(test, span->freeindex, 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(span->freed_bits, span->nelems));
	for (i = 0; i < span->nelems; i++)
		KUNIT_EXPECT_EQ(test, !!test_bit(i, span->alloc_bits),
				i < 100 && (i & 1));
	KUNIT_EXPECT_FALSE(test, gom_span_slot_allocated(span, 0));
	KUNIT_EXPECT_TRUE(test, gom_span_slot_allocated(span, 1));

	/* cached again: the free slots come out in order */
	gom_span_start_caching(span);
	KUNIT_EXPECT_EQ(test, gom_span_next_free(span), 0);
	KUNIT_EXPECT_EQ(test, gom_span_next_free(span), 2);
	gom_span_free(span);
}

/* Every object start of every class maps to its index; nothing else does. */
static void gom_span_test_index(struct kunit *test)
{
	struct gom_span *span = gom_span_alloc(GFP_KERNEL);
	unsigned int spc, i, idx, size;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, span);
	span->base = 0x200000;
	for (spc = 1; spc < GOM_NUM_SIZE_CLASSES; spc++) {
		span->npages = gom_class_to_npages[spc];
		gom_span_init_small(span, spc);
		size = span->elemsize;
		for (i = 0; i < span->nelems; i++) {
			p = gom_span_obj(span, i);
			KUNIT_ASSERT_TRUE(test, gom_span_index(span, p, &idx));
			KUNIT_ASSERT_EQ(test, idx, i);
			KUNIT_ASSERT_FALSE(test, gom_span_index(span, p + 1, &idx));
			KUNIT_ASSERT_FALSE(test, gom_span_index(span, p + size - 1,
								&idx));
		}
		p = gom_span_obj(span, span->nelems);
		KUNIT_EXPECT_FALSE(test, gom_span_index(span, p, &idx));
		KUNIT_EXPECT_FALSE(test, gom_span_index(span, (void *)span->base - 8,
							&idx));
	}
	gom_span_free(span);
}

static struct kunit_case gom_span_cases[] = {
	KUNIT_CASE(gom_span_test_sequential),
	KUNIT_CASE(gom_span_test_skips_allocated),
	KUNIT_CASE(gom_span_test_sweep),
	KUNIT_CASE(gom_span_test_index),
	{}
};

static struct kunit_suite gom_span_suite = {
	.name = "gomalloc_span",
	.test_cases = gom_span_cases,
};

kunit_test_suite(gom_span_suite);

MODULE_DESCRIPTION("KUnit tests for gomalloc spans");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOM_INTERNAL_NS);
