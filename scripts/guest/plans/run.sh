# SPDX-License-Identifier: GPL-2.0
# run.sh - `make run`: load gomalloc, run a short allocation workload through
# it, and print the allocator's debugfs statistics.
D=/sys/kernel/debug/gomalloc/default
say() { echo "$*" >>"$RESULTS"; }
show() { # FILE
	[ -r "$1" ] || return 0
	say "== $1"
	cat "$1" >>"$RESULTS"
}

insmod $MODDIR/gomalloc.ko || exit 1
if [ -e $MODDIR/gomalloc_workload.ko ]; then
	say "== workload: gomalloc_workload.ko (tiny, small and large objects)"
	insmod $MODDIR/gomalloc_workload.ko && dmesg | grep 'gomalloc_workload' >>"$RESULTS"
fi
for f in memstats classes mheap mcache errors; do
	show $D/$f
done
say "== ls $D"
ls $D >>"$RESULTS"
[ -e $MODDIR/gomalloc_workload.ko ] && rmmod gomalloc_workload
rmmod gomalloc || exit 1
exit 0
