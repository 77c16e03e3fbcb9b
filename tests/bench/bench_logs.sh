#!/bin/bash
# bench_logs.sh - copying and hashing S bytes of logs into a bundle, against
# `tar -cf` + `sha256sum` of the same tree and `openssl dgst -sha256`,
# interleaved; at S/4 and S to show that irsnap's memory does not grow
# with the size of what it collects.
#
#   IRSNAP=build/release/irsnap S_MIB=1024 RUNS=3 tests/bench/bench_logs.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
IRSNAP=${IRSNAP:-$top/build/release/irsnap}
S_MIB=${S_MIB:-1024}
RUNS=${RUNS:-3}
for t in tar sha256sum openssl python3; do command -v $t >/dev/null || { echo "bench: needs $t"; exit 77; }; done
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time"; exit 77; }
W=$(mktemp -d /tmp/irsnap-bench-logs.XXXXXX)
# a test recipient (its identity is the fuzz target's, never a real one)
AGE_TEST_RECIPIENT=age1ezy3jxyt3nlrfuqks6znydau96k00w03khnva6qha2m4k8z54chqcpsdfk
trap 'rm -rf "$W"' EXIT

make_logs() {   # make_logs DIR MIB: files of 16 MiB of log-like text
	mkdir -p "$1"
	python3 - "$1" "$2" <<'PY'
import os, random, sys
d, mib = sys.argv[1], int(sys.argv[2])
random.seed(7)
line = lambda i: f'Nov 26 18:{i % 60:02d}:{i % 59:02d} host sshd[{1000 + i % 9000}]: Accepted publickey for user{i % 50} from 10.0.{i % 250}.{i % 200} port {1024 + i % 60000} ssh2\n'
block = ''.join(line(i) for i in range(200000)).encode()
for n in range(max(1, mib // 16)):
    with open(os.path.join(d, f'auth.log.{n}'), 'wb') as f:
        left = 16 << 20
        while left > 0:
            f.write(block[:left]); left -= min(left, len(block))
PY
}
report() {   # report LABEL DIR
	local d=$2 mib
	mib=$(du -sm "$d" | cut -f1)
	printf 'profile bench-logs\ntree %s max-file 4G max-total 64G\n' "$d" >"$W/p.profile"
	rm -f "$W"/*.times
	for i in $(seq 1 "$RUNS"); do
		/usr/bin/time -f '%e %M' -o "$W/t" sh -c "'$IRSNAP' collect -o - --profile '$W/p.profile' 2>/dev/null | cat >/dev/null"
		cat "$W/t" >>"$W/irsnap.times"
		# the same, compressed, and encrypted to a test recipient (age)
		/usr/bin/time -f '%e %M' -o "$W/t" sh -c "'$IRSNAP' collect --compress zstd -o - --profile '$W/p.profile' 2>/dev/null | cat >/dev/null"
		cat "$W/t" >>"$W/zstd.times"
		/usr/bin/time -f '%e %M' -o "$W/t" sh -c "'$IRSNAP' collect --encrypt-to $AGE_TEST_RECIPIENT -o - --profile '$W/p.profile' 2>/dev/null | cat >/dev/null"
		cat "$W/t" >>"$W/age.times"
		/usr/bin/time -f '%e %M' -o "$W/t" sh -c "tar -cf - -C '$d' . | sha256sum >/dev/null"
		cat "$W/t" >>"$W/tar.times"
		/usr/bin/time -f '%e %M' -o "$W/t" sh -c "sha256sum '$d'/* >/dev/null"
		cat "$W/t" >>"$W/sha256sum.times"
		/usr/bin/time -f '%e %M' -o "$W/t" sh -c "openssl dgst -sha256 '$d'/* >/dev/null"
		cat "$W/t" >>"$W/openssl.times"
	done
	median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
	col() { awk -v c="$2" '{print $c}' "$W/$1.times"; }
	local it im
	it=$(col irsnap 1 | median); im=$(col irsnap 2 | median)
	printf '\n%-34s %8s %10s %12s %10s\n' "$1: $mib MiB, $RUNS runs" "median s" "MiB/s" "max RSS KiB" "s ratio"
	printf '%-34s %8s %10s %12s\n' "irsnap collect (tree, to a pipe)" "$it" \
		"$(awk -v m="$mib" -v t="$it" 'BEGIN {printf "%.0f", m / t}')" "$im"
	# each run against the openssl run beside it: the spread of the ratio
	printf '%-34s %s\n' "irsnap / openssl MiB/s, each run" \
		"$(paste "$W/irsnap.times" "$W/openssl.times" | awk '{printf "%.0f%% ", 100 * $3 / $1}')"
	for p in zstd age tar sha256sum openssl; do
		local t m name
		t=$(col $p 1 | median); m=$(col $p 2 | median)
		case $p in tar) name="tar -cf | sha256sum" ;; sha256sum) name="sha256sum of the files" ;;
			openssl) name="openssl dgst -sha256 of the files" ;;
			zstd) name="irsnap collect --compress zstd" ;;
			age) name="irsnap collect --encrypt-to (age)" ;; esac
		printf '%-34s %8s %10s %12s %10s\n' "$name" "$t" \
			"$(awk -v m="$mib" -v t="$t" 'BEGIN {printf "%.0f", m / t}')" "$m" \
			"$(awk -v a="$it" -v b="$t" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}')"
	done
}
make_logs "$W/small" $(( S_MIB / 4 ))
report "S/4" "$W/small"
rm -rf "$W/small"
make_logs "$W/large" "$S_MIB"
report "S" "$W/large"
echo "(s ratio = irsnap / peer; irsnap also archives every byte and writes the index)"
