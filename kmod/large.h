/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Large objects: exact page runs above GOM_MAX_SMALL_SIZE; see large.c.
 */
#ifndef _GOMALLOC_LARGE_H
#define _GOMALLOC_LARGE_H

#include <linux/gfp.h>
#include <linux/types.h>

struct gom_heap;
struct gom_span;

void *gom_large_alloc(struct gom_heap *heap, size_t size, gfp_t gfp);
void gom_large_free(struct gom_span *span, const void *p,
		    unsigned long caller, bool wipe);

#endif /* _GOMALLOC_LARGE_H */
