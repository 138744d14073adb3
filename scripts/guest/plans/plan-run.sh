# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# plan-run.sh - `make run`: load gomalloc, run a short allocation workload
# through it and the drop-in example (an unmodified kmalloc user), print
# gomstat's table and the allocator's debugfs statistics.
D=/sys/kernel/debug/gomalloc/default
say() { echo "$*" >>"$RESULTS"; }
show() { # FILE
	[ -r "$1" ] || return 0
	say "== $1"
	cat "$1" >>"$RESULTS"
}

insmod "$MODDIR"/gomalloc.ko || exit 1
if [ -e "$MODDIR"/gomalloc_workload.ko ]; then
	say "== workload: gomalloc_workload.ko (tiny, small and large objects)"
	insmod "$MODDIR"/gomalloc_workload.ko && dmesg | grep 'gomalloc_workload' >>"$RESULTS"
fi
if [ -e "$MODDIR"/gomalloc_dropin_example.ko ]; then
	say "== drop-in: gomalloc_dropin_example.ko (kmalloc code built with include/gomalloc_dropin.mk)"
	insmod "$MODDIR"/gomalloc_dropin_example.ko
	dmesg | grep 'gomalloc_dropin_example' >>"$RESULTS"
fi
if [ -x /bin/gomstat ]; then
	say "== gomstat -o"
	/bin/gomstat -o >>"$RESULTS" 2>&1
	/bin/gomstat --check >>"$RESULTS" 2>&1
fi
for f in memstats classes mheap mcache errors metrics profile; do
	show $D/$f
done
say "== ls $D"
ls $D >>"$RESULTS"
[ -e "$MODDIR"/gomalloc_workload.ko ] && rmmod gomalloc_workload
[ -e "$MODDIR"/gomalloc_dropin_example.ko ] && rmmod gomalloc_dropin_example
rmmod gomalloc || exit 1
exit 0
