// SPDX-License-Identifier: GPL-2.0
/*
 * Size-class tables: the one instance of the generated sizeclasses.h.
 *
 * The header defines the arrays here, each followed by its
 * EXPORT_SYMBOL_NS_GPL(..., GOM_INTERNAL_NS) for gomalloc's test modules.
 */
#include <linux/module.h>

#define GOM_SIZECLASSES_DEFINE
#include "sizeclasses.h"
