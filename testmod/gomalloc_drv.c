// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc_drv - a test-only driver that lets userspace drive gomalloc: the
 * kselftests in selftests/gomalloc/ use it. Not part of gomalloc.ko.
 *
 * INTERFACE: a misc character device, /dev/gomalloc_drv, with the ioctls of
 * testmod/gomalloc_drv.h (the reference for every field):
 *
 *  GOMD_IOC_ALLOC	  allocate up to GOMD_MAX_BATCH objects of given sizes
 *			  from a heap, on a chosen CPU, in a chosen context
 *			  (process: the caller or a kworker bound to the CPU;
 *			  softirq: a BH work item; hardirq: an irq_work queued
 *			  on the CPU by a kworker bound to it, as
 *			  irq_work_queue_on() is not exported; PREEMPT_RT runs
 *			  it in the CPU's irq_work thread, its interrupt
 *			  context for allocators), fill each with
 *			  a pattern of its own, return ids
 *  GOMD_IOC_FREE	  check the patterns and gom_free() objects by id, on a
 *			  chosen CPU and context (any CPU: cross-CPU frees)
 *  GOMD_IOC_CHECK	  check the patterns, keep the objects
 *  GOMD_IOC_HEAP_CREATE  gom_heap_create(); returns a heap id
 *  GOMD_IOC_HEAP_DESTROY gom_heap_destroy(), waiting for batches using it;
 *			  the heap's objects stay in the table (orphans)
 *  GOMD_IOC_STATS	  the driver's counts (struct gomd_stats)
 *  GOMD_IOC_BAD	  perform one bad-input case (enum gomd_bad) inside
 *			  the kernel; foreign objects (stack, kmalloc, vmalloc,
 *			  pages) are checked intact and freed by their owner
 *  GOMD_IOC_LEAK/UNLEAK  an object whose address is hidden from kmemleak,
 *			  and its later free
 *  GOMD_IOC_OBJ_INFO	  an object's size, gom_ksize() and hashed address
 *			  (as the trace events print it)
 *
 * Objects and heaps are named by ids (xarrays); no kernel pointer reaches
 * userspace (GOMD_IOC_OBJ_INFO gives the "%p" hash only). Malformed
 * requests fail with -EINVAL, -ENODEV (offline CPU), -ENOENT (unknown heap)
 * or -ENOTTY (unknown ioctl).
 *
 * A batch runs entirely in its context: the kernel arrays it uses are
 * allocated before, the id table is updated after, in process context.
 * cpus_read_lock() is held while a batch runs on a chosen CPU, so the CPU
 * cannot go away under it; a batch for an offline CPU gets -ENODEV.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bottom_half.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/irq_work.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <gomalloc.h>
#include "../kmod/gomalloc_compat.h"
#include "gomalloc_drv.h"

/* === Objects, heaps, counts === */

/**
 * struct gomd_obj - an object the driver holds for userspace
 * @p: the object
 * @size: bytes requested
 * @tag: seed of its pattern
 * @heap: id of its heap
 * @orphan: its heap was destroyed
 */
struct gomd_obj {
	void *p;
	size_t size;
	u32 tag;
	u32 heap;
	bool orphan;
};

/**
 * struct gomd_heap - a heap created for userspace
 * @heap: the gomalloc heap
 * @users: batches using it, plus one while it is in the table
 */
struct gomd_heap {
	struct gom_heap *heap;
	refcount_t users;
};

static DEFINE_XARRAY_ALLOC1(gomd_objs);
static DEFINE_XARRAY_ALLOC1(gomd_heaps);

static atomic64_t gomd_allocs, gomd_frees, gomd_failed, gomd_damaged;
static atomic64_t gomd_unknown;
static u32 gomd_next_obj, gomd_next_heap;

/* FREE batches take it shared, CHECK exclusive: a checked object stays */
static DECLARE_RWSEM(gomd_free_rwsem);

/* objects kept for GOMD_IOC_LEAK, their addresses hidden from kmemleak */
static DEFINE_MUTEX(gomd_leak_mutex);
static unsigned long gomd_leak_key;
static unsigned long gomd_leaks[16];
static unsigned int gomd_nr_leaks;

/* objects of heaps destroyed by GOMD_BAD_FREE_DESTROYED, kept referenced */
struct gomd_orphan {
	struct list_head list;
	void *p;
};

static LIST_HEAD(gomd_orphans);
static DEFINE_MUTEX(gomd_orphans_mutex);
static atomic_t gomd_heap_seq;

/* === Patterns === */

/*
 * An object holds its tag and its size in its first 8 bytes (when it has
 * them) and a byte of its tag everywhere else: a neighbour's overrun, a
 * stale free marker or a reuse while held all show.
 */
static u8 gomd_pattern_byte(u32 tag)
{
	return (u8)(tag ^ (tag >> 8) ^ (tag >> 16) ^ (tag >> 24)) | 0x01;
}

static void gomd_fill(void *p, size_t size, u32 tag)
{
	u32 head[2] = { tag, (u32)size };

	if (size >= sizeof(head)) {
		memcpy(p, head, sizeof(head));
		memset(p + sizeof(head), gomd_pattern_byte(tag),
		       size - sizeof(head));
	} else {
		memset(p, gomd_pattern_byte(tag), size);
	}
}

static bool gomd_intact(const void *p, size_t size, u32 tag)
{
	u32 head[2] = { tag, (u32)size };

	if (size >= sizeof(head))
		return !memcmp(p, head, sizeof(head)) &&
		       !memchr_inv(p + sizeof(head), gomd_pattern_byte(tag),
				   size - sizeof(head));
	return !memchr_inv(p, gomd_pattern_byte(tag), size);
}

/* === Running a job on a CPU, in a context === */

enum gomd_op {
	GOMD_OP_ALLOC,
	GOMD_OP_FREE,
	GOMD_OP_CHECK,
};

/**
 * struct gomd_job - one batch, as it runs in its context
 * @op: what to do
 * @heap: ALLOC: the heap
 * @gfp: ALLOC: flags
 * @n: entries
 * @ptrs: objects (ALLOC: out)
 * @sizes: their sizes
 * @tags: their pattern seeds
 * @done: objects allocated, freed or checked
 * @failed: allocations that gave NULL
 * @damaged: patterns not intact
 * @ran_cpu: where it ran
 * @ran_ctx: enum gomd_ctx seen while running
 * @complete: signalled when it ran in softirq or hardirq context
 * @work: softirq (BH workqueue)
 * @irq_work: hardirq
 */
struct gomd_job {
	enum gomd_op op;
	struct gom_heap *heap;
	gfp_t gfp;
	unsigned int n;
	void **ptrs;
	u64 *sizes;
	u32 *tags;
	unsigned int done, failed, damaged;
	unsigned int ran_cpu, ran_ctx;
	struct completion complete;
	struct work_struct work;
	struct irq_work irq_work;
};

static void gomd_job_alloc(struct gomd_job *j)
{
	bool zero = j->gfp & __GFP_ZERO;
	unsigned int i;
	void *p;

	for (i = 0; i < j->n; i++) {
		p = gom_heap_alloc(j->heap, j->sizes[i], j->gfp);
		j->ptrs[i] = p;
		if (!p) {
			j->failed++;
			continue;
		}
		if (zero && memchr_inv(p, 0, j->sizes[i]))
			j->damaged++;
		gomd_fill(p, j->sizes[i], j->tags[i]);
		j->done++;
	}
}

static void gomd_job_free(struct gomd_job *j, bool free)
{
	unsigned int i;

	for (i = 0; i < j->n; i++) {
		if (!j->ptrs[i])
			continue;
		if (!gomd_intact(j->ptrs[i], j->sizes[i], j->tags[i]))
			j->damaged++;
		if (free)
			gom_free(j->ptrs[i]);
		j->done++;
	}
}

/*
 * @irq_work: called from the irq_work, which PREEMPT_RT runs in a thread
 * (not in hardirq, where it allows no allocator call): that counts as the
 * hardirq context asked for.
 */
static void gomd_job_run(struct gomd_job *j, bool irq_work)
{
	j->ran_cpu = raw_smp_processor_id();
	if (in_hardirq() || (IS_ENABLED(CONFIG_PREEMPT_RT) && irq_work))
		j->ran_ctx = GOMD_CTX_HARDIRQ;
	else if (in_serving_softirq())
		j->ran_ctx = GOMD_CTX_SOFTIRQ;
	else
		j->ran_ctx = GOMD_CTX_PROCESS;

	switch (j->op) {
	case GOMD_OP_ALLOC:
		gomd_job_alloc(j);
		break;
	case GOMD_OP_FREE:
		gomd_job_free(j, true);
		break;
	case GOMD_OP_CHECK:
		gomd_job_free(j, false);
		break;
	}
}

static long gomd_job_process(void *arg)
{
	gomd_job_run(arg, false);
	return 0;
}

static void gomd_job_softirq(struct work_struct *work)
{
	struct gomd_job *j = container_of(work, struct gomd_job, work);

	gomd_job_run(j, false);
	complete(&j->complete);
}

static void gomd_job_hardirq(struct irq_work *iw)
{
	struct gomd_job *j = container_of(iw, struct gomd_job, irq_work);

	gomd_job_run(j, true);
	complete(&j->complete);
}

/*
 * irq_work_queue_on() is not exported: a kworker bound to the CPU (or the
 * caller, for GOMD_CPU_ANY) queues the irq_work on its own CPU, where it
 * runs from the irq_work interrupt.
 */
static long gomd_job_irq_work(void *arg)
{
	struct gomd_job *j = arg;

	init_irq_work(&j->irq_work, gomd_job_hardirq);
	irq_work_queue(&j->irq_work);
	wait_for_completion(&j->complete);
	irq_work_sync(&j->irq_work);
	return 0;
}

/* Run @j on @cpu (GOMD_CPU_ANY: here) in @ctx; the caller validated both. */
static int gomd_job_dispatch(struct gomd_job *j, u32 cpu, u32 ctx)
{
	int ret = 0;

	init_completion(&j->complete);
	cpus_read_lock();
	if (cpu == GOMD_CPU_ANY) {
		if (ctx == GOMD_CTX_PROCESS) {
			gomd_job_run(j, false);
			goto out;
		}
		if (ctx == GOMD_CTX_HARDIRQ) {
			gomd_job_irq_work(j);
			goto out;
		}
		cpu = raw_smp_processor_id();
	} else if (!cpu_online(cpu)) {
		ret = -ENODEV;
		goto out;
	}

	switch (ctx) {
	case GOMD_CTX_PROCESS:
		work_on_cpu(cpu, gomd_job_process, j);
		break;
	case GOMD_CTX_SOFTIRQ:
		INIT_WORK_ONSTACK(&j->work, gomd_job_softirq);
		gom_compat_queue_bh_on(cpu, &j->work);
		wait_for_completion(&j->complete);
		flush_work(&j->work);
		destroy_work_on_stack(&j->work);
		break;
	case GOMD_CTX_HARDIRQ:
		work_on_cpu(cpu, gomd_job_irq_work, j);
		break;
	}
out:
	cpus_read_unlock();
	return ret;
}

/* === Heaps === */

/* Take a reference on heap @id; *@h is NULL for the default heap. */
static struct gom_heap *gomd_heap_get(u32 id, struct gomd_heap **h)
{
	struct gom_heap *heap = NULL;

	*h = NULL;
	if (id == GOMD_HEAP_DEFAULT)
		return gom_default_heap();
	xa_lock(&gomd_heaps);
	*h = xa_load(&gomd_heaps, id);
	if (*h && refcount_inc_not_zero(&(*h)->users))
		heap = (*h)->heap;
	xa_unlock(&gomd_heaps);
	return heap;
}

static void gomd_heap_put(struct gomd_heap *h)
{
	if (h && refcount_dec_and_test(&h->users))
		wake_up_var(&h->users);
}

/* === Batches === */

struct gomd_arrays {
	void **ptrs;
	u64 *sizes;
	u32 *tags;
	u32 *ids;
	struct gomd_obj **objs;
};

static void gomd_arrays_free(struct gomd_arrays *a)
{
	kfree(a->ptrs);
	kfree(a->sizes);
	kfree(a->tags);
	kfree(a->ids);
	kfree(a->objs);
}

static int gomd_arrays_alloc(struct gomd_arrays *a, unsigned int n)
{
	a->ptrs = kcalloc(n, sizeof(*a->ptrs), GFP_KERNEL);
	a->sizes = kcalloc(n, sizeof(*a->sizes), GFP_KERNEL);
	a->tags = kcalloc(n, sizeof(*a->tags), GFP_KERNEL);
	a->ids = kcalloc(n, sizeof(*a->ids), GFP_KERNEL);
	a->objs = kcalloc(n, sizeof(*a->objs), GFP_KERNEL);
	if (a->ptrs && a->sizes && a->tags && a->ids && a->objs)
		return 0;
	gomd_arrays_free(a);
	return -ENOMEM;
}

static int gomd_batch_check(const struct gomd_batch *b)
{
	if (!b->count || b->count > GOMD_MAX_BATCH || b->ctx >= GOMD_CTX_NR ||
	    (b->flags & ~GOMD_F_ALL) || b->done || b->failed || b->damaged ||
	    b->ran_cpu || b->ran_ctx || !b->ids)
		return -EINVAL;
	if (b->cpu != GOMD_CPU_ANY && b->cpu >= nr_cpu_ids)
		return -EINVAL;
	return 0;
}

static gfp_t gomd_batch_gfp(const struct gomd_batch *b)
{
	gfp_t gfp = GFP_KERNEL;

	if (b->ctx != GOMD_CTX_PROCESS || (b->flags & GOMD_F_ATOMIC))
		gfp = GFP_ATOMIC | __GFP_NOWARN;
	if (b->flags & GOMD_F_ZERO)
		gfp |= __GFP_ZERO;
	return gfp;
}

/* Put the allocated objects in the table; free those that find no id. */
static void gomd_alloc_record(struct gomd_job *j, struct gomd_arrays *a,
			      u32 heap)
{
	struct gomd_obj *o;
	unsigned int i;
	u32 id;

	for (i = 0; i < j->n; i++) {
		a->ids[i] = 0;
		if (!a->ptrs[i])
			continue;
		o = kmalloc(sizeof(*o), GFP_KERNEL);
		if (o) {
			*o = (struct gomd_obj){ .p = a->ptrs[i],
				.size = a->sizes[i], .tag = a->tags[i],
				.heap = heap };
			if (xa_alloc_cyclic(&gomd_objs, &id, o, xa_limit_32b,
					    &gomd_next_obj, GFP_KERNEL) >= 0) {
				a->ids[i] = id;
				continue;
			}
			kfree(o);
		}
		gom_free(a->ptrs[i]);
		j->done--;
		j->failed++;
	}
}

static int gomd_ioc_alloc(struct gomd_batch *b)
{
	struct gomd_arrays a = {};
	struct gomd_job j = {};
	struct gomd_heap *h;
	unsigned int i;
	int ret;

	ret = gomd_arrays_alloc(&a, b->count);
	if (ret)
		return ret;
	ret = -EFAULT;
	if (copy_from_user(a.sizes, u64_to_user_ptr(b->sizes),
			   b->count * sizeof(*a.sizes)))
		goto out;
	ret = -EINVAL;
	for (i = 0; i < b->count; i++) {
		if (!a.sizes[i] || a.sizes[i] > GOM_MAX_ALLOC_SIZE)
			goto out;
		a.tags[i] = get_random_u32();
	}
	ret = -ENOENT;
	j.heap = gomd_heap_get(b->heap, &h);
	if (!j.heap)
		goto out;
	j.op = GOMD_OP_ALLOC;
	j.gfp = gomd_batch_gfp(b);
	j.n = b->count;
	j.ptrs = a.ptrs;
	j.sizes = a.sizes;
	j.tags = a.tags;
	ret = gomd_job_dispatch(&j, b->cpu, b->ctx);
	if (!ret)
		gomd_alloc_record(&j, &a, b->heap);
	gomd_heap_put(h);	/* after recording: a destroy orphans them all */
	if (ret)
		goto out;
	atomic64_add(j.done, &gomd_allocs);
	atomic64_add(j.failed, &gomd_failed);
	atomic64_add(j.damaged, &gomd_damaged);
	b->done = j.done;
	b->failed = j.failed;
	b->damaged = j.damaged;
	b->ran_cpu = j.ran_cpu;
	b->ran_ctx = j.ran_ctx;
	ret = 0;
	if (copy_to_user(u64_to_user_ptr(b->ids), a.ids,
			 b->count * sizeof(*a.ids)))
		ret = -EFAULT;	/* the objects stay in the table */
out:
	gomd_arrays_free(&a);
	return ret;
}

/*
 * Take the named objects out of the table (FREE) or find them (CHECK, with
 * gomd_free_rwsem held exclusive so that they stay); return unknown ids.
 */
static unsigned int gomd_lookup(struct gomd_arrays *a, unsigned int n,
				bool take)
{
	unsigned int i, unknown = 0;
	struct gomd_obj *o;

	for (i = 0; i < n; i++) {
		if (!a->ids[i])
			o = NULL;
		else if (take)
			o = xa_erase(&gomd_objs, a->ids[i]);
		else
			o = xa_load(&gomd_objs, a->ids[i]);
		if (!o) {
			unknown++;
			continue;
		}
		if (take)
			a->objs[i] = o;
		a->ptrs[i] = o->p;
		a->sizes[i] = o->size;
		a->tags[i] = o->tag;
	}
	return unknown;
}

static void gomd_lookup_undo(struct gomd_arrays *a, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (a->objs[i] &&
		    xa_insert(&gomd_objs, a->ids[i], a->objs[i], GFP_KERNEL))
			kfree(a->objs[i]);	/* cannot happen: the id was ours */
}

static int gomd_ioc_free(struct gomd_batch *b, bool free)
{
	struct gomd_arrays a = {};
	struct gomd_job j = {};
	unsigned int i, unknown;
	int ret;

	if (b->heap || b->sizes || (b->flags & ~GOMD_F_ATOMIC))
		return -EINVAL;
	ret = gomd_arrays_alloc(&a, b->count);
	if (ret)
		return ret;
	ret = -EFAULT;
	if (copy_from_user(a.ids, u64_to_user_ptr(b->ids),
			   b->count * sizeof(*a.ids)))
		goto out;
	if (free)
		down_read(&gomd_free_rwsem);
	else
		down_write(&gomd_free_rwsem);
	unknown = gomd_lookup(&a, b->count, free);
	j.op = free ? GOMD_OP_FREE : GOMD_OP_CHECK;
	j.n = b->count;
	j.ptrs = a.ptrs;
	j.sizes = a.sizes;
	j.tags = a.tags;
	ret = gomd_job_dispatch(&j, b->cpu, b->ctx);
	if (free)
		up_read(&gomd_free_rwsem);
	else
		up_write(&gomd_free_rwsem);
	if (ret) {
		if (free)
			gomd_lookup_undo(&a, b->count);
		goto out;
	}
	for (i = 0; i < b->count; i++)
		kfree(a.objs[i]);
	if (free)
		atomic64_add(j.done, &gomd_frees);
	atomic64_add(j.damaged, &gomd_damaged);
	atomic64_add(unknown, &gomd_unknown);
	b->done = j.done;
	b->failed = unknown;
	b->damaged = j.damaged;
	b->ran_cpu = j.ran_cpu;
	b->ran_ctx = j.ran_ctx;
	ret = 0;
out:
	gomd_arrays_free(&a);
	return ret;
}

/* === Heap requests === */

static int gomd_ioc_heap_create(struct gomd_heap_req *r)
{
	struct gomd_heap *h;
	int ret;

	if (r->id || r->live || !memchr(r->name, 0, sizeof(r->name)) ||
	    !r->name[0] || (r->flags & ~GOM_HEAP_FLAGS))
		return -EINVAL;
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	refcount_set(&h->users, 1);
	h->heap = gom_heap_create(r->name, r->flags);
	if (!h->heap) {
		kfree(h);
		return -EEXIST;	/* taken or invalid name, or no memory */
	}
	ret = xa_alloc_cyclic(&gomd_heaps, &r->id, h, xa_limit_31b,
			      &gomd_next_heap, GFP_KERNEL);
	if (ret < 0) {
		gom_heap_destroy(h->heap);
		kfree(h);
		return ret;
	}
	return 0;
}

static u64 gomd_orphan_objects(u32 heap)
{
	struct gomd_obj *o;
	unsigned long id;
	u64 n = 0;

	xa_lock(&gomd_objs);
	xa_for_each(&gomd_objs, id, o) {
		if (o->heap == heap && !o->orphan) {
			o->orphan = true;
			n++;
		}
	}
	xa_unlock(&gomd_objs);
	return n;
}

static void gomd_heap_destroy(struct gomd_heap *h)
{
	if (!refcount_dec_and_test(&h->users))
		wait_var_event(&h->users, !refcount_read(&h->users));
	gom_heap_destroy(h->heap);
	kfree(h);
}

static int gomd_ioc_heap_destroy(struct gomd_heap_req *r)
{
	struct gomd_heap *h;

	if (r->name[0] || r->flags || r->live || !r->id)
		return -EINVAL;
	h = xa_erase(&gomd_heaps, r->id);
	if (!h)
		return -ENOENT;
	gomd_heap_destroy(h);
	r->live = gomd_orphan_objects(r->id);
	return 0;
}

/* === Bad input === */

/*
 * Each case makes its bad calls from a noinline function of this module,
 * so that gomalloc's report names a caller here. Foreign memory is filled
 * with a pattern first and checked after the bad calls, then freed by its
 * owner.
 */

static u32 gomd_tag(void)
{
	return get_random_u32();
}

static noinline void gomd_bad_free_stack(struct gomd_bad_req *r)
{
	u8 buf[64];
	u32 tag = gomd_tag();

	gomd_fill(buf, sizeof(buf), tag);
	gom_free(buf);
	r->calls = 1;
	r->intact = gomd_intact(buf, sizeof(buf), tag);
	r->answer_ok = 1;
}

static noinline int gomd_bad_free_kmalloc(struct gomd_bad_req *r)
{
	u32 tag = gomd_tag();
	void *p = kmalloc(200, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	gomd_fill(p, 200, tag);
	gom_free(p);
	r->calls = 1;
	r->intact = gomd_intact(p, 200, tag);
	r->answer_ok = 1;
	kfree(p);
	return 0;
}

static noinline int gomd_bad_free_vmalloc(struct gomd_bad_req *r)
{
	size_t size = 3 * PAGE_SIZE;
	u32 tag = gomd_tag();
	void *v = vmalloc(size);

	if (!v)
		return -ENOMEM;
	gomd_fill(v, size, tag);
	gom_free(v);
	gom_free(v + PAGE_SIZE + 16);
	r->calls = 2;
	r->intact = gomd_intact(v, size, tag);
	r->answer_ok = 1;
	vfree(v);
	return 0;
}

static noinline int gomd_bad_free_page(struct gomd_bad_req *r)
{
	struct page *page = alloc_pages(GFP_KERNEL, 1);
	size_t size = 2 * PAGE_SIZE;
	u32 tag = gomd_tag();
	void *a;

	if (!page)
		return -ENOMEM;
	a = page_address(page);
	gomd_fill(a, size, tag);
	gom_free(a);
	gom_free(a + PAGE_SIZE);
	r->calls = 2;
	r->intact = gomd_intact(a, size, tag);
	r->answer_ok = 1;
	__free_pages(page, 1);
	return 0;
}

/*
 * Random addresses that gomalloc must reject without touching them: inside
 * a page of ours in the direct map (aligned and not), non-canonical, user
 * space, kernel image data, this module's data (vmalloc space), the top of
 * the address space and an ERR_PTR. Touching the first two could not
 * crash; gomalloc must not touch any.
 */
static noinline int gomd_bad_free_random(struct gomd_bad_req *r)
{
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned long a, addrs[8];
	u32 tag = gomd_tag();
	unsigned int i;

	if (!page)
		return -ENOMEM;
	a = (unsigned long)page_address(page);
	gomd_fill((void *)a, PAGE_SIZE, tag);
	addrs[0] = a + 16 * get_random_u32_below(PAGE_SIZE / 16);
	addrs[1] = a + (get_random_u32_below(PAGE_SIZE) | 1);
	addrs[2] = BIT(47) | (get_random_u64() & (BIT(47) - 1));
	addrs[3] = 0x400000UL + get_random_u32();
	addrs[4] = (unsigned long)&jiffies;
	addrs[5] = (unsigned long)&gomd_heap_seq;
	addrs[6] = ULONG_MAX - get_random_u32_below(4096);
	addrs[7] = (unsigned long)ERR_PTR(-EINVAL);
	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		gom_free((void *)addrs[i]);
	r->calls = ARRAY_SIZE(addrs);
	r->intact = gomd_intact((void *)a, PAGE_SIZE, tag);
	r->answer_ok = 1;
	__free_page(page);
	return 0;
}

/* gom_free() of @nbad interior offsets of a fresh object of @size */
static noinline int gomd_bad_interior(struct gomd_bad_req *r, size_t size,
				      const size_t *offs, unsigned int nbad)
{
	u32 tag = gomd_tag();
	unsigned int i;
	void *p;

	p = gom_alloc(size, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	gomd_fill(p, size, tag);
	for (i = 0; i < nbad; i++)
		gom_free(p + offs[i]);
	r->calls = nbad;
	r->intact = gomd_intact(p, size, tag);
	r->answer_ok = 1;
	gom_free(p);
	return 0;
}

/*
 * Freed twice with interrupts off, so that nothing on this CPU can take
 * the object between the two frees; the tests run this case alone.
 */
/*
 * Keep both frees on this CPU with nothing of it in between: IRQs off; on
 * PREEMPT_RT gom_free() takes a sleeping per-CPU lock, so migration only.
 */
static unsigned long gomd_pin_cpu(void)
{
	unsigned long flags = 0;

	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		migrate_disable();
	else
		local_irq_save(flags);
	return flags;
}

static void gomd_unpin_cpu(unsigned long flags)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		migrate_enable();
	else
		local_irq_restore(flags);
}

static noinline int gomd_bad_double_free(struct gomd_bad_req *r, size_t size)
{
	unsigned long flags;
	void *p, *keep;

	p = gom_alloc(size, GFP_KERNEL);
	keep = gom_alloc(size, GFP_KERNEL);	/* keeps a tiny block alive */
	if (!p || !keep) {
		gom_free(p);
		gom_free(keep);
		return -ENOMEM;
	}
	gomd_fill(p, size, gomd_tag());
	flags = gomd_pin_cpu();
	gom_free(p);
	gom_free(p);
	gomd_unpin_cpu(flags);
	gom_free(keep);
	r->calls = 1;
	r->intact = 1;
	r->answer_ok = 1;
	return 0;
}

static void gomd_orphan_keep(void *p)
{
	struct gomd_orphan *o = kmalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return;	/* then kmemleak may see it: only a test artefact */
	o->p = p;
	mutex_lock(&gomd_orphans_mutex);
	list_add(&o->list, &gomd_orphans);
	mutex_unlock(&gomd_orphans_mutex);
}

static noinline int gomd_bad_free_destroyed(struct gomd_bad_req *r)
{
	struct gom_heap *heap;
	char name[GOMD_NAME_MAX];
	u32 tag = gomd_tag();
	bool before;
	void *p;

	snprintf(name, sizeof(name), "gomd-bad-%d",
		 atomic_inc_return(&gomd_heap_seq));
	heap = gom_heap_create(name, 0);
	if (!heap)
		return -ENOMEM;
	p = gom_heap_alloc(heap, 128, GFP_KERNEL);
	if (!p) {
		gom_heap_destroy(heap);
		return -ENOMEM;
	}
	gomd_fill(p, 128, tag);
	gom_heap_destroy(heap);		/* reports one object remaining */
	before = gomd_intact(p, 128, tag);
	gom_free(p);
	r->calls = 1;
	r->intact = before && gomd_intact(p, 128, tag);
	r->answer_ok = 1;
	gomd_orphan_keep(p);		/* gomalloc frees it at unload */
	return 0;
}

static noinline int gomd_bad_realloc_foreign(struct gomd_bad_req *r)
{
	u32 tag = gomd_tag();
	void *p = kmalloc(64, GFP_KERNEL);
	void *n;

	if (!p)
		return -ENOMEM;
	gomd_fill(p, 64, tag);
	n = gom_realloc(p, 256, GFP_KERNEL);
	r->calls = 1;
	r->answer_ok = !n;
	r->intact = gomd_intact(p, 64, tag);
	kfree(p);
	if (n && n != p)
		gom_free(n);
	return 0;
}

static noinline int gomd_bad_realloc_gom(struct gomd_bad_req *r,
					 size_t off, size_t new_size)
{
	u32 tag = gomd_tag();
	void *p = gom_alloc(64, GFP_KERNEL);
	void *n;

	if (!p)
		return -ENOMEM;
	gomd_fill(p, 64, tag);
	n = gom_realloc(p + off, new_size, GFP_KERNEL);
	r->calls = 1;
	r->answer_ok = !n;
	r->intact = gomd_intact(p, 64, tag);
	if (n && n != p)
		gom_free(n);
	gom_free(p);
	return 0;
}

static noinline void gomd_bad_size(struct gomd_bad_req *r, size_t size)
{
	void *p = gom_alloc(size, GFP_KERNEL);

	r->calls = 1;
	r->intact = 1;
	if (!size)
		r->answer_ok = p == GOM_ZERO_SIZE_PTR && !gom_ksize(p);
	else
		r->answer_ok = !p;
	gom_free(p);	/* NULL and GOM_ZERO_SIZE_PTR are accepted */
}

/*
 * GFP_KERNEL with preemption off: might_alloc() gives the kernel's own
 * "sleeping function called from invalid context" report, as kmalloc does.
 * An object of the same size was freed just before on this CPU, so the
 * allocation is served from the mcache and never really sleeps.
 * Without CONFIG_DEBUG_ATOMIC_SLEEP the kernel reports nothing (and on
 * PREEMPT_RT the call could really sleep): -EOPNOTSUPP, not performed.
 */
static noinline int gomd_bad_gfp_atomic(struct gomd_bad_req *r)
{
	u32 tag = gomd_tag();
	void *warm, *p;

	if (!IS_ENABLED(CONFIG_DEBUG_ATOMIC_SLEEP))
		return -EOPNOTSUPP;
	preempt_disable();
	warm = gom_alloc(64, GFP_ATOMIC | __GFP_NOWARN);
	gom_free(warm);
	p = gom_alloc(64, GFP_KERNEL);
	preempt_enable();
	r->calls = 1;
	r->answer_ok = 1;
	r->intact = 1;
	if (p) {
		gomd_fill(p, 64, tag);
		r->intact = gomd_intact(p, 64, tag);
		gom_free(p);
	}
	return 0;
}

static int gomd_ioc_bad(struct gomd_bad_req *r)
{
	static const size_t small_offs[] = { 8, 255 };
	static const size_t large_offs[] = { PAGE_SIZE, 1 };
	static const size_t tiny_offs[] = { 3 };

	if (r->kind >= GOMD_BAD_NR || r->calls || r->intact || r->answer_ok ||
	    r->reserved)
		return -EINVAL;
	switch (r->kind) {
	case GOMD_BAD_FREE_NULL:
		gom_free(NULL);
		r->calls = 1;
		r->intact = 1;
		r->answer_ok = 1;
		return 0;
	case GOMD_BAD_FREE_STACK:
		gomd_bad_free_stack(r);
		return 0;
	case GOMD_BAD_FREE_KMALLOC:
		return gomd_bad_free_kmalloc(r);
	case GOMD_BAD_FREE_VMALLOC:
		return gomd_bad_free_vmalloc(r);
	case GOMD_BAD_FREE_PAGE:
		return gomd_bad_free_page(r);
	case GOMD_BAD_FREE_RANDOM:
		return gomd_bad_free_random(r);
	case GOMD_BAD_FREE_INTERIOR:
		return gomd_bad_interior(r, 256, small_offs,
					 ARRAY_SIZE(small_offs));
	case GOMD_BAD_FREE_INTERIOR_LARGE:
		return gomd_bad_interior(r, 64 << 10, large_offs,
					 ARRAY_SIZE(large_offs));
	case GOMD_BAD_FREE_INTERIOR_TINY:
		return gomd_bad_interior(r, 8, tiny_offs,
					 ARRAY_SIZE(tiny_offs));
	case GOMD_BAD_DOUBLE_FREE:
		return gomd_bad_double_free(r, 128);
	case GOMD_BAD_DOUBLE_FREE_LARGE:
		return gomd_bad_double_free(r, 64 << 10);
	case GOMD_BAD_DOUBLE_FREE_TINY:
		return gomd_bad_double_free(r, 4);
	case GOMD_BAD_FREE_DESTROYED:
		return gomd_bad_free_destroyed(r);
	case GOMD_BAD_REALLOC_FOREIGN:
		return gomd_bad_realloc_foreign(r);
	case GOMD_BAD_REALLOC_INTERIOR:
		return gomd_bad_realloc_gom(r, 8, 256);
	case GOMD_BAD_REALLOC_TOO_LARGE:
		return gomd_bad_realloc_gom(r, 0, SIZE_MAX);
	case GOMD_BAD_SIZE_ZERO:
		gomd_bad_size(r, 0);
		return 0;
	case GOMD_BAD_SIZE_MAX:
		gomd_bad_size(r, SIZE_MAX);
		return 0;
	case GOMD_BAD_SIZE_ABOVE_MAX:
		gomd_bad_size(r, GOM_MAX_ALLOC_SIZE + 1);
		return 0;
	case GOMD_BAD_GFP_KERNEL_ATOMIC:
		return gomd_bad_gfp_atomic(r);
	}
	return -EINVAL;
}

/* === kmemleak: a leak on purpose === */

/*
 * kmemleak scans whole task stacks: overwrite what the allocation left
 * below this frame, so that no stale copy of the address keeps it
 * referenced.
 */
static noinline void gomd_stack_wipe(unsigned int depth)
{
	char buf[256];

	memzero_explicit(buf, sizeof(buf));
	if (depth)
		gomd_stack_wipe(depth - 1);
	barrier_data(buf);
}

/*
 * Allocate three objects of @size and leak the middle one: neither its
 * span's base nor a neighbour's free cache entry points at it.
 */
static noinline void *gomd_leak_alloc(u64 size)
{
	void *a = gom_alloc(size, GFP_KERNEL);
	void *p = gom_alloc(size, GFP_KERNEL);
	void *c = gom_alloc(size, GFP_KERNEL);

	if (p)
		memset(p, 0, size);
	gom_free(a);
	gom_free(c);
	return p;
}

static noinline int gomd_ioc_leak(u64 size)
{
	unsigned long hidden;
	void *p;

	if (!size || size > GOM_MAX_ALLOC_SIZE)
		return -EINVAL;
	mutex_lock(&gomd_leak_mutex);
	if (gomd_nr_leaks == ARRAY_SIZE(gomd_leaks)) {
		mutex_unlock(&gomd_leak_mutex);
		return -ENOSPC;
	}
	p = gomd_leak_alloc(size);
	/* hidden: kmemleak finds no reference to it */
	hidden = (unsigned long)p ^ gomd_leak_key;
	if (p)
		gomd_leaks[gomd_nr_leaks++] = hidden;
	mutex_unlock(&gomd_leak_mutex);
	gomd_stack_wipe(24);
	return hidden != gomd_leak_key ? 0 : -ENOMEM;
}

static int gomd_ioc_unleak(void)
{
	int n;

	mutex_lock(&gomd_leak_mutex);
	n = gomd_nr_leaks;
	while (gomd_nr_leaks)
		gom_free((void *)(gomd_leaks[--gomd_nr_leaks] ^ gomd_leak_key));
	mutex_unlock(&gomd_leak_mutex);
	return n;
}

/* === Objects as the trace events show them === */

static int gomd_ioc_obj_info(struct gomd_obj_info *r)
{
	struct gomd_obj *o;
	int ret = -ENOENT;

	if (r->reserved)
		return -EINVAL;
	down_write(&gomd_free_rwsem);	/* no FREE batch takes it meanwhile */
	o = r->id ? xa_load(&gomd_objs, r->id) : NULL;
	if (o && !o->orphan) {
		r->size = o->size;
		r->ksize = gom_ksize(o->p);
		snprintf(r->ptr, sizeof(r->ptr), "%p", o->p);
		ret = 0;
	}
	up_write(&gomd_free_rwsem);
	return ret;
}

/* === ioctl === */

static void gomd_ioc_stats(struct gomd_stats *s)
{
	struct gomd_obj *o;
	struct gomd_heap *h;
	unsigned long id;

	memset(s, 0, sizeof(*s));
	xa_lock(&gomd_objs);
	xa_for_each(&gomd_objs, id, o) {
		s->live++;
		s->orphans += o->orphan;
	}
	xa_unlock(&gomd_objs);
	xa_lock(&gomd_heaps);
	xa_for_each(&gomd_heaps, id, h)
		s->heaps++;
	xa_unlock(&gomd_heaps);
	s->allocs = atomic64_read(&gomd_allocs);
	s->frees = atomic64_read(&gomd_frees);
	s->failed = atomic64_read(&gomd_failed);
	s->damaged = atomic64_read(&gomd_damaged);
	s->unknown = atomic64_read(&gomd_unknown);
	mutex_lock(&gomd_leak_mutex);
	s->leaked = gomd_nr_leaks;
	mutex_unlock(&gomd_leak_mutex);
}

static long gomd_ioctl_batch(unsigned int cmd, void __user *arg)
{
	struct gomd_batch b;
	int ret;

	if (copy_from_user(&b, arg, sizeof(b)))
		return -EFAULT;
	ret = gomd_batch_check(&b);
	if (ret)
		return ret;
	if (cmd == GOMD_IOC_ALLOC)
		ret = gomd_ioc_alloc(&b);
	else
		ret = gomd_ioc_free(&b, cmd == GOMD_IOC_FREE);
	if (!ret && copy_to_user(arg, &b, sizeof(b)))
		ret = -EFAULT;
	return ret;
}

static long gomd_ioctl_heap(unsigned int cmd, void __user *arg)
{
	struct gomd_heap_req r;
	int ret;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (cmd == GOMD_IOC_HEAP_CREATE)
		ret = gomd_ioc_heap_create(&r);
	else
		ret = gomd_ioc_heap_destroy(&r);
	if (!ret && copy_to_user(arg, &r, sizeof(r)))
		ret = -EFAULT;
	return ret;
}

static long gomd_ioctl_obj_info(void __user *arg)
{
	struct gomd_obj_info r;
	int ret;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	ret = gomd_ioc_obj_info(&r);
	if (!ret && copy_to_user(arg, &r, sizeof(r)))
		ret = -EFAULT;
	return ret;
}

static long gomd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct gomd_bad_req r;
	struct gomd_stats s;
	u64 size;
	int ret;

	switch (cmd) {
	case GOMD_IOC_ALLOC:
	case GOMD_IOC_FREE:
	case GOMD_IOC_CHECK:
		return gomd_ioctl_batch(cmd, uarg);
	case GOMD_IOC_HEAP_CREATE:
	case GOMD_IOC_HEAP_DESTROY:
		return gomd_ioctl_heap(cmd, uarg);
	case GOMD_IOC_STATS:
		gomd_ioc_stats(&s);
		return copy_to_user(uarg, &s, sizeof(s)) ? -EFAULT : 0;
	case GOMD_IOC_BAD:
		if (copy_from_user(&r, uarg, sizeof(r)))
			return -EFAULT;
		ret = gomd_ioc_bad(&r);
		if (!ret && copy_to_user(uarg, &r, sizeof(r)))
			ret = -EFAULT;
		return ret;
	case GOMD_IOC_LEAK:
		if (copy_from_user(&size, uarg, sizeof(size)))
			return -EFAULT;
		return gomd_ioc_leak(size);
	case GOMD_IOC_UNLEAK:
		return gomd_ioc_unleak();
	case GOMD_IOC_OBJ_INFO:
		return gomd_ioctl_obj_info(uarg);
	}
	return -ENOTTY;
}

static const struct file_operations gomd_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = gomd_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice gomd_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "gomalloc_drv",
	.fops = &gomd_fops,
	.mode = 0600,
};

/* === Module === */

static int __init gomd_init(void)
{
	gomd_leak_key = get_random_long();
	return misc_register(&gomd_misc);
}

/* Free what userspace left behind: objects, heaps, leaks, orphans. */
static void __exit gomd_exit(void)
{
	struct gomd_orphan *orph, *tmp;
	struct gomd_heap *h;
	struct gomd_obj *o;
	unsigned long id;

	misc_deregister(&gomd_misc);
	xa_for_each(&gomd_objs, id, o) {
		xa_erase(&gomd_objs, id);
		gom_free(o->p);	/* an orphan's free is reported, and ignored */
		kfree(o);
	}
	xa_for_each(&gomd_heaps, id, h) {
		xa_erase(&gomd_heaps, id);
		gomd_heap_destroy(h);
	}
	gomd_ioc_unleak();
	list_for_each_entry_safe(orph, tmp, &gomd_orphans, list)
		kfree(orph);
}

module_init(gomd_init);
module_exit(gomd_exit);

MODULE_DESCRIPTION("gomalloc test driver: lets kselftests drive gomalloc");
MODULE_LICENSE("GPL");
