// SPDX-License-Identifier: GPL-2.0
/*
 * mheap: the page heap of one heap (Go's mheap_ and its page allocator).
 *
 * Arenas are physically contiguous blocks of pages from the page
 * allocator (pages.c), GOM_ARENA_ORDER (2 MiB, hugepage aligned) when the
 * buddy allocator has one, smaller orders (down to what the request needs)
 * when memory is fragmented. Each arena is split into order-0 pages so
 * that they can be given back one by one. Inside arenas the mheap hands
 * out page runs: first fit by address over the arenas (kept sorted by
 * address) and over a per-arena page bitmap. That is Go's page allocator
 * policy; Go's radix summaries only make the same search fast over a
 * 48-bit address space. With a handful of arenas per heap a per-arena
 * cached longest free run is enough to skip arenas that cannot serve a
 * request. Coalescing is implicit in the bitmap.
 *
 * A page is in use (part of a span), idle (free, still held) or released
 * (given back to the page allocator: a hole that the arena can never
 * reuse, as the direct map has no virtual memory to put a new page behind
 * it). gom_mheap_scavenge() releases idle pages, highest arenas first, a
 * batch at a time; an arena whose pages are all released is freed. Only
 * pages that have settled are released: a page freed from a small span
 * cools until a quiesce (gom_mheap_quiesce_begin(), an RCU grace period
 * and a drain of every free cache, gom_mheap_quiesce_end(), driven by
 * heap.c) has passed over it, so that no free cache entry and no lockless
 * free can still point into it when it leaves the heap (struct
 * gom_arena). Go's accounting holds: HeapSys = arena bytes (holes
 * included) + direct large objects, HeapIdle = idle + released,
 * HeapReleased = released, HeapInuse = pages in spans, HeapInuse +
 * HeapIdle == HeapSys.
 *
 * Large objects above an arena are direct spans: the exact page count
 * straight from the page allocator, still in the lookup index, on the
 * mheap's large list and in its statistics. The mheap owns that list.
 * See malloc.c for the whole map.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "gomalloc_internal.h"

/* === Arenas === */

static unsigned int gom_arena_longest(const struct gom_arena *a)
{
	unsigned int best = 0, start = 0, end;

	for (;;) {
		start = find_next_zero_bit(a->busy, a->npages, start);
		if (start >= a->npages)
			return best;
		end = find_next_bit(a->busy, a->npages, start);
		best = max(best, end - start);
		start = end;
	}
}

/* Length of the free run of @a that holds free page @page. */
static unsigned int gom_arena_run_at(const struct gom_arena *a,
				     unsigned int page)
{
	unsigned int end = find_next_bit(a->busy, a->npages, page);
	unsigned int prev = find_last_bit(a->busy, page);

	return end - (prev == page ? 0 : prev + 1);
}

static struct gom_arena *gom_arena_new(unsigned int need_order, gfp_t gfp)
{
	struct gom_arena *a;
	struct page *page = NULL;
	unsigned int order;
	gfp_t g;

	/* a->base points at objects: kept out of kmemleak's scan */
	a = gom_meta_zalloc(sizeof(*a), gfp);
	if (!a)
		return NULL;
	/* 2 MiB when the buddy allocator has it, smaller when fragmented */
	for (order = GOM_ARENA_ORDER; order >= need_order; order--) {
		g = order > need_order ? gom_arena_try_gfp(gfp) : gfp;
		page = gom_pages_alloc(order, g);
		if (page || !order)
			break;
	}
	if (!page)
		goto err_arena;
	a->base = (unsigned long)page_address(page);
	a->order = order;
	a->npages = 1U << order;
	a->longest = a->npages;
	if (gom_lookup_get(a->base, a->base + (PAGE_SIZE << order), gfp))
		goto err_pages;
	gom_kasan_pages(a->base, a->npages, true);	/* idle, all of it */
	return a;

err_pages:
	gom_pages_free(a->base, a->npages);
err_arena:
	kfree(a);
	return NULL;
}

/* Give every page still held back, drop the frame, free the metadata. */
static void gom_arena_free(struct gom_arena *a)
{
	unsigned int i;

	for (i = 0; i < a->npages; i++)
		if (!test_bit(i, a->released))
			gom_pages_free(a->base + i * PAGE_SIZE, 1);
	gom_lookup_put(a->base, a->base + ((unsigned long)a->npages << PAGE_SHIFT));
	kfree(a);
}

static void gom_mheap_insert_arena(struct gom_mheap *h, struct gom_arena *a)
{
	struct gom_arena *pos;

	lockdep_assert_held(&h->lock);
	list_for_each_entry(pos, &h->arenas, list)
		if (pos->base > a->base)
			break;
	list_add_tail(&a->list, &pos->list);
	h->nr_arenas++;
	h->arena_pages += a->npages;
}

/* First fit by address: Go's page allocator policy. */
static struct gom_arena *gom_mheap_find_run(struct gom_mheap *h,
					    unsigned int npages,
					    unsigned int *start)
{
	unsigned long s, run;
	struct gom_arena *a;

	lockdep_assert_held(&h->lock);
	list_for_each_entry(a, &h->arenas, list) {
		if (a->longest < npages)
			continue;
		s = bitmap_find_next_zero_area(a->busy, a->npages, 0, npages, 0);
		if (WARN_ON_ONCE(s >= a->npages))
			continue;
		run = find_next_bit(a->busy, a->npages, s) - s;
		bitmap_set(a->busy, s, npages);
		a->ninuse += npages;
		/* only carving a longest run can shorten the longest */
		if (run == a->longest)
			a->longest = gom_arena_longest(a);
		h->inuse_pages += npages;
		*start = s;
		return a;
	}
	return NULL;
}

/* === mheap === */

/**
 * gom_mheap_init() - set an empty mheap up
 * @h: the mheap
 *
 * Context: Any context.
 */
void gom_mheap_init(struct gom_mheap *h)
{
	spin_lock_init(&h->lock);
	INIT_LIST_HEAD(&h->arenas);
	INIT_LIST_HEAD(&h->large);
}

/**
 * gom_mheap_alloc_span() - a span of @npages pages from the heap's arenas
 * @heap: the heap
 * @npages: 1..GOM_ARENA_PAGES
 * @gfp: the caller's flags; a new arena is allocated with them
 *
 * The span is not yet in the lookup index: the caller sets it up, then
 * publishes it with gom_span_set_lookup().
 *
 * Context: Any context allowed by @gfp; no gomalloc lock held.
 * Return: the span (state GOM_SPAN_FREE), or NULL.
 */
struct gom_span *gom_mheap_alloc_span(struct gom_heap *heap,
				      unsigned int npages, gfp_t gfp)
{
	struct gom_mheap *h = &heap->mheap;
	struct gom_arena *a, *new;
	struct gom_span *span;
	unsigned long flags;
	unsigned int start;

	span = gom_span_alloc(gfp);
	if (!span)
		return NULL;
	spin_lock_irqsave(&h->lock, flags);
	while (!(a = gom_mheap_find_run(h, npages, &start))) {
		spin_unlock_irqrestore(&h->lock, flags);
		new = gom_arena_new(order_base_2(npages), gfp);
		if (!new) {
			gom_span_free(span);
			return NULL;
		}
		spin_lock_irqsave(&h->lock, flags);
		gom_mheap_insert_arena(h, new);
	}
	h->nr_spans++;
	spin_unlock_irqrestore(&h->lock, flags);

	span->base = a->base + (unsigned long)start * PAGE_SIZE;
	span->npages = npages;
	span->arena = a;
	span->heap = heap;
	gom_kasan_pages(span->base, npages, false);
	return span;
}
EXPORT_SYMBOL_NS_GPL(gom_mheap_alloc_span, GOM_INTERNAL_NS);

/*
 * Give an arena span's pages back as idle, cooling (struct gom_arena) when
 * @cools: a small span's, whose objects may still be named by a free cache
 * (a large object's state is exact, nothing caches a pointer to it).
 */
static void gom_mheap_free_run(struct gom_heap *heap, struct gom_span *span,
			       bool cools)
{
	struct gom_mheap *h = &heap->mheap;
	struct gom_arena *a = span->arena;
	unsigned int start = (span->base - a->base) >> PAGE_SHIFT;
	unsigned long flags;

	WRITE_ONCE(span->state, GOM_SPAN_FREE);
	gom_span_set_lookup(span, NULL);
	/*
	 * init_on_free, as the page allocator does for freed pages: a small
	 * span's free objects hold their markers, which the run's next span
	 * (another class) would hand out inside its objects. Large runs are
	 * wiped by their free (large.c).
	 */
	if (cools && want_init_on_free())
		memset((void *)span->base, 0, (size_t)span->npages << PAGE_SHIFT);
	gom_kasan_pages(span->base, span->npages, true);
	spin_lock_irqsave(&h->lock, flags);
	bitmap_clear(a->busy, start, span->npages);
	if (cools)
		bitmap_set(a->cooling, start, span->npages);
	a->ninuse -= span->npages;
	a->longest = max(a->longest, gom_arena_run_at(a, start));
	h->inuse_pages -= span->npages;
	h->nr_spans--;
	spin_unlock_irqrestore(&h->lock, flags);
	gom_span_free(span);
}

/**
 * gom_mheap_free_span() - give a small span's pages back to its arena
 * @heap: the heap
 * @span: a span no list or CPU refers to; its struct is freed
 *
 * The pages are idle, and cool until the next quiesce.
 *
 * Context: Any context; no mheap lock held.
 */
void gom_mheap_free_span(struct gom_heap *heap, struct gom_span *span)
{
	gom_mheap_free_run(heap, span, true);
}
EXPORT_SYMBOL_NS_GPL(gom_mheap_free_span, GOM_INTERNAL_NS);

/* === Direct spans: larger than an arena === */

/*
 * gom_mheap_alloc_direct() - exactly @npages pages from the page allocator
 * @heap: the heap accounting for them
 * @npages: more than an arena, at most GOM_MAX_ALLOC_SIZE in pages
 * @gfp: the caller's flags
 *
 * alloc_pages_exact() style: the smallest order that holds @npages, split,
 * its tail given back at once. Registered in the lookup frames it covers
 * (unpublished, as gom_mheap_alloc_span()). Returns the span, or NULL.
 */
static struct gom_span *gom_mheap_alloc_direct(struct gom_heap *heap,
					       unsigned int npages, gfp_t gfp)
{
	unsigned int order = order_base_2(npages);
	struct gom_mheap *h = &heap->mheap;
	struct gom_span *span;
	unsigned long flags, base;
	struct page *page;

	span = gom_span_alloc(gfp);
	if (!span)
		return NULL;
	page = gom_pages_alloc(order, gfp);
	if (!page)
		goto err_span;
	base = (unsigned long)page_address(page);
	gom_pages_free(base + ((unsigned long)npages << PAGE_SHIFT),
		       (1U << order) - npages);
	if (gom_lookup_get(base, base + ((unsigned long)npages << PAGE_SHIFT), gfp))
		goto err_pages;

	span->base = base;
	span->npages = npages;
	span->heap = heap;
	spin_lock_irqsave(&h->lock, flags);
	h->direct_pages += npages;
	h->nr_spans++;
	spin_unlock_irqrestore(&h->lock, flags);
	return span;

err_pages:
	gom_pages_free(base, npages);
err_span:
	gom_span_free(span);
	return NULL;
}

/* Give a direct span's pages back; @span is off every list, its struct freed. */
static void gom_mheap_free_direct(struct gom_heap *heap,
				  struct gom_span *span)
{
	unsigned long end = span->base + gom_span_bytes(span);
	struct gom_mheap *h = &heap->mheap;
	unsigned long flags;

	WRITE_ONCE(span->state, GOM_SPAN_FREE);
	gom_span_set_lookup(span, NULL);
	gom_lookup_put(span->base, end);
	gom_pages_free(span->base, span->npages);
	spin_lock_irqsave(&h->lock, flags);
	h->direct_pages -= span->npages;
	h->nr_spans--;
	spin_unlock_irqrestore(&h->lock, flags);
	gom_span_free(span);
}

/* === Large spans: the mheap's list of large objects === */

/**
 * gom_mheap_alloc_large() - the pages of a large object, exactly @npages
 * @heap: the heap
 * @npages: more than a small span, at most GOM_MAX_ALLOC_SIZE in pages
 * @gfp: the caller's flags
 *
 * A page run of an arena when it fits one, else a direct span. Not yet
 * published or listed: the caller sets it up, then calls
 * gom_mheap_publish_large().
 *
 * Context: Any context allowed by @gfp; no gomalloc lock held.
 * Return: the span (state GOM_SPAN_FREE), or NULL.
 */
struct gom_span *gom_mheap_alloc_large(struct gom_heap *heap,
				       unsigned int npages, gfp_t gfp)
{
	if (npages <= GOM_ARENA_PAGES)
		return gom_mheap_alloc_span(heap, npages, gfp);
	return gom_mheap_alloc_direct(heap, npages, gfp);
}

/**
 * gom_mheap_publish_large() - list a set-up large span and make it live
 * @heap: the heap
 * @span: from gom_mheap_alloc_large(), its object fields set
 *
 * Published in the lookup index before it is listed: validate checks the
 * entries of listed spans.
 *
 * Context: Any context; no mheap lock held.
 */
void gom_mheap_publish_large(struct gom_heap *heap, struct gom_span *span)
{
	struct gom_mheap *h = &heap->mheap;
	unsigned long flags;

	gom_span_set_lookup(span, span);
	spin_lock_irqsave(&h->lock, flags);
	list_add(&span->list, &h->large);
	WRITE_ONCE(span->state, GOM_SPAN_LARGE);
	spin_unlock_irqrestore(&h->lock, flags);
}

/**
 * gom_mheap_free_large() - give a large span whose object is gone back
 * @heap: the heap
 * @span: a listed large span no CPU refers to; its struct is freed
 *
 * Context: Any context; no mheap lock held.
 */
void gom_mheap_free_large(struct gom_heap *heap, struct gom_span *span)
{
	unsigned long flags;

	spin_lock_irqsave(&heap->mheap.lock, flags);
	list_del_init(&span->list);
	spin_unlock_irqrestore(&heap->mheap.lock, flags);
	if (span->arena)
		gom_mheap_free_run(heap, span, false);
	else
		gom_mheap_free_direct(heap, span);
}

/**
 * gom_mheap_walk_large() - call @fn on every listed large span
 * @heap: the heap
 * @fn: called with the mheap lock held; must not sleep or take gomalloc
 *	locks
 * @arg: passed to @fn
 *
 * Context: Process context; takes the mheap lock.
 */
void gom_mheap_walk_large(struct gom_heap *heap, gom_span_fn fn, void *arg)
{
	struct gom_span *span;

	spin_lock_irq(&heap->mheap.lock);
	list_for_each_entry(span, &heap->mheap.large, list)
		fn(span, arg);
	spin_unlock_irq(&heap->mheap.lock);
}

/* === Scavenger === */

/* Pages gom_mheap_scavenge() releases per mheap lock hold: bounds irqs off. */
#define GOM_SCAVENGE_BATCH	64

/* Idle, settled, not released: a page the scavenger may give back. */
static bool gom_arena_page_settled(const struct gom_arena *a, unsigned int i)
{
	return !test_bit(i, a->busy) && !test_bit(i, a->cooling) &&
	       !test_bit(i, a->settling);
}

/* Release up to @nr settled idle pages of @a, highest first. */
static unsigned long gom_arena_release(struct gom_mheap *h,
				       struct gom_arena *a, unsigned long nr)
{
	unsigned long done = 0;
	int i;

	lockdep_assert_held(&h->lock);
	for (i = a->npages - 1; i >= 0 && done < nr; i--) {
		if (!gom_arena_page_settled(a, i))
			continue;
		__set_bit(i, a->busy);
		__set_bit(i, a->released);
		gom_pages_free(a->base + (unsigned long)i * PAGE_SIZE, 1);
		done++;
	}
	if (done) {
		a->nreleased += done;
		a->longest = gom_arena_longest(a);
		h->released_pages += done;
		h->nr_released_total += done;
	}
	return done;
}

/*
 * One batch: up to @nr pages from the highest arenas that have settled idle
 * pages. An arena left with every page released goes on @dead.
 */
static unsigned long gom_mheap_scavenge_batch(struct gom_mheap *h,
					      unsigned long nr,
					      struct list_head *dead)
{
	struct gom_arena *a, *tmp;
	unsigned long done = 0, flags;

	spin_lock_irqsave(&h->lock, flags);
	list_for_each_entry_safe_reverse(a, tmp, &h->arenas, list) {
		if (done >= nr)
			break;
		done += gom_arena_release(h, a, nr - done);
		if (a->nreleased == a->npages) {
			list_move(&a->list, dead);
			h->nr_arenas--;
			h->arena_pages -= a->npages;
			h->released_pages -= a->npages;
		}
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return done;
}

/**
 * gom_mheap_scavenge() - give settled idle pages back to the page allocator
 * @heap: the heap
 * @nr: most pages to release
 *
 * Highest arenas first, as Go's scavenger, GOM_SCAVENGE_BATCH pages per
 * hold of the mheap lock. Pages still cooling stay (struct gom_arena). An
 * arena left with every page released is freed with its metadata.
 *
 * Context: Any context; no gomalloc lock held.
 * Return: pages released.
 */
unsigned long gom_mheap_scavenge(struct gom_heap *heap, unsigned long nr)
{
	struct gom_mheap *h = &heap->mheap;
	struct gom_arena *a, *tmp;
	unsigned long done = 0, got;
	LIST_HEAD(dead);

	do {
		got = gom_mheap_scavenge_batch(h, min_t(unsigned long, nr - done,
							GOM_SCAVENGE_BATCH),
					       &dead);
		done += got;
	} while (got && done < nr);
	list_for_each_entry_safe(a, tmp, &dead, list)
		gom_arena_free(a);
	return done;
}
EXPORT_SYMBOL_NS_GPL(gom_mheap_scavenge, GOM_INTERNAL_NS);

/**
 * gom_mheap_quiesce_begin() - start settling the pages freed so far
 * @heap: the heap
 *
 * The pages that cool now settle at the next gom_mheap_quiesce_end(); the
 * caller waits for an RCU grace period and drains every free cache of
 * @heap in between (heap.c).
 *
 * Context: Any context; no gomalloc lock held.
 */
void gom_mheap_quiesce_begin(struct gom_heap *heap)
{
	struct gom_mheap *h = &heap->mheap;
	struct gom_arena *a;
	unsigned long flags;

	spin_lock_irqsave(&h->lock, flags);
	list_for_each_entry(a, &h->arenas, list) {
		bitmap_or(a->settling, a->settling, a->cooling, a->npages);
		bitmap_zero(a->cooling, a->npages);
	}
	spin_unlock_irqrestore(&h->lock, flags);
}
EXPORT_SYMBOL_NS_GPL(gom_mheap_quiesce_begin, GOM_INTERNAL_NS);

/**
 * gom_mheap_quiesce_end() - the pages of the last quiesce have settled
 * @heap: the heap, quiesced since gom_mheap_quiesce_begin()
 *
 * Context: Any context; no gomalloc lock held.
 */
void gom_mheap_quiesce_end(struct gom_heap *heap)
{
	struct gom_mheap *h = &heap->mheap;
	struct gom_arena *a;
	unsigned long flags;

	spin_lock_irqsave(&h->lock, flags);
	list_for_each_entry(a, &h->arenas, list)
		bitmap_zero(a->settling, a->npages);
	spin_unlock_irqrestore(&h->lock, flags);
}
EXPORT_SYMBOL_NS_GPL(gom_mheap_quiesce_end, GOM_INTERNAL_NS);

/**
 * gom_mheap_idle_pages() - idle pages a scavenge could release now
 * @heap: the heap
 *
 * Context: Any context; a racy read.
 * Return: the number of idle pages.
 */
unsigned long gom_mheap_idle_pages(struct gom_heap *heap)
{
	struct gom_mheap *h = &heap->mheap;
	long idle = READ_ONCE(h->arena_pages) - READ_ONCE(h->inuse_pages) -
		    READ_ONCE(h->released_pages);

	/* three racy reads can disagree: never hand the shrinker a wrap */
	return max(idle, 0L);
}

/**
 * gom_mheap_info() - a consistent snapshot of an mheap's figures
 * @heap: the heap
 * @info: filled in
 *
 * Context: Any context; takes the mheap lock for a walk over the arenas.
 */
void gom_mheap_info(struct gom_heap *heap, struct gom_mheap_info *info)
{
	struct gom_mheap *h = &heap->mheap;
	struct gom_arena *a;
	unsigned long flags;

	memset(info, 0, sizeof(*info));
	spin_lock_irqsave(&h->lock, flags);
	info->nr_arenas = h->nr_arenas;
	info->sys_pages = h->arena_pages + h->direct_pages;
	info->inuse_pages = h->inuse_pages + h->direct_pages;
	info->released_pages = h->released_pages;
	info->idle_pages = h->arena_pages - h->inuse_pages - h->released_pages;
	info->direct_pages = h->direct_pages;
	info->nr_spans = h->nr_spans;
	list_for_each_entry(a, &h->arenas, list)
		info->longest = max_t(unsigned long, info->longest, a->longest);
	spin_unlock_irqrestore(&h->lock, flags);
}
EXPORT_SYMBOL_NS_GPL(gom_mheap_info, GOM_INTERNAL_NS);

/**
 * gom_mheap_show_arenas() - one line per arena, for debugfs
 * @heap: the heap
 * @m: the seq_file
 *
 * Context: Process context; holds the mheap lock for the walk.
 */
void gom_mheap_show_arenas(struct gom_heap *heap, struct seq_file *m)
{
	struct gom_mheap *h = &heap->mheap;
	struct gom_arena *a;
	unsigned int i = 0;

	spin_lock_irq(&h->lock);
	list_for_each_entry(a, &h->arenas, list)
		seq_printf(m, "arena %u: order %u pages %u inuse %u idle %u released %u longest %u\n",
			   i++, a->order, a->npages, a->ninuse,
			   a->npages - a->ninuse - a->nreleased, a->nreleased,
			   a->longest);
	spin_unlock_irq(&h->lock);
}

/* === Heap teardown === */

/* Orphan the large objects still listed: they stay with their users. */
static unsigned long gom_mheap_orphan_large(struct gom_mheap *h,
					    struct list_head *spans)
{
	struct gom_span *span, *tmp;
	unsigned long n = 0;
	LIST_HEAD(live);

	spin_lock_irq(&h->lock);
	list_splice_init(&h->large, &live);
	spin_unlock_irq(&h->lock);
	list_for_each_entry_safe(span, tmp, &live, list) {
		gom_span_orphan(span);
		list_move(&span->list, spans);
		n++;
	}
	return n;
}

/**
 * gom_mheap_destroy() - take an mheap apart at heap destroy
 * @heap: the heap; every small span of it is freed or orphaned
 * @spans: receives the large spans still in use, orphaned
 * @arenas: receives the arenas holding orphaned spans, their idle pages
 *	released; gom_mheap_free_arenas() frees them at unload
 *
 * Arenas with no page in use are freed.
 *
 * Context: Process context, heap destroy.
 * Return: the number of large objects still live.
 */
unsigned long gom_mheap_destroy(struct gom_heap *heap, struct list_head *spans,
				struct list_head *arenas)
{
	struct gom_mheap *h = &heap->mheap;
	struct gom_arena *a, *tmp;
	unsigned long n;
	LIST_HEAD(dead);

	n = gom_mheap_orphan_large(h, spans);
	spin_lock_irq(&h->lock);
	list_for_each_entry_safe(a, tmp, &h->arenas, list) {
		if (a->ninuse) {
			/* drained, no user left: nothing can point into them */
			bitmap_zero(a->cooling, a->npages);
			bitmap_zero(a->settling, a->npages);
			gom_arena_release(h, a, a->npages);
			list_move(&a->list, arenas);
		} else {
			list_move(&a->list, &dead);
		}
	}
	spin_unlock_irq(&h->lock);
	gom_mheap_free_arenas(&dead);
	return n;
}

/**
 * gom_mheap_free_orphan() - give back an orphaned span's pages at unload
 * @span: an orphan, off every list, its objects forgotten by kmemleak;
 *	its struct is freed
 *
 * A direct span's pages go back here; an arena span's go with its arena
 * (gom_mheap_free_arenas()).
 *
 * Context: Process context, module exit.
 */
void gom_mheap_free_orphan(struct gom_span *span)
{
	gom_span_set_lookup(span, NULL);
	if (!span->arena) {
		gom_lookup_put(span->base, span->base + gom_span_bytes(span));
		gom_pages_free(span->base, span->npages);
	}
	gom_span_free(span);
}

/**
 * gom_mheap_free_arenas() - free arenas taken off their mheap
 * @arenas: the arenas; every page still held goes back
 *
 * Context: Process context.
 */
void gom_mheap_free_arenas(struct list_head *arenas)
{
	struct gom_arena *a, *tmp;

	list_for_each_entry_safe(a, tmp, arenas, list) {
		list_del(&a->list);
		gom_arena_free(a);
	}
}
