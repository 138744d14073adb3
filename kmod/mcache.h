/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcache: one CPU's cache of one heap; see mcache.c. The fast path's
 * inlines are in mcache_inline.h.
 */
#ifndef _GOMALLOC_MCACHE_H
#define _GOMALLOC_MCACHE_H

#include <linux/gfp.h>
#include <linux/types.h>

#include "gomalloc_compat.h"

#include "span.h"
#include "tiny.h"

struct gom_heap;

/**
 * struct gom_mcache_class - one span class in one CPU's mcache
 * @span: current span, or NULL
 * @nfree: objects in the free cache
 * @mallocs: objects handed out (tiny class: blocks)
 * @frees: objects freed
 * @refills: spans taken from mcentral
 * @flushes: free cache flushes to mcentral
 */
struct gom_mcache_class {
	struct gom_span *span;
	unsigned int nfree;
	unsigned long mallocs;
	unsigned long frees;
	unsigned long refills;
	unsigned long flushes;
};

#define GOM_FREE_SLOTS		3072	/* sum of the free caches' capacities */
#define GOM_FREE_CACHE_BYTES	4096	/* a small class's free cache, bytes */
#define GOM_FREE_CACHE_MAX	256	/* ... and objects, at most */
#define GOM_LARGE_CACHE_SPANS	4	/* freed large runs kept per CPU */
#define GOM_LARGE_CACHE_PAGES	64	/* ... each and all of them, pages */
#define GOM_TAKE_BATCH		64	/* objects taken per mcache ownership */
#define GOM_GROW_TRIES		4	/* fruitless grows in a row, at most */

/**
 * struct gom_mcache - one CPU's cache of one heap
 * @lock: the fast path's only lock, a trylock (gom_mcache_own())
 * @tiny: current tiny block
 * @tiny_allocs: tiny sub-objects allocated
 * @tiny_frees: tiny sub-objects freed
 * @large_allocs: large objects allocated (this_cpu ops, no lock)
 * @large_frees: large objects freed (this_cpu ops, no lock)
 * @large_bytes_alloc: bytes of large objects allocated
 * @large_bytes_freed: bytes of large objects freed
 * @large_cache: freed large spans kept for reuse, oldest first
 * @large_cache_nr: entries in @large_cache
 * @large_cache_pages: their pages
 * @cls: per span class state
 * @nested_mallocs: per span class, objects served to contexts that found
 *	@lock taken (an interrupt of its owner): this_cpu ops, no lock
 * @nested_frees: per span class, objects such contexts freed
 * @nested_tiny_allocs: tiny sub-objects such contexts allocated
 * @slots: free cache storage, GOM_FREE_SLOTS pointers, carved per class
 */
struct gom_mcache {
	struct gom_local_trylock lock;	/* see LOCK ORDER in malloc.c */
	struct gom_tiny tiny;
	unsigned long tiny_allocs;
	unsigned long tiny_frees;
	unsigned long large_allocs;
	unsigned long large_frees;
	unsigned long large_bytes_alloc;
	unsigned long large_bytes_freed;
	struct gom_span *large_cache[GOM_LARGE_CACHE_SPANS];
	unsigned int large_cache_nr;
	unsigned int large_cache_pages;
	struct gom_mcache_class cls[GOM_NUM_SPAN_CLASSES];
	unsigned long nested_mallocs[GOM_NUM_SPAN_CLASSES];
	unsigned long nested_frees[GOM_NUM_SPAN_CLASSES];
	unsigned long nested_tiny_allocs;
	void *slots[GOM_FREE_SLOTS];
};

extern u16 gom_fc_base[GOM_NUM_SPAN_CLASSES];
extern u16 gom_fc_cap[GOM_NUM_SPAN_CLASSES];

int gom_mcache_layout_init(void);
int gom_mcache_init(struct gom_heap *heap);
void gom_mcache_destroy(struct gom_heap *heap);
void *gom_mcache_alloc_locked(struct gom_heap *heap, struct gom_mcache *c,
			      unsigned int spc);
size_t gom_mcache_alloc_grow(struct gom_heap *heap, unsigned int spc,
			     gfp_t gfp, size_t nr, void **p);
void *gom_mcache_alloc_one(struct gom_heap *heap, unsigned int spc,
			   gfp_t gfp);
void gom_mcache_free_locked(struct gom_heap *heap, struct gom_mcache *c,
			    unsigned int spc, void *p, unsigned long caller);
void gom_mcache_free(struct gom_heap *heap, unsigned int spc, void *p,
		     unsigned long caller);
void *gom_mcache_alloc_nested(struct gom_heap *heap, unsigned int spc,
			      gfp_t gfp);
void gom_mcache_free_nested(struct gom_heap *heap, unsigned int spc, void *p,
			    unsigned long caller);
void gom_mcache_drain_cpu(struct gom_heap *heap, int cpu);
void gom_mcache_drain_all(struct gom_heap *heap);

#endif /* _GOMALLOC_MCACHE_H */
