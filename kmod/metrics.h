/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Go's runtime/metrics for a heap, in debugfs; see metrics.c.
 */
#ifndef _GOMALLOC_METRICS_H
#define _GOMALLOC_METRICS_H

struct dentry;
struct gom_heap;

void gom_metrics_debugfs_add(struct gom_heap *heap, struct dentry *dir);

#endif /* _GOMALLOC_METRICS_H */
