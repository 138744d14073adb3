/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomalloc_bench internals: the timing harness shared by the speed
 * workloads (gomalloc_bench.c) and the memory workloads (bench_mem.c).
 *
 * Method (prototype-kernel's time_bench): each workload is a tight loop over
 * one allocator, its result hidden from the compiler (OPTIMIZER_HIDE_VAR),
 * timed with the TSC and ktime around the loop; the cost of an empty loop is
 * subtracted; gomalloc and kmalloc run the same loop, alternating, run after
 * run, and each figure is the minimum and the median of the runs.
 */
#ifndef _GOMALLOC_BENCH_H
#define _GOMALLOC_BENCH_H

#include <linux/compiler.h>
#include <linux/slab.h>
#include <linux/timex.h>
#include <linux/types.h>

#include <gomalloc.h>

enum bench_alloc {
	BENCH_GOM,
	BENCH_KMALLOC,
	BENCH_NR_ALLOC,
};

extern const char *const bench_alloc_names[BENCH_NR_ALLOC];

#define BENCH_MAX_RUNS		31

/**
 * struct bench_sample - one timed run of one allocator
 * @ns: wall time of the run (ktime)
 * @cycles: TSC cycles of the run
 * @ops: operations done (what "per op" divides by)
 */
struct bench_sample {
	u64 ns;
	u64 cycles;
	u64 ops;
};

/**
 * struct bench_arg - what a workload works on
 * @size: object size (pair, N-pattern, bulk, concurrent, remote)
 * @n: N of the N-pattern, bulk batch, random window
 * @loops: iterations of the workload's loop per run (set by calibration)
 * @min_loops: at least this many (0: 4)
 * @objs: scratch array of @n pointers
 * @sizes: random sizes, BENCH_RAND_NR of them
 * @slots: random window slots, BENCH_RAND_NR of them
 * @cache: kmem_cache of @size for the bulk workload
 * @data: workload private data
 */
struct bench_arg {
	size_t size;
	unsigned int n;
	u64 loops;
	u64 min_loops;
	void **objs;
	const u32 *sizes;
	const u16 *slots;
	struct kmem_cache *cache;
	void *data;
};

#define BENCH_RAND_NR		8192	/* power of two */

/* One run of a workload by allocator @a: fills @s, 0 or -errno. */
typedef int (*bench_fn)(struct bench_arg *arg, enum bench_alloc a,
			struct bench_sample *s);

/* gomalloc_bench.c */
extern bool bench_smoke;
int bench_measure(const char *workload, const char *params, bench_fn fn,
		  struct bench_arg *arg);
void bench_verdict(const char *workload, int err);
u32 bench_rand(u64 *state);
u32 bench_rand_size(u64 *state, bool tiny);

/* bench_mem.c */
int bench_waste(void);
int bench_footprint(void);
int bench_replay(const char *path);
int bench_fastpath_parts(void);

/* TSC: get_cycles() is 0 on UML, whose code runs natively on an x86 host. */
static __always_inline u64 bench_tsc(void)
{
#if defined(CONFIG_X86) || defined(CONFIG_UML_X86)
	u32 lo, hi;

	asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((u64)hi << 32) | lo;
#else
	return get_cycles();
#endif
}

/**
 * struct bench_clock - the start of a timed section
 * @ns: ktime at the start
 * @cycles: TSC at the start
 */
struct bench_clock {
	u64 ns;
	u64 cycles;
};

static __always_inline void bench_start(struct bench_clock *clk)
{
	barrier();
	clk->ns = ktime_get_ns();
	clk->cycles = bench_tsc();
	barrier();
}

static __always_inline void bench_stop(const struct bench_clock *clk,
				       struct bench_sample *s, u64 ops)
{
	u64 cycles, ns;

	barrier();
	cycles = bench_tsc();
	ns = ktime_get_ns();
	s->cycles = cycles - clk->cycles;
	s->ns = ns - clk->ns;
	s->ops = ops;
}

/*
 * The allocators. Loop bodies are __always_inline and called with a
 * constant @a (if (a == BENCH_GOM) body(BENCH_GOM, ...) else ...), so each
 * loop holds one call of one allocator and no branch between them.
 */
static __always_inline void *bench_alloc(enum bench_alloc a, size_t size)
{
	if (a == BENCH_GOM)
		return gom_alloc(size, GFP_KERNEL);
	return kmalloc(size, GFP_KERNEL);
}

static __always_inline void bench_free(enum bench_alloc a, const void *p)
{
	if (a == BENCH_GOM)
		gom_free(p);
	else
		kfree(p);
}

#endif /* _GOMALLOC_BENCH_H */
