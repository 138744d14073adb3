// SPDX-License-Identifier: GPL-2.0
/*
 * Go's runtime/metrics for a heap: /sys/kernel/debug/gomalloc/<heap>/metrics,
 * one metric a line in Go's names ("/kind/path:unit value"), computed from
 * the same counters as memstats (stats.c), so that the two agree when the
 * heap is quiet:
 *
 *	/memory/classes/heap/objects:bytes	HeapAlloc
 *	/memory/classes/heap/unused:bytes	HeapInuse - HeapAlloc
 *	/memory/classes/heap/free:bytes		HeapIdle - HeapReleased
 *	/memory/classes/heap/released:bytes	HeapReleased
 *	/memory/classes/metadata/mcache/inuse:bytes	MCacheInuse
 *	/memory/classes/metadata/mcache/free:bytes	MCacheSys - MCacheInuse
 *	/memory/classes/metadata/mspan/inuse:bytes	MSpanInuse
 *	/memory/classes/metadata/mspan/free:bytes	MSpanSys - MSpanInuse
 *	/memory/classes/metadata/other:bytes	arenas and the heap itself
 *	/memory/classes/total:bytes		Sys, the sum of the classes above
 *	/gc/heap/allocs:bytes, :objects		TotalAlloc, Mallocs
 *	/gc/heap/frees:bytes, :objects		TotalAlloc - HeapAlloc, Frees
 *	/gc/heap/objects:objects		HeapObjects
 *	/gc/heap/tiny/allocs:objects		TinyAllocs
 *
 * and the histograms /gc/heap/allocs-by-size:bytes and frees-by-size, one
 * line per bucket, "NAME [lo, hi) count", with Go's boundaries over the
 * size classes: class sizes plus one (a class of size s holds the objects
 * of s' + 1 .. s bytes, s' the class below), from 1, and large objects in
 * the last bucket, to +Inf. As in Go, the tiny allocator's 16 B blocks
 * count in the 16 B bucket, and its sub-objects only in tiny/allocs.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "gomalloc_internal.h"
#include "metrics.h"

static void gom_metric(struct seq_file *m, const char *name, unsigned long v)
{
	seq_printf(m, "%s %lu\n", name, v);
}

static unsigned long gom_metric_sub(unsigned long a, unsigned long b)
{
	return a > b ? a - b : 0;
}

static void gom_metrics_classes(struct seq_file *m, const struct gom_memstats *ms)
{
	unsigned long other;

	gom_metric(m, "/memory/classes/heap/objects:bytes", ms->heap_alloc);
	gom_metric(m, "/memory/classes/heap/unused:bytes",
		   gom_metric_sub(ms->heap_inuse, ms->heap_alloc));
	gom_metric(m, "/memory/classes/heap/free:bytes",
		   gom_metric_sub(ms->heap_idle, ms->heap_released));
	gom_metric(m, "/memory/classes/heap/released:bytes", ms->heap_released);
	gom_metric(m, "/memory/classes/metadata/mcache/inuse:bytes",
		   ms->mcache_inuse);
	gom_metric(m, "/memory/classes/metadata/mcache/free:bytes",
		   gom_metric_sub(ms->mcache_sys, ms->mcache_inuse));
	gom_metric(m, "/memory/classes/metadata/mspan/inuse:bytes",
		   ms->mspan_inuse);
	gom_metric(m, "/memory/classes/metadata/mspan/free:bytes",
		   gom_metric_sub(ms->mspan_sys, ms->mspan_inuse));
	other = gom_metric_sub(ms->sys, ms->heap_sys + ms->mcache_sys +
			       ms->mspan_sys);
	gom_metric(m, "/memory/classes/metadata/other:bytes", other);
	gom_metric(m, "/memory/classes/total:bytes", ms->sys);
}

static void gom_metrics_gc(struct seq_file *m, const struct gom_memstats *ms)
{
	gom_metric(m, "/gc/heap/allocs:bytes", ms->total_alloc);
	gom_metric(m, "/gc/heap/allocs:objects", ms->mallocs);
	gom_metric(m, "/gc/heap/frees:bytes",
		   gom_metric_sub(ms->total_alloc, ms->heap_alloc));
	gom_metric(m, "/gc/heap/frees:objects", ms->frees);
	gom_metric(m, "/gc/heap/objects:objects", ms->heap_objects);
	gom_metric(m, "/gc/heap/tiny/allocs:objects", ms->tiny_allocs);
}

/*
 * One histogram: a bucket per size class, [size of the class below + 1,
 * size + 1), the tiny blocks in the 16 B one, large objects last.
 */
static void gom_metrics_hist(struct seq_file *m, struct gom_heap *heap,
			     const char *name, bool frees, unsigned long large)
{
	unsigned long counts[GOM_NUM_SIZE_CLASSES], mallocs, nfrees;
	unsigned int spc, sc, lo = 1;

	memset(counts, 0, sizeof(counts));
	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++) {
		gom_read_class_counts(heap, spc, &mallocs, &nfrees);
		sc = spc == GOM_TINY_SPANCLASS ?
		     gom_size_to_class(GOM_TINY_SIZE) :
		     gom_spanclass_sizeclass(spc);
		counts[sc] += frees ? nfrees : mallocs;
	}
	for (sc = 1; sc < GOM_NUM_SIZE_CLASSES; sc++) {
		seq_printf(m, "%s [%u, %u) %lu\n", name, lo,
			   gom_class_to_size[sc] + 1, counts[sc]);
		lo = gom_class_to_size[sc] + 1;
	}
	seq_printf(m, "%s [%u, +Inf) %lu\n", name, lo, large);
}

static int gom_metrics_show(struct seq_file *m, void *v)
{
	struct gom_heap *heap = m->private;
	struct gom_memstats ms;

	gom_read_memstats(heap, &ms);
	gom_metrics_classes(m, &ms);
	gom_metrics_gc(m, &ms);
	gom_metrics_hist(m, heap, "/gc/heap/allocs-by-size:bytes", false,
			 ms.large_allocs);
	gom_metrics_hist(m, heap, "/gc/heap/frees-by-size:bytes", true,
			 ms.large_frees);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gom_metrics);

/**
 * gom_metrics_debugfs_add() - create the heap's "metrics" file
 * @heap: the heap
 * @dir: its debugfs directory
 *
 * Context: Process context, at heap creation.
 */
void gom_metrics_debugfs_add(struct gom_heap *heap, struct dentry *dir)
{
	debugfs_create_file("metrics", 0444, dir, heap, &gom_metrics_fops);
}
