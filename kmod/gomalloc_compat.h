/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomalloc compatibility: the one place where differences between the
 * kernel versions gomalloc builds for are bridged, so that no other file
 * tests the kernel version. Built and tested against Debian's 6.1 and 6.12
 * (also PREEMPT_RT) kernels; the newer cases (6.13's quoted symbol
 * namespaces) follow the kernel's changelog.
 *
 * Included by gomalloc_internal.h (gomalloc.ko, the KUnit suites, the
 * benchmark) and by the test modules in testmod/.
 */
#ifndef _GOMALLOC_COMPAT_H
#define _GOMALLOC_COMPAT_H

#include <linux/version.h>
#include <linux/types.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mmzone.h>
#include <linux/fault-inject.h>
#include <linux/interrupt.h>
#include <linux/completion.h>
#include <linux/local_lock.h>
#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

/* GOM_KERNEL_SINCE(6, 7): the kernel is 6.7 or newer */
#define GOM_KERNEL_VERSION	((LINUX_VERSION_MAJOR << 8) + LINUX_VERSION_PATCHLEVEL)
#define GOM_KERNEL_SINCE(major, minor)	(GOM_KERNEL_VERSION >= ((major) << 8) + (minor))

/*
 * Symbol namespace of the internals exported for gomalloc's own test
 * modules. EXPORT_SYMBOL_NS_GPL() and MODULE_IMPORT_NS() stringify an
 * identifier up to 6.12 and take a string literal from 6.13 on.
 */
#if GOM_KERNEL_SINCE(6, 13)
#define GOM_INTERNAL_NS		"GOMALLOC_INTERNAL"
#else
#define GOM_INTERNAL_NS		GOMALLOC_INTERNAL
#endif

/*
 * The largest page order the buddy allocator serves, inclusive: called
 * MAX_PAGE_ORDER since 6.8; MAX_ORDER was inclusive from 6.4 and one past
 * the largest order before.
 */
#ifndef MAX_PAGE_ORDER
#if GOM_KERNEL_SINCE(6, 4)
#define MAX_PAGE_ORDER		MAX_ORDER
#else
#define MAX_PAGE_ORDER		(MAX_ORDER - 1)
#endif
#endif

/*
 * Fault injection: before 6.9, <linux/fault-inject.h> declares nothing
 * without CONFIG_FAULT_INJECTION (Debian's kernels); provide what 6.9's
 * header provides then: an empty attribute that never fails.
 */
#if !IS_ENABLED(CONFIG_FAULT_INJECTION) && \
	!GOM_KERNEL_SINCE(6, 9)
struct dentry;

struct fault_attr {
};

#define DECLARE_FAULT_ATTR(name) struct fault_attr name = {}

static inline int setup_fault_attr(struct fault_attr *attr, char *str)
{
	return 0;
}

static inline bool should_fail(struct fault_attr *attr, ssize_t size)
{
	return false;
}

static inline struct dentry *
fault_create_debugfs_attr(const char *name, struct dentry *parent,
			  struct fault_attr *attr)
{
	return ERR_PTR(-ENODEV);
}
#endif

/*
 * Shrinkers: allocated by the kernel and registered in two steps since 6.7
 * (shrinker_alloc(), shrinker_register(), shrinker_free()); embedded by the
 * caller and registered with a name format before.
 */

/**
 * gom_compat_shrinker_create() - allocate and register a shrinker
 * @name: its name (shrinker_debugfs)
 * @count: its count_objects callback
 * @scan: its scan_objects callback
 *
 * Context: Process context, may sleep.
 * Return: the registered shrinker, or NULL when out of memory.
 */
static inline struct shrinker *
gom_compat_shrinker_create(const char *name,
			   unsigned long (*count)(struct shrinker *,
						  struct shrink_control *),
			   unsigned long (*scan)(struct shrinker *,
						 struct shrink_control *))
{
	struct shrinker *s;

#if GOM_KERNEL_SINCE(6, 7)
	s = shrinker_alloc(0, "%s", name);
	if (!s)
		return NULL;
#else
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
#endif
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
#if GOM_KERNEL_SINCE(6, 7)
	shrinker_register(s);
#else
	if (register_shrinker(s, "%s", name)) {
		kfree(s);
		return NULL;
	}
#endif
	return s;
}

/**
 * gom_compat_shrinker_destroy() - unregister and free a shrinker
 * @s: from gom_compat_shrinker_create(), or NULL
 *
 * Context: Process context, may sleep.
 */
static inline void gom_compat_shrinker_destroy(struct shrinker *s)
{
#if GOM_KERNEL_SINCE(6, 7)
	shrinker_free(s);
#else
	if (!s)
		return;
	unregister_shrinker(s);
	kfree(s);
#endif
}

/*
 * Work in softirq context on a chosen CPU: the BH workqueue exists since
 * 6.9. Before, a tasklet scheduled from a kworker bound to the CPU runs the
 * work function from that CPU's softirq; the call then returns once it ran.
 */
#if !GOM_KERNEL_SINCE(6, 9)
struct gom_compat_bh {
	struct tasklet_struct tasklet;
	struct work_struct *work;
	struct completion done;
};

static inline void gom_compat_bh_run(struct tasklet_struct *t)
{
	struct gom_compat_bh *bh = from_tasklet(bh, t, tasklet);

	bh->work->func(bh->work);
	complete(&bh->done);
}

static inline long gom_compat_bh_on_cpu(void *arg)
{
	struct gom_compat_bh *bh = arg;

	tasklet_schedule(&bh->tasklet);
	wait_for_completion(&bh->done);
	tasklet_kill(&bh->tasklet);
	return 0;
}
#endif

/**
 * gom_compat_queue_bh_on() - run @work in softirq context on @cpu
 * @cpu: an online CPU (the caller holds cpus_read_lock())
 * @work: initialized work; its function may not sleep
 *
 * Before 6.9 the call returns after the work ran; from 6.9 it may return
 * before: the caller waits as for any queued work (flush_work()).
 *
 * Context: Process context, may sleep.
 */
static inline void gom_compat_queue_bh_on(int cpu, struct work_struct *work)
{
#if GOM_KERNEL_SINCE(6, 9)
	queue_work_on(cpu, system_bh_wq, work);
#else
	struct gom_compat_bh bh = { .work = work };

	init_completion(&bh.done);
	tasklet_setup(&bh.tasklet, gom_compat_bh_run);
	work_on_cpu(cpu, gom_compat_bh_on_cpu, &bh);
#endif
}

/*
 * The mcache's ownership step: local_trylock_t's semantics on every
 * kernel (SLUB's sheaves use local_trylock_t from 6.15). Outside
 * PREEMPT_RT: preemption off and a per-CPU "acquired" flag set and cleared
 * with plain per-CPU accesses, interrupts left on, no atomic. An interrupt
 * runs to completion on the CPU it interrupted, so it either finds the
 * flag clear and owns the lock for its whole run, or finds it set (it
 * interrupted an owner) and must not touch what the lock guards: its
 * trylock fails. The compiler barriers keep the guarded accesses between
 * the flag's writes, which is all that a same-CPU interrupt needs.
 * Where the kernel has local_trylock_t (6.15) it is used as it is; 6.1 and
 * 6.12 get the same from here, with the lockdep map of a local_lock_t
 * taken as a trylock (lockdep marks no irq usage for trylocks, as for
 * local_trylock_t).
 *
 * On PREEMPT_RT a local_lock is a per-CPU sleeping spinlock with
 * migration off, every allocator caller is a task (threaded interrupts,
 * the irq_work thread), so a caller that finds the lock taken waits for
 * it as for any lock: the trylock is local_lock() and always succeeds.
 */
/**
 * struct gom_local_trylock - a per-CPU trylock with local_trylock_t's semantics
 * @llock: PREEMPT_RT: the lock; before 6.15: lockdep's map (empty without
 *	CONFIG_DEBUG_LOCK_ALLOC)
 * @tlock: 6.15 on: the kernel's own
 * @acquired: before 6.15: 1 while a context of this CPU owns the lock
 */
struct gom_local_trylock {
#if defined(CONFIG_PREEMPT_RT)
	local_lock_t llock;
#elif GOM_KERNEL_SINCE(6, 15)
	local_trylock_t tlock;
#else
	local_lock_t llock;
	u8 acquired;
#endif
};

#if defined(CONFIG_PREEMPT_RT)
#define gom_local_trylock_init(lock)	local_lock_init(&(lock)->llock)

static __always_inline struct gom_local_trylock *
gom_local_trylock(struct gom_local_trylock __percpu *lock)
{
	local_lock(&lock->llock);
	return this_cpu_ptr(lock);
}

static __always_inline void gom_local_unlock(struct gom_local_trylock __percpu *lock,
					     struct gom_local_trylock *tl)
{
	local_unlock(&lock->llock);
}
#elif GOM_KERNEL_SINCE(6, 15)
#define gom_local_trylock_init(lock)	local_trylock_init(&(lock)->tlock)

static __always_inline struct gom_local_trylock *
gom_local_trylock(struct gom_local_trylock __percpu *lock)
{
	return local_trylock(&lock->tlock) ? this_cpu_ptr(lock) : NULL;
}

static __always_inline void gom_local_unlock(struct gom_local_trylock __percpu *lock,
					     struct gom_local_trylock *tl)
{
	local_unlock(&lock->tlock);
}
#else
#define gom_local_trylock_init(lock)					\
	do {								\
		struct gom_local_trylock *__gtl = (lock);		\
									\
		local_lock_init(&__gtl->llock);				\
		__gtl->acquired = 0;					\
	} while (0)

/**
 * gom_local_trylock() - own this CPU's instance of a per-CPU trylock
 * @lock: the per-CPU lock
 *
 * Context: Any context but NMI.
 * Return: this CPU's instance, owned, with preemption off; NULL (nothing
 * held) when a context this one interrupted owns it.
 */
static __always_inline struct gom_local_trylock *
gom_local_trylock(struct gom_local_trylock __percpu *lock)
{
	struct gom_local_trylock *tl;

	preempt_disable();
	tl = this_cpu_ptr(lock);
	if (READ_ONCE(tl->acquired)) {
		preempt_enable();
		return NULL;
	}
	WRITE_ONCE(tl->acquired, 1);
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lock_map_acquire_try(&tl->llock.dep_map);
	DEBUG_LOCKS_WARN_ON(tl->llock.owner);
	tl->llock.owner = current;
#endif
	barrier();	/* the guarded accesses after the flag, for interrupts */
	return tl;
}

/**
 * gom_local_unlock() - give this CPU's instance back
 * @lock: the per-CPU lock, owned by this context
 * @tl: this CPU's instance, as gom_local_trylock() returned it
 *
 * Context: The owner's.
 */
static __always_inline void gom_local_unlock(struct gom_local_trylock __percpu *lock,
					     struct gom_local_trylock *tl)
{
	barrier();	/* the guarded accesses before the flag, for interrupts */
	local_lock_release(&tl->llock);
	WRITE_ONCE(tl->acquired, 0);
	preempt_enable();
}
#endif

#endif /* _GOMALLOC_COMPAT_H */
