// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc module entry: sets the allocator up and tears it down; see
 * gomalloc_internal.h.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/module.h>

#include "gomalloc_internal.h"

static char *gom_fail_param;
module_param_named(fail, gom_fail_param, charp, 0444);
MODULE_PARM_DESC(fail, "fault injection at load: <interval>,<probability>,<space>,<times>");

static int __init gomalloc_init(void)
{
	int ret;

	if (gom_class_to_size[GOM_TINY_SIZECLASS] != GOM_TINY_SIZE)
		return -EINVAL;
	ret = gom_mcache_setup();
	if (ret)
		return ret;
	ret = gom_span_cache_init();
	if (ret)
		return ret;
	ret = gom_lookup_init();
	if (ret)
		goto err_span;
	gom_debugfs_init();
	ret = gom_fail_init(gom_fail_param);
	if (ret)
		goto err_debugfs;
	ret = gom_heap_setup();
	if (ret)
		goto err_debugfs;
	gom_profile_setup();
	ret = gom_hotplug_init();
	if (ret)
		goto err_heap;
	ret = gom_shrinker_init();
	if (ret)
		goto err_hotplug;
	pr_info("loaded: %u size classes, %lu KiB arenas, max object %lu bytes\n",
		GOM_NUM_SIZE_CLASSES - 1, (PAGE_SIZE << GOM_ARENA_ORDER) >> 10,
		GOM_MAX_ALLOC_SIZE);
	return 0;

err_hotplug:
	gom_hotplug_exit();
err_heap:
	gom_heap_teardown();
err_debugfs:
	gom_debugfs_exit();
	gom_lookup_exit();
err_span:
	gom_span_cache_exit();
	return ret;
}

static void __exit gomalloc_exit(void)
{
	gom_shrinker_exit();
	gom_hotplug_exit();
	gom_heap_teardown();
	gom_debugfs_exit();
	gom_lookup_exit();
	gom_span_cache_exit();
	pr_info("unloaded\n");
}

module_init(gomalloc_init);
module_exit(gomalloc_exit);

MODULE_DESCRIPTION("gomalloc: the Go runtime's memory allocator as a kernel allocator");
MODULE_LICENSE("GPL");
