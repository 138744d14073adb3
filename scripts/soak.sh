#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# soak.sh - `make soak`: gomtorture for a long time on every QEMU kernel, one
# boot after the other; never part of `make check`.
#
#   scripts/soak.sh [--duration SECONDS_TOTAL] [--kernels "debug kcsan ..."]
#
# SECONDS_TOTAL (default 3600) is divided evenly over the kernels (default
# all QEMU ones: debug, kcsan, stock61, stock, rt); each boots the soak plan
# (scripts/guest/plans/plan-soak.sh: load gomalloc, gomtorture for its share
# with CPU hotplug, shuffling, stutter, fault injection where the kernel has
# it and the hostile cases, unload). Boot and unload time come on top
# (about 1.5 minutes for debug, less for the others, under QEMU TCG).
# Prints one table: kernel, seconds (gomtorture's own count), ops, ops/s,
# damaged and lost objects, kernel reports on the console
# (scan_reports.py: KCSAN's included), verdict. A kernel passes when its
# guest finished, gomtorture ended with "--- End of test: SUCCESS", every
# check of the plan passed and the console holds no kernel report. Exits
# non-zero if any kernel failed. Logs: .build/soak/KERNEL/.
set -uo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

duration=3600 kernels="debug kcsan stock61 stock rt"
while [ $# -gt 0 ]; do
	case "$1" in
	--duration) duration=$2; shift ;;
	--kernels) kernels=$2; shift ;;
	*) die "unknown option $1 (usage: $0 [--duration SECONDS_TOTAL] [--kernels LIST])" ;;
	esac
	shift
done
read -ra klist <<<"$kernels"
[ ${#klist[@]} -gt 0 ] || die "no kernel to soak"
case "$duration" in '' | *[!0-9]*) die "--duration takes a number of seconds" ;; esac
share=$((duration / ${#klist[@]}))
[ "$share" -ge 10 ] || die "--duration $duration leaves under 10 s per kernel"

out="$GOM_ROOT/.build/soak"
rm -rf "$out" && mkdir -p "$out"
"$GOM_ROOT/scripts/provision.sh" deps || die "package installation failed"
log "soak: ${#klist[@]} kernels, gomtorture for $share s each"

# field NAME LINE - the number after " NAME=" in a gomtorture End line, or -
field() {
	local v
	v=$(printf '%s\n' "$2" | sed -n "s|.* $1=\([0-9][0-9]*\).*|\1|p")
	printf '%s' "${v:--}"
}

rows=() failed=0
for k in "${klist[@]}"; do
	dir="$out/$k"
	mkdir -p "$dir"
	case "$k" in
	debug | kcsan) vmargs=(--smp 4) ;;
	stock61 | stock | rt) vmargs=(--smp 2 --mem 1G) ;;
	*) die "not a QEMU kernel: $k" ;;
	esac
	rc=1
	if mods=$("$GOM_ROOT/scripts/build-modules.sh" "$k" 2>"$dir/build.log"); then
		"$GOM_ROOT/scripts/mkroot.sh" "$dir/root" "$mods"
		log "soak: $k, gomtorture for $share s"
		"$GOM_ROOT/scripts/vm-run.sh" --kernel "$k" --root "$dir/root" --plan soak \
			--out "$dir" --timeout $((share + 900)) --append "gomalloc.torture=$share" \
			"${vmargs[@]}"
		rc=$?
	else
		log "soak: modules for $k did not build: $dir/build.log"
		: >"$dir/console.log"
		: >"$dir/results.txt"
	fi
	con="$dir/console.log"
	end1=$(grep -a 'gomtorture: End: ops=' "$con" | tail -n 1)
	end2=$(grep -a 'gomtorture: End: reallocs=' "$con" | tail -n 1)
	reports=$(python3 "$GOM_ROOT/scripts/scan_reports.py" "$con" |
		sed -n 's/^# reports: \([0-9]*\) unexpected.*/\1/p')
	verdict=PASS
	if [ "$rc" != 0 ] || ! grep -aq 'gomtorture: --- End of test: SUCCESS' "$con" ||
		grep -aq '^not ok' "$dir/results.txt"; then
		verdict=FAIL failed=1
	fi
	rows+=("$(printf '%-8s %8s %12s %9s %8s %6s %8s  %s' "$k" \
		"$(field secs "$end2")" "$(field ops "$end1")" "$(field ops/s "$end1")" \
		"$(field damaged "$end1")" "$(field live "$end1")" "${reports:--}" "$verdict")")
done

printf '%-8s %8s %12s %9s %8s %6s %8s  %s\n' kernel seconds ops ops/s damaged lost \
	reports verdict
for r in "${rows[@]}"; do
	printf '%s\n' "$r"
done
if [ $failed = 1 ]; then
	log "soak: FAILED (logs: $out)"
	exit 1
fi
log "soak: all ${#klist[@]} kernels passed (logs: $out)"
exit 0
