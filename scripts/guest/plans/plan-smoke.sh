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

# the drop-in's peers (scripts/dropin-peers.sh): unmodified test modules of
# the kernel's lib/, their kmalloc family served by gomalloc. Last, with
# gomalloc loaded again: test_meminit has no exit function, so it and
# gomalloc stay loaded until the guest ends.
if [ -e "$MODDIR"/test_meminit.ko ]; then
	E=/sys/kernel/debug/gomalloc/errors
	tap_begin gomalloc_dropin_peers 10
	tap_check "insmod gomalloc.ko again" insmod "$MODDIR"/gomalloc.ko
	grep -v too_large $E >/tmp/peers-errors-before
	tap_check "insmod test_meminit.ko ($(grep -o 'init_on_[a-z]*=[01]' /proc/cmdline | tr '\n' ' '))" \
		insmod "$MODDIR"/test_meminit.ko
	tap_check "test_meminit: all tests passed" \
		sh -c 'dmesg | grep "test_meminit: all [0-9]* tests passed"'
	tap_check "insmod test_printf.ko" insmod "$MODDIR"/test_printf.ko
	tap_check "test_printf: its tests passed" \
		sh -c 'dmesg | grep -E "test_printf: (all|remaining) [0-9]+ tests passed"'
	tap_check "insmod test_bitmap.ko" insmod "$MODDIR"/test_bitmap.ko
	tap_check "test_bitmap: its tests passed" \
		sh -c 'dmesg | grep -E "test_bitmap: (all|remaining) [0-9]+ tests passed"'
	tap_check "insmod test_firmware.ko" insmod "$MODDIR"/test_firmware.ko
	tap_check "rmmod test_printf, test_bitmap, test_firmware" \
		rmmod test_printf test_bitmap test_firmware
	tap_check "no bad pointer counted in $E (too_large aside)" \
		sh -c "grep -v too_large $E | cmp -s /tmp/peers-errors-before - || { cat $E; false; }"
	tap_end
fi

exit 0
