/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomalloc - the Go runtime's memory allocator as a kmalloc-style kernel
 * allocator. This is the public API; see kmod/gomalloc_internal.h for the
 * design.
 */
#ifndef _GOMALLOC_H
#define _GOMALLOC_H

#include <linux/types.h>
#include <linux/gfp.h>

struct gom_heap;

/*
 * Largest request gom_alloc() serves. Small objects (<= GOM_MAX_SMALL_SIZE)
 * come from size-classed spans; larger ones are exact page runs.
 */
#define GOM_MAX_SMALL_SIZE	32768
#define GOM_MAX_ALLOC_SIZE	(4UL << 20)	/* as kmalloc on x86-64 */

/* gom_heap_create() flags */
#define GOM_HEAP_NO_TINY	0x1U	/* no tiny packing: 1..15 B in classes */
/*
 * Debug mode: freed objects are poisoned and the poison is checked when they
 * are handed out again, small objects get a red zone checked on free, and
 * debugfs "validate" checks every span. Implies GOM_HEAP_NO_TINY.
 */
#define GOM_HEAP_DEBUG		0x2U
#define GOM_HEAP_FLAGS		(GOM_HEAP_NO_TINY | GOM_HEAP_DEBUG)

/*
 * What a zero-size request returns, like ZERO_SIZE_PTR: not NULL, never
 * dereferenceable, accepted by gom_free().
 */
#define GOM_ZERO_SIZE_PTR	((void *)16)

void *gom_alloc(size_t size, gfp_t gfp);
void gom_free(const void *p);
size_t gom_ksize(const void *p);
void *gom_realloc(const void *p, size_t new_size, gfp_t gfp);
bool gom_owns(const void *p);
int gom_alloc_bulk(size_t size, gfp_t gfp, size_t nr, void **p);
int gom_heap_alloc_bulk(struct gom_heap *heap, size_t size, gfp_t gfp,
			size_t nr, void **p);
void gom_free_bulk(size_t nr, void **p);

struct gom_heap *gom_heap_create(const char *name, unsigned int flags);
void gom_heap_destroy(struct gom_heap *heap);
void *gom_heap_alloc(struct gom_heap *heap, size_t size, gfp_t gfp);
struct gom_heap *gom_default_heap(void);
const char *gom_heap_name(const struct gom_heap *heap);

#endif /* _GOMALLOC_H */
