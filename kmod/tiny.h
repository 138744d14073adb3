/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny blocks: 1..15 byte objects packed into 16-byte blocks; see tiny.c.
 */
#ifndef _GOMALLOC_TINY_H
#define _GOMALLOC_TINY_H

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#include "report.h"

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
 * @b: one entry per 16-byte block
 */
struct gom_tiny_blocks {
	struct rcu_head rcu;
	struct gom_tiny_block b[];
};

#define GOM_TINY_OWNED		BIT(16)
#define GOM_TINY_ALL		0xffffU

int gom_tiny_span_init(struct gom_span *span, gfp_t gfp);
void *gom_tiny_fit(struct gom_tiny *t, size_t size);
void *gom_tiny_take(struct gom_tiny *t, void *blk, size_t size, void **dead);
void *gom_tiny_retire(struct gom_tiny *t);
bool gom_tiny_free(struct gom_heap *heap, struct gom_span *span,
		   const void *p, unsigned long caller, void **dead);
bool gom_tiny_live(const struct gom_span *span, const void *p,
		   enum gom_error *why);
size_t gom_tiny_ksize(struct gom_span *span, const void *p);
void gom_tiny_forget(struct gom_span *span);

#endif /* _GOMALLOC_TINY_H */
