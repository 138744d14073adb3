// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc module entry: creates the debugfs root and the default heap.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/debugfs.h>
#include <linux/module.h>

static struct dentry *gom_debugfs_root;

static int __init gomalloc_init(void)
{
	gom_debugfs_root = debugfs_create_dir("gomalloc", NULL);
	debugfs_create_dir("default", gom_debugfs_root);
	pr_info("loaded\n");
	return 0;
}

static void __exit gomalloc_exit(void)
{
	debugfs_remove_recursive(gom_debugfs_root);
	pr_info("unloaded\n");
}

module_init(gomalloc_init);
module_exit(gomalloc_exit);

MODULE_DESCRIPTION("gomalloc: the Go runtime's memory allocator as a kernel allocator");
MODULE_LICENSE("GPL");
