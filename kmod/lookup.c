// SPDX-License-Identifier: GPL-2.0
/*
 * Span lookup: Go's arena index and heapArena.spans, the address -> span
 * map that is also how gom_free() proves a pointer is ours.
 *
 * A flat table with one entry per 2 MiB frame of the direct map (Go's
 * arenaL2Bits index; sized for the memory present, grown under RCU when
 * hot-added memory beyond it is used) points at a frame descriptor with
 * one span pointer per 4 KiB page. Arenas and direct spans hold references
 * on the frames they cover (arenas smaller than 2 MiB share one). Readers
 * are lockless under RCU (gom_spanof(), lookup.h); descriptors are
 * freed after a grace period and span structs are SLAB_TYPESAFE_BY_RCU, so
 * a racing lookup always reads a span and revalidates it under the lock
 * that guards its state.
 *
 * A span's entries are written with WRITE_ONCE after a write barrier (a
 * publication, see gom_span_set_lookup()), no lock held, by whoever
 * owns the span's pages at that moment: published before its first object
 * can be handed out, withdrawn after its state is GOM_SPAN_FREE and before
 * its pages go back to the arena. See malloc.c for the whole map.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "gomalloc_internal.h"

/* === The frame table === */

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
/* for the test modules, which inline gom_spanof() */
EXPORT_SYMBOL_NS_GPL(gom_frame_tab, GOM_INTERNAL_NS);
static DEFINE_SPINLOCK(gom_frames_lock);	/* see LOCK ORDER in malloc.c */
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
			/* its zeroed entries before the pointer to it */
			smp_store_release(&t->frames[idx], f);
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
 * gom_lookup_get() - hold the lookup frames covering [@base, @end)
 * @base: first address (an arena's or a direct span's pages)
 * @end: end address
 * @gfp: the caller's flags, for new frame descriptors
 *
 * Context: Any context allowed by @gfp; no gomalloc spinlock held.
 * Return: 0, or -ENOMEM with nothing held.
 */
int gom_lookup_get(unsigned long base, unsigned long end, gfp_t gfp)
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
 * gom_lookup_put() - drop the frames gom_lookup_get() held
 * @base: first address
 * @end: end address
 *
 * Context: Any context; no gomalloc spinlock held.
 */
void gom_lookup_put(unsigned long base, unsigned long end)
{
	unsigned long idx;

	for (idx = gom_frame_index(base); idx <= gom_frame_index(end - 1); idx++)
		gom_frame_put(idx);
}

/* === Publishing spans === */

/**
 * gom_span_set_lookup() - point the lookup entries of a span's pages at @val
 * @span: the span (base and npages set, its frames held)
 * @val: @span to publish it, NULL to withdraw it
 *
 * Context: Any context; the caller owns the span's pages.
 */
void gom_span_set_lookup(struct gom_span *span, struct gom_span *val)
{
	unsigned long addr = span->base;
	unsigned long end = addr + ((unsigned long)span->npages << PAGE_SHIFT);
	unsigned int slot, n, i;
	struct gom_frame *f;

	/*
	 * Publication: the span's fields (and side arrays) are written before
	 * any entry points at it; the readers' READ_ONCE() then orders their
	 * reads through the pointer (an address dependency). On x86-64 this is
	 * a compiler barrier only; weaker architectures need it.
	 */
	if (val)
		smp_wmb();	/* the span's fields before its entries */
	rcu_read_lock();
	/* frame by frame: one table lookup for each 2 MiB the span covers */
	while (addr < end) {
		f = rcu_dereference(gom_frame_tab)->frames[gom_frame_index(addr)];
		slot = gom_frame_slot(addr);
		n = min_t(unsigned long, GOM_FRAME_PAGES - slot,
			  (end - addr) >> PAGE_SHIFT);
		if (!WARN_ON_ONCE(!f))
			for (i = 0; i < n; i++)
				WRITE_ONCE(f->spans[slot + i], val);
		addr += (unsigned long)n << PAGE_SHIFT;
	}
	rcu_read_unlock();
}
EXPORT_SYMBOL_NS_GPL(gom_span_set_lookup, GOM_INTERNAL_NS);

/* === Setup === */

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
