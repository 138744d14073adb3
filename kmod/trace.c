// SPDX-License-Identifier: GPL-2.0
/*
 * Trace events gomalloc:alloc and gomalloc:free (gomalloc_trace.h); see
 * gomalloc_internal.h.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/module.h>
#include <linux/numa.h>
#include <linux/rcupdate.h>

#include "gomalloc_internal.h"

#define CREATE_TRACE_POINTS
#include "gomalloc_hooks.h"

/**
 * gom_obj_bytes() - usable size and span class of a fresh object
 * @p: the object, NULL or GOM_ZERO_SIZE_PTR
 * @size: the bytes requested for it
 * @spanclass: out, optional: its span class (0 large, GOM_TINY_SPANCLASS)
 * @spanp: out, optional: its span
 *
 * gom_ksize() without the checks, for an object its caller holds: the
 * class size (less the red zone in a debug heap) or the page run; @size
 * for a tiny sub-object, whose end is only known once the next one is
 * packed after it.
 *
 * Context: Any context; @p must stay allocated meanwhile.
 * Return: the bytes, 0 (and span class 0, span NULL) for no object.
 */
size_t gom_obj_bytes(const void *p, size_t size, unsigned int *spanclass,
		     struct gom_span **spanp)
{
	struct gom_span *span = NULL;
	size_t bytes = 0;

	rcu_read_lock();
	if ((unsigned long)p > (unsigned long)GOM_ZERO_SIZE_PTR)
		span = gom_lookup_span(p);
	if (span && span->spanclass == GOM_TINY_SPANCLASS)
		bytes = size;
	else if (span && span->debug)
		bytes = span->elemsize - GOM_REDZONE;
	else if (span)
		bytes = span->elemsize;
	rcu_read_unlock();
	if (spanclass)
		*spanclass = span ? span->spanclass : 0;
	if (spanp)
		*spanp = span;
	return bytes;
}

/**
 * gom_trace_alloc_slow() - emit gomalloc:alloc
 * @heap: the heap
 * @p: the object, or NULL on failure
 * @size: bytes requested; 0 is not traced
 * @gfp: the caller's flags
 * @caller: return address of the exported function
 *
 * Context: Any context gom_alloc() is called in; only while the event is
 * enabled.
 */
void gom_trace_alloc_slow(struct gom_heap *heap, const void *p, size_t size,
			  gfp_t gfp, unsigned long caller)
{
	unsigned int spc;
	size_t bytes;

	if (!size)
		return;
	bytes = gom_obj_bytes(p, size, &spc, NULL);
	trace_alloc(caller, p, size, bytes, gfp, NUMA_NO_NODE, spc);
}
