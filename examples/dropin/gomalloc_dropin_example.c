// SPDX-License-Identifier: GPL-2.0
/*
 * gomalloc_dropin_example - ordinary kmalloc code served by gomalloc.
 *
 * Nothing below calls gomalloc: the module's Kbuild includes
 * include/gomalloc_dropin.mk, which renames the object's references to
 * kmalloc(), kfree() and the rest to gomalloc's. Its init builds a linked
 * list (kept until unload), grows an array with krealloc(), and uses
 * kcalloc(), kzalloc(), ksize(), kmemdup(), kstrdup(), kvmalloc(),
 * __free(kfree) and kfree_sensitive(), and frees with kfree() strings the
 * kernel allocated (kasprintf(), kstrndup()), which go back to the kernel.
 * Each step is checked, including that the memory came from gomalloc
 * (gom_owns(), the one gomalloc call, made by the checks only). Init fails
 * with -EINVAL when any check fails; otherwise it logs
 * "gomalloc_dropin_example: all N checks passed".
 *
 * It defines pr_fmt before its includes, as most kernel sources do: the
 * drop-in includes nothing into the source, so that is no redefinition.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cleanup.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <gomalloc.h>	/* gom_owns(): for the checks only */

struct item {
	struct list_head node;
	unsigned int value;
	char name[20];
};

static LIST_HEAD(items);
static unsigned int nr_checks, nr_failed;

#define check(cond, fmt, ...)						\
	do {								\
		nr_checks++;						\
		if (!(cond)) {						\
			nr_failed++;					\
			pr_err("check failed: %s: " fmt "\n", #cond,		\
			       ##__VA_ARGS__);				\
		}							\
	} while (0)

#define NR_ITEMS	100

static void free_items(void)
{
	struct item *it, *tmp;

	list_for_each_entry_safe(it, tmp, &items, node) {
		list_del(&it->node);
		kfree(it);
	}
}

/* A linked list, kept until the module is unloaded. */
static void test_list(void)
{
	unsigned int i, sum = 0, owned = 0, n = 0;
	struct item *it;

	for (i = 0; i < NR_ITEMS; i++) {
		it = kmalloc(sizeof(*it), GFP_KERNEL);
		if (!it)
			break;
		it->value = i;
		snprintf(it->name, sizeof(it->name), "item-%u", i);
		list_add_tail(&it->node, &items);
	}
	check(i == NR_ITEMS, "allocated %u of %u items", i, NR_ITEMS);
	list_for_each_entry(it, &items, node) {
		sum += it->value;
		owned += gom_owns(it);
		n++;
	}
	check(n == NR_ITEMS, "%u items on the list", n);
	check(sum == NR_ITEMS * (NR_ITEMS - 1) / 2, "sum %u", sum);
	check(owned == n, "%u of %u items from gomalloc", owned, n);
	it = list_last_entry(&items, struct item, node);
	check(!strcmp(it->name, "item-99"), "last item %s", it->name);
	check(ksize(it) >= sizeof(*it), "ksize %zu < %zu", ksize(it),
	      sizeof(*it));
}

/* An array grown one element at a time with krealloc(). */
static void test_krealloc(void)
{
	unsigned int i, bad = 0, *arr = NULL, *n;
	const unsigned int len = 3000;	/* grows into a large object */

	for (i = 0; i < len; i++) {
		n = krealloc(arr, (i + 1) * sizeof(*arr), GFP_KERNEL);
		if (!n)
			break;
		arr = n;
		arr[i] = i * 7;
	}
	check(i == len, "grew to %u of %u elements", i, len);
	for (i = 0; arr && i < len; i++)
		bad += arr[i] != i * 7;
	check(!bad, "%u elements changed while growing", bad);
	check(gom_owns(arr), "array %p not from gomalloc", arr);
	check(ksize(arr) >= len * sizeof(*arr), "ksize %zu", ksize(arr));
	n = krealloc_array(arr, 10, sizeof(*arr), GFP_KERNEL);
	check(n == arr, "shrinking moved the array");
	if (n)
		arr = n;
	check(arr && arr[9] == 63, "arr[9] after shrinking");
	n = krealloc(arr, 0, GFP_KERNEL);
	check(n == ZERO_SIZE_PTR, "krealloc(p, 0) gave %p", n);
	n = krealloc(NULL, 40, GFP_KERNEL);
	check(n && gom_owns(n), "krealloc(NULL, 40) gave %p", n);
	kfree(n);
}

static void test_kcalloc_kzalloc(void)
{
	unsigned int i, nonzero = 0;
	u64 *v;
	char *z;

	v = kcalloc(64, sizeof(*v), GFP_KERNEL);
	check(v && gom_owns(v), "kcalloc gave %p", v);
	for (i = 0; v && i < 64; i++)
		nonzero += v[i] != 0;
	check(!nonzero, "%u nonzero u64 from kcalloc", nonzero);
	kfree(v);
	v = kcalloc(SIZE_MAX / 4, sizeof(*v), GFP_KERNEL);
	check(!v, "kcalloc overflow gave %p", v);
	v = kmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL);
	check(!v, "kmalloc_array overflow gave %p", v);

	z = kzalloc(5000, GFP_KERNEL);
	check(z && gom_owns(z), "kzalloc gave %p", z);
	check(z && !memchr_inv(z, 0, ksize(z)), "kzalloc memory not zero");
	kfree(z);
	z = kzalloc_node(100, GFP_KERNEL, NUMA_NO_NODE);
	check(z && gom_owns(z) && !memchr_inv(z, 0, 100), "kzalloc_node %p", z);
	kfree(z);
}

static void test_zero_size(void)
{
	void *p = kmalloc(0, GFP_KERNEL);

	check(p == ZERO_SIZE_PTR, "kmalloc(0) gave %p", p);
	check(ksize(p) == 0, "ksize(ZERO_SIZE_PTR) %zu", ksize(p));
	kfree(p);
	kfree(NULL);
	kfree_sensitive(NULL);
}

static void test_dup(void)
{
	static const char msg[] = "served by gomalloc";
	char *s = kstrdup(msg, GFP_KERNEL);
	void *m = kmemdup(msg, 8, GFP_KERNEL);

	check(s && !strcmp(s, msg) && gom_owns(s), "kstrdup gave %p", s);
	check(m && !memcmp(m, msg, 8) && gom_owns(m), "kmemdup gave %p", m);
	kfree(s);
	kfree(m);
}

static bool scoped_owned(void)
{
	char *buf __free(kfree) = kmalloc(256, GFP_KERNEL);

	if (!buf)
		return false;
	strscpy(buf, "freed at scope exit", 256);
	return gom_owns(buf);
}

static void test_kvmalloc(void)
{
	void *small = kvmalloc(1000, GFP_KERNEL);
	void *big = kvzalloc(8 << 20, GFP_KERNEL);	/* above kmalloc's limit */

	check(small && gom_owns(small), "kvmalloc(1000) gave %p", small);
	check(big && is_vmalloc_addr(big) && !gom_owns(big),
	      "kvzalloc(8 MiB) gave %p", big);
	kvfree(small);
	kvfree(big);
}

/*
 * kfree_sensitive() must clear the whole usable size. The freed object is
 * looked at only once it is ours again: the same CPU allocating the same
 * size next gets it back from gomalloc's per-CPU cache (LIFO), its first
 * word (the free marker) cleared and the rest as the free left it.
 */
static void test_kfree_sensitive(void)
{
	unsigned int tries, seen = 0, dirty = 0;
	size_t ks;
	u8 *p, *q;

	for (tries = 0; tries < 10 && !seen; tries++) {
		p = kmalloc(48, GFP_KERNEL);
		if (!p)
			break;
		ks = ksize(p);
		memset(p, 0xa5, ks);
		preempt_disable();
		kfree_sensitive(p);
		q = kmalloc(48, GFP_ATOMIC);
		preempt_enable();
		if (q == p) {
			seen = 1;
			dirty = memchr_inv(q + sizeof(long), 0,
					   ks - sizeof(long)) != NULL;
		}
		kfree(q);
	}
	check(seen, "freed object never came back in %u tries", tries);
	check(!dirty, "kfree_sensitive left data behind");
}

/* Memory the core kernel allocated for the module, freed by the module. */
static void test_kernel_memory(void)
{
	char *s = kasprintf(GFP_KERNEL, "item %d", 42);
	char *t = kstrndup("kernel string", 6, GFP_KERNEL);

	check(s && !gom_owns(s), "kasprintf() %p is gomalloc's", s);
	check(t && !gom_owns(t), "kstrndup() %p is gomalloc's", t);
	check(t && !strcmp(t, "kernel"), "kstrndup() gave '%s'", t);
	kfree(s);	/* the kernel's kfree(), not a not_ours report */
	kfree(t);
}

static int __init dropin_init(void)
{
	unsigned long page = __get_free_page(GFP_KERNEL);

	/* the check itself can say no */
	check(page && !gom_owns((void *)page), "page allocator page %lx", page);
	free_page(page);

	test_list();
	test_krealloc();
	test_kcalloc_kzalloc();
	test_zero_size();
	test_dup();
	check(scoped_owned(), "__free(kfree) buffer not from gomalloc");
	test_kvmalloc();
	test_kfree_sensitive();
	test_kernel_memory();

	if (nr_failed) {
		pr_err("%u of %u checks failed\n", nr_failed, nr_checks);
		free_items();
		return -EINVAL;
	}
	pr_info("all %u checks passed\n", nr_checks);
	return 0;
}

static void __exit dropin_exit(void)
{
	free_items();
}

module_init(dropin_init);
module_exit(dropin_exit);
MODULE_DESCRIPTION("An unmodified kmalloc user served by gomalloc");
MODULE_LICENSE("GPL");
