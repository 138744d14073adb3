#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""summarize.py - turn every result of a `make check` run into one KTAP
document, parse it with the kernel's own kunit.py, and print the tree and
the closing line "N passed, N failed, N skipped".

usage: summarize.py KUNIT_PY OUT_DIR GROUP=RESULTS_FILE...

Each RESULTS_FILE holds documents framed by
    # gomalloc-doc-begin NAME KIND      (KIND: ktap | tap)
    ...
    # gomalloc-doc-end NAME
    # gomalloc-doc-rc NAME RC           (tap only: the program's exit code)
as the guests (scripts/guest/guest-lib.sh) and the host checks write them.
'ktap' is a one-suite KTAP document from KUnit's debugfs; 'tap' is a
kselftest-style TAP document, nested as a suite of its own whose verdict
also follows the exit code (0 pass, 4 skip, anything else fail).
Each GROUP (a boot, or the host checks) becomes one top-level test.
"""
import json
import os
import re
import subprocess
import sys

INDENT = '    '
BEGIN = re.compile(r'^# gomalloc-doc-begin (\S+) (\S+)')
END = re.compile(r'^# gomalloc-doc-end (\S+)')
RC = re.compile(r'^# gomalloc-doc-rc (\S+) (-?\d+)')
RESULT = re.compile(r'^(ok|not ok) \d+ ?(.*)$')
UNNAMED = re.compile(r'^(ok|not ok) (\d+) # (SKIP|TODO|XFAIL)\s*(.*)$')
FIGURE = re.compile(r'^\s*# figure: (\w+)=(-?\d+)\s*$')
CRASH = re.compile(r'not ok \d+ guest finished its plan')
# issue 4's one line of figures, in this order; crashes come from the boots
FIGURES = ['operations', 'cpu_cycles', 'faults_injected', 'bad_inputs_tried',
           'bad_inputs_detected', 'crashes', 'objects_lost', 'objects_damaged',
           'pages_not_returned']


def read_docs(path):
    """Return [(name, kind, lines, rc)] in file order; rc None if absent."""
    docs, cur = [], None
    rcs = {}
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n').replace('\r', '')
            m = BEGIN.match(line)
            if m:
                cur = [m.group(1), m.group(2), [], None, False]
                docs.append(cur)
                continue
            m = END.match(line)
            if m and cur is not None:
                cur[4] = True
                cur = None
                continue
            m = RC.match(line)
            if m:
                rcs[m.group(1)] = int(m.group(2))
                continue
            if cur is not None:
                cur[2].append(line)
    out = []
    for name, kind, lines, _, complete in docs:
        rc = rcs.get(name)
        if not complete:
            rc = -1
        out.append((name, kind, lines, rc))
    return out


def ktap_body(name, lines, number):
    """A KUnit debugfs document without its top header, renumbered."""
    body = [l for l in lines if l.strip()]
    if body[:1] == ['KTAP version 1']:
        body = body[1:]
    if body[:1] == ['1..1']:
        body = body[1:]
    if body and RESULT.match(body[-1]):
        m = RESULT.match(body[-1])
        body[-1] = f'{m.group(1)} {number} {m.group(2)}'
    else:
        body.append(f'not ok {number} {name} # guest stopped mid-suite')
    return body


def name_directive(line):
    """kselftest.h writes 'ok 3 # SKIP reason' with no test name, which
    kunit.py cannot read: name the test after the reason."""
    m = UNNAMED.match(line)
    if not m:
        return line
    return f'{m.group(1)} {m.group(2)} {m.group(4) or "unnamed"} # {m.group(3)} {m.group(4)}'


def tap_body(name, lines, rc, number):
    """A kselftest TAP document nested as one suite."""
    body = [INDENT + 'KTAP version 1', INDENT + f'# Subtest: {name}']
    for l in lines:
        if l.startswith('TAP version') or l.startswith('KTAP version'):
            continue
        body.append(INDENT + name_directive(l))
    if rc == 0:
        verdict = f'ok {number} {name}'
    elif rc == 4:
        verdict = f'ok {number} {name} # SKIP exit code 4'
    else:
        verdict = f'not ok {number} {name}'
        body.append(INDENT + f'# exit code {rc}')
    return body + [verdict]


def group_doc(group, docs, number):
    lines = [INDENT + 'KTAP version 1', INDENT + f'# Subtest: {group}',
             INDENT + f'1..{len(docs)}']
    for i, (name, kind, body, rc) in enumerate(docs, 1):
        if kind == 'ktap':
            sub = ktap_body(name, body, i)
        else:
            sub = tap_body(name, body, rc, i)
        lines += [INDENT + l for l in sub]
    verdicts = [l[len(INDENT):] for l in lines
                if RESULT.match(l[len(INDENT):]) and not l.startswith(INDENT * 2)]
    failed = any(v.startswith('not ok') for v in verdicts)
    lines.append(f'{"not ok" if failed else "ok"} {number} {group}')
    return lines


def count(node, tally):
    for case in node.get('test_cases', []):
        tally[case['status']] = tally.get(case['status'], 0) + 1
    for sub in node.get('sub_groups', []):
        count(sub, tally)


def figures(groups):
    """Sum the '# figure: NAME=N' lines of every document."""
    total, seen = {}, False
    for _, docs in groups:
        for _, _, lines, _ in docs:
            for line in lines:
                m = FIGURE.match(line)
                if m:
                    seen = True
                    total[m.group(1)] = total.get(m.group(1), 0) + int(m.group(2))
                elif CRASH.search(line):
                    total['crashes'] = total.get('crashes', 0) + 1
    if not seen:
        return None
    names = FIGURES + sorted(set(total) - set(FIGURES))
    return 'figures: ' + ' '.join(f'{n}={total.get(n, 0)}' for n in names)


def main():
    kunit_py, out_dir = sys.argv[1], sys.argv[2]
    groups = []
    for arg in sys.argv[3:]:
        group, path = arg.split('=', 1)
        docs = read_docs(path) if os.path.exists(path) else []
        if not docs:
            docs = [(group, 'tap', ['1..1', 'not ok 1 produced results'], 1)]
        groups.append((group, docs))
    doc = ['KTAP version 1', f'1..{len(groups)}']
    for i, (group, docs) in enumerate(groups, 1):
        doc += group_doc(group, docs, i)
    ktap = os.path.join(out_dir, 'all.ktap')
    with open(ktap, 'w') as f:
        f.write('\n'.join(doc) + '\n')
    js = os.path.join(out_dir, 'all.json')
    proc = subprocess.run([sys.executable, kunit_py, 'parse', '--json=' + js,
                           ktap], capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    tally = {}
    try:
        with open(js) as f:
            count(json.load(f), tally)
    except (OSError, ValueError) as e:
        print(f'kunit.py parse gave no JSON: {e}')
        sys.stderr.write(proc.stderr)
        tally['FAIL'] = tally.get('FAIL', 0) + 1
    passed = tally.get('PASS', 0)
    failed = tally.get('FAIL', 0) + tally.get('ERROR', 0)
    skipped = tally.get('SKIP', 0)
    if proc.returncode != 0 and failed == 0:
        failed = 1
        print('kunit.py parse reported a failure the tally did not show')
    line = figures(groups)
    if line:
        print(line)
    print(f'{passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed or passed == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
