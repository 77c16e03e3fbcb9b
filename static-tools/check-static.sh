#!/bin/bash
# check-static.sh BINARY - prove the release binary loads nothing from the
# host: no INTERP program header (no dynamic loader), no NEEDED entry (no
# shared library); report its size and SHA-256 for the media's label.
set -u
bin=${1:?usage: check-static.sh BINARY}
[ -x "$bin" ] || { echo "check-static: '$bin' is not an executable" >&2; exit 1; }
rc=0
if readelf -lW "$bin" | grep -q INTERP; then
	echo "check-static: FAIL: '$bin' has an INTERP header (it needs a dynamic loader)" >&2; rc=1
fi
if readelf -dW "$bin" 2>/dev/null | grep -q NEEDED; then
	echo "check-static: FAIL: '$bin' needs shared libraries:" >&2
	readelf -dW "$bin" | grep NEEDED >&2; rc=1
fi
size=$(stat -c %s "$bin")
echo "check-static: $bin: no INTERP, no NEEDED: $( [ $rc = 0 ] && echo yes || echo NO )"
echo "check-static: size $size bytes ($(( (size + 524287) / 1048576 )) MiB rounded)"
echo "check-static: sha256 $(sha256sum "$bin" | cut -d' ' -f1)"
exit $rc
