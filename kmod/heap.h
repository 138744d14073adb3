/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Heaps: one allocator instance each, and the heap-wide policies; see
 * heap.c.
 */
#ifndef _GOMALLOC_HEAP_H
#define _GOMALLOC_HEAP_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/workqueue.h>

#include <gomalloc.h>
#include "mcentral.h"
#include "mheap.h"
#include "profile.h"
#include "report.h"
#include "span.h"

#define GOM_HEAP_NAME_MAX	32

struct dentry;
struct gom_mcache;
struct seq_file;

/**
 * struct gom_heap - one allocator instance: Go's mheap_ plus its caches
 * @list: on gom_heaps (RCU for readers that cannot sleep)
 * @name: debugfs directory name
 * @flags: GOM_HEAP_* flags
 * @dying: set when gom_heap_destroy() begins: frees from then on are late,
 *	reported and ignored (beside @key: the free path reads both)
 * @key: random key of the free marker
 * @mcache: per-CPU caches
 * @dir: debugfs directory
 * @errors: bad calls attributed to this heap, per kind
 * @mheap: pages and arenas
 * @profile: sampled allocation profile (profile.c)
 * @quiesce_work: gom_heap_quiesce() for the shrinker
 * @central: one mcentral per span class
 */
struct gom_heap {
	struct list_head list;
	char name[GOM_HEAP_NAME_MAX];
	unsigned int flags;
	bool dying;
	unsigned long key;
	struct gom_mcache __percpu *mcache;
	struct dentry *dir;
	atomic_long_t errors[GOM_ERR_NR];
	struct gom_mheap mheap;
	struct gom_profile profile;
	struct work_struct quiesce_work;
	struct gom_mcentral central[GOM_NUM_SPAN_CLASSES];
};

/* the heap gom_alloc() uses; set while the module is loaded */
extern struct gom_heap *gom_default;

int gom_heaps_init(struct dentry *root);
void gom_heaps_exit(void);
long gom_heap_validate(struct gom_heap *heap, struct seq_file *m);
void gom_heap_quiesce(struct gom_heap *heap);
int gom_hotplug_init(void);
void gom_hotplug_exit(void);
int gom_shrinker_init(void);
void gom_shrinker_exit(void);

#endif /* _GOMALLOC_HEAP_H */
