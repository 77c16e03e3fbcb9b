#!/bin/bash
# run.sh - the fault-injection pass (issue 13, item 11): build the ASan
# build with fault.c's seams (build/fault), count the calls a collection and
# each unit test make, then run them again with the Nth call failing, for
# every N up to FAULT_DENSE and for FAULT_SPARSE points spread over the
# rest, for each of malloc, read, write and open.
#
#   FAULT_DENSE   the first calls, every one (default 150)
#   FAULT_SPARSE  points over the rest (default 60)
#   FAULT_JOBS    parallel runs (default nproc)
#   FAULT_UNITS   0: the collection only, not the unit tests (default 1)
#
# A run passes when nothing crashed (no sanitizer report, no signal, no
# hang: 60 s) and it left no unsealed bundle: collect exits 0 or 1 with a
# bundle that verifies, or exits 2 or 3 with a one-line error and, if it
# had opened the output, a bundle that is sealed or says it is not
# ("incomplete and unsealed"). Unit tests may fail their checks (a
# failed allocation is what they see) but must not crash. Findings:
# build/fault/findings/<kind>-<N>.{err,cmd}. Exit 0, 1 (findings), 77.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
b=$top/build/fault
dense=${FAULT_DENSE:-150}
sparse=${FAULT_SPARSE:-60}
jobs=${FAULT_JOBS:-$(nproc 2>/dev/null || echo 2)}
cmake -S "$top" -B "$b" -DIRSNAP_FAULT=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
	cmake --build "$b" -j "$jobs" >/dev/null || { echo "fault: the build failed"; exit 1; }
w=$b/work
rm -rf "$w" "$b/findings"
mkdir -p "$w" "$b/findings"
export ASAN_OPTIONS=detect_leaks=0:exitcode=99:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:exitcode=99:print_stacktrace=1
printf 'profile fault\nstep sockets\nstep processes\nstep sessions\nstep netconfig\nstep kernel\nstep host\nstep accounts\nstep logins\ncopy /etc/hostname\ntree /etc/cron.d max-file 64K\n' >"$w/profile"

# points N: 1..dense, then `sparse` points spread evenly to the count
points() {   # points COUNT
	local n=$1 i
	for ((i = 1; i <= n && i <= dense; i++)); do echo $i; done
	if [ "$n" -gt "$dense" ]; then
		# above the dense ones only: a point twice would run twice at once,
		# each removing the other's output
		for ((i = 1; i <= sparse; i++)); do echo $((dense + (n - dense) * i / sparse)); done |
			awk -v d="$dense" '$1 > d' | sort -un
	fi
}

# one collection with KIND:N failing
one_collect() {   # one_collect KIND N
	local k=$1 n=$2 o=$w/c-$1-$2
	IRSNAP_FAULT="$k:$n" timeout -s KILL 60 "$b/irsnap" collect -o "$o.tar" --allow-host-output \
		--profile "$w/profile" >/dev/null 2>"$o.err"
	local rc=$? why=
	if [ $rc = 99 ] || grep -q 'AddressSanitizer\|runtime error:\|LeakSanitizer' "$o.err"; then
		why="a sanitizer report"
	elif [ $rc -ge 128 ]; then
		why="killed by signal $((rc - 128))"
	elif [ $rc -le 1 ]; then
		[ -s "$o.tar" ] && "$b/irsnap" verify "$o.tar" >"$o.verify" 2>&1 ||
			{ why="exit $rc but the bundle does not verify"; cp "$o.verify" "$b/findings/collect-$k-$n.verify" 2>/dev/null; }
	elif [ -e "$o.tar" ] && ! "$b/irsnap" verify "$o.tar" >/dev/null 2>&1 &&
		! grep -q 'incomplete and unsealed\|holds no sealed bundle' "$o.err"; then
		why="exit $rc, an unsealed bundle that does not say so"
	elif [ -z "$(grep '^irsnap: ' "$o.err" | head -n 1)" ]; then
		why="exit $rc with no message"
	fi
	if [ -n "$why" ]; then
		cp "$o.err" "$b/findings/collect-$k-$n.err"
		echo "collect $k:$n: $why" >"$b/findings/collect-$k-$n.why"
	fi
	rm -f "$o.tar" "$o.err" "$o.verify"
}

one_unit() {   # one_unit BINARY KIND N
	local t=$1 k=$2 n=$3 o=$w/u-$(basename "$1")-$2-$3
	IRSNAP_FAULT="$k:$n" timeout -s KILL 60 "$t" >/dev/null 2>"$o.err"
	local rc=$?
	if [ $rc = 99 ] || [ $rc -ge 128 ] || grep -q 'AddressSanitizer\|runtime error:' "$o.err"; then
		cp "$o.err" "$b/findings/$(basename "$t")-$k-$n.err"
		echo "$(basename "$t") $k:$n: exit $rc" >"$b/findings/$(basename "$t")-$k-$n.why"
	fi
	rm -f "$o.err"
}
export -f one_collect one_unit
export b w

count() {   # count CMD...: the calls of each kind, as "malloc N read N ..."
	IRSNAP_FAULT_COUNT=$w/count "$@" >/dev/null 2>&1
	tr '\n' ' ' <"$w/count" 2>/dev/null
}

runs=0
c=$(count "$b/irsnap" collect -o "$w/count.tar" --allow-host-output --profile "$w/profile")
rm -f "$w/count.tar"
echo "fault: a collection makes: $c"
case $c in *malloc*) ;; *) echo "FAIL fault: the calls of a collection could not be counted"; exit 1 ;; esac
for k in malloc read write open; do
	total=$(awk -v k=$k '{for (i = 1; i < NF; i += 2) if ($i == k) print $(i + 1)}' <<<"$c")
	for n in $(points "${total:-0}"); do echo "one_collect $k $n"; done
done >"$w/jobs"
for t in "$b"/tests/unit_*; do
	[ -x "$t" ] && [ "${FAULT_UNITS:-1}" != 0 ] || continue
	c=$(count "$t")
	for k in malloc read open; do
		total=$(awk -v k=$k '{for (i = 1; i < NF; i += 2) if ($i == k) print $(i + 1)}' <<<"$c")
		for n in $(points "${total:-0}"); do echo "one_unit $t $k $n"; done
	done
done >>"$w/jobs"
runs=$(wc -l <"$w/jobs")
xargs -P "$jobs" -I{} bash -c '{}' <"$w/jobs"
found=$(ls "$b/findings"/*.why 2>/dev/null | wc -l)
if [ "$found" -gt 0 ]; then
	echo "FAIL fault: $found of $runs runs crashed or left an unsealed bundle:"
	cat "$b/findings"/*.why | head -n 40
	exit 1
fi
echo "ok   fault: $runs runs with one failing call each (malloc, read, write, open), no crash, no unsealed bundle"
