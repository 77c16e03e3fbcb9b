#!/bin/bash
# bench_image.sh - `irsnap image` of a block device against dd bs=1M and
# dc3dd (hash=sha256) on the same device: a loop device over an S_MIB
# (1024) MiB image of random bytes on a tmpfs, every output to a tmpfs,
# RUNS (3) interleaved runs, the first warming up when RUNS > 1. Reports
# MiB/s and peak RSS. irsnap does the most per byte: SHA-256, MD5 and
# SHA-1 of the image, the tar, the signature; dd hashes nothing, dc3dd
# SHA-256 only. Never a pass/fail on speed.
#
#   sudo tests/bench/bench_image.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
IRSNAP=${IRSNAP:-$top/build/release/irsnap}
S_MIB=${S_MIB:-1024}
RUNS=${RUNS:-3}
[ "$(id -u)" = 0 ] || { echo "bench: run as root"; exit 77; }
for c in losetup dd /usr/bin/time; do command -v "$c" >/dev/null || { echo "bench: needs $c"; exit 77; }; done
W=$(mktemp -d /tmp/irsnap-bench-image.XXXXXX)
mount -t tmpfs -o size=$((S_MIB * 3 + 512))m irsnap-bench "$W" || { rmdir "$W"; echo "bench: no tmpfs"; exit 77; }
L=
trap '[ -n "$L" ] && losetup -d "$L"; umount -l "$W"; rmdir "$W"' EXIT
head -c $((S_MIB << 20)) /dev/urandom >"$W/src.img"
L=$(losetup -f --show -r "$W/src.img") || exit 1
tools=(irsnap dd)
command -v dc3dd >/dev/null && tools+=(dc3dd)
one() {   # one TOOL RUN
	local o=$W/out.$1
	rm -f "$o"*
	case $1 in
	irsnap) /usr/bin/time -f '%e %M' -o "$W/$1.$2.t" "$IRSNAP" image "$L" -o "$o.tar" -q 2>/dev/null ;;
	dd) /usr/bin/time -f '%e %M' -o "$W/$1.$2.t" dd if="$L" of="$o" bs=1M 2>/dev/null ;;
	dc3dd) /usr/bin/time -f '%e %M' -o "$W/$1.$2.t" dc3dd if="$L" of="$o" hash=sha256 \
		log="$W/dc3dd.log" >/dev/null 2>&1 ;;
	esac
	rm -f "$o"*
}
for i in $(seq "$RUNS"); do
	for t in "${tools[@]}"; do one "$t" "$i"; done
done
first=1
[ "$RUNS" -gt 1 ] && first=2
printf '%-8s %10s %10s %12s\n' tool MiB/s "vs dd" peak_RSS_KiB
dd_rate=
for t in dd "${tools[@]}"; do
	[ "$t" = dd ] && [ -n "$dd_rate" ] && continue
	read -r rate rss < <(for i in $(seq "$first" "$RUNS"); do cat "$W/$t.$i.t"; done |
		awk -v s="$S_MIB" '{ e += $1; if ($2 > m) m = $2; n++ } END { printf "%.0f %d\n", s * n / e, m }')
	[ "$t" = dd ] && dd_rate=$rate
	printf '%-8s %10s %10s %12s\n' "$t" "$rate" "$(awk -v a="$rate" -v b="$dd_rate" 'BEGIN { printf "%.2f", a / b }')" "$rss"
done
