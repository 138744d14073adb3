// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for gomalloc's sampled allocation profile (profile.c): the
 * scaled estimate of a known allocation pattern, exact counts when every
 * allocation is sampled, frees taking samples back, no samples when off,
 * the call sites of bulk and realloc, sampling from hardirq context, whole
 * call stacks (stack depot) without gomalloc's frames, and their depth.
 */
#include <kunit/test.h>
#include <linux/irq_work.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "gom_kunit.h"

#define GOM_PROF_KUNIT_MAX	64

static void gom_prof_restore_rate(void *rate)
{
	gom_profile_set_rate((unsigned long)rate);
}

/* Set the rate for one case; the old one comes back when it ends. */
static void gom_prof_set_rate(struct kunit *test, unsigned long rate)
{
	unsigned long old = gom_profile_get_rate();

	KUNIT_ASSERT_EQ(test, 0, gom_profile_set_rate(rate));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, gom_prof_restore_rate,
						  (void *)old));
}

static void gom_prof_restore_depth(void *depth)
{
	gom_profile_set_depth((unsigned long)depth);
}

/* Set the stack depth for one case; the old one comes back when it ends. */
static void gom_prof_set_depth(struct kunit *test, unsigned int depth)
{
	unsigned long old = gom_profile_get_depth();

	KUNIT_ASSERT_EQ(test, 0, gom_profile_set_depth(depth));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, gom_prof_restore_depth,
						  (void *)old));
}

/*
 * The profile entry of the call sites inside function @fn, summed: those
 * that "%ps" names as it names @fn ("function [module]").
 */
static bool gom_prof_entry(struct kunit *test, struct gom_heap *heap,
			   const void *fn, struct gom_profile_entry *out)
{
	struct gom_profile_entry *e;
	char name[96], want[96];
	bool found = false;
	int i, n;

	snprintf(want, sizeof(want), "%ps", fn);

	e = kunit_kcalloc(test, GOM_PROF_KUNIT_MAX, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	n = gom_profile_snapshot(heap, e, GOM_PROF_KUNIT_MAX);
	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%ps", (void *)e[i].call_site);
		if (strcmp(name, want))
			continue;
		found = true;
		out->call_site = e[i].call_site;
		out->live_objects += e[i].live_objects;
		out->live_bytes += e[i].live_bytes;
		out->alloc_objects += e[i].alloc_objects;
		out->alloc_bytes += e[i].alloc_bytes;
	}
	kunit_kfree(test, e);
	return found;
}

static noinline int gom_prof_kunit_alloc(struct gom_heap *heap, void **objs,
					 unsigned int n, size_t size)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		objs[i] = gom_heap_alloc(heap, size, GFP_KERNEL);
		if (!objs[i])
			return -ENOMEM;
	}
	return 0;
}

/* not a copy of the above, which the compiler could fold into it */
static noinline int gom_prof_kunit_off(struct gom_heap *heap, void **objs,
				       unsigned int n, size_t size)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		objs[i] = gom_heap_alloc(heap, size, GFP_KERNEL | __GFP_ZERO);
		if (!objs[i])
			return -ENOMEM;
	}
	return 0;
}

static void gom_prof_free(void **objs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		gom_free(objs[i]);
}

/*
 * 1000 x 1 KiB sampled every 4 KiB on average: about 220 samples of
 * weight 4.5; the estimate of 1 MiB live must be of the right order, and
 * all of it goes when the objects are freed.
 */
static void gom_profile_test_scaled(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	struct gom_profile_entry e;
	const unsigned int n = 1000;
	void **objs;

	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	gom_prof_set_rate(test, 4096);
	KUNIT_ASSERT_EQ(test, 0, gom_prof_kunit_alloc(heap, objs, n, 1024));
	KUNIT_ASSERT_TRUE(test, gom_prof_entry(test, heap,
					       gom_prof_kunit_alloc, &e));
	kunit_info(test, "1000 x 1 KiB: live %llu objects %llu bytes, alloc %llu objects %llu bytes",
		   e.live_objects, e.live_bytes, e.alloc_objects, e.alloc_bytes);
	KUNIT_EXPECT_GE(test, e.live_bytes, (1ULL << 20) / 4);
	KUNIT_EXPECT_LE(test, e.live_bytes, (1ULL << 20) * 4);
	KUNIT_EXPECT_GE(test, e.live_objects, n / 4);
	KUNIT_EXPECT_LE(test, e.live_objects, n * 4);
	KUNIT_EXPECT_EQ(test, e.alloc_bytes, e.live_bytes);
	KUNIT_EXPECT_EQ(test, e.alloc_objects, e.live_objects);

	gom_prof_free(objs, n);
	KUNIT_ASSERT_TRUE(test, gom_prof_entry(test, heap,
					       gom_prof_kunit_alloc, &e));
	KUNIT_EXPECT_EQ(test, e.live_bytes, 0);
	KUNIT_EXPECT_EQ(test, e.live_objects, 0);
	KUNIT_EXPECT_GE(test, e.alloc_bytes, (1ULL << 20) / 4);
	KUNIT_EXPECT_EQ(test, xa_empty(&heap->profile.objs), true);
}

/*
 * profile_rate=1 samples every allocation unweighted: exact counts of
 * usable bytes for tiny, small and large objects, and of what is freed.
 */
static void gom_profile_test_every(struct kunit *test)
{
	static const size_t sizes[] = { 5, 100, 40000 };
	static const size_t usable[] = { 5, 112, 40960 };
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	const unsigned int n = 20;
	struct gom_profile_entry e;
	u64 bytes = 0, half = 0;
	void **objs;
	unsigned int i;

	objs = kunit_kcalloc(test, n * ARRAY_SIZE(sizes), sizeof(*objs),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	gom_prof_set_rate(test, 1);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KUNIT_ASSERT_EQ(test, 0, gom_prof_kunit_alloc(heap, objs + i * n,
							      n, sizes[i]));
		bytes += n * usable[i];
		half += n / 2 * usable[i];
	}
	KUNIT_ASSERT_TRUE(test, gom_prof_entry(test, heap,
					       gom_prof_kunit_alloc, &e));
	KUNIT_EXPECT_EQ(test, e.alloc_objects, n * ARRAY_SIZE(sizes));
	KUNIT_EXPECT_EQ(test, e.alloc_bytes, bytes);
	KUNIT_EXPECT_EQ(test, e.live_objects, n * ARRAY_SIZE(sizes));
	KUNIT_EXPECT_EQ(test, e.live_bytes, bytes);

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		gom_prof_free(objs + i * n, n / 2);
	KUNIT_ASSERT_TRUE(test, gom_prof_entry(test, heap,
					       gom_prof_kunit_alloc, &e));
	KUNIT_EXPECT_EQ(test, e.live_objects, (n - n / 2) * ARRAY_SIZE(sizes));
	KUNIT_EXPECT_EQ(test, e.live_bytes, bytes - half);
	KUNIT_EXPECT_EQ(test, e.alloc_bytes, bytes);

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		gom_prof_free(objs + i * n + n / 2, n - n / 2);
	KUNIT_ASSERT_TRUE(test, gom_prof_entry(test, heap,
					       gom_prof_kunit_alloc, &e));
	KUNIT_EXPECT_EQ(test, e.live_objects, 0);
	KUNIT_EXPECT_EQ(test, e.live_bytes, 0);
}

/*
 * profile_rate=0: no sample; objects sampled before still leave the live
 * counts when freed.
 */
static void gom_profile_test_off(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	struct gom_profile_entry e;
	const unsigned int n = 100;
	void *objs[100], *before[4];

	gom_prof_set_rate(test, 1);
	KUNIT_ASSERT_EQ(test, 0, gom_prof_kunit_alloc(heap, before, 4, 64));
	KUNIT_ASSERT_EQ(test, 0, gom_profile_set_rate(0));
	KUNIT_EXPECT_EQ(test, gom_profile_get_rate(), 0);
	KUNIT_ASSERT_EQ(test, 0, gom_prof_kunit_off(heap, objs, n, 4096));
	KUNIT_EXPECT_FALSE(test, gom_prof_entry(test, heap,
						gom_prof_kunit_off, &e));
	gom_prof_free(objs, n);

	KUNIT_ASSERT_TRUE(test, gom_prof_entry(test, heap,
					       gom_prof_kunit_alloc, &e));
	KUNIT_EXPECT_EQ(test, e.live_objects, 4);
	gom_prof_free(before, 4);
	KUNIT_ASSERT_TRUE(test, gom_prof_entry(test, heap,
					       gom_prof_kunit_alloc, &e));
	KUNIT_EXPECT_EQ(test, e.live_objects, 0);
	KUNIT_EXPECT_EQ(test, e.alloc_objects, 4);
	KUNIT_EXPECT_EQ(test, gom_profile_set_rate((unsigned long)INT_MAX + 1),
			-EINVAL);
}

/* the helpers below do something after the call: no tail call */
static noinline int gom_prof_kunit_bulk(struct gom_heap *heap, size_t size,
					size_t nr, void **objs)
{
	int got = gom_heap_alloc_bulk(heap, size, GFP_KERNEL, nr, objs);

	return got == nr ? 0 : -ENOMEM;
}

static noinline int gom_prof_kunit_realloc(void *p, size_t size, void **q)
{
	*q = gom_realloc(p, size, GFP_KERNEL);
	return *q ? 0 : -ENOMEM;
}

/*
 * Bulk allocations (small and tiny) and a realloc that moves are sampled
 * for the caller of the exported function, and their frees (bulk too) take
 * the samples back.
 */
static void gom_profile_test_bulk_realloc(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	struct gom_profile_entry e;
	void *small[32], *tiny[32], *p, *q;

	gom_prof_set_rate(test, 1);
	KUNIT_ASSERT_EQ(test, 0, gom_prof_kunit_bulk(heap, 64, 32, small));
	KUNIT_ASSERT_EQ(test, 0, gom_prof_kunit_bulk(heap, 8, 32, tiny));
	KUNIT_ASSERT_TRUE(test, gom_prof_entry(test, heap,
					       gom_prof_kunit_bulk, &e));
	KUNIT_EXPECT_EQ(test, e.alloc_objects, 64);
	KUNIT_EXPECT_EQ(test, e.live_bytes, 32 * 64 + 32 * 8);
	gom_free_bulk(32, small);
	gom_free_bulk(32, tiny);
	KUNIT_ASSERT_TRUE(test, gom_prof_entry(test, heap,
					       gom_prof_kunit_bulk, &e));
	KUNIT_EXPECT_EQ(test, e.live_objects, 0);

	p = gom_heap_alloc(heap, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, gom_prof_kunit_realloc(p, 5000, &q));
	KUNIT_ASSERT_TRUE(test, gom_prof_entry(test, heap,
					       gom_prof_kunit_realloc, &e));
	KUNIT_EXPECT_EQ(test, e.live_objects, 1);
	KUNIT_EXPECT_EQ(test, e.live_bytes, gom_ksize(q));
	gom_free(q);
	KUNIT_ASSERT_TRUE(test, gom_prof_entry(test, heap,
					       gom_prof_kunit_realloc, &e));
	KUNIT_EXPECT_EQ(test, e.live_objects, 0);
	KUNIT_EXPECT_EQ(test, xa_empty(&heap->profile.objs), true);
}

struct gom_prof_irq {
	struct irq_work work;
	struct gom_heap *heap;
	void *objs[16];
	bool hardirq;
};

static void gom_prof_irq_fn(struct irq_work *work)
{
	struct gom_prof_irq *ctx = container_of(work, struct gom_prof_irq,
						work);
	unsigned int i;

	ctx->hardirq = in_hardirq();
	for (i = 0; i < ARRAY_SIZE(ctx->objs); i++)
		ctx->objs[i] = gom_heap_alloc(ctx->heap, 8 << i % 14,
					      GFP_ATOMIC | __GFP_NOWARN);
	for (i = 0; i < ARRAY_SIZE(ctx->objs); i += 2)
		gom_free(ctx->objs[i]);
}

/* Sampling and freeing samples in hardirq context (irq_work). */
static void gom_profile_test_hardirq(struct kunit *test)
{
	struct gom_prof_irq *ctx;
	struct gom_profile_entry e;
	unsigned int i, got = 0;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->heap = gom_kunit_heap(test, 0);
	gom_prof_set_rate(test, 1);
	init_irq_work(&ctx->work, gom_prof_irq_fn);
	irq_work_queue(&ctx->work);
	irq_work_sync(&ctx->work);
	for (i = 1; i < ARRAY_SIZE(ctx->objs); i += 2)
		got += !!ctx->objs[i];
	KUNIT_ASSERT_TRUE(test, gom_prof_entry(test, ctx->heap,
					       gom_prof_irq_fn, &e));
	KUNIT_EXPECT_EQ(test, e.live_objects, got);
	for (i = 1; i < ARRAY_SIZE(ctx->objs); i += 2)
		gom_free(ctx->objs[i]);
	KUNIT_ASSERT_TRUE(test, gom_prof_entry(test, ctx->heap,
					       gom_prof_irq_fn, &e));
	KUNIT_EXPECT_EQ(test, e.live_objects, 0);
	if (!ctx->hardirq)
		kunit_info(test, "irq_work ran outside hardirq on this arch");
}

/* one more frame above gom_prof_kunit_alloc(); no tail call */
static noinline int gom_prof_kunit_nested(struct gom_heap *heap, void **objs,
					  unsigned int n, size_t size)
{
	int ret = gom_prof_kunit_alloc(heap, objs, n, size);

	barrier();
	return ret;
}

/* Whether frame @i of @e's stack is in function @fn, as "%ps" names it. */
static bool gom_prof_frame_is(const struct gom_profile_entry *e,
			      unsigned int i, const void *fn)
{
	const unsigned long *frames;
	char name[96], want[96];

	if (i >= gom_profile_stack(e, &frames))
		return false;
	snprintf(name, sizeof(name), "%ps", (void *)frames[i]);
	snprintf(want, sizeof(want), "%ps", fn);
	return !strcmp(name, want);
}

/* The one entry of @fn's call site; the case fails if there are more. */
static void gom_prof_one_entry(struct kunit *test, struct gom_heap *heap,
			       const void *fn, struct gom_profile_entry *out)
{
	struct gom_profile_entry *e;
	int i, n, found = 0;

	e = kunit_kcalloc(test, GOM_PROF_KUNIT_MAX, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	n = gom_profile_snapshot(heap, e, GOM_PROF_KUNIT_MAX);
	for (i = 0; i < n; i++) {
		if (!gom_prof_frame_is(&e[i], 0, fn))
			continue;
		*out = e[i];
		found++;
	}
	kunit_kfree(test, e);
	KUNIT_ASSERT_EQ(test, found, 1);
}

/*
 * profile_depth=32: a sample's stack starts at the caller of the gom_*
 * function (none of gomalloc's frames) and goes on through its callers.
 */
static void gom_profile_test_stack(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	const unsigned long *frames;
	struct gom_profile_entry e;
	char sym[KSYM_SYMBOL_LEN];
	void *objs[8];
	unsigned int i, n;

	gom_prof_set_rate(test, 1);
	gom_prof_set_depth(test, 32);
	if (!gom_profile_has_stacks())
		kunit_skip(test, "no stack depot in this kernel: call sites only");

	KUNIT_ASSERT_EQ(test, 0, gom_prof_kunit_nested(heap, objs, 8, 200));
	gom_prof_one_entry(test, heap, gom_prof_kunit_alloc, &e);
	KUNIT_EXPECT_NE(test, e.stack, 0);
	KUNIT_EXPECT_EQ(test, e.live_objects, 8);
	n = gom_profile_stack(&e, &frames);
	KUNIT_EXPECT_GE(test, n, 3);
	KUNIT_EXPECT_LE(test, n, 32);
	KUNIT_EXPECT_EQ(test, frames[0], e.call_site);
	KUNIT_EXPECT_TRUE(test, gom_prof_frame_is(&e, 1, gom_prof_kunit_nested));
	KUNIT_EXPECT_TRUE(test, gom_prof_frame_is(&e, 2, gom_profile_test_stack));
	for (i = 0; i < n; i++) {
		snprintf(sym, sizeof(sym), "%pB", (void *)frames[i]);
		KUNIT_EXPECT_NULL_MSG(test, strstr(sym, " [gomalloc]"),
				      "frame %u is gomalloc's: %s", i, sym);
	}
	gom_prof_free(objs, 8);
	gom_prof_one_entry(test, heap, gom_prof_kunit_alloc, &e);
	KUNIT_EXPECT_EQ(test, e.live_objects, 0);
	KUNIT_EXPECT_EQ(test, e.alloc_objects, 8);
}

/* One allocation at @depth in a heap of its own: its entry's frames. */
static unsigned int gom_prof_depth_frames(struct kunit *test,
					  unsigned int depth, u32 *stack)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	const unsigned long *frames;
	struct gom_profile_entry e;
	void *obj;

	KUNIT_EXPECT_EQ(test, 0, gom_profile_set_depth(depth));
	KUNIT_EXPECT_EQ(test, gom_profile_get_depth(), depth);
	KUNIT_ASSERT_EQ(test, 0, gom_prof_kunit_nested(heap, &obj, 1, 64));
	gom_prof_free(&obj, 1);
	gom_prof_one_entry(test, heap, gom_prof_kunit_alloc, &e);
	*stack = e.stack;
	return gom_profile_stack(&e, &frames);
}

/*
 * profile_depth 2 keeps two frames; 0 the call site alone, with no stack
 * recorded; above GOM_PROF_MAX_DEPTH is refused.
 */
static void gom_profile_test_depth(struct kunit *test)
{
	u32 stack;

	gom_prof_set_rate(test, 1);
	gom_prof_set_depth(test, 32);
	KUNIT_EXPECT_EQ(test, gom_profile_set_depth(GOM_PROF_MAX_DEPTH + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gom_profile_get_depth(), 32);
	if (gom_profile_has_stacks()) {
		KUNIT_EXPECT_EQ(test, gom_prof_depth_frames(test, 2, &stack), 2);
		KUNIT_EXPECT_NE(test, stack, 0);
	}
	KUNIT_EXPECT_EQ(test, gom_prof_depth_frames(test, 0, &stack), 1);
	KUNIT_EXPECT_EQ(test, stack, 0);
}

static struct kunit_case gom_profile_cases[] = {
	KUNIT_CASE(gom_profile_test_scaled),
	KUNIT_CASE(gom_profile_test_every),
	KUNIT_CASE(gom_profile_test_off),
	KUNIT_CASE(gom_profile_test_bulk_realloc),
	KUNIT_CASE(gom_profile_test_hardirq),
	KUNIT_CASE(gom_profile_test_stack),
	KUNIT_CASE(gom_profile_test_depth),
	{}
};

static struct kunit_suite gom_profile_suite = {
	.name = "gomalloc_profile",
	.test_cases = gom_profile_cases,
};

kunit_test_suite(gom_profile_suite);

MODULE_DESCRIPTION("KUnit tests for gomalloc's allocation profile");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOM_INTERNAL_NS);
