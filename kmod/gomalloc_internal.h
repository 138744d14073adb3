/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gomalloc internals: every component's header, for the module's files and
 * its KUnit suites. The overview of the allocator and its lock order are at
 * the top of malloc.c; each component's own paragraph is at the top of its
 * .c file.
 */
#ifndef _GOMALLOC_INTERNAL_H
#define _GOMALLOC_INTERNAL_H

#include <linux/mm.h>

#include <gomalloc.h>
#include "gomalloc_compat.h"
#include "sizeclass.h"

/* leaves */
#include "fail.h"
#include "meta.h"
#include "pages.h"
#include "report.h"

/* the ladder, bottom up, and the components beside it */
#include "span.h"
#include "lookup.h"
#include "mheap.h"
#include "mcentral.h"
#include "tiny.h"
#include "mcache.h"
#include "profile.h"
#include "heap.h"
#include "debug.h"
#include "large.h"
#include "stats.h"
#include "validate.h"

/* malloc.c: gom_alloc() and gom_free() for a caller's call site */
void *gom_alloc_at(size_t size, gfp_t gfp, unsigned long caller);
void gom_free_at(const void *p, unsigned long caller);
void gom_free_init(const void *p, bool wipe);

static_assert(BITS_PER_LONG == 64, "gomalloc needs a 64-bit kernel");
static_assert(GOM_PAGE_SHIFT == PAGE_SHIFT, "size classes are for 4 KiB pages");
static_assert(GOM_SC_MAX_SMALL_SIZE == GOM_MAX_SMALL_SIZE);
static_assert(GOM_MAX_ALLOC_SIZE <= (PAGE_SIZE << MAX_PAGE_ORDER));

#endif /* _GOMALLOC_INTERNAL_H */
