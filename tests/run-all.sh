#!/bin/bash
# run-all.sh - install what is missing, build both builds (static release,
# ASan+UBSan dev), lint, and run the whole test suite against each; then a
# ThreadSanitizer build runs the tests of the threaded readers, and a clang
# build runs the libFuzzer targets for a bounded time (FUZZ_SECONDS,
# FUZZ_VERIFY_SECONDS; t_tardiff's budget is TARDIFF_SECONDS), and the
# fault-injection build fails allocations, reads, writes and opens one by
# one (tests/fault/run.sh: FAULT_DENSE, FAULT_SPARSE); then two clean
# builds must be the same bytes (tests/repro.sh), and the aarch64 static
# build runs its tests under qemu (tests/aarch64.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
"$top/static-tools/deps.sh" test || exit 1
"$top/static-tools/build.sh" --asan || { echo "run-all: build failed"; exit 1; }

pass=0; failed=0; skipped=0; status=0
run_ctest() {   # run_ctest DIR LABEL [REGEX]
	local log=$1/ctest.log
	echo "=== tests against the $2 build ==="
	( cd "$1" && ctest --output-on-failure -j 2 ${3:+-R "$3"} ) 2>&1 | tee "$log"
	[ "${PIPESTATUS[0]}" = 0 ] || status=1
	local sum
	sum=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
	local f t s
	f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$sum")
	t=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$sum")
	s=$(grep -cE '\(Skipped\)$' "$log")
	pass=$((pass + t - f - s)); failed=$((failed + f)); skipped=$((skipped + s))
	# why each skipped test skipped (ctest shows a skip's output nowhere)
	grep -h '^SKIP ' "$1/Testing/Temporary/LastTest.log" 2>/dev/null | sort -u | sed 's/^/  /'
}
# tally STATUS: a stage's exit status counted (77: skipped)
tally() {
	case $1 in
	0) pass=$((pass + 1)) ;;
	77) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)); status=1 ;;
	esac
}
run_ctest "$top/build/release" "static release"
run_ctest "$top/build/asan" "ASan+UBSan"

# ThreadSanitizer: the tests that run the threaded readers (pscan.h, the
# last view's thread, hashthread.h) under load and churn
if cmake -S "$top" -B "$top/build/tsan" -DIRSNAP_TSAN=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
	cmake --build "$top/build/tsan" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null; then
	run_ctest "$top/build/tsan" "ThreadSanitizer" 't_threads|t_churn|t_sockets|t_logins|t_core|t_progress|unit_zbuf|unit_bundle|unit_deadline'
else
	echo "run-all: the ThreadSanitizer build failed"; failed=$((failed + 1)); status=1
fi

# libFuzzer targets (clang, ASan+UBSan), bounded: tests/fuzz/run.sh
echo "=== fuzz (libFuzzer, ASan+UBSan) ==="
"$top/tests/fuzz/run.sh"
tally $?

echo "=== fault injection (ASan; tests/fault) ==="
"$top/tests/fault/run.sh"
tally $?

echo "=== reproducible builds (tests/repro.sh) ==="
"$top/tests/repro.sh"
tally $?

echo "=== aarch64 (static-tools/build-aarch64.sh; tests/aarch64.sh under qemu) ==="
if "$top/static-tools/build-aarch64.sh" >"$top/build/aarch64.log" 2>&1; then
	"$top/tests/aarch64.sh"
	tally $?
else
	echo "run-all: the aarch64 build failed:"; tail -n 20 "$top/build/aarch64.log"
	failed=$((failed + 1)); status=1
fi

echo "=== lint ==="
if "$top/tests/lint.sh"; then pass=$((pass + 1)); else failed=$((failed + 1)); status=1; fi

echo "irsnap tests: $pass passed, $failed failed, $skipped skipped"
exit $status
