/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardening and debug mode: free markers, poison, red zones; see debug.c.
 */
#ifndef _GOMALLOC_DEBUG_H
#define _GOMALLOC_DEBUG_H

#include <asm/rwonce.h>
#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/rcupdate.h>
#include <linux/swab.h>
#include <linux/types.h>

#include "heap.h"

/**
 * struct gom_span_debug - the side array of a span of a debug heap
 * @rcu: freed after a grace period: lockless frees may still read it
 * @free: a bit per slot, set while the slot is free; a free claims it with
 *	an atomic test-and-set, so that of two frees of one object racing on
 *	two CPUs exactly one is accepted (the default path's lockless checks
 *	cannot tell them apart)
 * @size: requested bytes of each allocated object (its red zone follows)
 */
struct gom_span_debug {
	struct rcu_head rcu;
	DECLARE_BITMAP(free, GOM_MAX_OBJS_PER_SPAN);
	u16 size[];
};

#define GOM_REDZONE		8	/* debug: red zone at the end of a slot */

/*
 * The word a free small object holds at its start, SLAB_FREELIST_HARDENED
 * style: what it encodes (nothing: the free caches are arrays outside the
 * objects) xor the heap's random key xor the byte-swapped slot address, so
 * that it cannot be forged without the key and differs per slot.
 */
static inline unsigned long gom_free_marker(const struct gom_heap *heap,
					    const void *p)
{
	return heap->key ^ swab64((unsigned long)p);
}

/*
 * An object's first word, where its free marker goes, read by the lockless
 * checks: on a free, and on a pop from a free cache. A double free that
 * raced (gom_mcentral_claim()) can leave a pointer whose span has since
 * given its pages back to the mheap, poisoned for KASAN; they are still
 * the heap's (they cool until a quiesce, mheap.c), so the read is safe,
 * and unchecked: the mismatch it finds is reported by gomalloc itself.
 */
static __always_inline unsigned long gom_marker_word(const void *p)
{
	return READ_ONCE_NOCHECK(*(const unsigned long *)p);
}

/**
 * gom_free_claim() - claim the free of a small object by its marker
 * @heap: its heap
 * @p: the object, a checked object start whose slot is allocated
 *
 * Without kmemleak a check only: a marker already there is a double free;
 * two frees racing on two CPUs may both pass (gom_mcentral_claim() then
 * catches the duplicate). On CONFIG_DEBUG_KMEMLEAK kernels the marker is
 * installed with one cmpxchg, so that exactly one of two racing frees wins
 * and calls kmemleak_free(), which must not see an object twice; an atomic
 * per free is a debug kernel's price.
 *
 * Context: Any context, in an RCU reader (gom_lookup_begin()).
 * Return: true if the caller owns this free.
 */
static __always_inline bool gom_free_claim(const struct gom_heap *heap,
					   const void *p)
{
	unsigned long marker = gom_free_marker(heap, p);
	unsigned long old = gom_marker_word(p);

	if (old == marker)
		return false;
	if (!IS_ENABLED(CONFIG_DEBUG_KMEMLEAK))
		return true;
	return try_cmpxchg((unsigned long *)p, &old, marker);
}

static inline bool gom_heap_debug(const struct gom_heap *heap)
{
	return heap->flags & GOM_HEAP_DEBUG;
}

/* Red zone bytes a request of @heap needs beyond its size. */
static inline unsigned int gom_heap_redzone(const struct gom_heap *heap)
{
	return gom_heap_debug(heap) ? GOM_REDZONE : 0;
}

/* Does a span class get poison and red zones in a debug heap? */
static inline bool gom_debug_class(const struct gom_heap *heap,
				   unsigned int elemsize)
{
	return gom_heap_debug(heap) && elemsize >= 2 * GOM_REDZONE &&
	       elemsize <= GOM_MAX_SMALL_SIZE;
}

int gom_span_debug_init(struct gom_span *span, gfp_t gfp);
void gom_span_poison(struct gom_heap *heap, struct gom_span *span);
bool gom_obj_check_free(struct gom_heap *heap, void *obj,
			unsigned int elemsize, bool cached);
void gom_obj_quarantine(struct gom_heap *heap, void *obj,
			unsigned int elemsize);
void gom_debug_alloc(struct gom_heap *heap, void *obj, size_t size,
		     gfp_t gfp);
bool gom_debug_free(struct gom_heap *heap, struct gom_span *span,
		    unsigned int idx, void *obj, unsigned long caller);
size_t gom_debug_size(struct gom_span *span, const void *obj);
void gom_debug_resize(struct gom_span *span, void *obj, size_t size);
void gom_debug_regrow(struct gom_span *span, void *obj, size_t old,
		      size_t size, gfp_t gfp);

#endif /* _GOMALLOC_DEBUG_H */
