// SPDX-License-Identifier: GPL-2.0
/*
 * Reports: one rate-limited line per bad call or corruption, counted per
 * kind for the whole module and per heap, and for a running KUnit case.
 *
 * Every check in gomalloc ends here: a pointer that is not ours, an
 * interior pointer, a double free, a free of a destroyed heap's object, a
 * request too large, and, on allocation or free, a free marker, poison or
 * red zone found overwritten. The call is then ignored (or the object
 * quarantined, debug.c). Nothing here calls back into the allocator.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <kunit/test-bug.h>
#include <kunit/resource.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "gomalloc_internal.h"

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
/* for the test modules, which name the kinds they count */
EXPORT_SYMBOL_NS_GPL(gom_error_names, GOM_INTERNAL_NS);

/* === Counting === */

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

/* === Report lines === */

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

/**
 * gom_report_size() - report and count a request above GOM_MAX_ALLOC_SIZE
 * @heap: the heap asked
 * @size: the bytes asked for
 * @caller: the caller of the gom_* function
 *
 * Context: Any context.
 */
void gom_report_size(struct gom_heap *heap, size_t size,
		     unsigned long caller)
{
	gom_count_error(heap, GOM_ERR_TOO_LARGE);
	pr_err_ratelimited("%s: %zu bytes (heap %s, max %lu) caller %pS\n",
			   gom_error_names[GOM_ERR_TOO_LARGE], size, heap->name,
			   GOM_MAX_ALLOC_SIZE, (void *)caller);
}

/**
 * gom_report_bytes() - report and count an overwritten byte of an object
 * @heap: its heap
 * @kind: what was overwritten (free marker, poison, red zone)
 * @obj: the object
 * @bad: the first wrong byte
 * @want: what it should hold
 * @caller: the caller of the gom_* free that found it, 0 on allocation
 *
 * Context: Any context.
 */
void gom_report_bytes(struct gom_heap *heap, enum gom_error kind,
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

/* === debugfs === */

/**
 * gom_report_show() - print error counters, one "name: count" line each
 * @m: the seq_file
 * @errors: GOM_ERR_NR counters: gom_errors or a heap's
 *
 * Context: Process context.
 */
void gom_report_show(struct seq_file *m, atomic_long_t *errors)
{
	unsigned int i;

	for (i = 0; i < GOM_ERR_NR; i++)
		seq_printf(m, "%s: %ld\n", gom_error_names[i],
			   atomic_long_read(&errors[i]));
}

static int gom_all_errors_show(struct seq_file *m, void *v)
{
	gom_report_show(m, gom_errors);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gom_all_errors);

/**
 * gom_report_debugfs_init() - create /sys/kernel/debug/gomalloc/errors
 * @root: /sys/kernel/debug/gomalloc
 *
 * Context: Process context, module init.
 */
void gom_report_debugfs_init(struct dentry *root)
{
	debugfs_create_file("errors", 0444, root, NULL, &gom_all_errors_fops);
}
