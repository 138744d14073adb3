/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomalloc's own metadata and the gfp it is allocated with on behalf of a
 * caller: a leaf that any component may call.
 */
#ifndef _GOMALLOC_META_H
#define _GOMALLOC_META_H

#include <linux/gfp.h>
#include <linux/types.h>

gfp_t gom_meta_gfp(gfp_t gfp);
gfp_t gom_pages_gfp(gfp_t gfp);
gfp_t gom_arena_try_gfp(gfp_t gfp);
void *gom_meta_zalloc(size_t size, gfp_t gfp);

#endif /* _GOMALLOC_META_H */
