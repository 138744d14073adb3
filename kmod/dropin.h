/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The drop-in's wrappers of the kmalloc family (dropin.c), which modules
 * built with include/gomalloc_dropin.mk call in place of the kernel's.
 */
#ifndef _GOMALLOC_DROPIN_H
#define _GOMALLOC_DROPIN_H

#include <linux/slab.h>

#include "gomalloc_compat.h"

/* 6.11 on, slab buckets: the bucket follows the size, ignored here */
#if GOM_KERNEL_SINCE(6, 11)
#define GOM_DROPIN_SIZE_B(size, ...)	DECL_BUCKET_PARAMS(size, __VA_ARGS__)
#else
#define GOM_DROPIN_SIZE_B(size, ...)	size_t size
#endif

void gom_dropin_kfree(const void *p);
void gom_dropin_kfree_sensitive(const void *p);
void gom_dropin_kfree_const(const void *p);
size_t gom_dropin_ksize(const void *p);
void gom_dropin_kvfree(const void *p);
void gom_dropin_kvfree_sensitive(const void *p, size_t len);
void gom_dropin_kmem_cache_free_bulk(struct kmem_cache *s, size_t size,
				     void **p);
char *gom_dropin_kstrdup(const char *s, gfp_t flags);
void *gom_dropin___kmalloc(size_t size, gfp_t flags);
void *gom_dropin___kmalloc_node(GOM_DROPIN_SIZE_B(size, b), gfp_t flags,
				int node);
void *gom_dropin___kmalloc_cache(struct kmem_cache *s, gfp_t flags,
				 size_t size);
void *gom_dropin___kmalloc_cache_node(struct kmem_cache *s, gfp_t flags,
				      int node, size_t size);
void *gom_dropin___kmalloc_large(size_t size, gfp_t flags);
void *gom_dropin___kmalloc_large_node(size_t size, gfp_t flags, int node);
void *gom_dropin___kmalloc_node_track_caller(GOM_DROPIN_SIZE_B(size, b),
					     gfp_t flags, int node,
					     unsigned long caller);
void *gom_dropin_krealloc(const void *p, size_t new_size, gfp_t flags);
void *gom_dropin_kmemdup(const void *src, size_t len, gfp_t flags);
void *gom_dropin_kvmalloc_node(GOM_DROPIN_SIZE_B(size, b), gfp_t flags,
			       int node);
#if GOM_KERNEL_SINCE(6, 12)
void *gom_dropin_kvrealloc(const void *p, size_t size, gfp_t flags);
#else
void *gom_dropin_kvrealloc(const void *p, size_t oldsize, size_t newsize,
			   gfp_t flags);
#endif

#endif /* _GOMALLOC_DROPIN_H */
