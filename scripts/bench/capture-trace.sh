#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# capture-trace.sh - capture a kmalloc/kfree trace of a workload: boot
# Debian's stock kernel under QEMU with the kmem:kmalloc and kmem:kfree
# tracepoints on from boot, run the workload in the guest (busybox), and
# bring /sys/kernel/tracing/trace back through the results serial port.
#
#   scripts/bench/capture-trace.sh [--workload SCRIPT] [--smp N] OUT.trace.xz
#
# SCRIPT runs as /guest/workload.sh in the guest (busybox sh; the gomalloc
# modules are in /modules); without it, a small default workload runs (file
# tree walks, a tmpfs file, a tar, procfs and sysfs reads). The trace covers
# the boot too. Convert it with tools/kmemtrace2ops.py; make bench replays
# data/*.trace.xz.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

workload='' smp=2
while [ $# -gt 1 ]; do
	case "$1" in
	--workload) workload=$2; shift ;;
	--smp) smp=$2; shift ;;
	*) die "unknown option $1" ;;
	esac
	shift
done
[ $# = 1 ] || die "usage: $0 [--workload SCRIPT] [--smp N] OUT.trace.xz"
dest=$(realpath -m "$1")
out="$GOM_ROOT/.build/capture"
rm -rf "$out" && mkdir -p "$out"

"$GOM_ROOT/scripts/provision.sh" deps >/dev/null
"$GOM_ROOT/scripts/provision.sh" stock >/dev/null
mods=$("$GOM_ROOT/scripts/build-modules.sh" stock)
"$GOM_ROOT/scripts/mkroot.sh" "$out/root" "$mods"
if [ -n "$workload" ]; then
	install -m 755 "$workload" "$out/root/guest/workload.sh"
else
	cat >"$out/root/guest/workload.sh" <<-'EOF'
		#!/bin/sh
		# the default workload: a little of what a shell session does
		for i in 1 2 3; do find / -xdev >/dev/null 2>&1; done
		cat /proc/*/status /proc/*/maps >/dev/null 2>&1
		find /sys/devices -name uevent | head -n 300 | xargs cat >/dev/null 2>&1
		dd if=/dev/urandom of=/tmp/f bs=64k count=64 2>/dev/null
		tar cf /tmp/t.tar /bin /guest /tmp/f 2>/dev/null
		gzip -1 /tmp/t.tar && rm -f /tmp/t.tar.gz /tmp/f
		insmod /modules/gomalloc.ko && rmmod gomalloc
		ifconfig lo 127.0.0.1 up && ping -c 3 127.0.0.1 >/dev/null 2>&1
		sync
	EOF
fi
"$GOM_ROOT/scripts/vm-run.sh" --kernel stock --root "$out/root" --plan bench \
	--out "$out" --smp "$smp" --mem 1G --timeout 900 \
	--append "gomalloc.bench=capture trace_event=kmem:kmalloc,kmem:kfree trace_buf_size=96M" ||
	die "the capture boot failed: $out/console.log"
sed -n '/^# gomalloc-trace-begin/,/^# gomalloc-trace-end/p' "$out/results.txt" |
	grep -v '^# gomalloc-trace' | tr -d '\r' | base64 -d | gunzip | xz -9 >"$dest" ||
	die "no trace in $out/results.txt"
log "trace: $dest ($(du -h "$dest" | cut -f1)); events: $(xzcat "$dest" | grep -c ' kmalloc: ') kmalloc"
