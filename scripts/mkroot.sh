#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mkroot.sh - stage a guest root: busybox-static, the small init, the test
# plans, the modules built for one kernel, the kselftest programs and the
# tools (gomstat, as /bin/gomstat).
#
#   scripts/mkroot.sh ROOTDIR MODULES_DIR [SELFTESTS_DIR] [TOOLS_DIR]
#
# MODULES_DIR is a built tree (kmod/gomalloc.ko, kunit/*.ko, testmod/*.ko,
# bench/*.ko, examples/*/*.ko, torture/*.ko).
# The directory serves UML as its hostfs root; QEMU gets it as an initramfs
# (mkroot.sh --cpio ROOTDIR OUT.cpio.gz packs it).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --cpio ]; then
	(cd "$2" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$3"
	exit 0
fi

root=$1 mods=$2 sts=${3:-} tools=${4:-}
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,guest/plans,modules/kunit,selftests}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
file -L "$root/bin/busybox" 2>/dev/null | grep -q 'dynamically' &&
	die "/bin/busybox is dynamic: install busybox-static"
install -m 755 "$GOM_ROOT/scripts/guest/init" "$root/init"
cp "$GOM_ROOT/scripts/guest/guest-lib.sh" "$root/guest/"
cp "$GOM_ROOT"/scripts/guest/plans/plan-*.sh "$root/guest/plans/"
cp "$mods/kmod/gomalloc.ko" "$root/modules/"
for ko in "$mods"/kunit/*.ko; do
	[ -e "$ko" ] && cp "$ko" "$root/modules/kunit/"
done
for ko in "$mods"/testmod/*.ko "$mods"/bench/*.ko "$mods"/examples/*/*.ko \
	"$mods"/torture/*.ko; do
	[ -e "$ko" ] && cp "$ko" "$root/modules/"
done
if [ -n "$sts" ]; then
	for t in "$sts"/*; do
		[ -f "$t" ] && [ -x "$t" ] && cp "$t" "$root/selftests/"
	done
fi
if [ -n "$tools" ] && [ -x "$tools/gomstat" ]; then
	cp "$tools/gomstat" "$root/bin/gomstat"
fi
exit 0
