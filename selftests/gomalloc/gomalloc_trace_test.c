// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc_trace_test - the trace events gomalloc:alloc and gomalloc:free.
 *
 * In a trace instance of its own (/sys/kernel/tracing/instances/), with
 * the two events enabled, the test driver allocates objects of known sizes
 * (tiny, small, the largest small, large, the largest) in process, softirq
 * and hardirq context, from the default heap and from a heap without the
 * tiny allocator, then frees them. Every object must show up in the trace
 * exactly once as an alloc line with its address (the driver reports it
 * hashed, as the trace prints it), bytes_req = its size, bytes_alloc = its
 * usable size (gom_ksize(); the size itself for a tiny sub-object), a
 * call site in the driver, a span class of the right kind and kmem:kmalloc's
 * field layout, and exactly once as a free line with the same address,
 * after its alloc line.
 */
#include <sys/types.h>

#include "gomalloc_lib.h"

#define TRACING		"/sys/kernel/tracing"
#define INSTANCE	TRACING "/instances/gomalloc_trace_test"
#define MAX_OBJS	64
#define TINY_SPANCLASS	76
#define HEAP_NO_TINY	0x1U	/* GOM_HEAP_NO_TINY */

struct obj {
	u64 size;
	u32 id;
	bool tiny;		/* a tiny sub-object: bytes_alloc = size */
	struct gomd_obj_info info;
	int alloc_line;		/* line of its alloc event, -1 if none */
	int nr_alloc;		/* alloc lines with its address */
	int nr_free;		/* free lines with its address after alloc */
	bool alloc_ok;
};

static struct obj objs[MAX_OBJS];
static int nobjs;

static const u64 sizes[] = {
	1, 3, 8, 13,				/* tiny */
	16, 24, 100, 1000, 1024, 4000, 32768,	/* small */
	32769, 40000, 1 << 20, GOM_MAX_ALLOC,	/* large */
};

#define NSIZES ARRAY_SIZE(sizes)

static int instance_write(const char *file, const char *s)
{
	char path[256];

	snprintf(path, sizeof(path), INSTANCE "/%s", file);
	return gom_write_file(path, s);
}

/*
 * ALLOC one batch of every size (but the largest in softirq and hardirq
 * context: 4 MiB with GFP_ATOMIC may fail), record the objects
 */
static void alloc_batch(int fd, u32 heap, bool tiny_heap, u32 ctx)
{
	unsigned int i, n = ctx == GOMD_CTX_PROCESS ? NSIZES : NSIZES - 1;
	u32 ids[NSIZES];
	struct gomd_batch b;
	int ret;

	ret = gom_drv_alloc(fd, &b, heap, GOMD_CPU_ANY, ctx, 0, sizes, ids, n);
	if (ret || b.done != n)
		ksft_exit_fail_msg("ALLOC (heap %u ctx %u): %s, %u of %u\n",
				   heap, ctx, strerror(-ret), b.done, n);
	for (i = 0; i < n && nobjs < MAX_OBJS; i++) {
		struct obj *o = &objs[nobjs++];

		o->size = sizes[i];
		o->id = ids[i];
		o->tiny = tiny_heap && sizes[i] < 16;
		o->alloc_line = -1;
		o->info.id = ids[i];
		if (ioctl(fd, GOMD_IOC_OBJ_INFO, &o->info))
			ksft_exit_fail_msg("GOMD_IOC_OBJ_INFO %u: %s\n", ids[i],
					   strerror(errno));
	}
}

/* the value after "@key=" in @line, as text up to the next blank */
static bool field(const char *line, const char *key, char *out, size_t len)
{
	const char *p = strstr(line, key);
	size_t n;

	if (!p)
		return false;
	p += strlen(key);
	n = strcspn(p, "\n ");
	if (n >= len)
		return false;
	memcpy(out, p, n);
	out[n] = 0;
	return true;
}

/* kmem:kmalloc's fields, in kmalloc's order, then gomalloc's sizeclass */
static bool kmalloc_layout(const char *ev)
{
	static const char *const keys[] = {
		"call_site=", " ptr=", " bytes_req=", " bytes_alloc=",
		" gfp_flags=", " node=", " accounted=", " sizeclass=",
	};
	const char *p = ev;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		p = strstr(p, keys[i]);
		if (!p)
			return false;
	}
	return true;
}

static void check_alloc(int lineno, const char *ev)
{
	char ptr[64], req[32], got[32], site[128], spc[16];
	unsigned long long sc;
	int i;

	if (!field(ev, "ptr=", ptr, sizeof(ptr)) ||
	    !field(ev, "bytes_req=", req, sizeof(req)) ||
	    !field(ev, "bytes_alloc=", got, sizeof(got)) ||
	    !field(ev, "sizeclass=", spc, sizeof(spc)))
		return;
	for (i = 0; i < nobjs; i++) {
		struct obj *o = &objs[i];
		u64 want = o->tiny ? o->size : o->info.ksize;

		if (strcmp(ptr, o->info.ptr))
			continue;
		o->nr_alloc++;
		o->alloc_line = lineno;
		sc = strtoull(spc, NULL, 10);
		o->alloc_ok = strtoull(req, NULL, 10) == o->size &&
			      strtoull(got, NULL, 10) == want &&
			      field(ev, "call_site=", site, sizeof(site)) &&
			      strstr(ev, "[gomalloc_drv]") &&
			      kmalloc_layout(ev) &&
			      (o->tiny ? sc == TINY_SPANCLASS :
			       o->size > GOM_SMALL_MAX ? sc == 0 :
			       sc > 0 && sc < TINY_SPANCLASS);
		if (!o->alloc_ok)
			gom_info("id %u size %llu ksize %llu: %s", o->id,
				 (unsigned long long)o->size,
				 (unsigned long long)o->info.ksize, ev);
	}
}

static void check_free(int lineno, const char *ev)
{
	char ptr[64];
	int i;

	if (!field(ev, "ptr=", ptr, sizeof(ptr)))
		return;
	for (i = 0; i < nobjs; i++)
		if (!strcmp(ptr, objs[i].info.ptr) && objs[i].alloc_line >= 0 &&
		    lineno > objs[i].alloc_line)
			objs[i].nr_free++;
}

static int read_trace(void)
{
	char line[1024];
	int lineno = 0, events = 0;
	const char *ev;
	FILE *f;

	f = fopen(INSTANCE "/trace", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#')
			continue;
		ev = strstr(line, ": alloc: ");
		if (ev) {
			events++;
			check_alloc(lineno, ev + 9);
			continue;
		}
		ev = strstr(line, ": free: ");
		if (ev) {
			events++;
			check_free(lineno, ev + 8);
		}
	}
	fclose(f);
	return events;
}

int main(void)
{
	int fd, i, events, allocs_ok = 0, frees_ok = 0;
	u32 ids[MAX_OBJS], heap = 0;
	unsigned long long done = 0, unknown = 0, damaged = 0;
	struct gomd_batch b;

	ksft_print_header();
	fd = gom_drv_open_or_skip();
	if (!gom_exists(TRACING "/events/gomalloc/alloc"))
		ksft_exit_skip("no %s/events/gomalloc/alloc (tracefs, CONFIG_EVENT_TRACING)\n",
			       TRACING);
	ksft_set_plan(4);

	rmdir(INSTANCE);
	if (mkdir(INSTANCE, 0755))
		ksft_exit_fail_msg("mkdir %s: %s\n", INSTANCE, strerror(errno));
	if (instance_write("options/hash-ptr", "1") ||
	    instance_write("events/gomalloc/alloc/enable", "1") ||
	    instance_write("events/gomalloc/free/enable", "1") ||
	    instance_write("tracing_on", "1"))
		ksft_exit_fail_msg("cannot set the trace instance up\n");

	if (gom_drv_heap_create(fd, "trace_test", HEAP_NO_TINY, &heap))
		ksft_exit_fail_msg("heap create failed\n");
	alloc_batch(fd, GOMD_HEAP_DEFAULT, true, GOMD_CTX_PROCESS);
	alloc_batch(fd, GOMD_HEAP_DEFAULT, true, GOMD_CTX_HARDIRQ);
	alloc_batch(fd, GOMD_HEAP_DEFAULT, true, GOMD_CTX_SOFTIRQ);
	alloc_batch(fd, heap, false, GOMD_CTX_PROCESS);
	for (i = 0; i < nobjs; i++)
		ids[i] = objs[i].id;
	if (gom_drv_free(fd, &b, GOMD_CPU_ANY, GOMD_CTX_HARDIRQ, ids,
			 NSIZES, false) || b.done != NSIZES ||
	    gom_drv_free_all(fd, ids + NSIZES, nobjs - NSIZES, false, &done,
			     &unknown, &damaged) ||
	    done != (unsigned long long)nobjs - NSIZES || unknown || damaged)
		ksft_exit_fail_msg("FREE failed\n");
	gom_drv_heap_destroy(fd, heap, NULL);
	instance_write("tracing_on", "0");

	ksft_test_result(!strchr(objs[0].info.ptr, '('),
			 "the driver reports addresses as %%p prints them (%s)\n",
			 objs[0].info.ptr);
	events = read_trace();
	for (i = 0; i < nobjs; i++) {
		allocs_ok += objs[i].nr_alloc == 1 && objs[i].alloc_ok;
		frees_ok += objs[i].nr_alloc == 1 && objs[i].nr_free == 1;
		if (objs[i].nr_alloc != 1 || objs[i].nr_free != 1)
			gom_info("id %u size %llu ptr %s: %d alloc, %d free lines\n",
				 objs[i].id, (unsigned long long)objs[i].size,
				 objs[i].info.ptr, objs[i].nr_alloc,
				 objs[i].nr_free);
	}
	ksft_test_result(events >= 2 * nobjs,
			 "the trace holds %d gomalloc events for %d objects\n",
			 events, nobjs);
	ksft_test_result(allocs_ok == nobjs,
			 "%d of %d allocations traced once with their ptr, bytes_req, bytes_alloc, call site and span class\n",
			 allocs_ok, nobjs);
	ksft_test_result(frees_ok == nobjs,
			 "%d of %d frees traced once with the ptr of their allocation, after it\n",
			 frees_ok, nobjs);
	gom_figure("trace_events_matched", allocs_ok + frees_ok);

	instance_write("events/gomalloc/enable", "0");
	if (rmdir(INSTANCE))
		gom_info("rmdir %s: %s\n", INSTANCE, strerror(errno));
	close(fd);
	ksft_finished();
}
