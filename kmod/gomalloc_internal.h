/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomalloc internals: the one overview of the allocator, its lock order and
 * the structures every component shares.
 *
 * OVERVIEW (Go's runtime/malloc.go, mapped onto the kernel)
 *
 * A heap (struct gom_heap, heap.c) is what Go has once per process: the
 * default heap "default" exists while the module is loaded, more can be made
 * with gom_heap_create(). Each heap has:
 *
 *  - mheap (mheap.c): arenas, physically contiguous blocks of pages from the
 *    page allocator, GOM_ARENA_ORDER (2 MiB, hugepage aligned) when the buddy
 *    allocator has one, smaller orders (down to what the request needs) when
 *    memory is fragmented. Each arena is split_page()d so that its pages can
 *    be given back one by one. Inside arenas the mheap hands out page runs:
 *    first fit by address over the arenas (kept sorted by address) and over
 *    a per-arena page bitmap. That is Go's page allocator policy; Go's radix
 *    summaries only make the same search fast over a 48-bit address space.
 *    With a handful of arenas per heap a per-arena cached longest free run is
 *    enough to skip arenas that cannot serve a request. Coalescing is
 *    implicit in the bitmap. A page is in use (part of a span), idle (free,
 *    still held) or released (given back to the page allocator: a hole that
 *    the arena can never reuse, as the direct map has no virtual memory to
 *    put a new page behind it). A shrinker and the debugfs file "scavenge"
 *    release idle pages; an arena whose pages are all released is freed.
 *    Go's accounting holds: HeapSys = arena bytes (holes included) + direct
 *    large objects, HeapIdle = idle + released, HeapReleased = released,
 *    HeapInuse = pages in spans, HeapInuse + HeapIdle == HeapSys.
 *
 *  - span lookup (mheap.c): Go's arena index and heapArena.spans. A flat
 *    table with one entry per 2 MiB frame of the direct map (Go's
 *    arenaL2Bits index; sized for the memory present, grown under RCU when
 *    hot-added memory beyond it is used) points at a frame descriptor
 *    with one span pointer per 4 KiB page. Arenas smaller than 2 MiB share a
 *    frame descriptor (counted references). Readers are lockless under RCU;
 *    descriptors are freed after a grace period and span structs come from
 *    a SLAB_TYPESAFE_BY_RCU cache, so a racing lookup always reads a span,
 *    and revalidates it under the lock that guards its state. This is how
 *    gom_free() proves a pointer is ours.
 *
 *  - span (span.c): a page run holding objects of one size class, metadata
 *    outside the pages: alloc_bits, a 64-bit alloc_cache of inverted bits
 *    scanned with __ffs64 from freeindex (Go's allocCache / nextFreeFast),
 *    and object indexes by divmagic (sizeclass.h), so that a free checks
 *    that it points at an object start without a divide.
 *
 *  - mcentral (mcentral.c), one per span class: the size classes, plus one
 *    span class of 16-byte blocks for the tiny allocator (GOM_TINY_SPANCLASS)
 *    so that a free knows what a span holds. Partial and full span lists
 *    under a per-class spinlock on its own cache line. Explicit frees versus
 *    Go's allocCache: while an mcache owns a span ("cached"), alloc_bits are
 *    read-only and only the owner reads them; frees that reach mcentral for
 *    that span go to freed_bits. When the span comes back, mcentral sweeps
 *    it: slots below freeindex were handed out, so their bits are set, then
 *    alloc_bits &= ~freed_bits. An empty span goes back to the mheap, except
 *    a reserve of empty spans per class (GOM_MCENTRAL_RESERVE_PAGES, 64 KiB,
 *    one span at least), kept so that a kernel that allocates and frees a
 *    few hundred objects at a time does not bounce spans through the mheap
 *    (lock, span struct, lookup entries) on every round; the shrinker
 *    returns reserves under memory pressure.
 *
 *  - mcache (mcache.c), per CPU and per heap: for each span class a current
 *    span and a bounded LIFO cache of freed objects (kernel frees are
 *    explicit; Go frees by sweeping). Allocation order: free cache pop,
 *    current span, refill from mcentral, grow from mheap. The fast path
 *    takes local_lock_irqsave() on the mcache and nothing else, no atomic
 *    read-modify-write: correct from hardirq and on PREEMPT_RT. Full free
 *    caches are flushed to mcentral half at a time. A CPU going offline has
 *    its mcaches drained.
 *
 *  - large objects (large.c): above GOM_MAX_SMALL_SIZE, exactly
 *    ceil(size / 4 KiB) pages: a page run from the mheap (a span of class 0
 *    with one object) up to an arena, the exact page count straight from the
 *    page allocator above that (a "direct" span, still in the lookup index
 *    and in the statistics). Freed runs of up to GOM_LARGE_CACHE_PAGES wait
 *    in a small per-CPU cache (GOM_LARGE_CACHE_SPANS at most, LIFO, exact
 *    page count reuse, the oldest evicted), still listed and published in
 *    the lookup index, in state GOM_SPAN_LARGE_CACHED, so that a kernel
 *    that frees and allocates the same large size pays neither the mheap
 *    lock nor the lookup updates; the state moves LARGE -> LARGE_CACHED or
 *    LARGE -> FREE by cmpxchg, so that of two racing frees one wins. Go
 *    gets there with its per-P page cache and mspan cache; here the span
 *    is kept whole. Drained with the rest of the mcache.
 *
 *  - tiny (tiny.c): requests of 1..15 bytes packed into 16-byte blocks per
 *    CPU with Go's alignment rules; per block an atomic live mask (one bit
 *    per sub-object start) so that a block is freed only when every
 *    sub-object is, and a double free of a sub-object is caught.
 *
 * Bad frees (heap.c) are detected, reported in one rate-limited line, counted
 * per kind (enum gom_error) and ignored: a pointer outside the direct map or
 * with no span is not ours; one that is not an object start is interior; a
 * double free is caught on the fast path by the span's allocation state and
 * by the free marker, and again when the object reaches mcentral.
 *
 *  - hardening (debug.c): every small object pushed on a free cache gets a
 *    free marker in its first word, SLAB_FREELIST_HARDENED style: heap key
 *    ^ swab64(slot address) (the free caches are arrays outside the objects,
 *    so there is no next pointer to encode). A free that finds it is a
 *    double free; an allocation that pops an object whose marker changed
 *    found a write after free: reported, counted ("freelist") and the object
 *    quarantined: never handed out again, its slot left allocated.
 *
 *  - debug mode (GOM_HEAP_DEBUG, gomalloc.debug=1 for the default heap):
 *    no tiny packing; a request takes the class that fits size +
 *    GOM_REDZONE; the requested size is kept per object (struct
 *    gom_span_debug, outside the pages); [size, elemsize) holds 0xcc and is
 *    checked on free ("redzone", repaired, the object freed); freed objects
 *    are poisoned (POISON_FREE) and checked when handed out again
 *    ("poison", quarantined). debugfs "validate" walks every span (see
 *    gom_heap_validate()) and prints SLUB-style "BUG gomalloc-<heap>-<size>
 *    (validate): ..." reports with INFO lines.
 *
 *  - kmemleak: pages from the page allocator are not tracked by kmemleak,
 *    so every object handed out is registered (kmemleak_alloc, min_count 1:
 *    a leak is reported, what it points to is scanned) and unregistered on
 *    a validated free before it can be reused; bad frees never reach
 *    kmemleak_free. What would hide leaks is kept out of the scan: span
 *    structs (SLAB_NOLEAKTRACE: span->base points at an object), arenas and
 *    side arrays (kmemleak_ignore), the mcaches (stale free-cache slots;
 *    kmemleak_free_percpu after alloc_percpu). Live objects of destroyed
 *    heaps stay registered until unload frees their pages.
 *
 *  - KASAN (generic): pages that no span holds are poisoned as the page
 *    allocator poisons its free pages (shadow 0xff, KASAN_PAGE_FREE), so
 *    that an access to an idle arena page or a freed large object reports
 *    "use-after-free": a new arena is poisoned whole, a span's pages are
 *    unpoisoned when the mheap hands them out and poisoned again when they
 *    come back, a large run when it enters the per-CPU large cache. Free
 *    small objects are not poisoned one by one (the free marker and the
 *    debug mode's poison cover them).
 *
 *  - fault injection: a fault_attr of gomalloc's own, debugfs
 *    /sys/kernel/debug/gomalloc/fail/ and the module parameter "fail",
 *    checked (gom_should_fail()) before every page allocation
 *    (gom_pages_alloc()) and every metadata allocation (span structs,
 *    arenas, lookup frames, tiny and debug side arrays). Each failure
 *    unwinds to NULL for the caller with nothing held but idle arena pages.
 *
 *  - trace events (trace.c, gomalloc_trace.h): gomalloc:alloc and
 *    gomalloc:free, kmem:kmalloc/kfree's fields and text plus the span class,
 *    emitted by the exported functions through the inline hooks of
 *    gomalloc_hooks.h (a static key each while disabled).
 *
 *  - allocation profile (profile.c): Go's MemProfileRate as the parameter
 *    profile_rate. Each CPU counts down requested bytes to its next sample,
 *    drawn from an exponential distribution of mean profile_rate; the
 *    allocation that crosses it is recorded for its call site in a small
 *    per-heap hash of buckets, weighted by 1 / (1 - exp(-size / rate)), the
 *    inverse of its chance to be sampled. A sampled object gets a record in
 *    the heap's xarray (keyed by address) and is counted in its span
 *    (nr_sampled), so that a free looks a record up only in a span that
 *    holds a live sampled object, and takes back exactly what the sample
 *    added. Buckets and records come from kmalloc
 *    (GFP_ATOMIC | __GFP_NOWARN; a failure is a counted drop) and are freed
 *    with the heap. With profile_rate=0 from load on, the hooks are one
 *    static key nop each; once profiling was on, frees also test the span's
 *    flag, so that live counts stay right after profiling stops.
 *
 * LOCK ORDER (outermost first)
 *
 *  1. gom_heaps_mutex (mutex, heap.c): the list of heaps, heap names and
 *     the creation of their debugfs directories. Readers that cannot sleep
 *     (the shrinker) walk the list under RCU instead. Taken inside
 *     cpu_hotplug_lock (the hotplug callback), so never held across
 *     debugfs removal, which waits for file operations that may wait for
 *     cpus_read_lock() (scavenge, validate).
 *  2. gom_mcache->lock (local_lock_t, irqsave): this CPU's mcache of one
 *     heap: current spans, free caches, tiny block, per-CPU counters.
 *  3. gom_mcentral->lock (spinlock_t, irqsave): one span class of one heap:
 *     its lists, and the alloc_bits/freed_bits/alloc_count/state of its
 *     spans that are not cached (freed_bits of cached ones too).
 *  4. gom_mheap->lock (spinlock_t, irqsave): the heap's arenas, their page
 *     bitmaps and counters, the list and state of large spans.
 *  5. gom_orphan_lock (spinlock_t, irqsave, mheap.c): spans and arenas of
 *     destroyed heaps kept until unload.
 *  6. gom_frames_lock (spinlock_t, irqsave, mheap.c): the frame table, its
 *     growth, frame descriptors and their references;
 *     taken with no other gomalloc spinlock held (arena and direct span
 *     setup and teardown happen outside the mheap lock).
 *  7. gom_profile->lock and gom_profile->objs xa_lock (spinlock_t,
 *     irqsave, profile.c): taken one at a time, with no other gomalloc lock
 *     held (the hooks run after the allocation and before the free), except
 *     an mcache lock (2) in gom_free_bulk(), which frees runs of objects
 *     under one mcache lock round trip.
 *
 * Leaves taken under any of 2..5: a KUnit test's resource lock (counting
 * errors for a running test, task context only) and kmemleak's own locks
 * (kmemleak_free, kmemleak_ignore). kmemleak_alloc() may allocate with the
 * caller's gfp and is called with no gomalloc lock held. gom_heap_validate()
 * holds 3 (or 4 for large spans) while it reads the spans' objects.
 *
 * A span's lookup entries (frame->spans[]) are written with WRITE_ONCE, no
 * lock held, by whoever owns the span's pages at that moment: published
 * before its first object can be handed out, withdrawn after its state is
 * GOM_SPAN_FREE and before its pages go back to the arena. Readers use RCU
 * and recheck the span's state under the lock that guards it.
 */
#ifndef _GOMALLOC_INTERNAL_H
#define _GOMALLOC_INTERNAL_H

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/cache.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/kasan.h>
#include <linux/list.h>
#include <linux/local_lock.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/swab.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <gomalloc.h>
#include "gomalloc_compat.h"
#include "sizeclass.h"

static_assert(BITS_PER_LONG == 64, "gomalloc needs a 64-bit kernel");
static_assert(GOM_PAGE_SHIFT == PAGE_SHIFT, "size classes are for 4 KiB pages");
static_assert(GOM_SC_MAX_SMALL_SIZE == GOM_MAX_SMALL_SIZE);
static_assert(GOM_MAX_ALLOC_SIZE <= (PAGE_SIZE << MAX_PAGE_ORDER));

/* === Geometry === */

#define GOM_ARENA_ORDER		9
#define GOM_ARENA_PAGES		BIT(GOM_ARENA_ORDER)
#define GOM_FRAME_SHIFT		(PAGE_SHIFT + GOM_ARENA_ORDER)
#define GOM_FRAME_PAGES		GOM_ARENA_PAGES

#define GOM_TINY_SIZE		16
#define GOM_TINY_SIZECLASS	2	/* the 16-byte class; checked at init */
#define GOM_TINY_SPANCLASS	GOM_NUM_SIZE_CLASSES
#define GOM_NUM_SPAN_CLASSES	(GOM_NUM_SIZE_CLASSES + 1)
#define GOM_LARGE_SPANCLASS	0

#define GOM_MCENTRAL_RESERVE_PAGES 16 /* empty spans kept per mcentral, pages */
#define GOM_HEAP_NAME_MAX	32

/* === Errors === */

enum gom_error {
	GOM_ERR_NOT_OURS,	/* no span: not a gomalloc pointer */
	GOM_ERR_INTERIOR,	/* inside an object, not at its start */
	GOM_ERR_DOUBLE_FREE,	/* object not allocated */
	GOM_ERR_HEAP_DESTROYED,	/* object of a heap that was destroyed */
	GOM_ERR_TOO_LARGE,	/* request above GOM_MAX_ALLOC_SIZE */
	GOM_ERR_FREELIST,	/* free marker of a cached object overwritten */
	GOM_ERR_POISON,		/* debug: poison of a free object overwritten */
	GOM_ERR_REDZONE,	/* debug: red zone of an object overwritten */
	GOM_ERR_NR,
};

extern const char *const gom_error_names[GOM_ERR_NR];

/* === Span === */

enum gom_span_state {
	GOM_SPAN_FREE,		/* not a live span (struct free or dying) */
	GOM_SPAN_CENTRAL,	/* small span on an mcentral list */
	GOM_SPAN_CACHED,	/* small span owned by an mcache */
	GOM_SPAN_LARGE,		/* large object in use */
	GOM_SPAN_LARGE_CACHED,	/* large run freed, kept by an mcache */
	GOM_SPAN_ORPHAN,	/* its heap was destroyed with objects live */
};

struct gom_arena;
struct gom_frame;
struct gom_heap;

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

/**
 * struct gom_span_debug - the side array of a span of a debug heap
 * @rcu: freed after a grace period: lockless frees may still read it
 * @size: requested bytes of each allocated object (its red zone follows)
 */
struct gom_span_debug {
	struct rcu_head rcu;
	u16 size[];
};

#define GOM_TINY_OWNED		BIT(16)
#define GOM_TINY_ALL		0xffffU

/**
 * struct gom_span - a run of pages holding objects of one span class
 * @list: on an mcentral list, the mheap's large list, or a free list
 * @base: address of the first page
 * @heap: owning heap; NULL once orphaned
 * @arena: arena holding the pages; NULL for a direct large span
 * @npages: pages in the run
 * @elemsize: bytes per object (run bytes for a large span)
 * @sizeclass: size class, 0 for large
 * @spanclass: index of the mcentral (GOM_TINY_SPANCLASS for tiny blocks)
 * @state: enum gom_span_state
 * @nr_sampled: its live objects sampled by the profile (profile.c)
 * @nelems: objects in the span
 * @freeindex: slots below it were handed out (cached span: owner writes)
 * @alloc_count: allocated objects (exact while the span is not cached)
 * @alloc_cache: inverted alloc_bits from freeindex (owner only)
 * @tiny: per-block state of a tiny span
 * @debug: requested sizes, spans of debug heaps only
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
	u8 spanclass;
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

/* span.c */
int gom_span_cache_init(void);
void gom_span_cache_exit(void);
struct gom_span *gom_span_alloc(gfp_t gfp);
void gom_span_free(struct gom_span *span);
void gom_span_init_small(struct gom_span *span, unsigned int spanclass);
void gom_span_start_caching(struct gom_span *span);
int gom_span_next_free(struct gom_span *span);
void gom_span_sweep(struct gom_span *span);

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
 * Context: Any context, under rcu_read_lock().
 * Return: false if the slot is certainly free.
 */
static inline bool gom_span_slot_allocated(const struct gom_span *span,
					   unsigned int idx)
{
	if (idx < READ_ONCE(span->freeindex))
		return true;
	smp_rmb();	/* pairs with gom_span_sweep() */
	return test_bit(idx, span->alloc_bits);
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
static inline bool gom_span_index(const struct gom_span *span, const void *p,
				  unsigned int *idx)
{
	unsigned long off = (unsigned long)p - span->base;
	unsigned int i;

	if (off >= gom_span_bytes(span))
		return false;
	if (!span->sizeclass) {
		*idx = 0;
		return off == 0;
	}
	i = gom_obj_index(span->sizeclass, off);
	if (i >= span->nelems || (unsigned long)i * span->elemsize != off)
		return false;
	*idx = i;
	return true;
}

/* === mcentral === */

/**
 * struct gom_mcentral - the spans of one span class of one heap
 * @lock: protects everything below and the uncached spans' allocation state
 * @partial: spans with free slots (empty ones at the tail)
 * @full: spans with no free slot
 * @heap: owning heap
 * @spanclass: index in heap->central
 * @sizeclass: size class of its spans
 * @nr_partial: spans on @partial
 * @nr_full: spans on @full
 * @nr_cached: spans owned by mcaches
 * @nr_empty: empty spans kept on @partial (the reserve)
 * @reserve: most empty spans kept: GOM_MCENTRAL_RESERVE_PAGES, one at least
 */
struct gom_mcentral {
	spinlock_t lock;		/* see LOCK ORDER 3 */
	struct list_head partial;
	struct list_head full;
	struct gom_heap *heap;
	u8 spanclass;
	u8 sizeclass;
	unsigned int nr_partial;
	unsigned int nr_full;
	unsigned int nr_cached;
	unsigned int nr_empty;
	unsigned int reserve;
} ____cacheline_aligned_in_smp;

/* mcentral.c */
void gom_mcentral_init(struct gom_mcentral *c, struct gom_heap *heap,
		       unsigned int spanclass);
struct gom_span *gom_mcentral_swap(struct gom_mcentral *c,
				   struct gom_span *old);
void gom_mcentral_uncache(struct gom_mcentral *c, struct gom_span *old);
bool gom_mcentral_grow(struct gom_mcentral *c, gfp_t gfp);
void gom_mcentral_free_batch(struct gom_mcentral *c, void **objs,
			     unsigned int n, unsigned long caller);
unsigned long gom_mcentral_release_reserve(struct gom_mcentral *c);
unsigned long gom_mcentral_destroy(struct gom_mcentral *c);

/* === mheap === */

/**
 * struct gom_arena - a block of pages from the page allocator
 * @list: on mheap->arenas, sorted by address
 * @base: address of the first page
 * @order: allocation order of the block
 * @npages: 1 << @order
 * @ninuse: pages in spans
 * @nreleased: pages given back to the page allocator
 * @longest: longest run of idle pages (exact)
 * @frame: lookup frame descriptor covering the arena
 * @busy: pages in use or released
 * @released: pages released
 */
struct gom_arena {
	struct list_head list;
	unsigned long base;
	unsigned int order;
	unsigned int npages;
	unsigned int ninuse;
	unsigned int nreleased;
	unsigned int longest;
	struct gom_frame *frame;
	DECLARE_BITMAP(busy, GOM_ARENA_PAGES);
	DECLARE_BITMAP(released, GOM_ARENA_PAGES);
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

/**
 * struct gom_frame - the spans of one 2 MiB frame of the direct map
 * @spans: one span pointer per page, NULL where no span is
 * @refs: arenas and direct spans using the frame (under gom_frames_lock)
 * @rcu: freed after a grace period
 */
struct gom_frame {
	struct gom_span *spans[GOM_FRAME_PAGES];
	unsigned int refs;
	struct rcu_head rcu;
};

/**
 * struct gom_frame_table - one entry per 2 MiB frame of the direct map
 * @nr: entries
 * @rcu: a replaced table is freed after a grace period
 * @frames: the frame descriptors, NULL where gomalloc holds no pages
 */
struct gom_frame_table {
	unsigned long nr;
	struct rcu_head rcu;
	struct gom_frame *frames[];
};

extern struct gom_frame_table __rcu *gom_frame_tab;

/*
 * Offset of @p in the direct map, which is linear from PAGE_OFFSET (x86-64,
 * UML); huge for any other kernel address, which then misses the table.
 */
static inline unsigned long gom_dmap_offset(const void *p)
{
	return (unsigned long)p - PAGE_OFFSET;
}

/*
 * gom_lookup_span() - Go's spanOf, inline for the free path: the span
 * holding @p, or NULL. Caller holds rcu_read_lock().
 */
static inline struct gom_span *gom_lookup_span(const void *p)
{
	const struct gom_frame_table *t = rcu_dereference(gom_frame_tab);
	unsigned long off = gom_dmap_offset(p);
	unsigned long idx = off >> GOM_FRAME_SHIFT;
	const struct gom_frame *f;

	if (unlikely(idx >= t->nr))
		return NULL;
	f = READ_ONCE(t->frames[idx]);
	if (unlikely(!f))
		return NULL;
	return READ_ONCE(f->spans[(off >> PAGE_SHIFT) & (GOM_FRAME_PAGES - 1)]);
}

/* mheap.c */
int gom_lookup_init(void);
void gom_lookup_exit(void);
struct gom_span *gom_spanof(const void *p);
struct page *gom_pages_alloc(unsigned int order, gfp_t gfp);
void gom_mheap_init(struct gom_mheap *h);
struct gom_span *gom_mheap_alloc_span(struct gom_heap *heap,
				      unsigned int npages, gfp_t gfp);
void gom_mheap_free_span(struct gom_heap *heap, struct gom_span *span);
struct gom_span *gom_mheap_alloc_direct(struct gom_heap *heap,
					unsigned int npages, gfp_t gfp);
void gom_mheap_free_direct(struct gom_heap *heap, struct gom_span *span);
void gom_span_orphan(struct gom_span *span);
void gom_span_set_lookup(struct gom_span *span, struct gom_span *val);
unsigned long gom_mheap_scavenge(struct gom_heap *heap, unsigned long nr);
unsigned long gom_mheap_idle_pages(struct gom_heap *heap);
void gom_mheap_info(struct gom_heap *heap, struct gom_mheap_info *info);
struct seq_file;
void gom_mheap_show_arenas(struct gom_heap *heap, struct seq_file *m);
void gom_mheap_destroy(struct gom_heap *heap);
void gom_orphans_free(void);
int gom_shrinker_init(void);
void gom_shrinker_exit(void);
gfp_t gom_meta_gfp(gfp_t gfp);

#define GOM_KASAN_PAGE_FREE	0xff	/* mm/kasan/kasan.h's KASAN_PAGE_FREE */

/*
 * Poison (or unpoison) @npages pages from @addr in KASAN's shadow, the way
 * the page allocator does for its free pages. Generic KASAN only; the
 * shadow is written with __memset(), which KASAN does not check.
 */
static inline void gom_kasan_pages(unsigned long addr, unsigned int npages,
				   bool poison)
{
#ifdef CONFIG_KASAN_GENERIC
	__memset(kasan_mem_to_shadow((void *)addr),
		 poison ? GOM_KASAN_PAGE_FREE : 0,
		 ((unsigned long)npages << PAGE_SHIFT) >> KASAN_SHADOW_SCALE_SHIFT);
#endif
}

/* === mcache === */

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

/**
 * struct gom_tiny - a CPU's current tiny block
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

#define GOM_FREE_SLOTS		3072	/* sum of the free caches' capacities */
#define GOM_FREE_CACHE_BYTES	4096	/* a small class's free cache, bytes */
#define GOM_FREE_CACHE_MAX	256	/* ... and objects, at most */
#define GOM_LARGE_CACHE_SPANS	4	/* freed large runs kept per CPU */
#define GOM_LARGE_CACHE_PAGES	64	/* ... each and all of them, pages */

/**
 * struct gom_mcache - one CPU's cache of one heap
 * @lock: the fast path's only lock
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
 * @slots: free cache storage, GOM_FREE_SLOTS pointers, carved per class
 */
struct gom_mcache {
	local_lock_t lock;
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
	void *slots[GOM_FREE_SLOTS];
};

/* mcache.c */
extern u16 gom_fc_base[GOM_NUM_SPAN_CLASSES];
extern u16 gom_fc_cap[GOM_NUM_SPAN_CLASSES];
int gom_mcache_setup(void);
int gom_mcache_init(struct gom_heap *heap);
void gom_mcache_exit(struct gom_heap *heap);
void *gom_mcache_alloc_grow(struct gom_heap *heap, unsigned int spanclass,
			    gfp_t gfp);
void *gom_mcache_alloc_locked(struct gom_heap *heap, struct gom_mcache *c,
			      unsigned int spanclass);
void gom_mcache_free(struct gom_heap *heap, unsigned int spanclass, void *p,
		     unsigned long caller);
void gom_mcache_free_locked(struct gom_heap *heap, struct gom_mcache *c,
			    unsigned int spanclass, void *p,
			    unsigned long caller);
void gom_mcache_drain_cpu(struct gom_heap *heap, int cpu);
void gom_mcache_drain_all(struct gom_heap *heap);
int gom_hotplug_init(void);
void gom_hotplug_exit(void);

/* === large, tiny === */

void *gom_large_alloc(struct gom_heap *heap, size_t size, gfp_t gfp);
void gom_large_free(struct gom_span *span, const void *p,
		    unsigned long caller);
unsigned long gom_large_destroy(struct gom_heap *heap);
void gom_large_cache_drain(struct gom_heap *heap, struct gom_mcache *c);

void *gom_tiny_alloc(struct gom_heap *heap, size_t size, gfp_t gfp);
void gom_tiny_free(struct gom_heap *heap, struct gom_span *span,
		   const void *p, unsigned long caller);
size_t gom_tiny_ksize(struct gom_span *span, const void *p);
void gom_tiny_retire(struct gom_heap *heap, struct gom_mcache *c);
int gom_tiny_span_init(struct gom_span *span, gfp_t gfp);

/* === Allocation profile (profile.c) and trace events (trace.c) === */

#define GOM_PROF_HASH_BITS	6

/**
 * struct gom_profile - a heap's sampled allocation profile
 * @lock: serialises bucket insertion; lookups are lockless (RCU)
 * @nr_buckets: buckets in @table
 * @table: buckets by call site
 * @objs: sampled live objects: address - PAGE_OFFSET -> record (xa_lock)
 * @samples: objects sampled
 * @drops: samples lost for want of memory or buckets
 */
struct gom_profile {
	spinlock_t lock;		/* see LOCK ORDER 7 */
	unsigned int nr_buckets;
	struct hlist_head table[1 << GOM_PROF_HASH_BITS];
	struct xarray objs;
	atomic_long_t samples;
	atomic_long_t drops;
};

/**
 * struct gom_profile_entry - one call site of a profile, scaled
 * @call_site: return address of the gom_* call
 * @live_objects: estimated objects allocated there and not freed
 * @live_bytes: their estimated bytes (usable size)
 * @alloc_objects: estimated objects ever allocated there
 * @alloc_bytes: their estimated bytes
 */
struct gom_profile_entry {
	unsigned long call_site;
	u64 live_objects;
	u64 live_bytes;
	u64 alloc_objects;
	u64 alloc_bytes;
};

struct dentry;
void gom_profile_init(struct gom_heap *heap);
void gom_profile_destroy(struct gom_heap *heap);
void gom_profile_setup(void);
void gom_profile_debugfs_add(struct gom_heap *heap, struct dentry *dir);
int gom_profile_set_rate(unsigned long rate);
unsigned long gom_profile_get_rate(void);
int gom_profile_snapshot(struct gom_heap *heap, struct gom_profile_entry *e,
			 unsigned int max);
size_t gom_obj_bytes(const void *p, size_t size, unsigned int *spanclass,
		     struct gom_span **spanp);

/* === heap === */

/**
 * struct gom_heap - one allocator instance: Go's mheap_ plus its caches
 * @list: on gom_heaps (RCU for readers that cannot sleep)
 * @name: debugfs directory name
 * @flags: GOM_HEAP_* flags
 * @key: random key of the free marker
 * @mcache: per-CPU caches
 * @dir: debugfs directory
 * @errors: bad calls attributed to this heap, per kind
 * @mheap: pages and arenas
 * @profile: sampled allocation profile (profile.c)
 * @central: one mcentral per span class
 */
struct gom_heap {
	struct list_head list;
	char name[GOM_HEAP_NAME_MAX];
	unsigned int flags;
	unsigned long key;
	struct gom_mcache __percpu *mcache;
	struct dentry *dir;
	atomic_long_t errors[GOM_ERR_NR];
	struct gom_mheap mheap;
	struct gom_profile profile;
	struct gom_mcentral central[GOM_NUM_SPAN_CLASSES];
};

/* heap.c */
extern struct list_head gom_heaps;
extern struct mutex gom_heaps_mutex;
extern atomic_long_t gom_errors[GOM_ERR_NR];
void gom_count_error(struct gom_heap *heap, enum gom_error kind);
void gom_report(struct gom_heap *heap, enum gom_error kind, const void *p,
		unsigned long caller);
int gom_heap_setup(void);
void gom_heap_teardown(void);

/* === Hardening and debug mode (debug.c) === */

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

struct seq_file;
struct fault_attr *gom_fail_attr_get(void);
bool gom_should_fail(size_t size, gfp_t gfp);
int gom_fail_init(const char *param);
int gom_span_debug_init(struct gom_span *span, gfp_t gfp);
void gom_span_poison(struct gom_heap *heap, struct gom_span *span);
bool gom_obj_check_free(struct gom_heap *heap, void *obj,
			unsigned int elemsize, bool cached);
void gom_obj_quarantine(struct gom_heap *heap, void *obj,
			unsigned int elemsize);
void gom_debug_alloc(struct gom_heap *heap, void *obj, size_t size,
		     gfp_t gfp);
void gom_debug_free(struct gom_heap *heap, struct gom_span *span,
		    unsigned int idx, void *obj, unsigned long caller);
void gom_debug_resize(struct gom_span *span, void *obj, size_t size);
long gom_heap_validate(struct gom_heap *heap, struct seq_file *m);

/* === stats (stats.c) === */

/**
 * struct gom_class_stats - one span class summed over CPUs
 * @mallocs: objects handed out
 * @frees: objects freed
 * @refills: mcache refills
 * @flushes: mcache flushes
 * @cached: objects in free caches
 */
struct gom_class_stats {
	unsigned long mallocs;
	unsigned long frees;
	unsigned long refills;
	unsigned long flushes;
	unsigned long cached;
};

/**
 * struct gom_memstats - Go's runtime.MemStats for one heap
 * @alloc: bytes of live objects (= heap_alloc)
 * @total_alloc: bytes ever allocated
 * @sys: bytes from the page allocator, metadata included
 * @mallocs: objects allocated
 * @frees: objects freed
 * @heap_alloc: bytes of live objects
 * @heap_sys: arena bytes + direct large bytes
 * @heap_idle: idle + released bytes
 * @heap_inuse: bytes in spans
 * @heap_released: released bytes
 * @heap_objects: live objects
 * @mspan_inuse: bytes of span structs in use
 * @mspan_sys: bytes of span structs held
 * @mcache_inuse: bytes of mcaches
 * @mcache_sys: bytes of mcaches
 * @tiny_allocs: tiny sub-objects allocated
 * @large_allocs: large objects allocated
 * @large_frees: large objects freed
 */
struct gom_memstats {
	unsigned long alloc;
	unsigned long total_alloc;
	unsigned long sys;
	unsigned long mallocs;
	unsigned long frees;
	unsigned long heap_alloc;
	unsigned long heap_sys;
	unsigned long heap_idle;
	unsigned long heap_inuse;
	unsigned long heap_released;
	unsigned long heap_objects;
	unsigned long mspan_inuse;
	unsigned long mspan_sys;
	unsigned long mcache_inuse;
	unsigned long mcache_sys;
	unsigned long tiny_allocs;
	unsigned long large_allocs;
	unsigned long large_frees;
};

extern struct dentry *gom_debugfs_root;
void gom_class_stats(struct gom_heap *heap, unsigned int spanclass,
		     struct gom_class_stats *st);
void gom_read_memstats(struct gom_heap *heap, struct gom_memstats *ms);
void gom_debugfs_init(void);
void gom_debugfs_exit(void);
void gom_debugfs_heap_add(struct gom_heap *heap);
void gom_debugfs_heap_del(struct gom_heap *heap);

static inline unsigned int gom_spanclass_size(unsigned int spanclass)
{
	if (spanclass == GOM_TINY_SPANCLASS)
		return GOM_TINY_SIZE;
	return gom_class_to_size[spanclass];
}

static inline unsigned int gom_spanclass_sizeclass(unsigned int spanclass)
{
	return spanclass == GOM_TINY_SPANCLASS ? GOM_TINY_SIZECLASS : spanclass;
}

/*
 * === The fast path (inline) ===
 *
 * Go inlines nextFreeFast into mallocgc; here the pop and push of a free
 * cache are inlined into gom_alloc() and gom_free(), so that an allocation
 * or a free that the free cache serves makes no call besides the local lock
 * (every call from a module is an indirect one on some configurations).
 * Anything else (an empty or full cache, a debug heap, a free marker that
 * fails its check) goes to the out-of-line *_locked functions of mcache.c.
 */

/*
 * gom_mcache_pop() - the most recently freed object of a span class, if its
 * free marker is intact; NULL sends the caller to gom_mcache_alloc_locked(),
 * which also reports and quarantines a corrupted one. Not for debug heaps.
 * Context: @c->lock held.
 */
static __always_inline void *gom_mcache_pop(struct gom_heap *heap,
					    struct gom_mcache *c,
					    unsigned int spc)
{
	struct gom_mcache_class *cc = &c->cls[spc];
	void *obj;

	if (unlikely(!cc->nfree))
		return NULL;
	obj = c->slots[gom_fc_base[spc] + cc->nfree - 1];
	if (unlikely(*(unsigned long *)obj != gom_free_marker(heap, obj)))
		return NULL;
	cc->nfree--;
	cc->mallocs++;
	return obj;
}

/*
 * gom_mcache_span_next() - Go's nextFreeFast: the next free slot of the
 * current span from its 64-bit alloc_cache, or NULL at a 64-slot boundary
 * or an exhausted span (gom_mcache_alloc_locked() refills). Slots of the
 * span carry no free marker, so there is nothing to check.
 * Context: @c->lock held.
 */
static __always_inline void *gom_mcache_span_next(struct gom_mcache *c,
						  unsigned int spc)
{
	struct gom_span *span = c->cls[spc].span;
	unsigned int bit, idx;

	if (unlikely(!span || !span->alloc_cache))
		return NULL;
	bit = __ffs64(span->alloc_cache);
	idx = span->freeindex + bit;
	if (unlikely(idx >= span->nelems || (idx + 1) % 64 == 0))
		return NULL;
	span->alloc_cache >>= bit + 1;
	WRITE_ONCE(span->freeindex, idx + 1);
	c->cls[spc].mallocs++;
	return gom_span_obj(span, idx);
}

/*
 * gom_mcache_take() - the fast path's object: free cache, else current
 * span; NULL for the rest, a free marker that fails its check, and debug
 * heaps (gom_mcache_alloc_locked() then decides).
 * Context: @c->lock held.
 */
static __always_inline void *gom_mcache_take(struct gom_heap *heap,
					     struct gom_mcache *c,
					     unsigned int spc)
{
	if (unlikely(gom_heap_debug(heap)))
		return NULL;
	/* a cached object whose marker fails goes to the slow path's report */
	if (likely(c->cls[spc].nfree))
		return gom_mcache_pop(heap, c, spc);
	return gom_mcache_span_next(c, spc);
}

/*
 * gom_mcache_push() - put a freed, validated object on its free cache;
 * false when the cache is full (gom_mcache_free_locked() flushes it).
 * Context: @c->lock held.
 */
static __always_inline bool gom_mcache_push(struct gom_heap *heap,
					    struct gom_mcache *c,
					    unsigned int spc, void *p)
{
	struct gom_mcache_class *cc = &c->cls[spc];

	if (unlikely(cc->nfree == gom_fc_cap[spc]))
		return false;
	/* checked when it is popped: a write after free is caught there */
	*(unsigned long *)p = gom_free_marker(heap, p);
	c->slots[gom_fc_base[spc] + cc->nfree++] = p;
	cc->frees++;
	return true;
}

#endif /* _GOMALLOC_INTERNAL_H */
