/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcache: the fast path, inline into gom_alloc() and gom_free() (malloc.c).
 */
#ifndef _GOMALLOC_MCACHE_INLINE_H
#define _GOMALLOC_MCACHE_INLINE_H

#include <linux/string.h>

#include "debug.h"
#include "mheap.h"
#include "mcache.h"
#include "span.h"

/*
 * Go inlines nextFreeFast into mallocgc; here the pop and push of a free
 * cache are inlined into gom_alloc() and gom_free(), so that an allocation
 * or a free that the free cache serves makes no call at all (every call
 * from a module is an indirect one on some configurations), and the
 * ownership step is a per-CPU flag with preemption off. Anything else (an
 * empty or full cache, a debug heap, a free marker that fails its check)
 * goes to the out-of-line *_locked functions of mcache.c; a context that
 * finds the mcache owned goes to its *_nested functions.
 */

/**
 * gom_mcache_own() - own this CPU's mcache of a heap
 * @heap: the heap
 *
 * Go's P owns its mcache; here the owner is whichever context of this CPU
 * got there first: preemption goes off and the mcache's trylock flag is
 * set (gomalloc_compat.h: local_trylock_t's semantics), interrupts stay
 * on. An interrupt or softirq that arrives meanwhile gets NULL and is
 * served by gom_mcache_alloc_nested()/gom_mcache_free_nested() without
 * touching the owner's state. On PREEMPT_RT every caller is a task and
 * this is a local_lock() that always succeeds.
 *
 * Context: Any context but NMI.
 * Return: the mcache, owned until gom_mcache_disown(); NULL when a context
 * this one interrupted owns it.
 */
static __always_inline struct gom_mcache *gom_mcache_own(struct gom_heap *heap)
{
	struct gom_local_trylock *tl = gom_local_trylock(&heap->mcache->lock);

	/* the trylock found this CPU's instance: no second per-CPU lookup */
	return likely(tl) ? container_of(tl, struct gom_mcache, lock) : NULL;
}

/**
 * gom_mcache_disown() - end the ownership gom_mcache_own() gave
 * @heap: the heap
 * @c: the mcache it returned
 *
 * Context: The owner, on the CPU it owns the mcache of.
 */
static __always_inline void gom_mcache_disown(struct gom_heap *heap,
					      struct gom_mcache *c)
{
	gom_local_unlock(&heap->mcache->lock, &c->lock);
}

/*
 * gom_mcache_pop() - the most recently freed object of a span class, if its
 * free marker is intact; NULL sends the caller to gom_mcache_alloc_locked(),
 * which also reports and quarantines a corrupted one. Not for debug heaps.
 * Context: @c owned (gom_mcache_own()).
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
	if (unlikely(gom_marker_word(obj) != gom_free_marker(heap, obj)))
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
 * Context: @c owned (gom_mcache_own()).
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
 * Context: @c owned (gom_mcache_own()).
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
 * Context: @c owned (gom_mcache_own()).
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

/*
 * === Freed large runs ===
 *
 * Inline into large.c, as they were before the large cache moved into
 * the mcache: a call more on UML's large path cost 8%.
 */

/* The most recently cached span of exactly @npages pages, taken out. */
static inline struct gom_span *gom_large_cache_take(struct gom_mcache *c,
						    unsigned int npages)
{
	struct gom_span *span;
	unsigned int i = c->large_cache_nr;

	while (i--) {
		span = c->large_cache[i];
		if (span->npages != npages)
			continue;
		memmove(&c->large_cache[i], &c->large_cache[i + 1],
			(c->large_cache_nr - i - 1) * sizeof(span));
		c->large_cache_nr--;
		c->large_cache_pages -= npages;
		return span;
	}
	return NULL;
}

/*
 * Keep @span, evicting the oldest runs until it fits both bounds; return
 * how many were evicted into @old (GOM_LARGE_CACHE_SPANS at most: @span
 * alone fits once the cache is empty).
 */
static inline unsigned int gom_large_cache_put(struct gom_mcache *c,
					       struct gom_span *span,
					       struct gom_span **old)
{
	unsigned int n = 0;

	while (c->large_cache_nr == GOM_LARGE_CACHE_SPANS ||
	       c->large_cache_pages + span->npages > GOM_LARGE_CACHE_PAGES) {
		old[n] = c->large_cache[0];
		c->large_cache_nr--;
		c->large_cache_pages -= old[n]->npages;
		memmove(&c->large_cache[0], &c->large_cache[1],
			c->large_cache_nr * sizeof(span));
		n++;
	}
	c->large_cache[c->large_cache_nr++] = span;
	c->large_cache_pages += span->npages;
	return n;
}

/**
 * gom_mcache_large_take() - a large run of @npages this CPU freed recently
 * @heap: the heap
 * @npages: the exact page count wanted
 *
 * Context: Any context; no gomalloc lock held.
 * Return: the span (state GOM_SPAN_LARGE_CACHED, pages poisoned), or NULL
 * (none, or this CPU's mcache owned by an interrupted context).
 */
static __always_inline struct gom_span *
gom_mcache_large_take(struct gom_heap *heap, unsigned int npages)
{
	struct gom_mcache *c = gom_mcache_own(heap);
	struct gom_span *span;

	if (unlikely(!c))
		return NULL;	/* nested: a new run from the mheap */
	span = gom_large_cache_take(c, npages);
	gom_mcache_disown(heap, c);
	return span;
}

/**
 * gom_mcache_large_keep() - keep a freed large run in this CPU's cache
 * @heap: the heap
 * @span: a large span whose object was freed (state GOM_SPAN_LARGE_CACHED)
 *
 * The oldest runs evicted to keep the cache within GOM_LARGE_CACHE_SPANS
 * runs and GOM_LARGE_CACHE_PAGES pages go back to the mheap; so does
 * @span itself when this CPU's mcache is owned by a context this one
 * interrupted.
 *
 * Context: Any context; no gomalloc lock held.
 */
static __always_inline void gom_mcache_large_keep(struct gom_heap *heap,
						  struct gom_span *span)
{
	struct gom_span *old[GOM_LARGE_CACHE_SPANS];
	struct gom_mcache *c = gom_mcache_own(heap);
	unsigned int n;

	if (unlikely(!c)) {
		/* nested: straight back to the mheap */
		gom_mheap_free_large(heap, span);
		return;
	}
	n = gom_large_cache_put(c, span, old);
	gom_mcache_disown(heap, c);
	while (n--)
		gom_mheap_free_large(heap, old[n]);
}

#endif /* _GOMALLOC_MCACHE_INLINE_H */
