// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for gomalloc's API: gfp semantics (zeroing, GFP_ATOMIC from
 * hardirq), size 0 and oversize requests, ksize, realloc, bulk, heap
 * create/destroy, the statistics invariants, init_on_free's wipe, and the
 * drop-in's kfree() of the kernel's memory.
 */
#include <kunit/test.h>
#include <linux/irq_work.h>
#include <linux/kasan.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/string.h>

#include "dropin.h"
#include "gom_kunit.h"

static const size_t gom_api_sizes[] = {
	1, 7, 8, 15, 16, 24, 100, 512, 1000, 4096, 5000, 32768, 32769, 200000,
};

/* Size 0 gives GOM_ZERO_SIZE_PTR; too large gives NULL and a count. */
static void gom_api_test_sizes(struct kunit *test)
{
	long before = gom_kunit_errors(GOM_ERR_TOO_LARGE);
	void *p;

	p = gom_alloc(0, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, p, GOM_ZERO_SIZE_PTR);
	KUNIT_EXPECT_EQ(test, gom_ksize(p), 0);
	gom_free(p);
	gom_free(NULL);
	KUNIT_EXPECT_NULL(test, gom_alloc(GOM_MAX_ALLOC_SIZE + 1, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, gom_alloc(SIZE_MAX, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_TOO_LARGE), before + 2);
	p = gom_alloc(GOM_MAX_ALLOC_SIZE, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	gom_free(p);
}

/* __GFP_ZERO zeroes reused memory of every kind. */
static void gom_api_test_zero(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned int i, round;
	size_t size;
	char *p;

	for (i = 0; i < ARRAY_SIZE(gom_api_sizes); i++) {
		size = gom_api_sizes[i];
		for (round = 0; round < 3; round++) {
			p = gom_heap_alloc(heap, size, GFP_KERNEL |
					   (round ? __GFP_ZERO : 0));
			KUNIT_ASSERT_NOT_NULL(test, p);
			if (round)
				KUNIT_EXPECT_NULL_MSG(test, memchr_inv(p, 0, size),
						      "size %zu", size);
			memset(p, 0xa5, size);
			gom_free(p);
		}
	}
}

/* ksize is the class size, the page run, or the tiny sub-object. */
static void gom_api_test_ksize(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, GOM_HEAP_NO_TINY);
	size_t size, ks;
	void *p;

	for (size = 1; size <= GOM_MAX_SMALL_SIZE; size += size < 1024 ? 1 : 97) {
		p = gom_heap_alloc(heap, size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		ks = gom_ksize(p);
		KUNIT_EXPECT_EQ_MSG(test, ks,
				    gom_class_to_size[gom_size_to_class(size)],
				    "size %zu", size);
		memset(p, 0, ks);	/* all of it is usable */
		gom_free(p);
	}
}

/* krealloc semantics: grow copies, shrink stays, NULL allocates, 0 frees. */
static void gom_api_test_realloc(struct kunit *test)
{
	long before = gom_kunit_errors(GOM_ERR_INTERIOR);
	char *p, *q;
	size_t i;

	p = gom_realloc(NULL, 10, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memcpy(p, "gomalloc!", 10);
	q = gom_realloc(p, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_STREQ(test, q, "gomalloc!");
	for (i = 0; i < 100; i++)
		q[i] = i;
	p = gom_realloc(q, 50000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, p[i], (char)i);
	q = gom_realloc(p, 40000, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	q = gom_realloc(p, 64, GFP_KERNEL);	/* fits: stays */
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_NULL(test, gom_realloc(p + 8, 128, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_INTERIOR), before + 1);
	KUNIT_EXPECT_PTR_EQ(test, gom_realloc(p, 0, GFP_KERNEL), GOM_ZERO_SIZE_PTR);
}

/* Bulk allocation: all distinct objects, all or nothing, all freed. */
static void gom_api_test_bulk(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	static const size_t sizes[] = { 8, 64, 700, 9000, 40000 };
	unsigned int n = 500, i, j, k;
	void **objs;

	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		KUNIT_ASSERT_EQ(test, gom_heap_alloc_bulk(heap, sizes[k],
							  GFP_KERNEL, n, objs), n);
		for (i = 0; i < n; i++) {
			KUNIT_ASSERT_NOT_NULL(test, objs[i]);
			KUNIT_EXPECT_GE(test, gom_ksize(objs[i]), sizes[k]);
			for (j = i + 1; j < n; j += 7)
				KUNIT_EXPECT_PTR_NE(test, objs[i], objs[j]);
		}
		KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, n);
		gom_free_bulk(n, objs);
		KUNIT_EXPECT_EQ(test, gom_kunit_stats(heap).heap_objects, 0);
	}
	KUNIT_EXPECT_EQ(test, gom_heap_alloc_bulk(heap, 0, GFP_KERNEL, n, objs), 0);
}

struct gom_irq_ctx {
	struct irq_work work;
	struct gom_heap *heap;
	void *objs[ARRAY_SIZE(gom_api_sizes)];
	bool hardirq;
	bool zeroed;
};

static void gom_api_irq_fn(struct irq_work *work)
{
	struct gom_irq_ctx *ctx = container_of(work, struct gom_irq_ctx, work);
	unsigned int i;

	ctx->hardirq = in_hardirq();
	ctx->zeroed = true;
	for (i = 0; i < ARRAY_SIZE(gom_api_sizes); i++) {
		ctx->objs[i] = gom_heap_alloc(ctx->heap, gom_api_sizes[i],
					      GFP_ATOMIC | __GFP_ZERO);
		if (ctx->objs[i] && memchr_inv(ctx->objs[i], 0, gom_api_sizes[i]))
			ctx->zeroed = false;
	}
	/* frees from hardirq too, half of them */
	for (i = 0; i < ARRAY_SIZE(gom_api_sizes); i += 2) {
		gom_free(ctx->objs[i]);
		ctx->objs[i] = NULL;
	}
}

/* GFP_ATOMIC allocations and frees from hardirq context (irq_work). */
static void gom_api_test_atomic_hardirq(struct kunit *test)
{
	struct gom_irq_ctx *ctx;
	unsigned int round, i;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->heap = gom_kunit_heap(test, 0);
	init_irq_work(&ctx->work, gom_api_irq_fn);
	for (round = 0; round < 4; round++) {
		irq_work_queue(&ctx->work);
		irq_work_sync(&ctx->work);
		KUNIT_EXPECT_TRUE(test, ctx->zeroed);
		for (i = 1; i < ARRAY_SIZE(gom_api_sizes); i += 2) {
			KUNIT_EXPECT_NOT_NULL(test, ctx->objs[i]);
			gom_free(ctx->objs[i]);
		}
	}
	if (!ctx->hardirq)
		kunit_info(test, "irq_work ran outside hardirq on this arch");
	KUNIT_EXPECT_EQ(test, gom_kunit_stats(ctx->heap).heap_objects, 0);
}

/* Destroy with live objects reports them and leaves them in place. */
static void gom_api_test_heap_lifecycle(struct kunit *test)
{
	long before = gom_kunit_errors(GOM_ERR_HEAP_DESTROYED);
	struct gom_heap *heap, *dup;
	char *small, *large, *tiny;

	KUNIT_EXPECT_NULL(test, gom_heap_create("", 0));
	KUNIT_EXPECT_NULL(test, gom_heap_create("a/b", 0));
	KUNIT_EXPECT_NULL(test, gom_heap_create("default", 0));
	KUNIT_EXPECT_STREQ(test, gom_heap_name(gom_default_heap()), "default");
	heap = gom_heap_create("kunit-lifecycle", 0);
	KUNIT_ASSERT_NOT_NULL(test, heap);
	dup = gom_heap_create("kunit-lifecycle", 0);
	KUNIT_EXPECT_NULL(test, dup);

	small = gom_heap_alloc(heap, 100, GFP_KERNEL);
	large = gom_heap_alloc(heap, 100000, GFP_KERNEL);
	tiny = gom_heap_alloc(heap, 5, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, small);
	KUNIT_ASSERT_NOT_NULL(test, large);
	KUNIT_ASSERT_NOT_NULL(test, tiny);
	memset(small, 0x42, 100);
	memset(large, 0x43, 100000);
	gom_heap_destroy(heap);
	KUNIT_EXPECT_NULL(test, memchr_inv(small, 0x42, 100));
	KUNIT_EXPECT_NULL(test, memchr_inv(large, 0x43, 100000));
	gom_free(small);
	gom_free(large);
	gom_free(tiny);
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_HEAP_DESTROYED), before + 3);
	/* the name is free again */
	heap = gom_heap_create("kunit-lifecycle", 0);
	KUNIT_EXPECT_NOT_NULL(test, heap);
	gom_heap_destroy(heap);
}

/* Mallocs - Frees == HeapObjects, HeapInuse + HeapIdle == HeapSys. */
static void gom_api_test_stats(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned int n = ARRAY_SIZE(gom_api_sizes) * 20, i;
	unsigned long bytes = 0;
	struct gom_memstats ms;
	void **objs;

	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < n; i++) {
		objs[i] = gom_heap_alloc(heap, gom_api_sizes[i % ARRAY_SIZE(gom_api_sizes)],
					 GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		if (gom_api_sizes[i % ARRAY_SIZE(gom_api_sizes)] >= GOM_TINY_SIZE)
			bytes += gom_ksize(objs[i]);
	}
	ms = gom_kunit_stats(heap);
	KUNIT_EXPECT_EQ(test, ms.mallocs - ms.frees, ms.heap_objects);
	KUNIT_EXPECT_EQ(test, ms.heap_objects, n);
	KUNIT_EXPECT_EQ(test, ms.heap_inuse + ms.heap_idle, ms.heap_sys);
	KUNIT_EXPECT_GE(test, ms.heap_alloc, bytes);
	KUNIT_EXPECT_LE(test, ms.heap_alloc, ms.heap_inuse);
	KUNIT_EXPECT_EQ(test, ms.alloc, ms.heap_alloc);
	KUNIT_EXPECT_GE(test, ms.total_alloc, ms.heap_alloc);
	KUNIT_EXPECT_GE(test, ms.sys, ms.heap_sys);
	KUNIT_EXPECT_EQ(test, ms.large_allocs, 40);
	KUNIT_EXPECT_EQ(test, ms.tiny_allocs, 80);
	KUNIT_EXPECT_GT(test, ms.mspan_inuse, 0);

	for (i = 0; i < n; i += 2)
		gom_free(objs[i]);
	ms = gom_kunit_stats(heap);
	KUNIT_EXPECT_EQ(test, ms.heap_objects, n / 2);
	KUNIT_EXPECT_EQ(test, ms.mallocs - ms.frees, ms.heap_objects);
	for (i = 1; i < n; i += 2)
		gom_free(objs[i]);
	gom_kunit_quiesce(heap);
	ms = gom_kunit_stats(heap);
	KUNIT_EXPECT_EQ(test, ms.heap_objects, 0);
	KUNIT_EXPECT_EQ(test, ms.heap_alloc, 0);
	KUNIT_EXPECT_EQ(test, ms.heap_inuse, 0);
	KUNIT_EXPECT_EQ(test, ms.large_frees, 40);
	KUNIT_EXPECT_EQ(test, ms.heap_idle, ms.heap_sys);
	gom_mheap_scavenge(heap, ULONG_MAX);
	ms = gom_kunit_stats(heap);
	KUNIT_EXPECT_EQ(test, ms.heap_sys, 0);
	KUNIT_EXPECT_EQ(test, ms.heap_released, 0);
}

/*
 * Whether bytes @from..@len of @p are all @c, read with KASAN's reports
 * off: a freed large run is poisoned, and still the heap's.
 */
static bool gom_api_bytes_are(const u8 *p, size_t from, size_t len, int c)
{
	bool ret;

	kasan_disable_current();
	ret = !memchr_inv(p + from, c, len - from);
	kasan_enable_current();
	return ret;
}

/*
 * init_on_free: the free path (gom_free_init(), the decision passed in
 * where gom_free() takes want_init_on_free()) zeroes small objects but
 * their first word (the free marker's) and large runs whole, and leaves
 * them alone when not asked to. A pin of each size keeps the arena, so
 * that the freed run stays the heap's while it is read.
 */
static void gom_api_test_init_on_free(struct kunit *test)
{
	static const size_t sizes[] = {
		16, 24, 100, 1024, 4096, 5000, 32768, 65536, 200000,
	};
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned int i, wipe;
	u8 *p, *pin;
	size_t ks;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		pin = gom_heap_alloc(heap, sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pin);
		for (wipe = 0; wipe < 2; wipe++) {
			p = gom_heap_alloc(heap, sizes[i], GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p);
			ks = gom_ksize(p);
			KUNIT_ASSERT_GE(test, ks, sizes[i]);
			memset(p, 0xa5, ks);
			gom_free_init(p, wipe);
			KUNIT_EXPECT_TRUE_MSG(test,
					      gom_api_bytes_are(p, sizeof(long), ks,
								wipe ? 0 : 0xa5),
					      "size %zu, wipe %u", sizes[i], wipe);
		}
		gom_free(pin);
	}
}

/* Booted with init_on_free=1, gom_free() itself wipes (skipped otherwise). */
static void gom_api_test_init_on_free_boot(struct kunit *test)
{
	static const size_t sizes[] = { 5, 100, 4096, 65536 };
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	u8 *p, *pin;
	unsigned int i;
	size_t ks;

	if (!want_init_on_free())
		kunit_skip(test, "booted without init_on_free=1");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		pin = gom_heap_alloc(heap, sizes[i], GFP_KERNEL);
		p = gom_heap_alloc(heap, sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pin);
		KUNIT_ASSERT_NOT_NULL(test, p);
		ks = gom_ksize(p);
		memset(p, 0xa5, ks);
		gom_free(p);
		KUNIT_EXPECT_TRUE_MSG(test, gom_api_bytes_are(p, ks < sizeof(long) ?
							      0 : sizeof(long), ks, 0),
				      "size %zu", sizes[i]);
		gom_free(pin);
	}
}

/*
 * Booted with init_on_free=1: the pages of a span of 16-byte objects, all
 * freed and given back to the mheap, come back zeroed inside the objects
 * of the next span there, of another class (skipped otherwise).
 */
static void gom_api_test_init_on_free_recycled(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, GOM_HEAP_NO_TINY);
	unsigned int i, n = PAGE_SIZE / 16, bad = 0, reused = 0;
	unsigned long lo = ULONG_MAX, hi = 0;
	void **objs;
	u8 *p;

	if (!want_init_on_free())
		kunit_skip(test, "booted without init_on_free=1");
	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < n; i++) {
		objs[i] = gom_heap_alloc(heap, 16, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		memset(objs[i], 0xa5, 16);
		lo = min_t(unsigned long, lo, (unsigned long)objs[i]);
		hi = max(hi, (unsigned long)objs[i] + 16);
	}
	for (i = 0; i < n; i++)
		gom_free(objs[i]);
	gom_kunit_quiesce(heap);
	for (i = 0; i < n / 3; i++) {
		p = gom_heap_alloc(heap, 48, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		bad += !gom_api_bytes_are(p, 0, 48, 0);
		reused += (unsigned long)p >= lo && (unsigned long)p < hi;
		objs[i] = p;
	}
	/* the run came back: otherwise the check below proves nothing */
	KUNIT_EXPECT_GT(test, reused, 0);
	KUNIT_EXPECT_EQ(test, bad, 0);
	for (i = 0; i < n / 3; i++)
		gom_free(objs[i]);
}

/* init_on_free for tiny sub-objects: its bytes, not its neighbour's. */
static void gom_api_test_init_on_free_tiny(struct kunit *test)
{
	struct gom_heap *heap = gom_kunit_heap(test, 0);
	unsigned int wipe;
	u8 *p, *q;

	for (wipe = 0; wipe < 2; wipe++) {
		p = gom_heap_alloc(heap, 5, GFP_KERNEL);
		q = gom_heap_alloc(heap, 5, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_ASSERT_NOT_NULL(test, q);
		KUNIT_ASSERT_TRUE(test, q >= p + 5 || q + 5 <= p);
		memset(p, 0xa5, 5);
		memset(q, 0x5a, 5);
		gom_free_init(p, wipe);
		KUNIT_EXPECT_TRUE_MSG(test, gom_api_bytes_are(p, 0, 5,
							      wipe ? 0 : 0xa5),
				      "wipe %u", wipe);
		KUNIT_EXPECT_TRUE(test, gom_api_bytes_are(q, 0, 5, 0x5a));
		gom_free(q);
	}
}

/*
 * The drop-in's kfree() (what a drop-in module's kfree() calls) frees the
 * core kernel's kmalloc memory with the kernel's kfree(), not as a bad
 * pointer of gomalloc's, gomalloc's own objects with gomalloc, and reports
 * a pointer that is nobody's instead of handing it to the kernel.
 */
static int gom_api_nobody;

static void gom_api_test_dropin_kernel_memory(struct kunit *test)
{
	long not_ours = gom_kunit_errors(GOM_ERR_NOT_OURS);
	struct gom_memstats before, after;
	char *s, *t;
	void *p;

	s = kasprintf(GFP_KERNEL, "issue %d", 13);
	t = kstrndup("kernel string", 6, GFP_KERNEL);
	p = gom_dropin___kmalloc(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_FALSE(test, gom_owns(s));
	KUNIT_EXPECT_FALSE(test, gom_owns(t));
	KUNIT_EXPECT_TRUE(test, gom_owns(p));
	KUNIT_EXPECT_EQ(test, gom_dropin_ksize(s), ksize(s));
	gom_read_memstats(gom_default_heap(), &before);
	gom_dropin_kfree(s);
	gom_dropin_kfree_const(t);
	gom_dropin_kfree(p);
	gom_read_memstats(gom_default_heap(), &after);
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_NOT_OURS), not_ours);
	KUNIT_EXPECT_GE(test, after.frees, before.frees + 1);
	gom_dropin_kfree(NULL);
	gom_dropin_kfree(ZERO_SIZE_PTR);
	/* nobody's (module data): reported and ignored, never the kernel's */
	pr_info("gomalloc-expect-report: begin gomalloc\n");
	gom_dropin_kfree(&gom_api_nobody);
	pr_info("gomalloc-expect-report: end\n");
	KUNIT_EXPECT_EQ(test, gom_kunit_errors(GOM_ERR_NOT_OURS), not_ours + 1);
}

static struct kunit_case gom_api_cases[] = {
	KUNIT_CASE(gom_api_test_sizes),
	KUNIT_CASE(gom_api_test_zero),
	KUNIT_CASE(gom_api_test_ksize),
	KUNIT_CASE(gom_api_test_realloc),
	KUNIT_CASE(gom_api_test_bulk),
	KUNIT_CASE(gom_api_test_atomic_hardirq),
	KUNIT_CASE(gom_api_test_heap_lifecycle),
	KUNIT_CASE(gom_api_test_stats),
	KUNIT_CASE(gom_api_test_init_on_free),
	KUNIT_CASE(gom_api_test_init_on_free_tiny),
	KUNIT_CASE(gom_api_test_init_on_free_boot),
	KUNIT_CASE(gom_api_test_init_on_free_recycled),
	KUNIT_CASE(gom_api_test_dropin_kernel_memory),
	{}
};

static struct kunit_suite gom_api_suite = {
	.name = "gomalloc_api",
	.test_cases = gom_api_cases,
};

kunit_test_suite(gom_api_suite);

MODULE_DESCRIPTION("KUnit tests for gomalloc's API, gfp semantics and statistics");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOM_INTERNAL_NS);
