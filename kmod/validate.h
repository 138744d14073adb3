/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validate: the walk over every span of a heap; see validate.c.
 */
#ifndef _GOMALLOC_VALIDATE_H
#define _GOMALLOC_VALIDATE_H

struct gom_heap;
struct seq_file;

long gom_validate_walk(struct gom_heap *heap, struct seq_file *m);

#endif /* _GOMALLOC_VALIDATE_H */
