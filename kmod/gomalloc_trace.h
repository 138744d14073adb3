/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomalloc trace events: gomalloc:alloc and gomalloc:free, with the fields
 * and the text layout of kmem:kmalloc and kmem:kfree, so that what parses
 * kmalloc/kfree lines (tools/kmemtrace2ops.py) parses these too; alloc adds
 * the span class at the end. Emitted from the exported API (heap.c) through
 * the hooks in gomalloc_hooks.h; the tracepoints are created in trace.c.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM gomalloc

#if !defined(_GOMALLOC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _GOMALLOC_TRACE_H

#include <linux/tracepoint.h>
#include <linux/types.h>
#include <trace/events/mmflags.h>

/*
 * alloc: one object handed out (or NULL: a failed request), size 0 is not
 * traced (as kmalloc). bytes_alloc is the usable size (gom_ksize() for
 * small and large objects, bytes_req for a tiny sub-object), 0 on failure;
 * sizeclass is the span class: 0 large, 1..75 small, 76 tiny.
 */
TRACE_EVENT(alloc,
	    TP_PROTO(unsigned long call_site, const void *ptr,
		     size_t bytes_req, size_t bytes_alloc, gfp_t gfp_flags,
		     int node, unsigned int sizeclass),
	    TP_ARGS(call_site, ptr, bytes_req, bytes_alloc, gfp_flags, node,
		    sizeclass),
	    TP_STRUCT__entry(__field(unsigned long, call_site)
			     __field(const void *, ptr)
			     __field(size_t, bytes_req)
			     __field(size_t, bytes_alloc)
			     __field(unsigned long, gfp_flags)
			     __field(int, node)
			     __field(unsigned int, sizeclass)),
	    TP_fast_assign(__entry->call_site = call_site;
			   __entry->ptr = ptr;
			   __entry->bytes_req = bytes_req;
			   __entry->bytes_alloc = bytes_alloc;
			   __entry->gfp_flags = (__force unsigned long)gfp_flags;
			   __entry->node = node;
			   __entry->sizeclass = sizeclass;),
	    TP_printk("call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu gfp_flags=%s node=%d accounted=false sizeclass=%u",
		      (void *)__entry->call_site, __entry->ptr,
		      __entry->bytes_req, __entry->bytes_alloc,
		      show_gfp_flags(__entry->gfp_flags), __entry->node,
		      __entry->sizeclass)
);

/* free: gom_free() and the frees inside realloc and bulk, bad ones too */
TRACE_EVENT(free,
	    TP_PROTO(unsigned long call_site, const void *ptr),
	    TP_ARGS(call_site, ptr),
	    TP_STRUCT__entry(__field(unsigned long, call_site)
			     __field(const void *, ptr)),
	    TP_fast_assign(__entry->call_site = call_site;
			   __entry->ptr = ptr;),
	    TP_printk("call_site=%pS ptr=%p",
		      (void *)__entry->call_site, __entry->ptr)
);

#endif /* _GOMALLOC_TRACE_H */

/* outside the guard: define_trace.h reads this header again */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE gomalloc_trace
#include <trace/define_trace.h>
