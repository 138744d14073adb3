#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate kmod/sizeclasses.h: gomalloc's small-object size classes.

The algorithm is Go's src/runtime/mksizeclasses.go, for 4 KiB pages:

 - Candidate sizes run from 8 B to 32 KiB. The step between candidates is
   the current alignment, bumped at each power of two: 8 B below 32 B,
   16 B from 32 B, size/8 from 128 B, 256 B from 2 KiB. So a request is
   rounded up by at most 12.5% of the object from 128 B on.
 - Each candidate gets the smallest span (in pages) whose tail, the bytes
   left over after cutting it into objects, is at most 1/8 of the span.
 - A candidate with the same pages and objects per span as the previous
   class replaces it (the span costs the same, so keep the larger object).
 - Then each class grows to the largest multiple of 128 B that still fits
   the same number of objects into the same span.

Deviations from Go, each forced by a rule Go states but does not check and
that 4 KiB pages would break (see --help for the numbers):

 - Up to 4 KiB, a span holds at least MIN_OBJS (8) objects. Go's 8 KiB
   pages give its 1-4 KiB classes 2-8 objects per span; with 4 KiB pages
   the tail rule alone leaves 1-4, and a class of one object per span
   turns every allocation that misses the free cache into a trip to the
   mheap and back. SLUB sizes its slabs the same way (a minimum object
   count, order 3 at most): 8 objects of 4 KiB are 8 pages.
 - A merge or a grow is skipped when it would make the class round a
   request up by more than 12.5% of its size (from 128 B on). With Go's
   unconditional merges, 4 KiB pages give 62 classes and rounding waste up
   to 18.7% (833 B -> 1024 B, 3329 B -> 4096 B ...); the guarded merges
   give 76 classes (both counts include class 0) with the same span
   footprint for every request.
 - A grow is skipped when it would collide with the next class or when the
   span would no longer be the smallest one for the grown size (Go's grow
   makes 1408 B a second 1536 B class, and 6912 B a 7168 B class in 7
   pages that 2 pages hold).

The output is data only, as Go's mksizeclasses.go writes tables only: the
constants, the tables' extern declarations and, under GOM_SIZECLASSES_DEFINE
(set by kmod/sizeclass.c, their one instance), their definitions. The
lookups that read them, gom_size_to_class() and gom_obj_index(), are
hand-written C in kmod/sizeclass.h; size_to_class() below is their model
for the self-check.

The output is verified before it is written; any failed check exits 1.
"""

import argparse
import difflib
import sys

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
MAX_SMALL_SIZE = 32 << 10
SMALL_SIZE_DIV = 8
SMALL_SIZE_MAX = 1024
LARGE_SIZE_DIV = 128
# From this size on, the candidate step is size/8: rounding <= 12.5%.
ROUND_WASTE_MIN_SIZE = 128

TOOL = "tools/mksizeclasses.py"
DEFAULT_OUT = "kmod/sizeclasses.h"

U8_MAX = (1 << 8) - 1
U16_MAX = (1 << 16) - 1
U32_MAX = (1 << 32) - 1


class Class:
    """One size class: object size and span length in pages."""

    def __init__(self, size, npages):
        self.size = size
        self.npages = npages

    @property
    def span_bytes(self):
        return self.npages * PAGE_SIZE

    @property
    def nobjs(self):
        return self.span_bytes // self.size if self.size else 0

    @property
    def tail_waste(self):
        return self.span_bytes - self.nobjs * self.size

    @property
    def divmagic(self):
        return U32_MAX // self.size + 1 if self.size else 0


def power_of_two(x):
    return x != 0 and x & (x - 1) == 0


# Objects per span at least, for sizes up to MIN_OBJS_MAX_SIZE.
MIN_OBJS = 8
MIN_OBJS_MAX_SIZE = 4096


def span_pages(size):
    """Smallest page count whose tail is at most 1/8 of the span and, up
    to MIN_OBJS_MAX_SIZE, that holds MIN_OBJS objects."""
    alloc = PAGE_SIZE
    while (alloc % size > alloc // 8 or
           (size <= MIN_OBJS_MAX_SIZE and alloc // size < MIN_OBJS)):
        alloc += PAGE_SIZE
    return alloc // PAGE_SIZE


def rounding_ok(size, prev_size):
    """Go's rounding bound: (size - (prev_size + 1)) / size <= 1/8."""
    if size < ROUND_WASTE_MIN_SIZE:
        return True
    return 8 * (size - prev_size - 1) <= size


def make_classes():
    classes = [Class(0, 0)]  # class 0: no class, "large object"
    align = 8
    size = align
    while size <= MAX_SMALL_SIZE:
        if power_of_two(size):
            if size >= 2048:
                align = 256
            elif size >= 128:
                align = size // 8
            elif size >= 32:
                align = 16
        npages = span_pages(size)
        nobjs = npages * PAGE_SIZE // size
        last = classes[-1]
        if (len(classes) > 1 and npages == last.npages and
                nobjs == last.nobjs and
                rounding_ok(size, classes[-2].size)):
            last.size = size
        else:
            classes.append(Class(size, npages))
        size += align

    # Grow each class to the largest multiple of LARGE_SIZE_DIV that fits
    # the same objects into the same span, within the bounds above.
    for i in range(1, len(classes)):
        c = classes[i]
        nxt = classes[i + 1].size if i + 1 < len(classes) else MAX_SMALL_SIZE + 1
        cand = (c.span_bytes // c.nobjs) & ~(LARGE_SIZE_DIV - 1)
        while cand > c.size:
            if (cand < nxt and span_pages(cand) == c.npages and
                    rounding_ok(cand, classes[i - 1].size)):
                c.size = cand
                break
            cand -= LARGE_SIZE_DIV
    return classes


def size_tables(classes):
    def lookup(size):
        for j, c in enumerate(classes):
            if c.size >= size:
                return j
        raise ValueError(size)

    t8 = [lookup(i * SMALL_SIZE_DIV)
          for i in range(SMALL_SIZE_MAX // SMALL_SIZE_DIV + 1)]
    t128 = [lookup(SMALL_SIZE_MAX + i * LARGE_SIZE_DIV)
            for i in range((MAX_SMALL_SIZE - SMALL_SIZE_MAX) // LARGE_SIZE_DIV + 1)]
    return t8, t128


def size_to_class(t8, t128, size):
    """gom_size_to_class() of kmod/sizeclass.h, for the self-check: the
    verdict on the tables holds for that lookup only while the two agree."""
    if size <= SMALL_SIZE_MAX - 8:
        return t8[(size + SMALL_SIZE_DIV - 1) // SMALL_SIZE_DIV]
    if size <= MAX_SMALL_SIZE:
        return t128[(size - SMALL_SIZE_MAX + LARGE_SIZE_DIV - 1) // LARGE_SIZE_DIV]
    return 0


def rounding_waste(classes, i):
    """(size - (prev_size + 1)) / size: the worst request's unused share."""
    return (classes[i].size - classes[i - 1].size - 1) / classes[i].size


def max_waste(classes, i):
    """Go's "max waste": rounding of the worst request plus the tail."""
    c = classes[i]
    prev = classes[i - 1].size
    return ((c.size - prev - 1) * c.nobjs + c.tail_waste) / c.span_bytes


def check_div_magic(c, errors):
    """Lemire et al.'s bound (as Go checks it), then brute force."""
    limit = c.span_bytes
    d = c.size
    if not power_of_two(d):
        n = limit.bit_length()
        lbits = 0
        while d > (1 << (n + lbits)) % d + (1 << lbits):
            lbits += 1
        if n + lbits > 32:
            errors.append("size %d: divmagic needs %d bits" % (d, n + lbits))
            return
    m = c.divmagic
    for off in range(limit + 1):
        if (off * m) >> 32 != off // d:
            errors.append("size %d: divmagic wrong at offset %d" % (d, off))
            return


def verify(classes, t8, t128):
    errors = []
    sizes = [c.size for c in classes]
    if classes[0].size or classes[0].npages:
        errors.append("class 0 is not empty")
    if sizes[-1] != MAX_SMALL_SIZE:
        errors.append("largest class is %d, not %d" % (sizes[-1], MAX_SMALL_SIZE))
    if len(classes) - 1 > U8_MAX:
        errors.append("%d classes do not fit u8" % len(classes))
    for i in range(1, len(classes)):
        c = classes[i]
        prev = classes[i - 1]
        if c.size <= prev.size:
            errors.append("class %d (%d) not above class %d (%d)" %
                          (i, c.size, i - 1, prev.size))
        if c.size % 8 or (c.size >= 32 and c.size % 16):
            errors.append("class %d: size %d misaligned" % (i, c.size))
        if c.size > U16_MAX or c.npages > U8_MAX or c.nobjs > U16_MAX:
            errors.append("class %d does not fit the table types" % i)
        if c.nobjs < 1:
            errors.append("class %d: no object fits its span" % i)
        if 8 * c.tail_waste > c.span_bytes:
            errors.append("class %d: tail waste %d of %d" %
                          (i, c.tail_waste, c.span_bytes))
        if c.npages != span_pages(c.size):
            errors.append("class %d: %d pages, %d would do" %
                          (i, c.npages, span_pages(c.size)))
        if c.size >= ROUND_WASTE_MIN_SIZE:
            if not rounding_ok(c.size, prev.size):
                errors.append("class %d: rounding waste %.2f%%" %
                              (i, 100 * rounding_waste(classes, i)))
        elif c.size - prev.size > 16:
            errors.append("class %d: step %d above alignment" %
                          (i, c.size - prev.size))
        check_div_magic(c, errors)
    for shift in range(3, MAX_SMALL_SIZE.bit_length()):
        if (1 << shift) not in sizes:
            errors.append("power of two %d is not a class" % (1 << shift))
    for size in range(1, MAX_SMALL_SIZE + 1):
        i = size_to_class(t8, t128, size)
        if not (1 <= i < len(classes)) or sizes[i] < size or sizes[i - 1] >= size:
            errors.append("size %d maps to class %d" % (size, i))
            break
    for size in (0, MAX_SMALL_SIZE + 1):
        if size_to_class(t8, t128, size) != 0:
            errors.append("size %d does not map to class 0" % size)
    return errors


def c_array(ctype, name, length, values, fmt="%d", per_line=12):
    out = ["const %s %s[%s] = {" % (ctype, name, length)]
    for k in range(0, len(values), per_line):
        chunk = ", ".join(fmt % v for v in values[k:k + per_line])
        out.append("\t" + chunk + ",")
    out.append("};")
    return out


def render(classes, t8, t128):
    nclasses = len(classes)
    max_objs = max(c.nobjs for c in classes)
    max_pages = max(c.npages for c in classes)
    L = []
    L.append("/* SPDX-License-Identifier: GPL-2.0 */")
    L.append("/*")
    L.append(" * Code generated by %s; DO NOT EDIT." % TOOL)
    L.append(" * Regenerate: %s -o <this file>" % TOOL)
    L.append(" * Check:      %s --check <this file>" % TOOL)
    L.append(" *")
    L.append(" * gomalloc's small-object size classes: Go's runtime/mksizeclasses.go")
    L.append(" * for %d KiB pages (see the tool for the algorithm and where it departs" %
             (PAGE_SIZE // 1024))
    L.append(" * from Go). Class 0 is no class: sizes above %d B are large objects." %
             MAX_SMALL_SIZE)
    L.append(" * Data only: the lookups over these tables are in sizeclass.h.")
    L.append(" *")
    L.append(" * Columns as in Go's sizeclasses.go:")
    L.append(" *   bytes/span  the span, class_to_npages pages")
    L.append(" *   objects     bytes/span / bytes/obj")
    L.append(" *   tail waste  bytes/span - objects * bytes/obj (<= 12.5% of the span)")
    L.append(" *   max waste   ((size - (prev_size + 1)) * objects + tail waste) /")
    L.append(" *               bytes/span: the share of a span lost when every object")
    L.append(" *               holds the smallest request its class serves")
    L.append(" *   min align   the largest power of two dividing every object address")
    L.append(" *")
    L.append(" * Rounding waste of a class is (size - (prev_size + 1)) / size, the")
    L.append(" * rounding part of max waste. It is at most 12.5% for every class of")
    L.append(" * %d B and up; below, classes step by their alignment (8 B, then 16 B" %
             ROUND_WASTE_MIN_SIZE)
    L.append(" * from 32 B), so a request is rounded up by at most 15 B. Every power of")
    L.append(" * two from 8 B is a class, so such requests are naturally aligned up to")
    L.append(" * the page size.")
    L.append(" *")
    L.append(" * %-5s  %-9s  %-10s  %-7s  %-10s  %-9s  %-9s" %
             ("class", "bytes/obj", "bytes/span", "objects", "tail waste",
              "max waste", "min align"))
    min_aligns = [0] * (PAGE_SHIFT + 1)
    for i in range(1, nclasses):
        c = classes[i]
        align_bits = min((c.size & -c.size).bit_length() - 1, PAGE_SHIFT)
        for b in range(len(min_aligns)):
            if b > align_bits:
                min_aligns[b] = 0
            elif min_aligns[b] == 0:
                min_aligns[b] = c.size
        L.append(" * %5d  %9d  %10d  %7d  %10d  %8.2f%%  %9d" %
                 (i, c.size, c.span_bytes, c.nobjs, c.tail_waste,
                  100 * max_waste(classes, i), 1 << align_bits))
    L.append(" *")
    L.append(" * %-9s  %-4s  %-12s" % ("alignment", "bits", "min obj size"))
    for b, size in enumerate(min_aligns):
        if size == 0:
            break
        if b + 1 < len(min_aligns) and size == min_aligns[b + 1]:
            continue
        L.append(" * %9d  %4d  %12d" % (1 << b, b, size))
    L.append(" */")
    L.append("#ifndef _GOM_SIZECLASSES_H")
    L.append("#define _GOM_SIZECLASSES_H")
    L.append("")
    L.append("#include <linux/types.h>")
    L.append("")
    defines = [
        ("GOM_PAGE_SHIFT", PAGE_SHIFT),
        ("GOM_NUM_SIZE_CLASSES", nclasses),
        ("GOM_SC_MAX_SMALL_SIZE", MAX_SMALL_SIZE),
        ("GOM_SMALL_SIZE_DIV", SMALL_SIZE_DIV),
        ("GOM_SMALL_SIZE_MAX", SMALL_SIZE_MAX),
        ("GOM_LARGE_SIZE_DIV", LARGE_SIZE_DIV),
        ("GOM_MAX_OBJS_PER_SPAN", max_objs),
        ("GOM_MAX_SPAN_PAGES", max_pages),
        ("GOM_ROUND_WASTE_MIN_SIZE", ROUND_WASTE_MIN_SIZE),
        ("GOM_SPAN_MIN_OBJS", MIN_OBJS),
        ("GOM_SPAN_MIN_OBJS_MAX_SIZE", MIN_OBJS_MAX_SIZE),
        ("GOM_SIZE_TO_CLASS8_LEN", len(t8)),
        ("GOM_SIZE_TO_CLASS128_LEN", len(t128)),
    ]
    for name, value in defines:
        col = 8 + len(name)
        L.append("#define %s%s%d" % (name, "\t" * max(1, (47 - col) // 8), value))
    L.append("")
    n8 = "GOM_SIZE_TO_CLASS8_LEN"
    n128 = "GOM_SIZE_TO_CLASS128_LEN"
    arrays = [
        ("u16", "gom_class_to_size", "GOM_NUM_SIZE_CLASSES",
         [c.size for c in classes], "%d", 10),
        ("u8", "gom_class_to_npages", "GOM_NUM_SIZE_CLASSES",
         [c.npages for c in classes], "%d", 16),
        ("u16", "gom_class_to_nobjs", "GOM_NUM_SIZE_CLASSES",
         [c.nobjs for c in classes], "%d", 12),
        ("u32", "gom_class_to_divmagic", "GOM_NUM_SIZE_CLASSES",
         [c.divmagic for c in classes], "0x%08x", 6),
        ("u8", "gom_size_to_class8", n8, t8, "%d", 16),
        ("u8", "gom_size_to_class128", n128, t128, "%d", 16),
    ]
    L.append("/* Per class (index 0 is all zeros). divmagic = U32_MAX / size + 1. */")
    for ctype, name, length, _, _, _ in arrays:
        L.append("extern const %s %s[%s];" % (ctype, name, length))
    L.append("")
    L.append("/*")
    L.append(" * Instantiated once, by kmod/sizeclass.c, and exported to gomalloc's")
    L.append(" * test modules (MODULE_IMPORT_NS(GOM_INTERNAL_NS), gomalloc_compat.h).")
    L.append(" */")
    L.append("#ifdef GOM_SIZECLASSES_DEFINE")
    L.append("#include <linux/export.h>")
    L.append("#include \"gomalloc_compat.h\"")
    L.append("")
    for ctype, name, length, values, fmt, per in arrays:
        L.extend(c_array(ctype, name, length, values, fmt, per))
        L.append("EXPORT_SYMBOL_NS_GPL(%s, GOM_INTERNAL_NS);" % name)
        L.append("")
    L.append("#endif /* GOM_SIZECLASSES_DEFINE */")
    L.append("")
    L.append("#endif /* _GOM_SIZECLASSES_H */")
    return "\n".join(L) + "\n"


def generate():
    classes = make_classes()
    t8, t128 = size_tables(classes)
    errors = verify(classes, t8, t128)
    if errors:
        for e in errors:
            print("mksizeclasses: check failed: " + e, file=sys.stderr)
        sys.exit(1)
    text = render(classes, t8, t128)
    long_lines = [n + 1 for n, l in enumerate(text.split("\n"))
                  if len(l.expandtabs(8)) > 100]
    if long_lines:
        print("mksizeclasses: lines over 100 columns: %s" % long_lines,
              file=sys.stderr)
        sys.exit(1)
    big = [i for i in range(1, len(classes))
           if classes[i].size >= ROUND_WASTE_MIN_SIZE]
    rw = max(big, key=lambda i: rounding_waste(classes, i))
    tw = max(range(1, len(classes)),
             key=lambda i: classes[i].tail_waste / classes[i].span_bytes)
    mw = max(range(1, len(classes)), key=lambda i: max_waste(classes, i))
    print("mksizeclasses: %d classes (class 0 included), 1..%d B" %
          (len(classes), MAX_SMALL_SIZE), file=sys.stderr)
    print("mksizeclasses: largest rounding waste %.2f%% (class %d, %d B; "
          "classes >= %d B)" %
          (100 * rounding_waste(classes, rw), rw, classes[rw].size,
           ROUND_WASTE_MIN_SIZE), file=sys.stderr)
    print("mksizeclasses: largest tail waste %.2f%% (class %d, %d B in %d B)" %
          (100 * classes[tw].tail_waste / classes[tw].span_bytes, tw,
           classes[tw].size, classes[tw].span_bytes), file=sys.stderr)
    print("mksizeclasses: largest max waste %.2f%% (class %d, %d B)" %
          (100 * max_waste(classes, mw), mw, classes[mw].size),
          file=sys.stderr)
    return text


def main():
    ap = argparse.ArgumentParser(
        description="Generate gomalloc's size-class header (Go's "
                    "mksizeclasses for 4 KiB pages).")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("-o", "--output", metavar="FILE",
                   help="write the header to FILE")
    g.add_argument("--check", metavar="FILE",
                   help="exit 1 with a diff if FILE differs from the output")
    g.add_argument("--stdout", action="store_true",
                   help="write the header to standard output")
    args = ap.parse_args()

    text = generate()
    if args.stdout:
        sys.stdout.write(text)
    elif args.output:
        with open(args.output, "w") as f:
            f.write(text)
    else:
        try:
            with open(args.check) as f:
                old = f.read()
        except OSError as e:
            print("mksizeclasses: %s" % e, file=sys.stderr)
            return 1
        if old != text:
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True),
                args.check, "%s (regenerated)" % args.check))
            print("mksizeclasses: %s is stale; run %s -o %s" %
                  (args.check, TOOL, args.check), file=sys.stderr)
            return 1
        print("mksizeclasses: %s is up to date" % args.check, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
