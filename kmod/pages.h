/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page layer: every page gomalloc takes from the page allocator and
 * gives back, and KASAN's view of pages that no span holds.
 */
#ifndef _GOMALLOC_PAGES_H
#define _GOMALLOC_PAGES_H

#include <linux/gfp.h>
#include <linux/kasan.h>
#include <linux/mm.h>

struct page *gom_pages_alloc(unsigned int order, gfp_t gfp);
void gom_pages_free(unsigned long addr, unsigned int npages);

#define GOM_KASAN_PAGE_FREE	0xff	/* mm/kasan/kasan.h's KASAN_PAGE_FREE */

/*
 * Poison (or unpoison) @npages pages from @addr in KASAN's shadow, the way
 * the page allocator does for its free pages. Generic KASAN only; the
 * shadow is written with __memset(), which KASAN does not check.
 */
static inline void gom_kasan_pages(unsigned long addr, unsigned int npages,
				   bool poison)
{
#ifdef CONFIG_KASAN_GENERIC
	__memset(kasan_mem_to_shadow((void *)addr),
		 poison ? GOM_KASAN_PAGE_FREE : 0,
		 ((unsigned long)npages << PAGE_SHIFT) >> KASAN_SHADOW_SCALE_SHIFT);
#endif
}

#endif /* _GOMALLOC_PAGES_H */
