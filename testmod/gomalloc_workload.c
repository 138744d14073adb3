// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc_workload - the short allocation workload of `make run`: tiny,
 * small and large objects through gomalloc's default heap, half of them
 * freed at once and the rest held until unload, so that the statistics
 * read while it is loaded show every kind of object in use.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <gomalloc.h>

#define WORKLOAD_OBJECTS 3000

static void **held;
static unsigned int nr_held;

/* a request size: mostly tiny and small, a few large, as kernels allocate */
static size_t workload_size(unsigned int i)
{
	switch (i % 10) {
	case 0 ... 2:
		return 1 + get_random_u32_below(15);		/* tiny */
	case 3 ... 8:
		return 16 + get_random_u32_below(4096);		/* small */
	default:
		if (i % 100 == 9)
			return 32769 + get_random_u32_below(256 << 10);	/* large */
		return 4096 + get_random_u32_below(28 << 10);	/* small, multi-page spans */
	}
}

static void workload_release(void)
{
	while (nr_held)
		gom_free(held[--nr_held]);
	kfree(held);
}

static int __init workload_init(void)
{
	unsigned int i, failed = 0;
	size_t bytes = 0;

	held = kcalloc(WORKLOAD_OBJECTS, sizeof(*held), GFP_KERNEL);
	if (!held)
		return -ENOMEM;
	for (i = 0; i < WORKLOAD_OBJECTS; i++) {
		size_t size = workload_size(i);
		void *p = gom_alloc(size, GFP_KERNEL);

		if (!p) {
			failed++;
			continue;
		}
		memset(p, 0x5a, size);
		bytes += size;
		if (i & 1)
			gom_free(p);
		else
			held[nr_held++] = p;
	}
	pr_info("allocated %u objects (%zu bytes requested), freed half, holding %u, %u failures\n",
		WORKLOAD_OBJECTS, bytes, nr_held, failed);
	if (failed) {
		workload_release();
		return -ENOMEM;
	}
	return 0;
}

static void __exit workload_exit(void)
{
	workload_release();
}

module_init(workload_init);
module_exit(workload_exit);

MODULE_DESCRIPTION("gomalloc: the short workload of make run");
MODULE_LICENSE("GPL");
