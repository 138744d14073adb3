# SPDX-License-Identifier: GPL-2.0
# check.sh - the debug kernel's test plan: load gomalloc, run every KUnit
# suite module, load the test driver (testmod/gomalloc_drv.ko) and run every
# kselftest, unload, and look for leaks.
# gomalloc.only=kunit|selftests on the command line runs one half.
#
# kselftest order: the ones that only need gomalloc and the driver loaded
# first; gomalloc_lifecycle_test last, as it unloads and reloads both
# modules itself (it leaves them loaded as it found them); any other
# program in /selftests runs before it.
ONLY=all
for arg in $(cat /proc/cmdline); do
	case "$arg" in gomalloc.only=*) ONLY=${arg#gomalloc.only=} ;; esac
done
SELFTESTS_FIRST="gomalloc_debugfs_test gomalloc_storm_test gomalloc_hotplug_test
	gomalloc_faults_test gomalloc_badinput_test gomalloc_pressure_test
	gomalloc_kmemleak_test gomalloc_trace_test"
SELFTESTS_LAST="gomalloc_lifecycle_test"

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
	tap_begin gomalloc_test_driver 2
	tap_check "insmod gomalloc_drv.ko" insmod $MODDIR/gomalloc_drv.ko
	tap_check "/dev/gomalloc_drv exists" test -c /dev/gomalloc_drv
	tap_end
	for t in $SELFTESTS_FIRST; do
		echo "gomalloc-guest: kselftest $t" >/dev/kmsg
		[ -x /selftests/$t ] && run_selftest /selftests/$t
	done
	for t in /selftests/*; do
		case " $(echo $SELFTESTS_FIRST $SELFTESTS_LAST) " in
		*" $(basename "$t") "*) continue ;;
		esac
		[ -x "$t" ] && run_selftest "$t"
	done
	for t in $SELFTESTS_LAST; do
		echo "gomalloc-guest: kselftest $t" >/dev/kmsg
		[ -x /selftests/$t ] && run_selftest /selftests/$t
	done
	tap_begin gomalloc_test_driver_unload 1
	tap_check "rmmod gomalloc_drv" rmmod gomalloc_drv
	tap_end
fi

tap_begin gomalloc_unload 2
tap_check "rmmod gomalloc" rmmod gomalloc
tap_check "debugfs /sys/kernel/debug/gomalloc is gone" \
	test ! -e /sys/kernel/debug/gomalloc
tap_end
kmemleak_check
exit 0
