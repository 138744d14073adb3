#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""scan_reports.py - find kernel reports in a guest's console log.

Any BUG, WARNING, Oops, KASAN, KCSAN, lockdep, kmemleak, hung-task,
soft-lockup, RCU-stall or "scheduling while atomic" report fails the run,
unless the test asked for it: a test that provokes a report on purpose first writes
    gomalloc-expect-report: begin <python regex>
to /dev/kmsg (or printk), and afterwards
    gomalloc-expect-report: end
Report lines inside such a window that match the regex are expected (and
counted); the stack dumps that follow them are part of the same report.

KCSAN ("BUG: KCSAN: data-race in a / b", "BUG: KCSAN: assert: race in
..."): a report fails the run when one of its access stacks holds a frame of
gomalloc's modules (gomalloc.ko, gomtorture.ko, the KUnit suites and test
modules: every module whose name starts with "gom"), in the context that
made the access: up to the interrupt or exception entry (asm_*) that the
stack shows, not the task it interrupted. A race wholly inside the kernel
(the strict KCSAN kernel finds some in kernel/time/ on every few boots) is
listed and counted as the kernel's, and does not fail the run.

usage: scan_reports.py CONSOLE_LOG   (exit 0: clean, 1: unexpected reports)
       scan_reports.py --count-kcsan CONSOLE_LOG
               prints "G K": the KCSAN reports of gomalloc's code (G) and
               of the kernel alone (K)
A KCSAN report is printed whole (up to its closing line of '='), as its two
stacks are the report; other reports with 12 lines of context.
"""
import re
import sys

REPORT = re.compile(
    r'(BUG: |BUG \S+ \(.*\): |WARNING: |Oops|general protection fault|'
    r'Kernel panic|\bKASAN\b|UBSAN: |INFO: task .* blocked for more than|'
    r'scheduling while atomic|unreferenced object 0x|soft lockup|'
    r'rcu: INFO: .* detected stall|DEBUG_LOCKS_WARN_ON|'
    r'possible circular locking|inconsistent lock state|'
    r'Call Trace:|kernel BUG at)')
PREFIX = re.compile(r'^\s*(\[\s*\d+\.\d+\]\s*)?(\[\s*[TC]\d+\]\s*)?')
EXPECT_BEGIN = re.compile(r'gomalloc-expect-report: begin (.*)$')
EXPECT_END = 'gomalloc-expect-report: end'
# a KTAP/TAP result line is a test's verdict, not a kernel report, even when
# its name or skip reason says KASAN (a test skipped on a kernel without it)
RESULT_LINE = re.compile(r'^\s*(not )?ok \d+ ')
KCSAN = re.compile(r'BUG: KCSAN: ')
KCSAN_END = re.compile(r'^={20,}$')
# "write to 0x... of 8 bytes by task 12 on cpu 1:", "read (marked) to ...
# by interrupt on cpu 0:", "race at unknown origin, with read to ...:"
KCSAN_ACCESS = re.compile(r'^(race at unknown origin, with )?'
                          r'(read|write|read-write)\b.* on cpu \d+:$')
FRAME = re.compile(r'([\w.]+)\+0x[0-9a-f]+/0x[0-9a-f]+(?: \[(\w+)\])?')
OURS = re.compile(r'^gom')


def kcsan_block(lines, n):
    """The lines of the KCSAN report whose title is console line n."""
    block = []
    for raw in lines[n:n + 200]:
        line = PREFIX.sub('', raw.rstrip('\n'))
        if KCSAN_END.match(line):
            break
        block.append(line)
    return block


def kcsan_ours(block):
    """Does an access stack of the report hold a frame of our modules, in
    the context that made the access (up to its asm_* entry)?"""
    in_stack = cut = False
    for line in block:
        text = line.strip()
        if KCSAN_ACCESS.match(text):
            in_stack, cut = True, False
            continue
        if not text:
            in_stack = False
            continue
        m = FRAME.search(text)
        if not in_stack or cut or not m:
            continue
        if m.group(2) and OURS.match(m.group(2)):
            return True
        if m.group(1).startswith('asm_'):
            cut = True
    return False


def scan(lines):
    """Return (unexpected, expected, kernel_kcsan) lists of (lineno, text):
    kernel_kcsan holds the KCSAN reports outside gomalloc's code."""
    unexpected, expected, kernel_kcsan = [], [], []
    window = None          # compiled regex while inside an expect window
    last_report = -100     # a stack dump within 40 lines belongs to it
    for n, raw in enumerate(lines, 1):
        line = PREFIX.sub('', raw.rstrip('\n'))
        m = EXPECT_BEGIN.search(line)
        if m:
            window = re.compile(m.group(1))
            continue
        if EXPECT_END in line:
            window = None
            continue
        if not REPORT.search(line) or RESULT_LINE.match(line):
            continue
        if 'Call Trace:' in line and n - last_report < 40:
            continue
        last_report = n
        if window is not None and window.search(line):
            expected.append((n, line))
            continue
        if KCSAN.search(line) and not kcsan_ours(kcsan_block(lines, n)):
            kernel_kcsan.append((n, line))
            continue
        unexpected.append((n, line))
    return unexpected, expected, kernel_kcsan


def context(lines, n, line):
    """The console lines after report line n that belong to it."""
    if not KCSAN.search(line):
        return lines[n:n + 12]
    out = []
    for raw in lines[n:n + 200]:
        out.append(raw)
        if KCSAN_END.match(PREFIX.sub('', raw.rstrip('\n'))):
            break
    return out


def main():
    args = sys.argv[1:]
    count_kcsan = args[:1] == ['--count-kcsan']
    if count_kcsan:
        args = args[1:]
    with open(args[0], errors='replace') as f:
        lines = f.readlines()
    unexpected, expected, kernel_kcsan = scan(lines)
    ours = sum(1 for _, line in unexpected + expected if KCSAN.search(line))
    if count_kcsan:
        print(ours, len(kernel_kcsan))
        return 0
    for n, line in unexpected:
        print(f'kernel report at console line {n}: {line}')
        for ctx in context(lines, n, line):
            print('    ' + ctx.rstrip('\n'))
    for n, line in kernel_kcsan:
        print(f'KCSAN report outside gomalloc (not a failure) at console line {n}: {line}')
        for ctx in context(lines, n, line):
            print('    ' + ctx.rstrip('\n'))
    print(f'# reports: {len(unexpected)} unexpected, {len(expected)} expected')
    if ours or kernel_kcsan:
        print(f'# KCSAN reports: {ours} of gomalloc\'s code, '
              f'{len(kernel_kcsan)} of the kernel alone')
    return 1 if unexpected else 0


if __name__ == '__main__':
    sys.exit(main())
