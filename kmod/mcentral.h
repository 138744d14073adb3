/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcentral: the spans of one span class of one heap; see mcentral.c.
 */
#ifndef _GOMALLOC_MCENTRAL_H
#define _GOMALLOC_MCENTRAL_H

#include <linux/cache.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/spinlock.h>

#define GOM_MCENTRAL_RESERVE_PAGES 16 /* empty spans kept per mcentral, pages */

struct gom_heap;
struct gom_span;

/**
 * struct gom_mcentral - the spans of one span class of one heap
 * @lock: protects everything below and the uncached spans' allocation state
 * @partial: spans with free slots (empty ones at the tail)
 * @full: spans with no free slot
 * @heap: owning heap
 * @spc: index in heap->central
 * @sizeclass: size class of its spans
 * @nr_partial: spans on @partial
 * @nr_full: spans on @full
 * @nr_cached: spans owned by mcaches
 * @nr_empty: empty spans kept on @partial (the reserve)
 * @reserve: most empty spans kept: GOM_MCENTRAL_RESERVE_PAGES, one at least
 */
struct gom_mcentral {
	spinlock_t lock;		/* see LOCK ORDER in malloc.c */
	struct list_head partial;
	struct list_head full;
	struct gom_heap *heap;
	u8 spc;
	u8 sizeclass;
	unsigned int nr_partial;
	unsigned int nr_full;
	unsigned int nr_cached;
	unsigned int nr_empty;
	unsigned int reserve;
} ____cacheline_aligned_in_smp;

void gom_mcentral_init(struct gom_mcentral *c, struct gom_heap *heap,
		       unsigned int spc);
struct gom_span *gom_mcentral_swap(struct gom_mcentral *c,
				   struct gom_span *old);
void gom_mcentral_uncache(struct gom_mcentral *c, struct gom_span *old);
bool gom_mcentral_grow(struct gom_mcentral *c, gfp_t gfp);
void gom_mcentral_free_batch(struct gom_mcentral *c, void **objs,
			     unsigned int n, unsigned long caller);
unsigned long gom_mcentral_reserve_pages(struct gom_mcentral *c);
unsigned long gom_mcentral_release_reserve(struct gom_mcentral *c);
void gom_mcentral_walk(struct gom_mcentral *c, gom_span_fn fn, void *arg);
unsigned long gom_mcentral_destroy(struct gom_mcentral *c,
				   struct list_head *orphans);

#endif /* _GOMALLOC_MCENTRAL_H */
