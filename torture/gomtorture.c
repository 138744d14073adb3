// SPDX-License-Identifier: GPL-2.0
/*
 * gomtorture - a torture test of gomalloc, in the style of the kernel's
 * own torture tests (kernel/torture.c, kernel/rcu/rcutorture.c,
 * kernel/locking/locktorture.c, kernel/scftorture.c). Not part of
 * gomalloc.ko.
 *
 * CONVENTIONS. Module parameters are declared with torture_param()
 * (<linux/torture.h>, a macro; kernel/torture.c's functions are not built
 * on the kernels gomalloc targets, CONFIG_TORTURE_TEST is off, so the
 * rest is done here the same way): nthreads per CPU, duration,
 * onoff_interval/onoff_holdoff (CPU hotplug of a random non-boot CPU),
 * stutter, shuffle_interval, stat_interval, verbose. Every line is a
 * pr_alert() starting "gomtorture: ", errors are flagged "!!!", the test
 * prints "--- Start of test: <parameters>" at load, a statistics line every
 * stat_interval seconds and "--- End of test: SUCCESS" or "--- End of
 * test: FAILURE" when it is over.
 *
 * LIFETIME. insmod returns at once; the test runs in kthreads for
 * duration seconds (0: until rmmod), then a control kthread stops it,
 * checks everything and prints the End line; rmmod afterwards only reaps
 * the control kthread (an early rmmod ends the test first). A test plan
 * waits for the End line and, meanwhile, may read debugfs or load the
 * system, as rcutorture's scripts do.
 *
 * WORKLOAD.
 *  - nthreads kthreads per online CPU, each placed on a CPU of its own and
 *    moved every shuffle_interval seconds, hold up to nobjects objects
 *    each and do random operations: gom_alloc()/gom_heap_alloc() with
 *    GFP_KERNEL, GFP_ATOMIC or __GFP_ZERO, gom_free(), gom_realloc(),
 *    gom_ksize() and gom_owns() (and use of the whole gom_ksize(), the
 *    kmalloc contract), gom_alloc_bulk()/gom_heap_alloc_bulk() and
 *    gom_free_bulk(), zero-size requests.
 *  - Per CPU an hrtimer in hardirq context and one in softirq context
 *    (HRTIMER_MODE_*_SOFT: the timer softirq on every kernel version, no BH
 *    workqueue or tasklet needed) run irq_ops operations per tick on pools of
 *    their own with GFP_ATOMIC. On PREEMPT_RT an allocator may not be called
 *    from a real hardirq: the hard timer (HRTIMER_MODE_*_HARD there only)
 *    queues an irq_work instead, which RT runs in the CPU's irq_work thread,
 *    its interrupt context for allocators (as testmod/gomalloc_drv.c does).
 *    After a CPU comes back online its timers are started on it again. A timer
 *    waits at least three times as long as its last tick took, so that where a
 *    tick costs more than the period (a debug kernel under QEMU TCG) the
 *    interrupt contexts take a quarter of a CPU, not all of it.
 *  - remote_pct percent of the frees go through a ring (a raw spinlock
 *    protected array, per kthread) to another kthread, on another CPU,
 *    which checks and frees them: cross-CPU frees, also from interrupts.
 *  - Sizes from 1 byte to max_size (4 MiB), mostly small: 34% tiny
 *    (1..15), 40% up to 256 B, 20% up to 4 KiB, 5.5% up to 32 KiB, 0.45%
 *    up to 512 KiB, 0.05% above (interrupt pools stop at 64/256 KiB).
 *    Large objects cost their size in pattern writes and checks (under
 *    QEMU TCG a 4 MiB one costs as much as thousands of small ones): the
 *    tail is thin so that the operation count stays high.
 *  - Every object gets a pattern derived from its address and a seed of
 *    its own over its whole requested size, checked before every free and
 *    realloc (realloc: the old contents must be in the new object).
 *  - Private heaps (flags 0, GOM_HEAP_NO_TINY, GOM_HEAP_DEBUG in turn) are
 *    created every heap_interval seconds and take heap_pct percent of the
 *    allocations; a heap is retired by its successor, and destroyed once
 *    its last object is freed (counted per heap), after its memstats show
 *    no object left and, for a debug heap, a validate walk finds nothing.
 *  - Every shrink_interval seconds: gom_mheap_scavenge() of the default
 *    heap or a private one; a full scavenge as debugfs "scavenge" does it
 *    (the mcaches drained by gom_heap_validate(), which also walks every
 *    span and must find nothing, the mcentral reserves released, the
 *    pages freed settled by gom_heap_quiesce(), every idle page returned);
 *    the shrinker through /proc/sys/vm/drop_caches.
 *  - Every fault_interval seconds, on kernels with CONFIG_FAULT_INJECTION:
 *    a burst of fault_burst_ms with gomalloc's fault_attr at
 *    fault_probability percent; allocations may give NULL ("failed").
 *  - Hostile cases, every hostile_interval_ms, each on a heap of its own
 *    that nothing else uses, with hotplug held off (cpus_read_lock) and
 *    the kthread pinned (migrate_disable) so that the free cache involved
 *    stays put, while everything above runs: a write after free in a
 *    GOM_HEAP_DEBUG heap (one "poison" report when the object is next
 *    handed out, and it is not handed out), a free marker overwritten in a
 *    heap without debug mode (one "freelist" report); with
 *    hostile_double_free=1, two CPUs free the same object of a
 *    GOM_HEAP_DEBUG heap at once behind a barrier and then allocate one
 *    object each: exactly one free accepted (memstats), one double_free
 *    report, two different objects.
 *
 * VERDICT: FAILURE on any damaged pattern or broken contract (ksize below
 * the request, gom_owns() false on a live object, a zeroed allocation that
 * is not, bulk all-or-nothing broken), any lost object (allocations and
 * frees counted; at the end every object freed and the default heap's
 * HeapObjects back to its value at load; during each stutter pause, with
 * every kthread and interrupt pool quiet, HeapObjects equals the objects
 * the test holds), any movement of gomalloc's error counters
 * (gom_errors[], per kind) other than the planted cases, exactly, any
 * WARN, BUG, KASAN report (taint W, D, B) or lockdep report (debug_locks
 * turned off) during the test. CPU hotplug failures are counted, not
 * failures. The default heap must have no other user during the test.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/debug_locks.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/kasan-checks.h>
#include <linux/kasan.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/torture.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <gomalloc.h>
#include "gomalloc_internal.h"

torture_param(int, nthreads, 1, "Allocator kthreads per online CPU");
torture_param(int, duration, 30, "Duration of the test (s), 0=until unload");
torture_param(int, onoff_interval, 0, "Time between CPU hotplugs (s), 0=disable");
torture_param(int, onoff_holdoff, 0, "Time after load before CPU hotplugs (s)");
torture_param(int, stutter, 5, "Run time between 1 s pauses (s), 0=disable");
torture_param(int, shuffle_interval, 3, "Time between kthread moves (s), 0=disable");
torture_param(int, stat_interval, 10, "Time between statistics lines (s), 0=at end only");
torture_param(int, verbose, 0, "Print hotplug, heap, fault and hostile events");
torture_param(int, nobjects, 256, "Objects each kthread holds at most");
torture_param(int, irq_interval_us, 1000, "Per-CPU irq timer period (us), 0=disable");
torture_param(int, irq_ops, 4, "Operations per timer tick");
torture_param(int, remote_pct, 25, "Percent of frees handed to a kthread on another CPU");
torture_param(int, heap_interval, 2, "Time between private heap creations (s), 0=disable");
torture_param(int, heap_pct, 15, "Percent of allocations from private heaps");
torture_param(int, shrink_interval, 1, "Time between scavenge/shrink runs (s), 0=disable");
torture_param(bool, shrink_drop_caches, true, "Run the shrinker through /proc/sys/vm/drop_caches");
torture_param(int, fault_interval, 5, "Time between fault-injection bursts (s), 0=disable");
torture_param(int, fault_burst_ms, 300, "Length of a fault-injection burst (ms)");
torture_param(int, fault_probability, 50, "Percent failed in a burst");
torture_param(bool, hostile, true, "Plant writes after free and count their reports");
torture_param(int, hostile_interval_ms, 100, "Time between hostile rounds (ms)");
torture_param(bool, hostile_double_free, false, "Plant simultaneous double frees from two CPUs");
torture_param(ulong, max_size, GOM_MAX_ALLOC_SIZE, "Largest request (bytes)");

#define GT_RING_SIZE	128	/* objects waiting for a remote free, per kthread */
#define GT_POOL_SIZE	16	/* objects of one interrupt context */
#define GT_BULK_MAX	16
#define GT_HARD_MAX	SZ_64K	/* largest request in hardirq context */
#define GT_SOFT_MAX	SZ_256K	/* and in softirq context */
#define GT_BATCH	32	/* kthread operations between pause points */
#define GT_NR_HEAPS	2	/* private heaps published at once */
#define GT_FAULT_TIMES	BIT(30)

#define gt_err(fmt, ...)						\
	do {								\
		gt_error();						\
		pr_alert("!!! " fmt "\n", ##__VA_ARGS__);		\
	} while (0)
#define gt_err_ratelimited(fmt, ...)					\
	do {								\
		gt_error();						\
		pr_alert_ratelimited("!!! " fmt "\n", ##__VA_ARGS__);	\
	} while (0)
#define GT_VERBOSE(fmt, ...)						\
	do {								\
		if (verbose)						\
			pr_alert(fmt "\n", ##__VA_ARGS__);		\
	} while (0)

/* === State === */

/**
 * struct gt_heap - a private heap under load
 * @heap: the gomalloc heap
 * @refs: its live objects (and scavenge calls), plus one while published
 * @retiring: no new objects; holders free theirs when they see it
 * @flags: GOM_HEAP_* it was created with
 */
struct gt_heap {
	struct gom_heap *heap;
	atomic_t refs;
	bool retiring;
	unsigned int flags;
};

/**
 * struct gt_obj - an object held by the test
 * @p: the object, NULL for an empty slot
 * @gh: its private heap, NULL for the default heap
 * @size: bytes it holds the pattern in (requested, or its gom_ksize())
 * @seed: seed of its pattern
 * @cpu: CPU it was allocated on
 */
struct gt_obj {
	void *p;
	struct gt_heap *gh;
	u32 size;
	u32 seed;
	u32 cpu;
};

enum gt_stat {
	GT_OPS,		/* allocator calls (a bulk call counts its objects) */
	GT_ALLOCS,	/* objects received */
	GT_FREES,	/* objects given back */
	GT_REMOTE,	/* of them on another CPU than they were allocated on */
	GT_RINGED,	/* handed to another kthread to free */
	GT_FAILED,	/* allocations that gave NULL */
	GT_DAMAGED,	/* damaged patterns and broken contracts */
	GT_REALLOCS,
	GT_BULK,	/* bulk calls */
	GT_KSIZE,	/* gom_ksize() calls */
	GT_LIVE,	/* default heap objects allocated here minus freed here */
	GT_NR,
};

/**
 * struct gt_holder - objects held by one kthread or interrupt context
 * @obj: the slots
 * @nobj: how many
 * @atomic: interrupt context: GFP_ATOMIC only
 * @max: largest request
 * @rng: xorshift state
 * @st: counters, written by the holder only
 */
struct gt_holder {
	struct gt_obj *obj;
	unsigned int nobj;
	bool atomic;
	size_t max;
	u64 rng;
	long st[GT_NR];
};

/**
 * struct gt_ring - objects handed to a kthread for it to free
 * @lock: raw, as interrupt contexts push too (also on PREEMPT_RT)
 * @head: oldest entry
 * @n: entries
 * @e: the entries
 */
struct gt_ring {
	raw_spinlock_t lock;
	unsigned int head, n;
	struct gt_obj e[GT_RING_SIZE];
};

/**
 * struct gt_worker - an allocator kthread
 * @h: its objects
 * @ring: objects other contexts hand it to free
 * @task: the kthread
 * @id: its index
 */
struct gt_worker {
	struct gt_holder h;
	struct gt_ring ring;
	struct task_struct *task;
	unsigned int id;
};

/**
 * struct gt_pool - objects of one interrupt context of one CPU
 * @h: its objects
 * @obj: their slots
 * @busy: a tick is running (the stutter pause waits for it)
 */
struct gt_pool {
	struct gt_holder h;
	struct gt_obj obj[GT_POOL_SIZE];
	int busy;
};

/**
 * struct gt_cpu - the interrupt contexts of one CPU
 * @hard: hardirq timer
 * @soft: softirq timer
 * @iw: PREEMPT_RT: where the hardirq pool runs
 * @hp: hardirq pool
 * @sp: softirq pool
 * @iw_took: PREEMPT_RT: ns the last irq_work tick took
 * @stop: timers do not rearm
 * @started: timers were started on this CPU
 */
struct gt_cpu {
	struct hrtimer hard, soft;
	struct irq_work iw;
	struct gt_pool hp, sp;
	s64 iw_took;
	bool stop;
	bool started;
};

enum gt_misc_stat {
	GM_ERRORS,		/* everything that makes it a FAILURE */
	GM_HEAPS_MADE, GM_HEAPS_GONE, GM_HEAP_FAIL,
	GM_OFFL_TRY, GM_OFFL, GM_ONL_TRY, GM_ONL,
	GM_SHUFFLES, GM_PAUSES, GM_PAUSE_CHECKS,
	GM_SCAVENGED, GM_SHRINKS, GM_VALIDATES,
	GM_BURSTS, GM_INJECTED,
	GM_WAF, GM_WAF_CAUGHT, GM_MARK, GM_MARK_CAUGHT, GM_DF, GM_DF_OK,
	GM_NR,
};

static atomic_long_t gt_misc[GM_NR];

static struct gt_worker **gt_workers;
static unsigned int gt_nworkers;
static struct gt_cpu *gt_cpus;
static struct gt_heap __rcu *gt_heap_slot[GT_NR_HEAPS];
static ktime_t gt_period;

static bool gt_stopping;	/* the test is being torn down */
static bool gt_emptied;		/* every holder and ring is empty */
static bool gt_paused;		/* stutter: quiet */
static bool gt_faulting;	/* a fault-injection burst is on */
static atomic_t gt_nr_paused;	/* kthreads waiting in a pause */
static DECLARE_WAIT_QUEUE_HEAD(gt_pause_wq);
static DECLARE_WAIT_QUEUE_HEAD(gt_stop_wq);
static DEFINE_MUTEX(gt_place_mutex);	/* gt_rot, kthread and timer placement */
static unsigned int gt_rot;
static struct cpumask gt_offlined;	/* CPUs the onoff kthread took down */
static atomic_long_t gt_heap_seq;

static struct task_struct *gt_control_task, *gt_stats_task, *gt_onoff_task;
static struct task_struct *gt_shuffle_task, *gt_stutter_task, *gt_churn_task;
static struct task_struct *gt_shrink_task, *gt_fault_task, *gt_hostile_task;

/* baselines at load */
static unsigned long gt_t0, gt_t1;	/* jiffies: start, start of teardown */
static struct gom_memstats gt_ms0;
static long gt_err0[GOM_ERR_NR];
static atomic_long_t gt_expected[GOM_ERR_NR];	/* planted reports */
static bool gt_taint0[3];
static int gt_debug_locks0;
static const unsigned int gt_taints[3] = { TAINT_WARN, TAINT_DIE, TAINT_BAD_PAGE };

/* the hostile cases' heaps; nothing else allocates from them */
static struct gom_heap *gt_waf_heap, *gt_mark_heap, *gt_df_heap;
static struct workqueue_struct *gt_wq;
static bool gt_df_broken;

static void gt_error(void)
{
	atomic_long_inc(&gt_misc[GM_ERRORS]);
}

static void gt_count(enum gt_misc_stat i, long n)
{
	atomic_long_add(n, &gt_misc[i]);
}

static long gt_get(enum gt_misc_stat i)
{
	return atomic_long_read(&gt_misc[i]);
}

/* xorshift64*: cheap, any context, one state per holder */
static u32 gt_rand(u64 *s)
{
	u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return (x * 0x2545f4914f6cdd1dULL) >> 32;
}

/* Sleep up to @j jiffies; the test's end or kthread_stop() cuts it short. */
static void gt_sleep(unsigned long j)
{
	wait_event_interruptible_timeout(gt_stop_wq, READ_ONCE(gt_stopping) ||
					 kthread_should_stop(), j);
}

/* A kthread that is done waits for kthread_stop(), as torture kthreads do. */
static void gt_wait_stop(void)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

/* === Patterns === */

#define GT_STEP	0x9e3779b97f4a7c15ULL

/* First word of the pattern of an object at @key with @seed. */
static u64 gt_base(const void *key, u32 seed)
{
	u64 x = (unsigned long)key ^ ((u64)seed << 32) ^ seed;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* Byte @k of the pattern: byte k % 8 of word k / 8, in memory order. */
static __always_inline u8 gt_byte(u64 base, size_t k)
{
	u64 w = base + (k >> 3) * GT_STEP;

	return ((u8 *)&w)[k & 7];
}

/*
 * The pattern loops touch every byte of an object. Under KASAN the range is
 * checked once (a report if any byte of it is not the caller's to use),
 * then the loop runs uninstrumented: one shadow check per word costs more
 * than everything else under QEMU TCG.
 */
static __no_sanitize_address void gt_fill_raw(u8 *p, size_t from, size_t to,
					      u64 base)
{
	size_t k = from;
	u64 w;

	if (IS_ALIGNED((unsigned long)p, 8)) {
		for (; k < to && (k & 7); k++)
			p[k] = gt_byte(base, k);
		w = base + (k >> 3) * GT_STEP;
		for (; k + 8 <= to; k += 8, w += GT_STEP)
			*(u64 *)(p + k) = w;
	}
	for (; k < to; k++)
		p[k] = gt_byte(base, k);
}

static void gt_fill(u8 *p, size_t from, size_t to, u64 base)
{
	if (to > from)
		kasan_check_write(p + from, to - from);
	gt_fill_raw(p, from, to, base);
}

static __no_sanitize_address long gt_check_raw(const u8 *p, size_t to,
					       u64 base)
{
	size_t k = 0;
	u64 w = base;

	if (IS_ALIGNED((unsigned long)p, 8)) {
		for (; k + 8 <= to; k += 8, w += GT_STEP)
			if (*(const u64 *)(p + k) != w)
				break;
	}
	for (; k < to; k++)
		if (p[k] != gt_byte(base, k))
			return k;
	return -1;
}

/* Offset of the first byte in [0, @to) that gt_fill() did not leave, or -1. */
static long gt_check(const u8 *p, size_t to, u64 base)
{
	if (to)
		kasan_check_read(p, to);
	return gt_check_raw(p, to, base);
}

/* === Private heaps === */

static struct gt_heap *gt_heap_ref(unsigned int i)
{
	struct gt_heap *gh;

	rcu_read_lock();
	gh = rcu_dereference(gt_heap_slot[i % GT_NR_HEAPS]);
	if (gh && (READ_ONCE(gh->retiring) || !atomic_inc_not_zero(&gh->refs)))
		gh = NULL;
	rcu_read_unlock();
	return gh;
}

static void gt_heap_put(struct gt_heap *gh, int n)
{
	if (!gh)
		return;
	/* everything done with the heap is done before the count drops */
	smp_mb__before_atomic();
	atomic_sub(n, &gh->refs);
}

static struct gt_heap *gt_heap_pick(struct gt_holder *h)
{
	if (!heap_interval || gt_rand(&h->rng) % 100 >= heap_pct)
		return NULL;
	return gt_heap_ref(gt_rand(&h->rng));
}

static const char *gt_heap_name(const struct gt_heap *gh)
{
	return gh ? gom_heap_name(gh->heap) : "default";
}

/* === Objects === */

static size_t gt_size(u64 *rng, size_t max)
{
	/* cumulative, in 1/100000: the percentages in the comment at the top */
	static const struct {
		u32 below, lo, hi;
	} band[] = {
		{ 34000, 1, 15 },
		{ 74000, 16, 256 },
		{ 94000, 257, SZ_4K },
		{ 99500, SZ_4K + 1, SZ_32K },
		{ 99950, SZ_32K + 1, SZ_512K },
		{ 100000, SZ_512K + 1, SZ_4M },
	};
	u32 r = gt_rand(rng) % 100000;
	unsigned int i = 0;
	size_t size;

	while (r >= band[i].below)
		i++;
	size = band[i].lo + gt_rand(rng) % (band[i].hi - band[i].lo + 1);
	if (size > max)
		size = 1 + gt_rand(rng) % max;
	return size;
}

static gfp_t gt_gfp(struct gt_holder *h, size_t size)
{
	u32 r = gt_rand(&h->rng) % 100;
	gfp_t gfp;

	if (h->atomic || r < 10)
		gfp = GFP_ATOMIC | __GFP_NOWARN;
	else
		gfp = GFP_KERNEL;
	/* a large order may fail for real: counted, not a warning */
	if (size > SZ_512K)
		gfp |= __GFP_NOWARN;
	return gfp;
}

static void gt_damage(struct gt_holder *h, const struct gt_obj *o, u64 base,
		      long off, const char *what)
{
	h->st[GT_DAMAGED]++;
	gt_err_ratelimited("%s: object %p (%u bytes, heap %s, allocated on CPU %u) damaged at byte %ld: 0x%02x, expected 0x%02x",
			   what, o->p, o->size, gt_heap_name(o->gh), o->cpu,
			   off, ((u8 *)o->p)[off], gt_byte(base, off));
}

static void gt_broken(struct gt_holder *h, const struct gt_obj *o,
		      const char *what, size_t val)
{
	h->st[GT_DAMAGED]++;
	gt_err_ratelimited("%s: object %p (%u bytes, heap %s): %zu", what,
			   o->p, o->size, gt_heap_name(o->gh), val);
}

static void gt_verify(struct gt_holder *h, const struct gt_obj *o,
		      const char *what)
{
	u64 base = gt_base(o->p, o->seed);
	long off = gt_check(o->p, o->size, base);

	if (off >= 0)
		gt_damage(h, o, base, off, what);
}

/* @p received for slot @o: pattern it, count it. */
static void gt_take(struct gt_holder *h, struct gt_obj *o, void *p,
		    struct gt_heap *gh, size_t size)
{
	o->p = p;
	o->gh = gh;
	o->size = size;
	o->seed = gt_rand(&h->rng);
	o->cpu = raw_smp_processor_id();
	gt_fill(p, 0, size, gt_base(p, o->seed));
	h->st[GT_ALLOCS]++;
	if (!gh)
		h->st[GT_LIVE]++;
}

/* @o was given back (freed, or moved by realloc). */
static void gt_gone(struct gt_holder *h, struct gt_obj *o, bool put)
{
	h->st[GT_FREES]++;
	if (raw_smp_processor_id() != o->cpu)
		h->st[GT_REMOTE]++;
	if (!o->gh)
		h->st[GT_LIVE]--;
	else if (put)
		gt_heap_put(o->gh, 1);
	o->p = NULL;
}

static void gt_release(struct gt_holder *h, struct gt_obj *o)
{
	gt_verify(h, o, "free");
	gom_free(o->p);
	h->st[GT_OPS]++;
	gt_gone(h, o, true);
}

static void gt_holder_empty(struct gt_holder *h)
{
	unsigned int i;

	for (i = 0; i < h->nobj; i++)
		if (h->obj[i].p)
			gt_release(h, &h->obj[i]);
}

/* === Remote frees: rings === */

static bool gt_ring_push(struct gt_ring *r, struct gt_obj *o)
{
	unsigned long flags;
	bool ok = false;

	raw_spin_lock_irqsave(&r->lock, flags);
	if (r->n < GT_RING_SIZE) {
		r->e[(r->head + r->n) % GT_RING_SIZE] = *o;
		r->n++;
		ok = true;
	}
	raw_spin_unlock_irqrestore(&r->lock, flags);
	return ok;
}

/* Free what other contexts handed @w; returns how many. */
static unsigned int gt_ring_drain(struct gt_worker *w)
{
	struct gt_obj batch[GT_BATCH];
	struct gt_ring *r = &w->ring;
	unsigned int i, n;
	unsigned long flags;

	raw_spin_lock_irqsave(&r->lock, flags);
	n = min_t(unsigned int, r->n, GT_BATCH);
	for (i = 0; i < n; i++)
		batch[i] = r->e[(r->head + i) % GT_RING_SIZE];
	r->head = (r->head + n) % GT_RING_SIZE;
	r->n -= n;
	raw_spin_unlock_irqrestore(&r->lock, flags);
	for (i = 0; i < n; i++)
		gt_release(&w->h, &batch[i]);
	return n;
}

/* === Operations === */

/*
 * One allocation of a random size from the default heap or a private one:
 * counted, NULL counted as failed (and its heap reference dropped).
 */
static void *gt_alloc(struct gt_holder *h, gfp_t extra, size_t *sizep,
		      struct gt_heap **ghp)
{
	size_t size = gt_size(&h->rng, h->max);
	gfp_t gfp = gt_gfp(h, size) | extra;
	struct gt_heap *gh = gt_heap_pick(h);
	void *p;

	p = gh ? gom_heap_alloc(gh->heap, size, gfp) : gom_alloc(size, gfp);
	h->st[GT_OPS]++;
	if (!p) {
		h->st[GT_FAILED]++;
		gt_heap_put(gh, 1);
	}
	*sizep = size;
	*ghp = gh;
	return p;
}

static void gt_op_alloc(struct gt_holder *h, struct gt_obj *o)
{
	struct gt_heap *gh;
	size_t size;
	void *p = gt_alloc(h, 0, &size, &gh);

	if (p)
		gt_take(h, o, p, gh, size);
}

/* gom_alloc() with __GFP_ZERO: zeroes checked before the pattern goes in */
static void gt_op_alloc_zero(struct gt_holder *h, struct gt_obj *o)
{
	struct gt_heap *gh;
	struct gt_obj tmp;
	size_t size;
	void *p = gt_alloc(h, __GFP_ZERO, &size, &gh);
	u8 *bad;

	if (!p)
		return;
	bad = memchr_inv(p, 0, size);
	if (bad) {
		tmp = (struct gt_obj){ .p = p, .gh = gh, .size = size };
		gt_broken(h, &tmp, "__GFP_ZERO allocation not zeroed at byte",
			  bad - (u8 *)p);
	}
	gt_take(h, o, p, gh, size);
}

static void gt_op_zero_size(struct gt_holder *h)
{
	struct gt_obj tmp = { .p = gom_alloc(0, GFP_ATOMIC) };

	h->st[GT_OPS] += 3;
	if (tmp.p != GOM_ZERO_SIZE_PTR)
		gt_broken(h, &tmp, "gom_alloc(0) is not GOM_ZERO_SIZE_PTR", 0);
	else if (gom_ksize(tmp.p))
		gt_broken(h, &tmp, "gom_ksize(GOM_ZERO_SIZE_PTR)",
			  gom_ksize(tmp.p));
	gom_free(tmp.p);
}

/* Check and free up to @n objects at once, of any heaps. */
static void gt_free_bulk(struct gt_holder *h, struct gt_obj **objs,
			 unsigned int n)
{
	void *p[GT_BULK_MAX];
	unsigned int i;

	for (i = 0; i < n; i++) {
		gt_verify(h, objs[i], "bulk free");
		p[i] = objs[i]->p;
	}
	gom_free_bulk(n, p);
	h->st[GT_OPS] += n;
	h->st[GT_BULK]++;
	for (i = 0; i < n; i++)
		gt_gone(h, objs[i], true);
}

static void gt_op_bulk_alloc(struct gt_holder *h)
{
	struct gt_obj tmp[GT_BULK_MAX], *give[GT_BULK_MAX];
	unsigned int n = 2 + gt_rand(&h->rng) % (h->atomic ? 7 : GT_BULK_MAX - 1);
	size_t size = gt_size(&h->rng, SZ_4K);
	struct gt_heap *gh = gt_heap_pick(h);
	gfp_t gfp = gt_gfp(h, size);
	unsigned int i, j, k, ngive = 0;
	void *p[GT_BULK_MAX];
	size_t ks;
	int got;

	got = gh ? gom_heap_alloc_bulk(gh->heap, size, gfp, n, p) :
		   gom_alloc_bulk(size, gfp, n, p);
	h->st[GT_OPS] += n;
	h->st[GT_BULK]++;
	if (got != (int)n) {
		if (got) {
			tmp[0] = (struct gt_obj){ .p = p[0], .gh = gh, .size = size };
			gt_broken(h, &tmp[0], "gom_alloc_bulk() neither all nor nothing",
				  got);
		}
		h->st[GT_FAILED]++;
		gt_heap_put(gh, 1);
		return;
	}
	if (gh)
		atomic_add(n - 1, &gh->refs);
	k = gt_rand(&h->rng);
	for (i = 0; i < n; i++) {
		gt_take(h, &tmp[i], p[i], gh, size);
		ks = gom_ksize(p[i]);
		h->st[GT_OPS]++;
		h->st[GT_KSIZE]++;
		if (ks < size)
			gt_broken(h, &tmp[i], "gom_ksize() below the request", ks);
		/* about half stay, in empty slots; the rest go back at once */
		for (j = 0; j < 8 && (gt_rand(&h->rng) & 1); j++, k++) {
			if (!h->obj[k % h->nobj].p) {
				h->obj[k % h->nobj] = tmp[i];
				tmp[i].p = NULL;
				break;
			}
		}
		if (tmp[i].p)
			give[ngive++] = &tmp[i];
	}
	if (ngive)
		gt_free_bulk(h, give, ngive);
}

/* Up to 8 held objects from slot @first on, freed by one gom_free_bulk(). */
static void gt_op_bulk_free(struct gt_holder *h, unsigned int first)
{
	struct gt_obj *give[8];
	unsigned int i, n = 0;

	for (i = 0; i < h->nobj && n < ARRAY_SIZE(give); i++)
		if (h->obj[(first + i) % h->nobj].p)
			give[n++] = &h->obj[(first + i) % h->nobj];
	gt_free_bulk(h, give, n);
}

static void gt_op_realloc(struct gt_holder *h, struct gt_obj *o)
{
	size_t size = gt_size(&h->rng, h->max);
	gfp_t gfp = gt_gfp(h, size);
	u64 base = gt_base(o->p, o->seed);
	struct gt_obj old = *o;
	long off;
	void *q;

	gt_verify(h, o, "realloc");
	q = gom_realloc(o->p, size, gfp);
	h->st[GT_OPS]++;
	h->st[GT_REALLOCS]++;
	if (!q) {
		h->st[GT_FAILED]++;
		return;
	}
	old.p = q;
	off = gt_check(q, min_t(size_t, o->size, size), base);
	if (off >= 0)
		gt_damage(h, &old, base, off, "realloc copy");
	if (q != o->p) {
		/* a new object of the same heap: the old one was freed */
		gt_gone(h, o, false);
		gt_take(h, o, q, old.gh, size);
		return;
	}
	o->size = size;
	o->seed = gt_rand(&h->rng);
	gt_fill(q, 0, size, gt_base(q, o->seed));
}

static void gt_op_ksize(struct gt_holder *h, struct gt_obj *o)
{
	size_t ks = gom_ksize(o->p);

	h->st[GT_OPS] += 2;
	h->st[GT_KSIZE]++;
	if (ks < o->size)
		gt_broken(h, o, "gom_ksize() below the request", ks);
	if (!gom_owns(o->p))
		gt_broken(h, o, "gom_owns() false for a live object", 0);
	gt_verify(h, o, "check");
	/* kmalloc's contract: all of ksize is the caller's */
	if (ks > o->size && ks <= U32_MAX && !(gt_rand(&h->rng) & 3)) {
		gt_fill(o->p, o->size, ks, gt_base(o->p, o->seed));
		o->size = ks;
	}
}

static void gt_op_remote(struct gt_holder *h, struct gt_obj *o,
			 struct gt_worker *self)
{
	struct gt_worker *w = gt_workers[gt_rand(&h->rng) % gt_nworkers];

	if (w == self)
		w = gt_workers[(w->id + 1) % gt_nworkers];
	if (w != self && gt_ring_push(&w->ring, o)) {
		h->st[GT_RINGED]++;
		o->p = NULL;	/* counted as freed by whoever frees it */
		return;
	}
	gt_release(h, o);
}

/* One random operation on one random slot of @h. */
static void gt_op(struct gt_holder *h, struct gt_worker *self)
{
	u32 r = gt_rand(&h->rng);
	unsigned int i = r % h->nobj;
	struct gt_obj *o = &h->obj[i];
	unsigned int pct = (r >> 20) % 100;

	if (!o->p) {
		if (pct < 4)
			gt_op_bulk_alloc(h);
		else if (pct < 5)
			gt_op_zero_size(h);
		else if (pct < 10)
			gt_op_alloc_zero(h, o);
		else
			gt_op_alloc(h, o);
		return;
	}
	if (o->gh && READ_ONCE(o->gh->retiring)) {
		gt_release(h, o);
		return;
	}
	if (pct < remote_pct)
		gt_op_remote(h, o, self);
	else if (pct < remote_pct + 10)
		gt_op_realloc(h, o);
	else if (pct < remote_pct + 20)
		gt_op_ksize(h, o);
	else if (pct < remote_pct + 24)
		gt_op_bulk_free(h, i);
	else
		gt_release(h, o);
}

/* === Stutter === */

/* A worker's pause point: counted, so that the pause can tell it is quiet. */
static void gt_pause_point(void)
{
	if (!READ_ONCE(gt_paused))
		return;
	/* its counters are final before the pause sees it waiting */
	smp_mb__before_atomic();
	atomic_inc(&gt_nr_paused);
	wait_event_idle(gt_pause_wq, !READ_ONCE(gt_paused) ||
			READ_ONCE(gt_stopping));
	atomic_dec(&gt_nr_paused);
}

/* The other kthreads' pause: not counted. */
static void gt_pause_wait(void)
{
	wait_event_idle(gt_pause_wq, !READ_ONCE(gt_paused) ||
			READ_ONCE(gt_stopping));
}

static void gt_sum(long *st, long *hard_ops, long *soft_ops)
{
	unsigned int i, k;
	int cpu;

	memset(st, 0, GT_NR * sizeof(*st));
	*hard_ops = 0;
	*soft_ops = 0;
	for (i = 0; i < gt_nworkers; i++)
		for (k = 0; k < GT_NR; k++)
			/*
			 * Each holder writes its own counters with no lock: a
			 * racy sum, exact once the holders are quiet (a
			 * stutter pause, the end).
			 */
			st[k] += data_race(gt_workers[i]->h.st[k]);
	if (!gt_cpus)
		return;
	for_each_possible_cpu(cpu) {
		for (k = 0; k < GT_NR; k++) {
			/* racy as above */
			st[k] += data_race(gt_cpus[cpu].hp.h.st[k]);
			/* racy as above */
			st[k] += data_race(gt_cpus[cpu].sp.h.st[k]);
		}
		/* racy as above */
		*hard_ops += data_race(gt_cpus[cpu].hp.h.st[GT_OPS]);
		/* racy as above */
		*soft_ops += data_race(gt_cpus[cpu].sp.h.st[GT_OPS]);
	}
}

/*
 * With every worker in its pause point and no interrupt pool in a tick,
 * nothing allocates from or frees to the default heap: its HeapObjects
 * must be what it was at load plus what the test holds.
 */
static void gt_pause_check(void)
{
	unsigned long until = jiffies + HZ;
	struct gom_memstats ms;
	long st[GT_NR], hard, soft;
	int cpu;

	while (atomic_read(&gt_nr_paused) < gt_nworkers) {
		if (time_after(jiffies, until) || READ_ONCE(gt_stopping))
			return;
		schedule_timeout_idle(1);
	}
	for_each_possible_cpu(cpu) {
		/* acquire: the pools' counters as their last tick left them */
		while (smp_load_acquire(&gt_cpus[cpu].hp.busy) ||
		       /* as above */
		       smp_load_acquire(&gt_cpus[cpu].sp.busy)) {
			if (time_after(jiffies, until))
				return;
			cpu_relax();
		}
	}
	smp_rmb();	/* the workers' counters after their pause count */
	gt_sum(st, &hard, &soft);
	gom_read_memstats(gom_default_heap(), &ms);
	gt_count(GM_PAUSE_CHECKS, 1);
	if (ms.heap_objects != gt_ms0.heap_objects + st[GT_LIVE])
		gt_err("pause: default heap HeapObjects %lu, expected %lu (%lu at load + %ld held)",
		       ms.heap_objects, gt_ms0.heap_objects + st[GT_LIVE],
		       gt_ms0.heap_objects, st[GT_LIVE]);
}

static int gt_stutter_fn(void *arg)
{
	while (!READ_ONCE(gt_stopping)) {
		gt_sleep(stutter * HZ);
		if (READ_ONCE(gt_stopping))
			break;
		WRITE_ONCE(gt_paused, true);
		smp_mb();	/* pairs with the pools' tick and gt_pause_point() */
		gt_count(GM_PAUSES, 1);
		gt_pause_check();
		gt_sleep(HZ);
		WRITE_ONCE(gt_paused, false);
		wake_up_all(&gt_pause_wq);
	}
	gt_wait_stop();
	return 0;
}

/* === Allocator kthreads === */

static int gt_worker_fn(void *arg)
{
	struct gt_worker *w = arg;
	unsigned int i;

	while (!READ_ONCE(gt_stopping)) {
		gt_pause_point();
		gt_ring_drain(w);
		for (i = 0; i < GT_BATCH && !READ_ONCE(gt_stopping); i++)
			gt_op(&w->h, w);
		cond_resched();
	}
	gt_holder_empty(&w->h);
	while (gt_ring_drain(w))
		;
	gt_wait_stop();
	return 0;
}

static int gt_nth_online(unsigned int n)
{
	int cpu;

	for_each_online_cpu(cpu)
		if (!n--)
			return cpu;
	return cpumask_first(cpu_online_mask);
}

/* Worker i goes to the (i + gt_rot)-th online CPU; CPUs may come and go. */
static void gt_place_workers(void)
{
	unsigned int i, n;

	mutex_lock(&gt_place_mutex);
	n = num_online_cpus();
	for (i = 0; i < gt_nworkers; i++)
		set_cpus_allowed_ptr(gt_workers[i]->task,
				     cpumask_of(gt_nth_online((i + gt_rot) % n)));
	mutex_unlock(&gt_place_mutex);
}

static int gt_shuffle_fn(void *arg)
{
	while (!READ_ONCE(gt_stopping)) {
		gt_sleep(shuffle_interval * HZ);
		if (READ_ONCE(gt_stopping))
			break;
		mutex_lock(&gt_place_mutex);
		gt_rot++;
		mutex_unlock(&gt_place_mutex);
		gt_place_workers();
		gt_count(GM_SHUFFLES, 1);
	}
	gt_wait_stop();
	return 0;
}

/* === Interrupt contexts === */

/*
 * One tick of a pool. @busy also keeps a tick from running twice at once:
 * on PREEMPT_RT an irq_work may be queued again on another CPU while it
 * still runs (after its timer moved with a CPU going down).
 */
static void gt_pool_tick(struct gt_pool *pl)
{
	int i;

	/* fully ordered: pairs with the smp_mb() of gt_stutter_fn() */
	if (cmpxchg(&pl->busy, 0, 1))
		return;
	if (!READ_ONCE(gt_paused) && !READ_ONCE(gt_stopping))
		for (i = 0; i < irq_ops; i++)
			gt_op(&pl->h, NULL);
	/* release: the counters before the pause may read them */
	smp_store_release(&pl->busy, 0);
}

/*
 * Rearm @t one period on, or three times what the tick took if that is
 * more: where a tick costs more than the period (a debug kernel under
 * QEMU TCG) the interrupt contexts would otherwise leave the CPU nothing
 * else; this way they take a quarter of it at most.
 */
static enum hrtimer_restart gt_rearm(struct gt_cpu *c, struct hrtimer *t,
				     ktime_t start, ktime_t took)
{
	took = max_t(ktime_t, took, ktime_sub(ktime_get(), start));

	if (READ_ONCE(c->stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, max_t(ktime_t, gt_period, 3 * took));
	return HRTIMER_RESTART;
}

static void gt_iw_fn(struct irq_work *iw)
{
	struct gt_cpu *c = container_of(iw, struct gt_cpu, iw);
	ktime_t start = ktime_get();

	gt_pool_tick(&c->hp);
	WRITE_ONCE(c->iw_took, ktime_sub(ktime_get(), start));
}

static enum hrtimer_restart gt_hard_fn(struct hrtimer *t)
{
	struct gt_cpu *c = container_of(t, struct gt_cpu, hard);
	ktime_t start = ktime_get();

	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		irq_work_queue(&c->iw);
	} else {
		if (!in_hardirq())
			gt_err_ratelimited("hardirq timer not in hardirq context");
		gt_pool_tick(&c->hp);
	}
	return gt_rearm(c, t, start, READ_ONCE(c->iw_took));
}

static enum hrtimer_restart gt_soft_fn(struct hrtimer *t)
{
	struct gt_cpu *c = container_of(t, struct gt_cpu, soft);
	ktime_t start = ktime_get();

	if (!in_serving_softirq())
		gt_err_ratelimited("softirq timer not in softirq context");
	gt_pool_tick(&c->sp);
	return gt_rearm(c, t, start, 0);
}

static void gt_irq_stop(struct gt_cpu *c)
{
	if (!c->started)
		return;
	WRITE_ONCE(c->stop, true);
	hrtimer_cancel(&c->hard);
	hrtimer_cancel(&c->soft);
	irq_work_sync(&c->iw);
	c->started = false;
}

/*
 * The hardirq pool's timer: on !PREEMPT_RT every hrtimer but a _SOFT one
 * expires in hardirq context, so it needs no _HARD there; _HARD would tell
 * lockdep (PROVE_RAW_LOCK_NESTING) that it stays in hardirq context on RT
 * too, where no spinlock_t or local_lock_t may be taken (an allocator's,
 * gomalloc's as SLUB's). On RT it must be _HARD, and only queues an
 * irq_work (gt_hard_fn()).
 */
#define GT_HARD_MODE	(IS_ENABLED(CONFIG_PREEMPT_RT) ? \
			 HRTIMER_MODE_REL_PINNED_HARD : HRTIMER_MODE_REL_PINNED)

static void gt_irq_start_here(void *arg)
{
	struct gt_cpu *c = arg;

	hrtimer_start(&c->hard, gt_period, GT_HARD_MODE);
	hrtimer_start(&c->soft, gt_period, HRTIMER_MODE_REL_PINNED_SOFT);
}

/* (Re)start @cpu's timers on it: after load, and when it comes back. */
static void gt_irq_start(int cpu)
{
	struct gt_cpu *c = &gt_cpus[cpu];

	if (!irq_interval_us || READ_ONCE(gt_stopping))
		return;
	gt_irq_stop(c);
	WRITE_ONCE(c->stop, false);
	cpus_read_lock();
	if (cpu_online(cpu) &&
	    !smp_call_function_single(cpu, gt_irq_start_here, c, 1))
		c->started = true;
	cpus_read_unlock();
}

/* === CPU hotplug === */

static void gt_cpu_back(int cpu)
{
	gt_place_workers();
	mutex_lock(&gt_place_mutex);
	gt_irq_start(cpu);
	mutex_unlock(&gt_place_mutex);
}

static int gt_onoff_fn(void *arg)
{
	u64 rng = get_random_u64() | 1;
	unsigned long t;
	int cpu, ret;

	gt_sleep(onoff_holdoff * HZ);
	while (!READ_ONCE(gt_stopping)) {
		cpu = 1 + gt_rand(&rng) % max(nr_cpu_ids - 1, 1U);
		t = jiffies;
		if (cpu_online(cpu) && num_online_cpus() > 1 &&
		    cpu_is_hotpluggable(cpu)) {
			gt_count(GM_OFFL_TRY, 1);
			ret = remove_cpu(cpu);
			if (!ret) {
				gt_count(GM_OFFL, 1);
				cpumask_set_cpu(cpu, &gt_offlined);
			}
			GT_VERBOSE("onoff: offline CPU %d: %d (%u ms)", cpu, ret,
				   jiffies_to_msecs(jiffies - t));
		} else if (cpumask_test_cpu(cpu, &gt_offlined)) {
			gt_count(GM_ONL_TRY, 1);
			ret = add_cpu(cpu);
			if (!ret) {
				gt_count(GM_ONL, 1);
				cpumask_clear_cpu(cpu, &gt_offlined);
				gt_cpu_back(cpu);
			}
			GT_VERBOSE("onoff: online CPU %d: %d (%u ms)", cpu, ret,
				   jiffies_to_msecs(jiffies - t));
		}
		gt_sleep(onoff_interval * HZ);
	}
	for_each_cpu(cpu, &gt_offlined) {
		gt_count(GM_ONL_TRY, 1);
		ret = add_cpu(cpu);
		if (ret) {
			pr_alert("onoff: CPU %d stays offline: %d\n", cpu, ret);
			continue;
		}
		gt_count(GM_ONL, 1);
		cpumask_clear_cpu(cpu, &gt_offlined);
		gt_place_workers();
	}
	gt_wait_stop();
	return 0;
}

/* === Private heaps created and destroyed under load === */

static struct gt_heap *gt_heap_new(unsigned int flags)
{
	struct gt_heap *gh = kzalloc(sizeof(*gh), GFP_KERNEL);
	char name[GOM_HEAP_NAME_MAX];

	if (!gh)
		return NULL;
	snprintf(name, sizeof(name), "gomtorture-%ld",
		 atomic_long_inc_return(&gt_heap_seq));
	gh->heap = gom_heap_create(name, flags);
	if (!gh->heap) {
		gt_count(GM_HEAP_FAIL, 1);
		kfree(gh);
		return NULL;
	}
	gh->flags = flags;
	atomic_set(&gh->refs, 1);
	gt_count(GM_HEAPS_MADE, 1);
	GT_VERBOSE("heap %s created, flags %#x", name, flags);
	return gh;
}

/* Unpublished already: wait for its last object, check it, destroy it. */
static void gt_heap_retire(struct gt_heap *gh)
{
	unsigned long until = 0;
	struct gom_memstats ms;
	long n;

	WRITE_ONCE(gh->retiring, true);
	synchronize_rcu();	/* no new reference can be taken */
	gt_heap_put(gh, 1);
	while (atomic_read_acquire(&gh->refs) > 0) {
		if (READ_ONCE(gt_emptied)) {
			if (!until)
				until = jiffies + 5 * HZ;
			if (time_after(jiffies, until)) {
				gt_err("heap %s: %d objects never freed",
				       gom_heap_name(gh->heap),
				       atomic_read(&gh->refs));
				break;
			}
		}
		schedule_timeout_idle(HZ / 50 + 1);
	}
	gom_read_memstats(gh->heap, &ms);
	if (ms.heap_objects)
		gt_err("heap %s: HeapObjects %lu with every object freed",
		       gom_heap_name(gh->heap), ms.heap_objects);
	if (gh->flags & GOM_HEAP_DEBUG) {
		n = gom_heap_validate(gh->heap, NULL);
		gt_count(GM_VALIDATES, 1);
		if (n)
			gt_err("heap %s: validate found %ld corruptions",
			       gom_heap_name(gh->heap), n);
	}
	GT_VERBOSE("heap %s destroyed", gom_heap_name(gh->heap));
	gom_heap_destroy(gh->heap);
	gt_count(GM_HEAPS_GONE, 1);
	kfree(gh);
}

static int gt_churn_fn(void *arg)
{
	static const unsigned int flags[] = { 0, GOM_HEAP_NO_TINY, GOM_HEAP_DEBUG };
	struct gt_heap *gh, *old;
	unsigned int k = 0;

	while (!READ_ONCE(gt_stopping)) {
		gt_pause_wait();
		gh = gt_heap_new(flags[k % ARRAY_SIZE(flags)]);
		old = rcu_dereference_protected(gt_heap_slot[k % GT_NR_HEAPS], 1);
		rcu_assign_pointer(gt_heap_slot[k % GT_NR_HEAPS], gh);
		if (old)
			gt_heap_retire(old);
		k++;
		gt_sleep(heap_interval * HZ);
	}
	for (k = 0; k < GT_NR_HEAPS; k++) {
		old = rcu_dereference_protected(gt_heap_slot[k], 1);
		RCU_INIT_POINTER(gt_heap_slot[k], NULL);
		if (old)
			gt_heap_retire(old);
	}
	gt_wait_stop();
	return 0;
}

/* === Scavenge and shrink === */

static void gt_full_scavenge(struct gom_heap *heap)
{
	unsigned int spc;
	long n;

	/* drains every CPU's mcache, as debugfs "scavenge" does first */
	n = gom_heap_validate(heap, NULL);
	gt_count(GM_VALIDATES, 1);
	if (n)
		gt_err("heap %s: validate found %ld corruptions",
		       gom_heap_name(heap), n);
	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++)
		gt_count(GM_SCAVENGED,
			 gom_mcentral_release_reserve(&heap->central[spc]));
	/* the pages freed so far settle: a scavenge may release them */
	gom_heap_quiesce(heap);
	gt_count(GM_SCAVENGED, gom_mheap_scavenge(heap, ULONG_MAX));
}

static int gt_write_file(const char *path, const char *s)
{
	struct file *f = filp_open(path, O_WRONLY, 0);
	loff_t pos = 0;
	ssize_t ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = kernel_write(f, s, strlen(s), &pos);
	filp_close(f, NULL);
	return ret < 0 ? ret : 0;
}

static int gt_shrink_fn(void *arg)
{
	u64 rng = get_random_u64() | 1;
	struct gt_heap *gh;
	unsigned int k = 0;

	while (!READ_ONCE(gt_stopping)) {
		gt_sleep(shrink_interval * HZ);
		if (READ_ONCE(gt_stopping))
			break;
		switch (k++ % 4) {
		case 0:
			gt_count(GM_SCAVENGED,
				 gom_mheap_scavenge(gom_default_heap(),
						    1 + gt_rand(&rng) % 512));
			break;
		case 1:
			gh = gt_heap_ref(gt_rand(&rng));
			if (!gh)
				break;
			gt_count(GM_SCAVENGED,
				 gom_mheap_scavenge(gh->heap, 1 + gt_rand(&rng) % 512));
			gt_heap_put(gh, 1);
			break;
		case 2:
			gt_full_scavenge(gom_default_heap());
			break;
		case 3:
			if (shrink_drop_caches &&
			    !gt_write_file("/proc/sys/vm/drop_caches", "2"))
				gt_count(GM_SHRINKS, 1);
			break;
		}
	}
	gt_wait_stop();
	return 0;
}

/* === Fault injection bursts === */

static int gt_fault_fn(void *arg)
{
#ifdef CONFIG_FAULT_INJECTION
	struct fault_attr *attr = gom_fail_attr_get();
	unsigned long probability, interval, verb;
	int times;

	while (!READ_ONCE(gt_stopping)) {
		gt_sleep(fault_interval * HZ);
		if (READ_ONCE(gt_stopping))
			break;
		probability = READ_ONCE(attr->probability);
		interval = READ_ONCE(attr->interval);
		verb = READ_ONCE(attr->verbose);
		times = atomic_read(&attr->times);
		WRITE_ONCE(attr->verbose, 0);
		WRITE_ONCE(attr->interval, 1);
		atomic_set(&attr->times, GT_FAULT_TIMES);
		WRITE_ONCE(gt_faulting, true);
		WRITE_ONCE(attr->probability, fault_probability);
		gt_sleep(msecs_to_jiffies(fault_burst_ms));
		WRITE_ONCE(attr->probability, probability);
		gt_count(GM_INJECTED, GT_FAULT_TIMES - atomic_read(&attr->times));
		atomic_set(&attr->times, times);
		WRITE_ONCE(attr->interval, interval);
		WRITE_ONCE(attr->verbose, verb);
		WRITE_ONCE(gt_faulting, false);
		gt_count(GM_BURSTS, 1);
		GT_VERBOSE("faults: burst %ld, %ld injected so far",
			   gt_get(GM_BURSTS), gt_get(GM_INJECTED));
	}
#endif
	gt_wait_stop();
	return 0;
}

/* === Hostile cases === */

static void gt_errors_of(struct gom_heap *heap, long *e)
{
	unsigned int k;

	for (k = 0; k < GOM_ERR_NR; k++)
		e[k] = atomic_long_read(&heap->errors[k]);
}

/* Exactly one report of @kind on @heap since @e0, nothing else. */
static bool gt_one_report(struct gom_heap *heap, const long *e0,
			  enum gom_error kind, long *got)
{
	long e1[GOM_ERR_NR];
	unsigned int k;
	bool ok = true;

	gt_errors_of(heap, e1);
	for (k = 0; k < GOM_ERR_NR; k++)
		if (e1[k] - e0[k] != (k == kind ? 1 : 0))
			ok = false;
	*got = e1[kind] - e0[kind];
	return ok;
}

/*
 * Free an object, write into it, allocate the same size until it is handed
 * out again: a debug heap reports "poison" (@kind), one without debug mode
 * "freelist" when the free marker was hit; either way it must quarantine
 * the object, never hand it out, and report it exactly once.
 */
static void gt_hostile_waf(struct gom_heap *heap, enum gom_error kind,
			   u64 *rng)
{
	size_t size = 32 + gt_rand(rng) % 480;
	long e0[GOM_ERR_NR], got;
	unsigned int off, i, n = 0;
	bool handed_out = false;
	void *p, *q[32];

	gt_errors_of(heap, e0);
	/* the object stays on this CPU's free cache between free and alloc */
	cpus_read_lock();
	migrate_disable();
	p = gom_heap_alloc(heap, size, GFP_ATOMIC | __GFP_NOWARN);
	if (!p)
		goto out;
	gom_free(p);
	/* marker: bytes 0..7; poison: the rest of the bytes asked for */
	off = kind == GOM_ERR_FREELIST ? gt_rand(rng) % 8 :
					 8 + gt_rand(rng) % (size - 8);
	kasan_disable_current();
	WRITE_ONCE(((u8 *)p)[off], READ_ONCE(((u8 *)p)[off]) ^ 0xa5);
	kasan_enable_current();
	atomic_long_inc(&gt_expected[kind]);
	gt_count(kind == GOM_ERR_FREELIST ? GM_MARK : GM_WAF, 1);
	for (n = 0; n < ARRAY_SIZE(q); n++) {
		q[n] = gom_heap_alloc(heap, size, GFP_ATOMIC | __GFP_NOWARN);
		if (!q[n])
			break;
		handed_out |= q[n] == p;
		if (atomic_long_read(&heap->errors[kind]) != e0[kind]) {
			n++;
			break;
		}
	}
out:
	migrate_enable();
	cpus_read_unlock();
	for (i = 0; i < n; i++)
		gom_free(q[i]);
	if (!p)
		return;
	if (gt_one_report(heap, e0, kind, &got) && !handed_out) {
		gt_count(kind == GOM_ERR_FREELIST ? GM_MARK_CAUGHT : GM_WAF_CAUGHT, 1);
		return;
	}
	gt_err_ratelimited("hostile: write after free at byte %u of %p (%zu bytes, heap %s): %ld %s reports, expected 1%s",
			   off, p, size, gom_heap_name(heap), got,
			   gom_error_names[kind],
			   handed_out ? "; the object was handed out again" : "");
}

/**
 * struct gt_df - a double free from two CPUs at once
 * @work: the second CPU's side
 * @heap: a debug heap
 * @p: the object freed twice
 * @size: its size
 * @arrive: first barrier: both frees
 * @arrive2: second barrier: both allocations
 * @q: what the second CPU allocated after the frees
 * @cpu: where the second side ran
 * @late: a side waited for the other in vain (the round proves nothing)
 */
struct gt_df {
	struct work_struct work;
	struct gom_heap *heap;
	void *p;
	size_t size;
	atomic_t arrive, arrive2;
	void *q;
	int cpu;
	bool late;
};

static struct gt_df gt_df;

/* Both sides meet here; the two CPUs differ, so neither waits for long. */
static void gt_barrier(struct gt_df *d, atomic_t *a)
{
	unsigned long until = jiffies + 10 * HZ;

	atomic_inc(a);
	while (atomic_read(a) < 2) {
		if (time_after(jiffies, until)) {
			WRITE_ONCE(d->late, true);
			break;
		}
		cpu_relax();
	}
}

static void gt_df_side(struct gt_df *d, void **q)
{
	gt_barrier(d, &d->arrive);
	gom_free(d->p);
	/* both frees are done before either side allocates */
	gt_barrier(d, &d->arrive2);
	*q = gom_heap_alloc(d->heap, d->size, GFP_ATOMIC | __GFP_NOWARN);
}

static void gt_df_work(struct work_struct *work)
{
	struct gt_df *d = container_of(work, struct gt_df, work);

	d->cpu = raw_smp_processor_id();
	gt_df_side(d, &d->q);
}

static void gt_hostile_df(u64 *rng)
{
	struct gom_memstats ms0, ms1;
	struct gt_df *d = &gt_df;
	long e0[GOM_ERR_NR], got;
	unsigned long allocs, frees;
	int x, y, n;
	bool dup;
	void *q;

	if (gt_df_broken)
		return;
	gt_errors_of(gt_df_heap, e0);
	gom_read_memstats(gt_df_heap, &ms0);
	d->heap = gt_df_heap;
	d->size = 64;
	d->q = NULL;
	d->late = false;
	d->p = gom_heap_alloc(gt_df_heap, d->size, GFP_KERNEL);
	if (!d->p)
		return;
	atomic_set(&d->arrive, 0);
	atomic_set(&d->arrive2, 0);
	/* two CPUs that stay online: this one and a random other one */
	cpus_read_lock();
	if (num_online_cpus() < 2) {
		cpus_read_unlock();
		gom_free(d->p);
		return;
	}
	migrate_disable();
	x = smp_processor_id();
	/* max(): on !SMP (UML) the divisor is a constant 0 the compiler sees */
	n = gt_rand(rng) % max(num_online_cpus() - 1, 1U);
	for_each_online_cpu(y)
		if (y != x && !n--)
			break;
	queue_work_on(y, gt_wq, &d->work);
	gt_df_side(d, &q);
	migrate_enable();
	flush_work(&d->work);
	cpus_read_unlock();
	atomic_long_inc(&gt_expected[GOM_ERR_DOUBLE_FREE]);
	gt_count(GM_DF, 1);
	dup = q && q == d->q;
	allocs = 1 + !!q + !!d->q;
	gom_free(q);
	if (!dup)
		gom_free(d->q);
	gom_read_memstats(gt_df_heap, &ms1);
	frees = ms1.frees - ms0.frees;
	if (d->late) {
		gt_df_broken = true;
		gt_err("hostile: double free round %ld: CPUs %d and %d did not meet within 10 s",
		       gt_get(GM_DF), x, d->cpu);
		return;
	}
	if (gt_one_report(gt_df_heap, e0, GOM_ERR_DOUBLE_FREE, &got) &&
	    ms1.mallocs - ms0.mallocs == allocs && frees == allocs - dup &&
	    !dup) {
		gt_count(GM_DF_OK, 1);
		return;
	}
	/* the heap may hand out one object twice from now on: no more rounds */
	gt_df_broken = true;
	gt_err("hostile: double free of %p on CPUs %d and %d at once (round %ld): %ld double_free reports, %ld frees of it accepted, expected 1 and 1%s",
	       d->p, x, d->cpu, gt_get(GM_DF), got,
	       (long)(frees - (allocs - 1 - dup)),
	       dup ? "; both CPUs then received the same object" : "");
}

static int gt_hostile_fn(void *arg)
{
	u64 rng = get_random_u64() | 1;
	unsigned int k = 0;

	while (!READ_ONCE(gt_stopping)) {
		gt_sleep(msecs_to_jiffies(hostile_interval_ms));
		gt_pause_wait();
		if (READ_ONCE(gt_stopping))
			break;
		if (READ_ONCE(gt_faulting))
			continue;	/* allocations may fail: counts not exact */
		switch (k++ % 3) {
		case 0:
			if (gt_waf_heap)
				gt_hostile_waf(gt_waf_heap, GOM_ERR_POISON, &rng);
			break;
		case 1:
			if (gt_mark_heap)
				gt_hostile_waf(gt_mark_heap, GOM_ERR_FREELIST, &rng);
			break;
		case 2:
			if (gt_df_heap)
				gt_hostile_df(&rng);
			break;
		}
	}
	gt_wait_stop();
	return 0;
}

/* === Statistics and verdict === */

/* Reports beyond the planted cases (negative while one is in flight). */
static long gt_unexpected(void)
{
	long n = 0;
	unsigned int k;

	for (k = 0; k < GOM_ERR_NR; k++)
		n += atomic_long_read(&gom_errors[k]) - gt_err0[k] -
		     atomic_long_read(&gt_expected[k]);
	return n;
}

/*
 * Objects the default heap served to or took from contexts that
 * interrupted their CPU's mcache owner (the nested path); racy sums.
 */
static unsigned long gt_nested(void)
{
	struct gom_heap *heap = gom_default_heap();
	unsigned long n = 0;
	unsigned int spc;
	int cpu;

	for_each_possible_cpu(cpu)
		for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++)
			n += READ_ONCE(per_cpu_ptr(heap->mcache, cpu)->nested_mallocs[spc]) +
			     READ_ONCE(per_cpu_ptr(heap->mcache, cpu)->nested_frees[spc]);
	return n;
}

static void gt_stats(void)
{
	unsigned long ms = jiffies_to_msecs((gt_t1 ? gt_t1 : jiffies) - gt_t0);
	long st[GT_NR], hard, soft, planted = 0;
	unsigned int k;

	for (k = 0; k < GOM_ERR_NR; k++)
		planted += atomic_long_read(&gt_expected[k]);
	gt_sum(st, &hard, &soft);
	pr_alert("%sops=%ld allocs=%ld frees=%ld remote=%ld hardirq=%ld softirq=%ld failed=%ld damaged=%ld reports=%ld planted=%ld errors=%ld live=%ld ops/s=%lu\n",
		 gt_t1 ? "End: " : "", st[GT_OPS], st[GT_ALLOCS], st[GT_FREES],
		 st[GT_REMOTE], hard, soft, st[GT_FAILED], st[GT_DAMAGED],
		 gt_unexpected(), planted, gt_get(GM_ERRORS),
		 st[GT_ALLOCS] - st[GT_FREES],
		 (unsigned long)(st[GT_OPS] * 1000UL / max(ms, 1UL)));
	pr_alert("%sreallocs=%ld bulk=%ld ksize=%ld ringed=%ld heaps=%ld/%ld/%ld onoff=%ld/%ld:%ld/%ld shuffles=%ld pauses=%ld/%ld scavenged=%ld shrinks=%ld validates=%ld faults=%ld/%ld waf=%ld/%ld marker=%ld/%ld double_free=%ld/%ld nested=%lu secs=%lu\n",
		 gt_t1 ? "End: " : "", st[GT_REALLOCS], st[GT_BULK],
		 st[GT_KSIZE], st[GT_RINGED], gt_get(GM_HEAPS_MADE),
		 gt_get(GM_HEAPS_GONE), gt_get(GM_HEAP_FAIL),
		 gt_get(GM_OFFL), gt_get(GM_OFFL_TRY), gt_get(GM_ONL),
		 gt_get(GM_ONL_TRY), gt_get(GM_SHUFFLES), gt_get(GM_PAUSE_CHECKS),
		 gt_get(GM_PAUSES), gt_get(GM_SCAVENGED), gt_get(GM_SHRINKS),
		 gt_get(GM_VALIDATES), gt_get(GM_INJECTED), gt_get(GM_BURSTS),
		 gt_get(GM_WAF_CAUGHT), gt_get(GM_WAF), gt_get(GM_MARK_CAUGHT),
		 gt_get(GM_MARK), gt_get(GM_DF_OK), gt_get(GM_DF), gt_nested(),
		 ms / 1000);
}

static int gt_stats_fn(void *arg)
{
	while (!READ_ONCE(gt_stopping)) {
		gt_sleep(stat_interval * HZ);
		if (!READ_ONCE(gt_stopping))
			gt_stats();
	}
	gt_wait_stop();
	return 0;
}

static void gt_print_params(const char *tag)
{
	pr_alert("--- %s: nthreads=%d duration=%d onoff_interval=%d onoff_holdoff=%d stutter=%d shuffle_interval=%d stat_interval=%d verbose=%d nobjects=%d irq_interval_us=%d irq_ops=%d remote_pct=%d heap_interval=%d heap_pct=%d shrink_interval=%d shrink_drop_caches=%d fault_interval=%d fault_burst_ms=%d fault_probability=%d hostile=%d hostile_interval_ms=%d hostile_double_free=%d max_size=%lu\n",
		 tag, nthreads, duration, onoff_interval, onoff_holdoff, stutter,
		 shuffle_interval, stat_interval, verbose, nobjects,
		 irq_interval_us, irq_ops, remote_pct, heap_interval, heap_pct,
		 shrink_interval, shrink_drop_caches, fault_interval,
		 fault_burst_ms, fault_probability, hostile, hostile_interval_ms,
		 hostile_double_free, max_size);
}

static void gt_baseline(void)
{
	unsigned int k;

	gom_read_memstats(gom_default_heap(), &gt_ms0);
	for (k = 0; k < GOM_ERR_NR; k++)
		gt_err0[k] = atomic_long_read(&gom_errors[k]);
	for (k = 0; k < ARRAY_SIZE(gt_taints); k++)
		gt_taint0[k] = test_taint(gt_taints[k]);
	gt_debug_locks0 = debug_locks;
}

static bool gt_verdict(void)
{
	static const char taint_name[] = "WDB";
	long st[GT_NR], hard, soft, delta, want;
	struct gom_memstats ms;
	unsigned int k;

	gt_sum(st, &hard, &soft);
	if (st[GT_ALLOCS] != st[GT_FREES] || st[GT_LIVE])
		gt_err("%ld objects allocated, %ld freed (%ld of the default heap left)",
		       st[GT_ALLOCS], st[GT_FREES], st[GT_LIVE]);
	gom_read_memstats(gom_default_heap(), &ms);
	if (ms.heap_objects != gt_ms0.heap_objects)
		gt_err("default heap HeapObjects %lu at the end, %lu at load",
		       ms.heap_objects, gt_ms0.heap_objects);
	for (k = 0; k < GOM_ERR_NR; k++) {
		delta = atomic_long_read(&gom_errors[k]) - gt_err0[k];
		want = atomic_long_read(&gt_expected[k]);
		if (delta != want)
			gt_err("%ld %s reports, %ld planted", delta,
			       gom_error_names[k], want);
	}
	for (k = 0; k < ARRAY_SIZE(gt_taints); k++)
		if (test_taint(gt_taints[k]) && !gt_taint0[k])
			gt_err("the kernel was tainted %c during the test (WARN, BUG, bad page)",
			       taint_name[k]);
	if (gt_debug_locks0 && !debug_locks)
		gt_err("lockdep turned itself off during the test (a lockdep report)");
	return !gt_get(GM_ERRORS);
}

/* === Setup and teardown === */

static struct task_struct *gt_start(int (*fn)(void *), void *arg,
				    const char *name, bool run)
{
	struct task_struct *t;

	if (!run)
		return NULL;
	t = kthread_run(fn, arg, "%s", name);
	if (IS_ERR(t)) {
		gt_err("cannot start %s: %ld", name, PTR_ERR(t));
		return NULL;
	}
	return t;
}

static void gt_stop(struct task_struct **t)
{
	if (*t)
		kthread_stop(*t);
	*t = NULL;
}

static void gt_holder_init(struct gt_holder *h, struct gt_obj *obj,
			   unsigned int n, bool atomic, size_t max)
{
	h->obj = obj;
	h->nobj = n;
	h->atomic = atomic;
	h->max = min_t(size_t, max, max_size);
	h->rng = get_random_u64() | 1;
}

static void gt_teardown(void)
{
	unsigned int i;
	int cpu;

	WRITE_ONCE(gt_stopping, true);
	WRITE_ONCE(gt_paused, false);
	wake_up_all(&gt_pause_wq);
	wake_up_all(&gt_stop_wq);
	gt_t1 = jiffies;
	gt_stop(&gt_onoff_task);	/* every CPU it took down comes back */
	gt_stop(&gt_shuffle_task);
	gt_stop(&gt_stutter_task);
	gt_stop(&gt_fault_task);
	gt_stop(&gt_shrink_task);
	gt_stop(&gt_hostile_task);
	gt_stop(&gt_stats_task);
	if (gt_cpus) {
		mutex_lock(&gt_place_mutex);
		for_each_possible_cpu(cpu)
			gt_irq_stop(&gt_cpus[cpu]);
		mutex_unlock(&gt_place_mutex);
		for_each_possible_cpu(cpu) {
			gt_holder_empty(&gt_cpus[cpu].hp.h);
			gt_holder_empty(&gt_cpus[cpu].sp.h);
		}
	}
	for (i = 0; i < gt_nworkers; i++)
		gt_stop(&gt_workers[i]->task);
	for (i = 0; i < gt_nworkers; i++)
		while (gt_ring_drain(gt_workers[i]))
			;
	WRITE_ONCE(gt_emptied, true);
	gt_stop(&gt_churn_task);	/* destroys the private heaps left */
}

static void gt_free_all(void)
{
	unsigned int i;

	if (gt_waf_heap || gt_mark_heap)
		pr_alert("hostile heaps keep their %ld quarantined objects (planted cases) until gomalloc unloads\n",
			 gt_get(GM_WAF_CAUGHT) + gt_get(GM_MARK_CAUGHT));
	gom_heap_destroy(gt_waf_heap);
	gom_heap_destroy(gt_mark_heap);
	gom_heap_destroy(gt_df_heap);
	gt_waf_heap = NULL;
	gt_mark_heap = NULL;
	gt_df_heap = NULL;
	if (gt_wq)
		destroy_workqueue(gt_wq);
	gt_wq = NULL;
	for (i = 0; i < gt_nworkers; i++) {
		kvfree(gt_workers[i]->h.obj);
		kfree(gt_workers[i]);
	}
	kfree(gt_workers);
	gt_workers = NULL;
	gt_nworkers = 0;
	kfree(gt_cpus);
	gt_cpus = NULL;
}

/* The whole end: everything stopped, checked, freed, the End line. */
static void gt_finish(void)
{
	bool ok;

	gt_teardown();
	ok = gt_verdict();
	gt_stats();
	gt_free_all();
	gt_print_params(ok ? "End of test: SUCCESS" : "End of test: FAILURE");
}

static int gt_control_fn(void *arg)
{
	unsigned long until = gt_t0 + duration * HZ;

	while (!kthread_should_stop() &&
	       (!duration || time_before(jiffies, until)))
		gt_sleep(duration ? min_t(unsigned long, until - jiffies, HZ) : HZ);
	gt_finish();
	gt_wait_stop();
	return 0;
}

static int gt_alloc_workers(void)
{
	unsigned int i, n = nthreads * num_online_cpus();
	struct gt_worker *w;

	gt_workers = kcalloc(n, sizeof(*gt_workers), GFP_KERNEL);
	if (!gt_workers)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		w = kzalloc(sizeof(*w), GFP_KERNEL);
		if (!w)
			return -ENOMEM;
		gt_workers[gt_nworkers++] = w;
		w->id = i;
		raw_spin_lock_init(&w->ring.lock);
		w->h.obj = kvcalloc(nobjects, sizeof(*w->h.obj), GFP_KERNEL);
		if (!w->h.obj)
			return -ENOMEM;
		gt_holder_init(&w->h, w->h.obj, nobjects, false, SZ_4M);
	}
	return 0;
}

static int gt_alloc_cpus(void)
{
	struct gt_cpu *c;
	int cpu;

	gt_cpus = kcalloc(nr_cpu_ids, sizeof(*gt_cpus), GFP_KERNEL);
	if (!gt_cpus)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		c = &gt_cpus[cpu];
		gt_holder_init(&c->hp.h, c->hp.obj, GT_POOL_SIZE, true,
			       GT_HARD_MAX);
		gt_holder_init(&c->sp.h, c->sp.obj, GT_POOL_SIZE, true,
			       GT_SOFT_MAX);
		hrtimer_init(&c->hard, CLOCK_MONOTONIC, GT_HARD_MODE);
		c->hard.function = gt_hard_fn;
		hrtimer_init(&c->soft, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_SOFT);
		c->soft.function = gt_soft_fn;
		init_irq_work(&c->iw, gt_iw_fn);
	}
	return 0;
}

static int gt_setup(void)
{
	bool faults = IS_ENABLED(CONFIG_FAULT_INJECTION) && fault_interval > 0;
	bool hotplug = IS_ENABLED(CONFIG_HOTPLUG_CPU) && onoff_interval > 0 &&
		       nr_cpu_ids > 1;
	unsigned int i;
	int cpu, ret;

	if (nthreads < 1 || nobjects < 1 || irq_ops < 0 || remote_pct < 0 ||
	    remote_pct > 75 || heap_pct < 0 || heap_pct > 100 || !max_size ||
	    max_size > GOM_MAX_ALLOC_SIZE || irq_interval_us < 0 ||
	    stutter < 0 || fault_probability < 0 || fault_probability > 100)
		return -EINVAL;
	gt_period = ns_to_ktime((u64)irq_interval_us * NSEC_PER_USEC);
	gt_baseline();
	gt_t0 = jiffies;
	gt_print_params("Start of test");
	pr_alert("%u CPUs online, %s, fault injection %s, CPU hotplug %s\n",
		 num_online_cpus(),
		 IS_ENABLED(CONFIG_PREEMPT_RT) ? "PREEMPT_RT (hardirq pools in irq_work threads)" :
						 "hardirq pools in hrtimer hardirq",
		 faults ? "on" : "off", hotplug ? "on" : "off");

	if (hostile) {
		gt_waf_heap = gom_heap_create("gomtorture-waf", GOM_HEAP_DEBUG);
		gt_mark_heap = gom_heap_create("gomtorture-marker", 0);
		if (!gt_waf_heap || !gt_mark_heap)
			return -ENOMEM;
	}
	if (hostile_double_free) {
		gt_df_heap = gom_heap_create("gomtorture-df", GOM_HEAP_DEBUG);
		gt_wq = alloc_workqueue("gomtorture", WQ_HIGHPRI, 0);
		if (!gt_df_heap || !gt_wq)
			return -ENOMEM;
		INIT_WORK(&gt_df.work, gt_df_work);
	}
	ret = gt_alloc_workers();
	if (!ret)
		ret = gt_alloc_cpus();
	if (ret)
		return ret;

	for (i = 0; i < gt_nworkers; i++) {
		gt_workers[i]->task = kthread_create(gt_worker_fn, gt_workers[i],
						     "gomtorture_w/%u", i);
		if (IS_ERR(gt_workers[i]->task)) {
			ret = PTR_ERR(gt_workers[i]->task);
			gt_workers[i]->task = NULL;
			return ret;
		}
	}
	gt_place_workers();
	for (i = 0; i < gt_nworkers; i++)
		wake_up_process(gt_workers[i]->task);
	mutex_lock(&gt_place_mutex);
	for_each_online_cpu(cpu)
		gt_irq_start(cpu);
	mutex_unlock(&gt_place_mutex);

	gt_stats_task = gt_start(gt_stats_fn, NULL, "gomtorture_stats",
				 stat_interval > 0);
	gt_onoff_task = gt_start(gt_onoff_fn, NULL, "gomtorture_onoff", hotplug);
	gt_shuffle_task = gt_start(gt_shuffle_fn, NULL, "gomtorture_shuffle",
				   shuffle_interval > 0);
	gt_stutter_task = gt_start(gt_stutter_fn, NULL, "gomtorture_stutter",
				   stutter > 0);
	gt_churn_task = gt_start(gt_churn_fn, NULL, "gomtorture_heaps",
				 heap_interval > 0);
	gt_shrink_task = gt_start(gt_shrink_fn, NULL, "gomtorture_shrink",
				  shrink_interval > 0);
	gt_fault_task = gt_start(gt_fault_fn, NULL, "gomtorture_faults", faults);
	gt_hostile_task = gt_start(gt_hostile_fn, NULL, "gomtorture_hostile",
				   hostile || hostile_double_free);
	gt_control_task = gt_start(gt_control_fn, NULL, "gomtorture", true);
	if (gt_get(GM_ERRORS) || !gt_control_task)
		return -ENOMEM;
	return 0;
}

static int __init gt_init(void)
{
	int ret = gt_setup();

	if (ret) {
		pr_alert("!!! setup failed: %d\n", ret);
		gt_error();
		if (gt_control_task) {
			gt_stop(&gt_control_task);	/* it ends the test */
		} else {
			gt_teardown();
			gt_free_all();
			gt_print_params("End of test: FAILURE");
		}
	}
	return ret;
}

static void __exit gt_exit(void)
{
	/* an early unload ends the test first; gt_finish() runs either way */
	gt_stop(&gt_control_task);
}

module_init(gt_init);
module_exit(gt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gomtorture: torture test of the gomalloc allocator");
MODULE_IMPORT_NS(GOM_INTERNAL_NS);
