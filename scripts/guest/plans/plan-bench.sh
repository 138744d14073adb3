# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# plan-bench.sh - gomalloc against kmalloc (`make bench`, scripts/bench.sh):
# load gomalloc and gomalloc_bench.ko, whose init runs the workloads; pass its
# "bench: ..." lines to the host and a TAP document with one verdict per
# workload (it ran and produced sane numbers; no timing is asserted).
#
# Kernel command line:
#   gomalloc.bench=smoke|full|capture  (default smoke: tiny counts, for
#                                      make check; make bench asks for full)
#   gomalloc.bench_tests=LIST          workloads (module param tests=)
#   gomalloc.bench_runs=N              timed runs per figure
#   gomalloc.bench_run_us=N            target time of one run
#   gomalloc.bench_profile_rate=N      gomalloc's profile_rate (default 0:
#                                      kmalloc runs without allocation
#                                      profiling too)
#   gomalloc.bench_profile_depth=N     gomalloc's profile_depth (default:
#                                      the module's, 32)
# /guest/ops.txt, when the root has one, is replayed (tools/kmemtrace2ops.py).
# capture: run /guest/workload.sh with the kmem tracepoints on, then send
# /sys/kernel/tracing/trace to the host, gzip + base64, between
# "# gomalloc-trace-begin" and "# gomalloc-trace-end".
MODE=smoke
ARGS=
PROFILE_RATE=0
PROFILE_DEPTH=
# shellcheck disable=SC2013 # the command line's words, not its lines
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	gomalloc.bench=*) MODE=${arg#gomalloc.bench=} ;;
	gomalloc.bench_tests=*) ARGS="$ARGS tests=${arg#gomalloc.bench_tests=}" ;;
	gomalloc.bench_runs=*) ARGS="$ARGS runs=${arg#gomalloc.bench_runs=}" ;;
	gomalloc.bench_run_us=*) ARGS="$ARGS run_us=${arg#gomalloc.bench_run_us=}" ;;
	gomalloc.bench_profile_rate=*) PROFILE_RATE=${arg#gomalloc.bench_profile_rate=} ;;
	gomalloc.bench_profile_depth=*) PROFILE_DEPTH=profile_depth=${arg#gomalloc.bench_profile_depth=} ;;
	esac
done

bench_capture() {
	T=/sys/kernel/tracing
	if [ -x /guest/workload.sh ]; then
		/guest/workload.sh >/dev/null 2>&1
	else
		find / -xdev >/dev/null 2>&1
		ls -lR /sys/kernel/debug >/dev/null 2>&1
	fi
	echo 0 >$T/tracing_on
	{
		echo "# gomalloc-trace-begin"
		gzip -c $T/trace | base64
		echo "# gomalloc-trace-end"
	} >>"$RESULTS"
}

if [ "$MODE" = capture ]; then
	bench_capture
	exit 0
fi

[ "$MODE" = smoke ] && ARGS="$ARGS smoke=1"
[ -e /guest/ops.txt ] && ARGS="$ARGS trace=/guest/ops.txt"
echo "bench: info cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n1 | tr ' ' '_')" \
	>/tmp/bench.txt
echo "bench: info cmdline=$(tr ' ' ',' </proc/cmdline)" >>/tmp/bench.txt
# where the kernel's kmalloc and kfree lie in this boot, each with the
# address of the symbol after it (its end), and _text (KASLR's slide), for
# scripts/bench/fastpath.sh's disassembly of the kernel's fast paths
sort /proc/kallsyms | awk '
	want != "" { printf "bench: sym name=%s addr=%s end=%s\n", want, at, $1; want = "" }
	$3 == "_text" { printf "bench: sym name=_text addr=%s\n", $1 }
	$3 == "__kmalloc_noprof" || $3 == "kfree" { want = $3; at = $1 }' >>/tmp/bench.txt
# shellcheck disable=SC2086 # $PROFILE_DEPTH: one module parameter or none
insmod "$MODDIR"/gomalloc.ko profile_rate="$PROFILE_RATE" $PROFILE_DEPTH || exit 1
dmesg -c >/dev/null
# shellcheck disable=SC2086 # $ARGS: module parameters, one word each
insmod "$MODDIR"/gomalloc_bench.ko $ARGS
r=$?
dmesg | sed -n 's/^.*bench: /bench: /p' >>/tmp/bench.txt
cat /tmp/bench.txt >>"$RESULTS"

# bench_sane WORKLOAD - it printed figures, none of them an error or zero
bench_sane() {
	pat="^bench: $1 "
	[ "$1" = replay ] && pat="trace=kmemtrace"
	grep "$pat" /tmp/bench.txt >/tmp/bench-wl
	[ -s /tmp/bench-wl ] && ! grep -q 'error=\|median_ns=0\.000 ' /tmp/bench-wl
}

# one verdict per workload, then module unload
grep '^bench: check ' /tmp/bench.txt >/tmp/bench-checks
tap_begin gomalloc_bench $(($(wc -l </tmp/bench-checks) + 3))
tap_result $r "insmod gomalloc_bench.ko$ARGS"
while read -r _ _ wl verdict; do
	if [ "$verdict" = skip ]; then
		TAP_N=$((TAP_N + 1))
		echo "ok $TAP_N $wl # SKIP needs 2 CPUs (or a trace)" >>"$TAP_FILE"
		continue
	fi
	[ "$verdict" = ok ] && bench_sane "$wl"
	tap_result $? "$wl ran and printed sane figures"
done </tmp/bench-checks
tap_check "rmmod gomalloc_bench" rmmod gomalloc_bench
tap_check "rmmod gomalloc" rmmod gomalloc
tap_end
exit 0
