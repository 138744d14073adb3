/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Spans: a run of pages holding objects of one span class; see span.c.
 */
#ifndef _GOMALLOC_SPAN_H
#define _GOMALLOC_SPAN_H

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/types.h>

#include "sizeclass.h"

/* === Span classes === */

/*
 * One span class per size class, plus one of 16-byte blocks for the tiny
 * allocator, so that a free knows what a span holds; class 0 is large.
 */
#define GOM_TINY_SIZE		16
#define GOM_TINY_SIZECLASS	2	/* the 16-byte class; checked at init */
#define GOM_TINY_SPANCLASS	GOM_NUM_SIZE_CLASSES
#define GOM_NUM_SPAN_CLASSES	(GOM_NUM_SIZE_CLASSES + 1)
#define GOM_LARGE_SPANCLASS	0

static inline unsigned int gom_spanclass_size(unsigned int spc)
{
	if (spc == GOM_TINY_SPANCLASS)
		return GOM_TINY_SIZE;
	return gom_class_to_size[spc];
}

static inline unsigned int gom_spanclass_sizeclass(unsigned int spc)
{
	return spc == GOM_TINY_SPANCLASS ? GOM_TINY_SIZECLASS : spc;
}

/* === Spans === */

enum gom_span_state {
	GOM_SPAN_FREE,		/* not a live span (struct free or dying) */
	GOM_SPAN_CENTRAL,	/* small span on an mcentral list */
	GOM_SPAN_CACHED,	/* small span owned by an mcache */
	GOM_SPAN_LARGE,		/* large object in use */
	GOM_SPAN_LARGE_CACHED,	/* large run freed, kept by an mcache */
	GOM_SPAN_ORPHAN,	/* its heap was destroyed with objects live */
};

struct gom_arena;
struct gom_heap;
struct gom_span_debug;
struct gom_tiny_blocks;

/**
 * struct gom_span - a run of pages holding objects of one span class
 * @list: on an mcentral list, the mheap's large list, or a free list
 * @base: address of the first page
 * @heap: owning heap; NULL once orphaned
 * @arena: arena holding the pages; NULL for a direct large span
 * @npages: pages in the run
 * @elemsize: bytes per object (run bytes for a large span)
 * @sizeclass: size class, 0 for large
 * @spc: index of the mcentral (GOM_TINY_SPANCLASS for tiny blocks)
 * @state: enum gom_span_state
 * @nr_sampled: its live objects sampled by the profile (profile.c)
 * @nelems: objects in the span
 * @freeindex: slots below it were handed out (cached span: owner writes)
 * @alloc_count: allocated objects (exact while the span is not cached)
 * @alloc_cache: inverted alloc_bits from freeindex (owner only)
 * @tiny: per-block state of a tiny span (tiny.c)
 * @debug: requested sizes, spans of debug heaps only (debug.c)
 * @alloc_bits: allocated slots (read-only while cached)
 * @freed_bits: slots freed while the span was cached
 */
struct gom_span {
	struct list_head list;
	unsigned long base;
	struct gom_heap *heap;
	struct gom_arena *arena;
	unsigned int npages;
	unsigned int elemsize;
	u8 sizeclass;
	u8 spc;
	u8 state;
	u16 nelems;
	u16 freeindex;
	u16 alloc_count;
	atomic_t nr_sampled;
	u64 alloc_cache;
	struct gom_tiny_blocks *tiny;
	struct gom_span_debug *debug;
	DECLARE_BITMAP(alloc_bits, GOM_MAX_OBJS_PER_SPAN);
	DECLARE_BITMAP(freed_bits, GOM_MAX_OBJS_PER_SPAN);
};

/* A walk over spans calls this for each one (validate.c's checks). */
typedef void (*gom_span_fn)(struct gom_span *span, void *arg);

int gom_span_cache_init(void);
void gom_span_cache_exit(void);
struct gom_span *gom_span_alloc(gfp_t gfp);
void gom_span_free(struct gom_span *span);
void gom_span_init_small(struct gom_span *span, unsigned int spc);
void gom_span_start_caching(struct gom_span *span);
int gom_span_next_free(struct gom_span *span);
void gom_span_sweep(struct gom_span *span);
void gom_span_orphan(struct gom_span *span);
size_t gom_obj_bytes(const void *p, size_t size, unsigned int *spc,
		     struct gom_span **spanp);

static inline void *gom_span_obj(const struct gom_span *span, unsigned int idx)
{
	return (void *)(span->base + (unsigned long)idx * span->elemsize);
}

static inline unsigned long gom_span_bytes(const struct gom_span *span)
{
	return (unsigned long)span->npages << PAGE_SHIFT;
}

/**
 * gom_span_slot_allocated() - lockless check that a slot may be allocated
 * @span: a small span
 * @idx: slot index
 *
 * Never false for an allocated object; may be true for a free slot when it
 * races with a sweep (mcentral checks exactly, under its lock).
 *
 * Context: Any context, in an RCU reader (gom_lookup_begin()).
 * Return: false if the slot is certainly free.
 */
static __always_inline bool
gom_span_slot_allocated(const struct gom_span *span, unsigned int idx)
{
	if (idx < READ_ONCE(span->freeindex))
		return true;
	smp_rmb();	/* pairs with gom_span_sweep() */
	return test_bit(idx, span->alloc_bits);
}

/**
 * gom_class_index() - object index of a pointer in a small span
 * @sizeclass: the span's size class, or 0 (never an object start)
 * @base: the span's first page
 * @p: the pointer
 * @idx: the index, when the return is true
 *
 * From the class tables alone, so that a lockless reader works on the two
 * values it read once from a span struct that may be reused under it
 * (SLAB_TYPESAFE_BY_RCU), never on a mix of two spans' fields.
 *
 * Context: Any context.
 * Return: true if @p starts an object of such a span.
 */
static __always_inline bool gom_class_index(unsigned int sizeclass,
					    unsigned long base, const void *p,
					    unsigned int *idx)
{
	unsigned long off = (unsigned long)p - base;
	unsigned int i;

	if (!sizeclass ||
	    off >= (unsigned long)gom_class_to_npages[sizeclass] << PAGE_SHIFT)
		return false;
	i = gom_obj_index(sizeclass, off);
	if (i >= gom_class_to_nobjs[sizeclass] ||
	    (unsigned long)i * gom_class_to_size[sizeclass] != off)
		return false;
	*idx = i;
	return true;
}

/**
 * gom_span_index() - object index of a pointer, if it is an object start
 * @span: the span holding @p
 * @p: the pointer
 * @idx: the index, when the return is true
 *
 * Inline: the free path runs it for every object.
 *
 * Context: Any context.
 * Return: true if @p is the start of an object of @span.
 */
static __always_inline bool gom_span_index(const struct gom_span *span,
					   const void *p, unsigned int *idx)
{
	if (!span->sizeclass) {
		*idx = 0;
		return (unsigned long)p == span->base;
	}
	return gom_class_index(span->sizeclass, span->base, p, idx);
}

#endif /* _GOMALLOC_SPAN_H */
