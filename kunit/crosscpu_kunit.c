// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for frees on another CPU than the allocation: kthreads bound
 * to two CPUs, objects handed from one to the other, while the allocating
 * CPU still holds their spans in its mcache.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>

#include "gom_kunit.h"

#define GOM_XN	3000

struct gom_xcpu {
	struct gom_heap *heap;
	void *objs[GOM_XN];
	size_t sizes[GOM_XN];
	unsigned int bad;
	unsigned int failed;
	unsigned long seed;
};

static size_t gom_xsize(unsigned long *seed)
{
	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	switch ((*seed >> 33) % 8) {
	case 0:
		return 1 + (*seed >> 40) % 15;		/* tiny */
	case 1:
		return 33000 + (*seed >> 40) % 70000;	/* large */
	default:
		return 16 + (*seed >> 40) % 3000;	/* small */
	}
}

static void gom_xfill(void *p, size_t size, unsigned int i)
{
	memset(p, (u8)i, size);
}

static int gom_xalloc_fn(void *data)
{
	struct gom_xcpu *x = data;
	unsigned int i;

	for (i = 0; i < GOM_XN; i++) {
		x->sizes[i] = gom_xsize(&x->seed);
		x->objs[i] = gom_heap_alloc(x->heap, x->sizes[i], GFP_KERNEL);
		if (!x->objs[i]) {
			x->failed++;
			continue;
		}
		gom_xfill(x->objs[i], x->sizes[i], i);
	}
	return 0;
}

static int gom_xfree_fn(void *data)
{
	struct gom_xcpu *x = data;
	unsigned int i;

	for (i = 0; i < GOM_XN; i++) {
		if (!x->objs[i])
			continue;
		if (memchr_inv(x->objs[i], (u8)i, x->sizes[i]))
			x->bad++;
		gom_free(x->objs[i]);
		x->objs[i] = NULL;
	}
	return 0;
}

struct gom_job {
	int (*fn)(void *data);
	void *data;
	struct completion done;
};

static int gom_job_fn(void *arg)
{
	struct gom_job *job = arg;

	job->fn(job->data);
	complete(&job->done);
	return 0;
}

/* Run @fn on @cpu in a bound kthread and wait for it. */
static void gom_run_on(struct kunit *test, int (*fn)(void *), void *data,
		       int cpu)
{
	struct gom_job job = { .fn = fn, .data = data };
	struct task_struct *t;

	init_completion(&job.done);
	t = kthread_create(gom_job_fn, &job, "gom_kunit/%d", cpu);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, cpu);
	wake_up_process(t);
	wait_for_completion(&job.done);
}

static int gom_two_cpus(struct kunit *test, int *b)
{
	int a = cpumask_first(cpu_online_mask);

	*b = cpumask_next(a, cpu_online_mask);
	if (*b >= nr_cpu_ids)
		kunit_skip(test, "needs two online CPUs");
	return a;
}

/* Allocate on CPU a, free on CPU b, then both mcaches give everything back. */
static void gom_crosscpu_test_free_elsewhere(struct kunit *test)
{
	struct gom_xcpu *x;
	int a, b;

	a = gom_two_cpus(test, &b);
	x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	x->heap = gom_kunit_heap(test, 0);
	x->seed = 1;
	gom_run_on(test, gom_xalloc_fn, x, a);
	KUNIT_EXPECT_EQ(test, x->failed, 0);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(x->heap).heap_objects, GOM_XN);
	gom_run_on(test, gom_xfree_fn, x, b);
	KUNIT_EXPECT_EQ(test, x->bad, 0);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(x->heap).heap_objects, 0);
	gom_kunit_quiesce(x->heap);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(x->heap).heap_inuse, 0);
}

/*
 * Remote frees while the allocating CPU keeps allocating from the same
 * spans: rounds of allocate on a, free on b, many times over, each round's
 * objects checked; nothing lost at the end.
 */
static void gom_crosscpu_test_rounds(struct kunit *test)
{
	struct gom_xcpu *x;
	unsigned int round;
	int a, b;

	a = gom_two_cpus(test, &b);
	x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	x->heap = gom_kunit_heap(test, 0);
	x->seed = 7;
	for (round = 0; round < 6; round++) {
		gom_run_on(test, gom_xalloc_fn, x, round & 1 ? b : a);
		gom_run_on(test, gom_xfree_fn, x, round & 1 ? a : b);
	}
	KUNIT_EXPECT_EQ(test, x->failed, 0);
	KUNIT_EXPECT_EQ(test, x->bad, 0);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(x->heap).heap_objects, 0);
	gom_kunit_quiesce(x->heap);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(x->heap).heap_inuse, 0);
}

static struct kunit_case gom_crosscpu_cases[] = {
	KUNIT_CASE(gom_crosscpu_test_free_elsewhere),
	KUNIT_CASE(gom_crosscpu_test_rounds),
	{}
};

static struct kunit_suite gom_crosscpu_suite = {
	.name = "gomalloc_crosscpu",
	.test_cases = gom_crosscpu_cases,
};

kunit_test_suite(gom_crosscpu_suite);

MODULE_DESCRIPTION("KUnit tests for gomalloc frees across CPUs");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOM_INTERNAL_NS);
