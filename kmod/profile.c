// SPDX-License-Identifier: GPL-2.0
/*
 * The sampled allocation profile, Go's MemProfileRate: per call stack live
 * and total objects and bytes, estimated from samples.
 *
 * Each CPU counts down requested bytes to its next sample, drawn from an
 * exponential distribution of mean profile_rate; the allocation that
 * crosses it is recorded for its call stack in a small per-heap hash of
 * buckets, weighted by 1 / (1 - exp(-size / rate)), the inverse of its
 * chance to be sampled. The stack (profile_depth frames, Go's 32 before
 * 1.23, from the caller of the gom_* function out: gomalloc's own frames
 * are cut off) is walked by stack_trace_save() and kept once in the
 * kernel's stack depot (which allocates its hash table, about 1/1024 of
 * RAM, the first time profiling is on, unless the kernel did already); a
 * bucket is a (call site, depot handle) pair. Only a sampled allocation
 * walks its stack; without CONFIG_STACKDEPOT, or with profile_depth=0, a
 * bucket is its call site alone. A sampled object gets a record in the
 * heap's xarray (keyed by address) and is counted in its span
 * (nr_sampled), so that a free looks a record up only in a span that holds
 * a live sampled object, and takes back exactly what the sample added.
 * Buckets and records come from kmalloc (GFP_ATOMIC | __GFP_NOWARN; a
 * failure is a counted drop) and are freed with the heap. With
 * profile_rate=0 from load on, the hooks (gomalloc_hooks.h) are one static
 * key nop each, and no stack is walked; once profiling was on, frees also
 * test the span's flag, so that live counts stay right after profiling
 * stops.
 *
 * /sys/kernel/debug/gomalloc/<heap>/profile, sorted by live bytes:
 *	live_objects live_bytes alloc_objects alloc_bytes call_site
 * and profile_stacks, the same rows each followed by its stack, one frame
 * a line (leaf first, a tab before it), for tools/gomprof, which writes
 * them as a pprof profile.proto.
 */
#define pr_fmt(fmt) "gomalloc: " fmt

#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/stackdepot.h>
#include <linux/stacktrace.h>

#include "gomalloc_hooks.h"

#define GOM_PROF_MAX_BUCKETS	4096	/* per heap; more call sites drop */
#define GOM_PROF_MAX_RATE	INT_MAX
#define GOM_PROF_GFP		(GFP_ATOMIC | __GFP_NOWARN)
#define GOM_Q16			16	/* object counts are kept as Q16 */
/* gomalloc's frames above the caller of the gom_* function, at most */
#define GOM_PROF_SKIP_MAX	8
#define GOM_PROF_HAVE_STACKS	(IS_ENABLED(CONFIG_STACKDEPOT) && \
				 IS_ENABLED(CONFIG_STACKTRACE))

DEFINE_STATIC_KEY_FALSE(gom_profile_key);
DEFINE_STATIC_KEY_FALSE(gom_profile_free_key);
DEFINE_PER_CPU(long, gom_next_sample);

static unsigned long gom_profile_rate = 512 * 1024;
static unsigned int gom_profile_depth = 32;
static DEFINE_MUTEX(gom_profile_mutex);	/* rate and depth changes */
static bool gom_profile_ready;
static bool gom_profile_depot;		/* stack_depot_init() succeeded */

/**
 * struct gom_prof_bucket - one call stack's counts
 * @node: in gom_profile->table (RCU)
 * @call_site: the return address of the gom_* call
 * @stack: stack depot handle of the stack from @call_site out, or 0
 * @names: the names of its frames that lie in modules, one line a frame
 *	(empty for vmlinux's), rendered when the bucket was made; NULL when
 *	that allocation failed
 * @live_objs: sampled live objects, weighted, Q16
 * @live_bytes: their weighted bytes
 * @alloc_objs: sampled objects ever, weighted, Q16
 * @alloc_bytes: their weighted bytes
 */
struct gom_prof_bucket {
	struct hlist_node node;
	unsigned long call_site;
	u32 stack;
	const char *names;
	atomic64_t live_objs;
	atomic64_t live_bytes;
	atomic64_t alloc_objs;
	atomic64_t alloc_bytes;
};

/**
 * struct gom_prof_rec - a sampled live object
 * @bucket: its call site
 * @objs: the weight it added to the counts of objects (Q16)
 * @bytes: the weighted bytes it added
 */
struct gom_prof_rec {
	struct gom_prof_bucket *bucket;
	u64 objs;
	u64 bytes;
};

/* === Sampling arithmetic (fixed point, no FPU) === */

/* log2(@x) in Q16 for 1 <= @x <= 2^63, by repeated squaring */
static u32 gom_log2_q16(u64 x)
{
	unsigned int n = ilog2(x);
	u32 res = n << 16, bit;
	u64 y = (x << (63 - n)) >> 32;	/* [1, 2) as Q31 */

	for (bit = 1U << 15; bit; bit >>= 1) {
		y = (y * y) >> 31;
		if (y >= (2ULL << 31)) {
			y >>= 1;
			res |= bit;
		}
	}
	return res;
}

/*
 * Bytes to the next sample: an exponential variate of mean @rate,
 * -ln(u) * rate for u uniform in (0, 1], as -log2(u) * ln(2) * rate.
 */
static long gom_profile_next(unsigned long rate)
{
	u64 u, nlog2;

	/*
	 * Rate 1 samples every allocation, as Go's MemProfileRate 1 does: a
	 * variate of mean 1 byte exceeds a 5-byte request once in 150 draws.
	 */
	if (rate == 1)
		return 0;
	u = (u64)get_random_u32() + 1;			/* u / 2^32 */
	nlog2 = (32ULL << 16) - gom_log2_q16(u);	/* -log2, Q16 */

	/* ln(2) in Q16 is 45426: the product is Q32 */
	return mul_u64_u64_shr(rate, nlog2 * 45426, 32);
}

/* exp(-@f) in Q32 for 0 <= @f < 1 (Q32), by its Taylor series */
static u64 gom_exp_neg_frac(u64 f)
{
	u64 sum = 1ULL << 32, term = 1ULL << 32;
	unsigned int k;

	for (k = 1; k <= 14 && term; k++) {
		term = mul_u64_u64_shr(term, f, 32) / k;
		if (k & 1)
			sum -= term;
		else
			sum += term;
	}
	return sum;
}

/*
 * The weight of a sample of @size bytes, Q16: the inverse of the chance
 * that a Poisson process of mean interval @rate lands in it,
 * 1 / (1 - exp(-size / rate)); 1 for @rate 1, which samples everything.
 */
static u64 gom_profile_weight(size_t size, unsigned long rate)
{
	u64 t = div64_u64((u64)size << 32, rate);	/* size / rate, Q32 */
	u64 p, e;
	unsigned int n;

	if (rate <= 1 || t >= (23ULL << 32))
		return 1ULL << GOM_Q16;	/* every one sampled; exp(-23) < 2^-32 */
	if (t < (1ULL << 22)) {
		/* 1 - exp(-t) = t - t^2 / 2 + ...: no cancellation */
		p = t - (mul_u64_u64_shr(t, t, 32) >> 1);
	} else {
		e = gom_exp_neg_frac(t & 0xffffffffULL);
		for (n = t >> 32; n; n--)
			e = mul_u64_u64_shr(e, 1580030169ULL, 32); /* e^-1 */
		p = (1ULL << 32) - e;
	}
	return div64_u64(1ULL << (32 + GOM_Q16), max_t(u64, p, 1));
}

/* === Stacks === */

#if GOM_PROF_HAVE_STACKS
/*
 * The stack of a sampled allocation, from @caller (the return address of
 * the gom_* function) out, at most profile_depth frames, in the stack
 * depot. stack_trace_save() starts in its caller, gom_profile_sample():
 * the frames up to @caller are gomalloc's (inlined hooks make their number
 * vary), or, should @caller not be among the first ones, those in
 * gomalloc's text.
 */
static u32 gom_prof_stack(unsigned long caller)
{
	unsigned long entries[GOM_PROF_MAX_DEPTH + GOM_PROF_SKIP_MAX];
	unsigned int depth = READ_ONCE(gom_profile_depth);
	unsigned int n, i;

	if (!depth || !READ_ONCE(gom_profile_depot))
		return 0;
	n = stack_trace_save(entries, depth + GOM_PROF_SKIP_MAX, 0);
	for (i = 0; i < n && i < GOM_PROF_SKIP_MAX; i++)
		if (entries[i] == caller)
			break;
	if (i == n || i == GOM_PROF_SKIP_MAX)
		for (i = 0; i < n && within_module(entries[i], THIS_MODULE); i++)
			;
	n = min(n - i, depth);
	return n ? stack_depot_save(entries + i, n, GOM_PROF_GFP) : 0;
}

/* stack_depot_init() once, where profiling starts. Under the mutex. */
static void gom_prof_depot_init(void)
{
	lockdep_assert_held(&gom_profile_mutex);
	if (!gom_profile_depot && gom_profile_depth)
		WRITE_ONCE(gom_profile_depot, !stack_depot_init());
}

static unsigned int gom_prof_fetch(u32 stack, const unsigned long **frames)
{
	unsigned long *entries;
	unsigned int n = stack_depot_fetch(stack, &entries);

	*frames = entries;
	return n;
}
#else
static u32 gom_prof_stack(unsigned long caller)
{
	return 0;
}

static void gom_prof_depot_init(void)
{
}

static unsigned int gom_prof_fetch(u32 stack, const unsigned long **frames)
{
	return 0;
}
#endif

/* === Buckets and records === */

#define GOM_PROF_NAME_LEN	128	/* a frame's name, at most */

/*
 * The names of a new bucket's frames that lie in modules, rendered now,
 * while the module is there: its symbols go when it is unloaded, and its
 * addresses may then be another module's. One line a frame (%pS for the
 * call site, %pB for return addresses), empty for vmlinux's frames, whose
 * text stays: those are named when the profile is read.
 */
static const char *gom_prof_names(const unsigned long *frames, unsigned int n)
{
	char name[GOM_PROF_NAME_LEN], *buf;
	const char *names;
	unsigned int i, len = 0, l;

	buf = kmalloc_array(n, GOM_PROF_NAME_LEN, GOM_PROF_GFP);
	if (!buf)
		return NULL;
	for (i = 0; i < n; i++) {
		l = snprintf(name, sizeof(name), i ? "%pB" : "%pS",
			     (void *)frames[i]);
		l = min_t(unsigned int, l, sizeof(name) - 1);
		if (l && name[l - 1] == ']') {	/* "[module]" */
			memcpy(buf + len, name, l);
			len += l;
		}
		buf[len++] = '\n';
	}
	names = kmemdup_nul(buf, len, GOM_PROF_GFP);
	kfree(buf);
	return names;
}

static const char *gom_prof_bucket_names(unsigned long call_site, u32 stack)
{
	struct gom_profile_entry e = { .call_site = call_site, .stack = stack };
	const unsigned long *frames;
	unsigned int n = gom_profile_stack(&e, &frames);

	return gom_prof_names(frames, n);
}

static struct gom_prof_bucket *gom_prof_find(struct gom_profile *prof,
					     struct hlist_head *head,
					     unsigned long call_site, u32 stack)
{
	struct gom_prof_bucket *b;

	hlist_for_each_entry_rcu(b, head, node, true)
		if (b->call_site == call_site && b->stack == stack)
			return b;
	return NULL;
}

/*
 * The bucket of @call_site and @stack, made if need be; NULL when out of
 * memory or buckets.
 */
static struct gom_prof_bucket *gom_prof_bucket(struct gom_profile *prof,
					       unsigned long call_site,
					       u32 stack)
{
	struct hlist_head *head;
	struct gom_prof_bucket *b, *nb;
	unsigned long flags;

	head = &prof->table[hash_long(call_site ^ stack, GOM_PROF_HASH_BITS)];
	rcu_read_lock();
	b = gom_prof_find(prof, head, call_site, stack);
	rcu_read_unlock();
	if (b)
		return b;	/* buckets live as long as the heap */

	nb = kzalloc(sizeof(*nb), GOM_PROF_GFP);
	if (!nb)
		return NULL;
	nb->call_site = call_site;
	nb->stack = stack;
	nb->names = gom_prof_bucket_names(call_site, stack);
	spin_lock_irqsave(&prof->lock, flags);
	b = gom_prof_find(prof, head, call_site, stack);
	if (!b && prof->nr_buckets < GOM_PROF_MAX_BUCKETS) {
		hlist_add_head_rcu(&nb->node, head);
		prof->nr_buckets++;
		b = nb;
		nb = NULL;
	}
	spin_unlock_irqrestore(&prof->lock, flags);
	if (nb)
		kfree(nb->names);
	kfree(nb);
	return b;
}

static unsigned long gom_prof_index(const void *p)
{
	return (unsigned long)p - PAGE_OFFSET;
}

/**
 * gom_profile_sample() - this CPU's countdown crossed: record an object
 * @heap: its heap
 * @p: the object
 * @size: bytes requested
 * @caller: return address of the exported function
 *
 * Draws the next countdown, then records @p for @caller and its stack,
 * weighted by the chance of a sample of @size, in the bucket and in the
 * heap's record of sampled objects, and counts it in its span.
 *
 * Context: Any context gom_alloc() is called in; no gomalloc lock held.
 */
void gom_profile_sample(struct gom_heap *heap, void *p, size_t size,
			unsigned long caller)
{
	unsigned long rate = READ_ONCE(gom_profile_rate);
	struct gom_profile *prof = &heap->profile;
	struct gom_prof_bucket *b;
	struct gom_prof_rec *rec;
	struct gom_span *span;
	unsigned long flags;
	size_t bytes;
	int ret;

	if (!rate)
		return;
	raw_cpu_write(gom_next_sample, gom_profile_next(rate));
	bytes = gom_obj_bytes(p, size, NULL, &span);
	if (!span)
		return;
	b = gom_prof_bucket(prof, caller, gom_prof_stack(caller));
	rec = b ? kmalloc(sizeof(*rec), GOM_PROF_GFP) : NULL;
	if (!rec)
		goto drop;
	rec->bucket = b;
	rec->objs = gom_profile_weight(size, rate);
	rec->bytes = mul_u64_u64_shr(bytes, rec->objs, GOM_Q16);

	xa_lock_irqsave(&prof->objs, flags);
	ret = xa_err(__xa_store(&prof->objs, gom_prof_index(p), rec,
				GOM_PROF_GFP));
	xa_unlock_irqrestore(&prof->objs, flags);
	if (ret) {
		kfree(rec);
		goto drop;
	}
	atomic_inc(&span->nr_sampled);
	atomic64_add(rec->objs, &b->live_objs);
	atomic64_add(rec->bytes, &b->live_bytes);
	atomic64_add(rec->objs, &b->alloc_objs);
	atomic64_add(rec->bytes, &b->alloc_bytes);
	atomic_long_inc(&prof->samples);
	return;
drop:
	atomic_long_inc(&prof->drops);
}

/**
 * gom_profile_free_slow() - take a sampled object out of the live counts
 * @heap: its heap
 * @span: its span, which holds a live sampled object
 * @p: the object, about to be freed
 *
 * Context: Any context, in an RCU reader (gom_lookup_begin()).
 */
void gom_profile_free_slow(struct gom_heap *heap, struct gom_span *span,
			   const void *p)
{
	struct gom_profile *prof = &heap->profile;
	unsigned long idx = gom_prof_index(p);
	struct gom_prof_rec *rec;
	unsigned long flags;

	if (!xa_load(&prof->objs, idx))
		return;		/* a neighbour was sampled, not this one */
	xa_lock_irqsave(&prof->objs, flags);
	rec = __xa_erase(&prof->objs, idx);
	xa_unlock_irqrestore(&prof->objs, flags);
	if (!rec)
		return;
	atomic_dec(&span->nr_sampled);
	atomic64_sub(rec->objs, &rec->bucket->live_objs);
	atomic64_sub(rec->bytes, &rec->bucket->live_bytes);
	kfree(rec);
}

/* === Heaps === */

/**
 * gom_profile_init() - set a new heap's profile up
 * @heap: the heap, not yet visible
 *
 * Context: Any context.
 */
void gom_profile_init(struct gom_heap *heap)
{
	struct gom_profile *prof = &heap->profile;
	unsigned int i;

	spin_lock_init(&prof->lock);
	for (i = 0; i < ARRAY_SIZE(prof->table); i++)
		INIT_HLIST_HEAD(&prof->table[i]);
	xa_init_flags(&prof->objs, XA_FLAGS_LOCK_IRQ);
}

/**
 * gom_profile_destroy() - free a dead heap's profile
 * @heap: the heap, no longer used by anyone (after an RCU grace period)
 *
 * Records of objects still live (orphans) go too: their frees are refused
 * as frees of a destroyed heap and never reach the profile.
 *
 * Context: Process context.
 */
void gom_profile_destroy(struct gom_heap *heap)
{
	struct gom_profile *prof = &heap->profile;
	struct gom_prof_bucket *b;
	struct hlist_node *tmp;
	struct gom_prof_rec *rec;
	unsigned long idx;
	unsigned int i;

	xa_for_each(&prof->objs, idx, rec)
		kfree(rec);
	xa_destroy(&prof->objs);
	for (i = 0; i < ARRAY_SIZE(prof->table); i++) {
		hlist_for_each_entry_safe(b, tmp, &prof->table[i], node) {
			hlist_del(&b->node);
			kfree(b->names);
			kfree(b);
		}
	}
	prof->nr_buckets = 0;
}

/* === Reading === */

static u64 gom_prof_read(atomic64_t *v, bool objs)
{
	s64 x = atomic64_read(v);

	if (x <= 0)
		return 0;
	return objs ? ((u64)x + (1ULL << (GOM_Q16 - 1))) >> GOM_Q16 : x;
}

static int gom_prof_cmp(const void *a, const void *b)
{
	const struct gom_profile_entry *x = a, *y = b;

	if (x->live_bytes != y->live_bytes)
		return x->live_bytes < y->live_bytes ? 1 : -1;
	if (x->alloc_bytes != y->alloc_bytes)
		return x->alloc_bytes < y->alloc_bytes ? 1 : -1;
	return 0;
}

/**
 * gom_profile_snapshot() - read a heap's profile
 * @heap: the heap
 * @e: array receiving up to @max call sites, by live bytes descending
 * @max: its size
 *
 * Counts are estimates, scaled from the samples; racy while the heap is
 * in use.
 *
 * Context: Any context.
 * Return: the call sites written.
 */
int gom_profile_snapshot(struct gom_heap *heap, struct gom_profile_entry *e,
			 unsigned int max)
{
	struct gom_profile *prof = &heap->profile;
	struct gom_prof_bucket *b;
	unsigned int i, n = 0;

	rcu_read_lock();
	for (i = 0; i < ARRAY_SIZE(prof->table) && n < max; i++) {
		hlist_for_each_entry_rcu(b, &prof->table[i], node) {
			if (n == max)
				break;
			e[n].call_site = b->call_site;
			e[n].stack = b->stack;
			e[n].names = b->names;
			e[n].live_objects = gom_prof_read(&b->live_objs, true);
			e[n].live_bytes = gom_prof_read(&b->live_bytes, false);
			e[n].alloc_objects = gom_prof_read(&b->alloc_objs, true);
			e[n].alloc_bytes = gom_prof_read(&b->alloc_bytes, false);
			n++;
		}
	}
	rcu_read_unlock();
	sort(e, n, sizeof(*e), gom_prof_cmp, NULL);
	return n;
}
EXPORT_SYMBOL_NS_GPL(gom_profile_snapshot, GOM_INTERNAL_NS);

/**
 * gom_profile_stack() - the call stack of a profile entry
 * @e: the entry, from gom_profile_snapshot()
 * @frames: set to its return addresses, leaf (the call site) first
 *
 * The frames of a stack stay valid as long as the kernel runs (the stack
 * depot keeps them); an entry without a stack has one frame, its call
 * site, and @frames then points into @e.
 *
 * Context: Any context.
 * Return: the number of frames, at least 1.
 */
unsigned int gom_profile_stack(const struct gom_profile_entry *e,
			       const unsigned long **frames)
{
	unsigned int n = e->stack ? gom_prof_fetch(e->stack, frames) : 0;

	if (n)
		return n;
	*frames = &e->call_site;
	return 1;
}
EXPORT_SYMBOL_NS_GPL(gom_profile_stack, GOM_INTERNAL_NS);

/* A snapshot of @heap's profile for a file, or NULL; *@n its entries. */
static struct gom_profile_entry *gom_prof_take(struct gom_heap *heap, int *n)
{
	unsigned int max = READ_ONCE(heap->profile.nr_buckets) + 16;
	struct gom_profile_entry *e;

	e = kvmalloc_array(max, sizeof(*e), GFP_KERNEL);
	if (e)
		*n = gom_profile_snapshot(heap, e, max);
	return e;
}

static void gom_prof_header(struct seq_file *m, struct gom_heap *heap,
			    const char *what, int n)
{
	struct gom_profile *prof = &heap->profile;

	seq_printf(m, "# profile_rate=%lu samples=%ld dropped=%ld %s=%d\n",
		   READ_ONCE(gom_profile_rate), atomic_long_read(&prof->samples),
		   atomic_long_read(&prof->drops), what, n);
}

static void gom_prof_counts(struct seq_file *m, const struct gom_profile_entry *e)
{
	seq_printf(m, "%llu %llu %llu %llu", e->live_objects, e->live_bytes,
		   e->alloc_objects, e->alloc_bytes);
}

/* Line @i of @names, *@len its length; NULL if absent or empty. */
static const char *gom_prof_line(const char *names, unsigned int i, int *len)
{
	for (; names && i; i--) {
		names = strchr(names, '\n');
		if (names)
			names++;
	}
	if (!names)
		return NULL;
	*len = strchrnul(names, '\n') - names;
	return *len ? names : NULL;
}

/*
 * Frame @i of @e's stack, as named when it was sampled (a module's) or now
 * (vmlinux's): %pS for the call site, %pB for return addresses.
 */
static void gom_prof_show_frame(struct seq_file *m,
				const struct gom_profile_entry *e,
				const unsigned long *frames, unsigned int i)
{
	int len;
	const char *name = gom_prof_line(e->names, i, &len);

	if (name)
		seq_printf(m, "%.*s", len, name);
	else if (i)
		seq_printf(m, "%pB", (void *)frames[i]);
	else
		seq_printf(m, "%pS", (void *)frames[i]);
}

/*
 * Frames of the drop-in's wrappers (gom_dropin_*, kmod/dropin.c) are
 * gomalloc's too: a stack starts at their caller.
 */
static bool gom_prof_dropin_frame(const struct gom_profile_entry *e,
				  const unsigned long *frames, unsigned int i)
{
	static const char prefix[] = "gom_dropin_";
	char name[16];	/* the prefix is enough */
	const char *line;
	int len;

	line = gom_prof_line(e->names, i, &len);
	if (line)
		return len >= sizeof(prefix) - 1 &&
		       !strncmp(line, prefix, sizeof(prefix) - 1);
	snprintf(name, sizeof(name), "%ps", (void *)frames[i]);
	return !strncmp(name, prefix, sizeof(prefix) - 1);
}

static void gom_prof_show_stack(struct seq_file *m,
				const struct gom_profile_entry *e)
{
	const unsigned long *frames;
	unsigned int i = 0, n = gom_profile_stack(e, &frames);

	while (i + 1 < n && gom_prof_dropin_frame(e, frames, i))
		i++;
	for (; i < n; i++) {
		seq_putc(m, '\t');
		gom_prof_show_frame(m, e, frames, i);
		seq_putc(m, '\n');
	}
}

static int gom_profile_show(struct seq_file *m, void *v)
{
	struct gom_profile_entry *e;
	int i, n;

	e = gom_prof_take(m->private, &n);
	if (!e)
		return -ENOMEM;
	gom_prof_header(m, m->private, "call_sites", n);
	seq_puts(m, "live_objects live_bytes alloc_objects alloc_bytes call_site\n");
	for (i = 0; i < n; i++) {
		gom_prof_counts(m, &e[i]);
		seq_putc(m, ' ');
		gom_prof_show_frame(m, &e[i], &e[i].call_site, 0);
		seq_putc(m, '\n');
	}
	kvfree(e);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gom_profile);

static int gom_profile_stacks_show(struct seq_file *m, void *v)
{
	struct gom_heap *heap = m->private;
	struct gom_profile_entry *e;
	int i, n;

	e = gom_prof_take(heap, &n);
	if (!e)
		return -ENOMEM;
	gom_prof_header(m, heap, "stacks", n);
	seq_printf(m, "# heap=%s profile_depth=%u\n", heap->name,
		   READ_ONCE(gom_profile_depth));
	seq_puts(m, "live_objects live_bytes alloc_objects alloc_bytes, then the stack, leaf first\n");
	for (i = 0; i < n; i++) {
		gom_prof_counts(m, &e[i]);
		seq_putc(m, '\n');
		gom_prof_show_stack(m, &e[i]);
	}
	kvfree(e);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gom_profile_stacks);

/**
 * gom_profile_debugfs_add() - create the heap's "profile" files
 * @heap: the heap
 * @dir: its debugfs directory
 *
 * Context: Process context, under gom_heaps_mutex.
 */
void gom_profile_debugfs_add(struct gom_heap *heap, struct dentry *dir)
{
	debugfs_create_file("profile", 0444, dir, heap, &gom_profile_fops);
	debugfs_create_file("profile_stacks", 0444, dir, heap,
			    &gom_profile_stacks_fops);
}

/* === The rate === */

static void gom_profile_apply(unsigned long rate)
{
	int cpu;

	lockdep_assert_held(&gom_profile_mutex);
	WRITE_ONCE(gom_profile_rate, rate);
	if (!gom_profile_ready)
		return;		/* gom_profile_rate_init() applies it */
	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu(gom_next_sample, cpu),
			   gom_profile_next(rate));
	if (rate) {
		gom_prof_depot_init();
		/* frees first, so that no sample is taken it cannot see */
		static_branch_enable(&gom_profile_free_key);
		static_branch_enable(&gom_profile_key);
	} else {
		static_branch_disable(&gom_profile_key);
	}
}

/**
 * gom_profile_set_rate() - set the profile's mean sampling interval
 * @rate: bytes between samples on average; 0 stops sampling (what was
 *	sampled stays, and its frees are still counted)
 *
 * Context: Process context; may sleep.
 * Return: 0, or -EINVAL for a rate above INT_MAX.
 */
int gom_profile_set_rate(unsigned long rate)
{
	if (rate > GOM_PROF_MAX_RATE)
		return -EINVAL;
	mutex_lock(&gom_profile_mutex);
	gom_profile_apply(rate);
	mutex_unlock(&gom_profile_mutex);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(gom_profile_set_rate, GOM_INTERNAL_NS);

/**
 * gom_profile_get_rate() - the profile's mean sampling interval
 *
 * Context: Any context.
 * Return: bytes, 0 when off.
 */
unsigned long gom_profile_get_rate(void)
{
	return READ_ONCE(gom_profile_rate);
}
EXPORT_SYMBOL_NS_GPL(gom_profile_get_rate, GOM_INTERNAL_NS);

/**
 * gom_profile_set_depth() - set the number of frames a sample records
 * @depth: at most GOM_PROF_MAX_DEPTH; 0 records the call site alone (no
 *	stack walk)
 *
 * Samples taken before keep their stacks.
 *
 * Context: Process context; may sleep.
 * Return: 0, or -EINVAL for a depth above GOM_PROF_MAX_DEPTH.
 */
int gom_profile_set_depth(unsigned int depth)
{
	if (depth > GOM_PROF_MAX_DEPTH)
		return -EINVAL;
	mutex_lock(&gom_profile_mutex);
	WRITE_ONCE(gom_profile_depth, depth);
	if (gom_profile_ready && READ_ONCE(gom_profile_rate))
		gom_prof_depot_init();
	mutex_unlock(&gom_profile_mutex);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(gom_profile_set_depth, GOM_INTERNAL_NS);

/**
 * gom_profile_get_depth() - the number of frames a sample records
 *
 * Context: Any context.
 * Return: frames, 0 when only call sites are recorded.
 */
unsigned int gom_profile_get_depth(void)
{
	return READ_ONCE(gom_profile_depth);
}
EXPORT_SYMBOL_NS_GPL(gom_profile_get_depth, GOM_INTERNAL_NS);

/**
 * gom_profile_has_stacks() - whether samples can record stacks here
 *
 * Context: Any context.
 * Return: true on a kernel with the stack depot, once it is set up.
 */
bool gom_profile_has_stacks(void)
{
	return READ_ONCE(gom_profile_depot);
}
EXPORT_SYMBOL_NS_GPL(gom_profile_has_stacks, GOM_INTERNAL_NS);

/**
 * gom_profile_rate_init() - module init: apply the rate given at load
 *
 * Context: Process context, module init.
 */
void gom_profile_rate_init(void)
{
	mutex_lock(&gom_profile_mutex);
	gom_profile_ready = true;
	gom_profile_apply(gom_profile_rate);
	mutex_unlock(&gom_profile_mutex);
}

static int gom_profile_rate_set(const char *val, const struct kernel_param *kp)
{
	unsigned long rate;
	int ret;

	ret = kstrtoul(val, 0, &rate);
	if (ret)
		return ret;
	return gom_profile_set_rate(rate);
}

static const struct kernel_param_ops gom_profile_rate_ops = {
	.set = gom_profile_rate_set,
	.get = param_get_ulong,
};

module_param_cb(profile_rate, &gom_profile_rate_ops, &gom_profile_rate, 0644);
MODULE_PARM_DESC(profile_rate,
		 "allocation profile: mean bytes between samples (Go's MemProfileRate), 0 = off");

static int gom_profile_depth_set(const char *val, const struct kernel_param *kp)
{
	unsigned int depth;
	int ret;

	ret = kstrtouint(val, 0, &depth);
	if (ret)
		return ret;
	return gom_profile_set_depth(depth);
}

static const struct kernel_param_ops gom_profile_depth_ops = {
	.set = gom_profile_depth_set,
	.get = param_get_uint,
};

module_param_cb(profile_depth, &gom_profile_depth_ops, &gom_profile_depth, 0644);
MODULE_PARM_DESC(profile_depth,
		 "allocation profile: frames recorded per sample, 0..64 (0 = call site only)");
