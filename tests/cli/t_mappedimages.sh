#!/bin/bash
# Code whose file is gone from every directory is kept (issue 14, item 6):
# a process loads a library from a memfd (memfd_create, then dlopen of
# /proc/self/fd/N: the fileless loader's way) and another that it then
# deletes. Their executable mappings are listed in every tool; irsnap also
# keeps their bytes (volatile/mapped-images/, through map_files), the same
# bytes as the library file, with its SHA-256, once per file.
. "$(dirname "$0")/lib.sh"
need_root "map_files can be opened by root only"
need python3; need jq; need sha256sum; need cmp
lib=
for l in /lib/x86_64-linux-gnu/libdl.so.2 /lib/aarch64-linux-gnu/libdl.so.2 /usr/lib64/libdl.so.2; do
	[ -f "$l" ] && lib=$l && break
done
[ -n "$lib" ] || skip "no small library (libdl.so.2) to load"
cp "$lib" "$T_DIR/libgone.so" && cp "$lib" "$T_DIR/orig.so"
want=$(sha256sum "$lib" | cut -d' ' -f1)
python3 -c '
import ctypes, os, sys, time
data = open(sys.argv[1], "rb").read()
fd = os.memfd_create("payload")
os.write(fd, data)
ctypes.CDLL("/proc/self/fd/%d" % fd)
ctypes.CDLL(sys.argv[2])
os.unlink(sys.argv[2])
open(sys.argv[3], "w").write("ok")
time.sleep(60)' "$lib" "$T_DIR/libgone.so" "$T_DIR/ready" & P=$!
for _ in $(seq 100); do [ -s "$T_DIR/ready" ] && break; sleep 0.05; done
[ -s "$T_DIR/ready" ] || { kill $P; fail "the loader did not start"; finish; }
collect m --profile minimal
kill $P
extract m || { fail "no bundle"; finish; }
R=$(jq -c "select(.pid == $P) | .mapped_images" "$BDIR/volatile/processes.jsonl")
expect "two mapped images: the memfd and the deleted library" \
	'[ "$(jq -r "map(.target | test(\"^/memfd:payload|/libgone.so \\\\(deleted\\\\)$\")) | join(\" \")" <<<"$R")" = "true true" ]'
expect "... each with the library's SHA-256 (as sha256sum says)" \
	'[ "$(jq -r "map(.sha256) | join(\" \")" <<<"$R")" = "$want $want" ]'
for k in 0 1; do
	m=$(jq -r ".[$k].member" <<<"$R")
	check "... image $k kept whole in $m, the library's bytes" cmp -s "$BDIR/$m" "$T_DIR/orig.so"
	expect "... and indexed with its SHA-256" \
		'[ "$(jq -r "select(.member == \"$m\") | .sha256" "$BDIR/index.jsonl")" = "$want" ]'
done
expect "run.json counts the copied bytes among the process images" \
	'[ "$(jq -r ".process_images.copied_bytes >= $(stat -c %s "$lib")" "$BDIR/run.json")" = true ]'
check "the bundle verifies" verifies "$OUT/m.tar"
finish
