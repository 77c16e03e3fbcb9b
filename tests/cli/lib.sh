# lib.sh - helpers for irsnap's command-line tests (sourced, bash).
#
# Every step is &&-chained or checked; the program under test is never the
# left side of a pipe whose status is lost. A test exits 0 (pass), 1 (fail)
# or 77 (skip, with the reason on stdout).
#
# Environment: IRSNAP (the binary under test), IRSNAP_BUILD (static|asan).
set -u

: "${IRSNAP:?IRSNAP must name the irsnap binary under test}"
IRSNAP_BUILD=${IRSNAP_BUILD:-asan}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# libproc2's per-thread buffers (tests/lsan.supp says why)
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lsan.supp}

T_NAME=$(basename "$0" .sh)
T_FAILS=0
T_MOUNTS=()

skip() { echo "SKIP $T_NAME: $*"; exit 77; }
fail() { echo "FAIL $T_NAME: $*"; T_FAILS=$((T_FAILS + 1)); }
ok() { echo "ok   $*"; }
# check DESCRIPTION COMMAND...: run COMMAND, record pass or fail
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
# expect 'TITLE' 'BODY': git's test_expect_success: BODY is &&-chained shell,
# run in a subshell with the test's variables; its status is the verdict
expect() {
	if (eval "$2"); then ok "$1"; else fail "$1"; echo "#   failed: $2" | head -n 20; fi
}
# verifies ARGS...: `irsnap verify ARGS` accepts; on failure its last lines
# are shown. (check's own ok/FAIL line would be lost in a `>/dev/null`
# after it: the redirection covers the whole check.)
verifies() {
	"$IRSNAP" verify "$@" >"$T_DIR/verifies.out" 2>&1 ||
		{ echo "#   irsnap verify $*:"; grep -v "^  bundle-" "$T_DIR/verifies.out" | tail -n 8 | sed 's/^/#   /'; false; }
}
# test_cmp EXPECTED ACTUAL: equal files, or fail showing the diff
test_cmp() { diff -u "$1" "$2" >"$T_DIR/test_cmp.diff" || { head -n 40 "$T_DIR/test_cmp.diff"; false; }; }
need() { command -v "$1" >/dev/null 2>&1 || skip "needs $1 (not installed)"; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root ($*)"; }
need_static() { [ "$IRSNAP_BUILD" = static ] || skip "needs the static release build ($*)"; }

T_CLEAN=()
# on_exit CMD: run CMD (eval) when the test ends, before its folder goes
on_exit() { T_CLEAN+=("$1"); }
cleanup() {
	local c
	for c in "${T_CLEAN[@]}"; do eval "$c" 2>/dev/null; done
	[ -n "${KEEP:-}" ] && return
	local m
	for m in "${T_MOUNTS[@]}"; do umount -l "$m" 2>/dev/null; done
	[ -n "${T_DIR:-}" ] && rm -rf "$T_DIR"
}
trap cleanup EXIT

T_DIR=$(mktemp -d "/tmp/irsnap-test-$T_NAME.XXXXXX")

# A fresh tmpfs for outputs: the bundle must not land on an evidence file
# system. Without root, fall back to a plain directory and --allow-host-output.
OUT=$T_DIR/out
mkdir -p "$OUT"
OUT_FLAGS=()
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=2g irsnap-test "$OUT" 2>/dev/null; then
	T_MOUNTS+=("$OUT")
else
	OUT_FLAGS=(--allow-host-output)
fi

# collect NAME [args...]: run a collection into $OUT/NAME.tar, stderr to
# $OUT/NAME.err, exit status in $RC. Without --profile in the args, the
# tests' fast profile is used (tests/fixtures/fast.profile).
FAST_PROFILE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures" && pwd)/fast.profile
collect() {
	local name=$1; shift
	local prof=(--profile "$FAST_PROFILE") a
	for a in "$@"; do [ "$a" = --profile ] && prof=(); done
	"$IRSNAP" collect -o "$OUT/$name.tar" "${OUT_FLAGS[@]}" "${prof[@]}" "$@" 2>"$OUT/$name.err"
	RC=$?
}

# extract NAME: unpack $OUT/NAME.tar with GNU tar into $OUT/NAME.d; sets BDIR.
extract() {
	rm -rf "$OUT/$1.d" && mkdir -p "$OUT/$1.d" &&
	tar -xf "$OUT/$1.tar" -C "$OUT/$1.d" &&
	BDIR=$(echo "$OUT/$1.d"/irsnap-*) && [ -d "$BDIR" ]
}

# errline NAME KEY: the value of "irsnap: KEY: value" in NAME.err
errline() { sed -n "s/^irsnap: $2: //p" "$OUT/$1.err" | tail -n 1; }

finish() {
	if [ "$T_FAILS" -ne 0 ]; then
		echo "$T_NAME: $T_FAILS check(s) failed"
		exit 1
	fi
	echo "$T_NAME: all checks passed"
	exit 0
}
