// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for gomalloc's generated size-class tables and their lookups.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/module.h>

#include "gomalloc_compat.h"
#include "sizeclass.h"

#define GOM_SC_PAGE_SIZE	BIT(GOM_PAGE_SHIFT)

static unsigned long gom_sc_span_bytes(unsigned int sc)
{
	return (unsigned long)gom_class_to_npages[sc] << GOM_PAGE_SHIFT;
}

/* Class 0 is "no class"; the others grow strictly, on Go's alignment. */
static void gom_sc_test_class_sizes(struct kunit *test)
{
	unsigned int sc;

	KUNIT_EXPECT_EQ(test, gom_class_to_size[0], 0);
	KUNIT_EXPECT_EQ(test, gom_class_to_npages[0], 0);
	KUNIT_EXPECT_EQ(test, gom_class_to_nobjs[0], 0);
	KUNIT_EXPECT_EQ(test, gom_class_to_divmagic[0], 0);
	KUNIT_EXPECT_EQ(test, gom_class_to_size[1], 8);
	KUNIT_EXPECT_EQ(test, gom_class_to_size[GOM_NUM_SIZE_CLASSES - 1],
			GOM_SC_MAX_SMALL_SIZE);

	for (sc = 1; sc < GOM_NUM_SIZE_CLASSES; sc++) {
		unsigned int size = gom_class_to_size[sc];

		KUNIT_EXPECT_GT_MSG(test, size, gom_class_to_size[sc - 1],
				    "class %u (%u B) not above class %u", sc, size, sc - 1);
		KUNIT_EXPECT_EQ_MSG(test, size % 8, 0,
				    "class %u (%u B) not a multiple of 8", sc, size);
		if (size >= 32)
			KUNIT_EXPECT_EQ_MSG(test, size % 16, 0,
					    "class %u (%u B) not a multiple of 16", sc, size);
		if (size > GOM_SMALL_SIZE_MAX)
			KUNIT_EXPECT_EQ_MSG(test, size % GOM_LARGE_SIZE_DIV, 0,
					    "class %u (%u B) off the 128 B lookup grid",
					    sc, size);
	}
}

/*
 * Every power of two is a class of its own, so a power-of-two request gets
 * an object aligned to its size (up to the page size: spans start on a page),
 * as kmalloc guarantees.
 */
static void gom_sc_test_power_of_two(struct kunit *test)
{
	unsigned long size;

	for (size = 8; size <= GOM_SC_MAX_SMALL_SIZE; size <<= 1) {
		unsigned int sc = gom_size_to_class(size);

		KUNIT_EXPECT_EQ_MSG(test, gom_class_to_size[sc], size,
				    "power of two %lu B maps to class %u (%u B)",
				    size, sc, gom_class_to_size[sc]);
		if (size <= GOM_SC_PAGE_SIZE)
			KUNIT_EXPECT_EQ_MSG(test, gom_sc_span_bytes(sc) % size, 0,
					    "class %u (%lu B): span of %lu B is not whole objects",
					    sc, size, gom_sc_span_bytes(sc));
	}
}

/*
 * Every small size maps to the smallest class that holds it. The long loops
 * below assert, so that they stop at the first bad size instead of flooding
 * the log.
 */
static void gom_sc_test_size_to_class(struct kunit *test)
{
	size_t size;

	for (size = 1; size <= GOM_SC_MAX_SMALL_SIZE; size++) {
		unsigned int sc = gom_size_to_class(size);

		KUNIT_ASSERT_GE_MSG(test, sc, 1, "size %zu maps to class 0", size);
		KUNIT_ASSERT_LT_MSG(test, sc, GOM_NUM_SIZE_CLASSES,
				    "size %zu maps to class %u", size, sc);
		KUNIT_ASSERT_GE_MSG(test, gom_class_to_size[sc], size,
				    "size %zu: class %u holds only %u B",
				    size, sc, gom_class_to_size[sc]);
		KUNIT_ASSERT_LT_MSG(test, gom_class_to_size[sc - 1], size,
				    "size %zu: class %u (%u B) is not the smallest, %u (%u B) fits",
				    size, sc, gom_class_to_size[sc], sc - 1,
				    gom_class_to_size[sc - 1]);
	}
}

/* 0 and sizes above the largest class are not small objects: class 0. */
static void gom_sc_test_size_to_class_limits(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, gom_size_to_class(0), 0);
	KUNIT_EXPECT_EQ(test, gom_size_to_class(GOM_SC_MAX_SMALL_SIZE + 1), 0);
	KUNIT_EXPECT_EQ(test, gom_size_to_class(GOM_SC_MAX_SMALL_SIZE + 128), 0);
	KUNIT_EXPECT_EQ(test, gom_size_to_class(SIZE_MAX), 0);
	KUNIT_EXPECT_EQ(test, gom_size_to_class(1), 1);
	KUNIT_EXPECT_EQ(test, gom_size_to_class(GOM_SC_MAX_SMALL_SIZE),
			GOM_NUM_SIZE_CLASSES - 1);
}

/*
 * Rounding waste, (class size - request) / class size, is at most 12.5%
 * from GOM_ROUND_WASTE_MIN_SIZE on; below it a request is rounded up to
 * the 8 B / 16 B alignment grid, by at most 15 B.
 */
static void gom_sc_test_rounding_waste(struct kunit *test)
{
	size_t size;

	for (size = 1; size <= GOM_SC_MAX_SMALL_SIZE; size++) {
		unsigned int sc = gom_size_to_class(size);
		size_t obj;

		KUNIT_ASSERT_GE_MSG(test, sc, 1, "size %zu maps to class 0", size);
		KUNIT_ASSERT_LT_MSG(test, sc, GOM_NUM_SIZE_CLASSES,
				    "size %zu maps to class %u", size, sc);
		obj = gom_class_to_size[sc];
		if (obj >= GOM_ROUND_WASTE_MIN_SIZE)
			KUNIT_ASSERT_LE_MSG(test, 8 * (obj - size), obj,
					    "size %zu: class %u (%zu B) wastes more than 12.5%%",
					    size, sc, obj);
		else
			KUNIT_ASSERT_LE_MSG(test, obj - size, 15,
					    "size %zu: class %u (%zu B) wastes more than 15 B",
					    size, sc, obj);
	}
}

/*
 * A span holds nobjs = span / size objects, its tail wastes at most 12.5%,
 * up to GOM_SPAN_MIN_OBJS_MAX_SIZE it holds GOM_SPAN_MIN_OBJS objects, and
 * it is the smallest number of pages that achieves that.
 */
static void gom_sc_test_span_waste(struct kunit *test)
{
	unsigned int sc, max_objs = 0, max_pages = 0;

	for (sc = 1; sc < GOM_NUM_SIZE_CLASSES; sc++) {
		unsigned long size = gom_class_to_size[sc];
		unsigned long span = gom_sc_span_bytes(sc);
		unsigned long nobjs = gom_class_to_nobjs[sc];
		unsigned long pages;

		KUNIT_EXPECT_GE_MSG(test, gom_class_to_npages[sc], 1, "class %u", sc);
		KUNIT_EXPECT_LE_MSG(test, gom_class_to_npages[sc], GOM_MAX_SPAN_PAGES,
				    "class %u", sc);
		KUNIT_EXPECT_LE_MSG(test, nobjs, GOM_MAX_OBJS_PER_SPAN, "class %u", sc);
		KUNIT_EXPECT_EQ_MSG(test, nobjs, span / size,
				    "class %u (%lu B): %lu objects in %lu B",
				    sc, size, nobjs, span);
		KUNIT_EXPECT_LE_MSG(test, nobjs * size, span,
				    "class %u (%lu B): objects overflow the span", sc, size);
		KUNIT_EXPECT_LE_MSG(test, 8 * (span - nobjs * size), span,
				    "class %u (%lu B): tail %lu of %lu B is over 12.5%%",
				    sc, size, span - nobjs * size, span);
		if (size <= GOM_SPAN_MIN_OBJS_MAX_SIZE)
			KUNIT_EXPECT_GE_MSG(test, nobjs, GOM_SPAN_MIN_OBJS,
					    "class %u (%lu B)", sc, size);
		for (pages = 1; pages < gom_class_to_npages[sc]; pages++) {
			unsigned long bytes = pages << GOM_PAGE_SHIFT;
			bool few = size <= GOM_SPAN_MIN_OBJS_MAX_SIZE &&
				   bytes / size < GOM_SPAN_MIN_OBJS;

			KUNIT_EXPECT_TRUE_MSG(test, few || 8 * (bytes % size) > bytes,
					      "class %u (%lu B): %lu pages would do, not %u",
					      sc, size, pages, gom_class_to_npages[sc]);
		}
		max_objs = max_t(unsigned int, max_objs, nobjs);
		max_pages = max_t(unsigned int, max_pages, gom_class_to_npages[sc]);
	}
	KUNIT_EXPECT_EQ(test, max_objs, GOM_MAX_OBJS_PER_SPAN);
	KUNIT_EXPECT_EQ(test, max_pages, GOM_MAX_SPAN_PAGES);
}

/* The divide-free object index is exact at every offset of every span. */
static void gom_sc_test_obj_index(struct kunit *test)
{
	unsigned int sc;

	for (sc = 1; sc < GOM_NUM_SIZE_CLASSES; sc++) {
		unsigned int size = gom_class_to_size[sc];
		unsigned long span = gom_sc_span_bytes(sc);
		unsigned int i, idx = 0;
		unsigned long off, next = size;

		KUNIT_EXPECT_EQ_MSG(test, gom_class_to_divmagic[sc], U32_MAX / size + 1,
				    "class %u (%u B)", sc, size);

		/* Object starts, their last byte, and the start after it. */
		for (i = 0; i < gom_class_to_nobjs[sc]; i++) {
			off = (unsigned long)i * size;
			KUNIT_EXPECT_EQ_MSG(test, gom_obj_index(sc, off), i,
					    "class %u (%u B): object %u at %lu", sc, size, i, off);
			KUNIT_EXPECT_EQ_MSG(test, gom_obj_index(sc, off + size - 1), i,
					    "class %u (%u B): last byte of object %u", sc, size, i);
			KUNIT_EXPECT_EQ_MSG(test, gom_obj_index(sc, off + size), i + 1,
					    "class %u (%u B): start of object %u", sc, size, i + 1);
		}

		/* Every interior offset floors to its object, up to the span end. */
		for (off = 0; off <= span; off++) {
			if (off == next) {
				idx++;
				next += size;
			}
			KUNIT_ASSERT_EQ_MSG(test, gom_obj_index(sc, off), idx,
					    "class %u (%u B): offset %lu", sc, size, off);
		}
	}
}

static struct kunit_case gom_sizeclass_cases[] = {
	KUNIT_CASE(gom_sc_test_class_sizes),
	KUNIT_CASE(gom_sc_test_power_of_two),
	KUNIT_CASE(gom_sc_test_size_to_class),
	KUNIT_CASE(gom_sc_test_size_to_class_limits),
	KUNIT_CASE(gom_sc_test_rounding_waste),
	KUNIT_CASE(gom_sc_test_span_waste),
	KUNIT_CASE(gom_sc_test_obj_index),
	{}
};

static struct kunit_suite gom_sizeclass_suite = {
	.name = "gomalloc_sizeclass",
	.test_cases = gom_sizeclass_cases,
};

kunit_test_suite(gom_sizeclass_suite);

MODULE_IMPORT_NS(GOM_INTERNAL_NS);
MODULE_DESCRIPTION("KUnit tests for gomalloc's size classes");
MODULE_LICENSE("GPL");
