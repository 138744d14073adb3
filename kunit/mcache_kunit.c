// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for gomalloc's per-CPU mcache: LIFO reuse, refills from
 * mcentral, flushes of a full free cache, draining, and the nested path:
 * hardirq and softirq contexts that arrive while a task owns the mcache.
 */
#include <kunit/test.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "gom_kunit.h"
#include "mcache_inline.h"

static struct gom_mcache_class *gom_cc(struct gom_heap *heap, int cpu,
				       unsigned int spc)
{
	return &per_cpu_ptr(heap->mcache, cpu)->cls[spc];
}

/* A freed object is the next one handed out on the same CPU. */
static void gom_mcache_test_lifo(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	void *p, *q, *r;

	migrate_disable();
	p = gom_heap_alloc(heap, 128, GFP_KERNEL);
	q = gom_heap_alloc(heap, 128, GFP_KERNEL);
	gom_free(p);
	gom_free(q);
	r = gom_heap_alloc(heap, 128, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, r, q);
	r = gom_heap_alloc(heap, 128, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, r, p);
	migrate_enable();
	gom_free(p);
	gom_free(q);
}

/* An exhausted current span is replaced by a refill from mcentral. */
static void gom_mcache_test_refill(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned int spc = gom_size_to_class(1024), i, per, n;
	unsigned long before;
	void **objs;
	int cpu;

	/* two spans filled, a third one started */
	per = gom_class_to_nobjs[spc];
	n = 2 * per + 1;
	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	migrate_disable();
	cpu = smp_processor_id();
	before = gom_cc(heap, cpu, spc)->refills;
	for (i = 0; i < n; i++) {
		objs[i] = gom_heap_alloc(heap, 1024, GFP_KERNEL);
		KUNIT_EXPECT_NOT_NULL(test, objs[i]);
	}
	KUNIT_EXPECT_EQ(test, gom_cc(heap, cpu, spc)->refills - before, 3);
	KUNIT_EXPECT_EQ(test, gom_cc(heap, cpu, spc)->mallocs, n);
	KUNIT_EXPECT_EQ(test, heap->central[spc].nr_full, 2);
	KUNIT_EXPECT_EQ(test, heap->central[spc].nr_cached, 1);
	migrate_enable();
	for (i = 0; i < n; i++)
		gom_free(objs[i]);
}

/* A full free cache sends its older half to mcentral; drain sends all. */
static void gom_mcache_test_flush_drain(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned int spc = gom_size_to_class(64), cap = gom_fc_cap[spc], i;
	struct gom_mcache_class *cc;
	void **objs;
	int cpu;

	objs = kunit_kcalloc(test, cap + 1, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	migrate_disable();
	cpu = smp_processor_id();
	cc = gom_cc(heap, cpu, spc);
	for (i = 0; i < cap + 1; i++)
		objs[i] = gom_heap_alloc(heap, 64, GFP_KERNEL);
	for (i = 0; i < cap; i++)
		gom_free(objs[i]);
	KUNIT_EXPECT_EQ(test, cc->nfree, cap);
	KUNIT_EXPECT_EQ(test, cc->flushes, 0);
	gom_free(objs[cap]);
	KUNIT_EXPECT_EQ(test, cc->nfree, cap - cap / 2 + 1);
	KUNIT_EXPECT_EQ(test, cc->flushes, 1);
	KUNIT_EXPECT_EQ(test, cc->frees, cap + 1);
	migrate_enable();

	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
	gom_mcache_drain_cpu(heap, cpu);
	KUNIT_EXPECT_EQ(test, cc->nfree, 0);
	KUNIT_EXPECT_NULL(test, cc->span);
	KUNIT_EXPECT_EQ(test, heap->central[spc].nr_cached, 0);
	gom_kunit_quiesce(heap);
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_inuse, 0);
}

/* === The nested path === */

#define GOM_NEST_PRE	4	/* 64 B objects the task allocated, freed nested */
#define GOM_NEST_BULK	8	/* 128 B objects, bulk allocated and freed nested */

static const size_t gom_nest_sizes[] = { 5, 64, 2048, 40000 };

/**
 * struct gom_nest - what the interrupting context did
 * @iw: hardirq trigger
 * @timer: softirq trigger
 * @heap: the heap whose mcache the task owns
 * @pre: objects the task allocated before, freed by the nested context
 * @kept: one object per size of gom_nest_sizes, left for the task
 * @bulk: the bulk objects
 * @nulls: allocations that gave NULL
 * @bulk_got: gom_heap_alloc_bulk()'s result
 * @cpu: where the nested context ran
 * @hardirq: it ran in hardirq context
 * @softirq: it ran in softirq context
 * @done: it is over
 */
struct gom_nest {
	struct irq_work iw;
	struct hrtimer timer;
	struct gom_heap *heap;
	void *pre[GOM_NEST_PRE];
	void *kept[ARRAY_SIZE(gom_nest_sizes)];
	void *bulk[GOM_NEST_BULK];
	int nulls;
	int bulk_got;
	int cpu;
	bool hardirq;
	bool softirq;
	bool done;
};

/* What a nested context does: allocate, write, free, bulk, in any context. */
static void gom_nest_work(struct gom_nest *n)
{
	unsigned int i;
	void *p;

	n->cpu = smp_processor_id();
	n->hardirq = in_hardirq();
	n->softirq = in_serving_softirq();
	for (i = 0; i < ARRAY_SIZE(gom_nest_sizes); i++) {
		/* one freed here, one kept for the task */
		p = gom_heap_alloc(n->heap, gom_nest_sizes[i], GFP_ATOMIC);
		n->kept[i] = gom_heap_alloc(n->heap, gom_nest_sizes[i],
					    GFP_ATOMIC);
		n->nulls += !p + !n->kept[i];
		if (p)
			memset(p, 0x5a, gom_nest_sizes[i]);
		if (n->kept[i])
			memset(n->kept[i], 0xa5, gom_nest_sizes[i]);
		gom_free(p);
	}
	for (i = 0; i < GOM_NEST_PRE; i++)
		gom_free(n->pre[i]);
	n->bulk_got = gom_heap_alloc_bulk(n->heap, 128, GFP_ATOMIC,
					  GOM_NEST_BULK, n->bulk);
	if (n->bulk_got == GOM_NEST_BULK)
		gom_free_bulk(GOM_NEST_BULK, n->bulk);
	/* the task reads the results after it sees done */
	smp_store_release(&n->done, true);
}

static void gom_nest_irq_work(struct irq_work *iw)
{
	gom_nest_work(container_of(iw, struct gom_nest, iw));
}

static enum hrtimer_restart gom_nest_timer(struct hrtimer *t)
{
	gom_nest_work(container_of(t, struct gom_nest, timer));
	return HRTIMER_NORESTART;
}

/* The nested counters of @cpu's mcache of @heap, summed. */
static void gom_nest_counts(struct gom_heap *heap, int cpu,
			    unsigned long *allocs, unsigned long *frees,
			    unsigned long *tiny)
{
	struct gom_mcache *c = per_cpu_ptr(heap->mcache, cpu);
	unsigned int spc;

	*allocs = 0;
	*frees = 0;
	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++) {
		*allocs += READ_ONCE(c->nested_mallocs[spc]);
		*frees += READ_ONCE(c->nested_frees[spc]);
	}
	*tiny = READ_ONCE(c->nested_tiny_allocs);
}

/*
 * The task owns its CPU's mcache, starts the nested context on the same
 * CPU (@soft: a soft hrtimer, else an irq_work) and waits for it with the
 * mcache still owned; the nested context must be served without touching
 * the owner's state, counted, and leave nothing damaged or lost.
 */
static void gom_nest_run(struct kunit *test, bool soft)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned int spc64 = gom_size_to_class(64), i;
	unsigned long a0, f0, t0, a1, f1, t1, until;
	struct gom_mcache_class before = {}, after = {};
	struct gom_nest *n;
	struct gom_mcache *c;
	long errs0 = 0, errs1 = 0;
	int cpu, k;

	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test, "PREEMPT_RT: the mcache lock waits, nothing nests");
	n = kunit_kzalloc(test, sizeof(*n), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, n);
	n->heap = heap;
	init_irq_work(&n->iw, gom_nest_irq_work);
	hrtimer_init(&n->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_SOFT);
	n->timer.function = gom_nest_timer;
	for (k = 0; k < GOM_ERR_NR; k++)
		errs0 += gom_kunit_errors(k);

	for (i = 0; i < GOM_NEST_PRE; i++) {
		n->pre[i] = gom_heap_alloc(heap, 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, n->pre[i]);
	}
	migrate_disable();
	cpu = smp_processor_id();
	gom_nest_counts(heap, cpu, &a0, &f0, &t0);
	/* a task: the trylock cannot fail (nothing runs on it but interrupts) */
	c = gom_mcache_own(heap);
	KUNIT_EXPECT_NOT_NULL(test, c);
	if (c) {
		before = c->cls[spc64];
		if (soft)
			hrtimer_start(&n->timer, ns_to_ktime(1000),
				      HRTIMER_MODE_REL_PINNED_SOFT);
		else
			irq_work_queue(&n->iw);
		/* interrupts are on: the nested context runs here meanwhile */
		until = jiffies + 2 * HZ;
		/* acquire: pairs with gom_nest_work()'s release of done */
		while (!smp_load_acquire(&n->done) &&
		       time_before(jiffies, until))
			cpu_relax();
		after = c->cls[spc64];
		gom_mcache_disown(heap, c);
	}
	migrate_enable();
	if (soft)
		hrtimer_cancel(&n->timer);
	else
		irq_work_sync(&n->iw);
	KUNIT_ASSERT_TRUE_MSG(test, READ_ONCE(n->done),
			      "the nested context did not run within 2 s");

	KUNIT_EXPECT_EQ(test, n->cpu, cpu);
	KUNIT_EXPECT_EQ(test, n->hardirq, !soft);
	KUNIT_EXPECT_EQ(test, n->softirq, soft);
	KUNIT_EXPECT_EQ(test, n->nulls, 0);
	KUNIT_EXPECT_EQ(test, n->bulk_got, GOM_NEST_BULK);
	/* the owner's free cache and counters, untouched */
	KUNIT_EXPECT_EQ(test, after.nfree, before.nfree);
	KUNIT_EXPECT_PTR_EQ(test, after.span, before.span);
	KUNIT_EXPECT_EQ(test, after.mallocs, before.mallocs);
	KUNIT_EXPECT_EQ(test, after.frees, before.frees);
	gom_nest_counts(heap, cpu, &a1, &f1, &t1);
	/* small: 2 + 2 + the bulk; tiny: 2 blocks of one sub-object each */
	KUNIT_EXPECT_EQ(test, a1 - a0, 4 + GOM_NEST_BULK + 2);
	KUNIT_EXPECT_EQ(test, t1 - t0, 2);
	/* 64 B and 2 KiB, the bulk, the task's objects, a dead tiny block */
	KUNIT_EXPECT_EQ(test, f1 - f0, 2 + GOM_NEST_BULK + GOM_NEST_PRE + 1);

	for (i = 0; i < ARRAY_SIZE(gom_nest_sizes); i++) {
		if (!n->kept[i])
			continue;
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(n->kept[i], 0xa5,
						       gom_nest_sizes[i]),
				      "%zu B object damaged", gom_nest_sizes[i]);
		KUNIT_EXPECT_GE(test, gom_ksize(n->kept[i]), gom_nest_sizes[i]);
		gom_free(n->kept[i]);
	}
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
	KUNIT_EXPECT_EQ(test, gom_heap_validate(heap, NULL), 0);
	for (k = 0; k < GOM_ERR_NR; k++)
		errs1 += gom_kunit_errors(k);
	KUNIT_EXPECT_EQ(test, errs1, errs0);
}

/* An irq_work (hardirq) that interrupts the mcache's owner. */
static void gom_mcache_test_nested_hardirq(struct kunit *test)
{
	gom_nest_run(test, false);
}

/* A soft hrtimer (softirq) that interrupts the mcache's owner. */
static void gom_mcache_test_nested_softirq(struct kunit *test)
{
	gom_nest_run(test, true);
}

static struct kunit_case gom_mcache_cases[] = {
	KUNIT_CASE(gom_mcache_test_lifo),
	KUNIT_CASE(gom_mcache_test_refill),
	KUNIT_CASE(gom_mcache_test_flush_drain),
	KUNIT_CASE(gom_mcache_test_nested_hardirq),
	KUNIT_CASE(gom_mcache_test_nested_softirq),
	{}
};

static struct kunit_suite gom_mcache_suite = {
	.name = "gomalloc_mcache",
	.test_cases = gom_mcache_cases,
};

kunit_test_suite(gom_mcache_suite);

MODULE_DESCRIPTION("KUnit tests for gomalloc's per-CPU mcache");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOM_INTERNAL_NS);
