# SPDX-License-Identifier: GPL-2.0
# check.sh - the debug kernel's test plan: load gomalloc, run every KUnit
# suite module and every kselftest, unload, and look for leaks.
# gomalloc.only=kunit|selftests on the command line runs one half.
ONLY=all
for arg in $(cat /proc/cmdline); do
	case "$arg" in gomalloc.only=*) ONLY=${arg#gomalloc.only=} ;; esac
done

kmemleak_reset
tap_begin gomalloc_module 2
tap_check "insmod gomalloc.ko" insmod $MODDIR/gomalloc.ko
tap_check "debugfs /sys/kernel/debug/gomalloc/default exists" \
	test -d /sys/kernel/debug/gomalloc/default
tap_end

if [ "$ONLY" != selftests ] && ls $MODDIR/kunit/*.ko >/dev/null 2>&1; then
	run_kunit_modules $MODDIR/kunit/*.ko
fi

if [ "$ONLY" != kunit ]; then
	for t in /selftests/*; do
		[ -x "$t" ] && run_selftest "$t"
	done
fi

tap_begin gomalloc_unload 2
tap_check "rmmod gomalloc" rmmod gomalloc
tap_check "debugfs /sys/kernel/debug/gomalloc is gone" \
	test ! -e /sys/kernel/debug/gomalloc
tap_end
kmemleak_check
exit 0
