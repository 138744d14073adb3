// SPDX-License-Identifier: GPL-2.0
/*
 * Heaps: creation, destruction, and the policies that span a whole heap
 * or every heap (draining, CPU hotplug, the shrinker, scavenge, validate).
 *
 * A heap (struct gom_heap) is what Go has once per process: the default
 * heap "default" exists while the module is loaded, more can be made with
 * gom_heap_create(). Each heap has its own mcaches, mcentrals, mheap,
 * profile and debugfs directory. The list of heaps is this file's: the
 * shrinker walks it under RCU, the hotplug callback under gom_heaps_mutex.
 * A heap destroyed with objects live keeps them (and their spans and
 * arenas) until unload, reported, never freed under their users; a later
 * free of one is reported as heap_destroyed. See malloc.c for the whole
 * map.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/kmemleak.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gomalloc_internal.h"
#include "metrics.h"

/* every heap; see LOCK ORDER in malloc.c */
static LIST_HEAD(gom_heaps);
static DEFINE_MUTEX(gom_heaps_mutex);	/* gom_heaps, names, debugfs, orphans */
static struct dentry *gom_debugfs_root;

struct gom_heap *gom_default;

static bool gom_debug;
module_param_named(debug, gom_debug, bool, 0444);
MODULE_PARM_DESC(debug, "debug mode (poison, red zones, checks) for the default heap");

/* === Quiesce: idle pages settle before they leave a heap === */

/* one quiesce at a time: see gom_heap_quiesce() */
static DEFINE_MUTEX(gom_quiesce_mutex);

/**
 * gom_heap_quiesce() - let the pages a heap's spans freed so far settle
 * @heap: the heap
 *
 * The lockless free path can leave a duplicate pointer in a free cache (a
 * double free that raced, see gom_mcentral_claim()), and a free that found
 * its span live may still be about to read or push its object. Pages freed
 * before the quiesce began may leave the heap once both are over: an RCU
 * grace period (every free runs in an RCU reader, gom_lookup_begin()),
 * then every free cache drained into mcentral, where any duplicate is
 * caught. One quiesce at a time, so that each grace period follows its
 * own beginning.
 *
 * Context: Process context; sleeps. Not under gom_heaps_mutex or
 * cpus_read_lock() (the drain takes it).
 */
void gom_heap_quiesce(struct gom_heap *heap)
{
	mutex_lock(&gom_quiesce_mutex);
	gom_mheap_quiesce_begin(heap);
	synchronize_rcu();
	gom_mcache_drain_all(heap);
	gom_mheap_quiesce_end(heap);
	mutex_unlock(&gom_quiesce_mutex);
}
EXPORT_SYMBOL_NS_GPL(gom_heap_quiesce, GOM_INTERNAL_NS);

/* The shrinker cannot sleep on a drain: it leaves the quiesce to a worker. */
static void gom_heap_quiesce_work(struct work_struct *work)
{
	gom_heap_quiesce(container_of(work, struct gom_heap, quiesce_work));
}

/* === Scavenge and validate: the heap-wide actions of debugfs === */

/*
 * Give back what a heap holds and does not use: the mcaches drained, the
 * mcentral reserves, then, once they have settled, every idle arena page.
 */
static unsigned long gom_heap_scavenge(struct gom_heap *heap)
{
	unsigned int spc;

	gom_mcache_drain_all(heap);
	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++)
		gom_mcentral_release_reserve(&heap->central[spc]);
	gom_heap_quiesce(heap);
	return gom_mheap_scavenge(heap, ULONG_MAX);
}

/**
 * gom_heap_validate() - walk every span of a heap and report corruption
 * @heap: the heap
 * @m: a debugfs read to print to, or NULL: print to the kernel log and
 *	count what is found in the errors files
 *
 * Drains the mcaches first so that free objects are back in their spans,
 * then walks the spans (gom_validate_walk()).
 *
 * Context: Process context; sleeps (drains every CPU).
 * Return: the number of corruptions found.
 */
long gom_heap_validate(struct gom_heap *heap, struct seq_file *m)
{
	gom_mcache_drain_all(heap);
	return gom_validate_walk(heap, m);
}
EXPORT_SYMBOL_NS_GPL(gom_heap_validate, GOM_INTERNAL_NS);

static ssize_t gom_scavenge_write(struct file *file, const char __user *buf,
				  size_t len, loff_t *ppos)
{
	struct gom_heap *heap = file->private_data;
	unsigned long pages = gom_heap_scavenge(heap);

	pr_debug("heap %s: scavenged %lu pages\n", heap->name, pages);
	return len;
}

static const struct file_operations gom_scavenge_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = gom_scavenge_write,
	.llseek = noop_llseek,
};

static int gom_validate_show(struct seq_file *m, void *v)
{
	gom_heap_validate(m->private, m);
	return 0;
}

static int gom_validate_open(struct inode *inode, struct file *file)
{
	return single_open(file, gom_validate_show, inode->i_private);
}

static ssize_t gom_validate_write(struct file *file, const char __user *buf,
				  size_t len, loff_t *ppos)
{
	struct seq_file *m = file->private_data;

	gom_heap_validate(m->private, NULL);
	return len;
}

static const struct file_operations gom_validate_fops = {
	.owner = THIS_MODULE,
	.open = gom_validate_open,
	.read = seq_read,
	.write = gom_validate_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/*
 * A heap's directory: the statistics (stats.c), the profile (profile.c),
 * and the actions. Under gom_heaps_mutex.
 */
static void gom_heap_debugfs_add(struct gom_heap *heap)
{
	lockdep_assert_held(&gom_heaps_mutex);
	heap->dir = debugfs_create_dir(heap->name, gom_debugfs_root);
	gom_stats_debugfs_add(heap, heap->dir);
	gom_profile_debugfs_add(heap, heap->dir);
	gom_metrics_debugfs_add(heap, heap->dir);
	debugfs_create_file("scavenge", 0200, heap->dir, heap,
			    &gom_scavenge_fops);
	debugfs_create_file("validate", 0600, heap->dir, heap,
			    &gom_validate_fops);
}

/*
 * Remove a heap's directory, waiting for readers of its files, without
 * gom_heaps_mutex: a file operation in flight may wait for CPU hotplug,
 * whose callback takes it.
 */
static void gom_heap_debugfs_del(struct gom_heap *heap)
{
	lockdep_assert_not_held(&gom_heaps_mutex);
	debugfs_remove_recursive(heap->dir);
	heap->dir = NULL;
}

/* === Heap destroy and orphans === */

/*
 * Spans and arenas of destroyed heaps that still hold live objects, kept
 * until unload, when no module that could hold such an object is left.
 * Under gom_heaps_mutex.
 */
static LIST_HEAD(gom_orphan_spans);
static LIST_HEAD(gom_orphan_arenas);

/*
 * Give back every small span that is free, orphan the others onto @spans;
 * return the live objects left.
 */
static unsigned long gom_heap_empty(struct gom_heap *heap,
				    struct list_head *spans)
{
	struct gom_memstats ms;
	unsigned int spc;
	int cpu;

	cpus_read_lock();
	for_each_possible_cpu(cpu)
		gom_mcache_drain_cpu(heap, cpu);
	cpus_read_unlock();
	gom_read_memstats(heap, &ms);
	for (spc = 1; spc < GOM_NUM_SPAN_CLASSES; spc++)
		gom_mcentral_destroy(&heap->central[spc], spans);
	return ms.heap_objects;
}

static void gom_heap_free(struct gom_heap *heap)
{
	struct gom_mheap_info info;
	unsigned long objs;
	LIST_HEAD(arenas);
	LIST_HEAD(spans);

	/*
	 * debugfs first, without gom_heaps_mutex: removal waits for running
	 * file operations, and "scavenge" or "validate" waits for CPU hotplug
	 * (cpus_read_lock), whose callback takes gom_heaps_mutex. The heap
	 * stays listed meanwhile, so its name cannot be taken again.
	 */
	gom_heap_debugfs_del(heap);
	mutex_lock(&gom_heaps_mutex);
	list_del_rcu(&heap->list);
	mutex_unlock(&gom_heaps_mutex);
	/*
	 * Frees run in RCU readers (gom_lookup_begin()): after this grace
	 * period none that missed @dying is in flight, and every later one
	 * is reported as heap_destroyed and ignored, never raced with the
	 * teardown below.
	 */
	WRITE_ONCE(heap->dying, true);
	synchronize_rcu();	/* nor does the shrinker see it any more */
	cancel_work_sync(&heap->quiesce_work);

	objs = gom_heap_empty(heap, &spans);
	gom_mheap_info(heap, &info);
	if (objs || info.inuse_pages)
		pr_warn("heap %s destroyed with %lu objects remaining: %lu pages kept until unload\n",
			heap->name, objs, info.inuse_pages);
	gom_mheap_destroy(heap, &spans, &arenas);
	mutex_lock(&gom_heaps_mutex);
	list_splice(&spans, &gom_orphan_spans);
	list_splice(&arenas, &gom_orphan_arenas);
	mutex_unlock(&gom_heaps_mutex);
	synchronize_rcu();	/* lockless frees that read heap fields */
	gom_profile_destroy(heap);
	gom_mcache_destroy(heap);
	kfree(heap);
}

/*
 * The live objects of an orphan are still registered with kmemleak; their
 * pages are about to go back to the page allocator, whose next user's
 * objects must not overlap them there. Quarantined slots were never
 * registered: unregistering them is a no-op.
 */
static void gom_span_forget(struct gom_span *span)
{
	unsigned int i;

	if (span->spc == GOM_TINY_SPANCLASS) {
		gom_tiny_forget(span);
	} else if (span->sizeclass) {
		for_each_set_bit(i, span->alloc_bits, span->nelems)
			kmemleak_free(gom_span_obj(span, i));
	} else {
		kmemleak_free((void *)span->base);
	}
}

/* Module exit: give back what destroyed heaps leaked. */
static void gom_orphans_free(void)
{
	struct gom_span *span, *tmp;
	unsigned long n = 0;

	mutex_lock(&gom_heaps_mutex);
	list_for_each_entry_safe(span, tmp, &gom_orphan_spans, list) {
		list_del(&span->list);
		gom_span_forget(span);
		gom_mheap_free_orphan(span);
		n++;
	}
	gom_mheap_free_arenas(&gom_orphan_arenas);
	mutex_unlock(&gom_heaps_mutex);
	if (n)
		pr_info("freed %lu spans leaked by destroyed heaps\n", n);
}

/* === Heap lifecycle === */

static struct gom_heap *gom_heap_find(const char *name)
{
	struct gom_heap *heap;

	lockdep_assert_held(&gom_heaps_mutex);
	list_for_each_entry(heap, &gom_heaps, list)
		if (!strcmp(heap->name, name))
			return heap;
	return NULL;
}

static bool gom_heap_name_ok(const char *name)
{
	size_t len = name ? strnlen(name, GOM_HEAP_NAME_MAX) : 0;

	return len && len < GOM_HEAP_NAME_MAX && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}

/**
 * gom_heap_create() - create a heap
 * @name: unique name, its debugfs directory; 1..31 bytes, no '/'
 * @flags: GOM_HEAP_* flags: GOM_HEAP_NO_TINY, GOM_HEAP_DEBUG (poison, red
 *	zones and their checks, validate; implies GOM_HEAP_NO_TINY)
 *
 * Context: Process context; may sleep.
 * Return: the heap, or NULL (bad or taken name, no memory).
 */
struct gom_heap *gom_heap_create(const char *name, unsigned int flags)
{
	struct gom_heap *heap;
	unsigned int spc;

	might_sleep();
	if (!gom_heap_name_ok(name) || (flags & ~GOM_HEAP_FLAGS))
		return NULL;
	heap = kzalloc(sizeof(*heap), GFP_KERNEL);
	if (!heap)
		return NULL;
	strscpy(heap->name, name, sizeof(heap->name));
	/* a debug heap red-zones every object: none is packed */
	if (flags & GOM_HEAP_DEBUG)
		flags |= GOM_HEAP_NO_TINY;
	heap->flags = flags;
	heap->key = get_random_long();
	INIT_WORK(&heap->quiesce_work, gom_heap_quiesce_work);
	gom_profile_init(heap);
	gom_mheap_init(&heap->mheap);
	for (spc = 0; spc < GOM_NUM_SPAN_CLASSES; spc++)
		gom_mcentral_init(&heap->central[spc], heap, spc);
	if (gom_mcache_init(heap))
		goto err_heap;

	mutex_lock(&gom_heaps_mutex);
	if (gom_heap_find(name)) {
		mutex_unlock(&gom_heaps_mutex);
		goto err_mcache;
	}
	list_add_tail_rcu(&heap->list, &gom_heaps);
	gom_heap_debugfs_add(heap);
	mutex_unlock(&gom_heaps_mutex);
	return heap;

err_mcache:
	gom_mcache_destroy(heap);
err_heap:
	kfree(heap);
	return NULL;
}
EXPORT_SYMBOL_GPL(gom_heap_create);

/**
 * gom_heap_destroy() - destroy a heap created with gom_heap_create()
 * @heap: the heap, or NULL; nobody may use it concurrently
 *
 * Memory still in use is reported ("objects remaining") and not freed under
 * its users: it stays allocated until the module is unloaded, and a later
 * gom_free() of it is reported as heap_destroyed. The default heap cannot be
 * destroyed.
 *
 * Context: Process context; may sleep.
 */
void gom_heap_destroy(struct gom_heap *heap)
{
	might_sleep();
	if (!heap || WARN_ON(heap == gom_default))
		return;
	gom_heap_free(heap);
}
EXPORT_SYMBOL_GPL(gom_heap_destroy);

/**
 * gom_default_heap() - the heap gom_alloc() uses
 *
 * Context: Any context.
 * Return: the default heap, named "default".
 */
struct gom_heap *gom_default_heap(void)
{
	return gom_default;
}
EXPORT_SYMBOL_GPL(gom_default_heap);

/**
 * gom_heap_name() - a heap's name
 * @heap: the heap
 *
 * Context: Any context.
 * Return: the name given at creation.
 */
const char *gom_heap_name(const struct gom_heap *heap)
{
	return heap->name;
}
EXPORT_SYMBOL_GPL(gom_heap_name);

/* === CPU hotplug: a CPU going offline has its mcaches drained === */

static enum cpuhp_state gom_cpuhp_state;

static int gom_cpu_dead(unsigned int cpu)
{
	struct gom_heap *heap;

	mutex_lock(&gom_heaps_mutex);
	list_for_each_entry(heap, &gom_heaps, list)
		gom_mcache_drain_cpu(heap, cpu);
	mutex_unlock(&gom_heaps_mutex);
	return 0;
}

/**
 * gom_hotplug_init() - drain a CPU's mcaches when it goes offline
 *
 * Context: Process context, module init.
 * Return: 0 or a negative errno.
 */
int gom_hotplug_init(void)
{
	int ret;

	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "gomalloc:dead",
					NULL, gom_cpu_dead);
	if (ret < 0)
		return ret;
	gom_cpuhp_state = ret;
	return 0;
}

/**
 * gom_hotplug_exit() - remove the hotplug callback
 *
 * Context: Process context, module exit.
 */
void gom_hotplug_exit(void)
{
	cpuhp_remove_state_nocalls(gom_cpuhp_state);
}

/* === Shrinker: memory pressure gives idle pages back === */

static struct shrinker *gom_shrinker;

static unsigned long gom_reserve_pages(struct gom_heap *heap)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 1; i < GOM_NUM_SPAN_CLASSES; i++)
		n += gom_mcentral_reserve_pages(&heap->central[i]);
	return n;
}

static unsigned long gom_shrink_count(struct shrinker *s,
				      struct shrink_control *sc)
{
	struct gom_heap *heap;
	unsigned long n = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(heap, &gom_heaps, list)
		n += gom_mheap_idle_pages(heap) + gom_reserve_pages(heap);
	rcu_read_unlock();
	return n ? n : SHRINK_EMPTY;
}

static unsigned long gom_shrink_scan(struct shrinker *s,
				     struct shrink_control *sc)
{
	unsigned long done = 0;
	struct gom_heap *heap;
	unsigned int i;

	rcu_read_lock();
	list_for_each_entry_rcu(heap, &gom_heaps, list) {
		for (i = 1; i < GOM_NUM_SPAN_CLASSES; i++)
			gom_mcentral_release_reserve(&heap->central[i]);
		done += gom_mheap_scavenge(heap, sc->nr_to_scan - done);
		if (done >= sc->nr_to_scan)
			break;
		/* what still cools settles for the next scan */
		if (gom_mheap_idle_pages(heap))
			queue_work(system_unbound_wq, &heap->quiesce_work);
	}
	rcu_read_unlock();
	return done ? done : SHRINK_STOP;
}

/**
 * gom_shrinker_init() - register the shrinker that returns idle pages
 *
 * Context: Process context, module init.
 * Return: 0 or -ENOMEM.
 */
int gom_shrinker_init(void)
{
	gom_shrinker = gom_compat_shrinker_create("gomalloc", gom_shrink_count,
						  gom_shrink_scan);
	return gom_shrinker ? 0 : -ENOMEM;
}

/**
 * gom_shrinker_exit() - unregister the shrinker
 *
 * Context: Process context, module exit.
 */
void gom_shrinker_exit(void)
{
	gom_compat_shrinker_destroy(gom_shrinker);
}

/* === Module init and exit === */

/**
 * gom_heaps_init() - module init: the list of heaps and the default heap
 * @root: /sys/kernel/debug/gomalloc, where heaps get their directories
 *
 * Context: Process context, module init.
 * Return: 0 or -ENOMEM.
 */
int gom_heaps_init(struct dentry *root)
{
	gom_debugfs_root = root;
	gom_default = gom_heap_create("default", gom_debug ? GOM_HEAP_DEBUG : 0);
	return gom_default ? 0 : -ENOMEM;
}

/**
 * gom_heaps_exit() - module exit: destroy every heap left, free orphans
 *
 * Context: Process context, module exit.
 */
void gom_heaps_exit(void)
{
	struct gom_heap *heap;

	for (;;) {
		mutex_lock(&gom_heaps_mutex);
		heap = list_first_entry_or_null(&gom_heaps, struct gom_heap, list);
		mutex_unlock(&gom_heaps_mutex);
		if (!heap)
			break;
		if (heap != gom_default)
			pr_warn("heap %s not destroyed before unload\n", heap->name);
		gom_heap_free(heap);
	}
	gom_default = NULL;
	gom_orphans_free();
}
