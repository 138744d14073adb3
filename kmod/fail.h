/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection: a leaf that every allocation gomalloc makes for itself
 * asks first (mm/failslab.c's role for the slab allocators).
 */
#ifndef _GOMALLOC_FAIL_H
#define _GOMALLOC_FAIL_H

#include <linux/gfp.h>
#include <linux/types.h>

struct dentry;
struct fault_attr;

struct fault_attr *gom_fail_attr_get(void);
bool gom_should_fail(size_t size, gfp_t gfp);
int gom_fail_init(const char *param, struct dentry *root);

#endif /* _GOMALLOC_FAIL_H */
