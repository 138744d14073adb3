# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# lib.sh - shared settings for gomalloc's bench scripts; sourced, not run.
#
# Everything built or downloaded lives under $GOM_CACHE, keyed by the Debian
# package version and by a hash of the config that produced it, so a kernel is
# rebuilt only when one of its inputs changes.

# shellcheck disable=SC2034 # used by the scripts that source this file
GOM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GOM_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/gomalloc
GOM_JOBS=${GOM_JOBS:-$(nproc)}
# Debian package that carries the kernel source, and the stock kernel flavours.
# shellcheck disable=SC2034 # used by provision.sh
GOM_SRC_PKG=linux-source-6.12
# shellcheck disable=SC2034 # used by provision.sh
GOM_STOCK_META=linux-image-6.12-amd64
# shellcheck disable=SC2034 # used by provision.sh
GOM_STOCK61_META=linux-image-amd64
# shellcheck disable=SC2034 # used by provision.sh
GOM_RT_META=linux-image-6.12-rt-amd64

mkdir -p "$GOM_CACHE"

log() { printf '[gomalloc] %s\n' "$*" >&2; }
die() { printf '[gomalloc] error: %s\n' "$*" >&2; exit 1; }

# sanitize a Debian version for use in a path ('~' and ':' are awkward there)
path_version() { printf '%s' "$1" | tr '~:' '__'; }

# apt_candidate PKG - the version apt would install, updating lists once if
# this machine has none yet.
apt_candidate() {
	local v
	v=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		apt_update_once
		v=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
	fi
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		die "no Debian package $1"
	fi
	printf '%s' "$v"
}

apt_update_once() {
	[ -e "$GOM_CACHE/.apt-updated-$$" ] && return 0
	log "apt-get update"
	apt-get update -qq >&2 || die "apt-get update failed"
	touch "$GOM_CACHE/.apt-updated-$$"
}

# apt_install PKG... - install what is missing, nothing else.
apt_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	apt_update_once
	log "apt-get install ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

# first_file GLOB - print the first file a glob matched (bash sorts the
# matches as ls does); fails, saying so on stderr, if it matched none.
first_file() {
	if [ ! -e "${1:-}" ]; then
		printf 'no file matches %s\n' "${1:-}" >&2
		return 1
	fi
	printf '%s\n' "$1"
}

# deb_fetch PKG VERSION - download one .deb into the cache; prints its path.
deb_fetch() {
	local dir="$GOM_CACHE/debs" f
	mkdir -p "$dir"
	f=$(first_file "$dir"/"$1"_"$(printf '%s' "$2" | sed 's/:/%3a/')"_*.deb 2>/dev/null)
	if [ -z "$f" ]; then
		log "downloading $1 $2"
		(cd "$dir" && apt-get download -qq "$1=$2" >&2 2>/dev/null ||
			apt-get download -qq "$1=$2" >&2) || die "apt-get download $1=$2 failed"
		f=$(first_file "$dir"/"$1"_*"$(printf '%s' "$2" | sed 's/:/%3a/')"_*.deb)
	fi
	printf '%s' "$f"
}

# hash_files FILE... - short content hash that keys a cache entry
hash_files() { cat "$@" | sha256sum | cut -c1-12; }

# with_lock NAME CMD... - serialize builds of one cache entry across processes
with_lock() {
	local name=$1
	shift
	(flock 9 && "$@") 9>"$GOM_CACHE/.lock-$name"
}
