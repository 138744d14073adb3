// SPDX-License-Identifier: GPL-2.0
/*
 * The page layer, the bottom of the ladder: gomalloc's only calls into the
 * page allocator.
 *
 * Blocks are split into order-0 pages so that they can be given back one
 * by one (an arena's idle pages, a direct span's tail). kmemleak does not
 * track page allocator pages: objects carved from them are registered one
 * by one when handed out. KASAN (generic): pages that no span holds are
 * poisoned as the page allocator poisons its free pages (shadow 0xff,
 * KASAN_PAGE_FREE), so that an access to an idle arena page or a freed
 * large object reports "use-after-free": a new arena is poisoned whole, a
 * span's pages are unpoisoned when the mheap hands them out and poisoned
 * again when they come back, a large run when it enters the per-CPU large
 * cache. Free small objects are not poisoned one by one (the free marker
 * and the debug mode's poison cover them).
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>

#include "gomalloc_internal.h"

/**
 * gom_pages_alloc() - every page gomalloc takes from the page allocator
 * @order: order of the block
 * @gfp: the caller's flags (filtered here with gom_pages_gfp())
 *
 * A fault injection point (/sys/kernel/debug/gomalloc/fail).
 *
 * Context: Any context allowed by @gfp.
 * Return: the first of 1 << @order order-0 pages, or NULL.
 */
struct page *gom_pages_alloc(unsigned int order, gfp_t gfp)
{
	struct page *page;

	if (gom_should_fail(PAGE_SIZE << order, gfp))
		return NULL;
	page = alloc_pages(gom_pages_gfp(gfp), order);
	if (page && order)
		split_page(page, order);
	return page;
}

/**
 * gom_pages_free() - give pages of gom_pages_alloc() back
 * @addr: address of the first page
 * @npages: how many, each an order-0 page
 *
 * Context: Any context.
 */
void gom_pages_free(unsigned long addr, unsigned int npages)
{
	struct page *page = virt_to_page((void *)addr);
	unsigned int i;

	for (i = 0; i < npages; i++)
		__free_page(page + i);
}
