// SPDX-License-Identifier: GPL-2.0
/*
 * Trace events gomalloc:alloc and gomalloc:free (gomalloc_trace.h):
 * kmem:kmalloc/kfree's fields and text plus the span class, emitted by the
 * exported functions through the inline hooks of gomalloc_hooks.h (a
 * static key each while disabled).
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/module.h>
#include <linux/numa.h>

#include "gomalloc_internal.h"

#define CREATE_TRACE_POINTS
#include "gomalloc_hooks.h"

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
