// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc_badinput_test - every bad-input case of issue 4, performed inside
 * the kernel by the test driver (GOMD_IOC_BAD): frees of NULL, of a stack
 * buffer, a kmalloc'd object, a vmalloc'd area, pages from alloc_pages,
 * random kernel addresses, interior pointers (small, large, tiny), double
 * frees (small, large, tiny), a free after the object's heap was destroyed,
 * gom_realloc() of bad pointers, sizes 0, SIZE_MAX and just above the
 * maximum, GFP_KERNEL with preemption off.
 *
 * Each case is detected when: the debugfs `errors` file counts exactly its
 * bad calls under its kind and nothing under any other; gomalloc logged a
 * line naming the kind and the caller (a function of gomalloc_drv); the
 * memory involved kept its pattern (the foreign objects were then freed by
 * their owner); gomalloc answered as documented (NULL, GOM_ZERO_SIZE_PTR).
 * NULL and size 0 are legal: nothing may be counted. GFP_KERNEL from atomic
 * context gives the kernel's own might_sleep report, announced to the bench
 * with gomalloc-expect-report lines around it; skipped on kernels without
 * CONFIG_DEBUG_ATOMIC_SLEEP (distribution kernels), which cannot report it.
 */
#include "gomalloc_lib.h"

#define KIND_NONE NULL

static const char *const kinds[] = {
	"not_ours", "interior", "double_free", "heap_destroyed", "too_large",
};

#define NKINDS ARRAY_SIZE(kinds)

struct bad_case {
	unsigned int kind;
	const char *name;
	const char *err;	/* the errors line it must count */
	const char *alt;	/* also accepted (see below) */
};

/*
 * A large object's pages go back to the mheap on its first free and its
 * span leaves the lookup index, so its second free may find no span at
 * all: not_ours is then the right answer too.
 */
static const struct bad_case cases[] = {
	{ GOMD_BAD_FREE_NULL, "free of NULL is a no-op", KIND_NONE, NULL },
	{ GOMD_BAD_FREE_STACK, "free of a stack address", "not_ours", NULL },
	{ GOMD_BAD_FREE_KMALLOC, "free of a kmalloc'd object", "not_ours", NULL },
	{ GOMD_BAD_FREE_VMALLOC, "free of vmalloc'd addresses", "not_ours", NULL },
	{ GOMD_BAD_FREE_PAGE, "free of pages from alloc_pages", "not_ours", NULL },
	{ GOMD_BAD_FREE_RANDOM, "free of random kernel addresses", "not_ours", NULL },
	{ GOMD_BAD_FREE_INTERIOR, "free of interior pointers (small object)", "interior", NULL },
	{ GOMD_BAD_FREE_INTERIOR_LARGE, "free of interior pointers (large)", "interior", NULL },
	{ GOMD_BAD_FREE_INTERIOR_TINY, "free of an interior pointer (tiny)", "interior", NULL },
	{ GOMD_BAD_DOUBLE_FREE, "double free (small object)", "double_free", NULL },
	{ GOMD_BAD_DOUBLE_FREE_LARGE, "double free (large object)", "double_free", "not_ours" },
	{ GOMD_BAD_DOUBLE_FREE_TINY, "double free (tiny object)", "double_free", NULL },
	{ GOMD_BAD_FREE_DESTROYED, "free after the heap was destroyed", "heap_destroyed", NULL },
	{ GOMD_BAD_REALLOC_FOREIGN, "realloc of a kmalloc'd object", "not_ours", NULL },
	{ GOMD_BAD_REALLOC_INTERIOR, "realloc of an interior pointer", "interior", NULL },
	{ GOMD_BAD_REALLOC_TOO_LARGE, "realloc to SIZE_MAX", "too_large", NULL },
	{ GOMD_BAD_SIZE_ZERO, "size 0 gives GOM_ZERO_SIZE_PTR", KIND_NONE, NULL },
	{ GOMD_BAD_SIZE_MAX, "size SIZE_MAX", "too_large", NULL },
	{ GOMD_BAD_SIZE_ABOVE_MAX, "size GOM_MAX_ALLOC_SIZE + 1", "too_large", NULL },
	{ GOMD_BAD_GFP_KERNEL_ATOMIC, "GFP_KERNEL with preemption off", KIND_NONE, NULL },
};

#define NCASES ARRAY_SIZE(cases)

#define MIGHT_SLEEP "BUG: sleeping function called from invalid context"

static void read_errors(long long *v)
{
	unsigned int i;

	for (i = 0; i < NKINDS; i++)
		v[i] = gom_errors(kinds[i]);
}

/* printk's ratelimit: at most 10 lines per 5 s per call site */
static void ratelimit_pause(unsigned int *lines, unsigned int next)
{
	if (*lines + next <= 9)
		return;
	gom_msleep(5500);
	*lines = 0;
}

/* Run one case; returns its bad calls detected, adds to *tried. */
static unsigned int run_case(int fd, int kmsg, const struct bad_case *c,
			     unsigned long long *tried,
			     unsigned long long *damaged, unsigned int *lines)
{
	static const char *const report_needles[] = { MIGHT_SLEEP, NULL };
	const char *line_needles[5] = { "gomalloc: ", NULL, "caller",
					"[gomalloc_drv]", NULL };
	long long before[NKINDS], after[NKINDS];
	struct gomd_bad_req r = { .kind = c->kind };
	bool counted = true, logged = true, report = true;
	const char *hit = NULL;
	unsigned int i;
	int ret;

	ratelimit_pause(lines, 8);
	gom_kmsg_count(kmsg, NULL, false);	/* skip what came before */
	read_errors(before);
	if (c->kind == GOMD_BAD_GFP_KERNEL_ATOMIC)
		gom_kmsg_write("gomalloc-expect-report: begin " MIGHT_SLEEP " at \\S+:\\d+\n");
	ret = ioctl(fd, GOMD_IOC_BAD, &r) ? -errno : 0;
	if (c->kind == GOMD_BAD_GFP_KERNEL_ATOMIC)
		gom_kmsg_write("gomalloc-expect-report: end\n");
	read_errors(after);
	if (ret == -EOPNOTSUPP) {	/* the kernel cannot detect it */
		ksft_test_result_skip("%s: %s\n", c->name,
				      "this kernel has no CONFIG_DEBUG_ATOMIC_SLEEP");
		return 0;
	}
	if (ret) {
		ksft_test_result_fail("%s: driver: %s\n", c->name, strerror(-ret));
		return 0;
	}
	*tried += r.calls;

	for (i = 0; i < NKINDS; i++) {
		long long d = after[i] - before[i];
		bool ours = c->err && (!strcmp(kinds[i], c->err) ||
				       (c->alt && !strcmp(kinds[i], c->alt)));

		if (d && ours && !hit && d == r.calls) {
			hit = kinds[i];
			continue;
		}
		if (d) {
			gom_info("%s: errors %s went up by %lld\n",
				 c->name, kinds[i], d);
			counted = false;
		}
	}
	if (c->err && !hit) {
		gom_info("%s: %u bad calls, not counted as %s\n",
			 c->name, r.calls, c->err);
		counted = false;
	}
	if (hit) {
		line_needles[1] = hit;
		*lines += r.calls;
		if (gom_kmsg_count(kmsg, line_needles, true) < 1) {
			gom_info("%s: no log line naming %s and its caller\n",
				 c->name, hit);
			logged = false;
		}
	} else if (c->kind == GOMD_BAD_GFP_KERNEL_ATOMIC) {
		report = gom_kmsg_count(kmsg, report_needles, true) >= 1;
		if (!report)
			gom_info("%s: no might_sleep report\n", c->name);
	}
	if (!r.intact) {
		gom_info("%s: memory was changed\n", c->name);
		(*damaged)++;
	}
	if (!r.answer_ok)
		gom_info("%s: gomalloc did not answer as documented\n",
			 c->name);
	ksft_test_result(counted && logged && report && r.intact && r.answer_ok,
			 "%s%s%s\n", c->name, hit ? ": counted as " : "",
			 hit ? hit : "");
	return counted && logged && report && r.answer_ok ? r.calls : 0;
}

int main(void)
{
	unsigned long long tried = 0, detected = 0, damaged = 0;
	struct gomd_bad_req bogus = { .kind = GOMD_BAD_NR };
	unsigned int i, lines = 0;
	int fd, kmsg;

	ksft_print_header();
	fd = gom_drv_open_or_skip();
	kmsg = gom_kmsg_open();
	if (kmsg < 0)
		ksft_exit_skip("/dev/kmsg: %s\n", strerror(errno));
	ksft_set_plan(NCASES + 2);
	for (i = 0; i < NCASES; i++)
		detected += run_case(fd, kmsg, &cases[i], &tried, &damaged,
				     &lines);

	ksft_test_result(ioctl(fd, GOMD_IOC_BAD, &bogus) && errno == EINVAL,
			 "the driver rejects an unknown bad-input kind (EINVAL)\n");
	/* still alive and well: a plain allocation after all that */
	{
		u64 size = 100;
		u32 id = 0;
		struct gomd_batch b;
		unsigned long long done = 0, unknown = 0, dmg = 0;

		ksft_test_result(!gom_drv_alloc(fd, &b, GOMD_HEAP_DEFAULT,
						GOMD_CPU_ANY, GOMD_CTX_PROCESS,
						0, &size, &id, 1) &&
				 b.done == 1 &&
				 !gom_drv_free_all(fd, &id, 1, false, &done,
						   &unknown, &dmg) &&
				 done == 1 && !dmg,
				 "gomalloc still allocates and frees\n");
	}
	gom_figure("bad_inputs_tried", tried);
	gom_figure("bad_inputs_detected", detected);
	gom_figure("objects_damaged", damaged);
	close(kmsg);
	close(fd);
	ksft_finished();
}
