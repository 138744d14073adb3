/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Span lookup: Go's spanOf, address -> span in O(1); see lookup.c.
 */
#ifndef _GOMALLOC_LOOKUP_H
#define _GOMALLOC_LOOKUP_H

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>

struct gom_span;

#define GOM_FRAME_ORDER		9	/* a frame covers 2 MiB of the direct map */
#define GOM_FRAME_SHIFT		(PAGE_SHIFT + GOM_FRAME_ORDER)
#define GOM_FRAME_PAGES		BIT(GOM_FRAME_ORDER)

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

/**
 * gom_lookup_begin() - pin what a lockless lookup reads
 *
 * Span structs (SLAB_TYPESAFE_BY_RCU), frame tables and tiny side arrays
 * are freed after an RCU grace period, so a lookup and what it reads run
 * in an RCU read-side critical section. Outside PREEMPT_RT preemption off
 * is one (RCU's flavours are one since 4.20: synchronize_rcu() and
 * call_rcu() wait for preempt-off regions too) and costs an inline
 * per-CPU increment, where rcu_read_lock() is a call on PREEMPT_RCU
 * kernels (Debian's 6.12): the free path takes it. On PREEMPT_RT the free
 * path may take sleeping spinlocks, so it is rcu_read_lock().
 *
 * Context: Any context; ended by gom_lookup_end() in the same context.
 */
static __always_inline void gom_lookup_begin(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		rcu_read_lock();
	else
		preempt_disable();
}

/**
 * gom_lookup_end() - end what gom_lookup_begin() began
 *
 * Context: The context that began it.
 */
static __always_inline void gom_lookup_end(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		rcu_read_unlock();
	else
		preempt_enable();
}

/**
 * gom_spanof() - the span holding an address: Go's spanOf
 * @p: any address
 *
 * Inline: the free path runs it for every object. A bounds check and two
 * dependent loads; any address outside the direct map misses the table.
 *
 * Context: Any context, under rcu_read_lock() or gom_lookup_begin().
 * Return: the span, or NULL when the address is not in a gomalloc span.
 */
static __always_inline struct gom_span *gom_spanof(const void *p)
{
	const struct gom_frame_table *t =
		rcu_dereference_check(gom_frame_tab, rcu_read_lock_any_held());
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

int gom_lookup_init(void);
void gom_lookup_exit(void);
int gom_lookup_get(unsigned long base, unsigned long end, gfp_t gfp);
void gom_lookup_put(unsigned long base, unsigned long end);
void gom_span_set_lookup(struct gom_span *span, struct gom_span *val);

#endif /* _GOMALLOC_LOOKUP_H */
