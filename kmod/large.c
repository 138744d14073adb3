// SPDX-License-Identifier: GPL-2.0
/*
 * Large objects: exact page runs above 32 KiB; see gomalloc_internal.h.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/kmemleak.h>
#include <linux/module.h>
#include <linux/percpu.h>

#include "gomalloc_internal.h"

/* === The per-CPU cache of freed runs (mcache lock held) === */

static bool gom_large_cacheable(struct gom_heap *heap, unsigned int npages)
{
	/* a debug heap wants a use after free to hit freed pages */
	return npages <= GOM_LARGE_CACHE_PAGES && !gom_heap_debug(heap);
}

/* The most recently cached span of exactly @npages pages, taken out. */
static struct gom_span *gom_large_cache_take(struct gom_mcache *c,
					     unsigned int npages)
{
	struct gom_span *span;
	unsigned int i = c->large_cache_nr;

	while (i--) {
		span = c->large_cache[i];
		if (span->npages != npages)
			continue;
		memmove(&c->large_cache[i], &c->large_cache[i + 1],
			(c->large_cache_nr - i - 1) * sizeof(span));
		c->large_cache_nr--;
		c->large_cache_pages -= npages;
		return span;
	}
	return NULL;
}

/* Keep @span; return the oldest span evicted to make room, or NULL. */
static struct gom_span *gom_large_cache_put(struct gom_mcache *c,
					    struct gom_span *span)
{
	struct gom_span *old = NULL;

	if (c->large_cache_nr == GOM_LARGE_CACHE_SPANS ||
	    c->large_cache_pages + span->npages > GOM_LARGE_CACHE_PAGES) {
		old = c->large_cache[0];
		c->large_cache_nr--;
		c->large_cache_pages -= old->npages;
		memmove(&c->large_cache[0], &c->large_cache[1],
			c->large_cache_nr * sizeof(span));
	}
	c->large_cache[c->large_cache_nr++] = span;
	c->large_cache_pages += span->npages;
	return old;
}

static struct gom_span *gom_large_reuse(struct gom_heap *heap,
					unsigned int npages)
{
	struct gom_span *span;
	unsigned long flags;

	local_lock_irqsave(&heap->mcache->lock, flags);
	span = gom_large_cache_take(this_cpu_ptr(heap->mcache), npages);
	local_unlock_irqrestore(&heap->mcache->lock, flags);
	if (span) {
		gom_kasan_pages(span->base, span->npages, false);
		WRITE_ONCE(span->state, GOM_SPAN_LARGE);
	}
	return span;
}

/* Give a span whose object is gone back to the mheap. */
static void gom_large_release(struct gom_heap *heap, struct gom_span *span)
{
	unsigned long flags;

	spin_lock_irqsave(&heap->mheap.lock, flags);
	list_del_init(&span->list);
	spin_unlock_irqrestore(&heap->mheap.lock, flags);
	if (span->arena)
		gom_mheap_free_span(heap, span);
	else
		gom_mheap_free_direct(heap, span);
}

/**
 * gom_large_cache_drain() - give back the large runs an mcache keeps
 * @heap: the heap
 * @c: its mcache of a CPU that does not use it now, or of this CPU, locked
 *
 * Context: as gom_mcache_drain_cpu().
 */
void gom_large_cache_drain(struct gom_heap *heap, struct gom_mcache *c)
{
	struct gom_span *span;

	while (c->large_cache_nr) {
		span = c->large_cache[--c->large_cache_nr];
		c->large_cache_pages -= span->npages;
		gom_large_release(heap, span);
	}
}

/* === Allocation and free === */

static struct gom_span *gom_large_new(struct gom_heap *heap,
				      unsigned int npages, gfp_t gfp)
{
	struct gom_mheap *h = &heap->mheap;
	struct gom_span *span;
	unsigned long flags;

	if (npages <= GOM_ARENA_PAGES)
		span = gom_mheap_alloc_span(heap, npages, gfp);
	else
		span = gom_mheap_alloc_direct(heap, npages, gfp);
	if (!span)
		return NULL;
	span->sizeclass = 0;
	span->spanclass = GOM_LARGE_SPANCLASS;
	span->elemsize = npages << PAGE_SHIFT;
	span->nelems = 1;
	span->alloc_count = 1;

	/* published before it is listed: validate checks listed spans' entries */
	gom_span_set_lookup(span, span);
	spin_lock_irqsave(&h->lock, flags);
	list_add(&span->list, &h->large);
	WRITE_ONCE(span->state, GOM_SPAN_LARGE);
	spin_unlock_irqrestore(&h->lock, flags);
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

/* Keep a freed run in this CPU's cache; give back whatever that evicts. */
static void gom_large_keep(struct gom_heap *heap, struct gom_span *span)
{
	struct gom_span *old;
	unsigned long flags;

	gom_kasan_pages(span->base, span->npages, true);
	local_lock_irqsave(&heap->mcache->lock, flags);
	old = gom_large_cache_put(this_cpu_ptr(heap->mcache), span);
	local_unlock_irqrestore(&heap->mcache->lock, flags);
	if (old)
		gom_large_release(heap, old);
}

/**
 * gom_large_free() - free a large object
 * @span: its span, found by lookup (under rcu_read_lock())
 * @p: the pointer passed to gom_free()
 * @caller: reported on error
 *
 * The span's state leaves GOM_SPAN_LARGE by cmpxchg, so that of two racing
 * frees exactly one wins and the other is a double free.
 *
 * Context: Any context, under rcu_read_lock().
 */
void gom_large_free(struct gom_span *span, const void *p, unsigned long caller)
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
	if (keep)
		gom_large_keep(heap, span);
	else
		gom_large_release(heap, span);
	this_cpu_inc(heap->mcache->large_frees);
	this_cpu_add(heap->mcache->large_bytes_freed, bytes);
}

/**
 * gom_large_destroy() - orphan the large objects of a heap being destroyed
 * @heap: the heap
 *
 * Context: Process context, heap destroy.
 * Return: the number of large objects still live.
 */
unsigned long gom_large_destroy(struct gom_heap *heap)
{
	struct gom_span *span, *tmp;
	unsigned long n = 0;
	LIST_HEAD(live);

	spin_lock_irq(&heap->mheap.lock);
	list_splice_init(&heap->mheap.large, &live);
	spin_unlock_irq(&heap->mheap.lock);
	list_for_each_entry_safe(span, tmp, &live, list) {
		list_del(&span->list);
		gom_span_orphan(span);
		n++;
	}
	return n;
}
