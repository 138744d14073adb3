# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# plan-smoke.sh - distribution kernels (Debian's 6.1, 6.12 and 6.12
# PREEMPT_RT): gomalloc and the test driver load, a short storm
# (gomalloc.storm=SECONDS on the command line, default 12) and the bad-input
# kselftest pass, the torture test torture/gomtorture.ko runs for TORTURE
# seconds (gomalloc.torture=SECONDS, default 20) with CPU hotplug and every
# context on, both modules unload and leave no debugfs directory behind.
STORM=$(cmdline_arg storm 12)
TORTURE=$(cmdline_arg torture 20)

tap_begin gomalloc_smoke_load 4
tap_check "insmod gomalloc.ko on $(uname -r)" insmod "$MODDIR"/gomalloc.ko
tap_check "debugfs /sys/kernel/debug/gomalloc/default exists" \
	test -d /sys/kernel/debug/gomalloc/default
tap_check "insmod gomalloc_drv.ko" insmod "$MODDIR"/gomalloc_drv.ko
tap_check "/dev/gomalloc_drv exists" test -c /dev/gomalloc_drv
tap_end

echo "gomalloc-guest: kselftest gomalloc_storm_test ($STORM s)" >/dev/kmsg
run_selftest /selftests/gomalloc_storm_test "$STORM"
echo "gomalloc-guest: kselftest gomalloc_badinput_test" >/dev/kmsg
run_selftest /selftests/gomalloc_badinput_test
run_torture gomtorture "$TORTURE" onoff_interval=2 onoff_holdoff=3 \
	stutter=15 shuffle_interval=3 stat_interval=15 hostile_double_free=1

tap_begin gomalloc_smoke_unload 3
tap_check "rmmod gomalloc_drv" rmmod gomalloc_drv
tap_check "rmmod gomalloc" rmmod gomalloc
tap_check "debugfs /sys/kernel/debug/gomalloc is gone" \
	test ! -e /sys/kernel/debug/gomalloc
tap_end
exit 0
