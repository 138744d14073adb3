// SPDX-License-Identifier: GPL-2.0
/*
 * Large objects: above GOM_MAX_SMALL_SIZE, exactly ceil(size / 4 KiB)
 * pages (kmalloc rounds to a power-of-two order).
 *
 * A large object is a span of class 0 with one object: a page run from
 * the mheap up to an arena, the exact page count straight from the page
 * allocator above that (a "direct" span, still in the lookup index and in
 * the statistics). Freed runs of up to GOM_LARGE_CACHE_PAGES wait in a
 * small per-CPU cache in the mcache, still listed and published, in state
 * GOM_SPAN_LARGE_CACHED; the state moves LARGE -> LARGE_CACHED or LARGE
 * -> FREE by cmpxchg, so that of two racing frees one wins. Go gets there
 * with its per-P page cache and mspan cache; here the span is kept whole.
 * See malloc.c for the whole map.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/kmemleak.h>
#include <linux/module.h>
#include <linux/percpu.h>

#include "gomalloc_internal.h"
#include "mcache_inline.h"

static bool gom_large_cacheable(struct gom_heap *heap, unsigned int npages)
{
	/* a debug heap wants a use after free to hit freed pages */
	return npages <= GOM_LARGE_CACHE_PAGES && !gom_heap_debug(heap);
}

/* A run of exactly @npages this CPU freed recently, live again. */
static struct gom_span *gom_large_reuse(struct gom_heap *heap,
					unsigned int npages)
{
	struct gom_span *span = gom_mcache_large_take(heap, npages);

	if (span) {
		gom_kasan_pages(span->base, span->npages, false);
		WRITE_ONCE(span->state, GOM_SPAN_LARGE);
	}
	return span;
}

/* A new run from the mheap, set up as one object and published. */
static struct gom_span *gom_large_new(struct gom_heap *heap,
				      unsigned int npages, gfp_t gfp)
{
	struct gom_span *span = gom_mheap_alloc_large(heap, npages, gfp);

	if (!span)
		return NULL;
	span->sizeclass = 0;
	span->spc = GOM_LARGE_SPANCLASS;
	span->elemsize = npages << PAGE_SHIFT;
	span->nelems = 1;
	span->alloc_count = 1;
	gom_mheap_publish_large(heap, span);
	return span;
}

/**
 * gom_large_alloc() - an object of exactly ceil(@size / PAGE_SIZE) pages
 * @heap: the heap
 * @size: more than GOM_MAX_SMALL_SIZE, at most GOM_MAX_ALLOC_SIZE
 * @gfp: the caller's flags
 *
 * A run of the same length this CPU freed recently, else a page run from
 * the mheap when it fits an arena, else the exact page count straight from
 * the page allocator (a direct span).
 *
 * Context: Any context allowed by @gfp.
 * Return: the object, or NULL.
 */
void *gom_large_alloc(struct gom_heap *heap, size_t size, gfp_t gfp)
{
	unsigned int npages = DIV_ROUND_UP(size, PAGE_SIZE);
	struct gom_span *span = NULL;

	if (gom_large_cacheable(heap, npages))
		span = gom_large_reuse(heap, npages);
	if (!span)
		span = gom_large_new(heap, npages, gfp);
	if (!span)
		return NULL;
	this_cpu_inc(heap->mcache->large_allocs);
	this_cpu_add(heap->mcache->large_bytes_alloc, gom_span_bytes(span));
	if (want_init_on_alloc(gfp))
		memset((void *)span->base, 0, gom_span_bytes(span));
	kmemleak_alloc((void *)span->base, gom_span_bytes(span), 1, gfp);
	return (void *)span->base;
}

/**
 * gom_large_free() - free a large object
 * @span: its span, found by lookup (in an RCU reader)
 * @p: the pointer passed to gom_free()
 * @caller: reported on error
 * @wipe: zero the whole run first (init_on_free)
 *
 * The span's state leaves GOM_SPAN_LARGE by cmpxchg, so that of two racing
 * frees exactly one wins and the other is a double free; the winner wipes
 * the run, still its own, before it is cached or freed (and poisoned).
 *
 * Context: Any context, in an RCU reader (gom_lookup_begin()).
 */
void gom_large_free(struct gom_span *span, const void *p, unsigned long caller,
		    bool wipe)
{
	struct gom_heap *heap = READ_ONCE(span->heap);
	unsigned long bytes = gom_span_bytes(span);
	bool keep;

	if (!heap) {
		gom_report(NULL, GOM_ERR_HEAP_DESTROYED, p, caller);
		return;
	}
	keep = gom_large_cacheable(heap, span->npages);
	if (span->base != (unsigned long)p ||
	    cmpxchg(&span->state, GOM_SPAN_LARGE,
		    keep ? GOM_SPAN_LARGE_CACHED : GOM_SPAN_FREE) != GOM_SPAN_LARGE) {
		gom_report(heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return;
	}
	/* registered by gom_large_alloc(); the pages are still ours */
	kmemleak_free(p);
	if (wipe)
		memset((void *)p, 0, bytes);
	if (keep) {
		gom_kasan_pages(span->base, span->npages, true);
		gom_mcache_large_keep(heap, span);
	} else {
		gom_mheap_free_large(heap, span);
	}
	this_cpu_inc(heap->mcache->large_frees);
	this_cpu_add(heap->mcache->large_bytes_freed, bytes);
}
