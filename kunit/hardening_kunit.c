// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for gomalloc's hardening: objects corrupted on purpose (write
 * after free, red zone overwrite, double free, free marker overwrite), the
 * validate walk, bogus tiny frees, and fault injection. Errors are counted
 * through the named resource "gomalloc_errors", as lib/slub_kunit.c counts
 * "slab_errors"; reports provoked on purpose are bracketed in the kernel log
 * for scripts/scan_reports.py.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/fault-inject.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/poison.h>
#include <linux/preempt.h>
#include <linux/sched.h>

#include "gom_kunit.h"

static struct kunit_resource gom_hard_resource;
static atomic_t gom_hard_errors;

/* Every report a case provokes: gomalloc's lines and validate's BUG lines. */
#define GOM_HARD_EXPECT	"gomalloc|BUG gomalloc-\\S+ \\(validate\\): "

static void gom_hard_begin(void)
{
	pr_info("gomalloc-expect-report: begin %s\n", GOM_HARD_EXPECT);
}

static void gom_hard_end(void)
{
	pr_info("gomalloc-expect-report: end\n");
}

static int gom_hard_errors_now(void)
{
	return atomic_read(&gom_hard_errors);
}

/*
 * Free @p and allocate @size again on one CPU, so that the allocation pops
 * @p from that CPU's free cache: GFP_ATOMIC with preemption off.
 */
static void *gom_hard_realloc_same_cpu(struct gom_heap *heap, void *p,
				       size_t size, void (*corrupt)(void *))
{
	void *q;

	preempt_disable();
	gom_free(p);
	corrupt(p);
	q = gom_heap_alloc(heap, size, GFP_ATOMIC);
	preempt_enable();
	return q;
}

static void gom_hard_flip_word(void *p)
{
	*(unsigned long *)p ^= 1;
}

static void gom_hard_write_50(void *p)
{
	((u8 *)p)[50] = 0x42;
}

/* A cached object whose free marker was overwritten is never handed out. */
static void gom_hard_test_freelist_marker(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	long before = gom_kunit_errors(GOM_ERR_FREELIST);
	void *p, *q;

	p = gom_heap_alloc(heap, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	gom_hard_begin();
	q = gom_hard_realloc_same_cpu(heap, p, 64, gom_hard_flip_word);
	gom_hard_end();
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, q, p);
	KUNIT_EXPECT_EQ(test, gom_hard_errors_now(), 1);
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_FREELIST), before + 1);
	gom_free(q);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
}

/*
 * A double free that a write after free hid from the marker check puts an
 * object in the free cache twice; the second pop finds the marker gone and
 * does not hand the object out twice.
 */
static void gom_hard_test_hidden_double_free(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	void *p, *a, *b;

	p = gom_heap_alloc(heap, 128, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	gom_hard_begin();
	preempt_disable();
	gom_free(p);
	*(unsigned long *)p = 0;	/* write after free: marker gone */
	gom_free(p);			/* not caught here */
	a = gom_heap_alloc(heap, 128, GFP_ATOMIC);
	b = gom_heap_alloc(heap, 128, GFP_ATOMIC);
	preempt_enable();
	gom_hard_end();
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_PTR_EQ(test, a, p);
	KUNIT_EXPECT_PTR_NE(test, b, p);
	KUNIT_EXPECT_EQ(test, gom_hard_errors_now(), 1);
	gom_free(a);
	gom_free(b);
}

/* Debug heap: a write after free is caught when the object is reused. */
static void gom_hard_test_write_after_free(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, GOM_HEAP_DEBUG);
	long before = gom_kunit_errors(GOM_ERR_POISON);
	u8 *p, *q;

	p = gom_heap_alloc(heap, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	gom_hard_begin();
	q = gom_hard_realloc_same_cpu(heap, p, 100, gom_hard_write_50);
	gom_hard_end();
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, q, p);
	KUNIT_EXPECT_EQ(test, gom_hard_errors_now(), 1);
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_POISON), before + 1);
	/* the new object is poisoned where the caller did not write */
	KUNIT_EXPECT_EQ(test, q[60], POISON_FREE);
	gom_free(q);
}

/* Debug heap: an overflow into the red zone is caught on free. */
static void gom_hard_test_redzone_on_free(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, GOM_HEAP_DEBUG);
	long before = gom_kunit_errors(GOM_ERR_REDZONE);
	u8 *p;

	p = gom_heap_alloc(heap, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, p[100], SLUB_RED_ACTIVE);
	p[100] = 0x12;		/* one byte past the request */
	gom_hard_begin();
	gom_free(p);
	gom_hard_end();
	KUNIT_EXPECT_EQ(test, gom_hard_errors_now(), 1);
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_REDZONE), before + 1);
	/* repaired on free: the walk finds nothing more */
	KUNIT_EXPECT_EQ(test, gom_heap_validate(heap, NULL), 0);
	KUNIT_EXPECT_EQ(test, gom_hard_errors_now(), 1);
}

/* Debug heap: a double free is reported at once and changes nothing. */
static void gom_hard_test_double_free(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, GOM_HEAP_DEBUG);
	long before = gom_kunit_errors(GOM_ERR_DOUBLE_FREE);
	void *p;

	p = gom_heap_alloc(heap, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	gom_free(p);
	gom_hard_begin();
	gom_free(p);
	gom_hard_end();
	KUNIT_EXPECT_EQ(test, gom_hard_errors_now(), 1);
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_DOUBLE_FREE), before + 1);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
	KUNIT_EXPECT_EQ(test, gom_heap_validate(heap, NULL), 0);
}

/* Debug heap: validate finds a red zone tail overwritten in a live object. */
static void gom_hard_test_validate_redzone(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, GOM_HEAP_DEBUG);
	unsigned int size = gom_class_to_size[gom_size_to_class(100 + GOM_REDZONE)];
	u8 *p;

	p = gom_heap_alloc(heap, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, gom_heap_validate(heap, NULL), 0);
	p[size - 2] = 0x55;
	gom_hard_begin();
	KUNIT_EXPECT_EQ(test, gom_heap_validate(heap, NULL), 1);
	gom_hard_end();
	KUNIT_EXPECT_EQ(test, gom_hard_errors_now(), 1);
	p[size - 2] = SLUB_RED_ACTIVE;
	gom_free(p);
	KUNIT_EXPECT_EQ(test, gom_hard_errors_now(), 1);
}

/* Debug heap: validate finds poison and marker damage in free objects. */
static void gom_hard_test_validate_free(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, GOM_HEAP_DEBUG);
	unsigned long marker;
	u8 *p, *q;

	p = gom_heap_alloc(heap, 200, GFP_KERNEL);
	q = gom_heap_alloc(heap, 200, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	gom_free(p);
	gom_free(q);
	KUNIT_EXPECT_EQ(test, gom_heap_validate(heap, NULL), 0);
	p[20] = 0x33;
	marker = *(unsigned long *)q;
	*(unsigned long *)q = 0;
	gom_hard_begin();
	KUNIT_EXPECT_EQ(test, gom_heap_validate(heap, NULL), 2);
	gom_hard_end();
	KUNIT_EXPECT_EQ(test, gom_hard_errors_now(), 2);
	/* undo, so that reuse of the slots reports nothing more */
	p[20] = POISON_FREE;
	*(unsigned long *)q = marker;
	KUNIT_EXPECT_EQ(test, gom_heap_validate(heap, NULL), 0);
}

/*
 * Debug heap, no corruption: every size used to its requested end, ksize()
 * and in-place realloc moving the red zone, bulk: nothing is reported.
 */
static void gom_hard_test_debug_clean(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, GOM_HEAP_DEBUG);
	void *bulk[16];
	size_t size, ks;
	u8 *p, *q;

	for (size = 1; size <= GOM_MAX_SMALL_SIZE + 64; size += size / 4 + 1) {
		p = gom_heap_alloc(heap, size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		memset(p, 0x5a, size);
		gom_free(p);
	}
	p = gom_heap_alloc(heap, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	ks = gom_ksize(p);
	KUNIT_EXPECT_GE(test, ks, 100);
	memset(p, 1, ks);		/* ksize hands all of it out */
	q = gom_realloc(p, 10, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_EQ(test, p[10], SLUB_RED_ACTIVE);
	q = gom_realloc(p, ks, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	memset(p, 2, ks);
	gom_free(p);
	KUNIT_ASSERT_EQ(test, gom_heap_alloc_bulk(heap, 24, GFP_KERNEL,
						  ARRAY_SIZE(bulk), bulk),
			ARRAY_SIZE(bulk));
	gom_free_bulk(ARRAY_SIZE(bulk), bulk);
	KUNIT_EXPECT_EQ(test, gom_heap_validate(heap, NULL), 0);
	KUNIT_EXPECT_EQ(test, gom_hard_errors_now(), 0);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
}

#define GOM_HARD_RING	64
#define GOM_HARD_WORKERS	4

/**
 * struct gom_hard_churn - one kthread allocating and freeing on one CPU
 * @heap: the heap
 * @task: the kthread
 * @seed: its random sizes
 * @ops: allocations done
 * @bad: objects whose contents changed under their owner
 * @ring: objects held
 * @sizes: their sizes
 */
struct gom_hard_churn {
	struct gom_heap *heap;
	struct task_struct *task;
	unsigned long seed;
	unsigned long ops;
	unsigned int bad;
	u8 *ring[GOM_HARD_RING];
	size_t sizes[GOM_HARD_RING];
};

static size_t gom_hard_size(unsigned long *seed)
{
	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	if ((*seed >> 33) % 16 == 0)
		return 33000 + (*seed >> 40) % 40000;
	return 1 + (*seed >> 40) % 3000;
}

/* Free slot @i (checking its pattern) and put a new object there. */
static void gom_hard_churn_slot(struct gom_hard_churn *w, unsigned int i)
{
	if (w->ring[i] && memchr_inv(w->ring[i], (u8)i, w->sizes[i]))
		w->bad++;
	gom_free(w->ring[i]);
	w->sizes[i] = gom_hard_size(&w->seed);
	w->ring[i] = gom_heap_alloc(w->heap, w->sizes[i], GFP_KERNEL);
	if (w->ring[i])
		memset(w->ring[i], (u8)i, w->sizes[i]);
	w->ops++;
}

static int gom_hard_churn_fn(void *data)
{
	struct gom_hard_churn *w = data;
	unsigned int i = 0;

	while (!kthread_should_stop()) {
		gom_hard_churn_slot(w, i);
		i = (i + 1) % GOM_HARD_RING;
		cond_resched();
	}
	for (i = 0; i < GOM_HARD_RING; i++)
		gom_free(w->ring[i]);
	return 0;
}

static long gom_hard_heap_errors(struct gom_heap *heap)
{
	long n = 0;
	int i;

	for (i = 0; i < GOM_ERR_NR; i++)
		n += atomic_long_read(&heap->errors[i]);
	return n;
}

/*
 * Debug heap under allocations and frees on every CPU: validate walks it
 * again and again and must report nothing (its checks race with neither).
 */
static void gom_hard_test_validate_busy(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, GOM_HEAP_DEBUG);
	struct gom_hard_churn *w;
	unsigned int i, n = 0;
	unsigned long ops = 0;
	int cpu;

	w = kunit_kcalloc(test, GOM_HARD_WORKERS, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	for_each_online_cpu(cpu) {
		if (n == GOM_HARD_WORKERS)
			break;
		w[n].heap = heap;
		w[n].seed = cpu + 1;
		w[n].task = kthread_create(gom_hard_churn_fn, &w[n],
					   "gom_churn/%d", cpu);
		if (IS_ERR(w[n].task))
			break;	/* no assert: the others must be stopped */
		kthread_bind(w[n].task, cpu);
		wake_up_process(w[n].task);
		n++;
	}
	KUNIT_EXPECT_GT(test, n, 0);
	for (i = 0; n && i < 20; i++) {
		KUNIT_EXPECT_EQ(test, gom_heap_validate(heap, NULL), 0);
		msleep(20);
	}
	for (i = 0; i < n; i++) {
		kthread_stop(w[i].task);
		KUNIT_EXPECT_EQ(test, w[i].bad, 0);
		ops += w[i].ops;
	}
	kunit_info(test, "%u CPUs, %lu allocations, 20 walks\n", n, ops);
	KUNIT_EXPECT_EQ(test, gom_heap_validate(heap, NULL), 0);
	KUNIT_EXPECT_EQ(test, gom_hard_heap_errors(heap), 0);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
}

/* A free of a tiny start the owner has not handed out yet is refused. */
static void gom_hard_test_tiny_bogus_free(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	u8 *a, *b, *c;

	preempt_disable();
	a = gom_heap_alloc(heap, 4, GFP_ATOMIC);
	gom_hard_begin();
	if (a)
		gom_free(a + 8);	/* inside the current block, not out */
	gom_hard_end();
	b = gom_heap_alloc(heap, 4, GFP_ATOMIC);
	c = gom_heap_alloc(heap, 4, GFP_ATOMIC);
	preempt_enable();
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_PTR_EQ(test, c, a + 8);
	KUNIT_EXPECT_EQ(test, gom_hard_errors_now(), 1);
	gom_free(c);		/* the real one: no error */
	gom_free(b);
	gom_free(a);
	KUNIT_EXPECT_EQ(test, gom_hard_errors_now(), 1);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
}

/* Nothing is left behind by an allocation that failed. */
static void gom_hard_expect_clean(struct kunit *test, struct gom_heap *heap)
{
	struct gom_memstats ms = gom_kunit_stats(heap);
	struct gom_mheap_info info;

	gom_mheap_info(heap, &info);
	KUNIT_EXPECT_EQ(test, ms.heap_objects, 0);
	KUNIT_EXPECT_EQ(test, ms.mallocs, ms.frees);
	KUNIT_EXPECT_EQ(test, ms.heap_inuse, 0);
	KUNIT_EXPECT_EQ(test, info.nr_spans, 0);
	KUNIT_EXPECT_EQ(test, ms.heap_inuse + ms.heap_idle, ms.heap_sys);
}

static const size_t gom_hard_sizes[] = { 4, 64, 5000, 40000, 3 << 20 };

/* Probability 100: every size fails, cleanly; then everything works. */
static void gom_hard_test_fault_all(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	struct fault_attr *attr = gom_fail_attr_get();
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned long verbose = attr->verbose;
	unsigned int i, nulls = 0, n = ARRAY_SIZE(gom_hard_sizes);
	void *p;

	attr->verbose = 0;
	attr->interval = 1;
	atomic_set(&attr->times, 1000);
	attr->probability = 100;
	for (i = 0; i < n; i++) {
		p = gom_heap_alloc(heap, gom_hard_sizes[i], GFP_KERNEL);
		nulls += !p;
		p = gom_heap_alloc(heap, gom_hard_sizes[i], GFP_ATOMIC);
		nulls += !p;
	}
	attr->probability = 0;
	attr->verbose = verbose;
	KUNIT_EXPECT_EQ(test, nulls, 2 * n);
	KUNIT_EXPECT_GE(test, 1000 - atomic_read(&attr->times), 2 * n);
	atomic_set(&attr->times, 1);
	gom_hard_expect_clean(test, heap);

	for (i = 0; i < n; i++) {
		p = gom_heap_alloc(heap, gom_hard_sizes[i], GFP_KERNEL);
		KUNIT_EXPECT_NOT_NULL(test, p);
		gom_free(p);
	}
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
#else
	kunit_skip(test, "no CONFIG_FAULT_INJECTION");
#endif
}

/*
 * Fail the nth injection point on the path of one allocation into a fresh
 * heap, for every n the path has: each failure gives NULL and leaves the
 * heap clean (a fallback, such as a smaller arena, may absorb one).
 * Returns the NULLs seen.
 */
static unsigned int gom_hard_fail_each(struct kunit *test, size_t size)
{
#ifdef CONFIG_FAULT_INJECTION
	unsigned int nth, left, nulls = 0;
	struct gom_heap *heap;
	void *p;

	for (nth = 1; nth < 32; nth++) {
		heap = gom_heap_create("kunit-fail", 0);
		KUNIT_ASSERT_NOT_NULL(test, heap);
		WRITE_ONCE(current->fail_nth, nth);
		p = gom_heap_alloc(heap, size, GFP_KERNEL);
		left = READ_ONCE(current->fail_nth);
		WRITE_ONCE(current->fail_nth, 0);
		if (!p) {
			nulls++;
			KUNIT_EXPECT_EQ(test, left, 0);
			gom_hard_expect_clean(test, heap);
		}
		gom_free(p);
		gom_heap_destroy(heap);
		if (p && left)
			break;	/* the path has fewer than nth points */
	}
	return nulls;
#else
	return 0;
#endif
}

static void gom_hard_test_fault_each(struct kunit *test)
{
	struct fault_attr *attr = gom_fail_attr_get();
	unsigned long verbose = attr->verbose;
	unsigned int i, nulls;

	if (!IS_ENABLED(CONFIG_FAULT_INJECTION))
		kunit_skip(test, "no CONFIG_FAULT_INJECTION");
	attr->verbose = 0;
	for (i = 0; i < ARRAY_SIZE(gom_hard_sizes); i++) {
		nulls = gom_hard_fail_each(test, gom_hard_sizes[i]);
		KUNIT_EXPECT_GE_MSG(test, nulls, 1, "size %zu",
				    gom_hard_sizes[i]);
	}
	/* fail_nth failures count down the attribute's times: as loaded */
	attr->verbose = verbose;
	atomic_set(&attr->times, 1);
}

static int gom_hard_init(struct kunit *test)
{
	atomic_set(&gom_hard_errors, 0);
	return kunit_add_named_resource(test, NULL, NULL, &gom_hard_resource,
					"gomalloc_errors", &gom_hard_errors);
}

static struct kunit_case gom_hard_cases[] = {
	KUNIT_CASE(gom_hard_test_freelist_marker),
	KUNIT_CASE(gom_hard_test_hidden_double_free),
	KUNIT_CASE(gom_hard_test_write_after_free),
	KUNIT_CASE(gom_hard_test_redzone_on_free),
	KUNIT_CASE(gom_hard_test_double_free),
	KUNIT_CASE(gom_hard_test_validate_redzone),
	KUNIT_CASE(gom_hard_test_validate_free),
	KUNIT_CASE(gom_hard_test_debug_clean),
	KUNIT_CASE(gom_hard_test_validate_busy),
	KUNIT_CASE(gom_hard_test_tiny_bogus_free),
	KUNIT_CASE(gom_hard_test_fault_all),
	KUNIT_CASE(gom_hard_test_fault_each),
	{}
};

static struct kunit_suite gom_hard_suite = {
	.name = "gomalloc_hardening",
	.init = gom_hard_init,
	.test_cases = gom_hard_cases,
};

kunit_test_suite(gom_hard_suite);

MODULE_DESCRIPTION("KUnit tests for gomalloc's hardening and debug mode");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOM_INTERNAL_NS);
