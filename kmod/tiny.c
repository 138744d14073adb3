// SPDX-License-Identifier: GPL-2.0
/*
 * Tiny blocks: requests of 1..15 bytes packed into 16-byte blocks per CPU
 * with Go's alignment rules (Go's tiny allocator, mallocgcTiny). The
 * blocks are objects of their own span class (GOM_TINY_SPANCLASS), taken
 * from and given back to the mcache by the caller (malloc.c, mcache.c);
 * this file keeps the state of each block and of each CPU's current one.
 *
 * Go frees tiny blocks by GC once nothing points into them; here frees are
 * explicit, so each block has an atomic live mask (struct gom_tiny_block):
 * bit n stands for the sub-object starting at byte n. While a block is a
 * CPU's current block it holds a bias, every offset bit plus GOM_TINY_OWNED,
 * and the owner records what it hands out in a plain per-CPU mask, so that
 * a tiny allocation does no atomic operation. Retiring the block clears the
 * bits it never handed out and the owner bit in one atomic andnot. A free
 * clears its bit with atomic_fetch_andnot() (the one atomic on the tiny free
 * path, accepted: tiny frees can come from any CPU); a clear bit means a
 * double free; the block goes back to the tiny span class when the mask
 * reaches zero.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/kmemleak.h>
#include <linux/module.h>
#include <linux/rcupdate.h>

#include "gomalloc_internal.h"

/**
 * gom_tiny_span_init() - give a span of the tiny class its block array
 * @span: a fresh span of GOM_TINY_SPANCLASS
 * @gfp: the caller's flags
 *
 * Context: Any context allowed by @gfp.
 * Return: 0 or -ENOMEM.
 */
int gom_tiny_span_init(struct gom_span *span, gfp_t gfp)
{
	/* only a span points to it, and span structs are not tracked */
	span->tiny = gom_meta_zalloc(struct_size(span->tiny, b, span->nelems),
				     gfp);
	return span->tiny ? 0 : -ENOMEM;
}

/*
 * Alignment of a sub-object: the largest power of two not above its size,
 * at most 8 (8..15 -> 8, 4..7 -> 4, 2..3 -> 2, 1 -> 1). This is at least
 * Go's rule (size&7 == 0 -> 8, size&3 == 0 -> 4, size&1 == 0 -> 2).
 */
static unsigned int gom_tiny_align(unsigned int off, size_t size)
{
	if (size >= 8)
		return ALIGN(off, 8);
	if (size >= 4)
		return ALIGN(off, 4);
	if (size >= 2)
		return ALIGN(off, 2);
	return off;
}

static struct gom_tiny_block *gom_tiny_block(struct gom_span *span,
					     unsigned int idx)
{
	return &span->tiny->b[idx];
}

static u16 gom_tiny_end_bit(unsigned int end)
{
	return end < GOM_TINY_SIZE ? BIT(end) : 0;
}

/* What the owner handed out, before the sub-object reaches its caller. */
static void gom_tiny_publish(struct gom_tiny_block *tb, u16 starts, u16 ends)
{
	WRITE_ONCE(tb->ends, ends);
	WRITE_ONCE(tb->starts, starts);
}

/**
 * gom_tiny_fit() - a sub-object from a CPU's current block
 * @t: the CPU's current block
 * @size: 1..GOM_TINY_SIZE - 1
 *
 * Context: the owning mcache's lock held.
 * Return: the sub-object, or NULL when it does not fit (or no block).
 */
void *gom_tiny_fit(struct gom_tiny *t, size_t size)
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
void *gom_tiny_retire(struct gom_tiny *t)
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
 * Context: the owning mcache's lock held.
 * Return: the sub-object, at the start of @blk.
 */
void *gom_tiny_take(struct gom_tiny *t, void *blk, size_t size, void **dead)
{
	struct gom_tiny_block *tb;
	struct gom_span *span;
	unsigned int idx;

	rcu_read_lock();
	span = gom_spanof(blk);
	rcu_read_unlock();
	idx = (blk - (void *)span->base) / GOM_TINY_SIZE;
	tb = gom_tiny_block(span, idx);

	/* a block from the free cache holds its marker: never hand it out */
	*(unsigned long *)blk = 0;
	*dead = NULL;
	if (t->block && size >= t->offset) {
		gom_tiny_publish(tb, BIT(0), gom_tiny_end_bit(size));
		atomic_set(&tb->live, BIT(0));
		return blk;
	}
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
 * @dead: set to the block when it is no longer live (the caller frees it
 *	to the tiny span class), else NULL
 *
 * A bad free is reported and counted.
 *
 * Context: Any context, under rcu_read_lock().
 * Return: true if @p was freed.
 */
bool gom_tiny_free(struct gom_heap *heap, struct gom_span *span,
		   const void *p, unsigned long caller, void **dead)
{
	unsigned long off = (unsigned long)p - span->base;
	unsigned int idx = off / GOM_TINY_SIZE;
	unsigned int bit = BIT(off % GOM_TINY_SIZE);
	struct gom_tiny_block *tb;
	int old;

	*dead = NULL;
	if (idx >= span->nelems) {
		gom_report(heap, GOM_ERR_INTERIOR, p, caller);
		return false;
	}
	tb = gom_tiny_block(span, idx);
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
	kmemleak_free(p);
	old = atomic_fetch_andnot(bit, &tb->live);
	if (!(old & bit)) {
		gom_report(heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return false;
	}
	if (!(old & ~bit))
		*dead = gom_span_obj(span, idx);
	return true;
}

/**
 * gom_tiny_live() - whether @p starts a live tiny sub-object
 * @span: a span of GOM_TINY_SPANCLASS holding @p
 * @p: the pointer
 * @why: when false, what @p is: GOM_ERR_INTERIOR (no sub-object starts
 *	there) or GOM_ERR_DOUBLE_FREE (it was freed)
 *
 * Racy by nature, as any lockless check: gom_tiny_free() decides exactly.
 *
 * Context: Any context, under rcu_read_lock().
 * Return: true if @p starts a sub-object that was handed out and is live.
 */
bool gom_tiny_live(const struct gom_span *span, const void *p,
		   enum gom_error *why)
{
	unsigned long off = (unsigned long)p - span->base;
	unsigned int idx = off / GOM_TINY_SIZE;
	unsigned int bit = BIT(off % GOM_TINY_SIZE);
	struct gom_tiny_block *tb;

	*why = GOM_ERR_INTERIOR;
	if (idx >= span->nelems)
		return false;
	tb = &span->tiny->b[idx];
	if (!(READ_ONCE(tb->starts) & bit))
		return false;
	*why = GOM_ERR_DOUBLE_FREE;
	return atomic_read(&tb->live) & bit;
}

/**
 * gom_tiny_ksize() - usable bytes of a tiny sub-object
 * @span: its span
 * @p: the sub-object
 *
 * Up to the next sub-object end recorded in the block.
 *
 * Context: Any context, under rcu_read_lock().
 * Return: the size, 1..15.
 */
size_t gom_tiny_ksize(struct gom_span *span, const void *p)
{
	unsigned long off = (unsigned long)p - span->base;
	unsigned int idx = off / GOM_TINY_SIZE;
	unsigned long ends;
	unsigned int start = off % GOM_TINY_SIZE;

	if (idx >= span->nelems)
		return 0;
	ends = READ_ONCE(gom_tiny_block(span, idx)->ends);
	return find_next_bit(&ends, GOM_TINY_SIZE, start + 1) - start;
}

/**
 * gom_tiny_forget() - unregister an orphaned tiny span's live sub-objects
 * @span: a span of GOM_TINY_SPANCLASS whose heap was destroyed
 *
 * Its pages are about to go back to the page allocator, whose next user's
 * objects must not overlap kmemleak's records of these.
 *
 * Context: Process context, module exit.
 */
void gom_tiny_forget(struct gom_span *span)
{
	unsigned long live;
	unsigned int i, bit;
	void *blk;

	for_each_set_bit(i, span->alloc_bits, span->nelems) {
		blk = gom_span_obj(span, i);
		live = atomic_read(&gom_tiny_block(span, i)->live) & GOM_TINY_ALL;
		for_each_set_bit(bit, &live, GOM_TINY_SIZE)
			kmemleak_free(blk + bit);
	}
}
