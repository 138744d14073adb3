/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcache: the fast path, inline into gom_alloc() and gom_free() (malloc.c).
 */
#ifndef _GOMALLOC_MCACHE_INLINE_H
#define _GOMALLOC_MCACHE_INLINE_H

#include "debug.h"
#include "mcache.h"
#include "span.h"

/*
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

#endif /* _GOMALLOC_MCACHE_INLINE_H */
