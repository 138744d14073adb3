// SPDX-License-Identifier: GPL-2.0
/*
 * mheap: arenas, page runs, the address-to-span lookup and the scavenger;
 * see gomalloc_internal.h.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/kmemleak.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

#include "gomalloc_internal.h"

/* === Page allocator === */

/* What an arena or metadata allocation keeps of the caller's gfp. */
#define GOM_GFP_KEEP	(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HIGH | \
			 __GFP_NOWARN | __GFP_NORETRY | __GFP_RETRY_MAYFAIL | \
			 __GFP_NOFAIL | __GFP_MEMALLOC | __GFP_NOMEMALLOC | \
			 __GFP_HARDWALL | __GFP_NOLOCKDEP)

/**
 * gom_meta_gfp() - gfp for gomalloc's own metadata on behalf of a caller
 * @gfp: the caller's flags
 *
 * Context: Any context.
 * Return: @gfp less zone, zeroing and accounting modifiers, never warning.
 */
gfp_t gom_meta_gfp(gfp_t gfp)
{
	return (gfp & GOM_GFP_KEEP & ~__GFP_NOFAIL) | __GFP_NOWARN;
}

/**
 * gom_pages_alloc() - every page gomalloc takes from the page allocator
 * @order: order of the block
 * @gfp: flags, already filtered
 *
 * The one place where gomalloc calls the page allocator, and a fault
 * injection point (/sys/kernel/debug/gomalloc/fail). The block is split into
 * order-0 pages so that they can be given back one by one. kmemleak does not
 * track page allocator pages: objects carved from them are registered one by
 * one when handed out.
 *
 * Context: Any context allowed by @gfp.
 * Return: the first page, or NULL.
 */
struct page *gom_pages_alloc(unsigned int order, gfp_t gfp)
{
	struct page *page;

	if (gom_should_fail(PAGE_SIZE << order, gfp))
		return NULL;
	page = alloc_pages(gfp & GOM_GFP_KEEP, order);
	if (page && order)
		split_page(page, order);
	return page;
}

static void gom_pages_free(unsigned long addr, unsigned int npages)
{
	struct page *page = virt_to_page((void *)addr);
	unsigned int i;

	for (i = 0; i < npages; i++)
		__free_page(page + i);
}

/* === Lookup: Go's heapArena.spans === */

/*
 * Go keeps one flat index of arenas (arenaL2Bits = 22 on linux/amd64); the
 * kernel's counterpart is one flat table with an entry per 2 MiB frame of
 * the direct map, sized for the memory present at load and grown (copied,
 * published under RCU) when hot-added memory beyond it comes into use:
 * 8 bytes per 2 MiB, 96 KiB for 24 GiB. A lookup is a bounds check and two
 * dependent loads, and any address outside the direct map falls outside
 * the table, so gom_free() needs no virt_addr_valid() first.
 */
struct gom_frame_table __rcu *gom_frame_tab;
static DEFINE_SPINLOCK(gom_frames_lock);	/* LOCK ORDER 6 */
static struct kmem_cache *gom_frame_cache;

static unsigned long gom_frame_index(unsigned long addr)
{
	return gom_dmap_offset((const void *)addr) >> GOM_FRAME_SHIFT;
}

static unsigned int gom_frame_slot(unsigned long addr)
{
	return (gom_dmap_offset((const void *)addr) >> PAGE_SHIFT) &
	       (GOM_FRAME_PAGES - 1);
}

/**
 * gom_spanof() - the span holding an address: Go's spanOf
 * @p: any address
 *
 * Context: Any context, under rcu_read_lock().
 * Return: the span, or NULL when the address is not in a gomalloc span.
 */
struct gom_span *gom_spanof(const void *p)
{
	return gom_lookup_span(p);
}
EXPORT_SYMBOL_NS_GPL(gom_spanof, GOM_INTERNAL_NS);

static struct gom_frame_table *gom_frame_table_alloc(unsigned long nr,
						     gfp_t gfp)
{
	struct gom_frame_table *t;
	size_t size = struct_size(t, frames, nr);

	if (gfpflags_allow_blocking(gfp))
		t = kvzalloc(size, gom_meta_gfp(gfp));
	else
		t = kzalloc(size, gom_meta_gfp(gfp));
	if (t)
		t->nr = nr;
	return t;
}

static unsigned long gom_frame_table_nr(void)
{
	unsigned long nr;

	rcu_read_lock();
	nr = rcu_dereference(gom_frame_tab)->nr;
	rcu_read_unlock();
	return nr;
}

/* The current table, under gom_frames_lock. */
static struct gom_frame_table *gom_frame_table_locked(void)
{
	return rcu_dereference_protected(gom_frame_tab,
					 lockdep_is_held(&gom_frames_lock));
}

/*
 * Make the table cover frame @idx: memory hot-added beyond the table's end.
 * The old table is freed after a grace period; lookups in it stay valid.
 */
static int gom_frame_table_grow(unsigned long idx, gfp_t gfp)
{
	struct gom_frame_table *old, *t;
	unsigned long flags;

	t = gom_frame_table_alloc(max(idx + 1, 2 * gom_frame_table_nr()), gfp);
	if (!t)
		return -ENOMEM;
	spin_lock_irqsave(&gom_frames_lock, flags);
	old = gom_frame_table_locked();
	if (old->nr > idx) {
		spin_unlock_irqrestore(&gom_frames_lock, flags);
		kvfree(t);
		return 0;
	}
	memcpy(t->frames, old->frames, old->nr * sizeof(old->frames[0]));
	rcu_assign_pointer(gom_frame_tab, t);
	spin_unlock_irqrestore(&gom_frames_lock, flags);
	kvfree_rcu(old, rcu);
	return 0;
}

/* A reference on frame @idx's descriptor, or on a new one installed there. */
static struct gom_frame *gom_frame_get(unsigned long idx, gfp_t gfp)
{
	struct gom_frame_table *t;
	struct gom_frame *f, *fresh = NULL;
	unsigned long flags;

	if (idx >= gom_frame_table_nr() &&
	    gom_frame_table_grow(idx, gfp))
		return NULL;
	for (;;) {
		spin_lock_irqsave(&gom_frames_lock, flags);
		t = gom_frame_table_locked();
		f = t->frames[idx];
		if (f) {
			f->refs++;
		} else if (fresh) {
			f = fresh;
			fresh = NULL;
			f->refs = 1;
			WRITE_ONCE(t->frames[idx], f);
		}
		spin_unlock_irqrestore(&gom_frames_lock, flags);
		if (fresh)
			kmem_cache_free(gom_frame_cache, fresh);
		if (f)
			return f;
		if (gom_should_fail(sizeof(*f), gfp))
			return NULL;
		fresh = kmem_cache_zalloc(gom_frame_cache, gom_meta_gfp(gfp));
		if (!fresh)
			return NULL;
	}
}

static void gom_frame_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(gom_frame_cache, container_of(rcu, struct gom_frame, rcu));
}

static void gom_frame_put(unsigned long idx)
{
	struct gom_frame_table *t;
	struct gom_frame *f;
	unsigned long flags;
	bool last;

	spin_lock_irqsave(&gom_frames_lock, flags);
	t = gom_frame_table_locked();
	f = t->frames[idx];
	last = f && !--f->refs;
	if (last)
		WRITE_ONCE(t->frames[idx], NULL);
	spin_unlock_irqrestore(&gom_frames_lock, flags);
	if (last)
		call_rcu(&f->rcu, gom_frame_free_rcu);
}

/**
 * gom_span_set_lookup() - point the lookup entries of a span's pages at @val
 * @span: the span (base, npages and arena set)
 * @val: @span to publish it, NULL to withdraw it
 *
 * Context: Any context; the caller owns the span's pages.
 */
void gom_span_set_lookup(struct gom_span *span, struct gom_span *val)
{
	unsigned long addr = span->base;
	struct gom_frame *f = span->arena ? span->arena->frame : NULL;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < span->npages; i++, addr += PAGE_SIZE) {
		if (!span->arena && (i == 0 || !gom_frame_slot(addr)))
			f = rcu_dereference(gom_frame_tab)->frames[gom_frame_index(addr)];
		if (!WARN_ON_ONCE(!f))
			WRITE_ONCE(f->spans[gom_frame_slot(addr)], val);
	}
	rcu_read_unlock();
}
EXPORT_SYMBOL_NS_GPL(gom_span_set_lookup, GOM_INTERNAL_NS);

/* Frames of the direct map that hold memory now: the initial table size. */
static unsigned long gom_frames_present(void)
{
	unsigned long end_pfn = 0;
	int nid;

	for_each_online_node(nid)
		end_pfn = max(end_pfn, pgdat_end_pfn(NODE_DATA(nid)));
	return DIV_ROUND_UP(end_pfn - (__pa(PAGE_OFFSET) >> PAGE_SHIFT),
			    GOM_FRAME_PAGES);
}

/**
 * gom_lookup_init() - set the lookup index up
 *
 * Context: Process context, module init.
 * Return: 0 or -ENOMEM.
 */
int gom_lookup_init(void)
{
	struct gom_frame_table *t;

	t = gom_frame_table_alloc(max(gom_frames_present(), 1UL), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	gom_frame_cache = kmem_cache_create("gomalloc_frame",
					    sizeof(struct gom_frame), 0, 0, NULL);
	if (!gom_frame_cache) {
		kvfree(t);
		return -ENOMEM;
	}
	rcu_assign_pointer(gom_frame_tab, t);
	return 0;
}

/**
 * gom_lookup_exit() - tear the lookup index down; every frame is gone
 *
 * Context: Process context, module exit.
 */
void gom_lookup_exit(void)
{
	struct gom_frame_table *t = rcu_dereference_protected(gom_frame_tab, 1);
	unsigned long i;

	for (i = 0; i < t->nr; i++)
		WARN_ON(t->frames[i]);
	RCU_INIT_POINTER(gom_frame_tab, NULL);
	rcu_barrier();
	kvfree(t);
	kmem_cache_destroy(gom_frame_cache);
}

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

	if (gom_should_fail(sizeof(*a), gfp))
		return NULL;
	a = kzalloc(sizeof(*a), gom_meta_gfp(gfp));
	if (!a)
		return NULL;
	/* a->base points at objects: scanning it would hide their leaks */
	kmemleak_ignore(a);
	/* 2 MiB when the buddy allocator has it, smaller when fragmented */
	for (order = GOM_ARENA_ORDER; order >= need_order; order--) {
		g = gfp;
		if (order > need_order)
			g = (g | __GFP_NOWARN | __GFP_NORETRY) & ~__GFP_NOFAIL;
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
	a->frame = gom_frame_get(gom_frame_index(a->base), gfp);
	if (!a->frame)
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
	gom_frame_put(gom_frame_index(a->base));
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

/**
 * gom_mheap_free_span() - give a span's pages back to its arena as idle
 * @heap: the heap
 * @span: a span no list or CPU refers to; its struct is freed
 *
 * Context: Any context; no mheap lock held.
 */
void gom_mheap_free_span(struct gom_heap *heap, struct gom_span *span)
{
	struct gom_mheap *h = &heap->mheap;
	struct gom_arena *a = span->arena;
	unsigned int start = (span->base - a->base) >> PAGE_SHIFT;
	unsigned long flags;

	WRITE_ONCE(span->state, GOM_SPAN_FREE);
	gom_span_set_lookup(span, NULL);
	gom_kasan_pages(span->base, span->npages, true);
	spin_lock_irqsave(&h->lock, flags);
	bitmap_clear(a->busy, start, span->npages);
	a->ninuse -= span->npages;
	a->longest = max(a->longest, gom_arena_run_at(a, start));
	h->inuse_pages -= span->npages;
	h->nr_spans--;
	spin_unlock_irqrestore(&h->lock, flags);
	gom_span_free(span);
}
EXPORT_SYMBOL_NS_GPL(gom_mheap_free_span, GOM_INTERNAL_NS);

/* === Direct spans: larger than an arena === */

static void gom_direct_put_frames(unsigned long base, unsigned long end)
{
	unsigned long idx;

	for (idx = gom_frame_index(base); idx <= gom_frame_index(end - 1); idx++)
		gom_frame_put(idx);
}

static int gom_direct_get_frames(unsigned long base, unsigned long end,
				 gfp_t gfp)
{
	unsigned long idx, first = gom_frame_index(base);

	for (idx = first; idx <= gom_frame_index(end - 1); idx++) {
		if (!gom_frame_get(idx, gfp)) {
			while (idx-- > first)
				gom_frame_put(idx);
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * gom_mheap_alloc_direct() - exactly @npages pages from the page allocator
 * @heap: the heap accounting for them
 * @npages: more than an arena, at most GOM_MAX_ALLOC_SIZE in pages
 * @gfp: the caller's flags
 *
 * alloc_pages_exact() style: the smallest order that holds @npages, split,
 * its tail given back at once. Registered in the lookup frames it covers
 * (unpublished, as gom_mheap_alloc_span()).
 *
 * Context: Any context allowed by @gfp.
 * Return: the span, or NULL.
 */
struct gom_span *gom_mheap_alloc_direct(struct gom_heap *heap,
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
	if (gom_direct_get_frames(base, base + ((unsigned long)npages << PAGE_SHIFT),
				  gfp))
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

/**
 * gom_mheap_free_direct() - give a direct span's pages back
 * @heap: the heap accounting for them
 * @span: the span, off every list; its struct is freed
 *
 * Context: Any context; no mheap lock held.
 */
void gom_mheap_free_direct(struct gom_heap *heap, struct gom_span *span)
{
	unsigned long end = span->base + gom_span_bytes(span);
	struct gom_mheap *h = &heap->mheap;
	unsigned long flags;

	WRITE_ONCE(span->state, GOM_SPAN_FREE);
	gom_span_set_lookup(span, NULL);
	gom_direct_put_frames(span->base, end);
	gom_pages_free(span->base, span->npages);
	spin_lock_irqsave(&h->lock, flags);
	h->direct_pages -= span->npages;
	h->nr_spans--;
	spin_unlock_irqrestore(&h->lock, flags);
	gom_span_free(span);
}

/* === Scavenger === */

/* Release up to @nr idle pages of @a, highest first. */
static unsigned long gom_arena_release(struct gom_mheap *h,
				       struct gom_arena *a, unsigned long nr)
{
	unsigned long done = 0;
	int i;

	lockdep_assert_held(&h->lock);
	for (i = a->npages - 1; i >= 0 && done < nr; i--) {
		if (test_bit(i, a->busy))
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

/**
 * gom_mheap_scavenge() - give idle pages back to the page allocator
 * @heap: the heap
 * @nr: most pages to release
 *
 * Highest arenas first, as Go's scavenger. An arena left with every page
 * released is freed with its metadata.
 *
 * Context: Any context; no gomalloc lock held.
 * Return: pages released.
 */
unsigned long gom_mheap_scavenge(struct gom_heap *heap, unsigned long nr)
{
	struct gom_mheap *h = &heap->mheap;
	struct gom_arena *a, *tmp;
	unsigned long done = 0, flags;
	LIST_HEAD(dead);

	spin_lock_irqsave(&h->lock, flags);
	list_for_each_entry_safe_reverse(a, tmp, &h->arenas, list) {
		if (done >= nr)
			break;
		done += gom_arena_release(h, a, nr - done);
		if (a->nreleased == a->npages) {
			list_move(&a->list, &dead);
			h->nr_arenas--;
			h->arena_pages -= a->npages;
			h->released_pages -= a->npages;
		}
	}
	spin_unlock_irqrestore(&h->lock, flags);
	list_for_each_entry_safe(a, tmp, &dead, list)
		gom_arena_free(a);
	return done;
}
EXPORT_SYMBOL_NS_GPL(gom_mheap_scavenge, GOM_INTERNAL_NS);

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

/* === Heap teardown and orphans === */

static LIST_HEAD(gom_orphan_arenas);
static LIST_HEAD(gom_orphan_spans);
static DEFINE_SPINLOCK(gom_orphan_lock);	/* irqsave; nests in mheap lock */

/**
 * gom_span_orphan() - keep a span with live objects after its heap is gone
 * @span: a span off every list
 *
 * Its lookup entries stay, so that a later free is reported as a free after
 * destroy; its pages are given back at module exit.
 *
 * Context: Process context, heap destroy.
 */
void gom_span_orphan(struct gom_span *span)
{
	unsigned long flags;

	WRITE_ONCE(span->state, GOM_SPAN_ORPHAN);
	WRITE_ONCE(span->heap, NULL);
	spin_lock_irqsave(&gom_orphan_lock, flags);
	list_add(&span->list, &gom_orphan_spans);
	spin_unlock_irqrestore(&gom_orphan_lock, flags);
}

/**
 * gom_mheap_destroy() - free every arena of a heap being destroyed
 * @heap: the heap; no span of it is live but orphans
 *
 * Arenas holding orphaned spans go to the orphan list with their idle pages
 * released; the others are freed.
 *
 * Context: Process context, heap destroy.
 */
void gom_mheap_destroy(struct gom_heap *heap)
{
	struct gom_mheap *h = &heap->mheap;
	struct gom_arena *a, *tmp;
	LIST_HEAD(dead);

	spin_lock_irq(&h->lock);
	list_for_each_entry_safe(a, tmp, &h->arenas, list) {
		if (a->ninuse) {
			gom_arena_release(h, a, a->npages);
			spin_lock(&gom_orphan_lock);
			list_move(&a->list, &gom_orphan_arenas);
			spin_unlock(&gom_orphan_lock);
		} else {
			list_move(&a->list, &dead);
		}
	}
	spin_unlock_irq(&h->lock);
	list_for_each_entry_safe(a, tmp, &dead, list)
		gom_arena_free(a);
}

/* Unregister from kmemleak the objects of a small span still allocated. */
static void gom_span_forget_small(struct gom_span *span)
{
	unsigned int i, bit;
	unsigned long live;
	void *blk;

	for_each_set_bit(i, span->alloc_bits, span->nelems) {
		blk = gom_span_obj(span, i);
		if (span->spanclass != GOM_TINY_SPANCLASS) {
			kmemleak_free(blk);
			continue;
		}
		live = atomic_read(&span->tiny->b[i].live) & GOM_TINY_ALL;
		for_each_set_bit(bit, &live, GOM_TINY_SIZE)
			kmemleak_free(blk + bit);
	}
}

/*
 * The live objects of an orphan are still registered with kmemleak; their
 * pages are about to go back to the page allocator, whose next user's
 * objects must not overlap them there. Quarantined slots were never
 * registered: unregistering them is a no-op.
 */
static void gom_span_forget(struct gom_span *span)
{
	if (span->sizeclass)
		gom_span_forget_small(span);
	else
		kmemleak_free((void *)span->base);
}

/**
 * gom_orphans_free() - module exit: give back what destroyed heaps leaked
 *
 * Every module that could hold such an object is gone by now.
 *
 * Context: Process context, module exit.
 */
void gom_orphans_free(void)
{
	struct gom_span *span, *stmp;
	struct gom_arena *a, *atmp;
	unsigned long n = 0;

	list_for_each_entry_safe(span, stmp, &gom_orphan_spans, list) {
		gom_span_forget(span);
		gom_span_set_lookup(span, NULL);
		if (!span->arena) {
			gom_direct_put_frames(span->base,
					      span->base + gom_span_bytes(span));
			gom_pages_free(span->base, span->npages);
		}
		list_del(&span->list);
		gom_span_free(span);
		n++;
	}
	list_for_each_entry_safe(a, atmp, &gom_orphan_arenas, list) {
		list_del(&a->list);
		gom_arena_free(a);
	}
	if (n)
		pr_info("freed %lu spans leaked by destroyed heaps\n", n);
}

/* === Shrinker === */

static struct shrinker *gom_shrinker;

static unsigned long gom_reserve_pages(struct gom_heap *heap)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 1; i < GOM_NUM_SPAN_CLASSES; i++)
		n += READ_ONCE(heap->central[i].nr_empty) *
		     gom_class_to_npages[gom_spanclass_sizeclass(i)];
	return n;
}

static unsigned long gom_shrink_count(struct shrinker *s,
				      struct shrink_control *sc)
{
	struct gom_heap *heap;
	unsigned long n = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(heap, &gom_heaps, list)
		n += gom_mheap_idle_pages(heap) + gom_reserve_pages(heap);
	rcu_read_unlock();
	return n ? n : SHRINK_EMPTY;
}

static unsigned long gom_shrink_scan(struct shrinker *s,
				     struct shrink_control *sc)
{
	unsigned long done = 0;
	struct gom_heap *heap;
	unsigned int i;

	rcu_read_lock();
	list_for_each_entry_rcu(heap, &gom_heaps, list) {
		for (i = 1; i < GOM_NUM_SPAN_CLASSES; i++)
			gom_mcentral_release_reserve(&heap->central[i]);
		done += gom_mheap_scavenge(heap, sc->nr_to_scan - done);
		if (done >= sc->nr_to_scan)
			break;
	}
	rcu_read_unlock();
	return done ? done : SHRINK_STOP;
}

/**
 * gom_shrinker_init() - register the shrinker that returns idle pages
 *
 * Context: Process context, module init.
 * Return: 0 or -ENOMEM.
 */
int gom_shrinker_init(void)
{
	gom_shrinker = gom_compat_shrinker_create("gomalloc", gom_shrink_count,
						  gom_shrink_scan);
	return gom_shrinker ? 0 : -ENOMEM;
}

/**
 * gom_shrinker_exit() - unregister the shrinker
 *
 * Context: Process context, module exit.
 */
void gom_shrinker_exit(void)
{
	gom_compat_shrinker_destroy(gom_shrinker);
}
