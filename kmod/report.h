/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reports of bad calls and corruption: a leaf that any component may call
 * (mm/kfence keeps its reports in report.c the same way).
 */
#ifndef _GOMALLOC_REPORT_H
#define _GOMALLOC_REPORT_H

#include <linux/atomic.h>
#include <linux/types.h>

enum gom_error {
	GOM_ERR_NOT_OURS,	/* no span: not a gomalloc pointer */
	GOM_ERR_INTERIOR,	/* inside an object, not at its start */
	GOM_ERR_DOUBLE_FREE,	/* object not allocated */
	GOM_ERR_HEAP_DESTROYED,	/* object of a heap that was destroyed */
	GOM_ERR_TOO_LARGE,	/* request above GOM_MAX_ALLOC_SIZE */
	GOM_ERR_FREELIST,	/* free marker of a cached object overwritten */
	GOM_ERR_POISON,		/* debug: poison of a free object overwritten */
	GOM_ERR_REDZONE,	/* debug: red zone of an object overwritten */
	GOM_ERR_NR,
};

struct dentry;
struct gom_heap;
struct seq_file;

extern const char *const gom_error_names[GOM_ERR_NR];
extern atomic_long_t gom_errors[GOM_ERR_NR];

void gom_count_error(struct gom_heap *heap, enum gom_error kind);
void gom_report(struct gom_heap *heap, enum gom_error kind, const void *p,
		unsigned long caller);
void gom_report_size(struct gom_heap *heap, size_t size,
		     unsigned long caller);
void gom_report_bytes(struct gom_heap *heap, enum gom_error kind,
		      const void *obj, const u8 *bad, u8 want,
		      unsigned long caller);
void gom_report_show(struct seq_file *m, atomic_long_t *errors);
void gom_report_debugfs_init(struct dentry *root);

#endif /* _GOMALLOC_REPORT_H */
