// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc_profile_example - kmalloc code with known call stacks, for the
 * heap profile (gomalloc's profile_stacks, tools/gomprof, go tool pprof).
 *
 * Built unmodified with the drop-in (include/gomalloc_dropin.mk), as
 * examples/dropin is, so that its kmalloc() calls are gomalloc's (the
 * profile skips the drop-in's wrappers, kmod/dropin.c). At load, three
 * call chains of its own, each under gompe_run():
 *
 *	gompe_tables() -> gompe_table_alloc()	64 x 32 KiB, kept (2 MiB)
 *	gompe_nodes() -> gompe_node_alloc()	4096 x 64 B, kept (256 KiB)
 *	gompe_churn() -> gompe_churn_one()	16384 x 512 B, each freed at
 *						once (8 MiB allocated, none kept)
 *
 * so that the profile's in-use view puts the tables first and the nodes
 * second, and its allocation view the churn first, then the tables, then
 * the nodes, each within a factor of the sizes above. What it keeps is
 * freed when it is unloaded. It logs "gomalloc_profile_example: ready"
 * when all its allocations succeeded and fails to load otherwise.
 *
 * The functions are noinline and do something after each call, so that
 * every one of them is a frame of its own (no inlining, no tail call: the
 * first run of the check found gompe_churn() tail-called).
 * The module's init is not __init: its text stays, and with it the name
 * of its frame, after the load.
 */
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#define NR_TABLES	64
#define TABLE_SIZE	SZ_32K
#define NR_NODES	4096
#define NODE_SIZE	64
#define NR_CHURN	16384
#define CHURN_SIZE	512

static void *tables[NR_TABLES];
static void *nodes[NR_NODES];

static noinline bool gompe_table_alloc(unsigned int i)
{
	tables[i] = kmalloc(TABLE_SIZE, GFP_KERNEL);
	return tables[i];
}

static noinline int gompe_tables(void)
{
	unsigned int i;

	for (i = 0; i < NR_TABLES; i++)
		if (!gompe_table_alloc(i))
			return -ENOMEM;
	return 0;
}

static noinline bool gompe_node_alloc(unsigned int i)
{
	nodes[i] = kzalloc(NODE_SIZE, GFP_KERNEL);
	return nodes[i];
}

static noinline int gompe_nodes(void)
{
	unsigned int i;

	for (i = 0; i < NR_NODES; i++)
		if (!gompe_node_alloc(i))
			return -ENOMEM;
	return 0;
}

static noinline bool gompe_churn_one(void)
{
	char *p = kmalloc(CHURN_SIZE, GFP_KERNEL);

	if (!p)
		return false;
	p[0] = 1;
	kfree(p);
	return true;
}

static noinline int gompe_churn(void)
{
	unsigned int i;

	for (i = 0; i < NR_CHURN; i++)
		if (!gompe_churn_one())
			return -ENOMEM;
	return 0;
}

static void gompe_free(void)
{
	unsigned int i;

	for (i = 0; i < NR_TABLES; i++)
		kfree(tables[i]);
	for (i = 0; i < NR_NODES; i++)
		kfree(nodes[i]);
}

static noinline int gompe_run(void)
{
	int ret = gompe_tables();

	if (!ret)
		ret = gompe_nodes();
	if (!ret)
		ret = gompe_churn();
	barrier();	/* no tail call: gompe_run() stays in the churn's stack */
	return ret;
}

static int gompe_init(void)
{
	int ret = gompe_run();

	if (ret) {
		gompe_free();
		return ret;
	}
	pr_info(KBUILD_MODNAME ": ready\n");
	return 0;
}

static void gompe_exit(void)
{
	gompe_free();
}

module_init(gompe_init);
module_exit(gompe_exit);

MODULE_DESCRIPTION("gomalloc's heap profile example: kmalloc calls with known stacks");
MODULE_LICENSE("GPL");
