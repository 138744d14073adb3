/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Size-class lookups: the hand-written code over the generated tables.
 *
 * tools/mksizeclasses.py writes sizeclasses.h, data only (constants and
 * tables, as Go's mksizeclasses.go writes sizeclasses.go); the functions
 * that read the tables live here. The generator checks its tables through
 * a model of gom_size_to_class() (size_to_class() in the tool): a change
 * to the lookup below must be made there too.
 */
#ifndef _GOM_SIZECLASS_H
#define _GOM_SIZECLASS_H

#include <linux/build_bug.h>
#include <linux/math.h>
#include <linux/types.h>

#include "sizeclasses.h"

/* The indexes gom_size_to_class() computes stay inside the tables. */
static_assert(GOM_SIZE_TO_CLASS8_LEN ==
	      GOM_SMALL_SIZE_MAX / GOM_SMALL_SIZE_DIV + 1);
static_assert(GOM_SIZE_TO_CLASS128_LEN ==
	      (GOM_SC_MAX_SMALL_SIZE - GOM_SMALL_SIZE_MAX) / GOM_LARGE_SIZE_DIV + 1);

/**
 * gom_size_to_class() - smallest size class that holds @size bytes
 * @size: request size in bytes
 *
 * O(1): two table lookups as in Go, 8 B granules up to GOM_SMALL_SIZE_MAX
 * and 128 B granules above.
 *
 * Context: Any context.
 * Return: the class for @size in 1..GOM_NUM_SIZE_CLASSES - 1; 0 for @size 0
 * and for sizes above GOM_SC_MAX_SMALL_SIZE (large objects).
 */
static inline unsigned int gom_size_to_class(size_t size)
{
	if (size <= GOM_SMALL_SIZE_MAX - 8)
		return gom_size_to_class8[DIV_ROUND_UP(size, GOM_SMALL_SIZE_DIV)];
	if (size <= GOM_SC_MAX_SMALL_SIZE)
		return gom_size_to_class128[DIV_ROUND_UP(size - GOM_SMALL_SIZE_MAX,
							 GOM_LARGE_SIZE_DIV)];
	return 0;
}

/**
 * gom_obj_index() - index of the object at @offset in a span, without a divide
 * @sizeclass: size class of the span, 1..GOM_NUM_SIZE_CLASSES - 1
 * @offset: byte offset from the span start, at most the span's length
 *
 * Exact (equal to @offset / size) for every offset in the span, as the
 * generator checks: an object starts at @offset iff
 * index * size == @offset.
 *
 * Context: Any context.
 * Return: @offset / gom_class_to_size[@sizeclass], rounded down.
 */
static inline unsigned int gom_obj_index(unsigned int sizeclass,
					 unsigned long offset)
{
	return ((u64)offset * gom_class_to_divmagic[sizeclass]) >> 32;
}

#endif /* _GOM_SIZECLASS_H */
