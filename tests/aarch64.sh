#!/bin/bash
# aarch64.sh - the aarch64 static binary under qemu-aarch64-static (issue
# 23, item 1): check-static says static and AArch64; version, keygen and
# list run; a collection with the minimal profile to stdout is a tar that
# GNU tar lists and that both the aarch64 and the x86_64 irsnap verify; its
# seccomp filter: run.json says whether it was installed (qemu-user takes
# no seccomp filter of its guest: the line says so); the unit tests built
# for aarch64 pass under qemu. Exit 77 when there is no aarch64 build.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
A=$top/build/aarch64/irsnap X=$top/build/release/irsnap
[ -x "$A" ] || { echo "aarch64: SKIP: no build/aarch64/irsnap (static-tools/build-aarch64.sh)"; exit 77; }
command -v qemu-aarch64-static >/dev/null || { echo "aarch64: SKIP: no qemu-aarch64-static"; exit 77; }
Q=(qemu-aarch64-static "$A")
W=$(mktemp -d /tmp/irsnap-aarch64.XXXXXX)
trap 'rm -rf "$W"' EXIT
status=0
ok() { echo "ok   aarch64: $*"; }
bad() { echo "FAIL aarch64: $*"; status=1; }
"$top/static-tools/check-static.sh" "$A" >"$W/cs" 2>&1 && ok "check-static: no INTERP, no NEEDED" || bad "check-static: $(cat "$W/cs")"
readelf -h "$A" | grep -q 'Machine: *AArch64' && ok "an AArch64 ELF" || bad "not an AArch64 ELF"
"${Q[@]}" version >"$W/v" 2>&1 && grep -q '^irsnap ' "$W/v" && ok "version: $(head -n 1 "$W/v")" || bad "version"
"${Q[@]}" keygen -o "$W/k" >/dev/null 2>&1 && [ -s "$W/k.key" ] && [ -s "$W/k.pub" ] && ok "keygen" || bad "keygen"
"${Q[@]}" list --profile minimal >"$W/l" 2>&1 && grep -q 'profile minimal' "$W/l" && ok "list" || bad "list"
# to stdout, piped into GNU tar (and kept by tee for verify)
"${Q[@]}" collect --profile minimal --key "$W/k.key" -o - 2>"$W/c.err" | tee "$W/c.tar" |
	tar -tf - >"$W/c.lst" 2>&1
st=("${PIPESTATUS[@]}")
[ "${st[0]}" -le 1 ] && ok "collect --profile minimal -o - (exit ${st[0]})" ||
	{ bad "collect (exit ${st[0]})"; tail -n 5 "$W/c.err"; }
[ "${st[2]}" = 0 ] && grep -q '/MANIFEST.sha256.sig$' "$W/c.lst" &&
	ok "piped into tar -t: $(wc -l <"$W/c.lst") members" || bad "tar -t"
"${Q[@]}" verify "$W/c.tar" --pubkey "$W/k.pub" >/dev/null 2>&1 && ok "the aarch64 irsnap verifies it" || bad "verify (aarch64)"
if [ -x "$X" ]; then
	"$X" verify "$W/c.tar" --pubkey "$W/k.pub" >/dev/null 2>&1 && ok "the x86_64 irsnap verifies it" || bad "verify (x86_64)"
fi
mkdir -p "$W/x" && tar -xf "$W/c.tar" -C "$W/x" 2>/dev/null
ld=$(jq -r .lockdown "$W"/x/irsnap-*/run.json 2>/dev/null)
case $ld in
*"refuses execve"*) ok "seccomp: the filter is installed under qemu ($ld)" ;;
?*) echo "aarch64: SKIP part: qemu-user cannot show the seccomp filter: run.json says: $ld" ;;
*) bad "run.json has no lockdown line" ;;
esac
if [ -f "$top/build/aarch64/CTestTestfile.cmake" ]; then
	# qemu-user can show neither of two: it takes no seccomp filter of its
	# guest (unit_lockdown), and it rewrites /proc/self/maps and has no
	# PROCMAP_QUERY ioctl (unit_maps)
	echo "aarch64: SKIP part: unit_lockdown and unit_maps need a real aarch64 kernel (qemu-user emulates neither seccomp filters nor /proc/self/maps)"
	(cd "$top/build/aarch64" && ctest -R '^unit_' -E '^unit_(lockdown|maps)$' -j 2 --output-on-failure) >"$W/ctest" 2>&1 &&
		ok "unit tests under qemu: $(grep -E 'tests passed' "$W/ctest")" ||
		{ bad "unit tests under qemu"; tail -n 30 "$W/ctest"; }
fi
exit $status
