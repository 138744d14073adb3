/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardening and debug mode: free markers, poison, red zones; see debug.c.
 */
#ifndef _GOMALLOC_DEBUG_H
#define _GOMALLOC_DEBUG_H

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
