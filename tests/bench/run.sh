#!/bin/bash
# run.sh - the benchmark a responder can rerun: irsnap against the shell
# triage they would otherwise type, on the same machine, same state,
# interleaved run by run, at several scales.
#
#   sudo tests/bench/run.sh                 # default scales, ~5-10 min on 2 cores
#   SCALES="idle small" RUNS=3 tests/bench/run.sh
#
# Scales: idle (no added load); small = 2,000 processes + 10,000 sockets;
# large = 8,000 processes + 50,000 sockets. Then the wtmp (100,000 records)
# and logs (1 GiB) scales through bench_logins.sh and bench_logs.sh, and the
# 1M-file timeline (with the HTML report and export of its bundle) through
# bench_timeline.sh, and package verification against dpkg -V and debsums
# through bench_packages.sh, and against rpm -Va (a 1.5 GB test root)
# through bench_rpm.sh.
# The load is created here and exactly it is removed afterwards.
#
# For each process/socket scale it reports medians of: irsnap's volatile
# snapshot (sockets, processes, sessions; its own --stats skew) and the shell
# triage (ps -eLf, ss -tanpu, ss -xap, lsof -n -P, who -a, last -F, lastb -F,
# then tar -cf + sha256sum of the outputs and of /var/log), with maximum RSS
# and the ratio irsnap / triage. Never a pass/fail on speed.
#
# IRSNAP_BASE=/path/to/an/older/irsnap runs that build's volatile snapshot
# too, interleaved, and reports this build's time and skew against it (what
# a change costs, measured in the same run on the same load).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
IRSNAP=${IRSNAP:-$top/build/release/irsnap}
RUNS=${RUNS:-3}
SCALES=${SCALES:-"idle small large"}
EXTRA=${EXTRA-"logins logs timeline packages rpm"}
[ "$(id -u)" = 0 ] || { echo "bench: run as root (ss -p, lsof and the load need it)"; exit 77; }
for t in ps ss lsof who last lastb tar sha256sum python3; do
	command -v $t >/dev/null || { echo "bench: needs $t"; exit 77; }
done
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time"; exit 77; }
W=$(mktemp -d /tmp/irsnap-bench.XXXXXX)
GROUPS_=()
cleanup() {
	{ for g in "${GROUPS_[@]}"; do kill -9 -- "-$g"; kill -9 "$g"; done; wait; } 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
PER=4000   # connections per holder process (fd limits)
ulimit -n $(( PER * 2 + 256 )) 2>/dev/null || true

load() {   # load PROCS CONNS: sleeping processes and loopback connections
	local procs=$1 conns=$2 k=0
	while [ "$procs" -gt 0 ]; do
		local c=$(( procs < 500 ? procs : 500 ))
		setsid python3 - "$c" "$k" <<'PY' &
import os, sys, threading, time
count, off = int(sys.argv[1]), int(sys.argv[2]) * 500
for i in range(count):
    if os.fork() == 0:
        if (off + i) % 10 == 0:
            for _ in range(2): threading.Thread(target=time.sleep, args=(100000,), daemon=True).start()
        sys.argv[:] = [f'worker-{off + i}', '--conf', f'/etc/app/{(off + i) % 7}.conf']
        time.sleep(100000); os._exit(0)
time.sleep(100000)
PY
		GROUPS_+=($!); procs=$((procs - c)); k=$((k + 1))
	done
	while [ "$conns" -gt 0 ]; do
		local c=$(( conns < PER ? conns : PER ))
		setsid python3 - "$c" "$W/ready.$k" <<'PY' &
import socket, struct, sys, time
c = int(sys.argv[1]); l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(4096); keep = []
for i in range(c):
    a = socket.create_connection(l.getsockname()); b, _ = l.accept(); keep += [a, b]
    for x in (a, b):   # reset on exit: no TIME_WAIT left to skew the next run
        x.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); u.bind(sys.argv[2] + '.sock'); u.listen(1)
d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); d.bind(('127.0.0.1', 0)); keep += [u, d]
open(sys.argv[2], 'w').write('ok'); time.sleep(100000)
PY
		GROUPS_+=($!); conns=$((conns - c)); k=$((k + 1))
	done
	for _ in $(seq 1 1200); do
		[ "$(ls "$W" | grep -c '^ready\.[0-9]*$')" -ge "$(( $2 == 0 ? 0 : ($2 + PER - 1) / PER ))" ] &&
			[ "$(ps -e --no-headers | wc -l)" -ge "$1" ] && break
		sleep 0.1
	done
}
unload() {
	{ for g in "${GROUPS_[@]}"; do kill -9 -- "-$g"; kill -9 "$g"; done; wait; } 2>/dev/null
	GROUPS_=(); rm -f "$W"/ready.*
}

printf 'profile bench-volatile\nstep sockets\nstep processes\nstep sessions\n' >"$W/volatile.profile"
triage() {
	local o=$W/triage
	rm -rf "$o" && mkdir -p "$o" && cd "$o" &&
	ps -eLf >ps.txt; ss -tanpu >ss-inet.txt; ss -xap >ss-unix.txt; lsof -n -P >lsof.txt 2>/dev/null
	who -a >who.txt; last -F >last.txt 2>&1; lastb -F >lastb.txt 2>&1
	tar -cf - . /var/log 2>/dev/null | sha256sum >/dev/null
	cd "$W"
}
export -f triage
export W

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
spread() { sort -n | awk '{v[NR]=$1} END {printf "%s-%s", v[1], v[NR]}'; }   # min-max of the runs
for scale in $SCALES; do
	case $scale in
	idle) P=0; C=0 ;;
	small) P=2000; C=5000 ;;
	large) P=8000; C=25000 ;;
	*) echo "bench: unknown scale $scale"; continue ;;
	esac
	load "$P" "$C"
	n=$(ps -e --no-headers | wc -l); s=$(ss -tan | wc -l)
	rm -f "$W"/*.times
	for i in $(seq 1 "$RUNS"); do
		# to a pipe: collect refuses a stdout that is /dev/null (nothing would be kept)
		/usr/bin/time -f '%e %M' -o "$W/t" "$IRSNAP" collect -o - --profile "$W/volatile.profile" --stats \
			2>"$W/irs.err" | cat >"$W/vol.tar"
		cat "$W/t" >>"$W/irsnap.times"
		sed -n 's/^irsnap: stats: volatile snapshot skew \([0-9.]*\) s.*/\1/p' "$W/irs.err" >>"$W/skew.times"
		sed -n 's/^irsnap: stats: findings checks \([0-9.]*\) s.*/\1/p' "$W/irs.err" >>"$W/checks.times"
		/usr/bin/time -f '%e %M' -o "$W/t" bash -c triage
		cat "$W/t" >>"$W/triage.times"
		if [ -n "${IRSNAP_BASE:-}" ]; then
			/usr/bin/time -f '%e %M' -o "$W/t" "$IRSNAP_BASE" collect -o - \
				--profile "$W/volatile.profile" --stats 2>"$W/base.err" | cat >/dev/null
			cat "$W/t" >>"$W/base.times"
			sed -n 's/^irsnap: stats: volatile snapshot skew \([0-9.]*\) s.*/\1/p' "$W/base.err" \
				>>"$W/baseskew.times"
		fi
	done
	it=$(awk '{print $1}' "$W/irsnap.times" | median); im=$(awk '{print $2}' "$W/irsnap.times" | median)
	tt=$(awk '{print $1}' "$W/triage.times" | median); tm=$(awk '{print $2}' "$W/triage.times" | median)
	sk=$(median <"$W/skew.times")
	printf '\n%s: %s processes, %s TCP sockets, %s runs\n' "$scale" "$n" "$s" "$RUNS"
	printf '  %-44s %8s s %10s KiB\n' "irsnap volatile snapshot (skew $sk s)" "$it" "$im"
	printf '  %-44s %8s s   skew %s s\n' "... each run, min-max" \
		"$(awk '{print $1}' "$W/irsnap.times" | spread)" "$(spread <"$W/skew.times")"
	if [ -s "$W/checks.times" ]; then
		ck=$(median <"$W/checks.times")
		printf '  %-44s %8s s   (%s%% of the snapshot)\n' "of which the findings checks" "$ck" \
			"$(awk -v a="$ck" -v b="$it" 'BEGIN {printf "%.1f", 100 * a / b}')"
	fi
	printf '  %-44s %8s s %10s KiB\n' "shell triage (ps, ss, lsof, who, last, tar)" "$tt" "$tm"
	printf '  %-44s %8s s\n' "... each run, min-max" "$(awk '{print $1}' "$W/triage.times" | spread)"
	printf '  %-44s %8s\n' "ratio triage / irsnap, each run, min-max" \
		"$(paste "$W/irsnap.times" "$W/triage.times" | awk '{printf "%.2f\n", $3 / $1}' | spread)"
	printf '  %-44s %8s   %10s\n' "ratio irsnap / triage" \
		"$(awk -v a="$it" -v b="$tt" 'BEGIN {printf "%.2f", a / b}')" \
		"$(awk -v a="$im" -v b="$tm" 'BEGIN {printf "%.2f", a / b}')"
	if [ -n "${IRSNAP_BASE:-}" ]; then
		bt=$(awk '{print $1}' "$W/base.times" | median); bm=$(awk '{print $2}' "$W/base.times" | median)
		bs=$(median <"$W/baseskew.times")
		printf '  %-44s %8s s %10s KiB\n' "IRSNAP_BASE volatile snapshot (skew $bs s)" "$bt" "$bm"
		printf '  %-44s %8s   %10s   skew %s\n' "ratio irsnap / IRSNAP_BASE" \
			"$(awk -v a="$it" -v b="$bt" 'BEGIN {printf "%.2f", a / b}')" \
			"$(awk -v a="$im" -v b="$bm" 'BEGIN {printf "%.2f", a / b}')" \
			"$(awk -v a="$sk" -v b="$bs" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}')"
	fi
	# the investigator's side, on the last bundle (one run each): export and report
	rm -f "$W/case.db" "$W/case.db-wal" "$W/case.db-shm" "$W/tl.jsonl"
	/usr/bin/time -f '%e %M' -o "$W/t" "$IRSNAP" export --sqlite "$W/case.db" \
		--timesketch "$W/tl.jsonl" "$W/vol.tar" >"$W/exp.out" 2>/dev/null
	printf '  %-44s %8s s %10s KiB   (%s)\n' "export --sqlite --timesketch, one bundle" \
		$(cat "$W/t") "$(sed -n 's/^exported: .*: \(.*\) (bundle .*/\1/p' "$W/exp.out")"
	/usr/bin/time -f '%e %M' -o "$W/t" "$IRSNAP" report --text "$W/vol.tar" >"$W/report.txt" 2>/dev/null
	printf '  %-44s %8s s %10s KiB   (%s bytes)\n' "report --text, one bundle" $(cat "$W/t") \
		"$(wc -c <"$W/report.txt")"
	rm -f "$W/report.html"
	/usr/bin/time -f '%e %M' -o "$W/t" "$IRSNAP" report -o "$W/report.html" "$W/vol.tar" 2>/dev/null
	printf '  %-44s %8s s %10s KiB   (%s bytes)\n' "report -o page.html, one bundle" $(cat "$W/t") \
		"$(stat -c %s "$W/report.html" 2>/dev/null)"
	if command -v chromium >/dev/null; then   # the page opened: load, layout, its script
		CDP_NO_SHOTS=1 python3 "$top/tests/cli/cdp.py" "$W/report.html" "$W/shots" \
			'document.querySelectorAll("li").length' >"$W/cdp.json" 2>/dev/null
		printf '  %-44s %8s s   (%s processes in the tree)\n' \
			"headless Chromium: navigation to load event" \
			"$(jq -r .load_seconds "$W/cdp.json" 2>/dev/null)" "$(jq -r .result "$W/cdp.json" 2>/dev/null)"
	fi
	unload
	if [ "$scale" != idle ]; then
		echo "  each peer alone against the matching irsnap source (its own load):"
		N=$P RUNS=$RUNS IRSNAP=$IRSNAP bash "$top/tests/bench/bench_procs.sh" 2>/dev/null | sed -n '/runs/,$p' | sed 's/^/    /'
		C=$C RUNS=$RUNS IRSNAP=$IRSNAP bash "$top/tests/bench/bench_sockets.sh" 2>/dev/null | sed -n '/runs/,$p' | sed 's/^/    /'
	fi
done
for e in $EXTRA; do
	case $e in
	logins) echo; RUNS=$RUNS IRSNAP=$IRSNAP bash "$top/tests/bench/bench_logins.sh" 2>/dev/null ;;
	logs) echo; RUNS=$RUNS IRSNAP=$IRSNAP bash "$top/tests/bench/bench_logs.sh" 2>/dev/null ;;
	timeline) echo; RUNS=$RUNS IRSNAP=$IRSNAP bash "$top/tests/bench/bench_timeline.sh" 2>/dev/null ;;
	packages) echo; RUNS=$RUNS IRSNAP=$IRSNAP bash "$top/tests/bench/bench_packages.sh" 2>/dev/null ;;
	rpm) echo; RUNS=$RUNS IRSNAP=$IRSNAP bash "$top/tests/bench/bench_rpm.sh" 2>/dev/null ;;
	esac
done
echo
echo "static binary: $(stat -c %s "$IRSNAP") bytes"
