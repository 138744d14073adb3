// SPDX-License-Identifier: GPL-2.0
/*
 * gomstat - slabtop for gomalloc: per size class occupancy and waste of one
 * heap, read from /sys/kernel/debug/gomalloc/<heap>/ (memstats, classes,
 * slabinfo, metrics).
 *
 *   gomstat [-o] [-d SECONDS] [-n COUNT] [-s objects|used|held|waste|class]
 *           [-a] [--heap NAME] [--dir DIR] [--plot FILE.png] [--check]
 *
 * Static, no library beyond libc: it runs in the test guests, whose root
 * is busybox only. --plot writes a PNG of its own making (stored deflate
 * blocks, CRC-32 and Adler-32), --check cross-checks the per-class figures
 * and Go's runtime/metrics (the metrics file, where there is one) against
 * memstats and exits 1 on a mismatch.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE_BYTES	4096UL
#define MAX_CLASSES	128
#define TINY_CLASS	76	/* classes: the tiny allocator's 16 B blocks */
#define LARGE_MIN_PAGES	8	/* a large object has at least 32 KiB - red zone */

struct gs_class {
	unsigned int id;
	unsigned long size, pages, objs_per_span, spans, objs;
	unsigned long mallocs, frees;
	unsigned long used, held;	/* bytes */
	unsigned int waste;		/* per mille of held */
	int slab_objs, slab_spans;	/* from slabinfo, -1 when absent */
};

struct gs_snap {
	struct gs_class cls[MAX_CLASSES];
	unsigned int ncls;
	int has_slabinfo;
	/* memstats */
	unsigned long alloc, total_alloc, sys, mallocs, frees;
	unsigned long heap_alloc, heap_sys, heap_idle, heap_inuse;
	unsigned long heap_released, heap_objects, tiny_allocs;
	unsigned long large_allocs, large_frees;
	/* derived */
	unsigned long small_used, small_held, nspans;
	/* metrics (runtime/metrics names), when the file is there */
	int has_metrics;
	unsigned long m_objects, m_unused, m_free, m_released, m_total;
	unsigned long m_classes;	/* sum of /memory/classes/ but total */
	unsigned long m_allocs_b, m_allocs_o, m_frees_b, m_frees_o;
	unsigned long m_heap_objects, m_tiny;
	unsigned long m_hist[2][MAX_CLASSES + 1];	/* allocs, frees by size */
	unsigned long m_hist_hi[MAX_CLASSES + 1];	/* bucket upper bounds */
	unsigned int m_nbuckets[2];
};

static const char *gs_dir;
static char gs_dirbuf[512];

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "gomstat: %s%s%s\n", msg, arg ? ": " : "",
		arg ? arg : "");
	exit(2);
}

static FILE *gs_open(const char *name)
{
	char path[640];

	snprintf(path, sizeof(path), "%s/%s", gs_dir, name);
	return fopen(path, "r");
}

/* === Reading === */

static int gs_read_memstats(struct gs_snap *s)
{
	static const struct {
		const char *name;
		size_t off;
	} keys[] = {
#define K(n, f) { n, offsetof(struct gs_snap, f) }
		K("Alloc", alloc), K("TotalAlloc", total_alloc), K("Sys", sys),
		K("Mallocs", mallocs), K("Frees", frees),
		K("HeapAlloc", heap_alloc), K("HeapSys", heap_sys),
		K("HeapIdle", heap_idle), K("HeapInuse", heap_inuse),
		K("HeapReleased", heap_released),
		K("HeapObjects", heap_objects), K("TinyAllocs", tiny_allocs),
		K("LargeAllocs", large_allocs), K("LargeFrees", large_frees),
#undef K
	};
	unsigned int found = 0, i;
	char name[64], line[256];
	unsigned long v;
	FILE *f = gs_open("memstats");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %lu", name, &v) != 2)
			continue;
		for (i = 0; i < ARRAY_SIZE(keys); i++) {
			if (!strcmp(name, keys[i].name)) {
				*(unsigned long *)((char *)s + keys[i].off) = v;
				found++;
			}
		}
	}
	fclose(f);
	return found == ARRAY_SIZE(keys) ? 0 : -1;
}

static int gs_read_classes(struct gs_snap *s)
{
	struct gs_class *c;
	char line[512];
	FILE *f = gs_open("classes");

	if (!f)
		return -1;
	s->ncls = 0;
	while (fgets(line, sizeof(line), f) && s->ncls < MAX_CLASSES) {
		c = &s->cls[s->ncls];
		memset(c, 0, sizeof(*c));
		if (sscanf(line, "%u %lu %lu %lu %lu %lu %lu %lu", &c->id,
			   &c->size, &c->pages, &c->objs_per_span, &c->spans,
			   &c->objs, &c->mallocs, &c->frees) != 8)
			continue;	/* comment or column header */
		c->used = c->objs * c->size;
		c->held = c->spans * c->pages * PAGE_BYTES;
		c->waste = c->held ? (c->held - (c->used < c->held ?
				      c->used : c->held)) * 1000 / c->held : 0;
		c->slab_objs = -1;
		c->slab_spans = -1;
		s->ncls++;
	}
	fclose(f);
	return s->ncls ? 0 : -1;
}

/* slabinfo rows are in class order; they only serve --check */
static void gs_read_slabinfo(struct gs_snap *s)
{
	unsigned long active, total, spans;
	unsigned int i = 0;
	char line[512];
	FILE *f = gs_open("slabinfo");

	s->has_slabinfo = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && i < s->ncls) {
		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%*s %lu %lu %*u %*u %*u : tunables %*u %*u %*u : slabdata %lu",
			   &active, &total, &spans) != 3)
			continue;
		s->cls[i].slab_objs = (int)active;
		s->cls[i].slab_spans = (int)spans;
		i++;
	}
	fclose(f);
	s->has_slabinfo = i == s->ncls;
}

/* one histogram line, "NAME [lo, hi) count"; hi 0 for +Inf */
static int gs_read_bucket(struct gs_snap *s, const char *line)
{
	static const char *const names[2] = {
		"/gc/heap/allocs-by-size:bytes ", "/gc/heap/frees-by-size:bytes ",
	};
	unsigned long lo, hi = 0, v;
	unsigned int h, *n;

	for (h = 0; h < 2; h++)
		if (!strncmp(line, names[h], strlen(names[h])))
			break;
	if (h == 2)
		return 0;
	line += strlen(names[h]);
	if (sscanf(line, "[%lu, +Inf) %lu", &lo, &v) != 2 &&
	    sscanf(line, "[%lu, %lu) %lu", &lo, &hi, &v) != 3)
		return -1;
	n = &s->m_nbuckets[h];
	if (*n > MAX_CLASSES)
		return -1;
	s->m_hist[h][*n] = v;
	s->m_hist_hi[*n] = hi;
	(*n)++;
	return 1;
}

static void gs_read_metrics(struct gs_snap *s)
{
	static const struct {
		const char *name;
		size_t off;
	} keys[] = {
#define K(n, f) { n, offsetof(struct gs_snap, f) }
		K("/memory/classes/heap/objects:bytes", m_objects),
		K("/memory/classes/heap/unused:bytes", m_unused),
		K("/memory/classes/heap/free:bytes", m_free),
		K("/memory/classes/heap/released:bytes", m_released),
		K("/memory/classes/total:bytes", m_total),
		K("/gc/heap/allocs:bytes", m_allocs_b),
		K("/gc/heap/allocs:objects", m_allocs_o),
		K("/gc/heap/frees:bytes", m_frees_b),
		K("/gc/heap/frees:objects", m_frees_o),
		K("/gc/heap/objects:objects", m_heap_objects),
		K("/gc/heap/tiny/allocs:objects", m_tiny),
#undef K
	};
	unsigned int found = 0, i;
	char name[128], line[256];
	unsigned long v;
	int bad = 0, r;
	FILE *f = gs_open("metrics");

	s->has_metrics = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		r = gs_read_bucket(s, line);
		bad |= r < 0;
		if (r || sscanf(line, "%127s %lu", name, &v) != 2)
			continue;
		if (!strncmp(name, "/memory/classes/", 16) &&
		    strcmp(name, "/memory/classes/total:bytes"))
			s->m_classes += v;
		for (i = 0; i < ARRAY_SIZE(keys); i++) {
			if (!strcmp(name, keys[i].name)) {
				*(unsigned long *)((char *)s + keys[i].off) = v;
				found++;
			}
		}
	}
	fclose(f);
	/* a file that is there but cannot be read fails the check */
	s->has_metrics = found == ARRAY_SIZE(keys) && !bad ? 1 : -1;
}

static int gs_read(struct gs_snap *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	if (gs_read_classes(s) || gs_read_memstats(s))
		return -1;
	gs_read_slabinfo(s);
	gs_read_metrics(s);
	for (i = 0; i < s->ncls; i++) {
		s->small_used += s->cls[i].used;
		s->small_held += s->cls[i].held;
		s->nspans += s->cls[i].spans;
	}
	return 0;
}

/* === Cross-check against memstats === */

static int gs_problem(FILE *out, const char *what, unsigned long a,
		      unsigned long b)
{
	if (out)
		fprintf(out, "gomstat: mismatch: %s (%lu vs %lu)\n", what, a, b);
	return 1;
}

static int gs_differ(FILE *out, const char *what, unsigned long a,
		     unsigned long b)
{
	return a != b ? gs_problem(out, what, a, b) : 0;
}

/*
 * One histogram of metrics against classes: a bucket per class but the
 * tiny one, each ending at its size + 1, the class counts in it (the tiny
 * blocks in the 16 B one), and the large objects in the last.
 */
static int gs_check_hist(const struct gs_snap *s, FILE *out, int h)
{
	unsigned long large = h ? s->large_frees : s->large_allocs;
	unsigned long tiny = 0, want;
	const struct gs_class *c;
	unsigned int i, b = 0;
	int bad = 0;

	for (i = 0; i < s->ncls; i++)
		if (s->cls[i].id == TINY_CLASS)
			tiny = h ? s->cls[i].frees : s->cls[i].mallocs;
	for (i = 0; i < s->ncls; i++) {
		c = &s->cls[i];
		if (c->id == TINY_CLASS)
			continue;
		if (b == s->m_nbuckets[h])
			break;
		want = (h ? c->frees : c->mallocs) + (c->size == 16 ? tiny : 0);
		if (s->m_hist_hi[b] != c->size + 1)
			bad += gs_problem(out, "metrics bucket bound = class size + 1",
					  s->m_hist_hi[b], c->size + 1);
		bad += gs_differ(out, h ? "frees-by-size bucket = class frees" :
				 "allocs-by-size bucket = class mallocs",
				 s->m_hist[h][b], want);
		b++;
	}
	if (b + 1 != s->m_nbuckets[h] || s->m_hist_hi[b])
		return bad + gs_problem(out, "metrics buckets = classes + 1 (large, to +Inf)",
					s->m_nbuckets[h], b + 1);
	return bad + gs_differ(out, h ? "frees-by-size +Inf = LargeFrees" :
			       "allocs-by-size +Inf = LargeAllocs",
			       s->m_hist[h][b], large);
}

/* metrics against memstats and classes: the same counters, read again */
static int gs_check_metrics(const struct gs_snap *s, FILE *out)
{
	int bad = 0;

	if (s->has_metrics < 0)
		return gs_problem(out, "metrics file readable", 0, 1);
	bad += gs_differ(out, "/memory/classes/heap/objects = HeapAlloc",
			 s->m_objects, s->heap_alloc);
	bad += gs_differ(out, "heap objects + unused = HeapInuse",
			 s->m_objects + s->m_unused, s->heap_inuse);
	bad += gs_differ(out, "heap free + released = HeapIdle",
			 s->m_free + s->m_released, s->heap_idle);
	bad += gs_differ(out, "heap released = HeapReleased", s->m_released,
			 s->heap_released);
	bad += gs_differ(out, "/memory/classes/total = Sys", s->m_total, s->sys);
	bad += gs_differ(out, "sum of /memory/classes = total", s->m_classes,
			 s->m_total);
	bad += gs_differ(out, "/gc/heap/allocs:bytes = TotalAlloc",
			 s->m_allocs_b, s->total_alloc);
	bad += gs_differ(out, "/gc/heap/allocs:objects = Mallocs",
			 s->m_allocs_o, s->mallocs);
	bad += gs_differ(out, "/gc/heap/frees:bytes = TotalAlloc - HeapAlloc",
			 s->m_frees_b, s->total_alloc - s->heap_alloc);
	bad += gs_differ(out, "/gc/heap/frees:objects = Frees", s->m_frees_o,
			 s->frees);
	bad += gs_differ(out, "/gc/heap/objects = HeapObjects",
			 s->m_heap_objects, s->heap_objects);
	bad += gs_differ(out, "/gc/heap/tiny/allocs = TinyAllocs", s->m_tiny,
			 s->tiny_allocs);
	return bad + gs_check_hist(s, out, 0) + gs_check_hist(s, out, 1);
}

/*
 * Number of inconsistencies between classes, slabinfo, metrics and
 * memstats.
 */
static int gs_check(const struct gs_snap *s, FILE *out)
{
	unsigned long cm = 0, cf = 0, large;
	const struct gs_class *c;
	unsigned int i;
	int bad = 0;

	for (i = 0; i < s->ncls; i++) {
		c = &s->cls[i];
		if (c->id != TINY_CLASS) {
			cm += c->mallocs;
			cf += c->frees;
		}
		if (c->objs > c->spans * c->objs_per_span)
			bad += gs_problem(out, "class objects fit in its spans",
					  c->objs, c->spans * c->objs_per_span);
		if (s->has_slabinfo && (c->slab_objs != (int)c->objs ||
					c->slab_spans != (int)c->spans))
			bad += gs_problem(out, "slabinfo row = classes row",
					  c->slab_objs, c->objs);
	}
	if (s->has_metrics)
		bad += gs_check_metrics(s, out);
	if (s->mallocs - s->frees != s->heap_objects)
		bad += gs_problem(out, "Mallocs - Frees = HeapObjects",
				  s->mallocs - s->frees, s->heap_objects);
	if (s->heap_inuse + s->heap_idle != s->heap_sys)
		bad += gs_problem(out, "HeapInuse + HeapIdle = HeapSys",
				  s->heap_inuse + s->heap_idle, s->heap_sys);
	if (cm + s->tiny_allocs + s->large_allocs != s->mallocs)
		bad += gs_problem(out, "sum of class mallocs + TinyAllocs + LargeAllocs = Mallocs",
				  cm + s->tiny_allocs + s->large_allocs,
				  s->mallocs);
	/* what is left of Frees are tiny sub-objects */
	if (cf + s->large_frees > s->frees ||
	    s->frees - cf - s->large_frees > s->tiny_allocs)
		bad += gs_problem(out,
				  "sum of class frees + LargeFrees <= Frees <= that + TinyAllocs",
				  cf + s->large_frees, s->frees);
	if (s->small_used > s->heap_alloc) {
		bad += gs_problem(out, "sum of class bytes in use <= HeapAlloc",
				  s->small_used, s->heap_alloc);
		return bad;
	}
	/* the rest of HeapAlloc is large objects, whole pages */
	large = s->heap_alloc - s->small_used;
	if (large % PAGE_BYTES ||
	    large < (s->large_allocs - s->large_frees) * LARGE_MIN_PAGES * PAGE_BYTES ||
	    (s->large_allocs == s->large_frees && large))
		bad += gs_problem(out, "HeapAlloc - class bytes = the large objects' pages",
				  large, s->large_allocs - s->large_frees);
	if (s->small_held + large > s->heap_inuse)
		bad += gs_problem(out, "class spans' bytes + large pages <= HeapInuse",
				  s->small_held + large, s->heap_inuse);
	return bad;
}

static void gs_report(const struct gs_snap *s, int bad)
{
	if (bad) {
		gs_check(s, stderr);
		fprintf(stderr, "gomstat: check failed: %d mismatches\n", bad);
		return;
	}
	printf("gomstat: check passed: %u classes, %lu objects, %lu bytes agree with memstats\n",
	       s->ncls, s->heap_objects, s->heap_alloc);
}

/* === Table === */

enum gs_sort { GS_OBJECTS, GS_USED, GS_HELD, GS_WASTE, GS_CLASS };
static enum gs_sort gs_sort_by = GS_HELD;

static int gs_cmp(const void *pa, const void *pb)
{
	const struct gs_class *a = pa, *b = pb;
	unsigned long x = 0, y = 0;

	switch (gs_sort_by) {
	case GS_OBJECTS:
		x = a->objs, y = b->objs;
		break;
	case GS_USED:
		x = a->used, y = b->used;
		break;
	case GS_HELD:
		x = a->held, y = b->held;
		break;
	case GS_WASTE:
		x = a->held - (a->used < a->held ? a->used : a->held);
		y = b->held - (b->used < b->held ? b->used : b->held);
		break;
	case GS_CLASS:
		return (int)a->id - (int)b->id;
	}
	if (x != y)
		return x > y ? -1 : 1;
	return (int)a->id - (int)b->id;
}

static const char *gs_bytes(unsigned long v, char *buf, size_t len)
{
	if (v >= 10UL << 20)
		snprintf(buf, len, "%.1fM", v / 1048576.0);
	else if (v >= 10UL << 10)
		snprintf(buf, len, "%.1fK", v / 1024.0);
	else
		snprintf(buf, len, "%lu", v);
	return buf;
}

static unsigned int gs_pct(unsigned long part, unsigned long whole)
{
	return whole ? (unsigned int)(part * 100 / whole) : 0;
}

static void gs_print(const struct gs_snap *s, const char *heap, int all)
{
	struct gs_class sorted[MAX_CLASSES];
	unsigned long large = s->heap_alloc > s->small_used ?
			      s->heap_alloc - s->small_used : 0;
	char b1[16], b2[16], b3[16], b4[16], b5[16], b6[16];
	const struct gs_class *c;
	unsigned int i;

	printf("gomalloc heap %s (%s)\n", heap, gs_dir);
	printf(" Objects: %lu in use, %lu mallocs, %lu frees (%lu tiny, %lu large allocs)\n",
	       s->heap_objects, s->mallocs, s->frees, s->tiny_allocs,
	       s->large_allocs);
	printf(" Heap: %s used (HeapAlloc), %s in spans (HeapInuse), %s idle,",
	       gs_bytes(s->heap_alloc, b1, sizeof(b1)),
	       gs_bytes(s->heap_inuse, b2, sizeof(b2)),
	       gs_bytes(s->heap_idle, b3, sizeof(b3)));
	printf(" %s released, %s held (HeapSys); Sys %s\n",
	       gs_bytes(s->heap_released, b4, sizeof(b4)),
	       gs_bytes(s->heap_sys, b5, sizeof(b5)),
	       gs_bytes(s->sys, b6, sizeof(b6)));
	printf(" Classes: %s used of %s in %lu spans (%u%% waste); large objects %s\n\n",
	       gs_bytes(s->small_used, b1, sizeof(b1)),
	       gs_bytes(s->small_held, b2, sizeof(b2)), s->nspans,
	       gs_pct(s->small_held - (s->small_used < s->small_held ?
				       s->small_used : s->small_held),
		      s->small_held),
	       gs_bytes(large, b3, sizeof(b3)));
	printf("%5s %6s %8s %9s %9s %7s %6s %9s %9s\n", "CLASS", "SIZE",
	       "OBJS", "USED", "HELD", "WASTE", "SPANS", "MALLOCS", "FREES");
	memcpy(sorted, s->cls, s->ncls * sizeof(sorted[0]));
	qsort(sorted, s->ncls, sizeof(sorted[0]), gs_cmp);
	for (i = 0; i < s->ncls; i++) {
		c = &sorted[i];
		if (!all && !c->spans && !c->objs)
			continue;
		printf("%5u %6lu %8lu %9s %9s %4u.%u%% %6lu %9lu %9lu%s\n",
		       c->id, c->size, c->objs,
		       gs_bytes(c->used, b1, sizeof(b1)),
		       gs_bytes(c->held, b2, sizeof(b2)),
		       c->waste / 10, c->waste % 10, c->spans, c->mallocs,
		       c->frees, c->id == TINY_CLASS ? " tiny blocks" : "");
	}
}

/* === PNG === */

static unsigned int gs_crc_table[256];

static unsigned int gs_crc(unsigned int crc, const unsigned char *p,
			   size_t n)
{
	unsigned int c, k;
	size_t i;

	if (!gs_crc_table[1]) {
		for (i = 0; i < 256; i++) {
			c = i;
			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
			gs_crc_table[i] = c;
		}
	}
	crc = ~crc;
	for (i = 0; i < n; i++)
		crc = gs_crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void gs_be32(unsigned char *p, unsigned int v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void gs_chunk(FILE *f, const char *type, const unsigned char *data,
		     size_t len)
{
	unsigned char hdr[8];
	unsigned int crc;

	gs_be32(hdr, len);
	memcpy(hdr + 4, type, 4);
	crc = gs_crc(0, hdr + 4, 4);
	crc = gs_crc(crc, data, len);
	fwrite(hdr, 1, 8, f);
	fwrite(data, 1, len, f);
	gs_be32(hdr, crc);
	fwrite(hdr, 1, 4, f);
}

/* RGB image @w x @h: a PNG whose zlib stream is all stored blocks */
static int gs_png_write(const char *path, const unsigned char *rgb,
			unsigned int w, unsigned int h)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
					      0x1a, '\n' };
	size_t raw_len = (size_t)h * (1 + 3 * w), nblk, zlen, off, n, i;
	unsigned int a = 1, b = 0, y;
	unsigned char ihdr[13], *raw, *z, *q;
	FILE *f;

	raw = malloc(raw_len);
	nblk = raw_len / 65535 + 1;
	zlen = 2 + raw_len + 5 * nblk + 4;
	z = malloc(zlen);
	if (!raw || !z)
		return -1;
	for (y = 0; y < h; y++) {
		raw[y * (1 + 3 * w)] = 0;	/* filter: none */
		memcpy(raw + y * (1 + 3 * w) + 1, rgb + (size_t)y * 3 * w,
		       3 * w);
	}
	q = z;
	*q++ = 0x78;	/* deflate, 32 KiB window */
	*q++ = 0x01;	/* no dictionary, check bits */
	for (off = 0; off < raw_len; off += n) {
		n = raw_len - off > 65535 ? 65535 : raw_len - off;
		*q++ = off + n == raw_len;	/* BFINAL, BTYPE 00 */
		*q++ = n & 0xff;
		*q++ = n >> 8;
		*q++ = ~n & 0xff;
		*q++ = (~n >> 8) & 0xff;
		memcpy(q, raw + off, n);
		q += n;
	}
	for (i = 0; i < raw_len; i++) {
		a = (a + raw[i]) % 65521;
		b = (b + a) % 65521;
	}
	gs_be32(q, b << 16 | a);
	q += 4;

	f = fopen(path, "wb");
	if (!f) {
		free(raw);
		free(z);
		return -1;
	}
	fwrite(sig, 1, 8, f);
	gs_be32(ihdr, w);
	gs_be32(ihdr + 4, h);
	ihdr[8] = 8;	/* bits per channel */
	ihdr[9] = 2;	/* RGB */
	ihdr[10] = 0;
	ihdr[11] = 0;
	ihdr[12] = 0;
	gs_chunk(f, "IHDR", ihdr, sizeof(ihdr));
	gs_chunk(f, "IDAT", z, q - z);
	gs_chunk(f, "IEND", NULL, 0);
	free(raw);
	free(z);
	return fclose(f) ? -1 : 0;
}

/* === Plot === */

#define PW	724	/* 76 classes x 9 px + margins */
#define PH	420
#define BARW	9
#define X0	30
#define TOP0	20	/* top panel: bytes held, used part and waste part */
#define TOPH	240
#define BOT0	300	/* bottom panel: occupancy, used / held, 0..100% */
#define BOTH	100

struct gs_canvas {
	unsigned char px[PH][PW][3];
};

static void gs_fill(struct gs_canvas *cv, int x0, int y0, int x1, int y1,
		    unsigned int rgb)
{
	int x, y;

	for (y = y0 < 0 ? 0 : y0; y < y1 && y < PH; y++)
		for (x = x0 < 0 ? 0 : x0; x < x1 && x < PW; x++) {
			cv->px[y][x][0] = rgb >> 16;
			cv->px[y][x][1] = rgb >> 8;
			cv->px[y][x][2] = rgb;
		}
}

/* 3x5 digits, one row of 3 bits per nibble, top row first */
static const unsigned short gs_digits[10] = {
	075557, 022222, 071747, 071717, 055711,
	074717, 074757, 071111, 075757, 075717,
};

static void gs_number(struct gs_canvas *cv, int x, int y, unsigned int v)
{
	char s[12];
	int i, r, col, d;

	snprintf(s, sizeof(s), "%u", v);
	for (i = 0; s[i]; i++) {
		d = s[i] - '0';
		for (r = 0; r < 5; r++)
			for (col = 0; col < 3; col++)
				if (gs_digits[d] >> ((4 - r) * 3 + (2 - col)) & 1)
					gs_fill(cv, x + i * 4 + col, y + r,
						x + i * 4 + col + 1, y + r + 1,
						0x000000);
	}
}

#define C_USED	0x3060c0
#define C_WASTE	0xd04030
#define C_OCC	0x40a040
#define C_AXIS	0x000000
#define C_GRID	0xdddddd

static int gs_plot(const struct gs_snap *s, const char *path)
{
	unsigned long max_held = 1;
	struct gs_canvas *cv;
	const struct gs_class *c;
	int x, hh, hu, i, ret;

	cv = malloc(sizeof(*cv));
	if (!cv)
		return -1;
	memset(cv, 0xff, sizeof(*cv));
	for (i = 0; i < (int)s->ncls; i++)
		if (s->cls[i].held > max_held)
			max_held = s->cls[i].held;
	for (i = 0; i <= 4; i++) {	/* quarter grid lines */
		gs_fill(cv, X0, TOP0 + TOPH * i / 4, PW - 6,
			TOP0 + TOPH * i / 4 + 1, C_GRID);
		gs_fill(cv, X0, BOT0 + BOTH * i / 4, PW - 6,
			BOT0 + BOTH * i / 4 + 1, C_GRID);
	}
	for (i = 0; i < (int)s->ncls; i++) {
		c = &s->cls[i];
		x = X0 + 2 + (c->id - 1) * BARW;
		hh = (int)(c->held * TOPH / max_held);
		hu = (int)((c->used < c->held ? c->used : c->held) * TOPH /
			   max_held);
		gs_fill(cv, x, TOP0 + TOPH - hh, x + BARW - 1,
			TOP0 + TOPH - hu, C_WASTE);
		gs_fill(cv, x, TOP0 + TOPH - hu, x + BARW - 1, TOP0 + TOPH,
			C_USED);
		if (c->held) {
			hu = (int)((1000 - c->waste) * BOTH / 1000);
			gs_fill(cv, x, BOT0 + BOTH - hu, x + BARW - 1,
				BOT0 + BOTH, C_OCC);
		}
		if (c->id % 10 == 0 || c->id == 1)
			gs_number(cv, x, BOT0 + BOTH + 6, c->id);
		if (c->id % 10 == 0)
			gs_number(cv, x, TOP0 + TOPH + 6, c->id);
	}
	gs_fill(cv, X0, TOP0, X0 + 1, TOP0 + TOPH + 1, C_AXIS);
	gs_fill(cv, X0, TOP0 + TOPH, PW - 6, TOP0 + TOPH + 1, C_AXIS);
	gs_fill(cv, X0, BOT0, X0 + 1, BOT0 + BOTH + 1, C_AXIS);
	gs_fill(cv, X0, BOT0 + BOTH, PW - 6, BOT0 + BOTH + 1, C_AXIS);
	gs_number(cv, 4, BOT0 - 2, 100);	/* occupancy scale, percent */
	gs_number(cv, 12, BOT0 + BOTH - 2, 0);
	gs_number(cv, 4, TOP0 - 2, (unsigned int)(max_held >> 10)); /* KiB */
	gs_fill(cv, PW - 150, 4, PW - 142, 12, C_USED);	/* legend swatches */
	gs_fill(cv, PW - 100, 4, PW - 92, 12, C_WASTE);
	gs_fill(cv, PW - 50, 4, PW - 42, 12, C_OCC);
	ret = gs_png_write(path, &cv->px[0][0][0], PW, PH);
	free(cv);
	return ret;
}

/* === Main === */

static void print_help(void)
{
	puts("Usage: gomstat [-o] [-d SECONDS] [-n COUNT] [-s objects|used|held|waste|class]\n"
	     "               [-a] [--heap NAME] [--dir DIR] [--plot FILE.png] [--check]\n"
	     "  -o            print the table once and exit\n"
	     "  -d SECONDS    refresh every SECONDS (default 3)\n"
	     "  -n COUNT      stop after COUNT tables\n"
	     "  -s COLUMN     sort by objects, used, held (default), waste or class\n"
	     "  -a            show every class, not only those holding spans or objects\n"
	     "  --heap NAME   the heap to show (default: default)\n"
	     "  --dir DIR     read the files from DIR instead of\n"
	     "                /sys/kernel/debug/gomalloc/NAME (e.g. a copy)\n"
	     "  --plot FILE   write per class bytes held (blue used, red waste) and\n"
	     "                occupancy (green, used / held) as a PNG bar chart\n"
	     "  --check       cross-check classes, slabinfo and metrics against memstats;\n"
	     "                exit 1 on a mismatch (retried while the heap is busy)");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "heap", required_argument, NULL, 'H' },
		{ "dir", required_argument, NULL, 'D' },
		{ "plot", required_argument, NULL, 'p' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *heap = "default", *plot = NULL;
	int once = 0, all = 0, check = 0, opt, bad = 0, tries;
	long delay = 3, count = -1, n;
	struct gs_snap *s;

	while ((opt = getopt_long(argc, argv, "od:n:s:ah", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'o':
			once = 1;
			break;
		case 'd':
			delay = strtol(optarg, NULL, 10);
			if (delay < 1)
				die("bad delay", optarg);
			break;
		case 'n':
			count = strtol(optarg, NULL, 10);
			if (count < 1)
				die("bad count", optarg);
			break;
		case 's':
			if (!strcmp(optarg, "objects"))
				gs_sort_by = GS_OBJECTS;
			else if (!strcmp(optarg, "used"))
				gs_sort_by = GS_USED;
			else if (!strcmp(optarg, "held"))
				gs_sort_by = GS_HELD;
			else if (!strcmp(optarg, "waste"))
				gs_sort_by = GS_WASTE;
			else if (!strcmp(optarg, "class"))
				gs_sort_by = GS_CLASS;
			else
				die("unknown sort column", optarg);
			break;
		case 'a':
			all = 1;
			break;
		case 'H':
			heap = optarg;
			break;
		case 'D':
			gs_dir = optarg;
			break;
		case 'p':
			plot = optarg;
			break;
		case 'c':
			check = 1;
			break;
		case 'h':
			print_help();
			return 0;
		default:
			print_help();
			return 2;
		}
	}
	if (optind < argc)
		die("unexpected argument", argv[optind]);
	if (!gs_dir) {
		snprintf(gs_dirbuf, sizeof(gs_dirbuf),
			 "/sys/kernel/debug/gomalloc/%s", heap);
		gs_dir = gs_dirbuf;
	}
	s = malloc(sizeof(*s));
	if (!s)
		die("out of memory", NULL);

	if (check || plot) {
		/* the files are read one after the other: retry while busy */
		for (tries = 0; tries < 10; tries++) {
			if (gs_read(s))
				die("cannot read the statistics in", gs_dir);
			bad = check ? gs_check(s, NULL) : 0;
			if (!bad)
				break;
			usleep(200000);
		}
		if (check)
			gs_report(s, bad);
		if (plot && gs_plot(s, plot))
			die("cannot write", plot);
		if (!once && count < 0)
			return bad ? 1 : 0;
	}

	for (n = 0; count < 0 || n < count; n++) {
		if (n)
			sleep(delay);
		if (gs_read(s))
			die("cannot read the statistics in", gs_dir);
		if (!once)
			printf("\033[H\033[2J");
		gs_print(s, heap, all);
		fflush(stdout);
		if (once)
			break;
	}
	free(s);
	return bad ? 1 : 0;
}
