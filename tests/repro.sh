#!/bin/bash
# repro.sh - reproducible builds (issue 23, item 2): the committed sources
# cloned into two folders of different names and path lengths, the static
# release binary built in each from nothing: the two binaries must be
# byte-identical, and `irsnap version` of each names the same commit and
# source hash, the commit being HEAD's. Then the media (media.sh) made from
# each binary with the same key: the two ISOs byte-identical too. Exit 77
# without git or a static toolchain; the builds take a few minutes.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
command -v git >/dev/null || { echo "repro: SKIP: no git"; exit 77; }
git -C "$top" rev-parse HEAD >/dev/null 2>&1 || { echo "repro: SKIP: not a git checkout"; exit 77; }
W=$(mktemp -d /tmp/irsnap-repro.XXXXXX)
trap 'rm -rf "$W"' EXIT
status=0
ok() { echo "ok   repro: $*"; }
bad() { echo "FAIL repro: $*"; status=1; }
head=$(git -C "$top" rev-parse HEAD)
for d in a "b-a-longer-folder-name"; do
	git clone -q "$top" "$W/$d" && git -C "$W/$d" checkout -q "$head" || { bad "clone"; exit 1; }
	cmake -S "$W/$d" -B "$W/$d/build" -DIRSNAP_STATIC=ON -DCMAKE_BUILD_TYPE=Release >/dev/null &&
		cmake --build "$W/$d/build" --target irsnap -j "$(nproc 2>/dev/null || echo 2)" >"$W/$d.log" 2>&1 ||
		{ bad "the static build in $d failed"; tail -n 20 "$W/$d.log"; exit 1; }
done
# the aarch64 binary too, where the cross toolchain is installed
arm=
if command -v aarch64-linux-gnu-gcc >/dev/null && [ -e /usr/lib/aarch64-linux-gnu/libarchive.a ]; then
	arm=yes
	for d in a "b-a-longer-folder-name"; do
		cmake -S "$W/$d" -B "$W/$d/build-arm" -DIRSNAP_STATIC=ON -DCMAKE_BUILD_TYPE=Release \
			-DCMAKE_TOOLCHAIN_FILE="$W/$d/static-tools/aarch64.cmake" >/dev/null &&
			cmake --build "$W/$d/build-arm" --target irsnap -j "$(nproc 2>/dev/null || echo 2)" \
				>"$W/$d.arm.log" 2>&1 || { bad "the aarch64 build in $d failed"; tail -n 20 "$W/$d.arm.log"; }
	done
	pa=$(sha256sum <"$W/a/build-arm/irsnap" | cut -c1-64)
	pb=$(sha256sum <"$W/b-a-longer-folder-name/build-arm/irsnap" | cut -c1-64)
	echo "repro: aarch64 $pa  $(stat -c %s "$W/a/build-arm/irsnap") bytes"
	[ "$pa" = "$pb" ] && ok "two aarch64 builds in two folders: the same binary" ||
		bad "the two aarch64 binaries differ"
else
	echo "repro: SKIP part: no aarch64 cross toolchain (deps.sh aarch64): its binary is not compared"
fi
A=$W/a/build/irsnap B=$W/b-a-longer-folder-name/build/irsnap
ha=$(sha256sum <"$A" | cut -c1-64) hb=$(sha256sum <"$B" | cut -c1-64)
echo "repro: $ha  $(stat -c %s "$A") bytes (a)"
echo "repro: $hb  $(stat -c %s "$B") bytes (b)"
if [ "$ha" = "$hb" ]; then ok "two builds in two folders: the same binary"; else
	bad "the two binaries differ"; cmp -l "$A" "$B" | head -n 5
fi
grep -qF "$W" "$A" && bad "the build folder's path is in the binary" || ok "no build path in the binary"
va=$("$A" version | sed -n 2p) vb=$("$B" version | sed -n 2p)
[ "$va" = "$vb" ] && [[ "$va" == "commit $head, source sha256 "* ]] &&
	ok "irsnap version names HEAD and the source hash ($va)" || bad "version: '$va' / '$vb'"
# the media, from each binary
if command -v xorriso >/dev/null && command -v minisign >/dev/null; then
	minisign -G -W -p "$W/team.pub" -s "$W/team.key" >/dev/null 2>&1 </dev/null
	for d in a b-a-longer-folder-name; do
		(cd "$W/$d" && static-tools/media.sh -o "$W/$d.iso" --sign-key "$W/team.key" \
			--x86_64 "$W/$d/build/irsnap" ${arm:+--aarch64 "$W/$d/build-arm/irsnap"} \
			--lab-pub "$W/team.pub") >/dev/null ||
			bad "media.sh in $d failed"
	done
	ia=$(sha256sum <"$W/a.iso" | cut -c1-64) ib=$(sha256sum <"$W/b-a-longer-folder-name.iso" | cut -c1-64)
	echo "repro: iso $ia $(stat -c %s "$W/a.iso") bytes"
	[ "$ia" = "$ib" ] && ok "the two ISOs are the same bytes" || bad "the two ISOs differ"
else
	echo "repro: SKIP part: no xorriso or minisign: the ISO is not compared"
fi
exit $status
