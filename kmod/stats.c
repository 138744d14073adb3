// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics: Go's MemStats and per-class figures in debugfs.
 *
 * /sys/kernel/debug/gomalloc/errors        bad calls per kind, all heaps (report.c)
 * /sys/kernel/debug/gomalloc/fail/         fault injection knobs (fail.c)
 * /sys/kernel/debug/gomalloc/<heap>/       made by heap.c
 *	memstats  "Name: value", runtime.MemStats names
 *	classes   one row per span class (the last, GOM_TINY_SPANCLASS, holds
 *		  the tiny allocator's 16 B blocks)
 *	slabinfo  /proc/slabinfo 2.1 format, one row per span class
 *	mcache    per CPU: objects in free caches, current spans
 *	mheap     arenas and their pages
 *	errors    bad calls and corruptions attributed to this heap, per kind
 *	scavenge  write: drain the mcaches, release empty spans and idle pages
 *		  (heap.c)
 *	validate  read: walk every span, print corruption and a summary line;
 *		  write: the same walk, reported to the kernel log and counted
 *		  (heap.c, validate.c)
 *	profile   the sampled allocation profile per call stack (profile.c)
 *	profile_stacks  the same with the stacks, for tools/gomprof (profile.c)
 *	metrics   Go's runtime/metrics (metrics.c)
 *
 * Counters are per CPU and summed on read; the figures are exact when the
 * heap is quiet. Only the mheap view takes a lock (the mheap's, briefly).
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "gomalloc_internal.h"

/* === Summing === */

/**
 * struct gom_class_stats - one span class summed over CPUs
 * @mallocs: objects handed out
 * @frees: objects freed
 * @refills: mcache refills
 * @flushes: mcache flushes
 * @cached: objects in free caches
 */
struct gom_class_stats {
	unsigned long mallocs;
	unsigned long frees;
	unsigned long refills;
	unsigned long flushes;
	unsigned long cached;
};

/* One span class's counters summed over CPUs; racy, exact when quiet. */
static void gom_class_stats(struct gom_heap *heap, unsigned int spc,
			    struct gom_class_stats *st)
{
	struct gom_mcache_class *cc;
	struct gom_mcache *c;
	int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(heap->mcache, cpu);
		cc = &c->cls[spc];
		/* the owner's counts and the nested contexts' */
		st->mallocs += READ_ONCE(cc->mallocs) +
			       READ_ONCE(c->nested_mallocs[spc]);
		st->frees += READ_ONCE(cc->frees) +
			     READ_ONCE(c->nested_frees[spc]);
		st->refills += READ_ONCE(cc->refills);
		st->flushes += READ_ONCE(cc->flushes);
		st->cached += READ_ONCE(cc->nfree);
	}
}

/**
 * gom_read_class_counts() - one span class's objects allocated and freed
 * @heap: the heap
 * @spc: the span class (GOM_TINY_SPANCLASS: tiny blocks)
 * @mallocs: set to the objects handed out
 * @frees: set to the objects freed
 *
 * Context: Any context; racy, exact when the heap is quiet.
 */
void gom_read_class_counts(struct gom_heap *heap, unsigned int spc,
			   unsigned long *mallocs, unsigned long *frees)
{
	struct gom_class_stats st;

	gom_class_stats(heap, spc, &st);
	*mallocs = st.mallocs;
	*frees = st.frees;
}

static unsigned long gom_live(unsigned long in, unsigned long out)
{
	return in > out ? in - out : 0;
}

static void gom_sum_classes(struct gom_heap *heap, struct gom_memstats *ms)
{
	struct gom_class_stats st;
	unsigned long size;
	unsigned int spc;

	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++) {
		gom_class_stats(heap, spc, &st);
		size = gom_spanclass_size(spc);
		ms->heap_alloc += gom_live(st.mallocs, st.frees) * size;
		ms->total_alloc += st.mallocs * size;
		if (spc == GOM_TINY_SPANCLASS)
			continue;	/* blocks, not objects */
		ms->mallocs += st.mallocs;
		ms->frees += st.frees;
	}
}

static void gom_sum_cpus(struct gom_heap *heap, struct gom_memstats *ms)
{
	unsigned long tiny_frees = 0, lbytes = 0, lfreed = 0;
	struct gom_mcache *c;
	int cpu;

	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(heap->mcache, cpu);
		ms->tiny_allocs += READ_ONCE(c->tiny_allocs) +
				   READ_ONCE(c->nested_tiny_allocs);
		tiny_frees += READ_ONCE(c->tiny_frees);
		ms->large_allocs += READ_ONCE(c->large_allocs);
		ms->large_frees += READ_ONCE(c->large_frees);
		lbytes += READ_ONCE(c->large_bytes_alloc);
		lfreed += READ_ONCE(c->large_bytes_freed);
	}
	ms->mallocs += ms->tiny_allocs + ms->large_allocs;
	ms->frees += tiny_frees + ms->large_frees;
	ms->heap_alloc += gom_live(lbytes, lfreed);
	ms->total_alloc += lbytes;
}

/**
 * gom_read_memstats() - Go's runtime.MemStats for a heap
 * @heap: the heap
 * @ms: filled in
 *
 * Mallocs and Frees count what callers asked for (tiny sub-objects
 * included); HeapObjects = Mallocs - Frees. Byte figures count tiny blocks
 * at 16 B, as Go does.
 *
 * Context: Any context; takes the mheap lock briefly.
 */
void gom_read_memstats(struct gom_heap *heap, struct gom_memstats *ms)
{
	struct gom_mheap_info info;

	memset(ms, 0, sizeof(*ms));
	gom_sum_classes(heap, ms);
	gom_sum_cpus(heap, ms);
	ms->heap_objects = gom_live(ms->mallocs, ms->frees);
	ms->alloc = ms->heap_alloc;

	gom_mheap_info(heap, &info);
	ms->heap_sys = info.sys_pages << PAGE_SHIFT;
	ms->heap_inuse = info.inuse_pages << PAGE_SHIFT;
	ms->heap_idle = (info.idle_pages + info.released_pages) << PAGE_SHIFT;
	ms->heap_released = info.released_pages << PAGE_SHIFT;
	ms->mspan_inuse = info.nr_spans * sizeof(struct gom_span);
	ms->mspan_sys = ms->mspan_inuse;
	ms->mcache_inuse = num_possible_cpus() * sizeof(struct gom_mcache);
	ms->mcache_sys = ms->mcache_inuse;
	ms->sys = ms->heap_sys + ms->mspan_sys + ms->mcache_sys +
		  info.nr_arenas * sizeof(struct gom_arena) + sizeof(*heap);
}
EXPORT_SYMBOL_NS_GPL(gom_read_memstats, GOM_INTERNAL_NS);

/* === memstats, classes, slabinfo === */

static int gom_memstats_show(struct seq_file *m, void *v)
{
	struct gom_memstats ms;

	gom_read_memstats(m->private, &ms);
	seq_printf(m, "Alloc: %lu\nTotalAlloc: %lu\nSys: %lu\n",
		   ms.alloc, ms.total_alloc, ms.sys);
	seq_printf(m, "Mallocs: %lu\nFrees: %lu\n", ms.mallocs, ms.frees);
	seq_printf(m, "HeapAlloc: %lu\nHeapSys: %lu\nHeapIdle: %lu\n",
		   ms.heap_alloc, ms.heap_sys, ms.heap_idle);
	seq_printf(m, "HeapInuse: %lu\nHeapReleased: %lu\nHeapObjects: %lu\n",
		   ms.heap_inuse, ms.heap_released, ms.heap_objects);
	seq_printf(m, "MSpanInuse: %lu\nMSpanSys: %lu\n",
		   ms.mspan_inuse, ms.mspan_sys);
	seq_printf(m, "MCacheInuse: %lu\nMCacheSys: %lu\n",
		   ms.mcache_inuse, ms.mcache_sys);
	seq_printf(m, "TinyAllocs: %lu\nLargeAllocs: %lu\nLargeFrees: %lu\n",
		   ms.tiny_allocs, ms.large_allocs, ms.large_frees);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gom_memstats);

static unsigned long gom_spans_inuse(struct gom_mcentral *c)
{
	return READ_ONCE(c->nr_partial) + READ_ONCE(c->nr_full) +
	       READ_ONCE(c->nr_cached);
}

static int gom_classes_show(struct seq_file *m, void *v)
{
	struct gom_heap *heap = m->private;
	struct gom_class_stats st;
	unsigned int spc, sc;

	seq_printf(m, "# class %u holds the tiny allocator's 16 B blocks\n",
		   GOM_TINY_SPANCLASS);
	seq_puts(m, "class bytes/obj pages/span objs/span spans_inuse objs_inuse mallocs frees refills flushes\n");
	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++) {
		sc = gom_spanclass_sizeclass(spc);
		gom_class_stats(heap, spc, &st);
		seq_printf(m, "%5u %9u %10u %9u %11lu %10lu %7lu %5lu %7lu %7lu\n",
			   spc, gom_spanclass_size(spc), gom_class_to_npages[sc],
			   gom_class_to_nobjs[sc],
			   gom_spans_inuse(&heap->central[spc]),
			   gom_live(st.mallocs, st.frees), st.mallocs,
			   st.frees, st.refills, st.flushes);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gom_classes);

static int gom_slabinfo_show(struct seq_file *m, void *v)
{
	struct gom_heap *heap = m->private;
	struct gom_class_stats st;
	unsigned int spc, sc;
	unsigned long spans;
	char name[48];

	seq_puts(m, "slabinfo - version: 2.1\n");
	seq_puts(m, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++) {
		sc = gom_spanclass_sizeclass(spc);
		gom_class_stats(heap, spc, &st);
		spans = gom_spans_inuse(&heap->central[spc]);
		snprintf(name, sizeof(name), "gom-%s-%s%u", heap->name,
			 spc == GOM_TINY_SPANCLASS ? "tiny" : "",
			 gom_spanclass_size(spc));
		seq_printf(m, "%-17s %6lu %6lu %6u %4u %4u : tunables %4u %4u %4u : slabdata %6lu %6lu %6u\n",
			   name, gom_live(st.mallocs, st.frees),
			   spans * gom_class_to_nobjs[sc],
			   gom_spanclass_size(spc), gom_class_to_nobjs[sc],
			   gom_class_to_npages[sc], gom_fc_cap[spc],
			   gom_fc_cap[spc] / 2, 0, spans, spans, 0);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gom_slabinfo);

/* === mcache, mheap, errors === */

static void gom_mcache_show_cpu(struct seq_file *m, struct gom_heap *heap,
				int cpu)
{
	struct gom_mcache *c = per_cpu_ptr(heap->mcache, cpu);
	unsigned long objs = 0, spans = 0, nallocs = 0, nfrees = 0;
	unsigned int spc, n;

	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++) {
		objs += READ_ONCE(c->cls[spc].nfree);
		spans += !!READ_ONCE(c->cls[spc].span);
		nallocs += READ_ONCE(c->nested_mallocs[spc]);
		nfrees += READ_ONCE(c->nested_frees[spc]);
	}
	seq_printf(m, "cpu %d online %d objects %lu spans %lu tiny_block %d nested_allocs %lu nested_frees %lu\n",
		   cpu, cpu_online(cpu), objs, spans,
		   !!READ_ONCE(c->tiny.block), nallocs, nfrees);
	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++) {
		n = READ_ONCE(c->cls[spc].nfree);
		if (n || READ_ONCE(c->cls[spc].span))
			seq_printf(m, "  class %u objects %u span %d\n", spc, n,
				   !!READ_ONCE(c->cls[spc].span));
	}
}

static int gom_mcache_show(struct seq_file *m, void *v)
{
	int cpu;

	for_each_possible_cpu(cpu)
		gom_mcache_show_cpu(m, m->private, cpu);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gom_mcache);

static int gom_mheap_show(struct seq_file *m, void *v)
{
	struct gom_heap *heap = m->private;
	struct gom_mheap_info info;

	gom_mheap_info(heap, &info);
	seq_printf(m, "arenas: %lu\narena_order: %u\n", info.nr_arenas,
		   GOM_ARENA_ORDER);
	seq_printf(m, "pages_inuse: %lu\npages_idle: %lu\npages_released: %lu\n",
		   info.inuse_pages, info.idle_pages, info.released_pages);
	seq_printf(m, "pages_direct: %lu\nlargest_free_run: %lu\nspans: %lu\n",
		   info.direct_pages, info.longest, info.nr_spans);
	gom_mheap_show_arenas(heap, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gom_mheap);

static int gom_heap_errors_show(struct seq_file *m, void *v)
{
	struct gom_heap *heap = m->private;

	gom_report_show(m, heap->errors);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gom_heap_errors);

/* === The heap's directory === */

/**
 * gom_stats_debugfs_add() - create a heap's statistics files
 * @heap: the heap
 * @dir: its debugfs directory
 *
 * Context: Process context, at heap creation.
 */
void gom_stats_debugfs_add(struct gom_heap *heap, struct dentry *dir)
{
	debugfs_create_file("memstats", 0444, dir, heap, &gom_memstats_fops);
	debugfs_create_file("classes", 0444, dir, heap, &gom_classes_fops);
	debugfs_create_file("slabinfo", 0444, dir, heap, &gom_slabinfo_fops);
	debugfs_create_file("mcache", 0444, dir, heap, &gom_mcache_fops);
	debugfs_create_file("mheap", 0444, dir, heap, &gom_mheap_fops);
	debugfs_create_file("errors", 0444, dir, heap, &gom_heap_errors_fops);
}
