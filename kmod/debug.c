// SPDX-License-Identifier: GPL-2.0
/*
 * Hardening and debug mode: checks that any component may call, reports
 * through report.c.
 *
 * Hardening: every small object pushed on a free cache gets a free marker
 * in its first word, SLAB_FREELIST_HARDENED style: heap key ^ swab64(slot
 * address) (the free caches are arrays outside the objects, so there is
 * no next pointer to encode). A free that finds it is a double free; an
 * allocation that pops an object whose marker changed found a write after
 * free: reported, counted ("freelist") and the object quarantined: never
 * handed out again, its slot left allocated.
 *
 * Debug mode (GOM_HEAP_DEBUG, gomalloc.debug=1 for the default heap): no
 * tiny packing; a request takes the class that fits size + GOM_REDZONE;
 * the requested size is kept per object (struct gom_span_debug, outside
 * the pages); [size, elemsize) holds 0xcc and is checked on free
 * ("redzone", repaired, the object freed); freed objects are poisoned
 * (POISON_FREE) and checked when handed out again ("poison",
 * quarantined). The validate walk is validate.c's.
 *
 * Slot of a debug class (elemsize E, red zone RZ = GOM_REDZONE):
 *   free:      [0, 8) marker | [8, E - RZ) POISON_FREE | [E - RZ, E) 0xcc
 *   allocated: [0, size) caller's bytes | [size, E) SLUB_RED_ACTIVE (0xcc)
 * The last RZ bytes hold 0xcc in both states, so that the validate walk can
 * check them on a live heap without racing with allocations and frees.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/poison.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gomalloc_internal.h"

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
	/* only a span points to it, and span structs are not tracked */
	span->debug = gom_meta_zalloc(struct_size(span->debug, size,
						  span->nelems), gfp);
	if (!span->debug)
		return -ENOMEM;
	bitmap_fill(span->debug->free, span->nelems);
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

/* === Hand-out checks (the mcache owned, or the nested path) === */

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
 * Context: Any context; the mcache owned, or on the nested path.
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
	if (gom_marker_word(obj) != gom_free_marker(heap, obj)) {
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
 * Context: Any context; the mcache owned, or on the nested path.
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
	span = gom_spanof(obj);
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
	if (!span)
		return;
	gom_debug_set_size(span, idx, obj, size);
	/* live from here: a free may claim it */
	clear_bit(idx, span->debug->free);
}

/**
 * gom_debug_free() - claim a debug-class object's free, check its red zone
 *	and poison it
 * @heap: the heap
 * @span: its span
 * @idx: its index
 * @obj: the object, a validated live object of a debug class
 * @caller: reported with a double free or an overwritten red zone
 *
 * The free is claimed first with an atomic test-and-set of the slot's free
 * bit: a second free of the object, even one racing on another CPU that
 * passed the same lockless checks, is reported as a double free and
 * refused. An overwritten red zone is reported and repaired; the object is
 * freed all the same (the overflow is its owner's, the slot itself is
 * sound).
 *
 * Context: Any context, in an RCU reader (gom_lookup_begin()).
 * Return: true if the caller may free the object, false for a double free.
 */
bool gom_debug_free(struct gom_heap *heap, struct gom_span *span,
		    unsigned int idx, void *obj, unsigned long caller)
{
	unsigned int size = READ_ONCE(span->debug->size[idx]);
	u8 *bad;

	if (test_and_set_bit(idx, span->debug->free)) {
		gom_report(heap, GOM_ERR_DOUBLE_FREE, obj, caller);
		return false;
	}
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
	return true;
}

/**
 * gom_debug_size() - the bytes a debug-class object's caller asked for
 * @span: its span, of a debug class
 * @obj: the object, live
 *
 * Context: Any context, in an RCU reader (gom_lookup_begin()); the caller owns @obj.
 * Return: the size recorded at allocation (or the last resize).
 */
size_t gom_debug_size(struct gom_span *span, const void *obj)
{
	unsigned int idx;

	if (!gom_span_index(span, obj, &idx))
		return 0;
	return min_t(size_t, READ_ONCE(span->debug->size[idx]),
		     span->elemsize - GOM_REDZONE);
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
 * Context: Any context, in an RCU reader (gom_lookup_begin()); the caller owns @obj (a
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

/**
 * gom_debug_regrow() - gom_realloc() keeps a debug-class object in place
 * @span: its span
 * @obj: the object, live
 * @old: its size so far (gom_debug_size())
 * @size: its new size, at most elemsize - GOM_REDZONE
 * @gfp: the realloc's flags: __GFP_ZERO (or init_on_alloc) zeroes the
 *	bytes from @old to @size, which hold red zone
 *
 * Context: Any context, in an RCU reader (gom_lookup_begin()); the caller owns @obj.
 */
void gom_debug_regrow(struct gom_span *span, void *obj, size_t old,
		      size_t size, gfp_t gfp)
{
	if (size > old && want_init_on_alloc(gfp))
		memset(obj + old, 0, size - old);
	gom_debug_resize(span, obj, size);
}
