// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc module entry: sets the allocator up and tears it down, in
 * ladder order from the leaves up; see malloc.c for the map.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/debugfs.h>
#include <linux/module.h>

#include "gomalloc_internal.h"

static char *gom_fail_param;
module_param_named(fail, gom_fail_param, charp, 0444);
MODULE_PARM_DESC(fail, "fault injection at load: <interval>,<probability>,<space>,<times>");

static struct dentry *gom_debugfs_root;

/* /sys/kernel/debug/gomalloc: the errors file and the fault knobs */
static int __init gom_debugfs_init(void)
{
	gom_debugfs_root = debugfs_create_dir("gomalloc", NULL);
	gom_report_debugfs_init(gom_debugfs_root);
	return gom_fail_init(gom_fail_param, gom_debugfs_root);
}

static void gom_debugfs_exit(void)
{
	debugfs_remove_recursive(gom_debugfs_root);
	gom_debugfs_root = NULL;
}

static int __init gomalloc_init(void)
{
	int ret;

	if (gom_class_to_size[GOM_TINY_SIZECLASS] != GOM_TINY_SIZE)
		return -EINVAL;
	ret = gom_mcache_layout_init();
	if (ret)
		return ret;
	ret = gom_span_cache_init();
	if (ret)
		return ret;
	ret = gom_lookup_init();
	if (ret)
		goto err_span;
	ret = gom_debugfs_init();
	if (ret)
		goto err_debugfs;
	ret = gom_heaps_init(gom_debugfs_root);
	if (ret)
		goto err_debugfs;
	gom_profile_rate_init();
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
	gom_heaps_exit();
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
	gom_heaps_exit();
	gom_debugfs_exit();
	gom_lookup_exit();
	gom_span_cache_exit();
	pr_info("unloaded\n");
}

module_init(gomalloc_init);
module_exit(gomalloc_exit);

MODULE_DESCRIPTION("gomalloc: the Go runtime's memory allocator as a kernel allocator");
MODULE_LICENSE("GPL");
