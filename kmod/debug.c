// SPDX-License-Identifier: GPL-2.0
/*
 * Hardening and debug mode: free markers checked when an object leaves a
 * free cache, poison and red zones of debug heaps, quarantine of corrupted
 * objects, the validate walk and fault injection; see gomalloc_internal.h.
 *
 * Slot of a debug class (elemsize E, red zone RZ = GOM_REDZONE):
 *   free:      [0, 8) marker | [8, E - RZ) POISON_FREE | [E - RZ, E) 0xcc
 *   allocated: [0, size) caller's bytes | [size, E) SLUB_RED_ACTIVE (0xcc)
 * The last RZ bytes hold 0xcc in both states, so that the validate walk can
 * check them on a live heap without racing with allocations and frees.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/kmemleak.h>
#include <linux/poison.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gomalloc_internal.h"

/* === Fault injection === */

static DECLARE_FAULT_ATTR(gom_fail_attr);

/**
 * gom_fail_attr_get() - gomalloc's fault_attr, for tests
 *
 * Context: Any context.
 * Return: the attribute behind /sys/kernel/debug/gomalloc/fail.
 */
struct fault_attr *gom_fail_attr_get(void)
{
	return &gom_fail_attr;
}
EXPORT_SYMBOL_NS_GPL(gom_fail_attr_get, GOM_INTERNAL_NS);

/**
 * gom_should_fail() - fault injection point of every allocation gomalloc
 *	makes for itself (pages and metadata)
 * @size: bytes asked for
 * @gfp: the flags of the allocation; __GFP_NOFAIL is never failed
 *
 * Context: Any context.
 * Return: true if the allocation must fail.
 */
bool gom_should_fail(size_t size, gfp_t gfp)
{
	if (gfp & __GFP_NOFAIL)
		return false;
	return should_fail(&gom_fail_attr, size);
}

/**
 * gom_fail_init() - set fault injection up: /sys/kernel/debug/gomalloc/fail/
 * @param: "<interval>,<probability>,<space>,<times>" from the module
 *	parameter "fail", or NULL
 *
 * Context: Process context, module init, after gom_debugfs_init().
 * Return: 0, or -EINVAL for a malformed @param.
 */
int gom_fail_init(const char *param)
{
#ifdef CONFIG_FAULT_INJECTION
	/* one line per injected failure, no stack dump: that is a report */
	gom_fail_attr.verbose = 1;
	if (param && !setup_fault_attr(&gom_fail_attr, (char *)param))
		return -EINVAL;
#endif
	/* ERR_PTR without CONFIG_FAULT_INJECTION_DEBUG_FS: nothing to undo */
	fault_create_debugfs_attr("fail", gom_debugfs_root, &gom_fail_attr);
	return 0;
}

/* === Reports === */

/* One rate-limited line: what, where, the first bad byte. */
static void gom_report_bytes(struct gom_heap *heap, enum gom_error kind,
			     const void *obj, const u8 *bad, u8 want,
			     unsigned long caller)
{
	gom_count_error(heap, kind);
	if (caller)
		pr_err_ratelimited("%s: object 0x%p (heap %s) byte %ld is 0x%02x not 0x%02x, found on free by %pS\n",
				   gom_error_names[kind], obj, heap->name,
				   (long)(bad - (const u8 *)obj), *bad, want,
				   (void *)caller);
	else
		pr_err_ratelimited("%s: object 0x%p (heap %s) byte %ld is 0x%02x not 0x%02x, found on allocation\n",
				   gom_error_names[kind], obj, heap->name,
				   (long)(bad - (const u8 *)obj), *bad, want);
}

/* === Spans of debug heaps === */

/**
 * gom_span_debug_init() - give a span of a debug heap its size array
 * @span: a fresh small span
 * @gfp: the caller's flags
 *
 * Context: Any context allowed by @gfp.
 * Return: 0 or -ENOMEM.
 */
int gom_span_debug_init(struct gom_span *span, gfp_t gfp)
{
	size_t bytes = struct_size(span->debug, size, span->nelems);

	if (gom_should_fail(bytes, gfp))
		return -ENOMEM;
	span->debug = kzalloc(bytes, gom_meta_gfp(gfp));
	if (!span->debug)
		return -ENOMEM;
	/* only a span points to it, and span structs are not tracked */
	kmemleak_ignore(span->debug);
	return 0;
}

static void gom_slot_poison(struct gom_heap *heap, void *obj,
			    unsigned int elemsize)
{
	memset(obj + sizeof(long), POISON_FREE,
	       elemsize - sizeof(long) - GOM_REDZONE);
	memset(obj + elemsize - GOM_REDZONE, SLUB_RED_ACTIVE, GOM_REDZONE);
	*(unsigned long *)obj = gom_free_marker(heap, obj);
}

/**
 * gom_span_poison() - put every slot of a fresh debug span in the free state
 * @heap: the heap
 * @span: a span not yet published
 *
 * Context: Any context.
 */
void gom_span_poison(struct gom_heap *heap, struct gom_span *span)
{
	unsigned int i;

	for (i = 0; i < span->nelems; i++)
		gom_slot_poison(heap, gom_span_obj(span, i), span->elemsize);
}

/* === Hand-out checks (mcache lock held) === */

/**
 * gom_obj_check_free() - check a free object about to be handed out
 * @heap: the heap
 * @obj: the object
 * @elemsize: its class size
 * @cached: it comes from a free cache (so it holds a free marker)
 *
 * A cached object's free marker must be intact (freelist hardening); in a
 * debug heap every free slot's marker, poison and red zone must be.
 * Corruption is reported and counted; the caller quarantines the object.
 *
 * Context: the mcache lock held.
 * Return: true if the object may be handed out.
 */
bool gom_obj_check_free(struct gom_heap *heap, void *obj,
			unsigned int elemsize, bool cached)
{
	bool debug = gom_debug_class(heap, elemsize);
	unsigned int poison = elemsize - sizeof(long) - GOM_REDZONE;
	u8 *bad;

	if (!debug && !cached)
		return true;
	if (*(unsigned long *)obj != gom_free_marker(heap, obj)) {
		gom_count_error(heap, GOM_ERR_FREELIST);
		pr_err_ratelimited("%s: object 0x%p (heap %s) free marker overwritten, found on allocation\n",
				   gom_error_names[GOM_ERR_FREELIST], obj,
				   heap->name);
		return false;
	}
	if (!debug)
		return true;
	bad = memchr_inv(obj + sizeof(long), POISON_FREE, poison);
	if (bad) {
		gom_report_bytes(heap, GOM_ERR_POISON, obj, bad, POISON_FREE, 0);
		return false;
	}
	bad = memchr_inv(obj + elemsize - GOM_REDZONE, SLUB_RED_ACTIVE,
			 GOM_REDZONE);
	if (bad) {
		gom_report_bytes(heap, GOM_ERR_REDZONE, obj, bad,
				 SLUB_RED_ACTIVE, 0);
		return false;
	}
	return true;
}

/**
 * gom_obj_quarantine() - take a corrupted free object out of circulation
 * @heap: the heap
 * @obj: the object, off every free cache
 * @elemsize: its class size
 *
 * It may still be written by whoever corrupted it, or be live already (a
 * double free whose marker was overwritten, then handed out once), so it
 * is never handed out again and its first words are left alone: its slot
 * stays allocated and its span is kept until the heap is destroyed. The
 * red zone tail is restored so that validate does not report it again.
 *
 * Context: the mcache lock held.
 */
void gom_obj_quarantine(struct gom_heap *heap, void *obj,
			unsigned int elemsize)
{
	if (gom_debug_class(heap, elemsize))
		memset(obj + elemsize - GOM_REDZONE, SLUB_RED_ACTIVE,
		       GOM_REDZONE);
}

/* === Allocation and free in debug classes === */

static struct gom_span *gom_debug_slot(const void *obj, unsigned int *idx)
{
	struct gom_span *span;

	rcu_read_lock();
	span = gom_lookup_span(obj);
	rcu_read_unlock();
	/* the caller owns @obj, so its span is live and not a tiny one */
	if (WARN_ON_ONCE(!span || !span->debug ||
			 !gom_span_index(span, obj, idx)))
		return NULL;
	return span;
}

/* Record @size as the object's size and red-zone the rest of the slot. */
static void gom_debug_set_size(struct gom_span *span, unsigned int idx,
			       void *obj, size_t size)
{
	WRITE_ONCE(span->debug->size[idx], size);
	memset(obj + size, SLUB_RED_ACTIVE, span->elemsize - size);
}

/**
 * gom_debug_alloc() - set a debug-class object up for its caller
 * @heap: the heap
 * @obj: the object, checked free by gom_obj_check_free()
 * @size: the bytes asked for
 * @gfp: the caller's flags (__GFP_ZERO)
 *
 * Bytes the caller did not ask to be zeroed keep POISON_FREE, as SLUB does.
 *
 * Context: Any context; the caller owns @obj.
 */
void gom_debug_alloc(struct gom_heap *heap, void *obj, size_t size, gfp_t gfp)
{
	struct gom_span *span;
	unsigned int idx;

	*(unsigned long *)obj = 0;
	if (want_init_on_alloc(gfp))
		memset(obj, 0, size);
	span = gom_debug_slot(obj, &idx);
	if (span)
		gom_debug_set_size(span, idx, obj, size);
}

/**
 * gom_debug_free() - check a debug-class object's red zone and poison it
 * @heap: the heap
 * @span: its span
 * @idx: its index
 * @obj: the object, a validated live object of a debug class
 * @caller: reported with an overwritten red zone
 *
 * An overwritten red zone is reported and repaired; the object is freed all
 * the same (the overflow is its owner's, the slot itself is sound).
 *
 * Context: Any context, under rcu_read_lock().
 */
void gom_debug_free(struct gom_heap *heap, struct gom_span *span,
		    unsigned int idx, void *obj, unsigned long caller)
{
	unsigned int size = READ_ONCE(span->debug->size[idx]);
	u8 *bad;

	if (size > span->elemsize - GOM_REDZONE)
		size = span->elemsize - GOM_REDZONE;
	bad = memchr_inv(obj + size, SLUB_RED_ACTIVE, span->elemsize - size);
	if (bad)
		gom_report_bytes(heap, GOM_ERR_REDZONE, obj, bad,
				 SLUB_RED_ACTIVE, caller);
	/* the marker is written last, when the object is pushed */
	memset(obj + sizeof(long), POISON_FREE,
	       span->elemsize - sizeof(long) - GOM_REDZONE);
	memset(obj + span->elemsize - GOM_REDZONE, SLUB_RED_ACTIVE,
	       GOM_REDZONE);
}

/**
 * gom_debug_resize() - a debug-class object's caller may now use @size bytes
 * @span: its span
 * @obj: the object
 * @size: at most elemsize - GOM_REDZONE
 *
 * gom_ksize() hands the whole usable size out and gom_realloc() may keep an
 * object in place: the red zone then starts at the new size (SLUB's
 * skip_orig_size_check()).
 *
 * Context: Any context, under rcu_read_lock(); the caller owns @obj (a
 * free one is left alone).
 */
void gom_debug_resize(struct gom_span *span, void *obj, size_t size)
{
	struct gom_heap *heap = READ_ONCE(span->heap);
	unsigned int idx;

	/* a free object keeps its poison: gom_ksize() after free must not */
	if (!heap || !span->debug || !gom_span_index(span, obj, &idx) ||
	    !gom_span_slot_allocated(span, idx) ||
	    *(unsigned long *)obj == gom_free_marker(heap, obj))
		return;
	gom_debug_set_size(span, idx, obj, size);
}

/* === Validate === */

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
	    span->spanclass == GOM_TINY_SPANCLASS)
		return;
	for (i = 0; i < span->nelems; i++)
		gom_validate_slot(v, span, i);
}

static void gom_validate_central(struct gom_vctx *v, struct gom_mcentral *c)
{
	struct gom_span *span;

	/* the lists' spans are uncached: their bits are exact under the lock */
	spin_lock_irq(&c->lock);
	list_for_each_entry(span, &c->partial, list)
		gom_validate_span(v, span);
	list_for_each_entry(span, &c->full, list)
		gom_validate_span(v, span);
	spin_unlock_irq(&c->lock);
}

/**
 * gom_heap_validate() - walk every span of a heap and report corruption
 * @heap: the heap
 * @m: a debugfs read to print to, or NULL: print to the kernel log and
 *	count what is found in the errors files
 *
 * Drains the mcaches first so that free objects are back in their spans,
 * then checks each span under its mcentral lock: object counts and lookup
 * entries; in debug heaps, every free slot's marker, poison and red zone
 * and every allocated slot's red zone tail. Spans an mcache takes again
 * meanwhile are skipped. Large spans: their lookup entries.
 *
 * Context: Process context; sleeps (drains every CPU).
 * Return: the number of corruptions found.
 */
long gom_heap_validate(struct gom_heap *heap, struct seq_file *m)
{
	struct gom_vctx v = { .heap = heap, .m = m };
	struct gom_span *span;
	unsigned int spc;

	gom_mcache_drain_all(heap);
	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++)
		gom_validate_central(&v, &heap->central[spc]);
	spin_lock_irq(&heap->mheap.lock);
	list_for_each_entry(span, &heap->mheap.large, list)
		gom_validate_lookup(&v, span);
	spin_unlock_irq(&heap->mheap.lock);
	if (m)
		seq_printf(m, "validate: heap %s spans %lu objects %lu free %lu errors %ld\n",
			   heap->name, v.spans, v.objs, v.free, v.errors);
	else
		pr_info("validate: heap %s spans %lu objects %lu free %lu errors %ld\n",
			heap->name, v.spans, v.objs, v.free, v.errors);
	return v.errors;
}
EXPORT_SYMBOL_NS_GPL(gom_heap_validate, GOM_INTERNAL_NS);
