#!/bin/bash
# media.sh - the responder's read-only media as one ISO 9660 image (Rock
# Ridge and Joliet), reproducible: the same binaries, keys and commit give
# the same ISO bytes.
#
#   static-tools/media.sh -o irsnap-media.iso --sign-key team.minisign.key \
#       [--lab-pub lab.pub]... [--recipient age1...]... [--x86_64 BIN] [--aarch64 BIN]
#
# It holds irsnap-x86_64 (build/release/irsnap unless --x86_64 names one),
# irsnap-aarch64 when --aarch64 names one (or build/aarch64/irsnap exists),
# man/irsnap.1 and man/irsnap-bundle.5, RESPONDER.txt (the procedure and a
# paper-log form to print), lab/ (the lab's public keys and age recipients,
# if given), SHA256SUMS of every file, and SHA256SUMS.minisig: a minisign
# signature of SHA256SUMS by the team's key (minisign -G makes one), which
# a workstation checks with `minisign -Vm SHA256SUMS -p team.pub`.
# Reproducible: every file dated SOURCE_DATE_EPOCH (the commit's time
# unless set), owners and modes normalised (-r), the volume dated the same,
# and minisign's trusted comment fixed (not its default timestamp).
#
# On a USB stick: write the ISO whole (dd if=irsnap-media.iso of=/dev/sdX
# bs=4M conv=fsync), then set the stick's write-protect switch or mount it
# read-only (the ISO 9660 file system is read-only anyway).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out= key= x86= arm= pubs=() rcpts=()
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	--sign-key) key=$2; shift 2 ;;
	--lab-pub) pubs+=("$2"); shift 2 ;;
	--recipient) rcpts+=("$2"); shift 2 ;;
	--x86_64) x86=$2; shift 2 ;;
	--aarch64) arm=$2; shift 2 ;;
	-h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "media.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || { echo "media.sh: -o OUT.iso is needed" >&2; exit 2; }
[ -e "$out" ] && { echo "media.sh: '$out' exists: never replaced" >&2; exit 2; }
[ -n "$key" ] || { echo "media.sh: --sign-key (a minisign secret key) is needed" >&2; exit 2; }
for t in xorriso minisign sha256sum; do
	command -v "$t" >/dev/null || { echo "media.sh: needs $t (apt-get install xorriso minisign)" >&2; exit 2; }
done
x86=${x86:-$top/build/release/irsnap}
[ -z "$arm" ] && [ -x "$top/build/aarch64/irsnap" ] && arm=$top/build/aarch64/irsnap
[ -x "$x86" ] || { echo "media.sh: no x86_64 binary at '$x86' (static-tools/build.sh)" >&2; exit 2; }
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$top" log -1 --format=%ct 2>/dev/null || echo 0)
fi
export SOURCE_DATE_EPOCH
commit=$(git -C "$top" rev-parse HEAD 2>/dev/null || echo unknown)
version=$("$x86" version | sed -n '1s/^irsnap \([^ ]*\).*/\1/p')

W=$(mktemp -d /tmp/irsnap-media.XXXXXX)
trap 'rm -rf "$W"' EXIT
S=$W/tree
mkdir -p "$S/man" "$S/lab"
install -m 0755 "$x86" "$S/irsnap-x86_64"
[ -n "$arm" ] && install -m 0755 "$arm" "$S/irsnap-aarch64"
install -m 0644 "$top/static-tools/man/irsnap.1" "$top/static-tools/man/irsnap-bundle.5" "$S/man/"
for p in "${pubs[@]}"; do install -m 0644 "$p" "$S/lab/"; done
if [ "${#rcpts[@]}" -gt 0 ]; then printf '%s\n' "${rcpts[@]}" >"$S/lab/age-recipients.txt"; fi
rmdir "$S/lab" 2>/dev/null || true
{
	cat "$top/static-tools/RESPONDER.txt"
	echo
	echo "This media: irsnap $version, commit $commit"
	(cd "$S" && sha256sum irsnap-*)
} >"$S/RESPONDER.txt"
(cd "$S" && find . -type f | LC_ALL=C sort | sed 's|^\./||' | xargs sha256sum) >"$W/sums"
mv "$W/sums" "$S/SHA256SUMS"
minisign -S -s "$key" -m "$S/SHA256SUMS" -x "$S/SHA256SUMS.minisig" \
	-c "irsnap media, commit $commit" -t "irsnap $version media, commit $commit" </dev/null >/dev/null
find "$S" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
xorriso -as mkisofs -quiet -r -J -V "IRSNAP_${version//./_}" -o "$out" "$S" 2>/dev/null
echo "media.sh: $out ($(stat -c %s "$out") bytes), sha256 $(sha256sum <"$out" | cut -c1-64)"
