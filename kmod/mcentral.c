// SPDX-License-Identifier: GPL-2.0
/*
 * mcentral: the spans of one span class of one heap, shared by its CPUs
 * (Go's mcentral).
 *
 * One per span class: the size classes, plus the span class of 16-byte
 * blocks of the tiny allocator (GOM_TINY_SPANCLASS). Partial and full span
 * lists under a per-class spinlock on its own cache line. Explicit frees
 * versus Go's allocCache: while an mcache owns a span ("cached"), its
 * alloc_bits are read-only and only the owner reads them; frees that reach
 * mcentral for that span go to freed_bits. When the span comes back,
 * mcentral sweeps it (gom_span_sweep()). An empty span goes back to the
 * mheap, except a reserve of empty spans per class
 * (GOM_MCENTRAL_RESERVE_PAGES, 64 KiB, one span at least), kept so that a
 * kernel that allocates and frees a few hundred objects at a time does not
 * bounce spans through the mheap (lock, span struct, lookup entries) on
 * every round; the shrinker returns reserves under memory pressure. A fresh
 * span gets its side arrays here (tiny blocks, debug sizes) before it is
 * published. See malloc.c for the whole map.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/module.h>
#include <linux/rcupdate.h>

#include "gomalloc_internal.h"

/* === Lists === */

/**
 * gom_mcentral_init() - set an empty mcentral up
 * @c: the mcentral
 * @heap: its heap
 * @spc: its index in @heap->central
 *
 * Context: Any context.
 */
void gom_mcentral_init(struct gom_mcentral *c, struct gom_heap *heap,
		       unsigned int spc)
{
	spin_lock_init(&c->lock);
	INIT_LIST_HEAD(&c->partial);
	INIT_LIST_HEAD(&c->full);
	c->heap = heap;
	c->spc = spc;
	c->sizeclass = gom_spanclass_sizeclass(spc);
	c->reserve = max(1, GOM_MCENTRAL_RESERVE_PAGES /
			    max_t(unsigned int, gom_class_to_npages[c->sizeclass], 1));
}

/*
 * Put an uncached span, off every list, where its alloc_count says: full,
 * partial, or empty: kept as the reserve (at the tail of partial, so that
 * spans with objects are reused first) or queued on @dead for the mheap.
 */
static void gom_mcentral_place(struct gom_mcentral *c, struct gom_span *span,
			       struct list_head *dead)
{
	lockdep_assert_held(&c->lock);
	if (!span->alloc_count) {
		if (c->nr_empty >= c->reserve) {
			WRITE_ONCE(span->state, GOM_SPAN_FREE);
			list_add(&span->list, dead);
			return;
		}
		list_add_tail(&span->list, &c->partial);
		c->nr_partial++;
		c->nr_empty++;
	} else if (span->alloc_count == span->nelems) {
		list_add(&span->list, &c->full);
		c->nr_full++;
	} else {
		list_add(&span->list, &c->partial);
		c->nr_partial++;
	}
	WRITE_ONCE(span->state, GOM_SPAN_CENTRAL);
}

/* Take an uncached span off its list. */
static void gom_mcentral_unlist(struct gom_mcentral *c, struct gom_span *span)
{
	lockdep_assert_held(&c->lock);
	list_del_init(&span->list);
	if (span->alloc_count == span->nelems) {
		c->nr_full--;
	} else {
		c->nr_partial--;
		if (!span->alloc_count)
			c->nr_empty--;
	}
}

static void gom_mcentral_free_dead(struct gom_mcentral *c,
				   struct list_head *dead)
{
	struct gom_span *span, *tmp;

	list_for_each_entry_safe(span, tmp, dead, list) {
		list_del_init(&span->list);
		gom_mheap_free_span(c->heap, span);
	}
}

/* === mcache interface === */

/* The mcache gives @old back: sweep it and list it. */
static void gom_mcentral_uncache_locked(struct gom_mcentral *c,
					struct gom_span *old,
					struct list_head *dead)
{
	lockdep_assert_held(&c->lock);
	gom_span_sweep(old);
	c->nr_cached--;
	gom_mcentral_place(c, old, dead);
}

/**
 * gom_mcentral_swap() - give a cached span back and take a partial one
 * @c: the mcentral
 * @old: the span the mcache gives back (swept here), or NULL
 *
 * Context: Any context; the mcache lock may be held, not @c->lock.
 * Return: a span now owned by the caller, with a free slot, or NULL.
 */
struct gom_span *gom_mcentral_swap(struct gom_mcentral *c,
				   struct gom_span *old)
{
	struct gom_span *span;
	unsigned long flags;
	LIST_HEAD(dead);

	spin_lock_irqsave(&c->lock, flags);
	if (old)
		gom_mcentral_uncache_locked(c, old, &dead);
	span = list_first_entry_or_null(&c->partial, struct gom_span, list);
	if (span) {
		gom_mcentral_unlist(c, span);
		c->nr_cached++;
		WRITE_ONCE(span->state, GOM_SPAN_CACHED);
		gom_span_start_caching(span);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	gom_mcentral_free_dead(c, &dead);
	return span;
}

/**
 * gom_mcentral_uncache() - an mcache gives its current span back
 * @c: the mcentral
 * @old: the span
 *
 * Context: Any context; the mcache lock may be held, not @c->lock.
 */
void gom_mcentral_uncache(struct gom_mcentral *c, struct gom_span *old)
{
	unsigned long flags;
	LIST_HEAD(dead);

	spin_lock_irqsave(&c->lock, flags);
	gom_mcentral_uncache_locked(c, old, &dead);
	spin_unlock_irqrestore(&c->lock, flags);
	gom_mcentral_free_dead(c, &dead);
}

/* Side arrays of a fresh span (tiny blocks, debug sizes) and its poison. */
static int gom_mcentral_span_meta(struct gom_mcentral *c,
				  struct gom_span *span, gfp_t gfp)
{
	if (c->spc == GOM_TINY_SPANCLASS)
		return gom_tiny_span_init(span, gfp);
	if (!gom_debug_class(c->heap, span->elemsize))
		return 0;
	if (gom_span_debug_init(span, gfp))
		return -ENOMEM;
	gom_span_poison(c->heap, span);
	return 0;
}

/**
 * gom_mcentral_grow() - add a fresh span from the mheap to the partial list
 * @c: the mcentral
 * @gfp: the caller's flags
 *
 * Context: Any context allowed by @gfp; no gomalloc lock held.
 * Return: true if a span was added.
 */
bool gom_mcentral_grow(struct gom_mcentral *c, gfp_t gfp)
{
	struct gom_span *span;
	unsigned long flags;

	span = gom_mheap_alloc_span(c->heap, gom_class_to_npages[c->sizeclass],
				    gfp);
	if (!span)
		return false;
	gom_span_init_small(span, c->spc);
	if (gom_mcentral_span_meta(c, span, gfp)) {
		gom_mheap_free_span(c->heap, span);
		return false;
	}
	/* published before any of its objects can be handed out */
	gom_span_set_lookup(span, span);
	spin_lock_irqsave(&c->lock, flags);
	list_add(&span->list, &c->partial);
	c->nr_partial++;
	c->nr_empty++;
	WRITE_ONCE(span->state, GOM_SPAN_CENTRAL);
	spin_unlock_irqrestore(&c->lock, flags);
	return true;
}

/* === Frees === */

/*
 * The check at flush. The lockless free path can push one object twice
 * (two CPUs freeing it at once, or a second free after a write over its
 * marker), and both copies carry the marker then. The first copy that
 * reaches mcentral wipes it as the slot is freed: a copy left behind in a
 * free cache then fails the marker check where it is popped (reported,
 * never handed out), and one that reaches mcentral after the slot was
 * handed out again fails it here instead of freeing the slot of a live
 * object. A failed check is reported and the object dropped: its slot
 * stays allocated (quarantined) until the heap goes. Debug spans keep the
 * marker in free slots (validate checks it) and claim every free exactly
 * (gom_debug_free()), so they skip this.
 */
static bool gom_mcentral_claim(struct gom_mcentral *c, struct gom_span *span,
			       void *p, unsigned long caller)
{
	unsigned long *word = p;

	if (span->debug)
		return true;
	if (READ_ONCE(*word) != gom_free_marker(c->heap, p)) {
		gom_report(c->heap, GOM_ERR_FREELIST, p, caller);
		return false;
	}
	WRITE_ONCE(*word, 0);
	return true;
}

static void gom_mcentral_free_cached(struct gom_mcentral *c,
				     struct gom_span *span, unsigned int idx,
				     void *p, unsigned long caller)
{
	bool allocated = idx < READ_ONCE(span->freeindex) ||
			 test_bit(idx, span->alloc_bits);

	if (!allocated || test_bit(idx, span->freed_bits)) {
		gom_report(c->heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return;
	}
	if (gom_mcentral_claim(c, span, p, caller))
		__set_bit(idx, span->freed_bits);
}

static void gom_mcentral_free_one(struct gom_mcentral *c, void *p,
				  struct list_head *dead, unsigned long caller)
{
	struct gom_span *span = gom_spanof(p);
	unsigned int idx, state;
	bool moves;

	lockdep_assert_held(&c->lock);
	state = span ? READ_ONCE(span->state) : GOM_SPAN_FREE;
	if ((state != GOM_SPAN_CENTRAL && state != GOM_SPAN_CACHED) ||
	    span->heap != c->heap || span->spc != c->spc ||
	    !gom_span_index(span, p, &idx)) {
		gom_report(c->heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return;
	}
	if (state == GOM_SPAN_CACHED) {
		gom_mcentral_free_cached(c, span, idx, p, caller);
		return;
	}
	if (!test_bit(idx, span->alloc_bits)) {
		gom_report(c->heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return;
	}
	if (!gom_mcentral_claim(c, span, p, caller))
		return;
	/* full -> partial, or partial -> empty: move it */
	moves = span->alloc_count == span->nelems || span->alloc_count == 1;
	if (moves)
		gom_mcentral_unlist(c, span);
	__clear_bit(idx, span->alloc_bits);
	span->alloc_count--;
	if (moves)
		gom_mcentral_place(c, span, dead);
}

/**
 * gom_mcentral_free_batch() - take objects freed by an mcache
 * @c: the mcentral of their span class
 * @objs: the objects
 * @n: how many
 * @caller: return address reported for a bad object
 *
 * One lock round trip for the batch. Spans that become empty beyond the
 * reserve go back to the mheap.
 *
 * Context: Any context; the mcache lock may be held, not @c->lock.
 */
void gom_mcentral_free_batch(struct gom_mcentral *c, void **objs,
			     unsigned int n, unsigned long caller)
{
	unsigned long flags;
	unsigned int i;
	LIST_HEAD(dead);

	rcu_read_lock();
	spin_lock_irqsave(&c->lock, flags);
	for (i = 0; i < n; i++)
		gom_mcentral_free_one(c, objs[i], &dead, caller);
	spin_unlock_irqrestore(&c->lock, flags);
	rcu_read_unlock();
	gom_mcentral_free_dead(c, &dead);
}

/* === Reserve and teardown === */

/**
 * gom_mcentral_reserve_pages() - pages of the empty spans kept
 * @c: the mcentral
 *
 * Context: Any context; a racy read, for the shrinker's count.
 * Return: the pages gom_mcentral_release_reserve() would give back.
 */
unsigned long gom_mcentral_reserve_pages(struct gom_mcentral *c)
{
	return (unsigned long)READ_ONCE(c->nr_empty) *
	       gom_class_to_npages[c->sizeclass];
}

/**
 * gom_mcentral_release_reserve() - give the empty spans to the mheap
 * @c: the mcentral
 *
 * Context: Any context; no gomalloc lock held.
 * Return: pages given to the mheap.
 */
unsigned long gom_mcentral_release_reserve(struct gom_mcentral *c)
{
	struct gom_span *span, *tmp;
	unsigned long flags, pages = 0;
	LIST_HEAD(dead);

	if (!READ_ONCE(c->nr_empty))
		return 0;
	spin_lock_irqsave(&c->lock, flags);
	/* empty spans sit at the tail: stop at the last one (irqs are off) */
	list_for_each_entry_safe_reverse(span, tmp, &c->partial, list) {
		if (!c->nr_empty)
			break;
		if (span->alloc_count)
			continue;
		gom_mcentral_unlist(c, span);
		WRITE_ONCE(span->state, GOM_SPAN_FREE);
		list_add(&span->list, &dead);
		pages += span->npages;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	gom_mcentral_free_dead(c, &dead);
	return pages;
}
EXPORT_SYMBOL_NS_GPL(gom_mcentral_release_reserve, GOM_INTERNAL_NS);

/**
 * gom_mcentral_walk() - call @fn on every listed (uncached) span
 * @c: the mcentral
 * @fn: called with @c->lock held, under which the spans' bits are exact;
 *	must not sleep or take other gomalloc locks
 * @arg: passed to @fn
 *
 * Spans owned by mcaches are not listed and not walked.
 *
 * Context: Process context; takes @c->lock.
 */
void gom_mcentral_walk(struct gom_mcentral *c, gom_span_fn fn, void *arg)
{
	struct gom_span *span;

	spin_lock_irq(&c->lock);
	list_for_each_entry(span, &c->partial, list)
		fn(span, arg);
	list_for_each_entry(span, &c->full, list)
		fn(span, arg);
	spin_unlock_irq(&c->lock);
}

static unsigned long gom_mcentral_split(struct gom_mcentral *c,
					struct list_head *from,
					struct list_head *dead,
					struct list_head *live)
{
	struct gom_span *span, *tmp;
	unsigned long objs = 0;

	list_for_each_entry_safe(span, tmp, from, list) {
		gom_mcentral_unlist(c, span);
		if (span->alloc_count) {
			objs += span->alloc_count;
			list_add(&span->list, live);
		} else {
			WRITE_ONCE(span->state, GOM_SPAN_FREE);
			list_add(&span->list, dead);
		}
	}
	return objs;
}

/**
 * gom_mcentral_destroy() - empty an mcentral of a heap being destroyed
 * @c: the mcentral; every mcache of its heap is drained
 * @orphans: receives the spans with live objects, orphaned
 *
 * Empty spans go back to the mheap.
 *
 * Context: Process context, heap destroy.
 * Return: live objects found (tiny class: blocks).
 */
unsigned long gom_mcentral_destroy(struct gom_mcentral *c,
				   struct list_head *orphans)
{
	struct gom_span *span, *tmp;
	unsigned long objs;
	LIST_HEAD(dead);
	LIST_HEAD(live);

	spin_lock_irq(&c->lock);
	WARN_ON(c->nr_cached);
	objs = gom_mcentral_split(c, &c->partial, &dead, &live);
	objs += gom_mcentral_split(c, &c->full, &dead, &live);
	spin_unlock_irq(&c->lock);
	gom_mcentral_free_dead(c, &dead);
	list_for_each_entry_safe(span, tmp, &live, list) {
		gom_span_orphan(span);
		list_move(&span->list, orphans);
	}
	return objs;
}
