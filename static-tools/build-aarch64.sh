#!/bin/bash
# build-aarch64.sh - the static aarch64 release binary (build/aarch64/irsnap)
# from the same sources, with Debian's cross toolchain and the arm64 -dev
# packages installed multiarch (`deps.sh aarch64` adds the arm64
# architecture to dpkg and installs them, from the Debian mirror), checked
# by check-static.sh like the x86_64 one. Its tests run under
# qemu-aarch64-static (tests/aarch64.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/static-tools/deps.sh" aarch64
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$top" -B "$top/build/aarch64" -DIRSNAP_STATIC=ON -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_TOOLCHAIN_FILE="$top/static-tools/aarch64.cmake" >/dev/null
cmake --build "$top/build/aarch64" -j "$jobs" 2>&1 |
	grep -v "requires at runtime the shared libraries from the glibc" | grep -v '^(\.text' || true
"$top/static-tools/check-static.sh" "$top/build/aarch64/irsnap"
