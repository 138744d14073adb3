#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check.sh - `make check`: everything gomalloc is tested with, from nothing.
#
#   scripts/check.sh [--only kunit|selftests|gomtorture|NAME_test]
#                    [--skip-stock] [--skip-kcsan] [--skip-uml]
#
# 1. installs the packages it needs (apt-get) and provisions the kernels:
#    debug (6.12 source + scripts/config/debug.config: KASAN, lockdep,
#    kmemleak), kcsan (6.12 source + scripts/config/kcsan.config: KCSAN,
#    lockdep), uml, and Debian's stock kernels: 6.1 (stock61), 6.12
#    (stock), 6.12 PREEMPT_RT (rt)
# 2. host checks: size-class table regenerated and compared, checkpatch
#    --strict on every C file, shellcheck on every shell script under
#    scripts/, W=1 module builds for every kernel, four unmodified kernel
#    test modules built with the drop-in (scripts/dropin-peers.sh), a DKMS
#    build against Debian's installed 6.1 headers (scripts/dkms-check.sh)
# 3. boots the debug kernel under QEMU (4 CPUs): every KUnit suite module,
#    every kselftest and gomtorture (plan check), and the heap profile it
#    copied out read by Debian's go tool pprof (scripts/pprof-check.py);
#    the KCSAN kernel under
#    QEMU (KCSAN_CPUS CPUs): every KUnit suite module and gomtorture for
#    KCSAN_TORTURE seconds (plan kcsan), beside the Debian kernels' boots
#    when they run; each Debian kernel under QEMU (2 CPUs, 1 GiB): the smoke
#    plan (load, a short storm, the bad-input kselftest, gomtorture,
#    unload; on 6.12, booted with init_on_alloc=0 init_on_free=1, and on
#    RT, the drop-in's peer modules); UML: load and unload, the benchmark
#    module in smoke mode.
#    Any kernel report fails a boot; a KCSAN report does when it involves
#    gomalloc's code (scan_reports.py), and is counted in the figure
#    kcsan_reports (kcsan_kernel_reports: those of the kernel alone).
# --only runs one part of the debug boot (the kcsan boot runs its part of
# kunit and gomtorture, and does not boot for the others); --skip-stock
# skips the three Debian kernels and the DKMS build; --skip-kcsan the KCSAN
# kernel (its build, W=1 check and boot); --skip-uml UML.
# 4. parses all results with the kernel's kunit.py and ends with the line
#    "N passed, N failed, N skipped"; exits non-zero if anything failed.
# Logs: .build/check/ (console logs of every boot, the combined KTAP).
set -uo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

only=all skip_stock=0 skip_kcsan=0 skip_uml=0
while [ $# -gt 0 ]; do
	case "$1" in
	--only) only=$2; shift ;;
	--skip-stock) skip_stock=1 ;;
	--skip-kcsan) skip_kcsan=1 ;;
	--skip-uml) skip_uml=1 ;;
	*) die "unknown option $1" ;;
	esac
	shift
done

out="$GOM_ROOT/.build/check"
rm -rf "$out" && mkdir -p "$out"
host="$out/host-results.txt"
: >"$host"
# the KCSAN boot: its CPUs and gomtorture's seconds. On 2 host cores it
# takes about 2.5 minutes beside the Debian kernels' boots (5.5 minutes in
# all), so it adds no time to a full run; alone (--skip-stock) about 2.
KCSAN_CPUS=${KCSAN_CPUS:-2}
KCSAN_TORTURE=${KCSAN_TORTURE:-60}
t0=$(date +%s)
stage() { log "[$(($(date +%s) - t0))s] $*"; }

# host_doc NAME FILE RC - record a host check as a TAP document
host_doc() {
	{
		echo "# gomalloc-doc-begin $1 tap"
		cat "$2"
		echo "# gomalloc-doc-end $1"
		echo "# gomalloc-doc-rc $1 $3"
	} >>"$host"
}

# boot_doc NAME RC LOGDIR KERNEL - turn a boot's verdict into a TAP
# document; the KCSAN kernel's also gives the figures kcsan_reports (races
# in gomalloc's code: failures) and kcsan_kernel_reports (races inside the
# kernel alone, which scan_reports.py lists and does not fail)
boot_doc() {
	local name=$1 rc=$2 dir=$3 kernel=$4 f="$out/boot-$1.tap"
	{
		echo "TAP version 13"
		echo "1..2"
		if [ "$rc" = 3 ]; then
			echo "not ok 1 guest finished its plan"
			tail -n 20 "$dir/console.log" | sed 's/^/# /'
		else
			echo "ok 1 guest finished its plan"
		fi
		if [ "$rc" = 2 ]; then
			echo "not ok 2 no unexpected kernel report"
			sed 's/^/# /' "$dir/reports.txt"
		else
			echo "ok 2 no unexpected kernel report"
		fi
		if [ "$kernel" = kcsan ]; then
			python3 "$GOM_ROOT/scripts/scan_reports.py" --count-kcsan "$dir/console.log" |
				awk '{ print "# figure: kcsan_reports=" $1
					print "# figure: kcsan_kernel_reports=" $2 }'
		fi
	} >"$f"
	[ "$rc" = 0 ] || grep -q '^not ok' "$f" || rc=0
	{
		echo "# gomalloc-doc-begin boot-$name tap"
		cat "$f"
		echo "# gomalloc-doc-end boot-$name"
		echo "# gomalloc-doc-rc boot-$name $(grep -q '^not ok' "$f" && echo 1 || echo 0)"
	} >>"$dir/results.txt"
}

stage "provisioning packages and kernels"
"$GOM_ROOT/scripts/provision.sh" deps || die "package installation failed"
src=$("$GOM_ROOT/scripts/provision.sh" source) || die "no kernel source"
"$GOM_ROOT/scripts/provision.sh" debug >/dev/null || die "debug kernel build failed"
[ $skip_kcsan = 1 ] || "$GOM_ROOT/scripts/provision.sh" kcsan >/dev/null ||
	die "KCSAN kernel build failed"
if [ $skip_stock = 0 ]; then
	for k in stock61 stock rt; do
		"$GOM_ROOT/scripts/provision.sh" $k >/dev/null || die "no $k kernel"
	done
	dkms_kver=$("$GOM_ROOT/scripts/provision.sh" dkms) || die "dkms installation failed"
fi
[ $skip_uml = 1 ] || "$GOM_ROOT/scripts/provision.sh" uml >/dev/null || die "UML build failed"

# --- host checks -----------------------------------------------------------
stage "host checks"
tap="$out/host-checks.tap"
n=0
failed=0
lines=()
check() { # DESC CMD...
	local desc=$1 logf="$out/host-check-$((n + 1)).log"
	shift
	n=$((n + 1))
	if "$@" >"$logf" 2>&1; then
		lines+=("ok $n $desc")
	else
		lines+=("not ok $n $desc")
		while IFS= read -r l; do lines+=("# $l"); done < <(tail -n 30 "$logf")
		failed=1
	fi
}
if [ -e "$GOM_ROOT/tools/mksizeclasses.py" ]; then
	check "committed kmod/sizeclasses.h is what tools/mksizeclasses.py writes" \
		python3 "$GOM_ROOT/tools/mksizeclasses.py" --check "$GOM_ROOT/kmod/sizeclasses.h"
fi
# in_root CMD... - run CMD in the top directory (paths relative to it)
in_root() { (cd "$GOM_ROOT" && "$@"); }
mapfile -t cfiles < <({ in_root git ls-files -co --exclude-standard -- '*.c' '*.h' 2>/dev/null ||
	in_root find kmod include kunit testmod selftests tools -name '*.[ch]'; } |
	grep -v '^kmod/sizeclasses.h$' | sort -u)
check "checkpatch.pl --strict on ${#cfiles[@]} C files" \
	in_root "$src/scripts/checkpatch.pl" --strict --no-tree \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -q -f "${cfiles[@]}"
# every shell script under scripts/: *.sh, and the files whose first line is
# a sh or bash shebang (the guest's init). Each says its dialect: bash by
# shebang or "shellcheck shell=bash" (lib.sh), busybox sh as "shellcheck
# shell=sh" (the guest's init, guest-lib.sh and plans); lib.sh and
# guest-lib.sh are followed where they are sourced (-x, "source=").
mapfile -t shfiles < <({ in_root git ls-files -co --exclude-standard -- scripts 2>/dev/null ||
	in_root find scripts -type f; } | sort -u | while IFS= read -r f; do
	[ -f "$GOM_ROOT/$f" ] || continue
	case "$f" in
	*.sh) echo "$f" ;;
	*) head -n1 "$GOM_ROOT/$f" | grep -Eq '^#! *[^ ]*(/| )(ba)?sh( |$)' && echo "$f" ;;
	esac
done)
check "shellcheck quiet on scripts/ (${#shfiles[@]} shell scripts)" \
	in_root shellcheck -x "${shfiles[@]}"
# kernel-doc's warnings go to stderr and leave its exit code 0
# shellcheck disable=SC2317 # called through check()
kerneldoc_quiet() { ! "$src/scripts/kernel-doc" -none -Wall "$GOM_ROOT"/kmod/*.[ch] 2>&1 | grep .; }
check "kernel-doc -Wall quiet on kmod/" kerneldoc_quiet
check "no cycle in the call graph between kmod/'s components" \
	python3 "$GOM_ROOT/scripts/callgraph.py" --check
declare -A mods_dir=() kernel_name=([debug]="the debug 6.12 kernel"
	[kcsan]="the KCSAN kernel" [stock61]="Debian's 6.1 kernel" [stock]="Debian's 6.12 kernel"
	[rt]="Debian's 6.12 PREEMPT_RT kernel" [uml]="UML")
kernels=(debug)
[ $skip_kcsan = 1 ] || kernels+=(kcsan)
[ $skip_stock = 1 ] || kernels+=(stock61 stock rt)
[ $skip_uml = 1 ] || kernels+=(uml)
for k in "${kernels[@]}"; do
	check "W=1 build for ${kernel_name[$k]} ($k)" \
		bash -c "'$GOM_ROOT/scripts/build-modules.sh' $k >'$out/mods-$k'"
	mods_dir[$k]=$(cat "$out/mods-$k" 2>/dev/null)
done
# the drop-in: unmodified kernel test modules, pr_fmt defined first, against
# Debian's 6.12 and 6.12 PREEMPT_RT, whose boots load them (the debug
# kernel with --skip-stock, built only)
peer_kernels=(stock rt)
[ $skip_stock = 0 ] || peer_kernels=(debug)
for k in "${peer_kernels[@]}"; do
	check "drop-in: 4 unmodified lib/ test modules build against ${kernel_name[$k]}, kmalloc renamed to gomalloc" \
		"$GOM_ROOT/scripts/dropin-peers.sh" "$k" "${mods_dir[$k]:-/nonexistent}"
done
if [ $skip_stock = 0 ]; then
	check "dkms add, build and remove of gomalloc for $dkms_kver" \
		"$GOM_ROOT/scripts/dkms-check.sh" "$dkms_kver"
fi
check "kselftest programs build" make -C "$GOM_ROOT/selftests/gomalloc" \
	KSFT_DIR="$src/tools/testing/selftests" OUTPUT="$out/selftests-bin" \
	CFLAGS_EXTRA= all
check "gomstat builds" make -C "$GOM_ROOT/tools/gomstat" OUTPUT="$out/tools-bin" all
{
	echo "TAP version 13"
	echo "1..$n"
	printf '%s\n' "${lines[@]}"
} >"$tap"
host_doc host-checks "$tap" $failed

# --- boots -----------------------------------------------------------------
groups=("host=$host")
boot() { # NAME KERNEL MODS PLAN [vm-run args]
	local name=$1 kernel=$2 mods=$3 plan=$4 rc
	shift 4
	local dir="$out/$name"
	mkdir -p "$dir"
	stage "boot $name: kernel $kernel, plan $plan"
	if [ -z "$mods" ] || [ ! -e "$mods/kmod/gomalloc.ko" ]; then
		echo "# gomalloc-doc-begin boot-$name tap" >"$dir/results.txt"
		printf 'TAP version 13\n1..1\nnot ok 1 modules for %s were built\n' "$kernel" \
			>>"$dir/results.txt"
		echo "# gomalloc-doc-end boot-$name" >>"$dir/results.txt"
		groups+=("$name=$dir/results.txt")
		return
	fi
	"$GOM_ROOT/scripts/mkroot.sh" "$dir/root" "$mods" "$out/selftests-bin" "$out/tools-bin"
	"$GOM_ROOT/scripts/vm-run.sh" --kernel "$kernel" --root "$dir/root" \
		--plan "$plan" --out "$dir" "$@"
	rc=$?
	boot_doc "$name" "$rc" "$dir" "$kernel"
	groups+=("$name=$dir/results.txt")
}

# the stress kselftests need ~15 minutes of a TCG guest with KASAN on 2 host cores
boot debug debug "${mods_dir[debug]}" check --timeout 2700 --append "gomalloc.only=$only"
# the heap profile the debug guest copied out, through tools/gomprof and
# Debian's go tool pprof (a few seconds)
stage "pprof check of the debug guest's heap profile"
mkdir -p "$out/pprof"
"$GOM_ROOT/scripts/pprof-check.py" "$out/debug/results.txt" "$out/pprof" \
	>"$out/pprof/pprof-check.tap" 2>"$out/pprof/pprof-check.log"
host_doc pprof-check "$out/pprof/pprof-check.tap" $?
# the KCSAN guest runs beside the Debian kernels' small guests (the host
# has the CPU time to spare there); it has only the KUnit and gomtorture
# parts of --only
kcsan_pid=
case "$only" in all | kunit | gomtorture) ;; *) skip_kcsan=1 ;; esac
if [ $skip_kcsan = 0 ]; then
	boot kcsan kcsan "${mods_dir[kcsan]}" kcsan --smp "$KCSAN_CPUS" --timeout 1800 \
		--append "gomalloc.only=$only gomalloc.torture=$KCSAN_TORTURE" &
	kcsan_pid=$!
fi
if [ $skip_stock = 0 ]; then
	# the drop-in's peers: test_meminit with init_on_free=1 alone on 6.12
	# (gomalloc's free wipe), with Debian's default init_on_alloc=1 on RT
	declare -A smoke_append=([stock61]="" [stock]="init_on_alloc=0 init_on_free=1" [rt]="")
	for k in stock61 stock rt; do
		boot $k $k "${mods_dir[$k]}" smoke --smp 2 --mem 1G --timeout 600 \
			--append "${smoke_append[$k]}"
	done
fi
if [ -n "$kcsan_pid" ]; then
	wait "$kcsan_pid"
	stage "boot kcsan: done"
	# boot() ran in a subshell: its group is added here
	groups+=("kcsan=$out/kcsan/results.txt")
fi
[ $skip_uml = 1 ] || boot uml uml "${mods_dir[uml]}" load
# the benchmark module with tiny counts, so that it cannot rot (make bench
# runs it for real); UML: native speed, seconds
[ $skip_uml = 1 ] || boot uml-bench uml "${mods_dir[uml]}" bench --append "gomalloc.bench=smoke init_on_alloc=0 log_buf_len=16M"

stage "results"
python3 "$GOM_ROOT/scripts/summarize.py" "$src/tools/testing/kunit/kunit.py" "$out" \
	"${groups[@]}"
rc=$?
stage "done (exit $rc)"
exit $rc
