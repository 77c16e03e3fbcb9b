#!/bin/bash
# run-all.sh - install what is missing, build both builds (static release,
# ASan+UBSan dev), lint, and run the whole test suite against each.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
"$top/static-tools/deps.sh" test || exit 1
"$top/static-tools/build.sh" --asan || { echo "run-all: build failed"; exit 1; }

pass=0; failed=0; skipped=0; status=0
run_ctest() {   # run_ctest DIR LABEL
	local log=$1/ctest.log
	echo "=== tests against the $2 build ==="
	( cd "$1" && ctest --output-on-failure -j 2 ) 2>&1 | tee "$log"
	[ "${PIPESTATUS[0]}" = 0 ] || status=1
	local sum
	sum=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
	local f t s
	f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$sum")
	t=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$sum")
	s=$(grep -cE '\(Skipped\)$' "$log")
	pass=$((pass + t - f - s)); failed=$((failed + f)); skipped=$((skipped + s))
}
run_ctest "$top/build/release" "static release"
run_ctest "$top/build/asan" "ASan+UBSan"

echo "=== lint ==="
if "$top/tests/lint.sh"; then pass=$((pass + 1)); else failed=$((failed + 1)); status=1; fi

echo "irsnap tests: $pass passed, $failed failed, $skipped skipped"
exit $status
