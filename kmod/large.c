// SPDX-License-Identifier: GPL-2.0
/*
 * Large objects: exact page runs above 32 KiB; see gomalloc_internal.h.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/kmemleak.h>
#include <linux/module.h>
#include <linux/percpu.h>

#include "gomalloc_internal.h"

/**
 * gom_large_alloc() - an object of exactly ceil(@size / PAGE_SIZE) pages
 * @heap: the heap
 * @size: more than GOM_MAX_SMALL_SIZE, at most GOM_MAX_ALLOC_SIZE
 * @gfp: the caller's flags
 *
 * A page run from the mheap when it fits an arena, else the exact page
 * count straight from the page allocator (a direct span).
 *
 * Context: Any context allowed by @gfp.
 * Return: the object, or NULL.
 */
void *gom_large_alloc(struct gom_heap *heap, size_t size, gfp_t gfp)
{
	unsigned int npages = DIV_ROUND_UP(size, PAGE_SIZE);
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

	this_cpu_inc(heap->mcache->large_allocs);
	this_cpu_add(heap->mcache->large_bytes_alloc, gom_span_bytes(span));
	if (gfp & __GFP_ZERO)
		memset((void *)span->base, 0, gom_span_bytes(span));
	kmemleak_alloc((void *)span->base, gom_span_bytes(span), 1, gfp);
	return (void *)span->base;
}

/**
 * gom_large_free() - free a large object
 * @span: its span, found by lookup (under rcu_read_lock())
 * @p: the pointer passed to gom_free()
 * @caller: reported on error
 *
 * The span's state is rechecked under the mheap lock, so that of two
 * racing frees exactly one wins and the other is a double free.
 *
 * Context: Any context, under rcu_read_lock().
 */
void gom_large_free(struct gom_span *span, const void *p, unsigned long caller)
{
	struct gom_heap *heap = READ_ONCE(span->heap);
	unsigned long flags, bytes;
	bool ours;

	if (!heap) {
		gom_report(NULL, GOM_ERR_HEAP_DESTROYED, p, caller);
		return;
	}
	spin_lock_irqsave(&heap->mheap.lock, flags);
	ours = span->state == GOM_SPAN_LARGE && span->heap == heap &&
	       span->base == (unsigned long)p;
	if (ours) {
		WRITE_ONCE(span->state, GOM_SPAN_FREE);
		list_del_init(&span->list);
	}
	spin_unlock_irqrestore(&heap->mheap.lock, flags);
	if (!ours) {
		gom_report(heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return;
	}
	/* registered by gom_large_alloc(); the pages are still ours */
	kmemleak_free(p);

	bytes = gom_span_bytes(span);
	if (span->arena)
		gom_mheap_free_span(heap, span);
	else
		gom_mheap_free_direct(heap, span);
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
