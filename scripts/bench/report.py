#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py - turn gomalloc_bench's "bench: ..." lines into a table, CSVs
and gnuplot data for `make bench`.

  report.py --out DIR --host-cpu MODEL LABEL=RESULTS[,ACCEL_FILE] ...

LABEL is the run's name (uml, stock); RESULTS the guest's results.txt.
Writes DIR/LABEL.csv (every timing figure), DIR/LABEL-waste.csv,
DIR/LABEL-footprint.csv, DIR/LABEL-series-TRACE.dat (footprint over a
replay, for gnuplot), DIR/LABEL-ratio.dat (time ratio per size),
DIR/table.md (the table README includes), and prints the table.
"""
import argparse
import csv
import os
import re
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


def target(desc, got, limit):
    if got is None:
        return '| %s | not measured | ≤ %.2fx | — |' % (desc, limit)
    return '| %s | %.2fx (%s) | ≤ %.2fx | %s |' % (
        desc, got[0], got[1], limit, 'met' if got[0] <= limit else 'MISSED')


def size_range(run, lo, hi, workloads=('pair',)):
    return [k for k in run.order if k[0] in workloads and
            lo <= int(parse_kv(k[1]).get('size', 0)) <= hi]


def footprint_worst(run):
    best = None
    for kv in run.footprint:
        if kv['trace'] == 'tiny':
            continue
        r = int(kv['ratio_permille']) / 1000
        if best is None or r > best[0]:
            best = (r, kv['trace'])
    return best


def targets(run):
    return [
        '| target (UML, single CPU) | worst measured (where) | target | |',
        '|---|---|---|---|',
        target('pair, 8 B .. 8 KiB', worst(run, size_range(run, 1, 8192)),
               1.0),
        target('pair, 8 KiB .. 32 KiB (kmalloc: page allocator)',
               worst(run, size_range(run, 8193, 32768)), 0.5),
        target('large, 32 KiB .. 1 MiB',
               worst(run, size_range(run, 32769, 1 << 20,
                                     ('pair', 'large'))), 0.5),
        target('N-pattern', worst(run, [k for k in run.order
                                        if k[0] == 'npattern']), 1.0),
        target('peak footprint (trace replay, uniform 1..8192)',
               footprint_worst(run), 0.85),
    ]


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
    if headline and run.timing:
        out += targets(run) + ['']
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
    lines = []
    for i, spec in enumerate(args.runs):
        label, _, paths = spec.partition('=')
        path, _, accel_file = paths.partition(',')
        accel = '?'
        if accel_file and os.path.exists(accel_file):
            accel = '; '.join(open(accel_file).read().split('\n')).strip('; ')
            accel = accel.replace('accelerator: ', '')
        run = Run(label, path, accel)
        write_csv(run, args.out)
        lines += section(run, args.host_cpu, i == 0)
    text = '\n'.join(lines)
    with open(os.path.join(args.out, 'table.md'), 'w') as f:
        f.write(text + '\n')
    print(text)


if __name__ == '__main__':
    sys.exit(main())
