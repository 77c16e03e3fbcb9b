#!/bin/bash
# build.sh - install what is missing, build the static release binary
# (build/release/irsnap) and prove it is static.
#   --asan   also build the ASan+UBSan dev build (build/asan)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/static-tools/deps.sh" build

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$top" -B "$top/build/release" -DIRSNAP_STATIC=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$top/build/release" -j "$jobs" 2>&1 |
	grep -v "requires at runtime the shared libraries from the glibc" | grep -v '^(\.text' || true
"$top/static-tools/check-static.sh" "$top/build/release/irsnap"

if [ "${1:-}" = --asan ]; then
	cmake -S "$top" -B "$top/build/asan" -DIRSNAP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build "$top/build/asan" -j "$jobs"
fi
