/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sampled allocation profile, Go's MemProfileRate; see profile.c. The
 * allocation and free hooks are inline in gomalloc_hooks.h.
 */
#ifndef _GOMALLOC_PROFILE_H
#define _GOMALLOC_PROFILE_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct dentry;
struct gom_heap;

#define GOM_PROF_HASH_BITS	7
#define GOM_PROF_MAX_DEPTH	64	/* CONFIG_STACKDEPOT_MAX_FRAMES */

/**
 * struct gom_profile - a heap's sampled allocation profile
 * @lock: serialises bucket insertion; lookups are lockless (RCU)
 * @nr_buckets: buckets in @table
 * @table: buckets by call site and stack
 * @objs: sampled live objects: address - PAGE_OFFSET -> record (xa_lock)
 * @samples: objects sampled
 * @drops: samples lost for want of memory or buckets
 */
struct gom_profile {
	spinlock_t lock;		/* see LOCK ORDER in malloc.c */
	unsigned int nr_buckets;
	struct hlist_head table[1 << GOM_PROF_HASH_BITS];
	struct xarray objs;
	atomic_long_t samples;
	atomic_long_t drops;
};

/**
 * struct gom_profile_entry - one call stack of a profile, scaled
 * @call_site: return address of the gom_* call
 * @stack: stack depot handle of the whole stack, from @call_site out; 0
 *	when none was recorded (profile_depth=0, no stack depot)
 * @names: the names of its frames in modules, one line each, rendered when
 *	the stack was first sampled (empty lines: vmlinux's frames); or NULL
 * @live_objects: estimated objects allocated there and not freed
 * @live_bytes: their estimated bytes (usable size)
 * @alloc_objects: estimated objects ever allocated there
 * @alloc_bytes: their estimated bytes
 */
struct gom_profile_entry {
	unsigned long call_site;
	u32 stack;
	const char *names;
	u64 live_objects;
	u64 live_bytes;
	u64 alloc_objects;
	u64 alloc_bytes;
};

void gom_profile_init(struct gom_heap *heap);
void gom_profile_destroy(struct gom_heap *heap);
void gom_profile_rate_init(void);
void gom_profile_debugfs_add(struct gom_heap *heap, struct dentry *dir);
int gom_profile_set_rate(unsigned long rate);
unsigned long gom_profile_get_rate(void);
int gom_profile_set_depth(unsigned int depth);
unsigned int gom_profile_get_depth(void);
bool gom_profile_has_stacks(void);
int gom_profile_snapshot(struct gom_heap *heap, struct gom_profile_entry *e,
			 unsigned int max);
unsigned int gom_profile_stack(const struct gom_profile_entry *e,
			       const unsigned long **frames);

#endif /* _GOMALLOC_PROFILE_H */
