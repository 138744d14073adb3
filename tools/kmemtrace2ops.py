#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kmemtrace2ops.py - turn a kmalloc/kfree trace into an operation list.

Reads the text of /sys/kernel/tracing/trace with the kmem:kmalloc and
kmem:kfree events (Linux 6.12 format), or gomalloc's gomalloc:alloc and
gomalloc:free events (the same fields and layout, plus sizeclass=):

  ... kmalloc: call_site=... ptr=ffff... bytes_req=N bytes_alloc=N gfp_flags=...
  ... kfree: call_site=... ptr=ffff...
  ... alloc: call_site=... ptr=ffff... bytes_req=N bytes_alloc=N ... sizeclass=N
  ... free: call_site=... ptr=ffff...

(perf script's "kmem:kmalloc:" and "gomalloc:alloc:" forms are read too.)

and writes the list gomalloc_bench.ko replays (module param trace=):

  # gomalloc-ops 1 ...          a comment with the counts
  a ID SIZE                     allocate SIZE bytes as object ID
  f ID                          free object ID

IDs are dense, in allocation order. Frees of pointers the trace never
allocated (allocated before tracing started, NULL, ZERO_SIZE_PTR) are
dropped; an allocation at an address still live (its free was not traced,
e.g. a kfree_bulk) frees the old object first. Objects never freed stay
live to the end. Input may be plain, .gz or .xz.

  tools/kmemtrace2ops.py TRACE [-o OPS] [--summary]
"""
import argparse
import gzip
import lzma
import re
import sys

EVENT = re.compile(r'[\s:](kmalloc|kfree): .*?\bptr=(?:0x)?([0-9a-f]+)'
                   r'(?: bytes_req=(\d+) bytes_alloc=(\d+))?')
# gomalloc's events have generic names: their line must start with call_site=
GOM_EVENT = re.compile(r'(?:^|[\s:])(alloc|free): call_site=\S+(?: \[\S+\])? '
                       r'ptr=(?:0x)?([0-9a-f]+)'
                       r'(?: bytes_req=(\d+) bytes_alloc=(\d+))?')
KIND = {'kmalloc': 'kmalloc', 'alloc': 'kmalloc',
        'kfree': 'kfree', 'free': 'kfree'}


def open_text(path):
    if path == '-':
        return sys.stdin
    if path.endswith('.xz'):
        return lzma.open(path, 'rt', errors='replace')
    if path.endswith('.gz'):
        return gzip.open(path, 'rt', errors='replace')
    return open(path, errors='replace')


class Converter:
    """Turns events into operations; keeps the counts for the summary."""

    def __init__(self):
        self.ops = []
        self.live = {}          # ptr -> (id, bytes_req, bytes_alloc)
        self.next_id = 0
        self.count = dict(allocs=0, frees=0, unknown_frees=0,
                          implicit_frees=0, zero_allocs=0)
        self.req = self.alloc = 0
        self.peak_req = self.peak_alloc = 0

    def free(self, ptr):
        obj = self.live.pop(ptr, None)
        if obj is None:
            return False
        self.ops.append('f %d' % obj[0])
        self.req -= obj[1]
        self.alloc -= obj[2]
        return True

    def kmalloc(self, ptr, req, alloc):
        if req == 0 or int(ptr, 16) <= 16:
            self.count['zero_allocs'] += 1
            return
        if self.free(ptr):
            self.count['implicit_frees'] += 1
        self.live[ptr] = (self.next_id, req, alloc)
        self.ops.append('a %d %d' % (self.next_id, req))
        self.next_id += 1
        self.count['allocs'] += 1
        self.req += req
        self.alloc += alloc
        self.peak_req = max(self.peak_req, self.req)
        self.peak_alloc = max(self.peak_alloc, self.alloc)

    def kfree(self, ptr):
        if self.free(ptr):
            self.count['frees'] += 1
        else:
            self.count['unknown_frees'] += 1

    def feed(self, line):
        m = EVENT.search(line) or GOM_EVENT.search(line)
        if not m:
            return
        if KIND[m.group(1)] == 'kfree':
            self.kfree(m.group(2))
        elif m.group(3) is not None:
            self.kmalloc(m.group(2), int(m.group(3)), int(m.group(4)))

    def header(self, source):
        c = self.count
        return ('# gomalloc-ops 1 source=%s allocs=%d frees=%d '
                'unknown_frees=%d implicit_frees=%d zero_allocs=%d '
                'left_live=%d' % (source, c['allocs'], c['frees'],
                                  c['unknown_frees'], c['implicit_frees'],
                                  c['zero_allocs'], len(self.live)))

    def summary(self):
        ratio = self.peak_alloc / self.peak_req if self.peak_req else 0
        return ('%s\n# peak requested %d B, peak kmalloc bytes_alloc %d B '
                '(%.3fx)' % (self.header('-'), self.peak_req,
                             self.peak_alloc, ratio))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('trace', help="the trace text ('-': stdin)")
    ap.add_argument('-o', '--output', default='-', help='the list (- : stdout)')
    ap.add_argument('--summary', action='store_true',
                    help='print counts and peaks to stderr')
    args = ap.parse_args()
    conv = Converter()
    with open_text(args.trace) as f:
        for line in f:
            conv.feed(line)
    if not conv.ops:
        sys.exit('%s: no kmalloc or gomalloc:alloc events' % args.trace)
    out = sys.stdout if args.output == '-' else open(args.output, 'w')
    out.write(conv.header(args.trace.rsplit('/', 1)[-1]) + '\n')
    out.write('\n'.join(conv.ops) + '\n')
    if out is not sys.stdout:
        out.close()
    if args.summary:
        print(conv.summary(), file=sys.stderr)


if __name__ == '__main__':
    main()
