#!/bin/bash
# lint.sh - source rules a compiler does not check: every collector file
# includes banned.h (last), no file opens paths without O_CLOEXEC, and
# cppcheck finds nothing at warning level.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
rc=0
mapfile -t SRCS < <(find "$top/collector" -name '*.c' | sort)
mapfile -t HDRS < <(find "$top/collector" "$top/include" -name '*.h' | sort)
INCS=(-I "$top/include"); for d in $(find "$top/collector" -type d); do INCS+=(-I "$d"); done
for f in "${SRCS[@]}"; do
	case $(basename "$f") in static_shims.c) continue ;; esac
	last=$(grep '^#include' "$f" | tail -n 1)
	if [ "$last" != '#include "banned.h"' ]; then
		echo "lint: $(basename "$f"): banned.h must be the last include"; rc=1
	fi
done
# every open carries O_CLOEXEC (host_open builds its flags in `oflags`)
bad=$(grep -nE '\<open(at)?\(' "${SRCS[@]}" | grep -v O_CLOEXEC | grep -v oflags)
if [ -n "$bad" ]; then
	echo "lint: an open() without O_CLOEXEC:"; echo "$bad"; rc=1
fi
# every statx of a path carries AT_NO_AUTOMOUNT: statx, unlike stat,
# mounts the autofs point it names (a change to the host)
bad=$(grep -nE '[^_]statx\(' "${SRCS[@]}" | grep -v 'json_statx' | grep -vE 'AT_NO_AUTOMOUNT|AT_EMPTY_PATH')
if [ -n "$bad" ]; then
	echo "lint: a statx() without AT_NO_AUTOMOUNT:"; echo "$bad"; rc=1
fi
# files small and named for what they do: at most 500 lines
for f in "${SRCS[@]}" "${HDRS[@]}"; do
	n=$(wc -l <"$f")
	if [ "$n" -gt 500 ]; then
		echo "lint: $(basename "$f") has $n lines (at most 500)"; rc=1
	fi
done
# the tar is written and read by the subset's own code only
# (libarchive only decompresses rotated logs and compressed bundles, in
# host/unpack.c, and compresses the bundle stream, in bundle/zwrite.c)
bad=$(grep -ln '<archive\(_entry\)\?\.h>' "${SRCS[@]}" "${HDRS[@]}" |
	grep -v '/collector/host/unpack\.c$\|/collector/bundle/zwrite\.c$')
if [ -n "$bad" ]; then
	echo "lint: libarchive outside host/unpack.c and bundle/zwrite.c (the tar is tarfmt.c's):"
	echo "$bad"; rc=1
fi
if grep -n 'archive_read\|archive_write_set_format_\(pax\|ustar\|gnutar\|zip\|by_name\)\|archive_write_add_filter_\(program\|by_name\)' \
	"$top/collector/bundle/zwrite.c"; then
	echo "lint: zwrite.c may use libarchive's raw format and its zstd and gzip write filters only"; rc=1
fi
if grep -n 'archive_write\|archive_read_support_format_\(all\|tar\|zip\)\|archive_read_support_filter_\(all\|program\)' \
	"$top/collector/host/unpack.c"; then
	echo "lint: unpack.c may use libarchive's raw read filters only"; rc=1
fi
# the layering of collector/ (README, "How the code is laid out"); the call
# graph from the release build's objects when they exist
objs=$top/build/release/CMakeFiles/irsnap_core.dir
if ! python3 "$top/tests/layering.py" "$top" ${objs:+$( [ -d "$objs" ] && echo "$objs")}; then
	rc=1
fi
if command -v cppcheck >/dev/null; then
	if ! cppcheck -q --error-exitcode=1 --enable=warning,portability --std=c11 \
		--inline-suppr "${INCS[@]}" -D__x86_64__ -D_GNU_SOURCE \
		--suppress=missingIncludeSystem "$top/collector" 2>&1; then
		echo "lint: cppcheck found problems"; rc=1
	fi
else
	echo "lint: cppcheck not installed: skipped"
fi
[ $rc = 0 ] && echo "lint: ok"
exit $rc
