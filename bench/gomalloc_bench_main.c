// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc_bench: gomalloc against kmalloc, the same loops in the same boot.
 *
 * Loaded by `make bench` (scripts/bench.sh, guest plan plan-bench.sh); runs its
 * workloads from module init and prints one line per figure, e.g.
 *
 *   bench: pair size=64 alloc=gom runs=5 ops=N min_ns=.. median_ns=..
 *          min_cycles=.. median_cycles=..
 *
 * and one verdict per workload ("bench: check <workload> ok|fail|skip"),
 * which the host turns into a table, CSVs and plots. See bench.h for the
 * method. Parameters: smoke (tiny counts), runs, run_us (time per run),
 * tests (comma list or "all"), trace (an operation list to replay, written
 * by tools/kmemtrace2ops.py).
 */
#define pr_fmt(fmt) "bench: " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "bench.h"
#include "../kmod/gomalloc_internal.h"
#include "../kmod/gomalloc_compat.h"
#include "../kmod/sizeclass.h"

bool bench_smoke;
module_param_named(smoke, bench_smoke, bool, 0444);
MODULE_PARM_DESC(smoke, "tiny iteration counts: a smoke test, no figures");

static unsigned int bench_runs = 15;
module_param_named(runs, bench_runs, uint, 0444);
MODULE_PARM_DESC(runs, "timed runs per figure (5..31)");

static unsigned int bench_run_us = 2000;
module_param_named(run_us, bench_run_us, uint, 0444);
MODULE_PARM_DESC(run_us, "target duration of one timed run, microseconds");

static char *bench_tests = "all";
module_param_named(tests, bench_tests, charp, 0444);
MODULE_PARM_DESC(tests, "workloads to run: all, or a comma list of pair,large,npattern,random,bulk,concurrent,remote,waste,footprint,replay,parts");

static char *bench_trace;
module_param_named(trace, bench_trace, charp, 0444);
MODULE_PARM_DESC(trace, "operation list to replay (tools/kmemtrace2ops.py)");

const char *const bench_alloc_names[BENCH_NR_ALLOC] = {
	[BENCH_GOM] = "gom",
	[BENCH_KMALLOC] = "kmalloc",
};

/* === Harness === */

/* Cost of one empty loop iteration, in ps and millicycles. */
static u64 bench_empty_ps, bench_empty_mcyc;

static unsigned int bench_nr_ok, bench_nr_failed;

static u64 bench_target_ns(void)
{
	return bench_smoke ? 100 * NSEC_PER_USEC :
			     (u64)bench_run_us * NSEC_PER_USEC;
}

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* x * 1000 / ops, less the empty loop's @empty, never below 0. */
static u64 bench_per_op(u64 x, u64 ops, u64 empty)
{
	u64 v = div64_u64(x * 1000, max_t(u64, ops, 1));

	return v > empty ? v - empty : 0;
}

/* Per-op figures of every run, by allocator, in ps and millicycles. */
static u64 bench_ps[BENCH_NR_ALLOC][BENCH_MAX_RUNS];
static u64 bench_mcyc[BENCH_NR_ALLOC][BENCH_MAX_RUNS];

static void bench_print(const char *workload, const char *params,
			enum bench_alloc a, u64 ops)
{
	unsigned int runs = bench_runs;
	u64 *ps = bench_ps[a], *mc = bench_mcyc[a];

	sort(ps, runs, sizeof(*ps), bench_cmp_u64, NULL);
	sort(mc, runs, sizeof(*mc), bench_cmp_u64, NULL);
	pr_info("%s %s alloc=%s runs=%u ops=%llu min_ns=%llu.%03llu median_ns=%llu.%03llu min_cycles=%llu median_cycles=%llu\n",
		workload, params, bench_alloc_names[a], runs, ops,
		ps[0] / 1000, ps[0] % 1000, ps[runs / 2] / 1000,
		ps[runs / 2] % 1000, DIV_ROUND_CLOSEST_ULL(mc[0], 1000),
		DIV_ROUND_CLOSEST_ULL(mc[runs / 2], 1000));
}

/* The worst time per loop iteration of one untimed run of each allocator. */
static int bench_probe(bench_fn fn, struct bench_arg *arg, u64 *worst)
{
	struct bench_sample s;
	int a, err;

	*worst = 1;
	for (a = 0; a < BENCH_NR_ALLOC; a++) {
		err = fn(arg, a, &s);
		if (err)
			return err;
		*worst = max(*worst, div64_u64(s.ns, arg->loops));
	}
	return 0;
}

/*
 * Untimed runs that warm both allocators up and size arg->loops so that a
 * run takes about bench_target_ns(): a short one, then one of about an
 * eighth of the target.
 */
static int bench_calibrate(bench_fn fn, struct bench_arg *arg)
{
	u64 target = bench_target_ns(), worst;
	int err;

	arg->loops = 4;
	err = bench_probe(fn, arg, &worst);
	if (!err && !bench_smoke) {
		arg->loops = clamp_t(u64, div64_u64(target / 8, worst), 4,
				     1000 * 1000);
		err = bench_probe(fn, arg, &worst);
	}
	arg->loops = clamp_t(u64, div64_u64(target, worst),
			     max_t(u64, arg->min_loops, 4), 10 * 1000 * 1000);
	return err;
}

/**
 * bench_measure() - time a workload for both allocators and print it
 * @workload: its name, the first field of the output lines
 * @params: "key=value ..." describing this figure (size, N)
 * @fn: one run of the workload
 * @arg: its argument; arg->loops is set here
 *
 * Runs @fn bench_runs times per allocator, alternating which goes first,
 * and prints per allocator the min and median time per operation.
 *
 * Context: Process context; sleeps.
 * Return: 0, or the first error of @fn.
 */
int bench_measure(const char *workload, const char *params, bench_fn fn,
		  struct bench_arg *arg)
{
	struct bench_sample s;
	unsigned int r, i;
	int err;
	u64 ops = 0;

	err = bench_calibrate(fn, arg);
	for (r = 0; r < bench_runs && !err; r++) {
		for (i = 0; i < BENCH_NR_ALLOC && !err; i++) {
			enum bench_alloc a = (r + i) & 1;

			err = fn(arg, a, &s);
			ops = s.ops;
			bench_ps[a][r] = bench_per_op(s.ns, s.ops, bench_empty_ps);
			bench_mcyc[a][r] = bench_per_op(s.cycles, s.ops,
							bench_empty_mcyc);
			cond_resched();
		}
	}
	if (err) {
		pr_info("%s %s error=%d\n", workload, params, err);
		return err;
	}
	for (i = 0; i < BENCH_NR_ALLOC; i++)
		bench_print(workload, params, i, ops);
	return 0;
}

/**
 * bench_verdict() - print a workload's verdict for the guest's TAP
 * @workload: its name
 * @err: 0 (ok), -EOPNOTSUPP (skipped) or another error (failed)
 */
void bench_verdict(const char *workload, int err)
{
	if (err == -EOPNOTSUPP) {
		pr_info("check %s skip\n", workload);
		return;
	}
	pr_info("check %s %s\n", workload, err ? "fail" : "ok");
	if (err)
		bench_nr_failed++;
	else
		bench_nr_ok++;
}

/**
 * bench_rand() - xorshift64*, a fixed sequence for a fixed seed
 * @state: the generator's state, nonzero
 *
 * Return: 32 random bits.
 */
u32 bench_rand(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (x * 0x2545F4914F6CDD1DULL) >> 32;
}

/**
 * bench_rand_size() - a request size of the random and footprint workloads
 * @state: the bench_rand() state
 * @tiny: many tiny requests (half <= 16 B, most <= 64 B) instead of
 *	uniform 1..8192
 *
 * Return: the size.
 */
u32 bench_rand_size(u64 *state, bool tiny)
{
	u32 r = bench_rand(state), p = r % 100;

	if (!tiny)
		return 1 + r % 8192;
	r = bench_rand(state);
	if (p < 50)
		return 1 + r % 16;
	if (p < 80)
		return 17 + r % 48;
	if (p < 95)
		return 65 + r % 448;
	return 513 + r % 3584;
}

static noinline void bench_empty_loop(u64 loops)
{
	u64 i;

	for (i = 0; i < loops; i++)
		OPTIMIZER_HIDE_VAR(i);
}

static void bench_measure_empty(void)
{
	struct bench_clock clk;
	struct bench_sample s;
	u64 loops = bench_smoke ? 1000 : 10 * 1000 * 1000;
	unsigned int r;

	bench_empty_ps = U64_MAX;
	bench_empty_mcyc = U64_MAX;
	for (r = 0; r < bench_runs; r++) {
		bench_start(&clk);
		bench_empty_loop(loops);
		bench_stop(&clk, &s, loops);
		bench_empty_ps = min(bench_empty_ps, bench_per_op(s.ns, loops, 0));
		bench_empty_mcyc = min(bench_empty_mcyc,
				       bench_per_op(s.cycles, loops, 0));
	}
	pr_info("empty-loop ps=%llu millicycles=%llu (subtracted)\n",
		bench_empty_ps, bench_empty_mcyc);
}

/* === Pair: alloc + free === */

static __always_inline unsigned long pair_loop(enum bench_alloc a,
					       size_t size, u64 loops)
{
	unsigned long fails = 0;
	u64 i;

	OPTIMIZER_HIDE_VAR(size);
	for (i = 0; i < loops; i++) {
		void *p = bench_alloc(a, size);

		OPTIMIZER_HIDE_VAR(p);
		fails += !p;
		bench_free(a, p);
	}
	return fails;
}

static int wl_pair(struct bench_arg *arg, enum bench_alloc a,
		   struct bench_sample *s)
{
	struct bench_clock clk;
	unsigned long fails;

	bench_start(&clk);
	if (a == BENCH_GOM)
		fails = pair_loop(BENCH_GOM, arg->size, arg->loops);
	else
		fails = pair_loop(BENCH_KMALLOC, arg->size, arg->loops);
	bench_stop(&clk, s, arg->loops);
	return fails ? -ENOMEM : 0;
}

static int bench_pair_size(const char *workload, size_t size)
{
	struct bench_arg arg = { .size = size };
	char params[32];

	snprintf(params, sizeof(params), "size=%zu", size);
	return bench_measure(workload, params, wl_pair, &arg);
}

/*
 * Every Go class boundary and every kmalloc boundary, 8 B .. 64 KiB; the
 * kmalloc ones only in a smoke test.
 */
static const u32 bench_kmalloc_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
	8193, 12288, 16384, 32768, 32769, 65536,
};

static int bench_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static unsigned int bench_pair_sizes(u32 *sizes)
{
	unsigned int i, n = 0, out = 0;

	for (i = 1; i < GOM_NUM_SIZE_CLASSES && !bench_smoke; i++)
		sizes[n++] = gom_class_to_size[i];
	for (i = 0; i < ARRAY_SIZE(bench_kmalloc_sizes); i++)
		sizes[n++] = bench_kmalloc_sizes[i];
	sort(sizes, n, sizeof(*sizes), bench_cmp_u32, NULL);
	for (i = 0; i < n; i++)
		if (!out || sizes[out - 1] != sizes[i])
			sizes[out++] = sizes[i];
	return out;
}

static int bench_pair(void)
{
	u32 sizes[GOM_NUM_SIZE_CLASSES + ARRAY_SIZE(bench_kmalloc_sizes)];
	unsigned int i, n = bench_pair_sizes(sizes);
	int err = 0;

	for (i = 0; i < n && !err; i++)
		err = bench_pair_size("pair", sizes[i]);
	return err;
}

static int bench_large(void)
{
	static const u32 sizes[] = {
		33792, 36864, 49152, 65536, 131072, 262144, 524288, 1048576,
	};
	unsigned int i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(sizes) && !err; i++)
		err = bench_pair_size("large", sizes[i]);
	return err;
}

/* === N-pattern: alloc N, then free N === */

static __always_inline unsigned long npattern_loop(enum bench_alloc a,
						   struct bench_arg *arg)
{
	size_t size = arg->size;
	unsigned long fails = 0;
	void **objs = arg->objs;
	unsigned int j, n = arg->n;
	u64 i;

	OPTIMIZER_HIDE_VAR(size);
	for (i = 0; i < arg->loops; i++) {
		for (j = 0; j < n; j++) {
			objs[j] = bench_alloc(a, size);
			fails += !objs[j];
		}
		barrier();
		for (j = 0; j < n; j++)
			bench_free(a, objs[j]);
	}
	return fails;
}

static int wl_npattern(struct bench_arg *arg, enum bench_alloc a,
		       struct bench_sample *s)
{
	struct bench_clock clk;
	unsigned long fails;

	bench_start(&clk);
	if (a == BENCH_GOM)
		fails = npattern_loop(BENCH_GOM, arg);
	else
		fails = npattern_loop(BENCH_KMALLOC, arg);
	bench_stop(&clk, s, arg->loops * arg->n);
	return fails ? -ENOMEM : 0;
}

static int bench_npattern(void)
{
	static const u32 sizes[] = { 16, 64, 256, 1024, 4096 };
	static const unsigned int full[] = { 256, 4096 }, smoke[] = { 16, 64 };
	const unsigned int *ns = bench_smoke ? smoke : full;
	struct bench_arg arg = {};
	unsigned int i, j;
	char params[48];
	int err = 0;

	arg.objs = kvcalloc(4096, sizeof(void *), GFP_KERNEL);
	if (!arg.objs)
		return -ENOMEM;
	for (j = 0; j < ARRAY_SIZE(full) && !err; j++) {
		for (i = 0; i < ARRAY_SIZE(sizes) && !err; i++) {
			arg.size = sizes[i];
			arg.n = ns[j];
			snprintf(params, sizeof(params), "size=%u n=%u",
				 sizes[i], ns[j]);
			err = bench_measure("npattern", params, wl_npattern,
					    &arg);
		}
	}
	kvfree(arg.objs);
	return err;
}

/* === Random sizes: a window of live objects, random replacement === */

#define BENCH_WINDOW		1024

static __always_inline unsigned long random_loop(enum bench_alloc a,
						 struct bench_arg *arg)
{
	const u32 *sizes = arg->sizes;
	const u16 *slots = arg->slots;
	unsigned long fails = 0;
	void **objs = arg->objs;
	u64 i;

	for (i = 0; i < arg->loops; i++) {
		unsigned int j = i & (BENCH_RAND_NR - 1), k = slots[j];

		bench_free(a, objs[k]);
		objs[k] = bench_alloc(a, sizes[j]);
		fails += !objs[k];
	}
	return fails;
}

static void bench_window_free(struct bench_arg *arg, enum bench_alloc a)
{
	unsigned int k;

	for (k = 0; k < BENCH_WINDOW; k++) {
		bench_free(a, arg->objs[k]);
		arg->objs[k] = NULL;
	}
}

static int wl_random(struct bench_arg *arg, enum bench_alloc a,
		     struct bench_sample *s)
{
	struct bench_clock clk;
	unsigned long fails = 0;
	unsigned int k;

	for (k = 0; k < BENCH_WINDOW; k++) {
		arg->objs[k] = bench_alloc(a, arg->sizes[k]);
		fails += !arg->objs[k];
	}
	bench_start(&clk);
	if (a == BENCH_GOM)
		fails += random_loop(BENCH_GOM, arg);
	else
		fails += random_loop(BENCH_KMALLOC, arg);
	bench_stop(&clk, s, arg->loops);
	bench_window_free(arg, a);
	return fails ? -ENOMEM : 0;
}

static int bench_random_dist(struct bench_arg *arg, bool tiny)
{
	u32 *sizes = (u32 *)arg->sizes;
	u16 *slots = (u16 *)arg->slots;
	u64 st = 0x9e3779b97f4a7c15ULL;
	unsigned int j;

	for (j = 0; j < BENCH_RAND_NR; j++) {
		sizes[j] = bench_rand_size(&st, tiny);
		slots[j] = bench_rand(&st) % BENCH_WINDOW;
	}
	return bench_measure("random", tiny ? "dist=tiny" : "dist=uniform8192",
			     wl_random, arg);
}

static int bench_random(void)
{
	struct bench_arg arg = {};
	int err = -ENOMEM;

	arg.sizes = kvcalloc(BENCH_RAND_NR, sizeof(u32), GFP_KERNEL);
	arg.slots = kvcalloc(BENCH_RAND_NR, sizeof(u16), GFP_KERNEL);
	arg.objs = kvcalloc(BENCH_WINDOW, sizeof(void *), GFP_KERNEL);
	if (arg.sizes && arg.slots && arg.objs) {
		err = bench_random_dist(&arg, false);
		if (!err)
			err = bench_random_dist(&arg, true);
	}
	kvfree(arg.sizes);
	kvfree(arg.slots);
	kvfree(arg.objs);
	return err;
}

/* === Bulk: gom_alloc_bulk against kmem_cache_alloc_bulk === */

static int wl_bulk(struct bench_arg *arg, enum bench_alloc a,
		   struct bench_sample *s)
{
	struct bench_clock clk;
	unsigned long fails = 0;
	size_t size = arg->size;
	u64 i;

	bench_start(&clk);
	for (i = 0; i < arg->loops; i++) {
		if (a == BENCH_GOM) {
			fails += !gom_alloc_bulk(size, GFP_KERNEL, arg->n,
						 arg->objs);
			gom_free_bulk(arg->n, arg->objs);
		} else {
			fails += !kmem_cache_alloc_bulk(arg->cache, GFP_KERNEL,
							arg->n, arg->objs);
			kmem_cache_free_bulk(arg->cache, arg->n, arg->objs);
		}
	}
	bench_stop(&clk, s, arg->loops * arg->n);
	return fails ? -ENOMEM : 0;
}

static int bench_bulk_size(struct bench_arg *arg, size_t size)
{
	char params[48], *name;
	int err;

	name = kasprintf(GFP_KERNEL, "gomalloc_bench_%zu", size);
	if (!name)
		return -ENOMEM;
	arg->size = size;
	arg->cache = kmem_cache_create(name, size, 0, 0, NULL);
	err = -ENOMEM;
	if (arg->cache) {
		snprintf(params, sizeof(params), "size=%zu n=%u", size, arg->n);
		err = bench_measure("bulk", params, wl_bulk, arg);
		kmem_cache_destroy(arg->cache);
	}
	kfree(name);
	return err;
}

static int bench_bulk(void)
{
	static const u32 sizes[] = { 64, 256, 1024 };
	void *objs[64];
	struct bench_arg arg = { .objs = objs, .n = ARRAY_SIZE(objs) };
	unsigned int i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(sizes) && !err; i++)
		err = bench_bulk_size(&arg, sizes[i]);
	return err;
}

/* === Concurrent: the pair loop on every CPU at once === */

struct bench_ring;

/**
 * struct bench_mt - a multi-threaded run
 * @arg: the workload's argument
 * @a: the allocator
 * @ready: threads waiting for @go
 * @go: set to start them all
 * @wq: where they wait
 * @done: one completion per thread
 * @sample: what each thread measured
 * @fails: allocation failures, all threads
 * @ring: the remote-free ring
 */
struct bench_mt {
	struct bench_arg *arg;
	enum bench_alloc a;
	atomic_t ready;
	bool go;
	wait_queue_head_t wq;
	struct completion *done;
	struct bench_sample *sample;
	atomic_long_t fails;
	struct bench_ring *ring;
};

/**
 * struct bench_thread - one thread of a multi-threaded run
 * @mt: the run
 * @idx: its index in mt->done and mt->sample
 */
struct bench_thread {
	struct bench_mt *mt;
	unsigned int idx;
};

static void bench_mt_wait_go(struct bench_mt *mt)
{
	atomic_inc(&mt->ready);
	wake_up_all(&mt->wq);
	wait_event(mt->wq, READ_ONCE(mt->go));
}

static int bench_concurrent_thread(void *data)
{
	struct bench_thread *t = data;
	struct bench_mt *mt = t->mt;
	struct bench_clock clk;
	unsigned long fails;

	bench_mt_wait_go(mt);
	bench_start(&clk);
	if (mt->a == BENCH_GOM)
		fails = pair_loop(BENCH_GOM, mt->arg->size, mt->arg->loops);
	else
		fails = pair_loop(BENCH_KMALLOC, mt->arg->size, mt->arg->loops);
	bench_stop(&clk, &mt->sample[t->idx], mt->arg->loops);
	atomic_long_add(fails, &mt->fails);
	kthread_complete_and_exit(&mt->done[t->idx], 0);
}

/* Start @nr threads running @fn, thread i bound to cpus[i]; wait for all. */
static int bench_mt_run(struct bench_mt *mt, int (*fn)(void *),
			const unsigned int *cpus, unsigned int nr,
			struct bench_thread *th)
{
	struct task_struct *task;
	unsigned int i, started = 0;

	init_waitqueue_head(&mt->wq);
	atomic_set(&mt->ready, 0);
	atomic_long_set(&mt->fails, 0);
	mt->go = false;
	for (i = 0; i < nr; i++) {
		init_completion(&mt->done[i]);
		th[i].mt = mt;
		th[i].idx = i;
		task = kthread_create(fn, &th[i], "gom_bench/%u", cpus[i]);
		if (IS_ERR(task))
			break;
		kthread_bind(task, cpus[i]);
		wake_up_process(task);
		started++;
	}
	wait_event(mt->wq, atomic_read(&mt->ready) == started);
	WRITE_ONCE(mt->go, true);
	wake_up_all(&mt->wq);
	for (i = 0; i < started; i++)
		wait_for_completion(&mt->done[i]);
	if (started < nr)
		return -ENOMEM;
	return atomic_long_read(&mt->fails) ? -ENOMEM : 0;
}

/* The CPUs to run on: every online one, at most @max. */
static unsigned int bench_cpus(unsigned int *cpus, unsigned int max)
{
	unsigned int cpu, n = 0;

	for_each_online_cpu(cpu) {
		if (n == max)
			break;
		cpus[n++] = cpu;
	}
	return n;
}

#define BENCH_MAX_THREADS	8

static int wl_concurrent(struct bench_arg *arg, enum bench_alloc a,
			 struct bench_sample *s)
{
	struct completion done[BENCH_MAX_THREADS];
	struct bench_sample sample[BENCH_MAX_THREADS];
	struct bench_thread th[BENCH_MAX_THREADS];
	struct bench_mt mt = { .arg = arg, .a = a, .done = done,
			       .sample = sample };
	unsigned int cpus[BENCH_MAX_THREADS], i, nr;
	int err;

	nr = bench_cpus(cpus, BENCH_MAX_THREADS);
	err = bench_mt_run(&mt, bench_concurrent_thread, cpus, nr, th);
	memset(s, 0, sizeof(*s));
	for (i = 0; i < nr; i++) {
		s->ns += sample[i].ns;
		s->cycles += sample[i].cycles;
		s->ops += sample[i].ops;
	}
	return err;
}

static int bench_concurrent(void)
{
	static const u32 sizes[] = { 64, 1024, 4096 };
	struct bench_arg arg = {};
	unsigned int i, nr = num_online_cpus();
	char params[48];
	int err = 0;

	if (nr < 2)
		return -EOPNOTSUPP;
	arg.min_loops = bench_smoke ? 64 : 4096;
	for (i = 0; i < ARRAY_SIZE(sizes) && !err; i++) {
		arg.size = sizes[i];
		snprintf(params, sizeof(params), "size=%u cpus=%u", sizes[i],
			 min_t(unsigned int, nr, BENCH_MAX_THREADS));
		err = bench_measure("concurrent", params, wl_concurrent, &arg);
	}
	return err;
}

/* === Remote free: alloc on CPU A, free on CPU B, through a ring === */

#define BENCH_RING		256	/* power of two */

/**
 * struct bench_ring - single-producer single-consumer pointer ring
 * @head: written by the producer
 * @tail: written by the consumer
 * @slot: the pointers
 */
struct bench_ring {
	unsigned long head ____cacheline_aligned;
	unsigned long tail ____cacheline_aligned;
	void *slot[BENCH_RING] ____cacheline_aligned;
};

static __always_inline unsigned long producer_loop(enum bench_alloc a,
						   struct bench_mt *mt)
{
	struct bench_ring *ring = mt->ring;
	size_t size = mt->arg->size;
	unsigned long fails = 0;
	u64 i;

	for (i = 0; i < mt->arg->loops; i++) {
		void *p = bench_alloc(a, size);

		fails += !p;
		/* acquire: the consumer is done with the slot it gave back */
		while (ring->head - smp_load_acquire(&ring->tail) == BENCH_RING)
			cpu_relax();
		ring->slot[ring->head & (BENCH_RING - 1)] = p;
		/* release: the slot is written before the consumer sees it */
		smp_store_release(&ring->head, ring->head + 1);
	}
	return fails;
}

static __always_inline unsigned long consumer_loop(enum bench_alloc a,
						   struct bench_mt *mt)
{
	struct bench_ring *ring = mt->ring;
	u64 i;

	for (i = 0; i < mt->arg->loops; i++) {
		void *p;

		/* acquire: pairs with the producer's release of head */
		while (smp_load_acquire(&ring->head) == ring->tail)
			cpu_relax();
		p = ring->slot[ring->tail & (BENCH_RING - 1)];
		/* release: the slot is read before the producer reuses it */
		smp_store_release(&ring->tail, ring->tail + 1);
		bench_free(a, p);
	}
	return 0;
}

/* Thread 0 allocates, thread 1 frees. */
static unsigned long remote_side(struct bench_mt *mt, bool producer)
{
	if (producer)
		return mt->a == BENCH_GOM ? producer_loop(BENCH_GOM, mt) :
					    producer_loop(BENCH_KMALLOC, mt);
	return mt->a == BENCH_GOM ? consumer_loop(BENCH_GOM, mt) :
				    consumer_loop(BENCH_KMALLOC, mt);
}

static int bench_remote_thread(void *data)
{
	struct bench_thread *t = data;
	struct bench_mt *mt = t->mt;
	struct bench_clock clk;
	unsigned long fails;

	bench_mt_wait_go(mt);
	bench_start(&clk);
	fails = remote_side(mt, t->idx == 0);
	bench_stop(&clk, &mt->sample[t->idx], mt->arg->loops);
	atomic_long_add(fails, &mt->fails);
	kthread_complete_and_exit(&mt->done[t->idx], 0);
}

static int wl_remote(struct bench_arg *arg, enum bench_alloc a,
		     struct bench_sample *s)
{
	struct completion done[2];
	struct bench_sample sample[2];
	struct bench_thread th[2];
	struct bench_mt mt = { .arg = arg, .a = a, .done = done,
			       .sample = sample, .ring = arg->data };
	unsigned int cpus[2];
	int err;

	bench_cpus(cpus, 2);
	memset(mt.ring, 0, sizeof(*mt.ring));
	err = bench_mt_run(&mt, bench_remote_thread, cpus, 2, th);
	/* the consumer finishes last: its time is the pipeline's */
	*s = sample[1];
	return err;
}

static int bench_remote(void)
{
	static const u32 sizes[] = { 64, 1024 };
	struct bench_arg arg = {};
	struct bench_ring *ring;
	unsigned int i;
	char params[48];
	int err = 0;

	if (num_online_cpus() < 2)
		return -EOPNOTSUPP;
	arg.min_loops = bench_smoke ? 64 : 16 * BENCH_RING;
	ring = kzalloc(sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return -ENOMEM;
	arg.data = ring;
	for (i = 0; i < ARRAY_SIZE(sizes) && !err; i++) {
		arg.size = sizes[i];
		snprintf(params, sizeof(params), "size=%u cpus=2", sizes[i]);
		err = bench_measure("remote", params, wl_remote, &arg);
	}
	kfree(ring);
	return err;
}

/* === Module === */

static bool bench_selected(const char *name)
{
	size_t len = strlen(name);
	const char *p = bench_tests;

	if (!strcmp(bench_tests, "all"))
		return true;
	while ((p = strstr(p, name))) {
		if ((p == bench_tests || p[-1] == ',') &&
		    (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

static const char *bench_preempt_model(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		return "rt";
	if (IS_ENABLED(CONFIG_PREEMPT_DYNAMIC))
		return preempt_model_full() ? "dynamic-full" :
		       preempt_model_voluntary() ? "dynamic-voluntary" :
						   "dynamic-none";
	if (IS_ENABLED(CONFIG_PREEMPT))
		return "full";
	if (IS_ENABLED(CONFIG_PREEMPT_VOLUNTARY))
		return "voluntary";
	return "none";
}

static void bench_info(void)
{
	pr_info("info kernel=%s preempt=%s init_on_alloc=%d init_on_free=%d profile_rate=%lu cpus=%u smoke=%d runs=%u run_us=%u\n",
		utsname()->release, bench_preempt_model(),
		want_init_on_alloc(GFP_KERNEL), want_init_on_free(),
		gom_profile_get_rate(), num_online_cpus(), bench_smoke,
		bench_runs, bench_run_us);
}

static void bench_run(const char *name, int (*fn)(void))
{
	if (bench_selected(name))
		bench_verdict(name, fn());
}

static int bench_run_replay(void)
{
	return bench_trace && *bench_trace ? bench_replay(bench_trace) :
					     -EOPNOTSUPP;
}

static int __init gomalloc_bench_init(void)
{
	bench_runs = bench_smoke ? 5 :
		     clamp(bench_runs, 5U, (unsigned int)BENCH_MAX_RUNS);
	bench_info();
	bench_measure_empty();
	bench_run("pair", bench_pair);
	bench_run("large", bench_large);
	bench_run("npattern", bench_npattern);
	bench_run("random", bench_random);
	bench_run("bulk", bench_bulk);
	bench_run("concurrent", bench_concurrent);
	bench_run("remote", bench_remote);
	bench_run("waste", bench_waste);
	bench_run("footprint", bench_footprint);
	bench_run("replay", bench_run_replay);
	bench_run("parts", bench_fastpath_parts);
	pr_info("done ok=%u failed=%u\n", bench_nr_ok, bench_nr_failed);
	return 0;
}

static void __exit gomalloc_bench_exit(void)
{
}

module_init(gomalloc_bench_init);
module_exit(gomalloc_bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gomalloc against kmalloc: speed and memory, one boot");
MODULE_IMPORT_NS(GOM_INTERNAL_NS);
