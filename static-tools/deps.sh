#!/bin/bash
# deps.sh [build|test|aarch64] - install the Debian packages irsnap needs, when missing.
#   build: compiler, CMake and the -dev packages whose static archives the
#          release binary links (OpenSSL, libproc2, jansson, SQLite, LZ4),
#          and libarchive, the independent tar reader of the unit tests
#   test:  build + the independent tools the tests compare against, and
#          clang for the libFuzzer targets
#   aarch64: the cross compiler, the arm64 -dev packages of build (dpkg's
#          arm64 architecture is added) and qemu-user-static
# Works offline from a Debian package mirror; needs root only to install.
set -euo pipefail

build_pkgs=(gcc make cmake pkg-config libc6-dev
	libarchive-dev libssl-dev libproc2-dev libjansson-dev
	nettle-dev libacl1-dev libattr1-dev liblzma-dev libzstd-dev liblz4-dev
	libbz2-dev zlib1g-dev libxml2-dev libsqlite3-dev)
test_pkgs=(tar libarchive-tools coreutils openssl jq strace binutils python3
	util-linux procps iproute2 cppcheck lsof time sqlite3 gzip xz-utils zstd lz4 bzip2 bindfs
	net-tools sleuthkit clang chromium openssh-client debsums rpm bpftool nftables iptables conntrack arptables age
	podman runc libcap2-bin e2fsprogs ansible-core openssh-server
	python3-fusepy dc3dd fdisk xorriso minisign git)

want=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && want+=("${test_pkgs[@]}")
if [ "${1:-build}" = aarch64 ]; then
	want=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static binutils-aarch64-linux-gnu)
	for p in libarchive-dev libssl-dev libproc2-dev libjansson-dev nettle-dev libacl1-dev \
		libattr1-dev liblzma-dev libzstd-dev liblz4-dev libbz2-dev zlib1g-dev libxml2-dev \
		libsqlite3-dev libc6-dev; do
		want+=("$p:arm64")
	done
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		[ "$(id -u)" = 0 ] || { echo "deps.sh: run as root to add the arm64 architecture" >&2; exit 1; }
		dpkg --add-architecture arm64
		apt-get update -qq
	fi
fi

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi
echo "deps.sh: installing ${missing[*]}" >&2
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages (${missing[*]}): run as root to install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
