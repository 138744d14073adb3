/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gomalloc kselftests share: the test driver's
 * ioctls (testmod/gomalloc_drv.h), gomalloc's debugfs files, /proc and /sys
 * helpers, the kernel log, and the allocation storm that several tests run.
 * The bodies are in gomalloc_lib.c, linked into every test program.
 */
#ifndef _GOMALLOC_LIB_H
#define _GOMALLOC_LIB_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "../../testmod/gomalloc_drv.h"

#define GOM_DEBUGFS		"/sys/kernel/debug/gomalloc"
#define GOM_MAX_ALLOC		(4UL << 20)
#define GOM_SMALL_MAX		32768
#define GOM_MODDIR_DEFAULT	"/modules"
#define GOM_MAX_CPUS		64

typedef __u32 u32;
typedef __u64 u64;

/* a TAP diagnostic line, "# ..." */
#define gom_info(...)	ksft_print_msg(__VA_ARGS__)

/* === Figures, time, random === */

/* one figure for the run's summary line: "# figure: NAME=VALUE" */
void gom_figure(const char *name, unsigned long long v);
/* CLOCK_MONOTONIC in seconds */
double gom_now(void);
void gom_msleep(unsigned int ms);
/* xorshift64*: per thread, seeded from the clock and the thread number */
u64 gom_rand(u64 *s);
/* a random number below @n, 0 when @n is 0 */
u64 gom_rand_below(u64 *s, u64 n);
/* seconds a test runs: argv[1], else getenv(@env), else @dflt */
double gom_seconds(int argc, char **argv, const char *env, double dflt);

/* === Files === */

/* write @s to @path; 0 or -errno */
int gom_write_file(const char *path, const char *s);
/* read @path into @buf, NUL-terminated, at most @len - 1 bytes; 0 or -errno */
int gom_read_file(const char *path, char *buf, size_t len);
bool gom_exists(const char *path);
/* the value of @name in a "Name: value" file (memstats, errors), or -1 */
long long gom_field(const char *path, const char *name);
/* a /proc/meminfo field, or -1 */
long long gom_meminfo_kb(const char *name);

/* === gomalloc's debugfs === */

/**
 * struct gom_memstats - a heap's memstats file
 */
struct gom_memstats {
	long long alloc, total_alloc, sys, mallocs, frees;
	long long heap_alloc, heap_sys, heap_idle, heap_inuse;
	long long heap_released, heap_objects;
};

/* read a heap's memstats; 0, -errno, or -EINVAL when a field is missing */
int gom_read_memstats(const char *heap, struct gom_memstats *ms);
/* Go's MemStats invariants for a quiet heap: logs and counts those that fail */
int gom_memstats_invariants(const char *heap, const struct gom_memstats *m);
/* the count of one kind in GOM_DEBUGFS "/errors", or -1 */
long long gom_errors(const char *kind);
/* scavenge a heap: drain its mcaches, release empty spans and idle pages */
int gom_scavenge(const char *heap);
/* a CPU's line in a heap's mcache file; 0, -errno or -ENOENT */
int gom_mcache_cpu(const char *heap, int cpu, int *online,
		   long *objects, long *spans, int *tiny);

/* === CPUs, kernel log, free memory === */

/* CPUs online now, in @cpus (GOM_MAX_CPUS of them at most); returns how many */
int gom_online_cpus(int *cpus);
/* open /dev/kmsg positioned at its end, to read what comes next */
int gom_kmsg_open(void);
/* count the records since the last call holding all of @needles (NULL-ended); log if @echo */
int gom_kmsg_count(int fd, const char *const *needles, bool echo);
void gom_kmsg_write(const char *s);
/* the sum over zones of a /proc/zoneinfo field ("count" sums pcp lists) */
long long gom_zoneinfo_sum(const char *field);
/* free memory in KiB: MemFree plus the pages on the per-CPU free lists */
long long gom_free_kb(void);

/* === The driver === */

int gom_drv_open(void);
/* ALLOC @n objects; returns 0 or -errno, @b holds the results */
int gom_drv_alloc(int fd, struct gomd_batch *b, u32 heap, u32 cpu, u32 ctx,
		  u32 flags, const u64 *sizes, u32 *ids, unsigned int n);
/* FREE (or CHECK, @check) objects by id */
int gom_drv_free(int fd, struct gomd_batch *b, u32 cpu, u32 ctx,
		 const u32 *ids, unsigned int n, bool check);
/* FREE or CHECK any number of ids; adds to *@done, *@unknown, *@damaged */
int gom_drv_free_all(int fd, const u32 *ids, size_t n, bool check,
		     unsigned long long *done, unsigned long long *unknown,
		     unsigned long long *damaged);
int gom_drv_heap_create(int fd, const char *name, u32 flags, u32 *id);
int gom_drv_heap_destroy(int fd, u32 id, unsigned long long *live);
int gom_drv_stats(int fd, struct gomd_stats *s);

/*
 * kselftest.h keeps its plan and counters in static variables, one copy per
 * translation unit: what skips or reports a TAP result must be compiled into
 * the test program itself, so those two stay inline here.
 */

/*
 * Open the driver or skip the whole program with a reason (exit 4): the
 * tests need gomalloc and the driver loaded.
 */
static inline int gom_drv_open_or_skip(void)
{
	int fd;

	if (!gom_exists(GOM_DEBUGFS "/default"))
		ksft_exit_skip("gomalloc.ko is not loaded (no %s/default)\n",
			       GOM_DEBUGFS);
	fd = gom_drv_open();
	if (fd < 0)
		ksft_exit_skip("test driver gomalloc_drv.ko is not loaded (%s: %s)\n",
			       GOMD_DEVICE, strerror(errno));
	return fd;
}

/* === The storm === */

/**
 * struct gom_storm - every CPU allocates and frees a mix of sizes
 * @fd: the driver
 * @heap: heap id
 * @heap_name: its debugfs name
 * @seconds: how long
 * @nthreads: threads (one per online CPU)
 * @max_held: objects a thread may hold
 * @cross_pct: share of free batches run on another CPU than the alloc
 * @atomic_pct: share of batches in softirq or hardirq context
 * @max_large: largest size
 * @keep: objects held at the end are kept (for the caller to use)
 * @stop: set to end early
 * Results, summed over threads:
 * @allocs, @frees, @failed, @damaged, @unknown, @cross: counts
 * @ctx_mismatch: batches that did not run in the context asked for
 * @errors: driver calls that failed unexpectedly
 * @ids, @nids: objects held at the end (with @keep)
 * @held_bytes: bytes requested by those
 */
struct gom_storm {
	int fd;
	u32 heap;
	const char *heap_name;
	double seconds;
	int nthreads;
	unsigned int max_held;
	unsigned int cross_pct;
	unsigned int atomic_pct;
	u64 max_large;
	bool keep;
	int stop;		/* __atomic */
	pthread_mutex_t lock;
	unsigned long long allocs, frees, failed, damaged, unknown, cross;
	unsigned long long ctx_mismatch, errors, offline_retries;
	u32 *ids;
	size_t nids;
	unsigned long long held_bytes;
};

/* run the storm, one thread per online CPU; 0 when every thread ran */
int gom_storm_run(struct gom_storm *s);
/* log the storm's counts */
void gom_storm_print(const struct gom_storm *s);

/*
 * The four checks of gom_storm_verify(), each logging what it saw; @m
 * carries the last memstats read from one check to the next.
 */
bool gom_storm_verify_clean(struct gom_storm *s, bool multi_cpu,
			    unsigned long long *lost);
bool gom_storm_verify_quiesced(struct gom_storm *s, struct gom_memstats *m,
			       unsigned long long *lost);
bool gom_storm_verify_freed(struct gom_storm *s, struct gom_memstats *m,
			    unsigned long long *lost);
bool gom_storm_verify_scavenged(struct gom_storm *s, struct gom_memstats *m);

/*
 * The end of a storm whose objects were kept (@s->keep): the storm ran
 * clean; quiesced, the heap's statistics hold Go's invariants and count
 * exactly what the storm did; freeing the rest leaves Mallocs == Frees; a
 * scavenge gives every page of the heap back. Four TAP results. Adds the
 * objects lost to *@lost.
 */
static inline void gom_storm_verify(struct gom_storm *s, bool multi_cpu,
				    unsigned long long *lost)
{
	struct gom_memstats m;

	ksft_test_result(gom_storm_verify_clean(s, multi_cpu, lost), "storm: %s\n",
			 "patterns intact, no id lost, no NULL, contexts as asked, cross-CPU frees");
	ksft_test_result(gom_storm_verify_quiesced(s, &m, lost),
			 "quiesced: invariants hold, Mallocs - Frees == %zu held\n",
			 s->nids);
	ksft_test_result(gom_storm_verify_freed(s, &m, lost),
			 "%zu held objects freed intact, then Mallocs == Frees\n",
			 s->nids);
	ksft_test_result(gom_storm_verify_scavenged(s, &m),
			 "scavenge: HeapAlloc 0, no page of the heap left in use\n");
	free(s->ids);
	s->ids = NULL;
	s->nids = 0;
}

#endif /* _GOMALLOC_LIB_H */
