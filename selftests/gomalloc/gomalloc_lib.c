// SPDX-License-Identifier: GPL-2.0
/* What the gomalloc kselftests share (declared in gomalloc_lib.h). */
#include "gomalloc_lib.h"

/* === Figures, time, random === */

void gom_figure(const char *name, unsigned long long v)
{
	gom_info("figure: %s=%llu\n", name, v);
}

double gom_now(void)
{
	struct timespec ts;

	/* monotonic: deadlines must not move when the guest's clock is set */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void gom_msleep(unsigned int ms)
{
	usleep(ms * 1000U);
}

u64 gom_rand(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

u64 gom_rand_below(u64 *s, u64 n)
{
	return n ? gom_rand(s) % n : 0;
}

double gom_seconds(int argc, char **argv, const char *env, double dflt)
{
	const char *v = argc > 1 ? argv[1] : getenv(env);
	double d = v ? atof(v) : 0;

	return d > 0 ? d : dflt;
}

/* === Files === */

int gom_write_file(const char *path, const char *s)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	/* one write: sysfs and debugfs take a value in one store */
	n = write(fd, s, strlen(s));
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return 0;
}

int gom_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n, got = 0;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while ((size_t)got < len - 1) {	/* room for the NUL */
		n = read(fd, buf + got, len - 1 - got);
		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = 0;
	close(fd);
	return 0;
}

bool gom_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

long long gom_field(const char *path, const char *name)
{
	char line[256], key[128];
	long long v, ret = -1;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127[^:]: %lld", key, &v) == 2 &&
		    !strcmp(key, name)) {
			ret = v;
			break;
		}
	}
	fclose(f);
	return ret;
}

long long gom_meminfo_kb(const char *name)
{
	return gom_field("/proc/meminfo", name);
}

/* === gomalloc's debugfs === */

int gom_read_memstats(const char *heap, struct gom_memstats *ms)
{
	/* in the order of struct gom_memstats's fields */
	static const char *const names[] = {
		"Alloc", "TotalAlloc", "Sys", "Mallocs", "Frees", "HeapAlloc",
		"HeapSys", "HeapIdle", "HeapInuse", "HeapReleased",
		"HeapObjects",
	};
	long long *v = &ms->alloc;
	char path[256], line[256], key[64];
	long long val;
	unsigned int i, found = 0;
	FILE *f;

	snprintf(path, sizeof(path), GOM_DEBUGFS "/%s/memstats", heap);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %lld", key, &val) != 2)
			continue;
		for (i = 0; i < ARRAY_SIZE(names); i++) {
			if (!strcmp(key, names[i])) {
				v[i] = val;
				found++;
			}
		}
	}
	fclose(f);
	/* a field missing means the file's format moved: not a quiet zero */
	return found == ARRAY_SIZE(names) ? 0 : -EINVAL;
}

int gom_memstats_invariants(const char *heap, const struct gom_memstats *m)
{
	int bad = 0;

#define GOM_INVARIANT(cond) do {					\
		if (!(cond)) {						\
			gom_info("heap %s: invariant %s fails\n",	\
				 heap, #cond);			\
			bad++;						\
		}							\
	} while (0)
	GOM_INVARIANT(m->heap_inuse + m->heap_idle == m->heap_sys);
	GOM_INVARIANT(m->heap_released <= m->heap_idle);
	GOM_INVARIANT(m->alloc == m->heap_alloc);
	GOM_INVARIANT(m->heap_alloc <= m->heap_inuse);
	GOM_INVARIANT(m->total_alloc >= m->heap_alloc);
	GOM_INVARIANT(m->sys >= m->heap_sys);
	GOM_INVARIANT(m->mallocs >= m->frees);
	GOM_INVARIANT(m->mallocs - m->frees == m->heap_objects);
	GOM_INVARIANT(m->heap_sys % 4096 == 0 && m->heap_inuse % 4096 == 0);
#undef GOM_INVARIANT
	/* the whole file once, so that a failure can be read without a rerun */
	if (bad)
		gom_info("heap %s: Alloc %lld Sys %lld Mallocs %lld Frees %lld HeapAlloc %lld HeapSys %lld HeapIdle %lld HeapInuse %lld HeapReleased %lld HeapObjects %lld\n",
			 heap, m->alloc, m->sys, m->mallocs, m->frees,
			 m->heap_alloc, m->heap_sys, m->heap_idle,
			 m->heap_inuse, m->heap_released,
			 m->heap_objects);
	return bad;
}

long long gom_errors(const char *kind)
{
	return gom_field(GOM_DEBUGFS "/errors", kind);
}

int gom_scavenge(const char *heap)
{
	char path[256];

	snprintf(path, sizeof(path), GOM_DEBUGFS "/%s/scavenge", heap);
	return gom_write_file(path, "1\n");
}

/*
 * The line reads "cpu N online B objects N spans N tiny_block B"; the
 * outputs are set only when the CPU's line is found.
 */
int gom_mcache_cpu(const char *heap, int cpu, int *online,
		   long *objects, long *spans, int *tiny)
{
	char path[256], line[256];
	int c, on, tb, ret = -ENOENT;
	long objs, sp;
	FILE *f;

	snprintf(path, sizeof(path), GOM_DEBUGFS "/%s/mcache", heap);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "cpu %d online %d objects %ld spans %ld tiny_block %d",
			   &c, &on, &objs, &sp, &tb) == 5 && c == cpu) {
			*online = on;
			*objects = objs;
			*spans = sp;
			*tiny = tb;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* === CPUs === */

int gom_online_cpus(int *cpus)
{
	char path[128], buf[8];
	int cpu, n = 0;

	for (cpu = 0; cpu < GOM_MAX_CPUS; cpu++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d", cpu);
		if (!gom_exists(path))
			continue;
		/* no online file (a CPU that cannot go offline) means online */
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/online", cpu);
		if (gom_read_file(path, buf, sizeof(buf)) == 0 && buf[0] == '0')
			continue;
		cpus[n++] = cpu;
	}
	return n;
}

/* === Kernel log === */

int gom_kmsg_open(void)
{
	/* non-blocking: gom_kmsg_count() stops at the end of the log */
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

int gom_kmsg_count(int fd, const char *const *needles, bool echo)
{
	char rec[2048];
	const char *msg;
	int i, n = 0;
	ssize_t len;
	bool all;

	for (;;) {
		len = read(fd, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE)
			continue;	/* overwritten records */
		if (len <= 0)
			break;
		rec[len] = 0;
		msg = strchr(rec, ';');	/* after "level,seq,time,flags;" */
		msg = msg ? msg + 1 : rec;
		if (strstr(msg, "gomalloc-expect-report:"))
			continue;	/* the bench's markers, not reports */
		all = true;
		for (i = 0; needles && needles[i]; i++)
			if (!strstr(msg, needles[i]))
				all = false;
		if (all) {
			n++;
			if (echo)
				gom_info("kernel: %s", msg);
		}
	}
	return n;
}

void gom_kmsg_write(const char *s)
{
	gom_write_file("/dev/kmsg", s);
}

/* === Free memory === */

long long gom_zoneinfo_sum(const char *field)
{
	char line[256], key[64];
	long long v, sum = 0;
	FILE *f;

	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %63[a-z_]%*[: ] %lld", key, &v) == 2 &&
		    !strcmp(key, field))
			sum += v;
	fclose(f);
	return sum;
}

/*
 * The page allocator holds the pages on its per-CPU lists free but does not
 * count them in MemFree; "count" is in 4 KiB pages.
 */
long long gom_free_kb(void)
{
	return gom_meminfo_kb("MemFree") + gom_zoneinfo_sum("count") * 4;
}

/* === The driver === */

int gom_drv_open(void)
{
	return open(GOMD_DEVICE, O_RDWR);
}

int gom_drv_alloc(int fd, struct gomd_batch *b, u32 heap, u32 cpu, u32 ctx,
		  u32 flags, const u64 *sizes, u32 *ids, unsigned int n)
{
	/* zeroed: the driver rejects a batch whose result fields are set */
	memset(b, 0, sizeof(*b));
	b->heap = heap;
	b->cpu = cpu;
	b->ctx = ctx;
	b->flags = flags;
	b->count = n;
	b->sizes = (uintptr_t)sizes;
	b->ids = (uintptr_t)ids;
	return ioctl(fd, GOMD_IOC_ALLOC, b) ? -errno : 0;
}

int gom_drv_free(int fd, struct gomd_batch *b, u32 cpu, u32 ctx,
		 const u32 *ids, unsigned int n, bool check)
{
	memset(b, 0, sizeof(*b));
	b->cpu = cpu;
	b->ctx = ctx;
	b->count = n;
	b->ids = (uintptr_t)ids;
	return ioctl(fd, check ? GOMD_IOC_CHECK : GOMD_IOC_FREE, b) ? -errno : 0;
}

/* batches of GOMD_MAX_BATCH, the most one ioctl takes, where the caller runs */
int gom_drv_free_all(int fd, const u32 *ids, size_t n, bool check,
		     unsigned long long *done, unsigned long long *unknown,
		     unsigned long long *damaged)
{
	struct gomd_batch b;
	size_t i, k;
	int ret;

	for (i = 0; i < n; i += k) {
		k = n - i < GOMD_MAX_BATCH ? n - i : GOMD_MAX_BATCH;
		ret = gom_drv_free(fd, &b, GOMD_CPU_ANY, GOMD_CTX_PROCESS,
				   ids + i, k, check);
		if (ret)
			return ret;
		*done += b.done;
		*unknown += b.failed;
		*damaged += b.damaged;
	}
	return 0;
}

int gom_drv_heap_create(int fd, const char *name, u32 flags, u32 *id)
{
	struct gomd_heap_req r;

	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", name);	/* truncated, terminated */
	r.flags = flags;
	if (ioctl(fd, GOMD_IOC_HEAP_CREATE, &r))
		return -errno;
	*id = r.id;
	return 0;
}

int gom_drv_heap_destroy(int fd, u32 id, unsigned long long *live)
{
	struct gomd_heap_req r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	if (ioctl(fd, GOMD_IOC_HEAP_DESTROY, &r))
		return -errno;
	if (live)
		*live = r.live;
	return 0;
}

int gom_drv_stats(int fd, struct gomd_stats *s)
{
	return ioctl(fd, GOMD_IOC_STATS, s) ? -errno : 0;
}

/* === The storm === */

/* an object a storm thread holds, and the CPU that allocated it */
struct gom_storm_obj {
	u32 id;
	u32 cpu;
	u64 size;
};

/* one storm thread: its own counts, summed into the storm at the end */
struct gom_storm_thread {
	struct gom_storm *s;
	int idx;
	u64 rng;
	struct gom_storm_obj *held;
	unsigned int nheld;
	unsigned long long allocs, frees, failed, damaged, unknown, cross;
	unsigned long long ctx_mismatch, errors, offline_retries;
};

/*
 * A size: tiny, small and large in one run. Atomic batches stay at 256 KiB:
 * a larger GFP_ATOMIC page run may fail, and the storm counts every NULL.
 */
static u64 gom_storm_size(struct gom_storm_thread *t, bool atomic)
{
	u64 r = gom_rand_below(&t->rng, 100);
	u64 max = t->s->max_large;

	if (atomic && max > (256 << 10))
		max = 256 << 10;
	if (r < 25)
		return 1 + gom_rand_below(&t->rng, 15);		/* tiny */
	if (r < 60)
		return 16 + gom_rand_below(&t->rng, 1024 - 15);	/* small */
	if (r < 88)
		return 1025 + gom_rand_below(&t->rng, GOM_SMALL_MAX - 1024);
	if (r < 97 || max <= (256 << 10))
		return GOM_SMALL_MAX + 1 +
		       gom_rand_below(&t->rng, (256 << 10) - GOM_SMALL_MAX);
	return (256 << 10) + gom_rand_below(&t->rng, max - (256 << 10));
}

static u32 gom_storm_ctx(struct gom_storm_thread *t)
{
	u64 r = gom_rand_below(&t->rng, 100);

	if (r >= t->s->atomic_pct)
		return GOMD_CTX_PROCESS;
	return r & 1 ? GOMD_CTX_SOFTIRQ : GOMD_CTX_HARDIRQ;
}

/* a CPU to run on: any online one other than @not, or GOMD_CPU_ANY */
static u32 gom_storm_cpu(struct gom_storm_thread *t, u32 not)
{
	int cpus[GOM_MAX_CPUS], n = gom_online_cpus(cpus), i;
	u32 c;

	/* read each time: the hotplug test takes CPUs away under the storm */
	if (n <= 0)
		return GOMD_CPU_ANY;
	for (i = 0; i < 4; i++) {
		c = cpus[gom_rand_below(&t->rng, n)];
		if (c != not)
			return c;
	}
	return GOMD_CPU_ANY;
}

static void gom_storm_alloc(struct gom_storm_thread *t)
{
	unsigned int n = 1 + gom_rand_below(&t->rng, 32), i;
	u64 sizes[32];
	u32 ids[32], ctx = gom_storm_ctx(t), cpu;
	struct gomd_batch b;
	int ret;

	if (n > t->s->max_held - t->nheld)
		n = t->s->max_held - t->nheld;
	if (!n)
		return;
	for (i = 0; i < n; i++)
		sizes[i] = gom_storm_size(t, ctx != GOMD_CTX_PROCESS);
	cpu = gom_rand_below(&t->rng, 4) ? gom_storm_cpu(t, GOMD_CPU_ANY) :
					   GOMD_CPU_ANY;
	ret = gom_drv_alloc(t->s->fd, &b, t->s->heap, cpu, ctx, 0, sizes, ids, n);
	if (ret == -ENODEV) {		/* went offline: anywhere will do */
		t->offline_retries++;
		ret = gom_drv_alloc(t->s->fd, &b, t->s->heap, GOMD_CPU_ANY,
				    ctx, 0, sizes, ids, n);
	}
	if (ret) {
		t->errors++;
		return;
	}
	if (b.ran_ctx != ctx)
		t->ctx_mismatch++;
	t->allocs += b.done;
	t->failed += b.failed;
	t->damaged += b.damaged;
	for (i = 0; i < n; i++) {
		if (!ids[i])		/* that allocation failed */
			continue;
		t->held[t->nheld].id = ids[i];
		t->held[t->nheld].cpu = b.ran_cpu;
		t->held[t->nheld].size = sizes[i];
		t->nheld++;
	}
}

static void gom_storm_free(struct gom_storm_thread *t)
{
	unsigned int n = 1 + gom_rand_below(&t->rng, 32), i, k, cross = 0;
	u32 ids[32], ctx = gom_storm_ctx(t), cpu, from;
	struct gom_storm_obj o[32];
	struct gomd_batch b;
	int ret;

	if (n > t->nheld)
		n = t->nheld;
	if (!n)
		return;
	for (i = 0; i < n; i++) {	/* random victims: random lifetimes */
		k = gom_rand_below(&t->rng, t->nheld);
		o[i] = t->held[k];
		ids[i] = o[i].id;
		t->held[k] = t->held[--t->nheld];
	}
	from = o[0].cpu;
	if (gom_rand_below(&t->rng, 100) < t->s->cross_pct)
		cpu = gom_storm_cpu(t, from);
	else
		cpu = gom_rand_below(&t->rng, 2) ? from : GOMD_CPU_ANY;
	ret = gom_drv_free(t->s->fd, &b, cpu, ctx, ids, n, false);
	if (ret == -ENODEV) {
		t->offline_retries++;
		ret = gom_drv_free(t->s->fd, &b, GOMD_CPU_ANY, ctx, ids, n,
				   false);
	}
	if (ret) {
		t->errors++;
		for (i = 0; i < n; i++)		/* still ours: keep them */
			t->held[t->nheld++] = o[i];
		return;
	}
	if (b.ran_ctx != ctx)
		t->ctx_mismatch++;
	for (i = 0; i < n; i++)
		cross += o[i].cpu != b.ran_cpu;
	t->cross += cross;
	t->frees += b.done;
	t->unknown += b.failed;
	t->damaged += b.damaged;
}

static void *gom_storm_thread(void *arg)
{
	struct gom_storm_thread *t = arg;
	struct gom_storm *s = t->s;
	double end = gom_now() + s->seconds;
	unsigned long long d0 = 0, d1 = 0, u = 0;
	u32 *ids;
	unsigned int i;

	/* below a quarter of max_held always allocate, so the heap stays busy */
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED) &&
	       gom_now() < end) {
		if (t->nheld < s->max_held / 4 ||
		    (t->nheld < s->max_held && gom_rand_below(&t->rng, 2)))
			gom_storm_alloc(t);
		else
			gom_storm_free(t);
	}
	if (!s->keep) {		/* freed here, patterns checked */
		ids = malloc((t->nheld + 1) * sizeof(*ids));
		for (i = 0; ids && i < t->nheld; i++)
			ids[i] = t->held[i].id;
		if (!ids || gom_drv_free_all(s->fd, ids, t->nheld, false,
					     &d0, &u, &d1))
			t->errors++;
		else
			t->nheld = 0;
		t->frees += d0;
		t->unknown += u;
		t->damaged += d1;
		free(ids);
	}
	pthread_mutex_lock(&s->lock);
	s->allocs += t->allocs;
	s->frees += t->frees;
	s->failed += t->failed;
	s->damaged += t->damaged;
	s->unknown += t->unknown;
	s->cross += t->cross;
	s->ctx_mismatch += t->ctx_mismatch;
	s->errors += t->errors;
	s->offline_retries += t->offline_retries;
	/* what is still held goes to the caller, which frees it */
	ids = realloc(s->ids, (s->nids + t->nheld + 1) * sizeof(*ids));
	if (ids) {
		s->ids = ids;
		for (i = 0; i < t->nheld; i++) {
			s->ids[s->nids++] = t->held[i].id;
			s->held_bytes += t->held[i].size;
		}
	} else {
		s->errors++;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int gom_storm_run(struct gom_storm *s)
{
	struct gom_storm_thread *t;
	pthread_t *tid;
	int i, cpus[GOM_MAX_CPUS];

	if (!s->nthreads)
		s->nthreads = gom_online_cpus(cpus);
	if (s->nthreads < 1)
		s->nthreads = 1;
	pthread_mutex_init(&s->lock, NULL);
	t = calloc(s->nthreads, sizeof(*t));
	tid = calloc(s->nthreads, sizeof(*tid));
	if (!t || !tid)
		return -ENOMEM;
	for (i = 0; i < s->nthreads; i++) {
		t[i].s = s;
		t[i].idx = i;
		/* distinct streams even for threads seeded in the same ns */
		t[i].rng = (u64)(gom_now() * 1e9) ^ (0x9e3779b97f4a7c15ULL * (i + 1));
		t[i].held = calloc(s->max_held, sizeof(*t[i].held));
		if (!t[i].held)
			return -ENOMEM;
	}
	for (i = 0; i < s->nthreads; i++)
		if (pthread_create(&tid[i], NULL, gom_storm_thread, &t[i]))
			return -errno;
	for (i = 0; i < s->nthreads; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < s->nthreads; i++)
		free(t[i].held);
	free(t);
	free(tid);
	return 0;
}

void gom_storm_print(const struct gom_storm *s)
{
	gom_info("storm on heap %s: %d threads, %.0f s: %llu allocs, %llu frees (%llu on another CPU), %llu failed, %llu damaged, %llu unknown ids, %llu context mismatches, %llu driver errors, %llu retries for offline CPUs\n",
		 s->heap_name, s->nthreads, s->seconds, s->allocs,
		 s->frees, s->cross, s->failed, s->damaged, s->unknown,
		 s->ctx_mismatch, s->errors, s->offline_retries);
}

/*
 * gom_storm_verify()'s checks; its TAP results are reported in the header,
 * where they reach the test program's own kselftest.h counters.
 */

/* the storm ran clean: patterns intact, no id lost, no NULL, cross-CPU frees */
bool gom_storm_verify_clean(struct gom_storm *s, bool multi_cpu,
			    unsigned long long *lost)
{
	bool ok;

	gom_storm_print(s);
	/* one CPU cannot free on another CPU than the one that allocated */
	ok = s->allocs > 0 && !s->damaged && !s->unknown && !s->failed &&
	     !s->errors && !s->ctx_mismatch && (!multi_cpu || s->cross > 0);
	*lost += s->unknown;
	return ok;
}

/* quiesced, the heap's statistics count exactly what the storm did */
bool gom_storm_verify_quiesced(struct gom_storm *s, struct gom_memstats *m,
			       unsigned long long *lost)
{
	bool ok;

	ok = gom_read_memstats(s->heap_name, m) == 0;
	if (ok) {
		gom_info("quiesced: Mallocs %lld Frees %lld HeapObjects %lld, storm: %llu allocs %llu frees %zu held (%llu bytes); HeapAlloc %lld\n",
			 m->mallocs, m->frees, m->heap_objects, s->allocs,
			 s->frees, s->nids, s->held_bytes, m->heap_alloc);
		/* >= held_bytes: HeapAlloc counts rounded-up sizes */
		ok = !gom_memstats_invariants(s->heap_name, m) &&
		     m->mallocs == (long long)s->allocs &&
		     m->frees == (long long)s->frees &&
		     m->mallocs - m->frees == (long long)s->nids &&
		     m->heap_alloc >= (long long)s->held_bytes;
		if (m->mallocs - m->frees != (long long)s->nids)
			*lost += llabs(m->mallocs - m->frees - (long long)s->nids);
	}
	return ok;
}

/* the held objects free intact, and then Mallocs == Frees */
bool gom_storm_verify_freed(struct gom_storm *s, struct gom_memstats *m,
			    unsigned long long *lost)
{
	unsigned long long done = 0, unknown = 0, damaged = 0;
	bool ok;

	ok = !gom_drv_free_all(s->fd, s->ids, s->nids, false, &done, &unknown,
			       &damaged);
	s->frees += done;
	s->damaged += damaged;
	*lost += unknown;
	ok = ok && done == s->nids && !damaged && !unknown &&
	     !gom_read_memstats(s->heap_name, m) &&
	     !gom_memstats_invariants(s->heap_name, m) &&
	     m->mallocs == m->frees && m->heap_objects == 0;
	gom_info("all freed: %llu of %zu, %llu damaged, %llu unknown; Mallocs %lld Frees %lld HeapObjects %lld HeapAlloc %lld\n",
		 done, s->nids, damaged, unknown, m->mallocs, m->frees,
		 m->heap_objects, m->heap_alloc);
	return ok;
}

/* a scavenge gives every page of the emptied heap back */
bool gom_storm_verify_scavenged(struct gom_storm *s, struct gom_memstats *m)
{
	bool ok;

	ok = !gom_scavenge(s->heap_name) &&
	     !gom_read_memstats(s->heap_name, m) &&
	     !gom_memstats_invariants(s->heap_name, m);
	if (ok)
		gom_info("after scavenge: HeapSys %lld HeapInuse %lld HeapIdle %lld HeapReleased %lld\n",
			 m->heap_sys, m->heap_inuse, m->heap_idle,
			 m->heap_released);
	return ok && m->heap_inuse == 0 && m->heap_alloc == 0;
}
