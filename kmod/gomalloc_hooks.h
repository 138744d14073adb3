/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hooks of the exported API (heap.c) into the trace events (trace.c)
 * and the allocation profile (profile.c): inline, one static key test each
 * while tracing and profiling are off, the work out of line.
 */
#ifndef _GOMALLOC_HOOKS_H
#define _GOMALLOC_HOOKS_H

#include <linux/jump_label.h>
#include <linux/percpu.h>

#include "gomalloc_internal.h"
#include "gomalloc_trace.h"

DECLARE_STATIC_KEY_FALSE(gom_profile_key);
DECLARE_STATIC_KEY_FALSE(gom_profile_free_key);
DECLARE_PER_CPU(long, gom_next_sample);

void gom_trace_alloc_slow(struct gom_heap *heap, const void *p, size_t size,
			  gfp_t gfp, unsigned long caller);
void gom_profile_sample(struct gom_heap *heap, void *p, size_t size,
			unsigned long caller);
void gom_profile_free_slow(struct gom_heap *heap, struct gom_span *span,
			   const void *p);

/**
 * gom_alloc_hook() - an allocation is about to be returned to its caller
 * @heap: the heap it came from
 * @p: the object, NULL or GOM_ZERO_SIZE_PTR
 * @size: bytes requested
 * @gfp: the caller's flags
 * @caller: return address of the exported function
 *
 * Emits gomalloc:alloc and counts @size down to this CPU's next profile
 * sample.
 *
 * Context: Any context gom_alloc() is called in; no gomalloc lock held.
 */
static __always_inline void gom_alloc_hook(struct gom_heap *heap, void *p,
					   size_t size, gfp_t gfp,
					   unsigned long caller)
{
	if (trace_alloc_enabled())
		gom_trace_alloc_slow(heap, p, size, gfp, caller);
	/*
	 * raw_cpu: a preemption or an interrupt in the middle only moves
	 * the next sample of one CPU a little, and irq-safe per-CPU
	 * arithmetic costs an irq save/restore where it is not a single
	 * instruction (UML)
	 */
	if (static_branch_unlikely(&gom_profile_key) &&
	    (unsigned long)p > (unsigned long)GOM_ZERO_SIZE_PTR &&
	    raw_cpu_sub_return(gom_next_sample, (long)size) <= 0)
		gom_profile_sample(heap, p, size, caller);
}

/**
 * gom_trace_free() - gom_free() (or realloc, bulk) called, before any check
 * @p: the pointer passed
 * @caller: return address of the exported function
 *
 * Context: Any context.
 */
static __always_inline void gom_trace_free(const void *p, unsigned long caller)
{
	trace_free(caller, p);
}

/**
 * gom_profile_free() - a valid object is about to be freed
 * @heap: its heap
 * @span: its span
 * @p: the object
 *
 * Takes the object's sample back out of the profile if it was sampled.
 *
 * Context: Any context, in an RCU reader (gom_lookup_begin()), before the
 * object is freed.
 */
static __always_inline void gom_profile_free(struct gom_heap *heap,
					     struct gom_span *span,
					     const void *p)
{
	if (static_branch_unlikely(&gom_profile_free_key) &&
	    unlikely(atomic_read(&span->nr_sampled)))
		gom_profile_free_slow(heap, span, p);
}

#endif /* _GOMALLOC_HOOKS_H */
