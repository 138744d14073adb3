/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomalloc_kmalloc.h - serve a module's kmalloc() family from gomalloc
 * without touching its source.
 *
 * Force-include this file from the module's Kbuild (ccflags-y += -I<gomalloc
 * include dir> -include <this file>; see examples/dropin/Kbuild), so that it
 * comes before anything else the module includes, or include it first in
 * every file of the module, and link against
 * gomalloc's symbols (KBUILD_EXTRA_SYMBOLS=<gomalloc build>/Module.symvers).
 * It includes <linux/slab.h>, <linux/string.h> and <linux/vmalloc.h> first;
 * their include guards keep later includes from undoing what follows. Then
 * it redefines, as object-like macros (so that calls and function pointers
 * are both redirected, whether the kernel spells the name as a macro, 6.12,
 * or as an inline function, 6.1):
 *
 *	kmalloc kzalloc kcalloc kmalloc_array krealloc krealloc_array
 *	kmalloc_node kzalloc_node kcalloc_node kmalloc_array_node
 *	ksize kfree kfree_sensitive kfree_bulk kmemdup kstrdup __free(kfree)
 *	kvmalloc kvzalloc kvcalloc kvmalloc_array kvmalloc_node kvzalloc_node
 *	kvfree kvfree_sensitive __free(kvfree)
 *
 * with kmalloc's semantics: size 0 gives ZERO_SIZE_PTR (gomalloc's
 * GOM_ZERO_SIZE_PTR is the same value), kfree() of NULL or ZERO_SIZE_PTR
 * does nothing, krealloc(NULL, ...) allocates, krealloc(p, 0, ...) frees and
 * gives ZERO_SIZE_PTR, kfree_sensitive() zeroes the whole usable size
 * before freeing, the _node variants ignore the node (gomalloc places
 * memory on no particular node), the kv* variants fall back to vmalloc when
 * gomalloc cannot serve the request and the flags allow sleeping, and kvfree
 * tells the two apart. Requests above GOM_MAX_ALLOC_SIZE (4 MiB) fail, as
 * kmalloc's do on x86-64.
 *
 * NOT covered; a module that uses these must keep them apart itself:
 *  - kmem_cache_*(): slab caches stay the kernel's.
 *  - devm_k*alloc(), kasprintf(), kstrndup(), kmemdup_nul(), kvrealloc(),
 *    kmalloc_track_caller() and every other allocation made inside the core
 *    kernel: that memory is SLUB's.
 *  - Memory crossing the module boundary: an object the module allocates
 *    and the core kernel frees with kfree() (a buffer handed over to a
 *    subsystem that frees it), or an object the core kernel allocates and the
 *    module frees with kfree(). The first corrupts memory (SLUB frees pages
 *    it does not own); the second is reported by gomalloc as "not_ours"
 *    (dmesg, debugfs errors) and leaked, never freed.
 *  - kfree_rcu() and kvfree_rcu(): the kernel frees the object with its own
 *    kvfree() after the grace period. Under this header they do not compile;
 *    use call_rcu() with a callback that calls kfree().
 *  - Inline functions of headers included later are compiled with the
 *    redirection too: when one of them frees memory the core kernel
 *    allocated (or the other way round), the rule above applies.
 */
#ifndef _GOMALLOC_KMALLOC_H
#define _GOMALLOC_KMALLOC_H

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/compiler.h>

#include <gomalloc.h>

static_assert(GOM_ZERO_SIZE_PTR == ZERO_SIZE_PTR);

static inline void *gom_dropin_kmalloc(size_t size, gfp_t flags)
{
	return gom_alloc(size, flags);
}

static inline void *gom_dropin_kzalloc(size_t size, gfp_t flags)
{
	return gom_alloc(size, flags | __GFP_ZERO);
}

static inline void *gom_dropin_kmalloc_array(size_t n, size_t size,
					     gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gom_alloc(bytes, flags);
}

static inline void *gom_dropin_kcalloc(size_t n, size_t size, gfp_t flags)
{
	return gom_dropin_kmalloc_array(n, size, flags | __GFP_ZERO);
}

static inline void *gom_dropin_kmalloc_node(size_t size, gfp_t flags,
					    int node)
{
	return gom_alloc(size, flags);
}

static inline void *gom_dropin_kzalloc_node(size_t size, gfp_t flags,
					    int node)
{
	return gom_alloc(size, flags | __GFP_ZERO);
}

static inline void *gom_dropin_kmalloc_array_node(size_t n, size_t size,
						  gfp_t flags, int node)
{
	return gom_dropin_kmalloc_array(n, size, flags);
}

static inline void *gom_dropin_kcalloc_node(size_t n, size_t size,
					    gfp_t flags, int node)
{
	return gom_dropin_kmalloc_array(n, size, flags | __GFP_ZERO);
}

static inline void *__must_check gom_dropin_krealloc(const void *p,
						     size_t new_size,
						     gfp_t flags)
{
	return gom_realloc(p, new_size, flags);
}

static inline void *__must_check gom_dropin_krealloc_array(void *p,
							   size_t n,
							   size_t size,
							   gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gom_realloc(p, bytes, flags);
}

static inline size_t gom_dropin_ksize(const void *p)
{
	return gom_ksize(p);
}

static inline void gom_dropin_kfree(const void *p)
{
	gom_free(p);
}

static inline void gom_dropin_kfree_sensitive(const void *p)
{
	size_t ks;

	if (ZERO_OR_NULL_PTR(p))
		return;
	ks = gom_ksize(p);
	if (ks)
		memzero_explicit((void *)p, ks);
	gom_free(p);
}

static inline void gom_dropin_kfree_bulk(size_t nr, void **p)
{
	gom_free_bulk(nr, p);
}

static inline void *gom_dropin_kmemdup(const void *src, size_t len,
				       gfp_t flags)
{
	void *p = gom_alloc(len, flags);

	if (!ZERO_OR_NULL_PTR(p))
		memcpy(p, src, len);
	return p;
}

static inline char *gom_dropin_kstrdup(const char *s, gfp_t flags)
{
	return s ? gom_dropin_kmemdup(s, strlen(s) + 1, flags) : NULL;
}

/* kvmalloc: as the kernel's, gomalloc in place of kmalloc */
static inline void *gom_dropin_kvmalloc(size_t size, gfp_t flags)
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
		p = gom_alloc(size, kflags);
		if (p || size <= PAGE_SIZE)
			return p;
	}
	if (!gfpflags_allow_blocking(flags) || size > INT_MAX)
		return NULL;
	return __vmalloc(size, flags);
}

static inline void *gom_dropin_kvmalloc_node(size_t size, gfp_t flags,
					     int node)
{
	return gom_dropin_kvmalloc(size, flags);
}

static inline void *gom_dropin_kvzalloc(size_t size, gfp_t flags)
{
	return gom_dropin_kvmalloc(size, flags | __GFP_ZERO);
}

static inline void *gom_dropin_kvzalloc_node(size_t size, gfp_t flags,
					     int node)
{
	return gom_dropin_kvmalloc(size, flags | __GFP_ZERO);
}

static inline void *gom_dropin_kvmalloc_array(size_t n, size_t size,
					      gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gom_dropin_kvmalloc(bytes, flags);
}

static inline void *gom_dropin_kvcalloc(size_t n, size_t size, gfp_t flags)
{
	return gom_dropin_kvmalloc_array(n, size, flags | __GFP_ZERO);
}

static inline void gom_dropin_kvfree(const void *p)
{
	if (is_vmalloc_addr(p))
		vfree(p);
	else
		gom_free(p);
}

static inline void gom_dropin_kvfree_sensitive(const void *p, size_t len)
{
	if (!ZERO_OR_NULL_PTR(p)) {
		memzero_explicit((void *)p, len);
		gom_dropin_kvfree(p);
	}
}

static inline void gom_dropin_free_kfree(void *p)
{
	void *obj = *(void **)p;

	if (!IS_ERR_OR_NULL(obj))
		gom_free(obj);
}

static inline void gom_dropin_free_kvfree(void *p)
{
	void *obj = *(void **)p;

	if (!IS_ERR_OR_NULL(obj))
		gom_dropin_kvfree(obj);
}

/* Never defined: a call that survives optimisation fails the build. */
#define GOM_DROPIN_NO_KFREE_RCU \
	"kfree_rcu()/kvfree_rcu() free with the kernel's kvfree(): not covered by gomalloc's drop-in header, use call_rcu() and kfree()"
__compiletime_error(GOM_DROPIN_NO_KFREE_RCU) void gom_dropin_no_kfree_rcu(void);

#undef kmalloc
#undef kzalloc
#undef kcalloc
#undef kmalloc_array
#undef kmalloc_node
#undef kzalloc_node
#undef kcalloc_node
#undef kmalloc_array_node
#undef krealloc
#undef krealloc_array
#undef ksize
#undef kfree
#undef kfree_sensitive
#undef kfree_bulk
#undef kmemdup
#undef kstrdup
#undef kvmalloc
#undef kvmalloc_node
#undef kvzalloc
#undef kvzalloc_node
#undef kvmalloc_array
#undef kvcalloc
#undef kvfree
#undef kvfree_sensitive
#undef __free_kfree
#undef __free_kvfree
#undef kfree_rcu
#undef kvfree_rcu
#undef kfree_rcu_mightsleep
#undef kvfree_rcu_mightsleep

#define kmalloc			gom_dropin_kmalloc
#define kzalloc			gom_dropin_kzalloc
#define kcalloc			gom_dropin_kcalloc
#define kmalloc_array		gom_dropin_kmalloc_array
#define kmalloc_node		gom_dropin_kmalloc_node
#define kzalloc_node		gom_dropin_kzalloc_node
#define kcalloc_node		gom_dropin_kcalloc_node
#define kmalloc_array_node	gom_dropin_kmalloc_array_node
#define krealloc		gom_dropin_krealloc
#define krealloc_array		gom_dropin_krealloc_array
#define ksize			gom_dropin_ksize
#define kfree			gom_dropin_kfree
#define kfree_sensitive		gom_dropin_kfree_sensitive
#define kfree_bulk		gom_dropin_kfree_bulk
#define kmemdup			gom_dropin_kmemdup
#define kstrdup			gom_dropin_kstrdup
#define kvmalloc		gom_dropin_kvmalloc
#define kvmalloc_node		gom_dropin_kvmalloc_node
#define kvzalloc		gom_dropin_kvzalloc
#define kvzalloc_node		gom_dropin_kvzalloc_node
#define kvmalloc_array		gom_dropin_kvmalloc_array
#define kvcalloc		gom_dropin_kvcalloc
#define kvfree			gom_dropin_kvfree
#define kvfree_sensitive	gom_dropin_kvfree_sensitive
/* __free(kfree) pastes __free_kfree, which is then rescanned */
#define __free_kfree		gom_dropin_free_kfree
#define __free_kvfree		gom_dropin_free_kvfree
#define kfree_rcu(...)		gom_dropin_no_kfree_rcu()
#define kvfree_rcu(...)		gom_dropin_no_kfree_rcu()
#define kfree_rcu_mightsleep(...)	gom_dropin_no_kfree_rcu()
#define kvfree_rcu_mightsleep(...)	gom_dropin_no_kfree_rcu()

#endif /* _GOMALLOC_KMALLOC_H */
