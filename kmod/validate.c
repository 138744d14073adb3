// SPDX-License-Identifier: GPL-2.0
/*
 * Validate: walk every span of a heap and report corruption, SLUB's
 * validate for gomalloc (debugfs "validate", gom_heap_validate()).
 *
 * Reports are SLUB-style, "BUG gomalloc-<heap>-<size> (validate): ..."
 * with INFO lines. Slot of a debug class (elemsize E, red zone RZ =
 * GOM_REDZONE):
 *   free:      [0, 8) marker | [8, E - RZ) POISON_FREE | [E - RZ, E) 0xcc
 *   allocated: [0, size) caller's bytes | [size, E) SLUB_RED_ACTIVE (0xcc)
 * The last RZ bytes hold 0xcc in both states, so that the walk can check
 * them on a live heap without racing with allocations and frees.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/poison.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gomalloc_internal.h"

/**
 * struct gom_vctx - one validate walk
 * @heap: the heap walked
 * @m: where reports go: a debugfs read, or NULL for the kernel log
 * @errors: corruptions found
 * @spans: spans walked
 * @objs: slots walked
 * @free: free slots walked
 */
struct gom_vctx {
	struct gom_heap *heap;
	struct seq_file *m;
	long errors;
	unsigned long spans;
	unsigned long objs;
	unsigned long free;
};

static __printf(2, 3) void gom_vprint(struct gom_vctx *v, const char *fmt,
				      ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (v->m)
		seq_printf(v->m, "%pV\n", &vaf);
	else
		pr_err("%pV\n", &vaf);
	va_end(args);
}

/* A SLUB-style report: "BUG <cache> (validate): <what>" and INFO lines. */
static void gom_vbug(struct gom_vctx *v, struct gom_span *span,
		     enum gom_error kind, const char *what)
{
	v->errors++;
	/* a debugfs read may be retried by seq_file: count on writes only */
	if (!v->m)
		gom_count_error(v->heap, kind);
	gom_vprint(v, "BUG gomalloc-%s-%u (validate): %s", v->heap->name,
		   span->elemsize, what);
	gom_vprint(v, "INFO: Span 0x%p pages=%u objects=%u used=%u",
		   (void *)span->base, span->npages, span->nelems,
		   span->alloc_count);
}

static void gom_vbytes(struct gom_vctx *v, struct gom_span *span, void *obj,
		       unsigned int from, unsigned int len, u8 want,
		       enum gom_error kind, const char *what)
{
	u8 *bad = memchr_inv(obj + from, want, len);
	u8 *end = obj + from + len;

	if (!bad)
		return;
	while (end > bad && end[-1] == want)
		end--;
	gom_vbug(v, span, kind, what);
	gom_vprint(v, "INFO: 0x%p-0x%p @offset=%ld. First byte 0x%x instead of 0x%x",
		   bad, end - 1, (long)(bad - (u8 *)obj), *bad, want);
	gom_vprint(v, "INFO: Object 0x%p @offset=%lu",
		   obj, (unsigned long)obj - span->base);
}

static void gom_validate_free_slot(struct gom_vctx *v, struct gom_span *span,
				   void *obj)
{
	unsigned int e = span->elemsize;

	if (*(unsigned long *)obj != gom_free_marker(v->heap, obj)) {
		gom_vbug(v, span, GOM_ERR_FREELIST, "Free marker overwritten");
		gom_vprint(v, "INFO: Object 0x%p @offset=%lu",
			   obj, (unsigned long)obj - span->base);
		return;
	}
	gom_vbytes(v, span, obj, sizeof(long), e - sizeof(long) - GOM_REDZONE,
		   POISON_FREE, GOM_ERR_POISON, "Poison overwritten");
	gom_vbytes(v, span, obj, e - GOM_REDZONE, GOM_REDZONE, SLUB_RED_ACTIVE,
		   GOM_ERR_REDZONE, "Redzone overwritten");
}

static void gom_validate_slot(struct gom_vctx *v, struct gom_span *span,
			      unsigned int idx)
{
	void *obj = gom_span_obj(span, idx);
	unsigned long marker = gom_free_marker(v->heap, obj);
	unsigned long word = *(unsigned long *)obj;
	unsigned int e = span->elemsize;

	v->objs++;
	if (!test_bit(idx, span->alloc_bits)) {
		v->free++;
		gom_validate_free_slot(v, span, obj);
		return;
	}
	/* in use, or in a free cache (marker): only the tail is stable */
	if (word != marker)
		gom_vbytes(v, span, obj, e - GOM_REDZONE, GOM_REDZONE,
			   SLUB_RED_ACTIVE, GOM_ERR_REDZONE,
			   "Redzone overwritten");
}

/* Every page of @span must look up to it. */
static void gom_validate_lookup(struct gom_vctx *v, struct gom_span *span)
{
	bool ok = true;
	unsigned int i;

	v->spans++;
	rcu_read_lock();
	for (i = 0; i < span->npages; i++)
		ok &= gom_spanof((void *)span->base + i * PAGE_SIZE) == span;
	rcu_read_unlock();
	if (!ok)
		gom_vbug(v, span, GOM_ERR_FREELIST, "Lookup entry wrong");
}

/* A small span: lookup, object count, and the slots of debug classes. */
static void gom_validate_span(struct gom_vctx *v, struct gom_span *span)
{
	unsigned int i, used = bitmap_weight(span->alloc_bits, span->nelems);

	gom_validate_lookup(v, span);
	if (used != span->alloc_count)
		gom_vbug(v, span, GOM_ERR_FREELIST, "Wrong object count");
	if (!gom_debug_class(v->heap, span->elemsize) ||
	    span->spc == GOM_TINY_SPANCLASS)
		return;
	for (i = 0; i < span->nelems; i++)
		gom_validate_slot(v, span, i);
}

static void gom_validate_small(struct gom_span *span, void *arg)
{
	gom_validate_span(arg, span);
}

static void gom_validate_large(struct gom_span *span, void *arg)
{
	gom_validate_lookup(arg, span);
}

/**
 * gom_validate_walk() - walk every listed span of a heap, report corruption
 * @heap: the heap, its mcaches drained by the caller (gom_heap_validate())
 *	so that free objects are back in their spans
 * @m: a debugfs read to print to, or NULL: print to the kernel log and
 *	count what is found in the errors files
 *
 * Each small span is checked under its mcentral lock, where its bits are
 * exact: object counts and lookup entries; in debug heaps, every free
 * slot's marker, poison and red zone and every allocated slot's red zone
 * tail. Spans an mcache takes again meanwhile are skipped. Large spans:
 * their lookup entries, under the mheap lock.
 *
 * Context: Process context; takes mcentral and mheap locks.
 * Return: the number of corruptions found.
 */
long gom_validate_walk(struct gom_heap *heap, struct seq_file *m)
{
	struct gom_vctx v = { .heap = heap, .m = m };
	unsigned int spc;

	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++)
		gom_mcentral_walk(&heap->central[spc], gom_validate_small, &v);
	gom_mheap_walk_large(heap, gom_validate_large, &v);
	if (m)
		seq_printf(m, "validate: heap %s spans %lu objects %lu free %lu errors %ld\n",
			   heap->name, v.spans, v.objs, v.free, v.errors);
	else
		pr_info("validate: heap %s spans %lu objects %lu free %lu errors %ld\n",
			heap->name, v.spans, v.objs, v.free, v.errors);
	return v.errors;
}
