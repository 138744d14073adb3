#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dkms-check.sh - build gomalloc.ko through DKMS, as a user installs it, for
# a kernel whose Debian headers package is installed on this machine.
#
#   scripts/dkms-check.sh KERNELRELEASE   (scripts/provision.sh dkms gives one)
#
# A copy of the tree (dkms.conf, include/, kmod/) is registered with
# `dkms add`, built with `dkms build`, the module's vermagic checked, and
# removed again with `dkms remove --all`. DKMS works in trees of its own
# under .build/dkms/ (--sourcetree, --dkmstree): the host's registrations are
# never touched and a run that died half way cannot break the next one.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

kver=${1:?usage: $0 KERNELRELEASE}
ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$GOM_ROOT/dkms.conf")
[ -n "$ver" ] || die "no PACKAGE_VERSION in dkms.conf"
[ -d "/lib/modules/$kver/build" ] || die "no headers for $kver in /lib/modules/$kver/build"
work="$GOM_ROOT/.build/dkms"
rm -rf "$work"
mkdir -p "$work/source/gomalloc-$ver" "$work/tree"
rsync -a --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' --exclude '*.mod*' \
	--exclude modules.order --exclude Module.symvers \
	"$GOM_ROOT/dkms.conf" "$GOM_ROOT/include" "$GOM_ROOT/kmod" "$work/source/gomalloc-$ver/"
dkms=(dkms --sourcetree "$work/source" --dkmstree "$work/tree")

"${dkms[@]}" add -m gomalloc -v "$ver"
"${dkms[@]}" build -m gomalloc -v "$ver" -k "$kver" ||
	{ cat "$work/tree/gomalloc/$ver/build/make.log" >&2 2>/dev/null; exit 1; }
ko=$(find "$work/tree/gomalloc/$ver/$kver" -name 'gomalloc.ko*' | head -n1)
[ -n "$ko" ] || die "dkms build left no gomalloc.ko"
magic=$(modinfo -F vermagic "$ko")
log "built $ko: vermagic $magic"
[ "${magic%% *}" = "$kver" ] || die "vermagic $magic is not for $kver"
"${dkms[@]}" status -m gomalloc -v "$ver"
"${dkms[@]}" remove -m gomalloc -v "$ver" --all
[ -z "$("${dkms[@]}" status -m gomalloc)" ] || die "gomalloc still registered after dkms remove"
log "dkms add, build and remove of gomalloc $ver for $kver: ok"
