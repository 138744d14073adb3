// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc: the Go runtime's memory allocator (runtime/malloc.go) as a
 * kmalloc-style kernel allocator. This file is malloc.go's: the exported
 * allocation and free API, and the one overview of the whole allocator.
 *
 * OVERVIEW
 *
 * A request walks down a ladder, each rung one file that owns its lists
 * and its lock and calls only the rungs below it:
 *
 *   gom_alloc(), gom_free() (malloc.c)   route by size, validate frees
 *     -> mcache   (mcache.c)    per CPU and heap: current spans, free caches
 *       -> mcentral (mcentral.c) per span class: partial and full spans
 *         -> mheap  (mheap.c)    per heap: arenas and page runs
 *           -> pages (pages.c)   the page allocator
 *
 * Small requests (up to GOM_MAX_SMALL_SIZE, 32 KiB) are rounded up to one
 * of Go's size classes (sizeclass.h, generated tables in sizeclasses.h:
 * 8 B .. 32 KiB, at most 12.5% rounding waste from 128 B on) and come from
 * spans (span.c) of that class, one mcentral per span class: the size
 * classes and GOM_TINY_SPANCLASS, the tiny allocator's 16-byte blocks.
 * Beside the ladder, serving one rung each:
 *
 *   malloc_tiny.c  Go's tiny allocator (mallocgcTiny): 1..15 byte requests
 *               packed into 16-byte blocks, objects of their own span
 *               class; tiny.c keeps the blocks' state
 *   large.c     above 32 KiB, exactly ceil(size / 4 KiB) pages from the
 *               mheap (or straight from the page allocator above an arena)
 *   lookup.c    Go's spanOf: address -> span in O(1), lockless; also how
 *               a free proves that a pointer is ours
 *   debug.c     free markers, poison and red zones (hardening, debug heaps)
 *   profile.c   sampled allocation profile (Go's MemProfileRate)
 *   trace.c     trace events gomalloc:alloc and gomalloc:free
 *
 * heap.c holds the heaps (one allocator instance each, the default one
 * named "default", gom_default) and the policies that span a heap or every
 * heap: draining mcaches, CPU hotplug, the shrinker, scavenge, validate
 * (validate.c), destroyed heaps' orphans; it calls down the ladder, never
 * back into this file. stats.c shows a heap in debugfs (Go's MemStats,
 * per-class tables, slabinfo). main.c sets it all up, leaves first.
 *
 * Leaves that any file may call: report.c (one rate-limited line and a
 * counter per bad call or corruption), fail.c (fault injection), meta.c
 * (gomalloc's own metadata and its gfp), sizeclass.c. Each component's
 * header is named after it; gomalloc_internal.h includes them all.
 * scripts/callgraph.py checks that the calls between the components form
 * no cycle (make check runs it).
 *
 * The kernel's explicit free is the main departure from Go, which frees by
 * sweeping after a garbage collection: an mcache keeps a bounded LIFO
 * cache of freed objects per span class, flushed to mcentral half at a
 * time; a tiny block counts its live sub-objects; a free looks the span up
 * and checks that the pointer is an allocated object start before it
 * touches anything, so that a bad free is reported and ignored, never
 * followed. kmemleak: pages from the page allocator are not tracked, so
 * every object handed out is registered (kmemleak_alloc, min_count 1) and
 * unregistered on a validated free before it can be reused; what would
 * hide leaks is kept out of the scan (span structs, arenas, side arrays,
 * the mcaches). NUMA, as Go, is not modelled yet: pages come from the
 * local node.
 *
 * The lockless free path can let a racing double free through (debug heaps
 * claim each free exactly); mcentral's check at flush turns the duplicate
 * into a report (gom_mcentral_claim()), and the pages of freed small spans
 * cool until a quiesce (RCU grace period, then every free cache drained)
 * before they can leave the heap (mheap.c, gom_heap_quiesce()).
 *
 * LOCK ORDER (outermost first)
 *
 *  0. gom_quiesce_mutex (mutex, heap.c): one gom_heap_quiesce() at a time,
 *     held across its grace period and its drain (cpus_read_lock(), then
 *     each CPU's mcache lock 2 from a kworker); taken with no other lock
 *     of gomalloc's or the hotplug's held.
 *  1. gom_heaps_mutex (mutex, heap.c): the list of heaps, heap names, the
 *     creation of their debugfs directories, destroyed heaps' orphans.
 *     Readers that cannot sleep (the shrinker) walk the list under RCU.
 *     Taken inside cpu_hotplug_lock (the hotplug callback), so never held
 *     across debugfs removal, which waits for file operations that may
 *     wait for cpus_read_lock() (scavenge, validate).
 *  2. gom_mcache->lock (struct gom_local_trylock, gomalloc_compat.h: the
 *     semantics of local_trylock_t; mcache.c): this CPU's mcache of one
 *     heap: current spans, free caches, tiny block, large run cache,
 *     per-CPU counters. Owned through gom_mcache_own(), a trylock with
 *     preemption off and interrupts on, by malloc.c's fast path, tiny and
 *     large allocations through mcache.c, and the drains. Never waited
 *     for: a context that interrupts the owner (hardirq, softirq) fails
 *     the trylock and takes the nested path, which takes 3 and below
 *     directly, so 2 nests inside nothing and no interrupt ever spins on
 *     it. On PREEMPT_RT it is a local_lock_t (a per-CPU sleeping
 *     spinlock, migration off) that callers wait for: every caller there
 *     is a task (threaded interrupts; the irq_work thread for what other
 *     kernels run in hardirq), and priority inheritance lets the owner
 *     finish.
 *  3. gom_mcentral->lock (spinlock_t, irqsave, mcentral.c): one span class
 *     of one heap: its lists, and the alloc_bits/freed_bits/alloc_count/
 *     state of its spans that are not cached (freed_bits of cached ones
 *     too).
 *  4. gom_mheap->lock (spinlock_t, irqsave, mheap.c): the heap's arenas,
 *     their page bitmaps and counters, the list and state of large spans.
 *  5. gom_frames_lock (spinlock_t, irqsave, lookup.c): the frame table, its
 *     growth, frame descriptors and their references; taken with no other
 *     gomalloc spinlock held (arena and direct span setup and teardown
 *     happen outside the mheap lock).
 *  6. gom_profile->lock and gom_profile->objs xa_lock (spinlock_t,
 *     irqsave, profile.c): taken one at a time, with no other gomalloc
 *     lock held (the hooks run after the allocation and before the free),
 *     except an mcache lock (2) in gom_free_bulk(), which frees runs of
 *     objects under one mcache lock round trip.
 *
 * Leaves taken under any of 2..4: a KUnit test's resource lock (counting
 * errors for a running test, task context only, report.c) and kmemleak's
 * own locks (kmemleak_free, kmemleak_ignore). kmemleak_alloc() may
 * allocate with the caller's gfp and is called with no gomalloc lock held.
 * The validate walk holds 3 (or 4 for large spans) while it reads the
 * spans' objects. A span's lookup entries are written with no lock held
 * by whoever owns its pages (lookup.c).
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/kmemleak.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gomalloc_internal.h"
#include "gomalloc_hooks.h"
#include "mcache_inline.h"

/* === Allocation === */

/*
 * gom_obj_init() - set a small object up for its caller
 * @heap: the heap
 * @spc: its span class
 * @obj: the object, just handed out by the mcache
 * @size: the bytes asked for
 * @gfp: the caller's flags
 *
 * Clears the free marker, or all of it for __GFP_ZERO and init_on_alloc (as
 * kmalloc does), red-zones debug classes, and registers the object with
 * kmemleak: its pages come from the page allocator, which kmemleak does not
 * track, so without this a leaked object would never be reported and what
 * it points to would look leaked.
 *
 * Context: Any context allowed by @gfp; no gomalloc lock held.
 */
static __always_inline void gom_obj_init(struct gom_heap *heap,
					 unsigned int spc, void *obj,
					 size_t size, gfp_t gfp)
{
	unsigned int elemsize = gom_spanclass_size(spc);

	if (unlikely(gom_debug_class(heap, elemsize))) {
		gom_debug_alloc(heap, obj, size, gfp);
		elemsize -= GOM_REDZONE;
	} else if (want_init_on_alloc(gfp)) {
		memset(obj, 0, elemsize);
	} else {
		*(unsigned long *)obj = 0;
	}
	kmemleak_alloc(obj, elemsize, 1, gfp);
}

/* The span class serving @size in @heap (red zone included). */
static unsigned int gom_small_class(struct gom_heap *heap, size_t size)
{
	return gom_size_to_class(size + gom_heap_redzone(heap));
}

/*
 * Go's mallocgc for a small size: the ownership step and the free cache
 * pop inline, the rest (current span, refill from mcentral, growth, a
 * nested context's object) out of line.
 */
static __always_inline void *gom_small_alloc(struct gom_heap *heap,
					     size_t size, gfp_t gfp)
{
	unsigned int spc = gom_small_class(heap, size);
	struct gom_mcache *c = gom_mcache_own(heap);
	void *obj;

	if (unlikely(!c)) {
		obj = gom_mcache_alloc_nested(heap, spc, gfp);
		goto out;
	}
	obj = gom_mcache_take(heap, c, spc);
	if (unlikely(!obj))
		obj = gom_mcache_alloc_locked(heap, c, spc);
	gom_mcache_disown(heap, c);
	if (unlikely(!obj))
		obj = gom_mcache_alloc_one(heap, spc, gfp);
out:
	if (likely(obj))
		gom_obj_init(heap, spc, obj, size, gfp);
	return obj;
}

static bool gom_zero_or_null(const void *p)
{
	return (unsigned long)p <= (unsigned long)GOM_ZERO_SIZE_PTR;
}

static __always_inline void *gom_heap_alloc_route(struct gom_heap *heap,
						  size_t size, gfp_t gfp,
						  unsigned long caller)
{
	might_alloc(gfp);
	if (unlikely(!size))
		return GOM_ZERO_SIZE_PTR;
	if (unlikely(size > GOM_MAX_ALLOC_SIZE)) {
		gom_report_size(heap, size, caller);
		return NULL;
	}
	if (size < GOM_TINY_SIZE && !(heap->flags & GOM_HEAP_NO_TINY))
		return gom_tiny_alloc(heap, size, gfp);
	if (likely(size + gom_heap_redzone(heap) <= GOM_MAX_SMALL_SIZE))
		return gom_small_alloc(heap, size, gfp);
	return gom_large_alloc(heap, size, gfp);
}

static __always_inline void *gom_heap_alloc_caller(struct gom_heap *heap,
						   size_t size, gfp_t gfp,
						   unsigned long caller)
{
	void *p = gom_heap_alloc_route(heap, size, gfp, caller);

	gom_alloc_hook(heap, p, size, gfp, caller);
	return p;
}

/**
 * gom_heap_alloc() - allocate memory from a heap
 * @heap: the heap
 * @size: bytes; 0 gives GOM_ZERO_SIZE_PTR
 * @gfp: kmalloc flags: GFP_KERNEL may sleep, GFP_ATOMIC and GFP_NOWAIT
 *	never do, __GFP_ZERO zeroes
 *
 * Context: Any context allowed by @gfp (process, softirq or hardirq with
 * GFP_ATOMIC).
 * Return: the object, GOM_ZERO_SIZE_PTR for @size 0, or NULL on failure or
 * when @size exceeds GOM_MAX_ALLOC_SIZE.
 */
void *gom_heap_alloc(struct gom_heap *heap, size_t size, gfp_t gfp)
{
	return gom_heap_alloc_caller(heap, size, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_heap_alloc);

/**
 * gom_alloc() - allocate memory from the default heap
 * @size: bytes; 0 gives GOM_ZERO_SIZE_PTR
 * @gfp: kmalloc flags
 *
 * Context: Any context allowed by @gfp.
 * Return: the object, GOM_ZERO_SIZE_PTR for @size 0, or NULL.
 */
void *gom_alloc(size_t size, gfp_t gfp)
{
	return gom_heap_alloc_caller(gom_default, size, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_alloc);

/* gom_alloc() on behalf of @caller (the drop-in's wrappers, dropin.c) */
void *gom_alloc_at(size_t size, gfp_t gfp, unsigned long caller)
{
	return gom_heap_alloc_caller(gom_default, size, gfp, caller);
}

/*
 * === Lookup of a caller's pointer ===
 *
 * Bad frees are detected, reported in one rate-limited line, counted per
 * kind (report.c) and ignored: a pointer outside the direct map or with no
 * span is not ours; one that is not an object start is interior; a double
 * free is caught here by the span's allocation state and by the free
 * marker, and again when the object reaches mcentral.
 */

/*
 * The live span holding @p with @p a live object's start (a tiny
 * sub-object's too), or NULL after reporting why not: free, ksize and
 * realloc of anything else are bad calls alike.
 */
static struct gom_span *gom_find_spc(const void *p, unsigned long caller,
				     unsigned int *spcp)
{
	struct gom_span *span = gom_spanof(p);
	unsigned int idx, state, spc;
	enum gom_error why;
	struct gom_heap *heap;

	state = span ? READ_ONCE(span->state) : GOM_SPAN_FREE;
	heap = span ? READ_ONCE(span->heap) : NULL;
	spc = span ? READ_ONCE(span->spc) : 0;
	if (state == GOM_SPAN_ORPHAN || (state != GOM_SPAN_FREE &&
					 (!heap || READ_ONCE(heap->dying)))) {
		gom_report(NULL, GOM_ERR_HEAP_DESTROYED, p, caller);
		return NULL;
	}
	if (state == GOM_SPAN_FREE) {
		gom_report(NULL, GOM_ERR_NOT_OURS, p, caller);
		return NULL;
	}
	if (state == GOM_SPAN_LARGE_CACHED) {
		gom_report(heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return NULL;
	}
	*spcp = spc;
	if (spc == GOM_TINY_SPANCLASS) {
		if (gom_tiny_live(span, p, &why))
			return span;
		gom_report(heap, why, p, caller);
		return NULL;
	}
	if (spc == GOM_LARGE_SPANCLASS) {
		if ((unsigned long)p == READ_ONCE(span->base))
			return span;
		gom_report(heap, GOM_ERR_INTERIOR, p, caller);
		return NULL;
	}
	if (!gom_class_index(spc, READ_ONCE(span->base), p, &idx)) {
		gom_report(heap, GOM_ERR_INTERIOR, p, caller);
		return NULL;
	}
	/* the slot state first: a free slot's memory may be going away */
	if (!gom_span_slot_allocated(span, idx) ||
	    gom_marker_word(p) == gom_free_marker(heap, p)) {
		gom_report(heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return NULL;
	}
	return span;
}

static struct gom_span *gom_find(const void *p, unsigned long caller)
{
	unsigned int spc;

	return gom_find_spc(p, caller, &spc);
}

static size_t gom_span_ksize(struct gom_span *span, const void *p)
{
	if (span->spc == GOM_TINY_SPANCLASS)
		return gom_tiny_ksize(span, p);
	if (span->debug)
		return span->elemsize - GOM_REDZONE;
	return span->elemsize;
}

/*
 * init_on_free, as kmalloc honours it (want_init_on_free()): a freed
 * object's bytes are zeroed once its free is claimed, all but its first
 * word, which the free marker takes before the object can be reused (it is
 * already there after a claim on kmemleak kernels, and must stay). Tiny
 * sub-objects and large runs are wiped whole (tiny.h, large.c); debug
 * classes are poisoned instead, which leaves no data either. A small
 * span's run given back to the mheap is wiped whole (mheap.c), so that no
 * marker reaches an object of the next span there.
 */
static __always_inline void gom_obj_wipe(unsigned int spc, void *p)
{
	memset(p + sizeof(long), 0, gom_spanclass_size(spc) - sizeof(long));
}

/*
 * A small object freed: a debug class claims the free first (a second
 * free of it is refused there), then kmemleak forgets it, before anyone
 * can reuse it.
 */
static void gom_small_free(struct gom_heap *heap, struct gom_span *span,
			   unsigned int spc, void *p, unsigned long caller,
			   bool wipe)
{
	unsigned int idx;

	if (READ_ONCE(span->debug)) {
		if (gom_span_index(span, p, &idx) &&
		    !gom_debug_free(heap, span, idx, p, caller))
			return;
	} else if (!gom_free_claim(heap, p)) {
		gom_report(heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return;
	} else if (wipe) {
		gom_obj_wipe(spc, p);
	}
	kmemleak_free(p);
	gom_mcache_free(heap, spc, p, caller);
}

/* === Free === */

static void gom_free_slow(const void *p, unsigned long caller, bool wipe)
{
	struct gom_span *span;
	struct gom_heap *heap;
	unsigned int spc;

	span = gom_find_spc(p, caller, &spc);
	if (!span)
		return;
	heap = READ_ONCE(span->heap);
	gom_profile_free(heap, span, p);
	if (spc == GOM_LARGE_SPANCLASS)
		gom_large_free(span, p, caller, wipe);
	else if (spc == GOM_TINY_SPANCLASS)
		gom_tiny_release(heap, span, p, caller, wipe);
	else
		gom_small_free(heap, span, spc, (void *)p, caller, wipe);
}

/*
 * The free of an object of a live span of a heap without debug mode, the
 * common case, inline: the checks of gom_find() (object start, slot
 * allocated, no free marker). Returns the span, a small one ready for
 * gom_free_push() or a tiny one for gom_tiny_free(), its heap in *@heapp
 * and its span class in *@spcp; NULL for anything else, a bad pointer
 * included, which gom_free_slow() then reports.
 *
 * The span struct may be freed and reused under a stale free (it is
 * SLAB_TYPESAFE_BY_RCU): each field is read once, the object's index comes
 * from the class tables, and the class and base are read again after the
 * checks, so that what is pushed is an object start of the span class it
 * is pushed as, never a mix of two spans' fields. mcentral checks again
 * under its lock (gom_mcentral_free_one()).
 */
static __always_inline struct gom_span *gom_free_check(const void *p,
						       struct gom_heap **heapp,
						       unsigned int *spcp)
{
	struct gom_span *span = gom_spanof(p);
	unsigned int idx, state, spc;
	struct gom_heap *heap;
	unsigned long base;

	if (unlikely(!span))
		return NULL;
	state = READ_ONCE(span->state);
	heap = READ_ONCE(span->heap);
	spc = READ_ONCE(span->spc);
	if (unlikely((state != GOM_SPAN_CACHED && state != GOM_SPAN_CENTRAL) ||
		     !heap || READ_ONCE(heap->dying)))
		return NULL;
	*heapp = heap;
	*spcp = spc;
	if (spc == GOM_TINY_SPANCLASS)
		return span;
	base = READ_ONCE(span->base);
	if (unlikely(READ_ONCE(span->debug) ||
		     !gom_class_index(spc, base, p, &idx) ||
		     !gom_span_slot_allocated(span, idx)))
		return NULL;
	smp_rmb();	/* the checks above read the span that these name */
	if (unlikely(READ_ONCE(span->spc) != spc ||
		     READ_ONCE(span->base) != base ||
		     !gom_free_claim(heap, p)))
		return NULL;
	kmemleak_free(p);
	return span;
}

/* Push a checked object on @c, its heap's mcache, owned. */
static __always_inline void gom_free_push(struct gom_heap *heap,
					  struct gom_mcache *c,
					  unsigned int spc, void *p,
					  unsigned long caller)
{
	if (unlikely(!gom_mcache_push(heap, c, spc, p)))
		gom_mcache_free_locked(heap, c, spc, p, caller);
}

/*
 * The free path, @wipe its init_on_free decision: want_init_on_free() (a
 * static branch) from gom_free_caller(), forced by gom_free_init() for the
 * KUnit suites.
 */
static __always_inline void gom_free_wipe_caller(const void *p,
						 unsigned long caller,
						 bool wipe)
{
	struct gom_mcache *c;
	struct gom_span *span;
	struct gom_heap *heap;
	unsigned int spc;

	gom_trace_free(p, caller);
	if (unlikely(gom_zero_or_null(p)))
		return;
	gom_lookup_begin();
	span = gom_free_check(p, &heap, &spc);
	if (unlikely(!span)) {
		gom_free_slow(p, caller, wipe);
		goto out;
	}
	gom_profile_free(heap, span, p);
	if (spc == GOM_TINY_SPANCLASS) {
		gom_tiny_release(heap, span, p, caller, wipe);
		goto out;
	}
	if (wipe)
		gom_obj_wipe(spc, (void *)p);
	c = gom_mcache_own(heap);
	if (unlikely(!c)) {
		gom_mcache_free_nested(heap, spc, (void *)p, caller);
		goto out;
	}
	gom_free_push(heap, c, spc, (void *)p, caller);
	gom_mcache_disown(heap, c);
out:
	gom_lookup_end();
}

static __always_inline void gom_free_caller(const void *p,
					    unsigned long caller)
{
	gom_free_wipe_caller(p, caller, want_init_on_free());
}

/**
 * gom_free_init() - gom_free() with init_on_free decided by the caller
 * @p: as for gom_free()
 * @wipe: zero the freed bytes, as init_on_free=1 does
 *
 * The free path itself, for the KUnit suites, which cannot boot with
 * init_on_free on and off per case.
 *
 * Context: Any context.
 */
void gom_free_init(const void *p, bool wipe)
{
	gom_free_wipe_caller(p, _RET_IP_, wipe);
}
EXPORT_SYMBOL_NS_GPL(gom_free_init, GOM_INTERNAL_NS);

/**
 * gom_free() - free memory from any gomalloc heap
 * @p: an object, NULL or GOM_ZERO_SIZE_PTR (both ignored)
 *
 * The heap is found from the pointer. A pointer that gomalloc did not hand
 * out, an interior pointer or a double free is reported once (rate-limited),
 * counted in debugfs and ignored.
 *
 * Context: Any context.
 */
void gom_free(const void *p)
{
	gom_free_caller(p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_free);

/* gom_free() on behalf of @caller (the drop-in's wrappers, dropin.c) */
void gom_free_at(const void *p, unsigned long caller)
{
	gom_free_caller(p, caller);
}

/**
 * gom_ksize() - usable size of an object
 * @p: an object, NULL or GOM_ZERO_SIZE_PTR
 *
 * Context: Any context.
 * Return: the object's class size (less the red zone in a debug heap, which
 * then moves behind the whole usable size, as SLUB does), its page run bytes
 * for a large object, the bytes up to the next sub-object for a tiny one; 0
 * for NULL, GOM_ZERO_SIZE_PTR and anything but a live object's start (a
 * freed object, an interior pointer: reported as gom_free() reports them).
 */
size_t gom_ksize(const void *p)
{
	struct gom_span *span;
	size_t size = 0;

	if (gom_zero_or_null(p))
		return 0;
	rcu_read_lock();
	span = gom_find(p, _RET_IP_);
	if (span)
		size = gom_span_ksize(span, p);
	/* all of it is the caller's now: the red zone moves behind it */
	if (span && span->debug)
		gom_debug_resize(span, (void *)p, size);
	rcu_read_unlock();
	return size;
}
EXPORT_SYMBOL_GPL(gom_ksize);

/**
 * gom_owns() - whether an address lies in memory gomalloc handed out
 * @p: any pointer
 *
 * A query only: nothing is reported or counted. True for any byte of a
 * span in use of a live heap (object starts, interior pointers, and free
 * slots of a span that still holds objects); false for NULL,
 * GOM_ZERO_SIZE_PTR, other allocators' memory, idle gomalloc pages and
 * spans of destroyed heaps. The answer is only stable while the caller
 * keeps the object it asks about allocated.
 *
 * Context: Any context.
 * Return: true when @p is inside a gomalloc span in use.
 */
bool gom_owns(const void *p)
{
	struct gom_span *span;
	unsigned int state;
	bool ret = false;

	if (gom_zero_or_null(p))
		return false;
	rcu_read_lock();
	span = gom_spanof(p);
	if (span) {
		state = READ_ONCE(span->state);
		ret = state != GOM_SPAN_FREE && state != GOM_SPAN_ORPHAN &&
		      state != GOM_SPAN_LARGE_CACHED && READ_ONCE(span->heap);
	}
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(gom_owns);

/**
 * gom_realloc() - resize an object, krealloc() style
 * @p: the object, or NULL (then this is gom_alloc())
 * @new_size: bytes; 0 frees @p and gives GOM_ZERO_SIZE_PTR
 * @gfp: kmalloc flags
 *
 * The object stays in place when it is large enough; otherwise a new one is
 * allocated from the same heap, the contents copied, and @p freed. With
 * __GFP_ZERO (or init_on_alloc) the bytes past the old contents are zero;
 * in a debug heap the old contents are the bytes asked for, not the whole
 * slot (the rest is red zone).
 *
 * Context: Any context allowed by @gfp.
 * Return: the object; NULL on failure (@p untouched) or when @p is not a
 * live gomalloc object (reported).
 */
void *gom_realloc(const void *p, size_t new_size, gfp_t gfp)
{
	struct gom_span *span;
	struct gom_heap *heap;
	size_t ks, old;
	void *n;

	if (gom_zero_or_null(p))
		return gom_heap_alloc_caller(gom_default, new_size, gfp, _RET_IP_);
	if (!new_size) {
		gom_free_caller(p, _RET_IP_);
		return GOM_ZERO_SIZE_PTR;
	}
	rcu_read_lock();
	span = gom_find(p, _RET_IP_);
	heap = span ? READ_ONCE(span->heap) : NULL;
	ks = span ? gom_span_ksize(span, p) : 0;
	/* a debug object's bytes beyond its size are red zone, not data */
	old = span && span->debug ? gom_debug_size(span, p) : ks;
	if (span && span->debug && new_size <= ks)
		gom_debug_regrow(span, (void *)p, old, new_size, gfp);
	rcu_read_unlock();
	if (!span)
		return NULL;
	if (new_size <= ks)
		return (void *)p;
	n = gom_heap_alloc_caller(heap, new_size, gfp, _RET_IP_);
	if (!n)
		return NULL;
	memcpy(n, p, old);
	gom_free_caller(p, _RET_IP_);
	return n;
}
EXPORT_SYMBOL_GPL(gom_realloc);

/* === Bulk === */

/* Objects gom_free_bulk() frees per mcache ownership: bounds preemption off. */
#define GOM_BULK_BATCH	64

static int gom_heap_alloc_bulk_caller(struct gom_heap *heap, size_t size,
				      gfp_t gfp, size_t nr, void **p,
				      unsigned long caller)
{
	unsigned int spc = 0;
	size_t i, got;

	might_alloc(gfp);
	if (!size || size > GOM_MAX_ALLOC_SIZE || nr > INT_MAX)
		return 0;
	if (size >= GOM_TINY_SIZE || (heap->flags & GOM_HEAP_NO_TINY))
		spc = gom_small_class(heap, size);
	if (spc) {
		got = gom_mcache_alloc_grow(heap, spc, gfp, nr, p);
		for (i = 0; i < got; i++) {
			gom_obj_init(heap, spc, p[i], size, gfp);
			gom_alloc_hook(heap, p[i], size, gfp, caller);
		}
	} else {
		for (got = 0; got < nr; got++) {
			p[got] = gom_heap_alloc_caller(heap, size, gfp, caller);
			if (!p[got])
				break;
		}
	}
	if (got == nr)
		return nr;
	for (i = 0; i < got; i++)
		gom_free_caller(p[i], caller);
	return 0;
}

/**
 * gom_heap_alloc_bulk() - allocate @nr objects of one size from a heap
 * @heap: the heap
 * @size: bytes per object, 1..GOM_MAX_ALLOC_SIZE
 * @gfp: kmalloc flags
 * @nr: how many
 * @p: array receiving them
 *
 * Like kmem_cache_alloc_bulk(): all or nothing. Small sizes own the mcache
 * once per GOM_TAKE_BATCH objects it has, then once per span it grows.
 *
 * Context: Any context allowed by @gfp.
 * Return: @nr, or 0 (nothing left allocated).
 */
int gom_heap_alloc_bulk(struct gom_heap *heap, size_t size, gfp_t gfp,
			size_t nr, void **p)
{
	return gom_heap_alloc_bulk_caller(heap, size, gfp, nr, p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_heap_alloc_bulk);

/**
 * gom_alloc_bulk() - allocate @nr objects of one size from the default heap
 * @size: bytes per object
 * @gfp: kmalloc flags
 * @nr: how many
 * @p: array receiving them
 *
 * Context: Any context allowed by @gfp.
 * Return: @nr, or 0 (nothing left allocated).
 */
int gom_alloc_bulk(size_t size, gfp_t gfp, size_t nr, void **p)
{
	return gom_heap_alloc_bulk_caller(gom_default, size, gfp, nr, p,
					  _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_alloc_bulk);

/**
 * gom_free_bulk() - free @nr objects
 * @nr: how many
 * @p: the objects (NULL entries are skipped)
 *
 * Context: Any context.
 */
void gom_free_bulk(size_t nr, void **p)
{
	struct gom_heap *heap = NULL, *owned = NULL;
	unsigned int batch = 0, spc = 0;
	bool wipe = want_init_on_free();
	struct gom_mcache *c = NULL;
	struct gom_span *span;
	size_t i;

	gom_lookup_begin();
	for (i = 0; i < nr; i++) {
		gom_trace_free(p[i], _RET_IP_);
		if (gom_zero_or_null(p[i]))
			continue;
		span = gom_free_check(p[i], &heap, &spc);
		if (span)
			gom_profile_free(heap, span, p[i]);
		if (span && spc != GOM_TINY_SPANCLASS && wipe)
			gom_obj_wipe(spc, p[i]);
		if (span && spc != GOM_TINY_SPANCLASS &&
		    heap == owned && ++batch < GOM_BULK_BATCH) {
			gom_free_push(heap, c, spc, p[i], _RET_IP_);
			continue;
		}
		/* one ownership per run of one heap, GOM_BULK_BATCH at most */
		if (owned)
			gom_mcache_disown(owned, c);
		owned = NULL;
		if (!span) {
			gom_free_slow(p[i], _RET_IP_, wipe);
		} else if (spc == GOM_TINY_SPANCLASS) {
			gom_tiny_release(heap, span, p[i], _RET_IP_, wipe);
		} else {
			c = gom_mcache_own(heap);
			if (unlikely(!c)) {
				gom_mcache_free_nested(heap, spc, p[i], _RET_IP_);
				continue;
			}
			owned = heap;
			batch = 0;
			gom_free_push(heap, c, spc, p[i], _RET_IP_);
		}
	}
	if (owned)
		gom_mcache_disown(owned, c);
	gom_lookup_end();
}
EXPORT_SYMBOL_GPL(gom_free_bulk);
