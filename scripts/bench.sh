#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh - `make bench`: gomalloc against kmalloc, the same loops in the
# same boot (bench/gomalloc_bench.ko, guest plan
# scripts/guest/plans/plan-bench.sh).
#
#   scripts/bench.sh [--smoke] [--skip-uml] [--skip-stock] [--trace FILE]
#                    [--tests LIST] [--runs N] [--run-us N] [--smp N]
#                    [--profile-rate N] [--profile-depth N] [--boots N]
#                    [--stock-boots N]
#
# 1. installs what it needs (gnuplot-nox among it), provisions the UML and
#    stock kernels and builds the modules for them with W=1, as check.sh does
# 2. turns the kmalloc trace FILE (default: data/*.trace.xz) into an
#    operation list (tools/kmemtrace2ops.py) that the guests replay
# 3. boots UML (native execution, one CPU: the single-CPU figures, the
#    headline) and Debian's stock kernel under QEMU with --smp CPUs (default
#    2: concurrent and remote free; TCG distorts time, so only its ratios
#    mean anything), both with init_on_alloc=0 and gomalloc's profile_rate=0
#    (--profile-rate N: kmalloc has no allocation profiling on either kernel;
#    --profile-depth N: the frames a sample records, default 32)
#    UML --boots times (default 3), the stock kernel --stock-boots times
#    (default 1: a TCG boot takes minutes), one after another
# 4. prints the table: the first boot of each kernel in full, then issue
#    10's targets, each as the median over that kernel's boots with the
#    spread beside it and met or MISSED; writes under .build/bench/ a CSV per
#    boot, table.md (for README) and PNG plots (time ratio per size,
#    footprint over replays)
# --smoke: UML only, tiny counts: prints the plan's TAP document and fails if
# a workload failed; no figures are meaningful. Exit status: non-zero if a
# workload failed or a guest did not finish.
set -uo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

smoke=0 skip_uml=0 skip_stock=0 trace='' tests='' runs='' run_us='' smp=2 profile=0 depth=
boots=3 stock_boots=1
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) smoke=1 skip_stock=1 ;;
	--skip-uml) skip_uml=1 ;;
	--skip-stock) skip_stock=1 ;;
	--trace) trace=$2; shift ;;
	--tests) tests=$2; shift ;;
	--runs) runs=$2; shift ;;
	--run-us) run_us=$2; shift ;;
	--smp) smp=$2; shift ;;
	--profile-rate) profile=$2; shift ;;
	--boots) boots=$2; shift ;;
	--stock-boots) stock_boots=$2; shift ;;
	--profile-depth) depth=$2; shift ;;
	*) die "unknown option $1" ;;
	esac
	shift
done

out="$GOM_ROOT/.build/bench"
rm -rf "$out" && mkdir -p "$out"
t0=$(date +%s)
stage() { log "[$(($(date +%s) - t0))s] $*"; }

stage "provisioning packages and kernels"
"$GOM_ROOT/scripts/provision.sh" deps >/dev/null || die "package installation failed"
[ $smoke = 1 ] || apt_install gnuplot-nox
[ $skip_uml = 1 ] || "$GOM_ROOT/scripts/provision.sh" uml >/dev/null || die "UML build failed"
[ $skip_stock = 1 ] || "$GOM_ROOT/scripts/provision.sh" stock >/dev/null ||
	die "no stock kernel"

ops=''
if [ $smoke = 0 ]; then
	[ -n "$trace" ] || trace=$(first_file "$GOM_ROOT"/data/*.trace.xz 2>/dev/null)
	if [ -n "$trace" ]; then
		stage "operation list from $trace"
		ops="$out/ops.txt"
		python3 "$GOM_ROOT/tools/kmemtrace2ops.py" --summary -o "$ops" "$trace" ||
			die "cannot convert $trace"
	fi
fi

append="init_on_alloc=0 log_buf_len=16M gomalloc.bench_profile_rate=$profile"
append="$append gomalloc.bench=$([ $smoke = 1 ] && echo smoke || echo full)"
[ -z "$tests" ] || append="$append gomalloc.bench_tests=$tests"
[ -z "$runs" ] || append="$append gomalloc.bench_runs=$runs"
[ -z "$run_us" ] || append="$append gomalloc.bench_run_us=$run_us"
[ -z "$depth" ] || append="$append gomalloc.bench_profile_depth=$depth"

failed=0
runs_done=()
bench_boot() { # KERNEL BOOT [vm-run args]
	local kernel=$1 mods dir="$out/$1-$2" rc
	shift 2
	stage "building modules for $kernel"
	mods=$("$GOM_ROOT/scripts/build-modules.sh" "$kernel") || die "module build failed"
	[ -e "$mods/bench/gomalloc_bench.ko" ] || die "no bench/gomalloc_bench.ko for $kernel"
	mkdir -p "$dir"
	"$GOM_ROOT/scripts/mkroot.sh" "$dir/root" "$mods"
	cp "$mods/bench/gomalloc_bench.ko" "$dir/root/modules/"
	[ -z "$ops" ] || cp "$ops" "$dir/root/guest/ops.txt"
	stage "boot $kernel: $append"
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	"$GOM_ROOT/scripts/vm-run.sh" --kernel "$kernel" --root "$dir/root" --plan bench \
		--out "$dir" --append "$append" "$@"
	rc=$?
	echo "host load average at boot $load, after $(cut -d' ' -f1-3 /proc/loadavg)" \
		>>"$dir/accel.txt"
	rm -rf "$dir/root"
	[ $rc = 0 ] || { log "$kernel: the guest failed (rc $rc), see $dir/console.log"; failed=1; }
	grep -q '^bench: check .* fail' "$dir/results.txt" && failed=1
	runs_done+=("$kernel=$dir/results.txt,$dir/accel.txt")
}

[ $smoke = 0 ] || boots=1
for ((b = 1; b <= boots; b++)); do
	[ $skip_uml = 1 ] || bench_boot uml $b --timeout 1200
done
for ((b = 1; b <= stock_boots; b++)); do
	[ $skip_stock = 1 ] || bench_boot stock $b --smp "$smp" --mem 2G --timeout 1800
done

if [ $smoke = 1 ]; then
	for r in "${runs_done[@]}"; do
		f=${r#*=}
		sed -n '/^# gomalloc-doc-begin gomalloc_bench/,/^# gomalloc-doc-end/p' "${f%,*}" |
			grep -v '^# gomalloc-doc'
	done
	stage "done (exit $failed)"
	exit $failed
fi

[ ${#runs_done[@]} -gt 0 ] || die "nothing ran"
stage "results"
cpu=$(awk -F': ' '/^model name/ && !n {n = $2} /^cpu family/ && !f {f = $2}
	/^model\t/ && !m {m = $2} /^cpu MHz/ && !h {h = $2}
	END {printf "%s (family %s model %s, %.0f MHz)", n, f, m, h}' /proc/cpuinfo)
cpu="$cpu, $(nproc) host CPUs"
python3 "$GOM_ROOT/scripts/bench/report.py" --out "$out" --host-cpu "$cpu" \
	"${runs_done[@]}" || failed=1
mapfile -t labels < <(printf '%s\n' "${runs_done[@]%%=*}" | sort -u)
"$GOM_ROOT/scripts/bench/plot.sh" "$out" "${labels[@]}" ||
	log "plots failed"
log "table: $out/table.md; CSV and PNG: $out/"
stage "done (exit $failed)"
exit $failed
