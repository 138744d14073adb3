// SPDX-License-Identifier: GPL-2.0
/* Size-class tables: defines and exports the arrays of sizeclasses.h. */
#include <linux/module.h>

#define GOM_SIZECLASSES_DEFINE
#include "sizeclasses.h"
