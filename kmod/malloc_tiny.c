// SPDX-License-Identifier: GPL-2.0
/*
 * The tiny allocator's front end, Go's mallocgcTiny: pack requests of
 * 1..15 bytes into this CPU's current 16-byte block, take a new block from
 * the mcache when it is full, give a block back when its last sub-object
 * is freed. The block state is tiny.c's (inline in tiny.h); this file is
 * the rung above the mcache that uses it, kept apart from malloc.c so that
 * the whole path compiles into one function with nothing but the mcache
 * calls out of line. See malloc.c for the whole map.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/kmemleak.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "gomalloc_internal.h"
#include "mcache_inline.h"

/* @blk becomes this CPU's block for @size; a retired block left dead goes. */
static __always_inline void *gom_tiny_place(struct gom_heap *heap,
					    struct gom_mcache *c, void *blk,
					    size_t size)
{
	void *dead, *obj = gom_tiny_take(&c->tiny, blk, size, &dead);

	if (dead)
		gom_mcache_free_locked(heap, c, GOM_TINY_SPANCLASS, dead,
				       _RET_IP_);
	c->tiny_allocs++;
	return obj;
}

/* Pack into the current block, else into a block of the free cache or span. */
static __always_inline void *gom_tiny_alloc_locked(struct gom_heap *heap,
						   struct gom_mcache *c,
						   size_t size)
{
	void *obj = gom_tiny_fit(&c->tiny, size), *blk;

	if (obj) {
		c->tiny_allocs++;
		return obj;
	}
	blk = gom_mcache_alloc_locked(heap, c, GOM_TINY_SPANCLASS);
	return blk ? gom_tiny_place(heap, c, blk, size) : NULL;
}

/*
 * A context that interrupted this CPU's owner packs nothing: @blk, a block
 * of the tiny span class, serves its request alone and never becomes a
 * current block.
 */
static void *gom_tiny_alone(struct gom_heap *heap, void *blk, size_t size)
{
	this_cpu_inc(heap->mcache->nested_tiny_allocs);
	return gom_tiny_single(blk, size);
}

/* @blk, just allocated, becomes this CPU's block for @size. */
static void *gom_tiny_place_own(struct gom_heap *heap, void *blk, size_t size)
{
	struct gom_mcache *c = gom_mcache_own(heap);
	void *obj;

	if (unlikely(!c))
		return gom_tiny_alone(heap, blk, size);
	obj = gom_tiny_place(heap, c, blk, size);
	gom_mcache_disown(heap, c);
	return obj;
}

/**
 * gom_tiny_alloc() - a tiny object
 * @heap: the heap, with tiny packing
 * @size: 1..GOM_TINY_SIZE - 1
 * @gfp: the caller's flags
 *
 * Each sub-object is registered with kmemleak on its own: they never
 * overlap.
 *
 * Context: Any context allowed by @gfp.
 * Return: the object, or NULL.
 */
void *gom_tiny_alloc(struct gom_heap *heap, size_t size, gfp_t gfp)
{
	struct gom_mcache *c = gom_mcache_own(heap);
	void *obj = NULL, *blk;

	if (likely(c)) {
		obj = gom_tiny_alloc_locked(heap, c, size);
		gom_mcache_disown(heap, c);
	}
	if (unlikely(!obj)) {
		blk = c ? gom_mcache_alloc_one(heap, GOM_TINY_SPANCLASS, gfp) :
			  gom_mcache_alloc_nested(heap, GOM_TINY_SPANCLASS, gfp);
		if (!blk)
			return NULL;
		obj = c ? gom_tiny_place_own(heap, blk, size) :
			  gom_tiny_alone(heap, blk, size);
	}
	if (want_init_on_alloc(gfp))
		memset(obj, 0, size);
	kmemleak_alloc(obj, size, 1, gfp);
	return obj;
}

/**
 * gom_tiny_release() - free a tiny sub-object
 * @heap: the heap
 * @span: its span, of GOM_TINY_SPANCLASS
 * @p: the sub-object
 * @caller: reported on error
 * @wipe: zero its bytes first (init_on_free)
 *
 * Its block goes back to the tiny span class when nothing in it is live.
 *
 * Context: Any context, in an RCU reader (gom_lookup_begin()).
 */
void gom_tiny_release(struct gom_heap *heap, struct gom_span *span,
		      const void *p, unsigned long caller, bool wipe)
{
	void *dead;

	if (!gom_tiny_free(heap, span, p, caller, wipe, &dead))
		return;
	this_cpu_inc(heap->mcache->tiny_frees);
	if (dead)
		gom_mcache_free(heap, GOM_TINY_SPANCLASS, dead, caller);
}
