#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-modules.sh - build gomalloc and its test modules for one kernel, in a
# copy of the tree of its own (so builds for several kernels never mix), with
# W=1; prints the build directory. Any compiler or modpost warning fails it.
#
#   scripts/build-modules.sh debug|kcsan|stock|stock61|rt|uml
# Every kernel gets gomalloc.ko, the test, benchmark, example and torture
# modules; those with CONFIG_KUNIT (debug, kcsan) the KUnit suites too.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

flavour=$1
case "$flavour" in
debug | kcsan) kdir=$("$GOM_ROOT/scripts/provision.sh" "$flavour"); arch=x86_64 ;;
stock | stock61 | rt) kdir=$("$GOM_ROOT/scripts/provision.sh" "$flavour-kdir"); arch=x86_64 ;;
uml) kdir=$("$GOM_ROOT/scripts/provision.sh" uml); arch=um ;;
*) die "unknown kernel $flavour" ;;
esac
dir="$GOM_ROOT/.build/$flavour"
mkdir -p "$dir"
rsync -a --delete --exclude .git --exclude .build --exclude '*.o' --exclude '*.ko' \
	--exclude '.*.cmd' --exclude '*.mod*' --exclude modules.order \
	--exclude Module.symvers "$GOM_ROOT/" "$dir/"
log "building modules for $flavour against $kdir"
if ! make -C "$kdir" M="$dir" ARCH="$arch" W=1 -j"$GOM_JOBS" modules >"$dir/build.log" 2>&1; then
	cat "$dir/build.log" >&2
	die "module build for $flavour failed"
fi
if grep -E 'warning:|WARNING:' "$dir/build.log" >&2; then
	die "module build for $flavour has warnings (W=1): $dir/build.log"
fi
printf '%s\n' "$dir"
