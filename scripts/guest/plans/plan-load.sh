# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# plan-load.sh - distribution-kernel plan: gomalloc loads, shows its debugfs
# tree, and unloads cleanly.
tap_begin gomalloc_load_unload 4
tap_check "insmod gomalloc.ko on $(uname -r)" insmod "$MODDIR"/gomalloc.ko
tap_check "debugfs /sys/kernel/debug/gomalloc/default exists" \
	test -d /sys/kernel/debug/gomalloc/default
tap_check "rmmod gomalloc" rmmod gomalloc
tap_check "debugfs /sys/kernel/debug/gomalloc is gone" \
	test ! -e /sys/kernel/debug/gomalloc
tap_end
exit 0
