// SPDX-License-Identifier: GPL-2.0
/*
 * Metadata allocation and the gfp helper.
 *
 * What gomalloc allocates for itself on a caller's behalf (arenas, span
 * structs, lookup frames, side arrays) keeps only the reclaim and retry
 * modifiers of the caller's gfp: not its zone, zeroing or accounting
 * modifiers, which are about the caller's object; and never warns, as the
 * caller's own failure report is what a user should see.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/kmemleak.h>
#include <linux/slab.h>

#include "gomalloc_internal.h"

/* What an arena or metadata allocation keeps of the caller's gfp. */
#define GOM_GFP_KEEP	(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HIGH | \
			 __GFP_NOWARN | __GFP_NORETRY | __GFP_RETRY_MAYFAIL | \
			 __GFP_NOFAIL | __GFP_MEMALLOC | __GFP_NOMEMALLOC | \
			 __GFP_HARDWALL | __GFP_NOLOCKDEP)

/**
 * gom_pages_gfp() - gfp for pages of arenas and direct spans
 * @gfp: the caller's flags
 *
 * Context: Any context.
 * Return: @gfp less zone, zeroing and accounting modifiers.
 */
gfp_t gom_pages_gfp(gfp_t gfp)
{
	return gfp & GOM_GFP_KEEP;
}

/**
 * gom_meta_gfp() - gfp for gomalloc's own metadata on behalf of a caller
 * @gfp: the caller's flags
 *
 * __GFP_NOFAIL is kept: an object the caller may not see fail cannot do
 * without its span struct, side arrays or lookup frame (all of them at
 * most an order-1 kmalloc, which the page allocator may retry forever).
 *
 * Context: Any context.
 * Return: @gfp less zone, zeroing and accounting modifiers, never warning.
 */
gfp_t gom_meta_gfp(gfp_t gfp)
{
	return (gfp & GOM_GFP_KEEP) | __GFP_NOWARN;
}
EXPORT_SYMBOL_NS_GPL(gom_meta_gfp, GOM_INTERNAL_NS);

/**
 * gom_arena_try_gfp() - gfp for an arena larger than the request needs
 * @gfp: the caller's flags
 *
 * A bigger arena is an optimisation: it is tried without warning or
 * retrying, never with __GFP_NOFAIL, and never from the reserves that
 * GFP_ATOMIC (__GFP_HIGH) or __GFP_MEMALLOC open; the order the request
 * needs is then asked with the caller's own flags.
 *
 * Context: Any context.
 * Return: the flags for the optimistic orders.
 */
gfp_t gom_arena_try_gfp(gfp_t gfp)
{
	return (gfp | __GFP_NOWARN | __GFP_NORETRY) &
	       ~(__GFP_NOFAIL | __GFP_HIGH | __GFP_MEMALLOC);
}
EXPORT_SYMBOL_NS_GPL(gom_arena_try_gfp, GOM_INTERNAL_NS);

/**
 * gom_meta_zalloc() - zeroed metadata that points at objects
 * @size: bytes
 * @gfp: the caller's flags
 *
 * A fault injection point. The block is kept out of kmemleak's scan and
 * reports: it points at objects (an arena's base) or is reachable only
 * from span structs, which kmemleak does not track, and scanning it would
 * hide the leaks of the objects it points at.
 *
 * Context: Any context allowed by @gfp.
 * Return: the block (kfree() it), or NULL.
 */
void *gom_meta_zalloc(size_t size, gfp_t gfp)
{
	void *p;

	if (gom_should_fail(size, gfp))
		return NULL;
	p = kzalloc(size, gom_meta_gfp(gfp));
	if (p)
		kmemleak_ignore(p);
	return p;
}
