#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""scan_reports.py - find kernel reports in a guest's console log.

Any BUG, WARNING, Oops, KASAN, lockdep, kmemleak, hung-task, soft-lockup,
RCU-stall or "scheduling while atomic" report fails the run, unless the test
asked for it: a test that provokes a report on purpose first writes
    gomalloc-expect-report: begin <python regex>
to /dev/kmsg (or printk), and afterwards
    gomalloc-expect-report: end
Report lines inside such a window that match the regex are expected (and
counted); the stack dumps that follow them are part of the same report.

usage: scan_reports.py CONSOLE_LOG   (exit 0: clean, 1: unexpected reports)
"""
import re
import sys

REPORT = re.compile(
    r'(BUG: |BUG \S+ \(.*\): |WARNING: |Oops|general protection fault|'
    r'Kernel panic|KASAN|UBSAN: |INFO: task .* blocked for more than|'
    r'scheduling while atomic|unreferenced object 0x|soft lockup|'
    r'rcu: INFO: .* detected stall|DEBUG_LOCKS_WARN_ON|'
    r'possible circular locking|inconsistent lock state|'
    r'Call Trace:|kernel BUG at)')
PREFIX = re.compile(r'^\s*(\[\s*\d+\.\d+\]\s*)?(\[\s*[TC]\d+\]\s*)?')
EXPECT_BEGIN = re.compile(r'gomalloc-expect-report: begin (.*)$')
EXPECT_END = 'gomalloc-expect-report: end'


def scan(lines):
    """Return (unexpected, expected) lists of (lineno, text)."""
    unexpected, expected = [], []
    window = None          # compiled regex while inside an expect window
    matched_in_window = False
    last_report = -100     # a stack dump within 40 lines belongs to it
    for n, raw in enumerate(lines, 1):
        line = PREFIX.sub('', raw.rstrip('\n'))
        m = EXPECT_BEGIN.search(line)
        if m:
            window, matched_in_window = re.compile(m.group(1)), False
            continue
        if EXPECT_END in line:
            window = None
            continue
        if not REPORT.search(line):
            continue
        if 'Call Trace:' in line and n - last_report < 40:
            continue
        last_report = n
        if window is not None and window.search(line):
            matched_in_window = True
            expected.append((n, line))
            continue
        unexpected.append((n, line))
    return unexpected, expected


def main():
    with open(sys.argv[1], errors='replace') as f:
        lines = f.readlines()
    unexpected, expected = scan(lines)
    for n, line in unexpected:
        print(f'kernel report at console line {n}: {line}')
        for ctx in lines[n:n + 12]:
            print('    ' + ctx.rstrip('\n'))
    print(f'# reports: {len(unexpected)} unexpected, {len(expected)} expected')
    return 1 if unexpected else 0


if __name__ == '__main__':
    sys.exit(main())
