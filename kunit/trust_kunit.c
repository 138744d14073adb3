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
 * Finding 1, default heaps, on one CPU: a write over a freed object's
 * marker let a second free of it through, so that its free cache held it
 * twice. The older copy went to mcentral in a flush, which freed the slot;
 * the younger one, its marker rewritten by the second push, was then
 * handed out while the span counted the slot free (and would hand it out
 * again). Now the flush wipes the marker as it frees the slot: the copy
 * left behind is reported where it is popped, and never handed out.
 */
static void gom_trust_test_flush_claims(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned int spc = gom_size_to_class(64), cap, half, i, n;
	void **objs, *x;

	cap = gom_fc_cap[spc];
	half = cap / 2;
	KUNIT_ASSERT_GE(test, cap, 4);
	objs = kunit_kcalloc(test, cap + 2, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	migrate_disable();
	KUNIT_ASSERT_EQ(test, this_cpu_ptr(heap->mcache)->cls[spc].nfree, 0);
	for (i = 0; i < cap + 2; i++) {
		objs[i] = gom_heap_alloc(heap, 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	x = objs[0];
	gom_free(x);				/* copy 1, bottom of the cache */
	for (i = 1; i <= half; i++)
		gom_free(objs[i]);
	*(unsigned long *)x = 0;		/* a write after free ... */
	gom_free(x);				/* ... lets copy 2 in */
	/* fill the cache; the next push flushes its bottom half: copy 1 */
	for (i = half + 1; i < cap; i++)
		gom_free(objs[i]);
	n = this_cpu_ptr(heap->mcache)->cls[spc].nfree;
	KUNIT_EXPECT_EQ(test, n, cap - half + 1);
	gom_trust_begin();
	for (i = 0; i < n; i++) {
		objs[i] = gom_heap_alloc(heap, 64, GFP_KERNEL);
		KUNIT_EXPECT_PTR_NE(test, objs[i], x);
	}
	gom_trust_end();
	migrate_enable();
	KUNIT_EXPECT_EQ(test, atomic_read(&gom_trust_errors), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&heap->errors[GOM_ERR_FREELIST]),
			1);
	for (i = 0; i < n; i++)
		if (objs[i] != x)
			gom_free(objs[i]);
	gom_free(objs[cap]);
	gom_free(objs[cap + 1]);
}

/*
 * Finding 2: a tiny free read span->tiny again after its lockless checks,
 * and gom_span_free() clears it: a stale tiny free racing with its span's
 * teardown dereferenced NULL. The interleaving is set up by hand here: the
 * span still looks live while its side array is gone. The free now works
 * on the one array it read (none: reported as a double free).
 */
static void gom_trust_test_tiny_teardown(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	struct gom_tiny_blocks *tbs;
	struct gom_span *span;
	void *t;

	t = gom_heap_alloc(heap, 4, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	rcu_read_lock();
	span = gom_spanof(t);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_NULL(test, span);
	KUNIT_ASSERT_EQ(test, span->spc, GOM_TINY_SPANCLASS);
	tbs = span->tiny;
	WRITE_ONCE(span->tiny, NULL);
	gom_trust_begin();
	gom_free(t);
	gom_trust_end();
	WRITE_ONCE(span->tiny, tbs);
	KUNIT_EXPECT_EQ(test, atomic_read(&gom_trust_errors), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&heap->errors[GOM_ERR_DOUBLE_FREE]),
			1);
	gom_free(t);
	KUNIT_EXPECT_EQ(test, atomic_read(&gom_trust_errors), 1);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
}

/*
 * Finding 5: gom_meta_gfp() stripped __GFP_NOFAIL from the span structs,
 * side arrays and lookup frames of a __GFP_NOFAIL request, which could
 * then fail. Finding 11: an arena larger than the request needs was tried
 * with GFP_ATOMIC's __GFP_HIGH, drawing on the reserves for an
 * optimisation (gom_arena_try_gfp(), new, holds what was inline).
 */
static void gom_trust_test_gfp(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, gom_meta_gfp(GFP_KERNEL | __GFP_NOFAIL) &
				__GFP_NOFAIL);
	KUNIT_EXPECT_TRUE(test, gom_meta_gfp(GFP_KERNEL) & __GFP_NOWARN);
	KUNIT_EXPECT_FALSE(test, gom_meta_gfp(GFP_KERNEL | __GFP_ZERO) &
				 __GFP_ZERO);
	KUNIT_EXPECT_FALSE(test, gom_arena_try_gfp(GFP_ATOMIC) & __GFP_HIGH);
	KUNIT_EXPECT_FALSE(test, gom_arena_try_gfp(GFP_KERNEL | __GFP_MEMALLOC) &
				 __GFP_MEMALLOC);
	KUNIT_EXPECT_FALSE(test, gom_arena_try_gfp(GFP_KERNEL | __GFP_NOFAIL) &
				 __GFP_NOFAIL);
	KUNIT_EXPECT_TRUE(test, gom_arena_try_gfp(GFP_KERNEL) & __GFP_NORETRY);
}

/*
 * Finding 8: a free racing gom_heap_destroy() could re-list a span that
 * the teardown walked without its lock. Destroy now marks the heap dying
 * and waits for a grace period before it takes anything apart; a free
 * that sees the mark is reported as heap_destroyed and ignored. The mark
 * is set by hand here (destroy's first step), the object freed for real
 * once it is cleared.
 */
static void gom_trust_test_free_while_dying(struct kunit *test)
{
	long late = gom_kunit_errors(GOM_ERR_HEAP_DESTROYED);
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	void *small, *tiny, *large;

	small = gom_heap_alloc(heap, 64, GFP_KERNEL);
	tiny = gom_heap_alloc(heap, 4, GFP_KERNEL);
	large = gom_heap_alloc(heap, 100000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, small);
	KUNIT_ASSERT_NOT_NULL(test, tiny);
	KUNIT_ASSERT_NOT_NULL(test, large);
	WRITE_ONCE(heap->dying, true);
	gom_trust_begin();
	gom_free(small);
	gom_free(tiny);
	gom_free(large);
	gom_trust_end();
	WRITE_ONCE(heap->dying, false);
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_HEAP_DESTROYED) - late, 3);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 3);
	gom_free(small);
	gom_free(tiny);
	gom_free(large);
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

static void gom_trust_racing_double_free(struct kunit *test,
					 unsigned int flags)
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
	r->heap = gom_kunit_heap(test, flags);
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

static void gom_trust_test_debug_racing_double_free(struct kunit *test)
{
	gom_trust_racing_double_free(test, GOM_HEAP_DEBUG);
}

/*
 * Finding 11: on a default heap the two racing frees both passed and both
 * called kmemleak_free(), which reported the second ("Freeing unknown
 * object"). Where kmemleak is built in, a default heap's free claims the
 * object with one cmpxchg of its marker (gom_free_claim()): exact, as a
 * debug heap's.
 */
static void gom_trust_test_kmemleak_racing_double_free(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_DEBUG_KMEMLEAK))
		kunit_skip(test, "needs CONFIG_DEBUG_KMEMLEAK");
	gom_trust_racing_double_free(test, 0);
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
	KUNIT_CASE(gom_trust_test_flush_claims),
	KUNIT_CASE(gom_trust_test_tiny_teardown),
	KUNIT_CASE(gom_trust_test_gfp),
	KUNIT_CASE(gom_trust_test_free_while_dying),
	KUNIT_CASE_SLOW(gom_trust_test_debug_racing_double_free),
	KUNIT_CASE_SLOW(gom_trust_test_kmemleak_racing_double_free),
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
