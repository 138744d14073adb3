// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for what a line-by-line review of gomalloc found (issue 11,
 * "trust under concurrency"): each case failed before its fix. Errors are
 * counted through the named resource "gomalloc_errors", as in
 * hardening_kunit.c; reports provoked on purpose are bracketed in the
 * kernel log for scripts/scan_reports.py.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>

#include "gom_kunit.h"

static struct kunit_resource gom_trust_resource;
static atomic_t gom_trust_errors;

#define GOM_TRUST_EXPECT	"gomalloc"

static void gom_trust_begin(void)
{
	pr_info("gomalloc-expect-report: begin %s\n", GOM_TRUST_EXPECT);
}

static void gom_trust_end(void)
{
	pr_info("gomalloc-expect-report: end\n");
}

/*
 * Finding 4: the per-CPU cache of freed large runs keeps at most
 * GOM_LARGE_CACHE_PAGES pages. Runs of 9, 9, 9 and then 64 pages reached
 * 82 (one eviction per put).
 */
static void gom_trust_test_large_cache_bound(struct kunit *test)
{
	static const unsigned int npages[] = { 9, 9, 9, 64 };
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	void *objs[ARRAY_SIZE(npages)];
	struct gom_mcache *c;
	unsigned int i;

	migrate_disable();
	c = this_cpu_ptr(heap->mcache);
	for (i = 0; i < ARRAY_SIZE(npages); i++) {
		objs[i] = gom_heap_alloc(heap, npages[i] * PAGE_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	for (i = 0; i < ARRAY_SIZE(npages); i++) {
		gom_free(objs[i]);
		KUNIT_EXPECT_LE(test, c->large_cache_pages, GOM_LARGE_CACHE_PAGES);
		KUNIT_EXPECT_LE(test, c->large_cache_nr, GOM_LARGE_CACHE_SPANS);
	}
	migrate_enable();
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
	gom_kunit_quiesce(heap);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_inuse, 0);
}

/*
 * Finding 6: a tiny block that comes back from the free cache still held
 * its free marker (heap key ^ swab64(address)) in bytes 0..7, handed out
 * with the block's first sub-object: a caller copying uninitialised bytes
 * out leaked the heap key. Bytes 1..7 are checked: byte 0 is the caller's
 * (and init_on_alloc may zero it).
 */
static void gom_trust_test_tiny_marker(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	void *a0, *a1, *b0, *b1, *p;
	unsigned long word, marker;

	migrate_disable();
	a0 = gom_heap_alloc(heap, 8, GFP_KERNEL);	/* block A, bytes 0..7 */
	a1 = gom_heap_alloc(heap, 8, GFP_KERNEL);	/* A full */
	b0 = gom_heap_alloc(heap, 8, GFP_KERNEL);	/* block B */
	b1 = gom_heap_alloc(heap, 8, GFP_KERNEL);	/* B full */
	KUNIT_ASSERT_NOT_NULL(test, a0);
	KUNIT_ASSERT_NOT_NULL(test, a1);
	KUNIT_ASSERT_NOT_NULL(test, b0);
	KUNIT_ASSERT_NOT_NULL(test, b1);
	KUNIT_ASSERT_PTR_EQ(test, a1, a0 + 8);
	KUNIT_ASSERT_PTR_EQ(test, b1, b0 + 8);
	/* A dies and goes to the tiny class's free cache with its marker */
	gom_free(a0);
	gom_free(a1);
	/* B is full: the next request takes A back (LIFO) */
	p = gom_heap_alloc(heap, 1, GFP_KERNEL);
	migrate_enable();
	KUNIT_ASSERT_PTR_EQ(test, p, a0);
	word = *(unsigned long *)a0;
	marker = gom_free_marker(heap, a0);
	KUNIT_EXPECT_NE_MSG(test, (word ^ marker) >> 8, 0UL,
			    "the heap key's marker was handed out");
	gom_free(p);
	gom_free(b0);
	gom_free(b1);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
}

/*
 * Finding 10: gom_realloc() with __GFP_ZERO on a debug heap left the red
 * zone's 0xcc bytes where zeros belong, in place and when moving (the copy
 * took the red zone along).
 */
static void gom_trust_test_debug_realloc_zero(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, GOM_HEAP_DEBUG);
	/* not gom_ksize(): it hands the whole slot to the caller */
	size_t ks = gom_class_to_size[gom_size_to_class(20 + GOM_REDZONE)] -
		    GOM_REDZONE;
	u8 *p, *q;

	KUNIT_ASSERT_GT(test, ks, 20);
	p = gom_heap_alloc(heap, 20, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0xaa, 20);
	/* in place: the bytes from 20 to the new size are zeros */
	q = gom_realloc(p, ks, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_NULL(test, memchr_inv(q, 0xaa, 20));
	KUNIT_EXPECT_NULL(test, memchr_inv(q + 20, 0, ks - 20));
	/* moved: only the caller's bytes are copied, the rest is zero */
	q = gom_realloc(p, 20, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, q, p);
	q = gom_realloc(p, 4 * ks, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, q, p);
	KUNIT_EXPECT_NULL(test, memchr_inv(q, 0xaa, 20));
	KUNIT_EXPECT_NULL(test, memchr_inv(q + 20, 0, 4 * ks - 20));
	gom_free(q);
	KUNIT_EXPECT_EQ(test, gom_heap_validate(heap, NULL), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&gom_trust_errors), 0);
}

/*
 * Finding 3: gom_ksize() checked no liveness: it gave a size for a freed
 * object and for a tiny interior pointer, and gom_realloc() of a freed tiny
 * object succeeded. Each is now a reported bad pointer: 0 or NULL.
 */
static void gom_trust_test_ksize_live(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	u8 *p, *t, *u;

	p = gom_heap_alloc(heap, 64, GFP_KERNEL);
	t = gom_heap_alloc(heap, 4, GFP_KERNEL);
	u = gom_heap_alloc(heap, 4, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, u);
	KUNIT_EXPECT_EQ(test, gom_ksize(p), 64);
	KUNIT_EXPECT_GE(test, gom_ksize(t), 4);
	gom_free(p);
	gom_free(t);
	gom_trust_begin();
	KUNIT_EXPECT_EQ(test, gom_ksize(p), 0);		/* freed small */
	KUNIT_EXPECT_EQ(test, gom_ksize(t), 0);		/* freed tiny */
	KUNIT_EXPECT_EQ(test, gom_ksize(u + 2), 0);	/* tiny interior */
	KUNIT_EXPECT_NULL(test, gom_realloc(t, 8, GFP_KERNEL));
	gom_trust_end();
	KUNIT_EXPECT_EQ(test, atomic_read(&gom_trust_errors), 4);
	gom_free(u);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
}

/*
 * Finding 1, debug heaps: two CPUs freeing the same object at once both
 * passed the lockless checks and both pushed it, so that each CPU handed
 * it out again. A debug heap claims each free with an atomic bit: one free
 * is accepted, the other reported, and the next objects are distinct.
 * (A second free that comes after the object was handed out again is a
 * valid free of its new life to any allocator that reuses memory at once:
 * the racers allocate only once both have freed.)
 */
#define GOM_TRUST_ROUNDS	200

struct gom_trust_race {
	struct gom_heap *heap;
	void *obj;
	atomic_t ready;
	atomic_t freed;
	atomic_t go;
	void *got[2];
	struct completion done[2];
	bool stop;
};

struct gom_trust_racer {
	struct gom_trust_race *r;
	int id;
};

/*
 * Two online CPUs, other than this one where the machine has three: the
 * racers spin, and the test's own thread must not wait behind them.
 */
static int gom_trust_two_cpus(int cpu[2])
{
	int c, n = 0, self = raw_smp_processor_id();

	for_each_online_cpu(c)
		if (n < 2 && (c != self || num_online_cpus() < 3))
			cpu[n++] = c;
	return n == 2 ? 0 : -ENODEV;
}

static int gom_trust_race_fn(void *data)
{
	struct gom_trust_racer *me = data;
	struct gom_trust_race *r = me->r;
	int round;

	for (round = 1; round <= GOM_TRUST_ROUNDS; round++) {
		/* round n starts when go reaches n */
		while (atomic_read_acquire(&r->go) < round && !READ_ONCE(r->stop))
			cond_resched();
		if (READ_ONCE(r->stop))
			break;
		atomic_inc(&r->ready);
		while (atomic_read(&r->ready) < 2 * round)
			cpu_relax();
		gom_free(r->obj);
		/*
		 * Both frees first: a free that came after the other CPU had
		 * the object back would be a valid free of its new life.
		 */
		atomic_inc(&r->freed);
		while (atomic_read(&r->freed) < 2 * round)
			cpu_relax();
		r->got[me->id] = gom_heap_alloc(r->heap, 64, GFP_ATOMIC);
		complete(&r->done[me->id]);
	}
	return 0;
}

static void gom_trust_test_debug_racing_double_free(struct kunit *test)
{
	long dfree = gom_kunit_errors(GOM_ERR_DOUBLE_FREE);
	struct gom_trust_racer racer[2];
	struct task_struct *task[2];
	struct gom_trust_race *r;
	unsigned int same = 0, i;
	int cpu[2], round;

	if (gom_trust_two_cpus(cpu))
		kunit_skip(test, "needs two online CPUs");
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->heap = gom_kunit_heap(test, GOM_HEAP_DEBUG);
	for (i = 0; i < 2; i++) {
		init_completion(&r->done[i]);
		racer[i].r = r;
		racer[i].id = i;
		task[i] = kthread_create(gom_trust_race_fn, &racer[i],
					 "gom_trust/%d", cpu[i]);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task[i]));
		kthread_bind(task[i], cpu[i]);
	}
	gom_trust_begin();
	wake_up_process(task[0]);
	wake_up_process(task[1]);
	for (round = 1; round <= GOM_TRUST_ROUNDS; round++) {
		r->obj = gom_heap_alloc(r->heap, 64, GFP_KERNEL);
		if (!r->obj)
			break;
		atomic_set_release(&r->go, round);
		wait_for_completion(&r->done[0]);
		wait_for_completion(&r->done[1]);
		same += r->got[0] && r->got[0] == r->got[1];
		gom_free(r->got[0]);
		if (r->got[1] != r->got[0])
			gom_free(r->got[1]);
	}
	WRITE_ONCE(r->stop, true);
	gom_trust_end();
	kthread_stop(task[0]);
	kthread_stop(task[1]);
	/* the racers are not the test's task: count in gom_errors */
	KUNIT_EXPECT_EQ(test, round, GOM_TRUST_ROUNDS + 1);
	KUNIT_EXPECT_EQ(test, same, 0);
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_DOUBLE_FREE) - dfree,
			GOM_TRUST_ROUNDS);
}

static int gom_trust_init(struct kunit *test)
{
	atomic_set(&gom_trust_errors, 0);
	return kunit_add_named_resource(test, NULL, NULL, &gom_trust_resource,
					"gomalloc_errors", &gom_trust_errors);
}

static struct kunit_case gom_trust_cases[] = {
	KUNIT_CASE(gom_trust_test_large_cache_bound),
	KUNIT_CASE(gom_trust_test_tiny_marker),
	KUNIT_CASE(gom_trust_test_debug_realloc_zero),
	KUNIT_CASE(gom_trust_test_ksize_live),
	KUNIT_CASE_SLOW(gom_trust_test_debug_racing_double_free),
	{}
};

static struct kunit_suite gom_trust_suite = {
	.name = "gomalloc_trust",
	.init = gom_trust_init,
	.test_cases = gom_trust_cases,
};

kunit_test_suite(gom_trust_suite);

MODULE_DESCRIPTION("KUnit tests for the review's findings (issue 11)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOM_INTERNAL_NS);
