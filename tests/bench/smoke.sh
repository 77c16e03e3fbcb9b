#!/bin/bash
# smoke.sh - run every benchmark at its smallest scale, once, to prove it
# still works (CI). Speed is never judged here.
set -u
[ "${IRSNAP_BUILD:-}" = static ] || { echo "SKIP bench smoke: benchmarks measure the static release binary"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP bench smoke: the benchmarks need root"; exit 77; }
dir=$(cd "$(dirname "$0")" && pwd)
rc=0
run() {
	local name=$1; shift
	if env "$@" bash "$dir/$name" >"/tmp/irsnap-smoke-$$.log" 2>&1 && grep -q 'ratio\|files listed' "/tmp/irsnap-smoke-$$.log" && ! grep -q INCOMPLETE "/tmp/irsnap-smoke-$$.log"; then
		echo "ok   $name $*"
	else
		echo "FAIL $name $*"; tail -n 20 "/tmp/irsnap-smoke-$$.log"; rc=1
	fi
	rm -f "/tmp/irsnap-smoke-$$.log"
}
run bench_procs.sh N=20 RUNS=1
run bench_logins.sh R=200 RUNS=1
run bench_sockets.sh C=50 RUNS=1
run bench_logs.sh S_MIB=32 RUNS=1
run bench_tree.sh N=2000
run run.sh SCALES=idle EXTRA= RUNS=1
run bench_triage.sh RUNS=1 PROFILE=minimal "IRSNAP_BASE=${IRSNAP:-$dir/../../build/release/irsnap}"
exit $rc
