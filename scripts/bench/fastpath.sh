#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fastpath.sh - the machine code of both allocators' entry points on
# Debian's stock 6.12, side by side: gomalloc's gom_alloc() and gom_free()
# from the stock build of gomalloc.ko, the kernel's __kmalloc_noprof() and
# kfree() from Debian's own vmlinuz (extract-vmlinux), found at the
# addresses the stock bench boot printed (plan-bench.sh's "bench: sym"
# lines, KASLR's slide taken from _text).
#
#   scripts/bench/fastpath.sh RESULTS MODS_DIR OUT_DIR
#
# RESULTS: the stock bench boot's results.txt; MODS_DIR: its module build
# (scripts/build-modules.sh stock). Writes OUT_DIR/FUNCTION.s, objdump's
# listing of each function with relocations, for README's instruction
# counts (which follow one path through them by hand: a free-cache hit).
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

results=$1 mods=$2 outdir=$3
mkdir -p "$outdir"
src=$("$GOM_ROOT/scripts/provision.sh" source)
img=$("$GOM_ROOT/scripts/provision.sh" stock)
vmlinux="$outdir/vmlinux"
"$src/scripts/extract-vmlinux" "$img" >"$vmlinux" || die "extract-vmlinux $img failed"

# sym NAME FIELD - a field of the "bench: sym name=NAME" line
sym() { sed -n "s/^bench: sym name=$1 .*$2=\\([0-9a-f]*\\).*/\\1/p" "$results" | head -n1; }
text=$(sym _text addr)
[ -n "$text" ] || die "$results has no bench: sym lines (a stock bench boot prints them)"
elf_text=$(objdump -h "$vmlinux" | awk '$2 == ".text" { print $4 }')
slide=$((0x$text - 0x$elf_text))
for f in __kmalloc_noprof kfree; do
	from=$(sym "$f" addr) to=$(sym "$f" end)
	if [ -z "$from" ] || [ -z "$to" ]; then die "no address for $f in $results"; fi
	objdump -d --no-show-raw-insn \
		--start-address="$(printf '0x%x' $((0x$from - slide)))" \
		--stop-address="$(printf '0x%x' $((0x$to - slide)))" \
		"$vmlinux" >"$outdir/$f.s"
done
for f in gom_alloc gom_free; do
	objdump -dr --no-show-raw-insn "$mods/kmod/gomalloc.ko" |
		awk -v f="<$f>:" '$2 == f { on = 1 } on && /^$/ { on = 0 } on' >"$outdir/$f.s"
done
rm -f "$vmlinux"
wc -l "$outdir"/*.s
