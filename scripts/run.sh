#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run.sh - `make run`: boot Debian's stock 6.12 kernel under QEMU with
# gomalloc loaded, run a short allocation workload through it
# (testmod/gomalloc_workload.ko: tiny, small and large objects) and print the
# allocator's debugfs statistics; exits 0 when all of that worked.
#
#   scripts/run.sh [--shell] [--kernel stock|debug|kcsan|uml]
# --shell leaves an interactive shell in the guest instead (modules in
# /modules, debugfs mounted; `poweroff -f` ends it).
set -uo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

shell=0 kernel=stock
while [ $# -gt 0 ]; do
	case "$1" in
	--shell) shell=1 ;;
	--kernel) kernel=$2; shift ;;
	*) die "unknown option $1" ;;
	esac
	shift
done

"$GOM_ROOT/scripts/provision.sh" deps || exit 1
mods=$("$GOM_ROOT/scripts/build-modules.sh" "$kernel") || exit 1
out="$GOM_ROOT/.build/run"
make -s -C "$GOM_ROOT/tools/gomstat" OUTPUT="$out/tools-bin" >&2 || exit 1
"$GOM_ROOT/scripts/mkroot.sh" "$out/root" "$mods" "" "$out/tools-bin"
if [ $shell = 1 ]; then
	exec "$GOM_ROOT/scripts/vm-run.sh" --kernel "$kernel" --root "$out/root" \
		--out "$out" --plan shell --interactive --timeout 86400 --smp 2
fi
"$GOM_ROOT/scripts/vm-run.sh" --kernel "$kernel" --root "$out/root" --out "$out" \
	--plan run --smp 2 --mem 1G --timeout 300
rc=$?
grep -v '^# gomalloc-guest' "$out/results.txt"
log "guest console: $out/console.log"
[ $rc = 0 ] && grep -q '^# gomalloc-guest: done rc=0' "$out/results.txt" || exit 1
exit 0
