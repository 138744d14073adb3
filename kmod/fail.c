// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: a fault_attr of gomalloc's own, debugfs
 * /sys/kernel/debug/gomalloc/fail/ and the module parameter "fail",
 * asked before every page allocation (pages.c) and every metadata
 * allocation (span structs, arenas, lookup frames, tiny and debug side
 * arrays). Each failure unwinds to NULL for the caller with nothing held
 * but idle arena pages.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/gfp.h>	/* before fault-inject.h, which needs it on 6.1 */
#include <linux/fault-inject.h>
#include <linux/module.h>

#include "gomalloc_internal.h"

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
 * @root: /sys/kernel/debug/gomalloc
 *
 * Context: Process context, module init.
 * Return: 0, or -EINVAL for a malformed @param.
 */
int gom_fail_init(const char *param, struct dentry *root)
{
#ifdef CONFIG_FAULT_INJECTION
	/* one line per injected failure, no stack dump: that is a report */
	gom_fail_attr.verbose = 1;
	if (param && !setup_fault_attr(&gom_fail_attr, (char *)param))
		return -EINVAL;
#endif
	/* ERR_PTR without CONFIG_FAULT_INJECTION_DEBUG_FS: nothing to undo */
	fault_create_debugfs_attr("fail", root, &gom_fail_attr);
	return 0;
}
