// SPDX-License-Identifier: GPL-2.0
/*
 * mcache: one CPU's cache of one heap (Go's per-P mcache).
 *
 * For each span class a current span and a bounded LIFO cache of freed
 * objects (kernel frees are explicit; Go frees by sweeping). Allocation
 * order: free cache pop, current span, refill from mcentral, grow from the
 * mheap (gom_mcache_alloc_grow(), the one place that drops the lock to
 * grow and retries). The fast path (mcache_inline.h) owns the mcache by
 * a per-CPU trylock (gom_mcache_own(): preemption off and a flag,
 * interrupts on, no atomic read-modify-write) and takes nothing else. A
 * context that interrupts the owner finds the flag set and is served by
 * the nested paths below, straight from and to mcentral under its lock,
 * counted per span class in the mcache's nested_* counters (this_cpu ops,
 * which the owner never writes). On PREEMPT_RT the trylock is a local
 * lock that waits. Full free caches are flushed to mcentral half at a
 * time. The mcache also holds the
 * CPU's current tiny block (tiny.c) and a small cache of freed large runs
 * (GOM_LARGE_CACHE_SPANS at most, LIFO, exact page count reuse, the oldest
 * evicted), so that a kernel that frees and allocates the same large size
 * pays neither the mheap lock nor the lookup updates. A CPU going offline
 * (heap.c's hotplug callback) has its mcaches drained. See malloc.c for
 * the whole map.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/cpu.h>
#include <linux/kmemleak.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/workqueue.h>

#include "gomalloc_internal.h"
#include "mcache_inline.h"

/* === Free cache geometry === */

/* Where each span class's free cache lives in mcache->slots, and its size. */
u16 gom_fc_base[GOM_NUM_SPAN_CLASSES];
u16 gom_fc_cap[GOM_NUM_SPAN_CLASSES];
EXPORT_SYMBOL_NS_GPL(gom_fc_cap, GOM_INTERNAL_NS);

/*
 * Smaller objects get more slots: at least GOM_FREE_CACHE_BYTES of objects
 * (a kernel frees small objects in bursts of hundreds), at most
 * GOM_FREE_CACHE_MAX; larger ones by size band. Objects in a free cache
 * keep their spans in use; the whole mcache stays within the per-CPU
 * allocator's unit (checked at build time).
 */
static unsigned int gom_fc_capacity(unsigned int size)
{
	unsigned int by_band;

	if (size <= 256)
		by_band = 64;
	else if (size <= 2048)
		by_band = 32;
	else if (size <= 8192)
		by_band = 16;
	else
		by_band = 8;
	return max_t(unsigned int, by_band,
		     min_t(unsigned int, GOM_FREE_CACHE_BYTES / size,
			   GOM_FREE_CACHE_MAX));
}

/**
 * gom_mcache_layout_init() - lay the free caches out in mcache->slots
 *
 * Context: Process context, module init.
 * Return: 0, or -EINVAL if the size classes need more than GOM_FREE_SLOTS.
 */
int gom_mcache_layout_init(void)
{
	unsigned int spc, base = 0;

	BUILD_BUG_ON(sizeof(struct gom_mcache) > PCPU_MIN_UNIT_SIZE);
	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++) {
		gom_fc_base[spc] = base;
		gom_fc_cap[spc] = gom_fc_capacity(gom_spanclass_size(spc));
		base += gom_fc_cap[spc];
	}
	if (base > GOM_FREE_SLOTS) {
		pr_err("free caches need %u slots, have %u\n", base,
		       GOM_FREE_SLOTS);
		return -EINVAL;
	}
	return 0;
}

/**
 * gom_mcache_init() - allocate a heap's per-CPU mcaches
 * @heap: the heap
 *
 * Context: Process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int gom_mcache_init(struct gom_heap *heap)
{
	int cpu;

	heap->mcache = alloc_percpu(struct gom_mcache);
	if (!heap->mcache)
		return -ENOMEM;
	/*
	 * Not scanned by kmemleak: the free caches keep stale pointers to
	 * objects handed out since, which would hide those objects' leaks.
	 * Nothing the mcache points to needs it (span structs are untracked,
	 * free objects unregistered). free_percpu()'s second unregistering
	 * of it is a silent no-op.
	 */
	kmemleak_free_percpu(heap->mcache);
	for_each_possible_cpu(cpu)
		gom_local_trylock_init(&per_cpu_ptr(heap->mcache, cpu)->lock);
	return 0;
}

/**
 * gom_mcache_destroy() - free a heap's drained mcaches
 * @heap: the heap
 *
 * Context: Process context.
 */
void gom_mcache_destroy(struct gom_heap *heap)
{
	free_percpu(heap->mcache);
	heap->mcache = NULL;
}

/* === Allocation === */

static void *gom_mcache_refill(struct gom_heap *heap, struct gom_mcache *c,
			       unsigned int spc)
{
	struct gom_mcache_class *cc = &c->cls[spc];
	struct gom_span *span;
	int idx;

	span = gom_mcentral_swap(&heap->central[spc], cc->span);
	cc->span = span;
	if (!span)
		return NULL;
	cc->refills++;
	idx = gom_span_next_free(span);
	if (WARN_ON_ONCE(idx < 0))
		return NULL;
	return gom_span_obj(span, idx);
}

/* The next free object: free cache pop, current span, refill. */
static void *gom_mcache_next(struct gom_heap *heap, struct gom_mcache *c,
			     unsigned int spc, bool *cached)
{
	struct gom_mcache_class *cc = &c->cls[spc];
	int idx;

	*cached = cc->nfree;
	if (likely(cc->nfree))
		return c->slots[gom_fc_base[spc] + --cc->nfree];
	idx = cc->span ? gom_span_next_free(cc->span) : -1;
	if (idx >= 0)
		return gom_span_obj(cc->span, idx);
	return gom_mcache_refill(heap, c, spc);
}

/**
 * gom_mcache_alloc_locked() - one object of a span class, no page allocation
 * @heap: the heap
 * @c: this CPU's mcache of @heap, owned by the caller
 * @spc: the span class
 *
 * Free cache pop, else the current span, else a refill from mcentral. An
 * object whose free marker (or, in a debug heap, poison or red zone) was
 * overwritten while it was free is reported and quarantined.
 *
 * Context: @c owned (gom_mcache_own()).
 * Return: the object (contents as left), or NULL when mcentral has no span.
 */
void *gom_mcache_alloc_locked(struct gom_heap *heap, struct gom_mcache *c,
			      unsigned int spc)
{
	unsigned int size = gom_spanclass_size(spc);
	bool cached;
	void *obj;

	for (;;) {
		obj = gom_mcache_next(heap, c, spc, &cached);
		if (unlikely(!obj))
			return NULL;
		if (likely(gom_obj_check_free(heap, obj, size, cached)))
			break;
		/* corrupted (reported): never hand it out again */
		gom_obj_quarantine(heap, obj, size);
	}
	c->cls[spc].mallocs++;
	return obj;
}

/* === Nested contexts: the mcache is owned by the context interrupted === */

/* One object of a span mcentral lends: taken, the span given back at once. */
static void *gom_mcache_borrow(struct gom_mcentral *central)
{
	struct gom_span *span = gom_mcentral_swap(central, NULL);
	void *obj = NULL;
	int idx;

	if (!span)
		return NULL;
	idx = gom_span_next_free(span);
	if (!WARN_ON_ONCE(idx < 0))
		obj = gom_span_obj(span, idx);
	gom_mcentral_uncache(central, span);
	return obj;
}

/**
 * gom_mcache_alloc_nested() - an object for a context the mcache refused
 * @heap: the heap
 * @spc: the span class
 * @gfp: the caller's flags, used when mcentral must grow
 *
 * An interrupt or softirq that arrived while a context of this CPU owns
 * the mcache must not touch it: the object comes from a span of mcentral,
 * borrowed and given back under mcentral's lock (swap, one slot, uncache).
 * Rare (the owner holds the mcache for a few instructions, or a refill)
 * and bounded as gom_mcache_alloc_grow() is: GOM_GROW_TRIES fruitless
 * grows, unless __GFP_NOFAIL. An object found corrupted is reported and
 * quarantined, as on the owner's path.
 *
 * Context: Any context allowed by @gfp but NMI; no gomalloc lock held.
 * Return: the object (contents as left), or NULL.
 */
void *gom_mcache_alloc_nested(struct gom_heap *heap, unsigned int spc,
			      gfp_t gfp)
{
	struct gom_mcentral *central = &heap->central[spc];
	unsigned int size = gom_spanclass_size(spc), tries = 0;
	void *obj;

	for (;;) {
		obj = gom_mcache_borrow(central);
		if (obj && gom_obj_check_free(heap, obj, size, false)) {
			this_cpu_inc(heap->mcache->nested_mallocs[spc]);
			return obj;
		}
		if (obj) {
			/* corrupted (reported): never hand it out again */
			gom_obj_quarantine(heap, obj, size);
			continue;
		}
		if (++tries > GOM_GROW_TRIES && !(gfp & __GFP_NOFAIL))
			return NULL;
		if (!gom_mcentral_grow(central, gfp))
			return NULL;
	}
}

/* gom_mcache_alloc_grow()'s objects @i..@nr - 1, nested; returns the count. */
static size_t gom_mcache_alloc_nested_n(struct gom_heap *heap,
					unsigned int spc, gfp_t gfp, size_t i,
					size_t nr, void **p)
{
	for (; i < nr; i++) {
		p[i] = gom_mcache_alloc_nested(heap, spc, gfp);
		if (!p[i])
			break;
	}
	return i;
}

/**
 * gom_mcache_free_nested() - free an object for a context the mcache refused
 * @heap: the heap
 * @spc: the object's span class
 * @p: the object, already validated and claimed
 * @caller: reported if mcentral finds it bad
 *
 * Straight to mcentral, as a flush of one: the free marker written, then
 * checked and wiped there (gom_mcentral_free_batch()).
 *
 * Context: Any context but NMI; no gomalloc lock held.
 */
void gom_mcache_free_nested(struct gom_heap *heap, unsigned int spc, void *p,
			    unsigned long caller)
{
	*(unsigned long *)p = gom_free_marker(heap, p);
	this_cpu_inc(heap->mcache->nested_frees[spc]);
	gom_mcentral_free_batch(&heap->central[spc], &p, 1, caller);
}

/**
 * gom_mcache_alloc_grow() - @nr objects of a span class, growing as needed
 * @heap: the heap
 * @spc: the span class
 * @gfp: the caller's flags, used when the mheap must grow
 * @nr: how many
 * @p: array receiving them
 *
 * Takes objects from the owned mcache until mcentral has no span to
 * refill from, then grows mcentral by a span with nothing owned and takes
 * again (this CPU, or another one if the task moved; another CPU may also
 * have taken the new span meanwhile). The slow path of single allocations,
 * bulk allocations and tiny blocks. A caller that finds the mcache owned
 * (it interrupted the owner) takes the rest one by one from mcentral
 * (gom_mcache_alloc_nested()).
 *
 * Bounded: objects are taken GOM_TAKE_BATCH at a time per ownership (it
 * keeps preemption off), and after GOM_GROW_TRIES grows in a row that
 * left this caller nothing (other CPUs took every new span) it gives up,
 * unless @gfp has __GFP_NOFAIL, which never gives up.
 *
 * Context: Any context allowed by @gfp; may sleep if @gfp allows.
 * Return: the objects taken (contents as left), @nr unless growing failed.
 */
size_t gom_mcache_alloc_grow(struct gom_heap *heap, unsigned int spc,
			     gfp_t gfp, size_t nr, void **p)
{
	unsigned int tries = 0;
	struct gom_mcache *c;
	size_t i = 0, from;

	for (;;) {
		from = i;
		c = gom_mcache_own(heap);
		if (unlikely(!c))
			return gom_mcache_alloc_nested_n(heap, spc, gfp, i, nr, p);
		for (; i < nr && i - from < GOM_TAKE_BATCH; i++) {
			p[i] = gom_mcache_take(heap, c, spc);
			if (unlikely(!p[i]))
				p[i] = gom_mcache_alloc_locked(heap, c, spc);
			if (!p[i])
				break;
		}
		gom_mcache_disown(heap, c);
		if (i == nr)
			return i;
		if (i != from) {
			tries = 0;
			if (i - from == GOM_TAKE_BATCH)
				continue;	/* a full batch: there may be more */
		} else if (++tries > GOM_GROW_TRIES && !(gfp & __GFP_NOFAIL)) {
			return i;
		}
		if (!gom_mcentral_grow(&heap->central[spc], gfp))
			return i;
	}
}

/**
 * gom_mcache_alloc_one() - one object of a span class, growing as needed
 * @heap: the heap
 * @spc: the span class
 * @gfp: the caller's flags
 *
 * gom_mcache_alloc_grow() for one object, returned: the fast path's
 * callers then keep their object in a register.
 *
 * Context: Any context allowed by @gfp; may sleep if @gfp allows.
 * Return: the object (contents as left), or NULL.
 */
void *gom_mcache_alloc_one(struct gom_heap *heap, unsigned int spc,
			   gfp_t gfp)
{
	void *obj;

	return gom_mcache_alloc_grow(heap, spc, gfp, 1, &obj) ? obj : NULL;
}

/* === Frees === */

static void gom_mcache_flush(struct gom_heap *heap, struct gom_mcache *c,
			     unsigned int spc, unsigned int n,
			     unsigned long caller)
{
	struct gom_mcache_class *cc = &c->cls[spc];
	void **slots = &c->slots[gom_fc_base[spc]];

	/* the oldest half: the bottom of the LIFO */
	gom_mcentral_free_batch(&heap->central[spc], slots, n, caller);
	memmove(slots, slots + n, (cc->nfree - n) * sizeof(*slots));
	cc->nfree -= n;
	cc->flushes++;
}

/**
 * gom_mcache_free_locked() - push a freed object on this CPU's free cache
 * @heap: the heap
 * @c: this CPU's mcache of @heap, owned by the caller
 * @spc: the object's span class
 * @p: the object, already validated
 * @caller: reported if mcentral finds it bad
 *
 * Context: @c owned (gom_mcache_own()).
 */
void gom_mcache_free_locked(struct gom_heap *heap, struct gom_mcache *c,
			    unsigned int spc, void *p, unsigned long caller)
{
	struct gom_mcache_class *cc = &c->cls[spc];

	if (likely(gom_mcache_push(heap, c, spc, p)))
		return;
	gom_mcache_flush(heap, c, spc, cc->nfree / 2, caller);
	gom_mcache_push(heap, c, spc, p);
}

/**
 * gom_mcache_free() - free an object to this CPU's mcache
 * @heap: the heap
 * @spc: the object's span class
 * @p: the object, already validated
 * @caller: reported if mcentral finds it bad
 *
 * Context: Any context but NMI.
 */
void gom_mcache_free(struct gom_heap *heap, unsigned int spc, void *p,
		     unsigned long caller)
{
	struct gom_mcache *c = gom_mcache_own(heap);

	if (unlikely(!c)) {
		gom_mcache_free_nested(heap, spc, p, caller);
		return;
	}
	gom_mcache_free_locked(heap, c, spc, p, caller);
	gom_mcache_disown(heap, c);
}

/* Give back the large runs an mcache keeps. */
static void gom_large_cache_drain(struct gom_heap *heap, struct gom_mcache *c)
{
	struct gom_span *span;

	while (c->large_cache_nr) {
		span = c->large_cache[--c->large_cache_nr];
		c->large_cache_pages -= span->npages;
		gom_mheap_free_large(heap, span);
	}
}

/* The CPU's current tiny block goes; a block left with nothing live is freed. */
static void gom_mcache_retire_tiny(struct gom_heap *heap, struct gom_mcache *c)
{
	void *dead = gom_tiny_retire(&c->tiny);

	if (dead)
		gom_mcache_free_locked(heap, c, GOM_TINY_SPANCLASS, dead,
				       _RET_IP_);
}

/* === Drain === */

/**
 * gom_mcache_drain_cpu() - give everything a CPU's mcache holds back
 * @heap: the heap
 * @cpu: a CPU that does not run @heap's fast path now: offline, or every
 *	CPU at heap destroy
 *
 * Context: Process context; takes mcentral and mheap locks.
 */
void gom_mcache_drain_cpu(struct gom_heap *heap, int cpu)
{
	struct gom_mcache *c = per_cpu_ptr(heap->mcache, cpu);
	struct gom_mcache_class *cc;
	unsigned int spc;

	gom_mcache_retire_tiny(heap, c);
	gom_large_cache_drain(heap, c);
	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++) {
		cc = &c->cls[spc];
		if (cc->nfree)
			gom_mcache_flush(heap, c, spc, cc->nfree, _RET_IP_);
		if (cc->span) {
			gom_mcentral_uncache(&heap->central[spc], cc->span);
			cc->span = NULL;
		}
	}
}
EXPORT_SYMBOL_NS_GPL(gom_mcache_drain_cpu, GOM_INTERNAL_NS);

static long gom_mcache_drain_local(void *arg)
{
	struct gom_heap *heap = arg;
	struct gom_mcache *c = gom_mcache_own(heap);

	/* a kworker is a task: nothing on its CPU can own the mcache now */
	if (WARN_ON_ONCE(!c))
		return -EBUSY;
	gom_mcache_drain_cpu(heap, smp_processor_id());
	gom_mcache_disown(heap, c);
	return 0;
}

/**
 * gom_mcache_drain_all() - drain every online CPU's mcache of a heap
 * @heap: the heap, in use or not
 *
 * Each CPU drains its own mcache, owning it, from a kworker bound to
 * it; offline CPUs were drained when they went down.
 *
 * Context: Process context; sleeps. Not for reclaim (waits on workqueues).
 */
void gom_mcache_drain_all(struct gom_heap *heap)
{
	int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		work_on_cpu(cpu, gom_mcache_drain_local, heap);
	cpus_read_unlock();
}
