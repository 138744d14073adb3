/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by gomalloc's KUnit suites: private heaps that are
 * destroyed when a case ends, error counters, quiescing a heap.
 */
#ifndef _GOM_KUNIT_H
#define _GOM_KUNIT_H

#include <kunit/test.h>
#include <linux/atomic.h>

#include "gomalloc_internal.h"

static inline void gom_kunit_destroy(void *heap)
{
	gom_heap_destroy(heap);
}

/* A heap of its own for one test case, destroyed when the case ends. */
static inline struct gom_heap *gom_kunit_heap(struct kunit *test,
					      unsigned int flags)
{
	static atomic_t seq = ATOMIC_INIT(0);
	struct gom_heap *heap;
	char name[GOM_HEAP_NAME_MAX];

	snprintf(name, sizeof(name), "kunit%d", atomic_inc_return(&seq));
	heap = gom_heap_create(name, flags);
	KUNIT_ASSERT_NOT_NULL(test, heap);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, gom_kunit_destroy, heap));
	return heap;
}

static inline long gom_kunit_errors(enum gom_error kind)
{
	return atomic_long_read(&gom_errors[kind]);
}

/*
 * Drain every CPU's mcache, give the reserve spans back, and let the pages
 * freed settle (gom_heap_quiesce()), so that a scavenge can release them.
 */
static inline void gom_kunit_quiesce(struct gom_heap *heap)
{
	unsigned int spc;
	int cpu;

	for_each_possible_cpu(cpu)
		gom_mcache_drain_cpu(heap, cpu);
	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++)
		gom_mcentral_release_reserve(&heap->central[spc]);
	gom_heap_quiesce(heap);
}

static inline struct gom_memstats gom_kunit_stats(struct gom_heap *heap)
{
	struct gom_memstats ms;

	gom_read_memstats(heap, &ms);
	return ms;
}

#endif /* _GOM_KUNIT_H */
