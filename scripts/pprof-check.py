#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pprof-check.py - `make check`'s check of the heap profile with Go's own
tool: the debug guest loads examples/profile/gomalloc_profile_example.ko
(known call stacks and sizes) at profile_rate=4096 and copies gomalloc's
profile_stacks file into its results between the lines
"# gomprof-profile-begin" and "# gomprof-profile-end"; this script takes it
out, writes it as a pprof profile with tools/gomprof, reads that with
Debian's `go tool pprof` (-raw, -top in the four sample types, -traces),
and prints one TAP document: the format, each view's order and sizes, the
stacks, and that the same checks fail on a copy of the profile whose in-use
counts of two stacks were swapped; then, from a second copy taken after the
kselftests, that the example's stacks kept their names after its unload.

usage: pprof-check.py RESULTS_FILE OUT_DIR
"""
import gzip
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOMPROF = os.path.join(ROOT, 'tools', 'gomprof', 'gomprof')
RATE = 4096
# the example's call chains: (leaf, its caller), objects and bytes allocated,
# objects kept (gomalloc_profile_example.c)
TABLES = ('gompe_table_alloc', 'gompe_tables', 64, 64 * 32768, 64)
NODES = ('gompe_node_alloc', 'gompe_nodes', 4096, 4096 * 64, 4096)
CHURN = ('gompe_churn_one', 'gompe_churn', 16384, 16384 * 512, 0)
# each view: the leaves that must come first, in order, and their values
VIEWS = {
    'inuse_space': [(TABLES, TABLES[4] * 32768), (NODES, NODES[4] * 64)],
    'inuse_objects': [(NODES, NODES[4]), (TABLES, TABLES[4])],
    'alloc_space': [(CHURN, CHURN[3]), (TABLES, TABLES[3]), (NODES, NODES[3])],
    'alloc_objects': [(CHURN, CHURN[2]), (NODES, NODES[2]), (TABLES, TABLES[2])],
}
SLACK = 4	# "the right order of magnitude": within 1/4 .. 4 times
UNITS = {'': 1, 'B': 1, 'kB': 1 << 10, 'MB': 1 << 20, 'GB': 1 << 30}
VALUE = re.compile(r'^([0-9.]+)([a-zA-Z]*)$')


def pprof(*args):
    r = subprocess.run(['go', 'tool', 'pprof', *args], capture_output=True,
                       text=True, env=dict(os.environ, PPROF_TMPDIR='/tmp'))
    if r.returncode:
        raise RuntimeError(f'go tool pprof {" ".join(args)}: {r.stderr.strip()}')
    return r.stdout


def value(text):
    m = VALUE.match(text)
    if not m or m.group(2) not in UNITS:
        raise ValueError(f'not a pprof value: {text!r}')
    return float(m.group(1)) * UNITS[m.group(2)]


def top(profile, index):
    """pprof -top's rows [(flat, name)], in its order."""
    rows = []
    for line in pprof('-top', '-nodecount=20', '-nodefraction=0', f'-sample_index={index}',
                      profile).splitlines():
        f = line.split()
        if len(f) == 6 and f[1].endswith('%') and f[4].endswith('%'):
            rows.append((value(f[0]), f[5]))
    return rows


def traces(profile):
    """pprof -traces's stacks, each a list of function names, leaf first."""
    stacks, cur = [], None
    for line in pprof('-traces', profile).splitlines():
        if line.startswith('-----'):
            cur = None
            continue
        f = line.split()
        if not f or line.lstrip().startswith('bytes:'):
            continue
        if cur is None:
            cur = [f[-1]]
            stacks.append(cur)
        else:
            cur.append(f[-1])
    return stacks


def check_views(profile):
    """The failures of the order and size checks, [] if none."""
    bad = []
    for index, want in VIEWS.items():
        rows = top(profile, index)
        got = [name for _, name in rows[:len(want)]]
        if got != [c[0] for c, _ in want]:
            bad.append(f'{index}: first rows {got}, want '
                       f'{[c[0] for c, _ in want]}')
            continue
        for (flat, name), (_, expect) in zip(rows, want):
            if not expect / SLACK <= flat <= expect * SLACK:
                bad.append(f'{index}: {name} {flat:.0f}, want {expect} '
                           f'within x{SLACK}')
    return bad


def check_stacks(profile):
    bad = []
    stacks = traces(profile)
    for leaf, caller, *_ in (TABLES, NODES, CHURN):
        found = [s for s in stacks if s and s[0] == leaf]
        if not found:
            bad.append(f'no stack starts at {leaf}: '
                       f'{[s[:2] for s in stacks][:8]}')
            continue
        s = found[0]
        if s[1:4] != [caller, 'gompe_run', 'gompe_init']:
            bad.append(f'{leaf}: stack {s[:6]}, want {leaf} {caller} '
                       'gompe_run gompe_init first')
        elif 'do_one_initcall' not in s[4:]:
            bad.append(f'{leaf}: no do_one_initcall (the kernel) in {s}')
    gom = [s for s in stacks if any(f.startswith('gom_') for f in s)]
    if gom:
        bad.append(f'gomalloc frames in a stack: {gom[0]}')
    return bad


def swapped(src, dst):
    """A copy of profile_stacks whose tables and nodes swap in-use counts."""
    lines = open(src).read().split('\n')
    counts = {}
    for i, line in enumerate(lines):
        if line[:1] in ('\t', ' ') and i and re.match(r'^\d+ \d+ \d+ \d+$', lines[i - 1]):
            fn = line.strip().split('+')[0]
            counts[fn] = i - 1
    a, b = counts[TABLES[0]], counts[NODES[0]]
    fa, fb = lines[a].split(), lines[b].split()
    lines[a] = ' '.join(fb[:2] + fa[2:])
    lines[b] = ' '.join(fa[:2] + fb[2:])
    with open(dst, 'w') as f:
        f.write('\n'.join(lines))


def extract(results, dst, name=''):
    """The profile_stacks copy between '# gomprof-profile-begin[ NAME]' and
    '# gomprof-profile-end' into dst; whether there was one."""
    begin = '# gomprof-profile-begin' + (f' {name}' if name else '')
    out, on = [], False
    with open(results, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n').replace('\r', '')
            if line == begin:
                out, on = [], True
            elif on and line == '# gomprof-profile-end':
                on = False
                with open(dst, 'w') as g:
                    g.write('\n'.join(out) + '\n')
                return True
            elif on:
                out.append(line)
    return False


class Tap:
    """TAP lines: a result, the lines of its diagnosis after it."""

    def __init__(self):
        self.lines, self.count, self.failed = [], 0, False

    def result(self, ok, desc, why=()):
        self.count += 1
        self.lines.append(f'{"ok" if ok else "not ok"} {self.count} {desc}')
        self.lines += [f'# {w}' for w in why]
        self.failed |= not ok


def run(results, out, tap):
    stacks = os.path.join(out, 'profile_stacks.txt')
    pb = os.path.join(out, 'heap.pb.gz')
    if not extract(results, stacks):
        tap.result(False, 'the debug guest copied out the example\'s profile_stacks',
                   [f'no "# gomprof-profile-begin" ... "-end" in {results}'])
        return
    tap.result(True, 'the debug guest copied out the example\'s profile_stacks')
    r = subprocess.run([GOMPROF, stacks, '-o', pb], capture_output=True, text=True)
    ok = r.returncode == 0 and open(pb, 'rb').read(2) == b'\x1f\x8b'
    tap.result(ok, 'tools/gomprof writes a gzipped profile.proto',
               r.stderr.splitlines()[-5:])
    if not ok:
        return
    try:
        gzip.decompress(open(pb, 'rb').read())
        raw = pprof('-raw', pb)
    except (OSError, RuntimeError) as e:
        tap.result(False, 'go tool pprof -raw reads it', [str(e)])
        return
    want = ['PeriodType: space bytes', f'Period: {RATE}',
            'alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes']
    miss = [w for w in want if w not in raw.splitlines()]
    tap.result(not miss, 'go tool pprof -raw reads it: Go\'s heap sample types, '
               f'period space/bytes {RATE}', [f'missing: {m}' for m in miss])
    bad = check_views(pb)
    tap.result(not bad, '-top: the known stacks first, sizes within x4, in the '
               'inuse and alloc views (space and objects)', bad)
    bad = check_stacks(pb)
    tap.result(not bad, '-traces: whole stacks, leaf first, from the example '
               'down into the kernel, no gomalloc frame', bad)
    bad_copy = os.path.join(out, 'profile_stacks-swapped.txt')
    bad_pb = os.path.join(out, 'heap-swapped.pb.gz')
    swapped(stacks, bad_copy)
    subprocess.run([GOMPROF, bad_copy, '-o', bad_pb], capture_output=True, check=True)
    tap.result(bool(check_views(bad_pb)), 'the -top checks fail on a copy with '
               'the tables\' and nodes\' in-use counts swapped')
    print(pprof('-top', '-nodecount=8', pb), file=sys.stderr)
    later(results, out, tap)


def later(results, out, tap):
    """The default heap's profile read again after the kselftests, once the
    example is unloaded and other modules (the test driver) were loaded,
    maybe at its addresses: its stacks must keep their names, which the
    kernel rendered when they were first sampled. Written as
    kselftests.pb.gz, with pprof's -top of its allocations."""
    stacks = os.path.join(out, 'kselftests-profile_stacks.txt')
    pb = os.path.join(out, 'kselftests.pb.gz')
    if not extract(results, stacks, 'kselftests'):
        tap.result(True, 'the example\'s stacks keep their names after its '
                   'unload # SKIP the kselftests did not run (--only)')
        return
    subprocess.run([GOMPROF, stacks, '-o', pb], capture_output=True, check=True)
    text = pprof('-top', '-nodecount=25', '-sample_index=alloc_space', pb)
    with open(os.path.join(out, 'kselftests-top.txt'), 'w') as f:
        f.write(text)
    leaves = {s[0] for s in traces(pb) if s}
    want = {TABLES[0], NODES[0], CHURN[0]}
    tap.result(want <= leaves, 'the example\'s stacks keep their names after '
               'its unload (read again after the kselftests)',
               [] if want <= leaves else
               [f'leaves {sorted(leaves)}, want {sorted(want)} among them'])


def main():
    results, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    tap = Tap()
    try:
        run(results, out, tap)
    except Exception as e:  # a crash of the check is its failure
        tap.result(False, 'pprof check ran to its end', [repr(e)])
    print('TAP version 13')
    print(f'1..{tap.count}')
    print('\n'.join(tap.lines))
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
