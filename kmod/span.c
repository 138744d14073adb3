// SPDX-License-Identifier: GPL-2.0
/*
 * Spans: a page run holding objects of one size class (Go's mspan), its
 * metadata outside the pages.
 *
 * alloc_bits, and a 64-bit alloc_cache of inverted bits scanned with
 * __ffs64 from freeindex (Go's allocCache / nextFreeFast); object indexes
 * by divmagic (sizeclass.h), so that a free checks that it points at an
 * object start without a divide. While an mcache owns a span ("cached"),
 * alloc_bits are read-only and only the owner reads them; frees that
 * reach mcentral for that span go to freed_bits, and gom_span_sweep()
 * folds both in when the span comes back. Span structs come from a
 * SLAB_TYPESAFE_BY_RCU cache: a lookup that races with a span's death
 * still reads a span and revalidates it under the lock that guards its
 * state. See malloc.c for the whole map.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/bitops.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "gomalloc_internal.h"

static struct kmem_cache *gom_span_cache;

/* === Span structs === */

/**
 * gom_span_cache_init() - create the span struct cache
 *
 * Context: Process context, module init.
 * Return: 0 or -ENOMEM.
 */
int gom_span_cache_init(void)
{
	/*
	 * TYPESAFE_BY_RCU: a lookup that races with a span's death still
	 * reads a struct gom_span and revalidates it under the right lock.
	 * NOLEAKTRACE: a span's base points at its first object, which would
	 * keep that object referenced in kmemleak's eyes; spans are always
	 * reachable through the lookup frames, so nothing is lost.
	 */
	gom_span_cache = kmem_cache_create("gomalloc_span",
					   sizeof(struct gom_span), 0,
					   SLAB_TYPESAFE_BY_RCU |
					   SLAB_NOLEAKTRACE, NULL);
	return gom_span_cache ? 0 : -ENOMEM;
}

/**
 * gom_span_cache_exit() - destroy the span struct cache
 *
 * Context: Process context, module exit.
 */
void gom_span_cache_exit(void)
{
	kmem_cache_destroy(gom_span_cache);
}

/**
 * gom_span_alloc() - allocate a span struct
 * @gfp: the caller's allocation flags
 *
 * Context: Any context allowed by @gfp.
 * Return: a span in state GOM_SPAN_FREE, or NULL.
 */
struct gom_span *gom_span_alloc(gfp_t gfp)
{
	struct gom_span *span;

	if (gom_should_fail(sizeof(*span), gfp))
		return NULL;
	span = kmem_cache_alloc(gom_span_cache, gom_meta_gfp(gfp));
	if (!span)
		return NULL;
	INIT_LIST_HEAD(&span->list);
	span->heap = NULL;
	span->arena = NULL;
	span->tiny = NULL;
	span->debug = NULL;
	atomic_set(&span->nr_sampled, 0);
	WRITE_ONCE(span->state, GOM_SPAN_FREE);
	return span;
}
EXPORT_SYMBOL_NS_GPL(gom_span_alloc, GOM_INTERNAL_NS);

/**
 * gom_span_free() - free a span struct that is no longer in any lookup entry
 * @span: the span
 *
 * Context: Any context.
 */
void gom_span_free(struct gom_span *span)
{
	WRITE_ONCE(span->state, GOM_SPAN_FREE);
	if (span->tiny)
		kfree_rcu(span->tiny, rcu);
	if (span->debug)
		kfree_rcu(span->debug, rcu);
	/* lockless readers that loaded them keep them for a grace period */
	WRITE_ONCE(span->tiny, NULL);
	WRITE_ONCE(span->debug, NULL);
	kmem_cache_free(gom_span_cache, span);
}
EXPORT_SYMBOL_NS_GPL(gom_span_free, GOM_INTERNAL_NS);

/**
 * gom_span_orphan() - keep a span with live objects after its heap is gone
 * @span: a span off every list
 *
 * Its lookup entries stay, so that a later free is reported as a free after
 * destroy; its pages are given back at module exit (heap.c).
 *
 * Context: Process context, heap destroy.
 */
void gom_span_orphan(struct gom_span *span)
{
	WRITE_ONCE(span->state, GOM_SPAN_ORPHAN);
	WRITE_ONCE(span->heap, NULL);
}

/* === Bitmaps === */

/**
 * gom_span_init_small() - set a fresh span up for objects of a span class
 * @span: span whose base and npages are set
 * @spc: its span class
 *
 * Context: Any context; the span is not yet visible to other CPUs.
 */
void gom_span_init_small(struct gom_span *span, unsigned int spc)
{
	unsigned int sizeclass = gom_spanclass_sizeclass(spc);

	span->spc = spc;
	span->sizeclass = sizeclass;
	span->elemsize = gom_class_to_size[sizeclass];
	span->nelems = gom_class_to_nobjs[sizeclass];
	span->alloc_count = 0;
	span->alloc_cache = 0;
	WRITE_ONCE(span->freeindex, 0);
	bitmap_zero(span->alloc_bits, GOM_MAX_OBJS_PER_SPAN);
	bitmap_zero(span->freed_bits, GOM_MAX_OBJS_PER_SPAN);
}
EXPORT_SYMBOL_NS_GPL(gom_span_init_small, GOM_INTERNAL_NS);

/* alloc_cache = the free slots from freeindex to the end of its word */
static void gom_span_refill_cache(struct gom_span *span)
{
	unsigned int fi = span->freeindex;
	unsigned int shift = fi % 64;
	unsigned int left = span->nelems - fi;
	u64 free = ~(u64)span->alloc_bits[fi / 64] >> shift;

	if (left < 64)
		free &= (1ULL << left) - 1;
	span->alloc_cache = free;
}

/**
 * gom_span_start_caching() - prepare a span for its owner's allocations
 * @span: a swept span leaving mcentral for an mcache
 *
 * Context: the mcentral lock of @span held.
 */
void gom_span_start_caching(struct gom_span *span)
{
	WRITE_ONCE(span->freeindex, 0);
	gom_span_refill_cache(span);
}
EXPORT_SYMBOL_NS_GPL(gom_span_start_caching, GOM_INTERNAL_NS);

/**
 * gom_span_next_free() - take the next free slot of a cached span
 * @span: a span owned by the caller's mcache
 *
 * Go's nextFreeFast/nextFreeIndex: find the lowest set bit of alloc_cache,
 * advance freeindex past it, refill alloc_cache at each 64-slot boundary.
 * freeindex is published with WRITE_ONCE before the object is handed out,
 * so that a free of it on another CPU sees it allocated.
 *
 * Context: the owning mcache's lock held.
 * Return: the slot index, or -1 when the span is exhausted.
 */
int gom_span_next_free(struct gom_span *span)
{
	unsigned int idx, bit;

	for (;;) {
		if (span->freeindex >= span->nelems)
			return -1;
		if (span->alloc_cache)
			break;
		/* nothing free up to the end of freeindex's word */
		WRITE_ONCE(span->freeindex,
			   min_t(unsigned int, round_down(span->freeindex, 64) + 64,
				 span->nelems));
		if (span->freeindex < span->nelems)
			gom_span_refill_cache(span);
	}
	bit = __ffs64(span->alloc_cache);
	idx = span->freeindex + bit;
	span->alloc_cache >>= bit;
	span->alloc_cache >>= 1;
	WRITE_ONCE(span->freeindex, idx + 1);
	if ((idx + 1) % 64 == 0 && idx + 1 < span->nelems)
		gom_span_refill_cache(span);
	return idx;
}
EXPORT_SYMBOL_NS_GPL(gom_span_next_free, GOM_INTERNAL_NS);

/**
 * gom_span_sweep() - fold a cached span's allocations and frees into its bits
 * @span: a span an mcache gives back
 *
 * Slots below freeindex were handed out by the owner, so they become set;
 * then the frees recorded in freed_bits are applied. The bits are written
 * before freeindex is reset, so that a lockless gom_span_slot_allocated()
 * never sees an allocated slot as free.
 *
 * Context: the mcentral lock of @span held.
 */
void gom_span_sweep(struct gom_span *span)
{
	bitmap_set(span->alloc_bits, 0, span->freeindex);
	bitmap_andnot(span->alloc_bits, span->alloc_bits, span->freed_bits,
		      span->nelems);
	bitmap_zero(span->freed_bits, span->nelems);
	span->alloc_count = bitmap_weight(span->alloc_bits, span->nelems);
	span->alloc_cache = 0;
	smp_wmb();	/* bits before freeindex; pairs with slot_allocated */
	WRITE_ONCE(span->freeindex, 0);
}
EXPORT_SYMBOL_NS_GPL(gom_span_sweep, GOM_INTERNAL_NS);

/* === Usable size === */

/**
 * gom_obj_bytes() - usable size and span class of a fresh object
 * @p: the object, NULL or GOM_ZERO_SIZE_PTR
 * @size: the bytes requested for it
 * @spc: out, optional: its span class (0 large, GOM_TINY_SPANCLASS)
 * @spanp: out, optional: its span
 *
 * gom_ksize() without the checks, for an object its caller holds: the
 * class size (less the red zone in a debug heap) or the page run; @size
 * for a tiny sub-object, whose end is only known once the next one is
 * packed after it. For the trace events and the profile.
 *
 * Context: Any context; @p must stay allocated meanwhile.
 * Return: the bytes, 0 (and span class 0, span NULL) for no object.
 */
size_t gom_obj_bytes(const void *p, size_t size, unsigned int *spc,
		     struct gom_span **spanp)
{
	struct gom_span *span = NULL;
	size_t bytes = 0;

	rcu_read_lock();
	if ((unsigned long)p > (unsigned long)GOM_ZERO_SIZE_PTR)
		span = gom_spanof(p);
	if (span && span->spc == GOM_TINY_SPANCLASS)
		bytes = size;
	else if (span && span->debug)
		bytes = span->elemsize - GOM_REDZONE;
	else if (span)
		bytes = span->elemsize;
	rcu_read_unlock();
	if (spc)
		*spc = span ? span->spc : 0;
	if (spanp)
		*spanp = span;
	return bytes;
}
