/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics: Go's MemStats and the per-class figures; see stats.c.
 */
#ifndef _GOMALLOC_STATS_H
#define _GOMALLOC_STATS_H

struct dentry;
struct gom_heap;

/**
 * struct gom_memstats - Go's runtime.MemStats for one heap
 * @alloc: bytes of live objects (= heap_alloc)
 * @total_alloc: bytes ever allocated
 * @sys: bytes from the page allocator, metadata included
 * @mallocs: objects allocated
 * @frees: objects freed
 * @heap_alloc: bytes of live objects
 * @heap_sys: arena bytes + direct large bytes
 * @heap_idle: idle + released bytes
 * @heap_inuse: bytes in spans
 * @heap_released: released bytes
 * @heap_objects: live objects
 * @mspan_inuse: bytes of span structs in use
 * @mspan_sys: bytes of span structs held
 * @mcache_inuse: bytes of mcaches
 * @mcache_sys: bytes of mcaches
 * @tiny_allocs: tiny sub-objects allocated
 * @large_allocs: large objects allocated
 * @large_frees: large objects freed
 */
struct gom_memstats {
	unsigned long alloc;
	unsigned long total_alloc;
	unsigned long sys;
	unsigned long mallocs;
	unsigned long frees;
	unsigned long heap_alloc;
	unsigned long heap_sys;
	unsigned long heap_idle;
	unsigned long heap_inuse;
	unsigned long heap_released;
	unsigned long heap_objects;
	unsigned long mspan_inuse;
	unsigned long mspan_sys;
	unsigned long mcache_inuse;
	unsigned long mcache_sys;
	unsigned long tiny_allocs;
	unsigned long large_allocs;
	unsigned long large_frees;
};

void gom_read_memstats(struct gom_heap *heap, struct gom_memstats *ms);
void gom_read_class_counts(struct gom_heap *heap, unsigned int spc,
			   unsigned long *mallocs, unsigned long *frees);
void gom_stats_debugfs_add(struct gom_heap *heap, struct dentry *dir);

#endif /* _GOMALLOC_STATS_H */
