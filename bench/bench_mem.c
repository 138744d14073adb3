// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc_bench memory workloads: the waste of each size class beside
 * kmalloc's rounding, and the peak footprint of an operation list (a
 * synthetic one, or a kmalloc trace turned into one by
 * tools/kmemtrace2ops.py) replayed through both allocators. See bench.h.
 *
 * Footprint: gomalloc's is the pages its heap holds in spans (partially
 * full ones, the empty reserve and large runs included: HeapInuse);
 * kmalloc's is the sum of ksize() of its live objects, page-allocator
 * objects counted at their page size (which ksize() reports).
 */
#define pr_fmt(fmt) "bench: " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include "bench.h"
#include "../kmod/gomalloc_internal.h"

/* === Waste per request size === */

/* Span tail waste of the class serving @elemsize, in 1/10000. */
static unsigned int bench_tail_bp(size_t elemsize)
{
	unsigned int c, span;

	for (c = 1; c < GOM_NUM_SIZE_CLASSES; c++) {
		if (gom_class_to_size[c] != elemsize)
			continue;
		span = gom_class_to_npages[c] << PAGE_SHIFT;
		return (span - gom_class_to_nobjs[c] * elemsize) * 10000 / span;
	}
	return 0;
}

static int bench_waste_one(struct gom_heap *heap, size_t req)
{
	size_t gk, kk;
	void *g, *k;
	int err = 0;

	g = gom_heap_alloc(heap, req, GFP_KERNEL);
	k = kmalloc(req, GFP_KERNEL);
	if (g && k) {
		gk = gom_ksize(g);
		kk = ksize(k);
		pr_info("waste req=%zu gom=%zu gom_span_tail_bp=%u kmalloc=%zu kmalloc_roundup=%zu\n",
			req, gk, bench_tail_bp(gk), kk,
			kmalloc_size_roundup(req));
	} else {
		err = -ENOMEM;
	}
	gom_free(g);
	kfree(k);
	return err;
}

static int bench_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* Each class and kmalloc boundary, and one byte more (the worst case). */
static unsigned int bench_waste_sizes(u32 *req)
{
	static const u32 extra[] = {
		8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
		12288, 16384, 36864, 65536,
	};
	unsigned int c, i, n = 0, out = 0;

	for (c = 1; c < GOM_NUM_SIZE_CLASSES; c++) {
		req[n++] = gom_class_to_size[c];
		req[n++] = gom_class_to_size[c] + 1;
	}
	for (i = 0; i < ARRAY_SIZE(extra); i++) {
		req[n++] = extra[i];
		req[n++] = extra[i] + 1;
	}
	sort(req, n, sizeof(*req), bench_cmp_u32, NULL);
	for (i = 0; i < n; i++)
		if (!out || req[out - 1] != req[i])
			req[out++] = req[i];
	return out;
}

/**
 * bench_waste() - print the bytes each allocator gives per request size
 *
 * gomalloc from a heap without tiny packing, so that 1..15 B show their
 * class; with packing, 1..15 B requests share 16 B blocks.
 *
 * Return: 0 or -ENOMEM.
 */
int bench_waste(void)
{
	u32 *req = kcalloc(2 * (GOM_NUM_SIZE_CLASSES + 17), sizeof(u32),
			   GFP_KERNEL);
	struct gom_heap *heap = gom_heap_create("bench-waste", GOM_HEAP_NO_TINY);
	unsigned int i, n;
	int err = -ENOMEM;

	if (req && heap) {
		n = bench_waste_sizes(req);
		for (i = 0, err = 0; i < n && !err; i++)
			err = bench_waste_one(heap, req[i]);
	}
	if (heap)
		gom_heap_destroy(heap);
	kfree(req);
	return err;
}

/* === Operation lists and their replay === */

/**
 * struct bench_op - one operation of a replay
 * @id: the object, 0 .. nids - 1
 * @size: bytes to allocate; 0 frees @id
 */
struct bench_op {
	u32 id;
	u32 size;
};

/**
 * struct bench_ops - an operation list
 * @name: what it is, for the output
 * @op: the operations
 * @nops: how many
 * @nids: object ids used
 */
struct bench_ops {
	const char *name;
	struct bench_op *op;
	u32 nops;
	u32 nids;
};

#define BENCH_SERIES		200	/* footprint samples per replay */

/**
 * struct bench_track - footprint of one replay
 * @peak: largest footprint seen, bytes
 * @peak_obj: largest sum of the usable sizes (ksize) of live objects
 * @peak_held: largest count of bytes held: gomalloc's heap pages, idle
 *	ones included; kmalloc's slab and large-kmalloc pages (the node
 *	counter NR_SLAB_UNRECLAIMABLE_B, whole system, approximate)
 * @series: the largest footprint in each window of nops / BENCH_SERIES
 *	operations
 */
struct bench_track {
	unsigned long peak;
	unsigned long peak_obj;
	unsigned long peak_held;
	unsigned long series[BENCH_SERIES + 1];
};

/**
 * struct bench_replay - the state of a replay
 * @ops: the operation list
 * @objs: live objects by id
 * @heap: gomalloc's heap
 * @live: sum of the usable sizes (ksize) of live objects
 * @fails: allocations that failed
 * @slab_base: NR_SLAB_UNRECLAIMABLE_B pages before a kmalloc replay
 */
struct bench_replay {
	const struct bench_ops *ops;
	void **objs;
	struct gom_heap *heap;
	unsigned long live;
	unsigned long fails;
	unsigned long slab_base;
};

static __always_inline void *replay_alloc(enum bench_alloc a,
					  struct bench_replay *rp, size_t size)
{
	if (a == BENCH_GOM)
		return gom_heap_alloc(rp->heap, size, GFP_KERNEL);
	return kmalloc(size, GFP_KERNEL);
}

static size_t bench_ksize(enum bench_alloc a, const void *p)
{
	return a == BENCH_GOM ? gom_ksize(p) : ksize(p);
}

static __always_inline void replay_step(enum bench_alloc a,
					struct bench_replay *rp,
					const struct bench_op *op, bool track)
{
	void **slot = &rp->objs[op->id];

	if (op->size) {
		if (*slot)	/* an id reused while live: free the old one */
			bench_free(a, *slot);
		*slot = replay_alloc(a, rp, op->size);
		rp->fails += !*slot;
		if (track && *slot)
			rp->live += bench_ksize(a, *slot);
		return;
	}
	if (track && *slot)
		rp->live -= bench_ksize(a, *slot);
	bench_free(a, *slot);
	*slot = NULL;
}

static __always_inline void replay_loop(enum bench_alloc a,
					struct bench_replay *rp)
{
	const struct bench_op *op = rp->ops->op;
	u32 i, n = rp->ops->nops;

	for (i = 0; i < n; i++)
		replay_step(a, rp, &op[i], false);
}

static void replay_free_all(enum bench_alloc a, struct bench_replay *rp)
{
	u32 i;

	for (i = 0; i < rp->ops->nids; i++) {
		bench_free(a, rp->objs[i]);
		rp->objs[i] = NULL;
	}
}

static int wl_replay(struct bench_arg *arg, enum bench_alloc a,
		     struct bench_sample *s)
{
	struct bench_replay *rp = arg->data;
	struct bench_clock clk;
	u64 i;

	rp->heap = gom_default_heap();
	rp->fails = 0;
	bench_start(&clk);
	for (i = 0; i < arg->loops; i++) {
		if (a == BENCH_GOM)
			replay_loop(BENCH_GOM, rp);
		else
			replay_loop(BENCH_KMALLOC, rp);
		replay_free_all(a, rp);
	}
	bench_stop(&clk, s, arg->loops * rp->ops->nops);
	return rp->fails ? -ENOMEM : 0;
}

static unsigned long replay_footprint(enum bench_alloc a,
				      struct bench_replay *rp)
{
	struct gom_mheap_info info;

	if (a == BENCH_KMALLOC)
		return rp->live;
	gom_mheap_info(rp->heap, &info);
	return info.inuse_pages << PAGE_SHIFT;
}

static unsigned long replay_held(enum bench_alloc a, struct bench_replay *rp)
{
	struct gom_mheap_info info;
	unsigned long slab;

	if (a == BENCH_KMALLOC) {
		slab = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B);
		return slab > rp->slab_base ?
		       (slab - rp->slab_base) << PAGE_SHIFT : 0;
	}
	gom_mheap_info(rp->heap, &info);
	return (info.sys_pages - info.released_pages) << PAGE_SHIFT;
}

static void replay_tracked(enum bench_alloc a, struct bench_replay *rp,
			   struct bench_track *tr)
{
	const struct bench_ops *ops = rp->ops;
	u32 i, every = max_t(u32, ops->nops / BENCH_SERIES, 1);
	unsigned long fp;

	memset(tr, 0, sizeof(*tr));
	rp->live = 0;
	rp->slab_base = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B);
	for (i = 0; i < ops->nops; i++) {
		replay_step(a, rp, &ops->op[i], true);
		fp = replay_footprint(a, rp);
		tr->peak = max(tr->peak, fp);
		tr->peak_obj = max(tr->peak_obj, rp->live);
		tr->peak_held = max(tr->peak_held, replay_held(a, rp));
		if (i / every <= BENCH_SERIES)
			tr->series[i / every] = max(tr->series[i / every], fp);
	}
	replay_free_all(a, rp);
}

/*
 * Requested bytes live, the same series: needs each live object's size,
 * kept by id in @size. Returns the peak.
 */
static unsigned long replay_requested(const struct bench_ops *ops, u32 *size,
				      struct bench_track *tr)
{
	u32 i, every = max_t(u32, ops->nops / BENCH_SERIES, 1);
	unsigned long live = 0;

	memset(tr, 0, sizeof(*tr));
	for (i = 0; i < ops->nops; i++) {
		const struct bench_op *op = &ops->op[i];

		live -= size[op->id];
		size[op->id] = op->size;
		live += op->size;
		tr->peak = max(tr->peak, live);
		if (i / every <= BENCH_SERIES)
			tr->series[i / every] = max(tr->series[i / every], live);
	}
	return tr->peak;
}

/* tr[]: gomalloc, kmalloc, requested */
static void replay_print(const struct bench_ops *ops, struct bench_track *tr)
{
	u32 i, every = max_t(u32, ops->nops / BENCH_SERIES, 1);
	unsigned long g = tr[BENCH_GOM].peak, k = tr[BENCH_KMALLOC].peak;

	pr_info("footprint trace=%s ops=%u ids=%u peak_requested=%lu gom_peak=%lu kmalloc_peak=%lu ratio_permille=%lu gom_objects_peak=%lu gom_held_peak=%lu kmalloc_slab_peak=%lu\n",
		ops->name, ops->nops, ops->nids, tr[BENCH_NR_ALLOC].peak, g, k,
		k ? g * 1000 / k : 0, tr[BENCH_GOM].peak_obj,
		tr[BENCH_GOM].peak_held, tr[BENCH_KMALLOC].peak_held);
	for (i = 0; i <= BENCH_SERIES && i * every < ops->nops; i++)
		pr_info("series trace=%s op=%u requested=%lu gom=%lu kmalloc=%lu\n",
			ops->name, i * every, tr[BENCH_NR_ALLOC].series[i],
			tr[BENCH_GOM].series[i], tr[BENCH_KMALLOC].series[i]);
}

/* Peak footprint of each allocator, gomalloc in a heap of its own. */
static int replay_measure_footprint(struct bench_replay *rp)
{
	struct bench_track *tr = kvcalloc(BENCH_NR_ALLOC + 1, sizeof(*tr),
					  GFP_KERNEL);
	u32 *size = kvcalloc(rp->ops->nids, sizeof(u32), GFP_KERNEL);
	int err = -ENOMEM;

	rp->heap = gom_heap_create("bench-replay", 0);
	if (tr && size && rp->heap) {
		rp->fails = 0;
		replay_tracked(BENCH_GOM, rp, &tr[BENCH_GOM]);
		replay_tracked(BENCH_KMALLOC, rp, &tr[BENCH_KMALLOC]);
		replay_requested(rp->ops, size, &tr[BENCH_NR_ALLOC]);
		replay_print(rp->ops, tr);
		err = rp->fails ? -ENOMEM : 0;
	}
	if (rp->heap)
		gom_heap_destroy(rp->heap);
	kvfree(size);
	kvfree(tr);
	return err;
}

static int bench_replay_ops(const struct bench_ops *ops)
{
	struct bench_replay rp = { .ops = ops };
	struct bench_arg arg = { .data = &rp };
	char params[64];
	int err = -ENOMEM;

	rp.objs = kvcalloc(ops->nids, sizeof(void *), GFP_KERNEL);
	if (rp.objs) {
		err = replay_measure_footprint(&rp);
		snprintf(params, sizeof(params), "trace=%s", ops->name);
		if (!err && !bench_smoke)
			err = bench_measure("replay", params, wl_replay, &arg);
		kvfree(rp.objs);
	}
	return err;
}

/* === Synthetic lists: a window of live objects, random replacement === */

/*
 * @window objects allocated, then @churn times a random live one freed and
 * a new one allocated under a new id; what is left is freed by the replay.
 */
static void bench_fp_gen(struct bench_ops *ops, u32 *live, u32 window,
			 u32 churn, bool tiny)
{
	u64 st = 0x2545f4914f6cdd1dULL;
	u32 i, n = 0, id = 0, k;

	for (i = 0; i < window; i++) {
		live[i] = id;
		ops->op[n++] = (struct bench_op){ id++, bench_rand_size(&st, tiny) };
	}
	for (i = 0; i < churn; i++) {
		k = bench_rand(&st) % window;
		ops->op[n++] = (struct bench_op){ live[k], 0 };
		live[k] = id;
		ops->op[n++] = (struct bench_op){ id++, bench_rand_size(&st, tiny) };
	}
	ops->nops = n;
	ops->nids = id;
}

static int bench_fp_dist(const char *name, bool tiny)
{
	u32 window = bench_smoke ? 64 : 4096, churn = 4 * window;
	struct bench_ops ops = { .name = name };
	u32 *live = kvcalloc(window, sizeof(u32), GFP_KERNEL);
	int err = -ENOMEM;

	ops.op = kvcalloc(window + 2 * churn, sizeof(*ops.op), GFP_KERNEL);
	if (ops.op && live) {
		bench_fp_gen(&ops, live, window, churn, tiny);
		err = bench_replay_ops(&ops);
	}
	kvfree(live);
	kvfree(ops.op);
	return err;
}

/**
 * bench_footprint() - peak footprint of synthetic operation lists
 *
 * Sizes uniform in 1..8192, and a distribution heavy in tiny objects.
 *
 * Return: 0 or -ENOMEM.
 */
int bench_footprint(void)
{
	int err = bench_fp_dist("uniform8192", false);

	return err ?: bench_fp_dist("tiny", true);
}

/* === A trace's operation list, from a file === */

/* Parse one unsigned decimal field; advances *@p past it. */
static bool bench_parse_u32(const char **p, const char *end, u32 *v)
{
	const char *s = *p;
	u64 x = 0;

	while (s < end && *s == ' ')
		s++;
	if (s == end || *s < '0' || *s > '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9' && x <= U32_MAX)
		x = x * 10 + (*s++ - '0');
	*p = s;
	*v = x;
	return x <= U32_MAX;
}

/* "a ID SIZE" or "f ID": 1; comments and blank lines: 0 (skip). */
static int bench_parse_op(const char *s, const char *end, struct bench_op *op)
{
	const char *p = s + 1;

	if (s == end || *s == '#')
		return 0;
	if (*s != 'a' && *s != 'f')
		return -EINVAL;
	op->size = 0;
	if (!bench_parse_u32(&p, end, &op->id))
		return -EINVAL;
	if (*s == 'f')
		return 1;
	if (!bench_parse_u32(&p, end, &op->size) || !op->size ||
	    op->size > GOM_MAX_ALLOC_SIZE)
		return -EINVAL;
	return 1;
}

static int bench_parse(const char *buf, size_t len, struct bench_ops *ops)
{
	const char *s = buf, *end = buf + len, *eol;
	int r;

	ops->nops = 0;
	ops->nids = 0;
	for (; s < end; s = eol + 1) {
		eol = memchr(s, '\n', end - s) ?: end;
		r = bench_parse_op(s, eol, &ops->op[ops->nops]);
		if (r < 0)
			return r;
		if (!r)
			continue;
		ops->nids = max(ops->nids, ops->op[ops->nops].id + 1);
		ops->nops++;
	}
	return ops->nops ? 0 : -EINVAL;
}

/*
 * The whole of a file, in a kvmalloc()ed buffer. Not kernel_read_file():
 * LSMs (IPE) warn about a read of no known kind, and this is none.
 */
static ssize_t bench_read_file(const char *path, void **bufp)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	loff_t size, pos = 0;
	ssize_t n = -ENOMEM;
	void *buf;

	if (IS_ERR(f))
		return PTR_ERR(f);
	size = i_size_read(file_inode(f));
	buf = size > 0 && size < INT_MAX ? kvmalloc(size, GFP_KERNEL) : NULL;
	while (buf && pos < size) {
		n = kernel_read(f, buf + pos, size - pos, &pos);
		if (n <= 0)
			break;
	}
	fput(f);
	if (buf && pos == size) {
		*bufp = buf;
		return size;
	}
	kvfree(buf);
	return n < 0 ? n : -EIO;
}

/**
 * bench_replay() - replay an operation list read from a file
 * @path: the list, as tools/kmemtrace2ops.py writes it
 *
 * Return: 0, or -errno (unreadable, malformed, no memory).
 */
int bench_replay(const char *path)
{
	struct bench_ops ops = { .name = "kmemtrace" };
	void *buf;
	ssize_t len;
	int err;

	len = bench_read_file(path, &buf);
	if (len < 0) {
		pr_info("replay cannot read %s: %zd\n", path, len);
		return len;
	}
	/* a line is at least 4 bytes: "f 0\n" */
	ops.op = kvcalloc(len / 4 + 1, sizeof(*ops.op), GFP_KERNEL);
	err = ops.op ? bench_parse(buf, len, &ops) : -ENOMEM;
	kvfree(buf);
	if (!err)
		err = bench_replay_ops(&ops);
	else
		pr_info("replay cannot parse %s: %d\n", path, err);
	kvfree(ops.op);
	return err;
}

/* === Parts of the fast path, timed alone === */

/*
 * What one gom_alloc()/gom_free() pair is made of, each part in a loop of
 * its own: where the time of the pair goes, next to kmalloc's ksize().
 */
static noinline void part_irqsave(const void *p, u64 loops)
{
	unsigned long flags;
	u64 i;

	for (i = 0; i < loops; i++) {
		local_irq_save(flags);
		OPTIMIZER_HIDE_VAR(flags);
		local_irq_restore(flags);
	}
}

static noinline void part_rcu(const void *p, u64 loops)
{
	u64 i;

	for (i = 0; i < loops; i++) {
		rcu_read_lock();
		barrier();
		rcu_read_unlock();
	}
}

static noinline void part_virt_addr_valid(const void *p, u64 loops)
{
	u64 i;

	for (i = 0; i < loops; i++) {
		bool v = virt_addr_valid(p);

		OPTIMIZER_HIDE_VAR(v);
		OPTIMIZER_HIDE_VAR(p);
	}
}

static noinline void part_spanof(const void *p, u64 loops)
{
	u64 i;

	for (i = 0; i < loops; i++) {
		struct gom_span *span;

		rcu_read_lock();
		span = gom_spanof(p);
		rcu_read_unlock();
		OPTIMIZER_HIDE_VAR(span);
		OPTIMIZER_HIDE_VAR(p);
	}
}

static noinline void part_gom_ksize(const void *p, u64 loops)
{
	u64 i;

	for (i = 0; i < loops; i++) {
		size_t s = gom_ksize(p);

		OPTIMIZER_HIDE_VAR(s);
		OPTIMIZER_HIDE_VAR(p);
	}
}

static noinline void part_ksize(const void *p, u64 loops)
{
	u64 i;

	for (i = 0; i < loops; i++) {
		size_t s = ksize(p);

		OPTIMIZER_HIDE_VAR(s);
		OPTIMIZER_HIDE_VAR(p);
	}
}

static const struct {
	const char *name;
	void (*fn)(const void *p, u64 loops);
	bool kmalloc;	/* on a kmalloc object, not a gomalloc one */
} bench_parts[] = {
	{ "local_irq_save+restore", part_irqsave },
	{ "rcu_read_lock+unlock", part_rcu },
	{ "virt_addr_valid", part_virt_addr_valid },
	{ "gom_spanof", part_spanof },
	{ "gom_ksize", part_gom_ksize },
	{ "ksize(kmalloc)", part_ksize, true },
};

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void bench_part(unsigned int i, const void *p, u64 loops)
{
	u64 ps[5], mc[5];
	struct bench_clock clk;
	struct bench_sample s;
	unsigned int r;

	bench_parts[i].fn(p, loops / 16);
	for (r = 0; r < ARRAY_SIZE(ps); r++) {
		bench_start(&clk);
		bench_parts[i].fn(p, loops);
		bench_stop(&clk, &s, loops);
		ps[r] = div64_u64(s.ns * 1000, loops);
		mc[r] = div64_u64(s.cycles * 1000, loops);
		cond_resched();
	}
	sort(ps, r, sizeof(*ps), bench_cmp_u64, NULL);
	sort(mc, r, sizeof(*mc), bench_cmp_u64, NULL);
	pr_info("parts name=%s min_ns=%llu.%03llu median_ns=%llu.%03llu min_cycles=%llu median_cycles=%llu\n",
		bench_parts[i].name, ps[0] / 1000, ps[0] % 1000, ps[2] / 1000,
		ps[2] % 1000, DIV_ROUND_CLOSEST_ULL(mc[0], 1000),
		DIV_ROUND_CLOSEST_ULL(mc[2], 1000));
}

/**
 * bench_fastpath_parts() - time the parts of gomalloc's fast path alone
 *
 * On a live 64-byte object of each allocator. Figures include the loop
 * (about one cycle per iteration).
 *
 * Return: 0 or -ENOMEM.
 */
int bench_fastpath_parts(void)
{
	u64 loops = bench_smoke ? 1000 : 1000 * 1000;
	void *g = gom_alloc(64, GFP_KERNEL), *k = kmalloc(64, GFP_KERNEL);
	unsigned int i;

	if (g && k)
		for (i = 0; i < ARRAY_SIZE(bench_parts); i++)
			bench_part(i, bench_parts[i].kmalloc ? k : g, loops);
	gom_free(g);
	kfree(k);
	return g && k ? 0 : -ENOMEM;
}
