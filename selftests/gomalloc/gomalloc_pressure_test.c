// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc_pressure_test - memory pressure returns gomalloc's idle pages to
 * the page allocator. A heap is filled and most of it freed (one object in
 * eight kept, large ones, so that arenas stay and their idle pages become
 * released holes), three times, each followed by one kind of pressure:
 *
 *  1. the gomalloc shrinker's debugfs `scan` file (SHRINKER_DEBUG)
 *  2. /proc/sys/vm/drop_caches
 *  3. a memory hog: with min_free_kbytes raised to 3/4 of free memory, a
 *     child touches anonymous memory until free memory is under the zones'
 *     low watermarks, which wakes kswapd and its shrinkers; it stops as
 *     soon as gomalloc has released pages, and above the min watermarks
 *     (no OOM). If free memory never reached the low watermarks in 60 s,
 *     this phase is skipped, not passed
 *
 * After each: HeapReleased grew; after 1 and 2 (no hog in the way), free
 * memory (MemFree plus the per-CPU free lists) rose by at least half of
 * what the heap gave back (the rest is slack for the kernel's own activity
 * meanwhile); the objects kept still hold their patterns.
 *
 *   gomalloc_pressure_test [FILL_MIB]   (default 32, or $GOMALLOC_PRESSURE_MIB)
 */
#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "gomalloc_lib.h"

struct fill {
	int fd;
	u32 heap;
	const char *name;
	u32 *kept;
	size_t nkept;
	unsigned long long ops, damaged, lost, failed;
	u64 rng;
};

/* allocate @mib MiB, keep one object in eight (a large one), free the rest */
static int fill(struct fill *f, unsigned int mib)
{
	unsigned long long total = 0, want = (unsigned long long)mib << 20;
	u32 *drop = NULL, ids[64];
	size_t ndrop = 0, i, n = 0;
	u64 sizes[64];
	struct gomd_batch b;
	unsigned long long u = 0, d = 0, done = 0;
	int ret;

	while (total < want) {
		for (i = 0; i < 64; i++, n++) {
			if (n % 4 == 0)
				sizes[i] = (64 << 10) + gom_rand_below(&f->rng, 448 << 10);
			else
				sizes[i] = 2048 + gom_rand_below(&f->rng, 30 << 10);
			total += sizes[i];
		}
		ret = gom_drv_alloc(f->fd, &b, f->heap, GOMD_CPU_ANY,
				    GOMD_CTX_PROCESS, 0, sizes, ids, 64);
		if (ret)
			return ret;
		f->ops += b.done;
		f->failed += b.failed;
		f->damaged += b.damaged;
		f->kept = realloc(f->kept, (f->nkept + 64) * sizeof(*f->kept));
		drop = realloc(drop, (ndrop + 64) * sizeof(*drop));
		if (!f->kept || !drop)
			return -ENOMEM;
		for (i = 0; i < 64; i++) {
			if (!ids[i])
				continue;
			if ((n - 64 + i) % 8 == 0)
				f->kept[f->nkept++] = ids[i];
			else
				drop[ndrop++] = ids[i];
		}
	}
	ret = gom_drv_free_all(f->fd, drop, ndrop, false, &done, &u, &d);
	f->ops += done;
	f->lost += u;
	f->damaged += d;
	free(drop);
	return ret;
}

static bool kept_intact(struct fill *f)
{
	unsigned long long done = 0, u = 0, d = 0;

	if (gom_drv_free_all(f->fd, f->kept, f->nkept, true, &done, &u, &d))
		return false;
	f->lost += u;
	f->damaged += d;
	return done == f->nkept && !u && !d;
}

static int shrinker_scan_path(char *path, size_t len)
{
	struct dirent *e;
	DIR *d;

	d = opendir("/sys/kernel/debug/shrinker");
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (!strncmp(e->d_name, "gomalloc-", 9)) {
			snprintf(path, len, "/sys/kernel/debug/shrinker/%.64s/scan",
				 e->d_name);
			closedir(d);
			return 0;
		}
	}
	closedir(d);
	return -ENOENT;
}

/* The hog: a child that presses memory until gomalloc releases pages. */
static void hog(const char *heap, long long released0, double secs)
{
	long long low = gom_zoneinfo_sum("low"), min = gom_zoneinfo_sum("min");
	long long stop_kb = (low + min) * 4 / 2, hog_kb = 0, room, chunk;
	double end = gom_now() + secs;
	struct gom_memstats m;
	char *p;

	gom_write_file("/proc/self/oom_score_adj", "1000\n");
	while (gom_now() < end) {
		if (!gom_read_memstats(heap, &m) && m.heap_released > released0) {
			gom_info("memory pressure: %lld KiB taken, gomalloc released pages\n",
				 hog_kb);
			fflush(stdout);
			_exit(0);
		}
		room = gom_meminfo_kb("MemFree") - stop_kb;
		if (room < 1024) {
			gom_msleep(50);
			continue;
		}
		/* a quarter of the way down each time: fast, and no overshoot */
		chunk = room / 4 > 1024 ? room / 4 : 1024;
		p = mmap(NULL, chunk << 10, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p == MAP_FAILED)
			_exit(2);
		hog_kb += chunk;
	}
	gom_info("memory pressure: %lld KiB taken, stopped at MemFree %lld KiB (low %lld min %lld KiB): no page released\n",
		 hog_kb, gom_meminfo_kb("MemFree"), low * 4, min * 4);
	fflush(stdout);
	/* 3: free memory never got down to the low watermarks in time */
	_exit(gom_meminfo_kb("MemFree") < low * 4 + 2048 ? 1 : 3);
}

/*
 * Faulting in a whole guest takes minutes under TCG, so the hog raises the
 * watermarks first (min_free_kbytes to 3/4 of free memory): then a few
 * hundred MiB of anonymous memory bring free memory under the low watermark
 * and wake kswapd, which keeps calling the shrinkers while it cannot
 * balance; the hog still stops above the min watermark, so nothing OOMs.
 */
static int run_hog(const char *heap, long long released0)
{
	char buf[32] = "";
	long long min_free;
	int status, ret;
	pid_t pid;

	gom_read_file("/proc/sys/vm/min_free_kbytes", buf, sizeof(buf));
	min_free = atoll(buf);
	if (min_free > 0) {
		snprintf(buf, sizeof(buf), "%lld\n", gom_meminfo_kb("MemFree") * 3 / 4);
		gom_write_file("/proc/sys/vm/min_free_kbytes", buf);
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		hog(heap, released0, 60);
	ret = waitpid(pid, &status, 0) < 0 ? -errno :
	      WIFEXITED(status) ? WEXITSTATUS(status) : -EINTR;
	if (min_free > 0) {
		snprintf(buf, sizeof(buf), "%lld\n", min_free);
		gom_write_file("/proc/sys/vm/min_free_kbytes", buf);
	}
	return ret;
}

enum pressure { BY_SHRINKER, BY_DROP_CACHES, BY_HOG };

static const char *const pressure_names[] = {
	"the shrinker's debugfs scan", "drop_caches", "a memory hog",
};

static void phase(struct fill *f, enum pressure how, unsigned int mib,
		  const char *scan)
{
	long long free0, free1, held0, held1;
	struct gom_memstats m0, m1;
	bool ok = true, mem_ok = true;
	int ret = 0;

	if (fill(f, mib) || f->failed) {
		ksft_test_result_fail("%s: filling the heap failed\n",
				      pressure_names[how]);
		return;
	}
	sync();
	gom_msleep(500);
	free0 = gom_free_kb();
	if (gom_read_memstats(f->name, &m0))
		ok = false;
	switch (how) {
	case BY_SHRINKER:
		ret = gom_write_file(scan, "0 0 1000000\n");
		break;
	case BY_DROP_CACHES:
		ret = gom_write_file("/proc/sys/vm/drop_caches", "3\n");
		break;
	case BY_HOG:
		ret = run_hog(f->name, m0.heap_released);
		break;
	}
	gom_msleep(500);
	free1 = gom_free_kb();
	if (gom_read_memstats(f->name, &m1) || ret)
		ok = false;
	held0 = m0.heap_sys - m0.heap_released;
	held1 = m1.heap_sys - m1.heap_released;
	gom_info("%s: HeapReleased %lld -> %lld, HeapSys %lld -> %lld, HeapIdle %lld -> %lld, pages held %lld -> %lld KiB; free memory %lld -> %lld KiB (ret %d)\n",
		 pressure_names[how], m0.heap_released, m1.heap_released,
		 m0.heap_sys, m1.heap_sys, m0.heap_idle, m1.heap_idle,
		 held0 >> 10, held1 >> 10, free0, free1, ret);
	ok = ok && m1.heap_released > m0.heap_released && held1 < held0;
	if (how != BY_HOG)
		mem_ok = free1 - free0 >= ((held0 - held1) >> 10) / 2;
	ok = ok && !gom_memstats_invariants(f->name, &m1);
	if (how == BY_HOG && ret == 3) {
		/* TCG is slow to fault in a whole guest's memory: no verdict */
		ksft_test_result_skip("%s: free memory did not reach the low watermarks in time\n",
				      pressure_names[how]);
		kept_intact(f);
		return;
	}
	ksft_test_result(ok && mem_ok && kept_intact(f),
			 "%s: HeapReleased grew%s, %zu live objects intact\n",
			 pressure_names[how],
			 how != BY_HOG ? ", free memory rose" : "", f->nkept);
}

int main(int argc, char **argv)
{
	struct fill f = { .rng = (u64)(gom_now() * 1e9) | 1 };
	unsigned int mib = gom_seconds(argc, argv, "GOMALLOC_PRESSURE_MIB", 32);
	unsigned long long done = 0, u = 0, d = 0, live = 0;
	char name[32], scan[256];
	struct gom_memstats m;
	int ret;

	ksft_print_header();
	f.fd = gom_drv_open_or_skip();
	ksft_set_plan(5);
	snprintf(name, sizeof(name), "pressure-%d", getpid());
	ret = gom_drv_heap_create(f.fd, name, 0, &f.heap);
	if (ret)
		ksft_exit_fail_msg("heap %s: %s\n", name, strerror(-ret));
	f.name = name;

	if (shrinker_scan_path(scan, sizeof(scan)))
		ksft_test_result_skip("no gomalloc shrinker in %s\n",
				      "/sys/kernel/debug/shrinker (SHRINKER_DEBUG)");
	else
		phase(&f, BY_SHRINKER, mib, scan);
	phase(&f, BY_DROP_CACHES, mib, NULL);
	phase(&f, BY_HOG, mib, NULL);

	ret = gom_drv_free_all(f.fd, f.kept, f.nkept, false, &done, &u, &d);
	f.ops += done;
	f.lost += u;
	f.damaged += d;
	ksft_test_result(!ret && done == f.nkept && !u && !d &&
			 !gom_read_memstats(name, &m) && m.heap_objects == 0 &&
			 !gom_memstats_invariants(name, &m),
			 "the %zu live objects freed intact, HeapObjects 0\n",
			 f.nkept);
	ret = gom_drv_heap_destroy(f.fd, f.heap, &live);
	ksft_test_result(!ret && !live, "heap destroyed with no object left\n");
	gom_figure("operations", f.ops);
	gom_figure("objects_lost", f.lost + live);
	gom_figure("objects_damaged", f.damaged);
	free(f.kept);
	close(f.fd);
	ksft_finished();
}
