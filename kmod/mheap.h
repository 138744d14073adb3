/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mheap: the page heap of one heap, arenas and page runs; see mheap.c.
 */
#ifndef _GOMALLOC_MHEAP_H
#define _GOMALLOC_MHEAP_H

#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "lookup.h"

#define GOM_ARENA_ORDER		9
#define GOM_ARENA_PAGES		BIT(GOM_ARENA_ORDER)

/* an arena is naturally aligned: it lies in one lookup frame */
static_assert(GOM_ARENA_ORDER <= GOM_FRAME_ORDER);

struct gom_heap;
struct gom_span;
struct seq_file;

/**
 * struct gom_arena - a block of pages from the page allocator
 * @list: on mheap->arenas, sorted by address
 * @base: address of the first page
 * @order: allocation order of the block
 * @npages: 1 << @order
 * @ninuse: pages in spans
 * @nreleased: pages given back to the page allocator
 * @longest: longest run of idle pages (exact)
 * @busy: pages in use or released
 * @released: pages released
 * @cooling: pages freed since the last quiesce began (gom_mheap_quiesce_begin)
 * @settling: pages freed before the quiesce in progress began
 *
 * A page freed from a small span is idle but cooling: a free cache may still
 * hold a duplicate pointer into it (a double free that the lockless free
 * path let through), and a free that looked its span up just before may
 * still read it. It may be given back to the page allocator only once a
 * quiesce (an RCU grace period, then every free cache drained) has begun
 * and ended after it was freed. Reused pages keep their bits: the
 * duplicate may point into them all the same.
 */
struct gom_arena {
	struct list_head list;
	unsigned long base;
	unsigned int order;
	unsigned int npages;
	unsigned int ninuse;
	unsigned int nreleased;
	unsigned int longest;
	DECLARE_BITMAP(busy, GOM_ARENA_PAGES);
	DECLARE_BITMAP(released, GOM_ARENA_PAGES);
	DECLARE_BITMAP(cooling, GOM_ARENA_PAGES);
	DECLARE_BITMAP(settling, GOM_ARENA_PAGES);
};

/**
 * struct gom_mheap - the page heap of one heap
 * @lock: protects everything below
 * @arenas: arenas by address
 * @large: large spans in use (direct ones too)
 * @nr_arenas: arenas held
 * @arena_pages: pages of all arenas, holes included
 * @inuse_pages: arena pages in spans
 * @released_pages: pages released from arenas
 * @direct_pages: pages of direct large spans
 * @nr_spans: span structs in use (MSpanInuse)
 * @nr_released_total: pages ever released (for debugfs)
 * @nr_orphans: live objects found at destroy
 */
struct gom_mheap {
	spinlock_t lock;		/* see LOCK ORDER 4 */
	struct list_head arenas;
	struct list_head large;
	unsigned long nr_arenas;
	unsigned long arena_pages;
	unsigned long inuse_pages;
	unsigned long released_pages;
	unsigned long direct_pages;
	unsigned long nr_spans;
	unsigned long nr_released_total;
	unsigned long nr_orphans;
};

/**
 * struct gom_mheap_info - a snapshot of an mheap's figures
 * @nr_arenas: arenas
 * @sys_pages: arena pages (holes included) + direct pages
 * @inuse_pages: pages in spans
 * @idle_pages: free pages still held
 * @released_pages: holes
 * @direct_pages: pages of direct large spans
 * @longest: longest idle run in any arena
 * @nr_spans: span structs in use
 */
struct gom_mheap_info {
	unsigned long nr_arenas;
	unsigned long sys_pages;
	unsigned long inuse_pages;
	unsigned long idle_pages;
	unsigned long released_pages;
	unsigned long direct_pages;
	unsigned long longest;
	unsigned long nr_spans;
};

void gom_mheap_init(struct gom_mheap *h);
struct gom_span *gom_mheap_alloc_span(struct gom_heap *heap,
				      unsigned int npages, gfp_t gfp);
void gom_mheap_free_span(struct gom_heap *heap, struct gom_span *span);
struct gom_span *gom_mheap_alloc_large(struct gom_heap *heap,
				       unsigned int npages, gfp_t gfp);
void gom_mheap_publish_large(struct gom_heap *heap, struct gom_span *span);
void gom_mheap_free_large(struct gom_heap *heap, struct gom_span *span);
void gom_mheap_walk_large(struct gom_heap *heap, gom_span_fn fn, void *arg);
unsigned long gom_mheap_scavenge(struct gom_heap *heap, unsigned long nr);
void gom_mheap_quiesce_begin(struct gom_heap *heap);
void gom_mheap_quiesce_end(struct gom_heap *heap);
unsigned long gom_mheap_idle_pages(struct gom_heap *heap);
void gom_mheap_info(struct gom_heap *heap, struct gom_mheap_info *info);
void gom_mheap_show_arenas(struct gom_heap *heap, struct seq_file *m);
unsigned long gom_mheap_destroy(struct gom_heap *heap, struct list_head *spans,
				struct list_head *arenas);
void gom_mheap_free_orphan(struct gom_span *span);
void gom_mheap_free_arenas(struct list_head *arenas);

#endif /* _GOMALLOC_MHEAP_H */
