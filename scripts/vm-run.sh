#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-run.sh - boot one kernel with a guest root and run one test plan in it.
#
#   scripts/vm-run.sh --kernel debug|kcsan|stock|stock61|rt|uml --root DIR --plan NAME --out DIR
#                     [--smp N] [--mem SIZE] [--timeout SECONDS]
#                     [--append "ARGS"] [--interactive]
#
# QEMU (debug and kcsan, built by provision.sh from the 6.12 source, and
# Debian's stock, stock61 and rt): TCG with thread=multi unless KVM really
# runs guests here (probed once per host kernel and cached), -smp 4 by
# default; the root is packed into an initramfs. UML: one CPU, the root is
# its hostfs.
# Writes OUT/console.log (the whole console) and OUT/results.txt (the
# guest's KTAP/TAP documents), prints which accelerator ran, and exits
#   0  the plan finished and the console holds no kernel report
#   2  the console holds a kernel report the test did not ask for
#   3  the guest did not finish (crash, hang, timeout)
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

kernel='' root='' plan='' out='' smp=${GOM_SMP:-4} mem='' timeout=900
append='' interactive=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift ;;
	--root) root=$2; shift ;;
	--plan) plan=$2; shift ;;
	--out) out=$2; shift ;;
	--smp) smp=$2; shift ;;
	--mem) mem=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--append) append=$2; shift ;;
	--interactive) interactive=1 ;;
	*) die "unknown option $1" ;;
	esac
	shift
done
if [ -z "$kernel" ] || [ -z "$root" ] || [ -z "$out" ]; then
	die "usage: see $0"
fi
[ -n "$plan" ] || plan=shell
mkdir -p "$out"
console="$out/console.log"
results="$out/results.txt"
: >"$console"
: >"$results"

# kvm_works - does KVM run a real guest on this host? The brief's hosts have
# a /dev/kvm that refuses standard guests, so open() succeeding proves little:
# boot the stock kernel for a few seconds and look for its banner.
kvm_works() {
	local probe img
	probe="$GOM_CACHE/kvm-probe-$(uname -r)"
	if [ ! -e "$probe" ]; then
		echo no >"$probe"
		if [ -w /dev/kvm ]; then
			img=$("$GOM_ROOT/scripts/provision.sh" stock)
			timeout 20 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nodefaults \
				-display none -no-reboot -kernel "$img" \
				-append "console=ttyS0 panic=-1 rdinit=/none" \
				-serial file:"$probe.log" >/dev/null 2>&1 || true
			grep -q 'Linux version' "$probe.log" 2>/dev/null && echo yes >"$probe"
		fi
	fi
	[ "$(cat "$probe")" = yes ]
}

run_qemu() {
	local image=$1 accel cpu initrd="$out/initramfs.cpio.gz" stdio
	"$GOM_ROOT/scripts/mkroot.sh" --cpio "$root" "$initrd"
	if kvm_works; then
		accel=kvm cpu=host
	else
		accel=tcg,thread=multi cpu=qemu64
	fi
	log "accelerator: ${accel%%,*} ($accel), $smp CPUs, kernel $kernel"
	echo "accelerator: $accel smp=$smp kernel=$kernel" >"$out/accel.txt"
	stdio=(-serial file:"$console")
	if [ "$interactive" = 1 ]; then
		# shellcheck disable=SC2054 # commas separate QEMU's suboptions
		stdio=(-chardev stdio,id=con,logfile="$console",signal=off -serial chardev:con)
	fi
	timeout -k 10 "$timeout" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" \
		-smp "$smp" -m "${mem:-2G}" -nodefaults -display none -no-reboot \
		-kernel "$image" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 no_hash_pointers gomalloc.plan=$plan $append" \
		"${stdio[@]}" -serial file:"$results" </dev/null || true
	[ "$interactive" = 1 ] && stty sane 2>/dev/null
	return 0
}

run_uml() {
	local linux=$1/linux extra
	# --append's kernel arguments, one word each
	read -ra extra <<<"$append"
	log "accelerator: none (UML, native execution, 1 CPU)"
	echo "accelerator: uml smp=1 kernel=uml" >"$out/accel.txt"
	rm -f "$root/results.txt"
	: >"$root/results.txt"
	# shellcheck disable=SC2054 # con0=fd:0,fd:1 is one UML argument
	local args=(mem="${mem:-1G}" root=/dev/root rootfstype=hostfs rootflags="$root" rw
		init=/init con=null con0=fd:0,fd:1 panic=-1
		gomalloc.plan="$plan" gomalloc.results=/results.txt "${extra[@]}")
	if [ "$interactive" = 1 ]; then
		timeout -k 10 "$timeout" "$linux" "${args[@]}" 2>&1 | tee "$console" || true
	else
		timeout -k 10 "$timeout" "$linux" "${args[@]}" </dev/null >"$console" 2>&1 || true
	fi
	cp "$root/results.txt" "$results"
}

case "$kernel" in
debug | kcsan) run_qemu "$("$GOM_ROOT/scripts/provision.sh" "$kernel")/arch/x86/boot/bzImage" ;;
stock | stock61 | rt) run_qemu "$("$GOM_ROOT/scripts/provision.sh" "$kernel")" ;;
uml) run_uml "$("$GOM_ROOT/scripts/provision.sh" uml)" ;;
*) die "unknown kernel $kernel" ;;
esac

if ! grep -q '^# gomalloc-guest: done' "$results"; then
	log "the guest did not finish: see $console"
	tail -n 30 "$console" >&2
	exit 3
fi
if ! python3 "$GOM_ROOT/scripts/scan_reports.py" "$console" >"$out/reports.txt"; then
	cat "$out/reports.txt" >&2
	exit 2
fi
exit 0
