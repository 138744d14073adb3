# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# plan-check.sh - the debug kernel's test plan: load gomalloc, run every KUnit
# suite module, load the test driver (testmod/gomalloc_drv.ko) and run every
# kselftest, unload, and look for leaks. Before those, whatever the half:
# the heap profile's example (examples/profile/, its profile_stacks copied
# out for the host's pprof check), the drop-in example (an unmodified
# kmalloc user, examples/dropin/) and, while it holds objects, gomstat's
# table, --check and --plot.
# gomalloc.only=kunit|selftests on the command line runs one half;
# gomalloc.only=NAME (a kselftest program) runs that kselftest alone;
# gomalloc.only=gomtorture runs only the torture test.
#
# After the kselftests (whole run, or gomalloc.only=gomtorture): the torture
# test torture/gomtorture.ko for TORTURE seconds (gomalloc.torture=SECONDS
# on the command line; default 30) with CPU hotplug, shuffling, stutter,
# fault injection and the hostile cases on, 4 CPUs.
#
# kselftest order: the ones that only need gomalloc and the driver loaded
# first; gomalloc_lifecycle_test last, as it unloads and reloads both
# modules itself (it leaves them loaded as it found them); any other
# program in /selftests runs before it.
ONLY=$(cmdline_arg only all)
TORTURE=$(cmdline_arg torture 30)
SELFTESTS_FIRST="gomalloc_debugfs_test gomalloc_storm_test gomalloc_hotplug_test
	gomalloc_faults_test gomalloc_badinput_test gomalloc_pressure_test
	gomalloc_kmemleak_test gomalloc_trace_test"
SELFTESTS_LAST="gomalloc_lifecycle_test"

kmemleak_reset
load_gomalloc gomalloc_module

# The heap profile's stacks, first, while the default heap's profile holds
# nothing else: the example's known call chains at profile_rate=4096, its
# profile_stacks file copied into the results between two marker lines
# for the host's pprof check (scripts/pprof-check.py).
if [ -e "$MODDIR"/gomalloc_profile_example.ko ]; then
	PR=/sys/module/gomalloc/parameters/profile_rate
	PR_OLD=$(cat $PR)
	tap_begin gomalloc_profile_example 4
	tap_check "profile_rate=4096" sh -c "echo 4096 >$PR"
	tap_check "insmod gomalloc_profile_example.ko (known call stacks)" \
		insmod "$MODDIR"/gomalloc_profile_example.ko
	tap_check "profile_stacks holds the example's stacks" sh -c \
		'cat /sys/kernel/debug/gomalloc/default/profile_stacks >/tmp/profile_stacks &&
		grep -q "^	gompe_table_alloc+" /tmp/profile_stacks'
	{
		echo "# gomprof-profile-begin"
		cat /tmp/profile_stacks
		echo "# gomprof-profile-end"
	} >>"$RESULTS"
	tap_check "rmmod gomalloc_profile_example" rmmod gomalloc_profile_example
	echo "$PR_OLD" >$PR
	tap_end
fi

if [ -e "$MODDIR"/gomalloc_dropin_example.ko ]; then
	# its kfree() of kasprintf()'s and kstrndup()'s strings is the kernel's
	E=/sys/kernel/debug/gomalloc/errors
	cat $E >/tmp/dropin-errors-before
	tap_begin gomalloc_dropin_example 3
	tap_check "insmod gomalloc_dropin_example.ko (kmalloc calls served by gomalloc)" \
		insmod "$MODDIR"/gomalloc_dropin_example.ko
	tap_check "gomalloc_dropin_example: all its checks passed" \
		sh -c 'dmesg | grep "gomalloc_dropin_example: all [0-9]* checks passed"'
	tap_check "gomalloc_dropin_example: no bad pointer counted in $E" \
		sh -c "[ \"\$(cat $E)\" = \"\$(cat /tmp/dropin-errors-before)\" ] || { cat $E; false; }"
	tap_end
fi
if [ -x /bin/gomstat ]; then
	GS=/tmp/gomstat-copy
	tap_begin gomstat 5
	tap_check "gomstat -o prints the table" /bin/gomstat -o -s objects
	tap_check "gomstat --check: classes, slabinfo and metrics agree with memstats" \
		sh -c 'test -r /sys/kernel/debug/gomalloc/default/metrics && /bin/gomstat --check'
	# shellcheck disable=SC2016 # expanded by that sh -c
	tap_check "gomstat --plot writes a PNG" sh -c '/bin/gomstat --plot /tmp/gomstat.png &&
		[ "$(head -c 8 /tmp/gomstat.png | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a ]'
	tap_check "gomstat --check fails on a copy with Mallocs changed" sh -c "mkdir -p $GS &&
		cat /sys/kernel/debug/gomalloc/default/classes >$GS/classes &&
		sed 's/^Mallocs: /Mallocs: 1/' /sys/kernel/debug/gomalloc/default/memstats >$GS/memstats &&
		! /bin/gomstat --dir $GS --check"
	tap_check "gomstat --check fails on a copy with /gc/heap/allocs:objects changed" sh -c "
		cat /sys/kernel/debug/gomalloc/default/memstats >$GS/memstats &&
		sed 's|^/gc/heap/allocs:objects |&1|' /sys/kernel/debug/gomalloc/default/metrics >$GS/metrics &&
		! /bin/gomstat --dir $GS --check"
	tap_end
fi
if [ -e "$MODDIR"/gomalloc_dropin_example.ko ]; then
	tap_begin gomalloc_dropin_example_unload 1
	tap_check "rmmod gomalloc_dropin_example" rmmod gomalloc_dropin_example
	tap_end
fi

if [ "$ONLY" = all ] || [ "$ONLY" = kunit ]; then
	run_kunit_suites
fi

if [ "$ONLY" != kunit ] && [ "$ONLY" != gomtorture ]; then
	tap_begin gomalloc_test_driver 2
	tap_check "insmod gomalloc_drv.ko" insmod "$MODDIR"/gomalloc_drv.ko
	tap_check "/dev/gomalloc_drv exists" test -c /dev/gomalloc_drv
	tap_end
	case "$ONLY" in gomalloc_*_test)
		SELFTESTS_FIRST=$ONLY SELFTESTS_LAST= ;;
	esac
	for t in $SELFTESTS_FIRST; do
		echo "gomalloc-guest: kselftest $t" >/dev/kmsg
		[ -x /selftests/"$t" ] && run_selftest /selftests/"$t"
	done
	# the default heap's profile again, after the kselftests: the host
	# checks that the example's stacks kept their names after it was
	# unloaded and another module took its addresses
	# (scripts/pprof-check.py)
	{
		echo "# gomprof-profile-begin kselftests"
		cat /sys/kernel/debug/gomalloc/default/profile_stacks
		echo "# gomprof-profile-end"
	} >>"$RESULTS"
	NAMED=
	for t in $SELFTESTS_FIRST $SELFTESTS_LAST; do
		NAMED="$NAMED $t"
	done
	for t in /selftests/*; do
		[ "$ONLY" = all ] || [ "$ONLY" = selftests ] || break
		case "$NAMED " in
		*" $(basename "$t") "*) continue ;;
		esac
		[ -x "$t" ] && run_selftest "$t"
	done
	for t in $SELFTESTS_LAST; do
		echo "gomalloc-guest: kselftest $t" >/dev/kmsg
		[ -x /selftests/"$t" ] && run_selftest /selftests/"$t"
	done
	tap_begin gomalloc_test_driver_unload 1
	tap_check "rmmod gomalloc_drv" rmmod gomalloc_drv
	tap_end
fi

if [ "$ONLY" = all ] || [ "$ONLY" = gomtorture ]; then
	# shellcheck disable=SC2086 # GOMTORTURE_FULL is a list of parameters
	run_torture gomtorture "$TORTURE" $GOMTORTURE_FULL stat_interval=15
fi

unload_gomalloc gomalloc_unload
kmemleak_check
exit 0
