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
	struct gom_tiny_blocks *tbs;

	/* only a span points to it, and span structs are not tracked */
	tbs = gom_meta_zalloc(struct_size(tbs, b, span->nelems), gfp);
	if (!tbs)
		return -ENOMEM;
	tbs->base = span->base;
	tbs->nelems = span->nelems;
	span->tiny = tbs;
	return 0;
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
 * Context: Any context, in an RCU reader (gom_lookup_begin()).
 * Return: true if @p starts a sub-object that was handed out and is live.
 */
bool gom_tiny_live(const struct gom_span *span, const void *p,
		   enum gom_error *why)
{
	struct gom_tiny_block *tb;
	unsigned long off;
	unsigned int bit;

	*why = GOM_ERR_INTERIOR;
	tb = gom_tiny_lookup(span, p, &off);
	if (!tb)
		return false;
	bit = BIT(off % GOM_TINY_SIZE);
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
 * Context: Any context, in an RCU reader (gom_lookup_begin()).
 * Return: the size, 1..15.
 */
size_t gom_tiny_ksize(struct gom_span *span, const void *p)
{
	struct gom_tiny_block *tb;
	unsigned long off, ends;
	unsigned int start;

	tb = gom_tiny_lookup(span, p, &off);
	if (!tb)
		return 0;
	start = off % GOM_TINY_SIZE;
	ends = READ_ONCE(tb->ends);
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
