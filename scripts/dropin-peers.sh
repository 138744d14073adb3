#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropin-peers.sh - build unmodified kernel test modules with the drop-in
# (include/gomalloc_dropin.mk) and check that their kmalloc family is
# gomalloc's.
#
#   scripts/dropin-peers.sh KERNEL MODS_DIR
# KERNEL: debug|kcsan|stock|stock61|rt; MODS_DIR: gomalloc's build for it
# (scripts/build-modules.sh), whose Module.symvers has gomalloc's symbols.
# The sources come from the provisioned kernel source, copied at build time
# (never committed) and never edited: lib/test_meminit.c, lib/test_printf.c,
# lib/test_bitmap.c and lib/test_firmware.c, all four defining pr_fmt before
# their includes. Each .ko must build, must have no undefined reference to
# a name the drop-in renames (include/gomalloc_dropin.syms) and must call
# gomalloc (gom_dropin_kfree). Two controls show that the checks can fail:
# test_meminit built without the drop-in must fail the reference check, and
# a module calling kfree_rcu() must be refused by modpost. The four .ko go
# to MODS_DIR/examples/peers/, which scripts/mkroot.sh puts in the guest
# (plan-smoke.sh loads them).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

flavour=$1
mods=$(cd "$2" && pwd)
case "$flavour" in
debug | kcsan) kdir=$("$GOM_ROOT/scripts/provision.sh" "$flavour") ;;
stock | stock61 | rt) kdir=$("$GOM_ROOT/scripts/provision.sh" "$flavour-kdir") ;;
*) die "unknown kernel $flavour" ;;
esac
src=$("$GOM_ROOT/scripts/provision.sh" source)
syms="$GOM_ROOT/include/gomalloc_dropin.syms"
[ -e "$mods/Module.symvers" ] || die "no $mods/Module.symvers: build gomalloc first"
peers=(test_meminit test_printf test_bitmap test_firmware)
work="$GOM_ROOT/.build/dropin-peers-$flavour"
rm -rf "$work"
mkdir -p "$work/lib" "$work/tools/testing/selftests" "$work/plain" "$work/rcu"
for m in "${peers[@]}"; do
	cp "$src/lib/$m.c" "$work/lib/"
	grep -q '^#define pr_fmt' "$work/lib/$m.c" || die "$m.c does not define pr_fmt"
done
# test_printf.c and test_bitmap.c include it by a path relative to lib/
cp "$src/tools/testing/selftests/kselftest_module.h" "$work/tools/testing/selftests/"
{
	echo "include $GOM_ROOT/include/gomalloc_dropin.mk"
	for m in "${peers[@]}"; do echo "obj-m += $m.o"; done
} >"$work/lib/Kbuild"
# the control: test_meminit as the kernel builds it
cp "$src/lib/test_meminit.c" "$work/plain/"
echo "obj-m += test_meminit.o" >"$work/plain/Kbuild"
# the control: kfree_rcu() is not covered, so the build must fail
cat >"$work/rcu/gom_rcu_peer.c" <<'EOC'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/slab.h>
struct obj { int x; struct rcu_head rcu; };
static int __init rcu_peer_init(void)
{
	struct obj *o = kmalloc(sizeof(*o), GFP_KERNEL);

	if (o)
		kfree_rcu(o, rcu);
	return 0;
}
module_init(rcu_peer_init);
MODULE_LICENSE("GPL");
EOC
{
	echo "include $GOM_ROOT/include/gomalloc_dropin.mk"
	echo "obj-m += gom_rcu_peer.o"
} >"$work/rcu/Kbuild"

build() { # DIR
	make -C "$kdir" M="$1" KBUILD_EXTRA_SYMBOLS="$mods/Module.symvers" \
		-j"$GOM_JOBS" modules >"$1/build.log" 2>&1
}
# kmalloc_refs KO - the names the drop-in renames that KO still calls
rel=$(cat "$kdir/include/config/kernel.release")
IFS=. read -r major minor _ <<<"$rel"
kind=old
[ $((major * 256 + minor)) -lt 1546 ] || kind=noprof
kmalloc_refs() {
	nm -u "$1" | awk '{print $2}' | grep -xFf <(awk -v kind="$kind" \
		'!/^#/ && NF == 3 && ($3 == "all" || $3 == kind) {print $1}' "$syms") || true
}

build "$work/lib" || { cat "$work/lib/build.log"; die "peer modules did not build"; }
! grep -n 'redefined\|warning:' "$work/lib/build.log" || die "peer build warned"
for m in "${peers[@]}"; do
	ko="$work/lib/$m.ko"
	left=$(kmalloc_refs "$ko")
	[ -z "$left" ] || die "$m.ko still calls the kernel's: $left"
	nm -u "$ko" | grep -qw gom_dropin_kfree || die "$m.ko does not call gom_dropin_kfree"
	[ "$(modinfo -F depends "$ko")" = gomalloc ] || die "$m.ko does not depend on gomalloc"
	echo "ok $m.ko: $(nm -u "$ko" | grep -c ' gom_dropin_') gomalloc symbols, none of kmalloc's"
done
build "$work/plain" || { cat "$work/plain/build.log"; die "control did not build"; }
[ -n "$(kmalloc_refs "$work/plain/test_meminit.ko")" ] ||
	die "control: test_meminit.ko without the drop-in passes the reference check"
echo "ok control: without the drop-in test_meminit.ko calls $(kmalloc_refs "$work/plain/test_meminit.ko" | wc -l) kmalloc names"
if build "$work/rcu"; then
	die "control: a kfree_rcu() user built with the drop-in"
fi
grep -q 'gom_dropin_kfree_rcu_is_not_covered_use_call_rcu.*undefined' "$work/rcu/build.log" ||
	{ cat "$work/rcu/build.log"; die "control: the kfree_rcu() user failed for another reason"; }
echo "ok control: modpost refuses a kfree_rcu() user"
mkdir -p "$mods/examples/peers"
for m in "${peers[@]}"; do cp "$work/lib/$m.ko" "$mods/examples/peers/"; done
