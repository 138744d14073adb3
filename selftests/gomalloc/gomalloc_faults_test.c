// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc_faults_test - page allocations inside gomalloc fail on demand
 * through the kernel's fault-injection framework: gomalloc's own fault_attr
 * (debugfs directory gomalloc/fail: probability, interval, times, verbose,
 * task-filter). Three phases on a heap of its own:
 *
 *  1. every page allocation fails: allocations that need pages (large
 *     objects, the first span of each class on a scavenged heap), in
 *     process, softirq and hardirq context, all give NULL; nothing is
 *     counted as allocated, nothing leaks, the statistics hold
 *  2. one in three fails while a storm runs and the heap is scavenged
 *     again and again (so that pages keep being needed): every failure is
 *     a NULL to the caller, every object that was given keeps its pattern,
 *     Mallocs and Frees count exactly what succeeded
 *  3. injection off: allocation works again, then everything is freed,
 *     the statistics add up and a scavenge leaves no page in use
 *
 * "times" is set to a known budget: what it went down by is the number of
 * failures injected.
 *
 *   gomalloc_faults_test [SECONDS]   (phase 2; default 10, or $GOMALLOC_FAULTS_SECONDS)
 */
#include "gomalloc_lib.h"

static const char *const knob_names[] = {
	"probability", "interval", "times", "verbose", "task-filter", "space",
};

#define NKNOBS ARRAY_SIZE(knob_names)
#define TIMES_BUDGET 1000000000LL

static char fault_dir[256];
static char saved[NKNOBS][64];

static bool find_fault_dir(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/debug/gomalloc/fail",
		"/sys/kernel/debug/gomalloc/fail_gomalloc",
		"/sys/kernel/debug/fail_gomalloc",
		"/sys/kernel/debug/gomalloc/fail_page_alloc",
		"/sys/kernel/debug/gomalloc/fault",
	};
	char path[300];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/probability", dirs[i]);
		if (gom_exists(path)) {
			snprintf(fault_dir, sizeof(fault_dir), "%s", dirs[i]);
			return true;
		}
	}
	return false;
}

static int knob_set(const char *knob, const char *val)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/%s", fault_dir, knob);
	if (!gom_exists(path))
		return 0;
	return gom_write_file(path, val);
}

static long long knob_get(const char *knob)
{
	char path[300], buf[64];

	snprintf(path, sizeof(path), "%s/%s", fault_dir, knob);
	if (gom_read_file(path, buf, sizeof(buf)))
		return -1;
	return atoll(buf);
}

static void knobs_save(void)
{
	char path[300];
	unsigned int i;

	for (i = 0; i < NKNOBS; i++) {
		snprintf(path, sizeof(path), "%s/%s", fault_dir, knob_names[i]);
		if (gom_read_file(path, saved[i], sizeof(saved[i])))
			saved[i][0] = 0;
	}
}

static void knobs_restore(void)
{
	unsigned int i;

	for (i = 0; i < NKNOBS; i++)
		if (saved[i][0])
			knob_set(knob_names[i], saved[i]);
}

/* inject with @pct percent probability, a fresh "times" budget */
static int inject(unsigned int pct)
{
	char buf[32];
	int ret = 0;

	ret |= knob_set("verbose", "0\n");	/* no stack dumps in the log */
	ret |= knob_set("task-filter", "N\n");
	ret |= knob_set("space", "0\n");
	ret |= knob_set("interval", "1\n");
	snprintf(buf, sizeof(buf), "%lld\n", TIMES_BUDGET);
	ret |= knob_set("times", buf);
	snprintf(buf, sizeof(buf), "%u\n", pct);
	ret |= knob_set("probability", buf);
	return ret;
}

static unsigned long long injected(void)
{
	long long t = knob_get("times");

	return t >= 0 && t <= TIMES_BUDGET ? TIMES_BUDGET - t : 0;
}

struct scav_arg {
	const char *heap;
	int stop;	/* __atomic */
};

static void *scavenger(void *arg)
{
	struct scav_arg *a = arg;

	while (!__atomic_load_n(&a->stop, __ATOMIC_RELAXED)) {
		gom_scavenge(a->heap);
		gom_msleep(300);
	}
	return NULL;
}

/* phase 1: everything that needs pages fails, in every context */
static bool all_fail(int fd, u32 heap, const char *name,
		     unsigned long long *ops, unsigned long long *faults)
{
	u64 sizes[32];
	u32 ids[32], ctx;
	struct gom_memstats m0, m1;
	struct gomd_batch b;
	bool ok = true;
	unsigned int i;

	for (i = 0; i < 32; i++)	/* large, then one per class range */
		sizes[i] = i < 8 ? (3 << 20) + i * 4096 :
			   i < 16 ? (40U << 10) * (i - 7) : 16U << (i % 12);
	if (gom_scavenge(name) || gom_read_memstats(name, &m0) || inject(100))
		return false;
	for (ctx = 0; ctx < GOMD_CTX_NR; ctx++) {
		memset(ids, 0xff, sizeof(ids));
		if (gom_drv_alloc(fd, &b, heap, GOMD_CPU_ANY, ctx, 0, sizes,
				  ids, ctx == GOMD_CTX_PROCESS ? 32 : 16)) {
			ok = false;
			continue;
		}
		*ops += b.count;
		for (i = 0; i < b.count; i++)
			ok = ok && !ids[i];
		if (b.done || b.failed != b.count) {
			gom_info("context %u: %u of %u allocations succeeded with every page allocation failing\n",
				 ctx, b.done, b.count);
			ok = false;
		}
	}
	*faults += injected();
	knob_set("probability", "0\n");
	if (gom_read_memstats(name, &m1) || gom_memstats_invariants(name, &m1))
		return false;
	gom_info("all fail: %llu failures injected; Mallocs %lld -> %lld, HeapObjects %lld, HeapInuse %lld -> %lld\n",
		 injected(), m0.mallocs, m1.mallocs, m1.heap_objects,
		 m0.heap_inuse, m1.heap_inuse);
	return ok && injected() > 0 && m1.mallocs == m0.mallocs &&
	       m1.heap_objects == 0 && m1.heap_inuse == m0.heap_inuse;
}

int main(int argc, char **argv)
{
	struct gom_storm s = {
		.seconds = gom_seconds(argc, argv, "GOMALLOC_FAULTS_SECONDS", 10),
		.max_held = 128,
		.cross_pct = 30,
		.atomic_pct = 30,
		.max_large = GOM_MAX_ALLOC,
		.keep = false,
	};
	unsigned long long ops = 0, faults = 0, lost = 0, live = 0;
	unsigned long long done = 0, u = 0, d = 0;
	struct scav_arg scav = { 0 };
	struct gom_memstats m;
	u64 sizes[16];
	u32 ids[16];
	struct gomd_batch b;
	pthread_t scav_tid;
	char name[32];
	unsigned int i;
	bool ok;
	int ret;

	ksft_print_header();
	s.fd = gom_drv_open_or_skip();
	if (!find_fault_dir())
		ksft_exit_skip("no fault_attr of gomalloc in debugfs (%s)\n",
			       "gomalloc/fail/ or fail_gomalloc/ in /sys/kernel/debug");
	gom_info("fault_attr: %s\n", fault_dir);
	knobs_save();
	ksft_set_plan(4);
	snprintf(name, sizeof(name), "faults-%d", getpid());
	ret = gom_drv_heap_create(s.fd, name, 0, &s.heap);
	if (ret)
		ksft_exit_fail_msg("heap %s: %s\n", name, strerror(-ret));
	s.heap_name = name;

	ksft_test_result(all_fail(s.fd, s.heap, name, &ops, &faults),
			 "every page allocation failing: each allocation that needs pages gives NULL, in every context; nothing counted or kept\n");

	/* phase 2: a third of the page allocations fail under a storm */
	ok = !inject(33);
	scav.heap = name;
	ok = ok && !pthread_create(&scav_tid, NULL, scavenger, &scav);
	if (ok) {
		gom_storm_run(&s);
		__atomic_store_n(&scav.stop, 1, __ATOMIC_RELAXED);
		pthread_join(scav_tid, NULL);
	}
	faults += injected();
	knob_set("probability", "0\n");
	gom_storm_print(&s);
	ops += s.allocs + s.frees;
	lost += s.unknown;
	ok = ok && !s.damaged && !s.unknown && !s.errors && s.allocs > 0 &&
	     !gom_read_memstats(name, &m) &&
	     !gom_memstats_invariants(name, &m) &&
	     m.mallocs == (long long)s.allocs &&
	     m.frees == (long long)s.frees && m.heap_objects == 0;
	gom_info("storm under injection: %llu failures injected, %llu allocations gave NULL; Mallocs %lld Frees %lld HeapObjects %lld\n",
		 injected(), s.failed, m.mallocs, m.frees, m.heap_objects);
	ksft_test_result(ok && injected() > 0 && s.failed > 0,
			 "a third failing under a storm: failures are NULLs, objects intact, statistics count only successes\n");

	/* phase 3: injection off, allocation works again */
	for (i = 0; i < 16; i++)
		sizes[i] = i < 4 ? (3 << 20) : 8 << i;
	ret = gom_drv_alloc(s.fd, &b, s.heap, GOMD_CPU_ANY, GOMD_CTX_PROCESS,
			    0, sizes, ids, 16);
	ok = !ret && b.done == 16 && !b.damaged;
	ops += b.done;
	ok = ok && !gom_drv_free_all(s.fd, ids, 16, false, &done, &u, &d) &&
	     done == 16 && !u && !d;
	ops += done;
	lost += u;
	ksft_test_result(ok, "injection off: allocation works again\n");

	ok = !gom_scavenge(name) && !gom_read_memstats(name, &m) &&
	     !gom_memstats_invariants(name, &m);
	gom_info("end: Mallocs %lld Frees %lld HeapObjects %lld HeapInuse %lld HeapSys %lld\n",
		 m.mallocs, m.frees, m.heap_objects, m.heap_inuse, m.heap_sys);
	ok = ok && m.mallocs == m.frees && m.heap_objects == 0 &&
	     m.heap_inuse == 0;
	ret = gom_drv_heap_destroy(s.fd, s.heap, &live);
	ksft_test_result(ok && !ret && !live,
			 "nothing leaked: Mallocs == Frees, no page in use after a scavenge, heap destroyed empty\n");
	knobs_restore();
	gom_figure("operations", ops);
	gom_figure("faults_injected", faults);
	gom_figure("objects_lost", lost + live);
	gom_figure("objects_damaged", s.damaged + d);
	close(s.fd);
	ksft_finished();
}
