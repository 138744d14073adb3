// SPDX-License-Identifier: GPL-2.0
/*
 * The drop-in's symbols: the kmalloc family's exported functions, served by
 * gomalloc, for modules built with include/gomalloc_dropin.mk.
 *
 * Such a module is compiled exactly as it would be for kmalloc; then each
 * of its objects has its undefined references to the names below renamed
 * (objcopy --redefine-syms, include/gomalloc_dropin.syms) to the
 * gom_dropin_<name> functions of this file, which modpost resolves through
 * gomalloc's Module.symvers. The renaming works on what the compiler left
 * after the kernel's inline functions and macros (kmalloc() is an inline
 * call of __kmalloc_cache_noprof() or __kmalloc_noprof(), kfree_bulk() one
 * of kmem_cache_free_bulk(NULL, ...)), so each wrapper has the kernel
 * function's exact signature, which differs between 6.1 and 6.12; a name
 * of the other kernel in the list is absent from the object and harmless.
 *
 * Allocations come from the default heap (the slab cache, bucket and node
 * a kmalloc() call passes are ignored). Frees decide by ownership: the
 * kernel's kmalloc memory (a slab object or a large kmalloc's compound
 * page), which the core kernel allocated for the module (kasprintf(),
 * kstrndup(), a seq_file buffer), goes to the kernel's own function, as it
 * would without the drop-in; everything else is gomalloc's to free or, when
 * it is nobody's, to report (gom_dropin_mine()). kvfree_call_rcu() (kfree_rcu(), kvfree_rcu())
 * is renamed to a symbol nobody defines, so that modpost refuses a module
 * that uses it: the kernel would free the object with its own kvfree().
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "gomalloc_internal.h"
#include "dropin.h"

/*
 * Whether gomalloc frees (or reports) @p, rather than the kernel: true for
 * an address in a gomalloc span, and for whatever is nobody's kmalloc
 * memory (outside the direct map, or a page that is neither a slab page nor
 * a large kmalloc's compound page: an idle gomalloc page, whose pages are
 * order-0, a stack, module data), which gom_free() reports as a bad
 * pointer and ignores instead of handing it to kfree(). False for the
 * kernel's kmalloc memory: slab objects (up to 8 KiB) and large kmallocs.
 * vmalloc addresses are the callers' to tell apart first (kvfree()).
 */
static bool gom_dropin_in_span(const void *p)
{
	bool span;

	rcu_read_lock();
	span = gom_spanof(p);
	rcu_read_unlock();
	return span;
}

static bool gom_dropin_mine(const void *p)
{
	struct folio *folio;

	if ((unsigned long)p <= (unsigned long)ZERO_SIZE_PTR)
		return true;	/* gomalloc ignores them, as kfree() does */
	if (gom_dropin_in_span(p) || !virt_addr_valid(p))
		return true;
	folio = virt_to_folio(p);
	return !folio_test_slab(folio) && !folio_test_large(folio);
}

static void *gom_dropin_alloc(size_t size, gfp_t flags, unsigned long caller)
{
	return gom_alloc_at(size, flags, caller);
}

/**
 * gom_dropin_kfree() - kfree() for drop-in modules
 * @p: an object of gomalloc's or of the kernel's, NULL or ZERO_SIZE_PTR
 *
 * Context: Any context.
 */
void gom_dropin_kfree(const void *p)
{
	if (gom_dropin_mine(p))
		gom_free_at(p, _RET_IP_);
	else
		kfree(p);
}
EXPORT_SYMBOL_GPL(gom_dropin_kfree);

/**
 * gom_dropin_kfree_sensitive() - kfree_sensitive() for drop-in modules
 * @p: an object of gomalloc's or of the kernel's, NULL or ZERO_SIZE_PTR
 *
 * Zeroes the whole usable size of a gomalloc object, then frees it.
 *
 * Context: Any context.
 */
void gom_dropin_kfree_sensitive(const void *p)
{
	size_t ks;

	if (!gom_dropin_mine(p)) {
		kfree_sensitive(p);
		return;
	}
	ks = gom_ksize(p);
	if (ks)
		memzero_explicit((void *)p, ks);
	gom_free_at(p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_dropin_kfree_sensitive);

/**
 * gom_dropin_kfree_const() - kfree_const() for drop-in modules
 * @p: a string of gomalloc's, of the kernel's or in .rodata
 *
 * Only what lies in a gomalloc span is gomalloc's here: the kernel's
 * kfree_const() tells .rodata (which it leaves alone) from the rest.
 *
 * Context: Any context.
 */
void gom_dropin_kfree_const(const void *p)
{
	if (gom_dropin_in_span(p))
		gom_free_at(p, _RET_IP_);
	else
		kfree_const(p);
}
EXPORT_SYMBOL_GPL(gom_dropin_kfree_const);

/**
 * gom_dropin_ksize() - ksize() for drop-in modules
 * @p: an object of gomalloc's or of the kernel's
 *
 * Context: Any context.
 * Return: the object's usable size.
 */
size_t gom_dropin_ksize(const void *p)
{
	return gom_dropin_mine(p) ? gom_ksize(p) : ksize(p);
}
EXPORT_SYMBOL_GPL(gom_dropin_ksize);

/**
 * gom_dropin_kvfree() - kvfree() for drop-in modules
 * @p: an object of gomalloc's, of vmalloc's or of the kernel's kmalloc
 *
 * Context: As kvfree(): any context for gomalloc's and kmalloc's objects.
 */
void gom_dropin_kvfree(const void *p)
{
	if (is_vmalloc_addr(p))
		vfree(p);
	else if (gom_dropin_mine(p))
		gom_free_at(p, _RET_IP_);
	else
		kvfree(p);
}
EXPORT_SYMBOL_GPL(gom_dropin_kvfree);

/**
 * gom_dropin_kvfree_sensitive() - kvfree_sensitive() for drop-in modules
 * @p: an object of gomalloc's, of vmalloc's or of the kernel's kmalloc
 * @len: bytes to zero before the free
 *
 * Context: As kvfree().
 */
void gom_dropin_kvfree_sensitive(const void *p, size_t len)
{
	if (is_vmalloc_addr(p) || !gom_dropin_mine(p)) {
		kvfree_sensitive(p, len);
		return;
	}
	if (!ZERO_OR_NULL_PTR(p)) {
		memzero_explicit((void *)p, len);
		gom_free_at(p, _RET_IP_);
	}
}
EXPORT_SYMBOL_GPL(gom_dropin_kvfree_sensitive);

/**
 * gom_dropin_kmem_cache_free_bulk() - kfree_bulk() for drop-in modules
 * @s: NULL for kfree_bulk(); a slab cache is passed on to the kernel
 * @size: entries in @p
 * @p: the objects
 *
 * Context: Any context.
 */
void gom_dropin_kmem_cache_free_bulk(struct kmem_cache *s, size_t size,
				     void **p)
{
	size_t i;

	if (s) {
		kmem_cache_free_bulk(s, size, p);
		return;
	}
	for (i = 0; i < size; i++)
		gom_dropin_kfree(p[i]);
}
EXPORT_SYMBOL_GPL(gom_dropin_kmem_cache_free_bulk);

/* krealloc() of NULL, ZERO_SIZE_PTR or a gomalloc object */
static void *gom_dropin_krealloc_at(const void *p, size_t new_size,
				    gfp_t flags, unsigned long caller)
{
	if (ZERO_OR_NULL_PTR(p))
		return gom_dropin_alloc(new_size, flags, caller);
	return gom_realloc(p, new_size, flags);
}

static void *gom_dropin_memdup(const void *src, size_t len, gfp_t flags,
			       unsigned long caller)
{
	void *p = gom_dropin_alloc(len, flags, caller);

	if (!ZERO_OR_NULL_PTR(p))
		memcpy(p, src, len);
	return p;
}

/**
 * gom_dropin_kstrdup() - kstrdup() for drop-in modules
 * @s: the string, or NULL
 * @flags: kmalloc flags
 *
 * Context: As @flags allow.
 * Return: a gomalloc copy of @s, or NULL.
 */
char *gom_dropin_kstrdup(const char *s, gfp_t flags)
{
	return s ? gom_dropin_memdup(s, strlen(s) + 1, flags, _RET_IP_) : NULL;
}
EXPORT_SYMBOL_GPL(gom_dropin_kstrdup);

/* kvmalloc: as the kernel's, gomalloc in place of kmalloc */
static void *gom_dropin_kvmalloc(size_t size, gfp_t flags,
				 unsigned long caller)
{
	gfp_t kflags = flags;
	void *p;

	if (size > PAGE_SIZE) {
		kflags |= __GFP_NOWARN;
		if (!(kflags & __GFP_RETRY_MAYFAIL))
			kflags |= __GFP_NORETRY;
		kflags &= ~__GFP_NOFAIL;
	}
	if (size <= GOM_MAX_ALLOC_SIZE) {
		p = gom_dropin_alloc(size, kflags, caller);
		if (p || size <= PAGE_SIZE)
			return p;
	}
	if (!gfpflags_allow_blocking(flags) || size > INT_MAX)
		return NULL;
	return __vmalloc(size, flags);
}

/*
 * The kernel's names differ (6.10 added _noprof, memory allocation
 * profiling's, and slab buckets), the signatures mostly not: each wrapper
 * below serves both names (gomalloc_dropin.syms), with the signature of
 * the kernel it is built for.
 */

/**
 * gom_dropin___kmalloc() - __kmalloc_noprof(), __kmalloc(): variable size
 * @size: bytes
 * @flags: kmalloc flags
 *
 * Context: As @flags allow.
 * Return: the object, ZERO_SIZE_PTR for @size 0, or NULL.
 */
void *gom_dropin___kmalloc(size_t size, gfp_t flags)
{
	return gom_dropin_alloc(size, flags, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_dropin___kmalloc);

/**
 * gom_dropin___kmalloc_node() - __kmalloc_node_noprof(), __kmalloc_node()
 * @b: bytes (the size; GOM_DROPIN_SIZE_B() adds the kmalloc bucket of
 *	6.11 on, ignored)
 * @flags: kmalloc flags
 * @node: ignored
 *
 * Context: As @flags allow.
 * Return: the object, ZERO_SIZE_PTR for @size 0, or NULL.
 */
void *gom_dropin___kmalloc_node(GOM_DROPIN_SIZE_B(size, b), gfp_t flags,
				int node)
{
	return gom_dropin_alloc(size, flags, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_dropin___kmalloc_node);

/**
 * gom_dropin___kmalloc_cache() - __kmalloc_cache_noprof(), kmalloc_trace()
 * @s: the kmalloc cache (ignored)
 * @flags: kmalloc flags
 * @size: bytes (a constant in the caller)
 *
 * Context: As @flags allow.
 * Return: the object, or NULL.
 */
void *gom_dropin___kmalloc_cache(struct kmem_cache *s, gfp_t flags,
				 size_t size)
{
	return gom_dropin_alloc(size, flags, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_dropin___kmalloc_cache);

/**
 * gom_dropin___kmalloc_cache_node() - __kmalloc_cache_node_noprof(),
 *	kmalloc_node_trace()
 * @s: the kmalloc cache (ignored)
 * @flags: kmalloc flags
 * @node: ignored
 * @size: bytes
 *
 * Context: As @flags allow.
 * Return: the object, or NULL.
 */
void *gom_dropin___kmalloc_cache_node(struct kmem_cache *s, gfp_t flags,
				      int node, size_t size)
{
	return gom_dropin_alloc(size, flags, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_dropin___kmalloc_cache_node);

/**
 * gom_dropin___kmalloc_large() - __kmalloc_large_noprof(), kmalloc_large()
 * @size: bytes
 * @flags: kmalloc flags
 *
 * Context: As @flags allow.
 * Return: the object, or NULL (also above GOM_MAX_ALLOC_SIZE).
 */
void *gom_dropin___kmalloc_large(size_t size, gfp_t flags)
{
	return gom_dropin_alloc(size, flags, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_dropin___kmalloc_large);

/**
 * gom_dropin___kmalloc_large_node() - __kmalloc_large_node_noprof(),
 *	kmalloc_large_node()
 * @size: bytes
 * @flags: kmalloc flags
 * @node: ignored
 *
 * Context: As @flags allow.
 * Return: the object, or NULL.
 */
void *gom_dropin___kmalloc_large_node(size_t size, gfp_t flags, int node)
{
	return gom_dropin_alloc(size, flags, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_dropin___kmalloc_large_node);

/**
 * gom_dropin___kmalloc_node_track_caller() - kmalloc_track_caller()
 * @b: bytes (the size; GOM_DROPIN_SIZE_B() adds the kmalloc bucket of
 *	6.11 on, ignored)
 * @flags: kmalloc flags
 * @node: ignored
 * @caller: the call site reported for the allocation
 *
 * __kmalloc_node_track_caller_noprof() and __kmalloc_node_track_caller().
 *
 * Context: As @flags allow.
 * Return: the object, ZERO_SIZE_PTR for @size 0, or NULL.
 */
void *gom_dropin___kmalloc_node_track_caller(GOM_DROPIN_SIZE_B(size, b),
					     gfp_t flags, int node,
					     unsigned long caller)
{
	return gom_dropin_alloc(size, flags, caller);
}
EXPORT_SYMBOL_GPL(gom_dropin___kmalloc_node_track_caller);

/**
 * gom_dropin_krealloc() - krealloc_noprof(), krealloc()
 * @p: an object of gomalloc's or of the kernel's, or NULL
 * @new_size: bytes; 0 frees
 * @flags: kmalloc flags
 *
 * The kernel's objects are resized by the kernel's krealloc().
 *
 * Context: As @flags allow.
 * Return: the object, ZERO_SIZE_PTR for @new_size 0, or NULL.
 */
void *gom_dropin_krealloc(const void *p, size_t new_size, gfp_t flags)
{
	if (!ZERO_OR_NULL_PTR(p) && !gom_dropin_mine(p))
#if GOM_KERNEL_SINCE(6, 10)
		return krealloc_noprof(p, new_size, flags);
#else
		return krealloc(p, new_size, flags);
#endif
	return gom_dropin_krealloc_at(p, new_size, flags, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_dropin_krealloc);

/**
 * gom_dropin_kmemdup() - kmemdup_noprof(), kmemdup()
 * @src: the bytes
 * @len: how many
 * @flags: kmalloc flags
 *
 * Context: As @flags allow.
 * Return: a gomalloc copy, or NULL.
 */
void *gom_dropin_kmemdup(const void *src, size_t len, gfp_t flags)
{
	return gom_dropin_memdup(src, len, flags, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_dropin_kmemdup);

/**
 * gom_dropin_kvmalloc_node() - __kvmalloc_node_noprof(), kvmalloc_node()
 * @b: bytes (the size; GOM_DROPIN_SIZE_B() adds the kmalloc bucket of
 *	6.11 on, ignored)
 * @flags: kmalloc flags
 * @node: ignored
 *
 * gomalloc first, vmalloc when gomalloc cannot serve it and @flags allow
 * sleeping, as the kernel's kvmalloc() does with kmalloc.
 *
 * Context: As @flags allow.
 * Return: the object, or NULL.
 */
void *gom_dropin_kvmalloc_node(GOM_DROPIN_SIZE_B(size, b), gfp_t flags,
			       int node)
{
	return gom_dropin_kvmalloc(size, flags, _RET_IP_);
}
EXPORT_SYMBOL_GPL(gom_dropin_kvmalloc_node);

#if GOM_KERNEL_SINCE(6, 12)
/**
 * gom_dropin_kvrealloc() - kvrealloc_noprof()
 * @p: an object of gomalloc's, vmalloc's or the kernel's, or NULL
 * @size: bytes
 * @flags: kmalloc flags
 *
 * Context: As @flags allow.
 * Return: the object (@p freed when it moved), or NULL (@p untouched).
 */
void *gom_dropin_kvrealloc(const void *p, size_t size, gfp_t flags)
{
	size_t old;
	void *n;

	if (is_vmalloc_addr(p) ||
	    (!ZERO_OR_NULL_PTR(p) && !gom_dropin_mine(p)))
		return kvrealloc_noprof(p, size, flags);
	old = ZERO_OR_NULL_PTR(p) ? 0 : gom_ksize(p);
	if (old && size <= old)
		return (void *)p;
	n = gom_dropin_kvmalloc(size, flags, _RET_IP_);
	if (!ZERO_OR_NULL_PTR(n) && old) {
		memcpy(n, p, old);
		gom_free_at(p, _RET_IP_);
	}
	return n;
}
#else
/**
 * gom_dropin_kvrealloc() - kvrealloc() before 6.12
 * @p: an object of gomalloc's, vmalloc's or the kernel's, or NULL
 * @oldsize: the bytes of @p to keep
 * @newsize: bytes
 * @flags: kmalloc flags
 *
 * Context: As @flags allow.
 * Return: the object (@p freed when it moved), or NULL (@p untouched).
 */
void *gom_dropin_kvrealloc(const void *p, size_t oldsize, size_t newsize,
			   gfp_t flags)
{
	void *n;

	if (is_vmalloc_addr(p) ||
	    (!ZERO_OR_NULL_PTR(p) && !gom_dropin_mine(p)))
		return kvrealloc(p, oldsize, newsize, flags);
	if (oldsize >= newsize)
		return (void *)p;
	n = gom_dropin_kvmalloc(newsize, flags, _RET_IP_);
	if (!ZERO_OR_NULL_PTR(n) && !ZERO_OR_NULL_PTR(p)) {
		memcpy(n, p, oldsize);
		gom_free_at(p, _RET_IP_);
	}
	return n;
}
#endif
EXPORT_SYMBOL_GPL(gom_dropin_kvrealloc);
