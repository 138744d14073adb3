// SPDX-License-Identifier: GPL-2.0
/*
 * Tiny allocator: 1..15 byte objects packed into 16-byte blocks per CPU;
 * see gomalloc_internal.h.
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
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

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
	size_t bytes = struct_size(span->tiny, b, span->nelems);

	if (gom_should_fail(bytes, gfp))
		return -ENOMEM;
	span->tiny = kzalloc(bytes, gom_meta_gfp(gfp));
	if (!span->tiny)
		return -ENOMEM;
	/* only a span points to it, and span structs are not tracked */
	kmemleak_ignore(span->tiny);
	return 0;
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

/* A sub-object from the current block, or NULL if it does not fit. */
static void *gom_tiny_fit(struct gom_tiny *t, size_t size)
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
 * @heap: the heap
 * @c: the CPU's mcache of @heap, locked (or its CPU offline)
 *
 * Context: @c->lock held, or @c's CPU not running the fast path.
 */
void gom_tiny_retire(struct gom_heap *heap, struct gom_mcache *c)
{
	struct gom_tiny *t = &c->tiny;
	struct gom_tiny_block *tb;
	unsigned int drop;
	int old;

	if (!t->block)
		return;
	tb = gom_tiny_block(t->span, t->idx);
	drop = (GOM_TINY_ALL & ~t->mask) | GOM_TINY_OWNED;
	old = atomic_fetch_andnot(drop, &tb->live);
	if (!(old & ~drop))
		gom_mcache_free_locked(heap, c, GOM_TINY_SPANCLASS, t->block,
				       _RET_IP_);
	t->block = NULL;
}

/* A new block for a request of @size that the current block cannot hold. */
static void *gom_tiny_take(struct gom_heap *heap, struct gom_mcache *c,
			   void *blk, size_t size)
{
	struct gom_tiny *t = &c->tiny;
	struct gom_tiny_block *tb;
	struct gom_span *span;
	unsigned int idx;

	rcu_read_lock();
	span = gom_lookup_span(blk);
	rcu_read_unlock();
	idx = (blk - (void *)span->base) / GOM_TINY_SIZE;
	tb = gom_tiny_block(span, idx);

	/* Go: keep whichever block has more room left */
	if (t->block && size >= t->offset) {
		gom_tiny_publish(tb, BIT(0), gom_tiny_end_bit(size));
		atomic_set(&tb->live, BIT(0));
		return blk;
	}
	gom_tiny_retire(heap, c);
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

static void *gom_tiny_alloc_locked(struct gom_heap *heap, struct gom_mcache *c,
				   size_t size)
{
	void *obj, *blk;

	obj = gom_tiny_fit(&c->tiny, size);
	if (!obj) {
		blk = gom_mcache_alloc_locked(heap, c, GOM_TINY_SPANCLASS);
		if (!blk)
			return NULL;
		obj = gom_tiny_take(heap, c, blk, size);
	}
	c->tiny_allocs++;
	return obj;
}

/**
 * gom_tiny_alloc() - a tiny object
 * @heap: the heap
 * @size: 1..GOM_TINY_SIZE - 1
 * @gfp: the caller's flags
 *
 * Context: Any context allowed by @gfp.
 * Return: the object, or NULL.
 */
void *gom_tiny_alloc(struct gom_heap *heap, size_t size, gfp_t gfp)
{
	unsigned long flags;
	void *obj;

	for (;;) {
		local_lock_irqsave(&heap->mcache->lock, flags);
		obj = gom_tiny_alloc_locked(heap, this_cpu_ptr(heap->mcache),
					    size);
		local_unlock_irqrestore(&heap->mcache->lock, flags);
		if (obj)
			break;
		if (!gom_mcentral_grow(&heap->central[GOM_TINY_SPANCLASS], gfp))
			return NULL;
	}
	if (want_init_on_alloc(gfp))
		memset(obj, 0, size);
	/* each sub-object on its own: they never overlap */
	kmemleak_alloc(obj, size, 1, gfp);
	return obj;
}

/**
 * gom_tiny_free() - free a tiny sub-object
 * @heap: the heap
 * @span: its span, of GOM_TINY_SPANCLASS
 * @p: the sub-object
 * @caller: reported on error
 *
 * Context: Any context, under rcu_read_lock().
 */
void gom_tiny_free(struct gom_heap *heap, struct gom_span *span,
		   const void *p, unsigned long caller)
{
	unsigned long off = (unsigned long)p - span->base;
	unsigned int idx = off / GOM_TINY_SIZE;
	unsigned int bit = BIT(off % GOM_TINY_SIZE);
	struct gom_tiny_block *tb;
	int old;

	if (idx >= span->nelems) {
		gom_report(heap, GOM_ERR_INTERIOR, p, caller);
		return;
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
		return;
	}
	if (!(atomic_read(&tb->live) & bit)) {
		gom_report(heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return;
	}
	kmemleak_free(p);
	old = atomic_fetch_andnot(bit, &tb->live);
	if (!(old & bit)) {
		gom_report(heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return;
	}
	this_cpu_inc(heap->mcache->tiny_frees);
	if (!(old & ~bit))
		gom_mcache_free(heap, GOM_TINY_SPANCLASS,
				gom_span_obj(span, idx), caller);
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
