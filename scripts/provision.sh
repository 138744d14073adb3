#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# provision.sh - install the bench's packages and provision its kernels from
# Debian packages only; prints the path of what was asked for on stdout.
#
#   scripts/provision.sh deps          install build, lint and VM packages
#   scripts/provision.sh source        unpacked linux-source-6.12 tree
#   scripts/provision.sh stock         Debian's linux-image-6.12-amd64 kernel image
#   scripts/provision.sh stock-kdir    its headers, ready for M= module builds
#   scripts/provision.sh stock61[-kdir] the same for Debian's 6.1 (linux-image-amd64)
#   scripts/provision.sh rt[-kdir]     the same for linux-image-6.12-rt-amd64 (PREEMPT_RT)
#   scripts/provision.sh dkms          install dkms and Debian 6.1 headers; prints their kernel release
#   scripts/provision.sh debug         debug x86_64 kernel build dir (KDIR; bzImage inside):
#                                      scripts/config/debug.config (KASAN, lockdep, kmemleak)
#   scripts/provision.sh kcsan         KCSAN x86_64 kernel build dir, the same way:
#                                      scripts/config/kcsan.config (KCSAN, lockdep)
#   scripts/provision.sh uml           ARCH=um kernel build dir (KDIR; ./linux inside)
#
# Each entry is cached under $GOM_CACHE keyed by package version and config
# hash, and built under a lock so that concurrent runs share one build.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

BUILD_PKGS=(build-essential flex bison bc libelf-dev libssl-dev dwarves kmod cpio
	xz-utils rsync python3 perl)
# bump when the way kernels are built changes: it keys their cache entries
KERNEL_RECIPE=1
VM_PKGS=(qemu-system-x86 busybox-static)
# check.sh's host checks: shellcheck on scripts/
LINT_PKGS=(shellcheck)
# tools/gomprof (profile.proto compiled by protoc, python3-protobuf) and
# the pprof check (go tool pprof)
PROFILE_PKGS=(python3-protobuf protobuf-compiler golang-go)

provision_deps() {
	apt_install "${BUILD_PKGS[@]}" "${VM_PKGS[@]}" "${LINT_PKGS[@]}" "${PROFILE_PKGS[@]}"
}

# --- kernel source ---------------------------------------------------------

source_dir() {
	local ver
	ver=$(apt_candidate "$GOM_SRC_PKG")
	printf '%s' "$GOM_CACHE/linux-src-$(path_version "$ver")"
}

unpack_source() {
	local ver dir deb tmp
	ver=$(apt_candidate "$GOM_SRC_PKG")
	dir=$(source_dir)
	[ -e "$dir/.stamp" ] && return 0
	deb=$(deb_fetch "$GOM_SRC_PKG" "$ver")
	log "unpacking $GOM_SRC_PKG $ver"
	rm -rf "$dir" && mkdir -p "$dir"
	tmp=$(mktemp -d)
	dpkg-deb -x "$deb" "$tmp"
	tar -xJf "$tmp"/usr/src/linux-source-*.tar.xz -C "$dir"
	rm -rf "$tmp"
	touch "$dir/.stamp"
}

provision_source() {
	provision_deps
	with_lock source unpack_source
	printf '%s\n' "$(source_dir)/linux-source-6.12"
}

# --- Debian's stock kernels -----------------------------------------------

# stock_meta NAME - the meta package (it depends on the image of one ABI)
stock_meta() {
	case "$1" in
	stock) printf '%s' "$GOM_STOCK_META" ;;
	stock61) printf '%s' "$GOM_STOCK61_META" ;;
	rt) printf '%s' "$GOM_RT_META" ;;
	*) die "unknown stock kernel $1" ;;
	esac
}

# stock_dir NAME - its cache entry, keyed by the meta package's version
stock_dir() {
	printf '%s' "$GOM_CACHE/$1-$(path_version "$(apt_candidate "$(stock_meta "$1")")")"
}

# unpack_stock NAME - the image and headers packages are unpacked, not
# installed: the bench never changes the host's /boot, and the headers only
# need their Makefile's absolute include of the -common tree pointed at the
# unpacked copy. The packages are the meta package's image, its headers and
# what those depend on for M= builds (-common tree, kbuild).
# stock_image NAME - the image package its meta package depends on
stock_image() {
	local img
	img=$(apt-cache depends "$(stock_meta "$1")" |
		awk '/Depends: linux-image-/ {print $2; exit}')
	[ -n "$img" ] || die "$(stock_meta "$1") depends on no linux-image package"
	printf '%s' "$img"
}

unpack_stock() {
	local name=$1 dir img hdr pkg pkgs deps more
	dir=$(stock_dir "$name")
	[ -e "$dir/.stamp" ] && return 0
	img=$(stock_image "$name")
	hdr=linux-headers-${img#linux-image-}
	pkgs=("$img" "$hdr")
	deps=$(apt-cache depends "$hdr" |
		awk '/Depends: linux-(headers-.*-common|kbuild-)/ {print $2}')
	if [ -n "$deps" ]; then
		mapfile -t more <<<"$deps"
		pkgs+=("${more[@]}")
	fi
	rm -rf "$dir" && mkdir -p "$dir"
	for pkg in "${pkgs[@]}"; do
		dpkg-deb -x "$(deb_fetch "$pkg" "$(apt_candidate "$pkg")")" "$dir"
	done
	sed -i "s|^include /usr/src/|include $dir/usr/src/|" "$dir/usr/src/$hdr/Makefile"
	touch "$dir/.stamp"
}

provision_stock() {
	provision_deps
	with_lock "$1" unpack_stock "$1"
	first_file "$(stock_dir "$1")"/boot/vmlinuz-*
}

provision_stock_kdir() {
	local img
	provision_deps
	with_lock "$1" unpack_stock "$1"
	img=$(first_file "$(stock_dir "$1")"/boot/vmlinuz-*)
	printf '%s\n' "$(stock_dir "$1")/usr/src/linux-headers-${img##*/vmlinuz-}"
}

# --- DKMS -------------------------------------------------------------------

# dkms and the headers of Debian's 6.1 kernel are installed for real (they
# need no kernel image, unlike 6.12's): `dkms build` runs against them.
provision_dkms() {
	local img
	img=$(stock_image stock61)
	apt_install dkms "linux-headers-${img#linux-image-}"
	printf '%s\n' "${img#linux-image-}"
}

# --- kernels built from the source ----------------------------------------

# build_kernel FLAVOUR ARCH DEFCONFIG TARGETS...
build_kernel_locked() {
	local out=$1 arch=$2 defconfig=$3 frag=$4
	shift 4
	local src
	src=$(source_dir)/linux-source-6.12
	[ -e "$out/.stamp" ] && return 0
	log "building $(basename "$out") (cold: a few minutes on $GOM_JOBS CPUs)"
	rm -rf "$out" && mkdir -p "$out"
	make -s -C "$src" O="$out" ARCH="$arch" "$defconfig" >&2
	"$src"/scripts/kconfig/merge_config.sh -m -O "$out" "$out/.config" "$frag" >/dev/null
	make -s -C "$src" O="$out" ARCH="$arch" olddefconfig >&2
	check_config "$out/.config" "$frag"
	make -C "$src" O="$out" ARCH="$arch" -j"$GOM_JOBS" "$@" >"$out/build.log" 2>&1 ||
		{ tail -n 40 "$out/build.log" >&2; die "kernel build failed: $out/build.log"; }
	touch "$out/.stamp"
}

# every =y/=n/=value of the fragment must have survived olddefconfig
check_config() {
	local config=$1 frag=$2 line key
	while read -r line; do
		case "$line" in '#'* | '') continue ;; esac
		key=${line%%=*}
		if [ "${line#*=}" = n ]; then
			grep -q "^$key=" "$config" && die "$key=n did not hold in $config"
		else
			grep -qx "$line" "$config" || die "$line did not hold in $config"
		fi
	done <"$frag"
	return 0
}

kernel_dir() {
	local flavour=$1 frag=$2 ver
	ver=$(apt_candidate "$GOM_SRC_PKG")
	printf "%s" "$GOM_CACHE/kernel-$flavour-$(path_version "$ver")-r$KERNEL_RECIPE-$(hash_files "$frag")"
}

provision_built() {
	local flavour=$1 arch=$2 defconfig=$3
	shift 3
	local frag="$GOM_ROOT/scripts/config/$flavour.config" out
	provision_source >/dev/null
	out=$(kernel_dir "$flavour" "$frag")
	with_lock "$flavour" build_kernel_locked "$out" "$arch" "$defconfig" "$frag" "$@"
	printf '%s\n' "$out"
}

case "${1:-}" in
deps) provision_deps ;;
source) provision_source ;;
stock | stock61 | rt) provision_stock "$1" ;;
stock-kdir | stock61-kdir | rt-kdir) provision_stock_kdir "${1%-kdir}" ;;
dkms) provision_dkms ;;
debug | kcsan) provision_built "$1" x86_64 x86_64_defconfig all ;;
uml) provision_built uml um defconfig all ;;
*) sed -n '3,18p' "$0" >&2; exit 2 ;;
esac
