# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# guest-lib.sh - helpers for the guest test plans; sourced by init and the
# plans.
# Results go to $RESULTS as self-contained documents that the host parses
# with the kernel's kunit.py: KTAP from KUnit's debugfs, TAP from kselftests.

# shellcheck disable=SC2034 # used by the plans
MODDIR=/modules

# The gomtorture parameters of the full plans (check, kcsan, soak): CPU
# hotplug, shuffling, stutter, fault injection (where the kernel has it;
# gomtorture skips it elsewhere) and the hostile cases, racing double
# frees included. stat_interval is each plan's own.
# shellcheck disable=SC2034 # used by the plans
GOMTORTURE_FULL="onoff_interval=3 onoff_holdoff=5 stutter=15 shuffle_interval=3 fault_interval=5 hostile_double_free=1"

# cmdline_arg NAME DEFAULT - the value of gomalloc.NAME=VALUE on the kernel
# command line (the last one wins), DEFAULT if it has none.
cmdline_arg() {
	ca_val=$2
	# shellcheck disable=SC2013 # the command line's words, not its lines
	for ca_arg in $(cat /proc/cmdline); do
		case "$ca_arg" in
		gomalloc."$1"=*) ca_val=${ca_arg#gomalloc."$1"=} ;;
		esac
	done
	echo "$ca_val"
}

# emit_file FILE - copy a document to the results channel, marked with its name
emit_doc() { # NAME KIND FILE
	{
		echo "# gomalloc-doc-begin $1 $2"
		cat "$3"
		echo "# gomalloc-doc-end $1"
	} >>"$RESULTS"
}

# tap_begin NAME N / tap_ok|tap_fail DESC: a small TAP document for checks
# made by the plan itself (module load and unload, debugfs presence).
tap_begin() {
	TAP_NAME=$1
	TAP_FILE=/tmp/tap-$1
	TAP_N=0
	TAP_FAILED=0
	echo "TAP version 13" >"$TAP_FILE"
	echo "1..$2" >>"$TAP_FILE"
}

tap_result() { # 0|1 DESC
	TAP_N=$((TAP_N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $TAP_N $2" >>"$TAP_FILE"
	else
		echo "not ok $TAP_N $2" >>"$TAP_FILE"
		TAP_FAILED=1
	fi
}

tap_check() { # DESC CMD... - run CMD, record its success as one TAP line
	desc=$1
	shift
	"$@" >/tmp/tap-out 2>&1
	r=$?
	[ $r = 0 ] || sed 's/^/# /' /tmp/tap-out >>"$TAP_FILE"
	tap_result $r "$desc"
	return $r
}

tap_end() {
	echo "$TAP_FAILED" >"$TAP_FILE.rc"
	emit_doc "$TAP_NAME" tap "$TAP_FILE"
	echo "# gomalloc-doc-rc $TAP_NAME $TAP_FAILED" >>"$RESULTS"
}

# run_selftest PROG [ARGS] - run a kselftest binary, pass its TAP and exit code
run_selftest() {
	name=$(basename "$1")
	"$@" >/tmp/st-"$name" 2>&1
	r=$?
	emit_doc "$name" tap /tmp/st-"$name"
	echo "# gomalloc-doc-rc $name $r" >>"$RESULTS"
	return $r
}

# run_kunit_modules MODULE... - insmod KUnit suites (KUnit runs them at load),
# then pass every new suite's results from KUnit's debugfs.
run_kunit_modules() {
	before=
	for d in /sys/kernel/debug/kunit/*; do
		[ -e "$d" ] && before="$before ${d##*/}"
	done
	for m in "$@"; do
		insmod "$m" || echo "gomalloc-guest: insmod $m failed" >/dev/kmsg
	done
	for d in /sys/kernel/debug/kunit/*; do
		[ -e "$d" ] || continue
		s=${d##*/}
		case "$before " in *" $s "*) continue ;; esac
		emit_doc "$s" ktap "$d"/results
	done
	for m in "$@"; do
		rmmod "$(basename "$m" .ko)" 2>/dev/null
	done
}

# run_kunit_suites - every KUnit suite module in $MODDIR/kunit (none: nothing)
run_kunit_suites() {
	ls "$MODDIR"/kunit/*.ko >/dev/null 2>&1 || return 0
	run_kunit_modules "$MODDIR"/kunit/*.ko
}

# load_gomalloc NAME / unload_gomalloc NAME - one TAP document NAME each:
# gomalloc.ko loads and its debugfs directory appears; it unloads and the
# whole debugfs tree goes with it.
load_gomalloc() {
	tap_begin "$1" 2
	tap_check "insmod gomalloc.ko" insmod "$MODDIR"/gomalloc.ko
	tap_check "debugfs /sys/kernel/debug/gomalloc/default exists" \
		test -d /sys/kernel/debug/gomalloc/default
	tap_end
}

unload_gomalloc() {
	tap_begin "$1" 2
	tap_check "rmmod gomalloc" rmmod gomalloc
	tap_check "debugfs /sys/kernel/debug/gomalloc is gone" \
		test ! -e /sys/kernel/debug/gomalloc
	tap_end
}

# run_torture NAME SECONDS [PARAM=VALUE...] - load torture/gomtorture.ko with
# duration=SECONDS and the parameters, wait for its "--- End of test" line
# (SECONDS + 300 s at most), unload it. One TAP document NAME: loaded, ended
# with SUCCESS, no kernel report in the log from its Start line on,
# unloaded; its gomtorture lines as comments and its totals as figures
# (torture_ops, objects_damaged, objects_lost). KCSAN reports are left to
# the host's scan_reports.py, which tells a race in gomalloc's code from one
# inside the kernel alone.
TORTURE_REPORTS='BUG: |BUG [^ ]* \(|WARNING: |Oops|general protection fault|KASAN|UBSAN: |scheduling while atomic|soft lockup|detected stall|possible circular locking|inconsistent lock state|kernel BUG at|DEBUG_LOCKS_WARN_ON|unreferenced object'
run_torture() {
	t_name=$1 t_secs=$2
	shift 2
	t_starts=$(dmesg | grep -c 'gomtorture: --- Start of test')
	t_ends=$(dmesg | grep -c 'gomtorture: --- End of test')
	tap_begin "$t_name" 4
	echo "gomalloc-guest: gomtorture for $t_secs s: $*" >/dev/kmsg
	t_0=$(date +%s)
	if tap_check "insmod gomtorture.ko duration=$t_secs $*" \
		insmod "$MODDIR"/gomtorture.ko duration="$t_secs" "$@"; then
		while [ "$(dmesg | grep -c 'gomtorture: --- End of test')" -le "$t_ends" ] &&
			[ "$(($(date +%s) - t_0))" -lt $((t_secs + 300)) ]; do
			sleep 2
		done
	fi
	t_waited=$(($(date +%s) - t_0))
	dmesg | awk -v n0="$t_starts" '/gomtorture: --- Start of test/ { n++ } n > n0' \
		>/tmp/torture.log
	# shellcheck disable=SC2016 # expanded by that sh -c
	tap_check "gomtorture: --- End of test: SUCCESS (${t_waited} s after insmod)" \
		sh -c 'grep -q "gomtorture: --- End of test: SUCCESS" /tmp/torture.log ||
			{ grep "gomtorture: " /tmp/torture.log | tail -n 40; exit 1; }'
	# shellcheck disable=SC2016 # expanded by that sh -c
	tap_check "no kernel report in the log during the test" \
		sh -c '! grep -E "$1" /tmp/torture.log | grep -v "BUG: KCSAN: "' \
		sh "$TORTURE_REPORTS"
	tap_check "rmmod gomtorture" rmmod gomtorture
	grep -E 'gomtorture: (End: |--- )' /tmp/torture.log | sed 's/^/# /' >>"$TAP_FILE"
	t_end=$(grep 'gomtorture: End: ops=' /tmp/torture.log | tail -n 1)
	for t_fig in ops:torture_ops damaged:objects_damaged live:objects_lost; do
		t_val=$(echo "$t_end" | sed -n "s/.* ${t_fig%%:*}=\([0-9]*\).*/\1/p")
		[ -n "$t_val" ] && echo "# figure: ${t_fig#*:}=$t_val" >>"$TAP_FILE"
	done
	tap_end
}

# kmemleak_reset / kmemleak_check: start clean, then report anything new.
kmemleak_reset() {
	[ -e /sys/kernel/debug/kmemleak ] || return 0
	echo scan >/sys/kernel/debug/kmemleak
	echo clear >/sys/kernel/debug/kmemleak
}

kmemleak_check() {
	[ -e /sys/kernel/debug/kmemleak ] || return 0
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	# the report goes to the console, where the host's scan finds it
	cat /sys/kernel/debug/kmemleak >/dev/console
}
