#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py - turn gomalloc_bench's "bench: ..." lines into a table, CSVs
and gnuplot data for `make bench`.

  report.py --out DIR --host-cpu MODEL LABEL=RESULTS[,ACCEL_FILE] ...

LABEL is the run's name (uml, stock); RESULTS the guest's results.txt.
Several boots of one kernel repeat its LABEL: the first boot's figures
are printed in full, and the headline ratios and the targets are given as
the median over the boots with the spread (lowest-highest) beside it.
Writes DIR/LABEL.csv (every timing figure; LABEL-bootN.csv for the later
boots), DIR/LABEL-waste.csv, DIR/LABEL-footprint.csv,
DIR/LABEL-series-TRACE.dat (footprint over a replay, for gnuplot),
DIR/LABEL-ratio.dat (time ratio per size), DIR/table.md (the table README
includes), and prints the table.
"""
import argparse
import csv
import os
import re
import statistics
import sys

TIMING = ('pair', 'large', 'npattern', 'random', 'bulk', 'concurrent',
          'remote', 'replay')
KEY_SIZES = (8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 8193,
             12288, 16384, 32768, 32769, 65536)


def parse_kv(text):
    return dict(re.findall(r'(\w+)=(\S+)', text))


class Run:
    """One boot's figures."""

    def __init__(self, label, path, accel):
        self.label = label
        self.accel = accel
        self.info = {}
        self.timing = {}        # (workload, params) -> {alloc: kv}
        self.order = []
        self.waste = []
        self.footprint = []
        self.series = {}        # trace -> [(op, requested, gom, kmalloc)]
        self.checks = {}
        self.parts = []
        with open(path, errors='replace') as f:
            for line in f:
                if line.startswith('bench: '):
                    self.feed(line[7:].strip())

    def feed(self, line):
        word, _, rest = line.partition(' ')
        kv = parse_kv(rest)
        if word == 'info':
            self.info.update(kv)
        elif word == 'check':
            wl, _, verdict = rest.partition(' ')
            self.checks[wl] = verdict
        elif word == 'waste':
            self.waste.append(kv)
        elif word == 'footprint':
            self.footprint.append(kv)
        elif word == 'parts':
            self.parts.append(kv)
        elif word == 'series':
            self.series.setdefault(kv['trace'], []).append(kv)
        elif word in TIMING and 'alloc' in kv:
            params = rest.split(' alloc=')[0]
            key = (word, params)
            if key not in self.timing:
                self.order.append(key)
            self.timing.setdefault(key, {})[kv['alloc']] = kv

    def ratio(self, key, field='min_ns'):
        t = self.timing.get(key, {})
        if 'gom' not in t or 'kmalloc' not in t:
            return None
        k = float(t['kmalloc'][field])
        return float(t['gom'][field]) / k if k else None


def write_csv(run, out):
    with open(os.path.join(out, run.label + '.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['kernel', 'workload', 'params', 'alloc', 'runs', 'ops',
                    'min_ns', 'median_ns', 'min_cycles', 'median_cycles'])
        for key in run.order:
            for alloc in ('gom', 'kmalloc'):
                kv = run.timing[key].get(alloc)
                if kv:
                    w.writerow([run.label, key[0], key[1], alloc, kv['runs'],
                                kv['ops'], kv['min_ns'], kv['median_ns'],
                                kv['min_cycles'], kv['median_cycles']])
    if run.waste:
        with open(os.path.join(out, run.label + '-waste.csv'), 'w',
                  newline='') as f:
            w = csv.writer(f)
            w.writerow(['request', 'gom_bytes', 'gom_span_tail_pct',
                        'kmalloc_bytes', 'gom_waste_pct', 'kmalloc_waste_pct'])
            for kv in run.waste:
                r, g, k = int(kv['req']), int(kv['gom']), int(kv['kmalloc'])
                w.writerow([r, g, int(kv['gom_span_tail_bp']) / 100, k,
                            round(100 * (g - r) / g, 2),
                            round(100 * (k - r) / k, 2)])
    if run.footprint:
        with open(os.path.join(out, run.label + '-footprint.csv'), 'w',
                  newline='') as f:
            w = csv.writer(f)
            w.writerow(['trace', 'ops', 'peak_requested', 'gom_peak',
                        'kmalloc_peak', 'ratio', 'gom_objects_peak',
                        'gom_held_peak', 'kmalloc_slab_peak'])
            for kv in run.footprint:
                w.writerow([kv['trace'], kv['ops'], kv['peak_requested'],
                            kv['gom_peak'], kv['kmalloc_peak'],
                            int(kv['ratio_permille']) / 1000,
                            kv.get('gom_objects_peak', ''),
                            kv.get('gom_held_peak', ''),
                            kv.get('kmalloc_slab_peak', '')])
    for trace, pts in run.series.items():
        with open(os.path.join(out, '%s-series-%s.dat' % (run.label, trace)),
                  'w') as f:
            f.write('# op requested_MiB gom_MiB kmalloc_MiB\n')
            for kv in pts:
                f.write('%s %.4f %.4f %.4f\n' % (
                    kv['op'], int(kv['requested']) / 2**20,
                    int(kv['gom']) / 2**20, int(kv['kmalloc']) / 2**20))
    with open(os.path.join(out, run.label + '-ratio.dat'), 'w') as f:
        f.write('# size min_ratio median_ratio (gomalloc / kmalloc)\n')
        rows = sorted((int(parse_kv(k[1])['size']), k) for k in run.order
                      if k[0] in ('pair', 'large'))
        for size, key in rows:
            if run.ratio(key) is not None:
                f.write('%d %.4f %.4f\n' % (size, run.ratio(key),
                                            run.ratio(key, 'median_ns')))


def fmt_ns(kv):
    return '%s / %s' % (fmt_num(kv['min_ns']), fmt_num(kv['median_ns']))


def fmt_num(s):
    v = float(s)
    return '%.0f' % v if v >= 100 else '%.1f' % v


def fmt_ratio(r):
    return '—' if r is None else '%.2fx' % r


def timing_rows(run, keys):
    rows = []
    for key in keys:
        t = run.timing.get(key)
        if not t or 'gom' not in t or 'kmalloc' not in t:
            continue
        rows.append('| %s | %s | %s | %s | %s |' % (
            key[0], key[1], fmt_ns(t['gom']), fmt_ns(t['kmalloc']),
            fmt_ratio(run.ratio(key))))
    return rows


def timing_table(run, keys):
    return ['| workload | params | gomalloc ns (min / median) | '
            'kmalloc ns (min / median) | ratio (min) |',
            '|---|---|---|---|---|'] + timing_rows(run, keys)


def pair_keys(run, sizes=None):
    keys = []
    for key in run.order:
        if key[0] == 'pair':
            size = int(parse_kv(key[1])['size'])
            if sizes is None or size in sizes:
                keys.append((size, key))
    return [k for _, k in sorted(keys)]


def worst(run, keys):
    best = None
    for key in keys:
        r = run.ratio(key)
        if r is not None and (best is None or r > best[0]):
            best = (r, key[1])
    return best


def size_range(run, lo, hi, workloads=('pair',)):
    return [k for k in run.order if k[0] in workloads and
            lo <= int(parse_kv(k[1]).get('size', 0)) <= hi]


def median_ratio(run, keys):
    rs = [run.ratio(k) for k in keys]
    rs = [r for r in rs if r is not None]
    return (statistics.median(rs), 'median over %d sizes' % len(rs)) \
        if rs else None


def keys_of(run, workload, **want):
    out = []
    for k in run.order:
        if k[0] != workload:
            continue
        kv = parse_kv(k[1])
        if all(str(kv.get(f)) == str(v) for f, v in want.items()):
            out.append(k)
    return out


# Issue 10's targets: (description, figure of one boot, limit). A figure
# is (ratio, where) or None when the boot did not measure it.
UML_TARGETS = [
    ('pair 8 B .. 8 KiB, median over sizes',
     lambda r: median_ratio(r, size_range(r, 1, 8192)), 0.6),
    ('pair 8 B .. 8 KiB, every size (worst)',
     lambda r: worst(r, size_range(r, 1, 8192)), 0.8),
    ('pair 8 .. 32 KiB (worst)',
     lambda r: worst(r, size_range(r, 8193, 32768)), 0.25),
    ('N-pattern, N = 256 and 4096 (worst)',
     lambda r: worst(r, [k for k in r.order if k[0] == 'npattern']), 0.8),
    ('random uniform 1..8192',
     lambda r: worst(r, keys_of(r, 'random', dist='uniform8192')), 0.4),
    ('random, many tiny',
     lambda r: worst(r, keys_of(r, 'random', dist='tiny')), 0.9),
    ('bulk 64 B, 256 B, 1 KiB x 64 (worst)',
     lambda r: worst(r, [k for k in r.order if k[0] == 'bulk' and
                         parse_kv(k[1]).get('size') in ('64', '256', '1024')]),
     1.0),
]
STOCK_TARGETS = [
    ('pair, every size up to 8 KiB (worst)',
     lambda r: worst(r, size_range(r, 1, 8192)), 1.0),
    ('concurrent (worst)',
     lambda r: worst(r, [k for k in r.order if k[0] == 'concurrent']), 1.0),
    ('remote free (worst)',
     lambda r: worst(r, [k for k in r.order if k[0] == 'remote']), 1.0),
    ('bulk (worst)',
     lambda r: worst(r, [k for k in r.order if k[0] == 'bulk']), 1.0),
    ('large 512 KiB and 1 MiB (worst)',
     lambda r: worst(r, [k for k in r.order if k[0] in ('pair', 'large') and
                         parse_kv(k[1]).get('size') in ('524288', '1048576')]),
     1.0),
]


def over_boots(boots, fig):
    """(median, lowest, highest, where of the median boot) or None."""
    got = [fig(b) for b in boots]
    got = [g for g in got if g is not None]
    if not got:
        return None
    got.sort(key=lambda g: g[0])
    mid = got[(len(got) - 1) // 2]
    return (statistics.median(g[0] for g in got), got[0][0], got[-1][0],
            mid[1], len(got))


def targets(boots, label):
    table = STOCK_TARGETS if label.startswith('stock') else UML_TARGETS
    rows = ['| target (issue 10, %s) | median over boots | spread '
            '(boots) | where (median boot) | limit | |' % label,
            '|---|---|---|---|---|---|']
    for desc, fig, limit in table:
        got = over_boots(boots, fig)
        if got is None:
            rows.append('| %s | not measured | | | ≤ %.2fx | — |' %
                        (desc, limit))
            continue
        med, lo, hi, where, n = got
        rows.append('| %s | %.3fx | %.3fx-%.3fx (%d) | %s | ≤ %.2fx | %s |' % (
            desc, med, lo, hi, n, where, limit,
            'met' if med <= limit else 'MISSED'))
    return rows


def footprint_table(run):
    rows = ['| operation list | ops | peak requested | gomalloc peak '
            '(pages in spans) | kmalloc peak (sum of ksize) | ratio | '
            'gomalloc objects only (sum of ksize), ratio |',
            '|---|---|---|---|---|---|---|']
    for kv in run.footprint:
        mib = lambda k: int(kv.get(k, 0)) / 2**20
        rows.append('| %s | %s | %.2f MiB | %.2f MiB | %.2f MiB | %.2fx '
                    '| %.2f MiB, %.2fx |' % (
                        kv['trace'], kv['ops'], mib('peak_requested'),
                        mib('gom_peak'), mib('kmalloc_peak'),
                        int(kv['ratio_permille']) / 1000,
                        mib('gom_objects_peak'),
                        mib('gom_objects_peak') / mib('kmalloc_peak')))
    return rows


def waste_table(run):
    rows = ['| request B | gomalloc B | waste | span tail | kmalloc B | waste |',
            '|---|---|---|---|---|---|']
    for kv in run.waste:
        r, g, k = int(kv['req']), int(kv['gom']), int(kv['kmalloc'])
        if r in KEY_SIZES or r - 1 in KEY_SIZES:
            rows.append('| %d | %d | %.1f%% | %.1f%% | %d | %.1f%% |' % (
                r, g, 100 * (g - r) / g, int(kv['gom_span_tail_bp']) / 100,
                k, 100 * (k - r) / k))
    return rows


def conditions(run, host_cpu):
    i = run.info
    return ('kernel %s (%s), preemption %s, init_on_alloc=%s, '
            'gomalloc profile_rate=%s, %s CPU(s), '
            'CPU %s, accelerator: %s; %s runs per figure, ~%s µs each' % (
                i.get('kernel', '?'), run.label, i.get('preempt', '?'),
                i.get('init_on_alloc', '?'), i.get('profile_rate', '?'),
                i.get('cpus', '?'), host_cpu,
                run.accel, i.get('runs', '?'), i.get('run_us', '?')))


def section(run, host_cpu, headline):
    out = ['### %s' % run.label, '', conditions(run, host_cpu), '']
    if not headline:
        out += ['QEMU TCG distorts absolute time and inflates atomic '
                'instructions: read only the ratios, which compare both '
                'allocators in the same boot.', '']
    pk = pair_keys(run, KEY_SIZES)
    if pk:
        out += ['alloc+free pair, key sizes (every size: %s.csv)' % run.label,
                ''] + timing_table(run, pk) + ['']
    other = [k for k in run.order if k[0] != 'pair']
    if other:
        out += timing_table(run, other) + ['']
    if run.footprint:
        out += ['peak footprint' + ('' if headline else ' (byte counts, '
                                    'not time: valid under TCG)'), '']
        out += footprint_table(run) + ['']
    if run.parts:
        out += ['parts of the fast path, each timed alone in a loop (on a '
                'live 64 B object)', '', '| part | ns (min / median) | '
                'cycles (min) |', '|---|---|---|']
        out += ['| %s | %s | %s |' % (kv['name'], fmt_ns(kv),
                                      kv['min_cycles']) for kv in run.parts]
        out += ['']
    if headline and run.waste:
        out += ['rounding waste per request (gomalloc without tiny packing;'
                ' every size: %s-waste.csv)' % run.label, '']
        out += waste_table(run) + ['']
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--host-cpu', default='?')
    ap.add_argument('runs', nargs='+', help='LABEL=RESULTS[,ACCEL_FILE]')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    groups = {}
    for spec in args.runs:
        label, _, paths = spec.partition('=')
        path, _, accel_file = paths.partition(',')
        accel = '?'
        if accel_file and os.path.exists(accel_file):
            accel = '; '.join(open(accel_file).read().split('\n')).strip('; ')
            accel = accel.replace('accelerator: ', '')
        boots = groups.setdefault(label, [])
        run = Run(label if not boots else '%s-boot%d' % (label, len(boots) + 1),
                  path, accel)
        write_csv(run, args.out)
        boots.append(run)
    lines = []
    for i, (label, boots) in enumerate(groups.items()):
        lines += section(boots[0], args.host_cpu, i == 0)
        if any(b.timing for b in boots):
            lines += ['%d boot(s) of %s: medians over boots, spread beside '
                      'them' % (len(boots), label), '']
            lines += targets(boots, label) + ['']
    text = '\n'.join(lines)
    with open(os.path.join(args.out, 'table.md'), 'w') as f:
        f.write(text + '\n')
    print(text)


if __name__ == '__main__':
    sys.exit(main())
