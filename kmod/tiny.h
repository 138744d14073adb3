/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny blocks: 1..15 byte objects packed into 16-byte blocks; see tiny.c.
 */
#ifndef _GOMALLOC_TINY_H
#define _GOMALLOC_TINY_H

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/kmemleak.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#include "lookup.h"
#include "report.h"
#include "span.h"

struct gom_heap;
struct gom_span;

/**
 * struct gom_tiny - a CPU's current tiny block (in its mcache)
 * @block: the block, or NULL
 * @span: its span
 * @idx: its index in @span
 * @offset: first free byte in @block
 * @mask: sub-object starts handed out
 * @ends: sub-object ends handed out
 */
struct gom_tiny {
	void *block;
	struct gom_span *span;
	unsigned int idx;
	unsigned int offset;
	u16 mask;
	u16 ends;
};

/**
 * struct gom_tiny_block - state of one 16-byte tiny block
 * @live: bit n set while a sub-object starting at byte n is live (or, for
 *	the current block, not yet handed out); GOM_TINY_OWNED while it is
 *	some CPU's current block. The block is freed when it reaches 0.
 * @ends: bit n set when a sub-object ends at byte n; written by the owner
 *	only, read by gom_ksize().
 * @starts: bit n set when a sub-object starting at byte n was handed out;
 *	written by the owner only, so that a free of a start not handed out
 *	yet (still covered by the owner's bias in @live) is caught.
 */
struct gom_tiny_block {
	atomic_t live;
	u16 ends;
	u16 starts;
};

/**
 * struct gom_tiny_blocks - the side array of a tiny span
 * @rcu: freed after a grace period: lockless frees may still read it
 * @base: the span's first block
 * @nelems: blocks in the span, entries in @b
 * @b: one entry per 16-byte block
 *
 * It says itself which blocks it describes: a lockless free reads
 * span->tiny once and works on that array alone, whatever becomes of the
 * span struct meanwhile (gom_tiny_lookup()).
 */
struct gom_tiny_blocks {
	struct rcu_head rcu;
	unsigned long base;
	unsigned int nelems;
	struct gom_tiny_block b[];
};

#define GOM_TINY_OWNED		BIT(16)
#define GOM_TINY_ALL		0xffffU

/*
 * Alignment of a sub-object: the largest power of two not above its size,
 * at most 8 (8..15 -> 8, 4..7 -> 4, 2..3 -> 2, 1 -> 1). This is at least
 * Go's rule (size&7 == 0 -> 8, size&3 == 0 -> 4, size&1 == 0 -> 2).
 */
static inline unsigned int gom_tiny_align(unsigned int off, size_t size)
{
	if (size >= 8)
		return ALIGN(off, 8);
	if (size >= 4)
		return ALIGN(off, 4);
	if (size >= 2)
		return ALIGN(off, 2);
	return off;
}

static inline struct gom_tiny_block *gom_tiny_block(struct gom_span *span,
						    unsigned int idx)
{
	return &span->tiny->b[idx];
}

/**
 * gom_tiny_lookup() - the block state of a pointer into a tiny span
 * @span: a span that was of GOM_TINY_SPANCLASS when it was looked up
 * @p: the pointer
 * @off: set to @p's offset from its span's first block
 *
 * For the lockless readers (free, ksize): span->tiny is read once, and
 * everything comes from that array, still valid in an RCU reader
 * even when the span is torn down (cleared, freed after a grace period)
 * or its struct reused meanwhile.
 *
 * Context: Any context, in an RCU reader (gom_lookup_begin()).
 * Return: @p's block state, or NULL when @p is past the span's blocks or
 * the span is no longer a tiny one.
 */
static __always_inline struct gom_tiny_block *
gom_tiny_lookup(const struct gom_span *span, const void *p, unsigned long *off)
{
	struct gom_tiny_blocks *tbs = READ_ONCE(span->tiny);

	if (unlikely(!tbs))
		return NULL;
	*off = (unsigned long)p - tbs->base;
	if (unlikely(*off >= (unsigned long)tbs->nelems * GOM_TINY_SIZE))
		return NULL;
	return &tbs->b[*off / GOM_TINY_SIZE];
}

static inline u16 gom_tiny_end_bit(unsigned int end)
{
	return end < GOM_TINY_SIZE ? BIT(end) : 0;
}

/* What the owner handed out, before the sub-object reaches its caller. */
static inline void gom_tiny_publish(struct gom_tiny_block *tb, u16 starts,
				    u16 ends)
{
	WRITE_ONCE(tb->ends, ends);
	WRITE_ONCE(tb->starts, starts);
}

/**
 * gom_tiny_fit() - a sub-object from a CPU's current block
 * @t: the CPU's current block
 * @size: 1..GOM_TINY_SIZE - 1
 *
 * Inline: the tiny allocator's fast path (malloc.c) runs it for every
 * sub-object that fits.
 *
 * Context: the owning mcache's lock held.
 * Return: the sub-object, or NULL when it does not fit (or no block).
 */
static inline void *gom_tiny_fit(struct gom_tiny *t, size_t size)
{
	unsigned int off;

	if (!t->block)
		return NULL;
	off = gom_tiny_align(t->offset, size);
	if (off + size > GOM_TINY_SIZE)
		return NULL;
	t->offset = off + size;
	t->mask |= BIT(off);
	t->ends |= gom_tiny_end_bit(off + size);
	gom_tiny_publish(gom_tiny_block(t->span, t->idx), t->mask, t->ends);
	return t->block + off;
}

int gom_tiny_span_init(struct gom_span *span, gfp_t gfp);
bool gom_tiny_live(const struct gom_span *span, const void *p,
		   enum gom_error *why);
size_t gom_tiny_ksize(struct gom_span *span, const void *p);
void gom_tiny_forget(struct gom_span *span);

/* the tiny allocator's front end (malloc_tiny.c) */
void *gom_tiny_alloc(struct gom_heap *heap, size_t size, gfp_t gfp);
void gom_tiny_release(struct gom_heap *heap, struct gom_span *span,
		      const void *p, unsigned long caller, bool wipe);

/**
 * gom_tiny_retire() - a CPU stops allocating from its current tiny block
 * @t: the CPU's current block
 *
 * Clears the bits the owner never handed out and its owner bit in one
 * atomic andnot.
 *
 * Context: the owning mcache's lock held, or its CPU offline.
 * Return: the block when no sub-object of it is live (the caller frees it
 * to the tiny span class), else NULL.
 */
static __always_inline void *gom_tiny_retire(struct gom_tiny *t)
{
	struct gom_tiny_block *tb;
	void *blk = t->block;
	unsigned int drop;
	int old;

	if (!blk)
		return NULL;
	t->block = NULL;
	tb = gom_tiny_block(t->span, t->idx);
	drop = (GOM_TINY_ALL & ~t->mask) | GOM_TINY_OWNED;
	old = atomic_fetch_andnot(drop, &tb->live);
	return old & ~drop ? NULL : blk;
}

/**
 * gom_tiny_single() - a block that holds one sub-object and is no CPU's
 * @blk: a block just taken from the tiny span class
 * @size: 1..GOM_TINY_SIZE - 1
 *
 * Its first word is cleared: a block from a free cache holds a free marker
 * there, which would give the heap key away.
 *
 * Context: Any context; @blk is the caller's.
 * Return: the sub-object, at the start of @blk.
 */
static __always_inline void *gom_tiny_single(void *blk, size_t size)
{
	struct gom_tiny_block *tb;
	struct gom_span *span;

	rcu_read_lock();
	span = gom_spanof(blk);
	rcu_read_unlock();
	tb = gom_tiny_block(span, (blk - (void *)span->base) / GOM_TINY_SIZE);
	*(unsigned long *)blk = 0;
	gom_tiny_publish(tb, BIT(0), gom_tiny_end_bit(size));
	atomic_set(&tb->live, BIT(0));
	return blk;
}

/**
 * gom_tiny_take() - a new block for a request the current one cannot hold
 * @t: the CPU's current block
 * @blk: a block just taken from the tiny span class
 * @size: 1..GOM_TINY_SIZE - 1
 * @dead: set to the retired current block when it must be freed, else NULL
 *
 * Go: keep whichever block has more room left. @blk becomes the current
 * block, or holds the one sub-object when the current one has more room.
 * Its first word is cleared: a block from the free cache holds a free
 * marker there, which would give the heap key away.
 *
 * Inline, as gom_tiny_retire(): with gom_tiny_fit() they are the tiny
 * allocator's path, which makes no call but for the block it takes.
 *
 * Context: the owning mcache's lock held.
 * Return: the sub-object, at the start of @blk.
 */
static __always_inline void *gom_tiny_take(struct gom_tiny *t, void *blk,
					   size_t size, void **dead)
{
	struct gom_tiny_block *tb;
	struct gom_span *span;
	unsigned int idx;

	*dead = NULL;
	if (t->block && size >= t->offset)
		return gom_tiny_single(blk, size);
	rcu_read_lock();
	span = gom_spanof(blk);
	rcu_read_unlock();
	idx = (blk - (void *)span->base) / GOM_TINY_SIZE;
	tb = gom_tiny_block(span, idx);
	/* a block from the free cache holds its marker: never hand it out */
	*(unsigned long *)blk = 0;
	*dead = gom_tiny_retire(t);
	t->block = blk;
	t->span = span;
	t->idx = idx;
	t->offset = size;
	t->mask = BIT(0);
	t->ends = gom_tiny_end_bit(size);
	gom_tiny_publish(tb, t->mask, t->ends);
	atomic_set(&tb->live, GOM_TINY_OWNED | GOM_TINY_ALL);
	return blk;
}

/**
 * gom_tiny_free() - free a tiny sub-object
 * @heap: the heap
 * @span: its span, of GOM_TINY_SPANCLASS
 * @p: the sub-object
 * @caller: reported on error
 * @wipe: zero the sub-object's bytes (init_on_free)
 * @dead: set to the block when it is no longer live (the caller frees it
 *	to the tiny span class), else NULL
 *
 * A bad free is reported and counted. Inline into gom_tiny_release().
 *
 * Context: Any context, in an RCU reader (gom_lookup_begin()).
 * Return: true if @p was freed.
 */
static __always_inline bool gom_tiny_free(struct gom_heap *heap,
					  struct gom_span *span,
					  const void *p, unsigned long caller,
					  bool wipe, void **dead)
{
	struct gom_tiny_block *tb;
	unsigned long off, ends;
	unsigned int bit, start;
	int old;

	*dead = NULL;
	tb = gom_tiny_lookup(span, p, &off);
	if (!tb) {
		/* no array: the span was torn down, its objects all freed */
		gom_report(heap, READ_ONCE(span->tiny) ? GOM_ERR_INTERIOR :
			   GOM_ERR_DOUBLE_FREE, p, caller);
		return false;
	}
	bit = BIT(off % GOM_TINY_SIZE);
	/*
	 * A byte that starts no sub-object ever handed out from this block is
	 * inside one (or in the block's unused tail): not an object start. A
	 * start never handed out is still covered by the owner's bias in live,
	 * so starts, not live, tells the two apart. Checked before
	 * kmemleak_free() and the clear, as once the bit is clear the block
	 * may be reused at once.
	 */
	if (!(READ_ONCE(tb->starts) & bit)) {
		gom_report(heap, GOM_ERR_INTERIOR, p, caller);
		return false;
	}
	if (!(atomic_read(&tb->live) & bit)) {
		gom_report(heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return false;
	}
	/* its bytes: up to its end, recorded when it was handed out */
	if (wipe) {
		ends = READ_ONCE(tb->ends);
		start = off % GOM_TINY_SIZE;
		memset((void *)p, 0,
		       find_next_bit(&ends, GOM_TINY_SIZE, start + 1) - start);
	}
	kmemleak_free(p);
	old = atomic_fetch_andnot(bit, &tb->live);
	if (!(old & bit)) {
		gom_report(heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return false;
	}
	if (!(old & ~bit))
		*dead = (void *)((unsigned long)p - off % GOM_TINY_SIZE);
	return true;
}

#endif /* _GOMALLOC_TINY_H */
