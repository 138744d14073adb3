// SPDX-License-Identifier: GPL-2.0
/*
 * Heaps and the exported gom_* API: routing by size, frees by lookup, bad
 * pointer reports; see gomalloc_internal.h.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <kunit/test-bug.h>
#include <kunit/resource.h>
#include <linux/cpu.h>
#include <linux/kmemleak.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gomalloc_hooks.h"

/* every heap; see LOCK ORDER 1 */
LIST_HEAD(gom_heaps);
DEFINE_MUTEX(gom_heaps_mutex);	/* protects gom_heaps, names, debugfs */

static struct gom_heap *gom_default;

static bool gom_debug;
module_param_named(debug, gom_debug, bool, 0444);
MODULE_PARM_DESC(debug, "debug mode (poison, red zones, checks) for the default heap");

/* === Errors === */

atomic_long_t gom_errors[GOM_ERR_NR];
EXPORT_SYMBOL_NS_GPL(gom_errors, GOM_INTERNAL_NS);

const char *const gom_error_names[] = {
	[GOM_ERR_NOT_OURS]	 = "not_ours",
	[GOM_ERR_INTERIOR]	 = "interior",
	[GOM_ERR_DOUBLE_FREE]	 = "double_free",
	[GOM_ERR_HEAP_DESTROYED] = "heap_destroyed",
	[GOM_ERR_TOO_LARGE]	 = "too_large",
	[GOM_ERR_FREELIST]	 = "freelist",
	[GOM_ERR_POISON]	 = "poison",
	[GOM_ERR_REDZONE]	 = "redzone",
};

static_assert(ARRAY_SIZE(gom_error_names) == GOM_ERR_NR);

/*
 * A KUnit case that provokes errors on purpose counts them through a named
 * resource, as lib/slub_kunit.c does with "slab_errors".
 */
static void gom_kunit_count_error(void)
{
#if IS_ENABLED(CONFIG_KUNIT)
	struct kunit_resource *res;

	if (!in_task() || !kunit_get_current_test())
		return;
	res = kunit_find_named_resource(current->kunit_test, "gomalloc_errors");
	if (!res)
		return;
	atomic_inc(res->data);
	kunit_put_resource(res);
#endif
}

/**
 * gom_count_error() - count an error in the errors files (and for KUnit)
 * @heap: the heap it is attributed to, or NULL
 * @kind: what is wrong
 *
 * Context: Any context.
 */
void gom_count_error(struct gom_heap *heap, enum gom_error kind)
{
	atomic_long_inc(&gom_errors[kind]);
	if (heap)
		atomic_long_inc(&heap->errors[kind]);
	gom_kunit_count_error();
}

/**
 * gom_report() - report and count a bad pointer; the call is then ignored
 * @heap: the heap it is attributed to, or NULL
 * @kind: what is wrong
 * @p: the pointer
 * @caller: the caller of the gom_* function
 *
 * Context: Any context.
 */
void gom_report(struct gom_heap *heap, enum gom_error kind, const void *p,
		unsigned long caller)
{
	gom_count_error(heap, kind);
	pr_err_ratelimited("%s: 0x%p (heap %s) caller %pS\n",
			   gom_error_names[kind], p, heap ? heap->name : "-",
			   (void *)caller);
}

static void gom_report_size(struct gom_heap *heap, size_t size,
			    unsigned long caller)
{
	gom_count_error(heap, GOM_ERR_TOO_LARGE);
	pr_err_ratelimited("%s: %zu bytes (heap %s, max %lu) caller %pS\n",
			   gom_error_names[GOM_ERR_TOO_LARGE], size, heap->name,
			   GOM_MAX_ALLOC_SIZE, (void *)caller);
}

/* === Allocation === */

/*
 * gom_obj_init() - set a small object up for its caller
 * @heap: the heap
 * @spc: its span class
 * @obj: the object, just handed out by the mcache
 * @size: the bytes asked for
 * @gfp: the caller's flags
 *
 * Clears the free marker, or all of it for __GFP_ZERO and init_on_alloc (as
 * kmalloc does), red-zones debug classes, and registers the object with
 * kmemleak: its pages come from the page allocator, which kmemleak does not
 * track, so without this a leaked object would never be reported and what
 * it points to would look leaked.
 *
 * Context: Any context allowed by @gfp; no gomalloc lock held.
 */
static __always_inline void gom_obj_init(struct gom_heap *heap,
					 unsigned int spc, void *obj,
					 size_t size, gfp_t gfp)
{
	unsigned int elemsize = gom_spanclass_size(spc);

	if (unlikely(gom_debug_class(heap, elemsize))) {
		gom_debug_alloc(heap, obj, size, gfp);
		elemsize -= GOM_REDZONE;
	} else if (want_init_on_alloc(gfp)) {
		memset(obj, 0, elemsize);
	} else {
		*(unsigned long *)obj = 0;
	}
	kmemleak_alloc(obj, elemsize, 1, gfp);
}

/* The span class serving @size in @heap (red zone included). */
static unsigned int gom_small_class(struct gom_heap *heap, size_t size)
{
	return gom_size_to_class(size + gom_heap_redzone(heap));
}

/*
 * Go's mallocgc for a small size: the free cache pop inline, the rest
 * (current span, refill from mcentral, growth) out of line.
 */
static __always_inline void *gom_small_alloc(struct gom_heap *heap,
					     size_t size, gfp_t gfp)
{
	unsigned int spc = gom_small_class(heap, size);
	struct gom_mcache *c;
	unsigned long flags;
	void *obj;

	local_lock_irqsave(&heap->mcache->lock, flags);
	c = this_cpu_ptr(heap->mcache);
	obj = gom_mcache_take(heap, c, spc);
	if (unlikely(!obj))
		obj = gom_mcache_alloc_locked(heap, c, spc);
	local_unlock_irqrestore(&heap->mcache->lock, flags);
	if (unlikely(!obj))
		obj = gom_mcache_alloc_grow(heap, spc, gfp);
	if (likely(obj))
		gom_obj_init(heap, spc, obj, size, gfp);
	return obj;
}

static bool gom_zero_or_null(const void *p)
{
	return (unsigned long)p <= (unsigned long)GOM_ZERO_SIZE_PTR;
}

static __always_inline void *gom_heap_alloc_route(struct gom_heap *heap,
						  size_t size, gfp_t gfp,
						  unsigned long caller)
{
	might_alloc(gfp);
	if (unlikely(!size))
		return GOM_ZERO_SIZE_PTR;
	if (unlikely(size > GOM_MAX_ALLOC_SIZE)) {
		gom_report_size(heap, size, caller);
		return NULL;
	}
	if (size < GOM_TINY_SIZE && !(heap->flags & GOM_HEAP_NO_TINY))
		return gom_tiny_alloc(heap, size, gfp);
	if (likely(size + gom_heap_redzone(heap) <= GOM_MAX_SMALL_SIZE))
		return gom_small_alloc(heap, size, gfp);
	return gom_large_alloc(heap, size, gfp);
}

static __always_inline void *gom_heap_alloc_caller(struct gom_heap *heap,
						   size_t size, gfp_t gfp,
						   unsigned long caller)
{
	void *p = gom_heap_alloc_route(heap, size, gfp, caller);

	gom_alloc_hook(heap, p, size, gfp, caller);
	return p;
}

/**
 * gom_heap_alloc() - allocate memory from a heap
 * @heap: the heap
 * @size: bytes; 0 gives GOM_ZERO_SIZE_PTR
 * @gfp: kmalloc flags: GFP_KERNEL may sleep, GFP_ATOMIC and GFP_NOWAIT
 *	never do, __GFP_ZERO zeroes
 *
 * Context: Any context allowed by @gfp (process, softirq or hardirq with
 * GFP_ATOMIC).
 * Return: the object, GOM_ZERO_SIZE_PTR for @size 0, or NULL on failure or
 * when @size exceeds GOM_MAX_ALLOC_SIZE.
 */
void *gom_heap_alloc(struct gom_heap *heap, size_t size, gfp_t gfp)
{
	return gom_heap_alloc_caller(heap, size, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_heap_alloc);

/**
 * gom_alloc() - allocate memory from the default heap
 * @size: bytes; 0 gives GOM_ZERO_SIZE_PTR
 * @gfp: kmalloc flags
 *
 * Context: Any context allowed by @gfp.
 * Return: the object, GOM_ZERO_SIZE_PTR for @size 0, or NULL.
 */
void *gom_alloc(size_t size, gfp_t gfp)
{
	return gom_heap_alloc_caller(gom_default, size, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_alloc);

/* === Lookup of a caller's pointer === */

/*
 * The live span holding @p with @p an object start (any byte of a tiny
 * block), or NULL after reporting why not. @live: also check that a small
 * object is allocated (free marker and span state).
 */
static struct gom_span *gom_find(const void *p, bool live,
				 unsigned long caller)
{
	struct gom_span *span = gom_lookup_span(p);
	struct gom_heap *heap;
	unsigned int idx, state;

	state = span ? READ_ONCE(span->state) : GOM_SPAN_FREE;
	heap = span ? READ_ONCE(span->heap) : NULL;
	if (state == GOM_SPAN_ORPHAN || (state != GOM_SPAN_FREE && !heap)) {
		gom_report(NULL, GOM_ERR_HEAP_DESTROYED, p, caller);
		return NULL;
	}
	if (state == GOM_SPAN_FREE) {
		gom_report(NULL, GOM_ERR_NOT_OURS, p, caller);
		return NULL;
	}
	if (state == GOM_SPAN_LARGE_CACHED) {
		gom_report(heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return NULL;
	}
	if (span->spanclass == GOM_TINY_SPANCLASS)
		return span;
	if (!gom_span_index(span, p, &idx)) {
		gom_report(heap, GOM_ERR_INTERIOR, p, caller);
		return NULL;
	}
	/* the slot state first: a free slot's memory may be going away */
	if (live && span->sizeclass &&
	    (!gom_span_slot_allocated(span, idx) ||
	     READ_ONCE(*(unsigned long *)p) == gom_free_marker(heap, p))) {
		gom_report(heap, GOM_ERR_DOUBLE_FREE, p, caller);
		return NULL;
	}
	return span;
}

static size_t gom_span_ksize(struct gom_span *span, const void *p)
{
	if (span->spanclass == GOM_TINY_SPANCLASS)
		return gom_tiny_ksize(span, p);
	if (span->debug)
		return span->elemsize - GOM_REDZONE;
	return span->elemsize;
}

/* A small object freed: kmemleak first, before anyone can reuse it. */
static void gom_small_free(struct gom_heap *heap, struct gom_span *span,
			   void *p, unsigned long caller)
{
	unsigned int idx;

	kmemleak_free(p);
	if (span->debug && gom_span_index(span, p, &idx))
		gom_debug_free(heap, span, idx, p, caller);
	gom_mcache_free(heap, span->spanclass, p, caller);
}

/* === Free === */

static void gom_free_slow(const void *p, unsigned long caller)
{
	struct gom_span *span;
	struct gom_heap *heap;

	span = gom_find(p, true, caller);
	if (!span)
		return;
	heap = READ_ONCE(span->heap);
	gom_profile_free(heap, span, p);
	if (span->spanclass == GOM_LARGE_SPANCLASS)
		gom_large_free(span, p, caller);
	else if (span->spanclass == GOM_TINY_SPANCLASS)
		gom_tiny_free(heap, span, p, caller);
	else
		gom_small_free(heap, span, (void *)p, caller);
}

/*
 * The free of an object of a live span of a heap without debug mode, the
 * common case, inline: the checks of gom_find() (object start, slot
 * allocated, no free marker). Returns the span, a small one ready for
 * gom_free_push() or a tiny one for gom_tiny_free(), and its heap in
 * *@heapp; NULL for anything else, a bad pointer included, which
 * gom_free_slow() then reports.
 */
static __always_inline struct gom_span *gom_free_check(const void *p,
						       struct gom_heap **heapp)
{
	struct gom_span *span = gom_lookup_span(p);
	unsigned int idx, state;
	struct gom_heap *heap;

	if (unlikely(!span))
		return NULL;
	state = READ_ONCE(span->state);
	heap = READ_ONCE(span->heap);
	if (unlikely((state != GOM_SPAN_CACHED && state != GOM_SPAN_CENTRAL) ||
		     !heap))
		return NULL;
	*heapp = heap;
	if (span->spanclass == GOM_TINY_SPANCLASS)
		return span;
	if (unlikely(span->debug || !gom_span_index(span, p, &idx) ||
		     !gom_span_slot_allocated(span, idx) ||
		     READ_ONCE(*(unsigned long *)p) == gom_free_marker(heap, p)))
		return NULL;
	kmemleak_free(p);
	return span;
}

/* Push a checked object; its heap's mcache lock held. */
static __always_inline void gom_free_push(struct gom_heap *heap,
					  unsigned int spc, void *p,
					  unsigned long caller)
{
	struct gom_mcache *c = this_cpu_ptr(heap->mcache);

	if (unlikely(!gom_mcache_push(heap, c, spc, p)))
		gom_mcache_free_locked(heap, c, spc, p, caller);
}

static __always_inline void gom_free_caller(const void *p,
					    unsigned long caller)
{
	struct gom_span *span;
	struct gom_heap *heap;
	unsigned long flags;

	gom_trace_free(p, caller);
	if (unlikely(gom_zero_or_null(p)))
		return;
	rcu_read_lock();
	span = gom_free_check(p, &heap);
	if (unlikely(!span)) {
		gom_free_slow(p, caller);
		goto out;
	}
	gom_profile_free(heap, span, p);
	if (span->spanclass == GOM_TINY_SPANCLASS) {
		gom_tiny_free(heap, span, p, caller);
	} else {
		local_lock_irqsave(&heap->mcache->lock, flags);
		gom_free_push(heap, span->spanclass, (void *)p, caller);
		local_unlock_irqrestore(&heap->mcache->lock, flags);
	}
out:
	rcu_read_unlock();
}

/**
 * gom_free() - free memory from any gomalloc heap
 * @p: an object, NULL or GOM_ZERO_SIZE_PTR (both ignored)
 *
 * The heap is found from the pointer. A pointer that gomalloc did not hand
 * out, an interior pointer or a double free is reported once (rate-limited),
 * counted in debugfs and ignored.
 *
 * Context: Any context.
 */
void gom_free(const void *p)
{
	gom_free_caller(p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_free);

/**
 * gom_ksize() - usable size of an object
 * @p: an object, NULL or GOM_ZERO_SIZE_PTR
 *
 * Context: Any context.
 * Return: the object's class size (less the red zone in a debug heap, which
 * then moves behind the whole usable size, as SLUB does), its page run bytes
 * for a large object, the bytes up to the next sub-object for a tiny one; 0
 * for NULL, GOM_ZERO_SIZE_PTR and bad pointers (which are reported).
 */
size_t gom_ksize(const void *p)
{
	struct gom_span *span;
	size_t size = 0;

	if (gom_zero_or_null(p))
		return 0;
	rcu_read_lock();
	span = gom_find(p, false, _RET_IP_);
	if (span)
		size = gom_span_ksize(span, p);
	/* all of it is the caller's now: the red zone moves behind it */
	if (span && span->debug)
		gom_debug_resize(span, (void *)p, size);
	rcu_read_unlock();
	return size;
}
EXPORT_SYMBOL_GPL(gom_ksize);

/**
 * gom_owns() - whether an address lies in memory gomalloc handed out
 * @p: any pointer
 *
 * A query only: nothing is reported or counted. True for any byte of a
 * span in use of a live heap (object starts, interior pointers, and free
 * slots of a span that still holds objects); false for NULL,
 * GOM_ZERO_SIZE_PTR, other allocators' memory, idle gomalloc pages and
 * spans of destroyed heaps. The answer is only stable while the caller
 * keeps the object it asks about allocated.
 *
 * Context: Any context.
 * Return: true when @p is inside a gomalloc span in use.
 */
bool gom_owns(const void *p)
{
	struct gom_span *span;
	unsigned int state;
	bool ret = false;

	if (gom_zero_or_null(p))
		return false;
	rcu_read_lock();
	span = gom_lookup_span(p);
	if (span) {
		state = READ_ONCE(span->state);
		ret = state != GOM_SPAN_FREE && state != GOM_SPAN_ORPHAN &&
		      state != GOM_SPAN_LARGE_CACHED && READ_ONCE(span->heap);
	}
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(gom_owns);

/**
 * gom_realloc() - resize an object, krealloc() style
 * @p: the object, or NULL (then this is gom_alloc())
 * @new_size: bytes; 0 frees @p and gives GOM_ZERO_SIZE_PTR
 * @gfp: kmalloc flags
 *
 * The object stays in place when it is large enough; otherwise a new one is
 * allocated from the same heap, the contents copied, and @p freed.
 *
 * Context: Any context allowed by @gfp.
 * Return: the object; NULL on failure (@p untouched) or when @p is not a
 * live gomalloc object (reported).
 */
void *gom_realloc(const void *p, size_t new_size, gfp_t gfp)
{
	struct gom_span *span;
	struct gom_heap *heap;
	size_t ks;
	void *n;

	if (gom_zero_or_null(p))
		return gom_heap_alloc_caller(gom_default, new_size, gfp, _RET_IP_);
	if (!new_size) {
		gom_free_caller(p, _RET_IP_);
		return GOM_ZERO_SIZE_PTR;
	}
	rcu_read_lock();
	span = gom_find(p, true, _RET_IP_);
	heap = span ? READ_ONCE(span->heap) : NULL;
	ks = span ? gom_span_ksize(span, p) : 0;
	if (span && span->debug && new_size <= ks)
		gom_debug_resize(span, (void *)p, new_size);
	rcu_read_unlock();
	if (!span)
		return NULL;
	if (new_size <= ks)
		return (void *)p;
	n = gom_heap_alloc_caller(heap, new_size, gfp, _RET_IP_);
	if (!n)
		return NULL;
	memcpy(n, p, ks);
	gom_free_caller(p, _RET_IP_);
	return n;
}
EXPORT_SYMBOL_GPL(gom_realloc);

/* === Bulk === */

/* Objects a bulk call handles per mcache lock round trip: bounds irqs off. */
#define GOM_BULK_BATCH	64

static size_t gom_bulk_small(struct gom_heap *heap, unsigned int spc,
			     gfp_t gfp, size_t nr, void **p)
{
	unsigned long flags;
	struct gom_mcache *c;
	size_t i = 0;

	while (i < nr) {
		local_lock_irqsave(&heap->mcache->lock, flags);
		c = this_cpu_ptr(heap->mcache);
		for (; i < nr; i++) {
			p[i] = gom_mcache_take(heap, c, spc);
			if (unlikely(!p[i]))
				p[i] = gom_mcache_alloc_locked(heap, c, spc);
			if (!p[i])
				break;
		}
		local_unlock_irqrestore(&heap->mcache->lock, flags);
		if (i < nr && !gom_mcentral_grow(&heap->central[spc], gfp))
			break;
	}
	return i;
}

static int gom_heap_alloc_bulk_caller(struct gom_heap *heap, size_t size,
				      gfp_t gfp, size_t nr, void **p,
				      unsigned long caller)
{
	unsigned int spc = 0;
	size_t i, got;

	might_alloc(gfp);
	if (!size || size > GOM_MAX_ALLOC_SIZE || nr > INT_MAX)
		return 0;
	if (size >= GOM_TINY_SIZE || (heap->flags & GOM_HEAP_NO_TINY))
		spc = gom_small_class(heap, size);
	if (spc) {
		got = gom_bulk_small(heap, spc, gfp, nr, p);
		for (i = 0; i < got; i++) {
			gom_obj_init(heap, spc, p[i], size, gfp);
			gom_alloc_hook(heap, p[i], size, gfp, caller);
		}
	} else {
		for (got = 0; got < nr; got++) {
			p[got] = gom_heap_alloc_caller(heap, size, gfp, caller);
			if (!p[got])
				break;
		}
	}
	if (got == nr)
		return nr;
	for (i = 0; i < got; i++)
		gom_free_caller(p[i], caller);
	return 0;
}

/**
 * gom_heap_alloc_bulk() - allocate @nr objects of one size from a heap
 * @heap: the heap
 * @size: bytes per object, 1..GOM_MAX_ALLOC_SIZE
 * @gfp: kmalloc flags
 * @nr: how many
 * @p: array receiving them
 *
 * Like kmem_cache_alloc_bulk(): all or nothing. Small sizes take the mcache
 * lock once per batch.
 *
 * Context: Any context allowed by @gfp.
 * Return: @nr, or 0 (nothing left allocated).
 */
int gom_heap_alloc_bulk(struct gom_heap *heap, size_t size, gfp_t gfp,
			size_t nr, void **p)
{
	return gom_heap_alloc_bulk_caller(heap, size, gfp, nr, p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_heap_alloc_bulk);

/**
 * gom_alloc_bulk() - allocate @nr objects of one size from the default heap
 * @size: bytes per object
 * @gfp: kmalloc flags
 * @nr: how many
 * @p: array receiving them
 *
 * Context: Any context allowed by @gfp.
 * Return: @nr, or 0 (nothing left allocated).
 */
int gom_alloc_bulk(size_t size, gfp_t gfp, size_t nr, void **p)
{
	return gom_heap_alloc_bulk_caller(gom_default, size, gfp, nr, p,
					  _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_alloc_bulk);

/**
 * gom_free_bulk() - free @nr objects
 * @nr: how many
 * @p: the objects (NULL entries are skipped)
 *
 * Context: Any context.
 */
void gom_free_bulk(size_t nr, void **p)
{
	struct gom_heap *heap = NULL, *locked = NULL;
	unsigned int batch = 0;
	struct gom_span *span;
	unsigned long flags;
	size_t i;

	rcu_read_lock();
	for (i = 0; i < nr; i++) {
		gom_trace_free(p[i], _RET_IP_);
		if (gom_zero_or_null(p[i]))
			continue;
		span = gom_free_check(p[i], &heap);
		if (span)
			gom_profile_free(heap, span, p[i]);
		if (span && span->spanclass != GOM_TINY_SPANCLASS &&
		    heap == locked && ++batch < GOM_BULK_BATCH) {
			gom_free_push(heap, span->spanclass, p[i], _RET_IP_);
			continue;
		}
		/* one lock round trip per run of one heap, GOM_BULK_BATCH at most */
		if (locked)
			local_unlock_irqrestore(&locked->mcache->lock, flags);
		locked = NULL;
		if (!span) {
			gom_free_slow(p[i], _RET_IP_);
		} else if (span->spanclass == GOM_TINY_SPANCLASS) {
			gom_tiny_free(heap, span, p[i], _RET_IP_);
		} else {
			local_lock_irqsave(&heap->mcache->lock, flags);
			locked = heap;
			batch = 0;
			gom_free_push(heap, span->spanclass, p[i], _RET_IP_);
		}
	}
	if (locked)
		local_unlock_irqrestore(&locked->mcache->lock, flags);
	rcu_read_unlock();
}
EXPORT_SYMBOL_GPL(gom_free_bulk);

/* === Heap lifecycle === */

static struct gom_heap *gom_heap_find(const char *name)
{
	struct gom_heap *heap;

	lockdep_assert_held(&gom_heaps_mutex);
	list_for_each_entry(heap, &gom_heaps, list)
		if (!strcmp(heap->name, name))
			return heap;
	return NULL;
}

static bool gom_heap_name_ok(const char *name)
{
	size_t len = name ? strnlen(name, GOM_HEAP_NAME_MAX) : 0;

	return len && len < GOM_HEAP_NAME_MAX && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}

/**
 * gom_heap_create() - create a heap
 * @name: unique name, its debugfs directory; 1..31 bytes, no '/'
 * @flags: GOM_HEAP_* flags: GOM_HEAP_NO_TINY, GOM_HEAP_DEBUG (poison, red
 *	zones and their checks, validate; implies GOM_HEAP_NO_TINY)
 *
 * Context: Process context; may sleep.
 * Return: the heap, or NULL (bad or taken name, no memory).
 */
struct gom_heap *gom_heap_create(const char *name, unsigned int flags)
{
	struct gom_heap *heap;
	unsigned int spc;

	might_sleep();
	if (!gom_heap_name_ok(name) || (flags & ~GOM_HEAP_FLAGS))
		return NULL;
	heap = kzalloc(sizeof(*heap), GFP_KERNEL);
	if (!heap)
		return NULL;
	strscpy(heap->name, name, sizeof(heap->name));
	/* a debug heap red-zones every object: none is packed */
	if (flags & GOM_HEAP_DEBUG)
		flags |= GOM_HEAP_NO_TINY;
	heap->flags = flags;
	heap->key = get_random_long();
	gom_profile_init(heap);
	gom_mheap_init(&heap->mheap);
	for (spc = 0; spc < GOM_NUM_SPAN_CLASSES; spc++)
		gom_mcentral_init(&heap->central[spc], heap, spc);
	if (gom_mcache_init(heap))
		goto err_heap;

	mutex_lock(&gom_heaps_mutex);
	if (gom_heap_find(name)) {
		mutex_unlock(&gom_heaps_mutex);
		goto err_mcache;
	}
	list_add_tail_rcu(&heap->list, &gom_heaps);
	gom_debugfs_heap_add(heap);
	mutex_unlock(&gom_heaps_mutex);
	return heap;

err_mcache:
	gom_mcache_exit(heap);
err_heap:
	kfree(heap);
	return NULL;
}
EXPORT_SYMBOL_GPL(gom_heap_create);

/* Give back everything that is free; return the live objects left. */
static unsigned long gom_heap_empty(struct gom_heap *heap)
{
	struct gom_memstats ms;
	unsigned int spc;
	int cpu;

	cpus_read_lock();
	for_each_possible_cpu(cpu)
		gom_mcache_drain_cpu(heap, cpu);
	cpus_read_unlock();
	gom_read_memstats(heap, &ms);
	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++)
		gom_mcentral_destroy(&heap->central[spc]);
	gom_large_destroy(heap);
	return ms.heap_objects;
}

static void gom_heap_free(struct gom_heap *heap)
{
	struct gom_mheap_info info;
	unsigned long objs;

	/*
	 * debugfs first, without gom_heaps_mutex: removal waits for running
	 * file operations, and "scavenge" or "validate" waits for CPU hotplug
	 * (cpus_read_lock), whose callback takes gom_heaps_mutex. The heap
	 * stays listed meanwhile, so its name cannot be taken again.
	 */
	gom_debugfs_heap_del(heap);
	mutex_lock(&gom_heaps_mutex);
	list_del_rcu(&heap->list);
	mutex_unlock(&gom_heaps_mutex);
	synchronize_rcu();	/* the shrinker no longer sees it */

	objs = gom_heap_empty(heap);
	gom_mheap_info(heap, &info);
	if (objs || info.inuse_pages)
		pr_warn("heap %s destroyed with %lu objects remaining: %lu pages kept until unload\n",
			heap->name, objs, info.inuse_pages);
	gom_mheap_destroy(heap);
	synchronize_rcu();	/* lockless frees that read heap fields */
	gom_profile_destroy(heap);
	gom_mcache_exit(heap);
	kfree(heap);
}

/**
 * gom_heap_destroy() - destroy a heap created with gom_heap_create()
 * @heap: the heap, or NULL; nobody may use it concurrently
 *
 * Memory still in use is reported ("objects remaining") and not freed under
 * its users: it stays allocated until the module is unloaded, and a later
 * gom_free() of it is reported as heap_destroyed. The default heap cannot be
 * destroyed.
 *
 * Context: Process context; may sleep.
 */
void gom_heap_destroy(struct gom_heap *heap)
{
	might_sleep();
	if (!heap || WARN_ON(heap == gom_default))
		return;
	gom_heap_free(heap);
}
EXPORT_SYMBOL_GPL(gom_heap_destroy);

/**
 * gom_default_heap() - the heap gom_alloc() uses
 *
 * Context: Any context.
 * Return: the default heap, named "default".
 */
struct gom_heap *gom_default_heap(void)
{
	return gom_default;
}
EXPORT_SYMBOL_GPL(gom_default_heap);

/**
 * gom_heap_name() - a heap's name
 * @heap: the heap
 *
 * Context: Any context.
 * Return: the name given at creation.
 */
const char *gom_heap_name(const struct gom_heap *heap)
{
	return heap->name;
}
EXPORT_SYMBOL_GPL(gom_heap_name);

/**
 * gom_heap_setup() - create the default heap
 *
 * Context: Process context, module init.
 * Return: 0 or -ENOMEM.
 */
int gom_heap_setup(void)
{
	gom_default = gom_heap_create("default", gom_debug ? GOM_HEAP_DEBUG : 0);
	return gom_default ? 0 : -ENOMEM;
}

/**
 * gom_heap_teardown() - module exit: destroy every heap left, free orphans
 *
 * Context: Process context, module exit.
 */
void gom_heap_teardown(void)
{
	struct gom_heap *heap;

	for (;;) {
		mutex_lock(&gom_heaps_mutex);
		heap = list_first_entry_or_null(&gom_heaps, struct gom_heap, list);
		mutex_unlock(&gom_heaps_mutex);
		if (!heap)
			break;
		if (heap != gom_default)
			pr_warn("heap %s not destroyed before unload\n", heap->name);
		gom_heap_free(heap);
	}
	gom_default = NULL;
	gom_orphans_free();
}
