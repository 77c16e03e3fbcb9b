#!/bin/bash
# Sparse deleted executables cannot flood the bundle (issue 14, item 5):
# four 300 MB executables that are almost all hole (a copy of sleep, then
# truncate -s 300M), run and deleted. The copies skip the holes (the hole
# map in the index), exe_sha256 is the whole file's (as sha256sum says of
# it), and the process images share one total (profile `images`): once it
# is spent the rest are hashed only, each saying why, and run.json counts
# them.
. "$(dirname "$0")/lib.sh"
need_root "running deleted executables of other processes is read as root"
need sha256sum; need jq; need truncate

mkdir -p "$T_DIR/bin"
pids=() sums=()
for i in 1 2 3 4; do
	f=$T_DIR/bin/payload$i
	cp /bin/sleep "$f" && truncate -s 300M "$f" && chmod +x "$f" || skip "cannot make a sparse file here"
	sums+=("$(sha256sum "$f" | cut -d' ' -f1)")
done
data=$(( $(stat -c %b "$T_DIR/bin/payload1") * 512 ))
[ "$data" -lt $((1 << 20)) ] || skip "this file system does not keep holes ($data bytes for 300 MB)"
for i in 1 2 3 4; do
	"$T_DIR/bin/payload$i" 600 & pids+=($!)
done
sleep 0.3
rm -f "$T_DIR"/bin/payload*
# room for one image and a half: one copied at most, the rest hashed only
total=$(( data * 3 / 2 ))
printf 'profile sparse\nimages %s\nstep processes\n' "$total" >"$T_DIR/p.profile"
"$IRSNAP" collect -o "$OUT/s.tar" --allow-host-output --profile "$T_DIR/p.profile" 2>"$OUT/s.err"
rc=$?
# and with room for all (the default total): each copied without its holes
printf 'profile sparse\nstep processes\n' >"$T_DIR/all.profile"
"$IRSNAP" collect -o "$OUT/a.tar" --allow-host-output --profile "$T_DIR/all.profile" 2>"$OUT/a.err"
# and with the images' time spent after the first (each 300 MB hash takes
# longer than 100 ms): the others neither hashed nor copied, saying why
printf 'profile sparse\nimages 1G 100ms\nstep processes\n' >"$T_DIR/time.profile"
"$IRSNAP" collect -o "$OUT/t.tar" --allow-host-output --profile "$T_DIR/time.profile" 2>"$OUT/t.err"
trc=$?
kill "${pids[@]}" 2>/dev/null
check "images' time spent: collect exits partial (1; got $trc)" [ "$trc" = 1 ]
if extract t; then
	n=$(jq -r "select(.deleted_exe_missing == \"not read: the process images' time is spent (profile 'images')\") | .pid" \
		"$BDIR/volatile/processes.jsonl" | grep -cxE "$(IFS='|'; echo "${pids[*]}")")
	check "... at least three payloads left out for time, saying so (got $n)" [ "$n" -ge 3 ]
	expect "... run.json: the images' time, what was used, how many left out for it" \
		'[ "$(jq -r ".process_images | [.seconds, (.seconds_used >= 0.1), (.left_out_for_time >= 3)] | map(tostring) | join(\" \")" "$BDIR/run.json")" = "0.1 true true" ]'
else
	fail "no bundle with the images' time spent"
fi
if extract a; then
	for k in 0 1 2 3; do
		m=$(jq -r "select(.pid == ${pids[$k]}) | .deleted_exe_member" "$BDIR/volatile/processes.jsonl")
		expect "room for all: payload $((k + 1)) copied without its holes (the index's hole map: 300 MB, data only)" \
			'[ "$(jq -r "select(.member == \"$m\") | [.sparse.size, (.sparse.data_bytes < 1048576), (.sparse.extents | length > 0), (.bytes == .sparse.data_bytes)] | join(\" \")" "$BDIR/index.jsonl")" = "314572800 true true true" ]'
	done
	asize=$(stat -c %s "$OUT/a.tar")
	check "... and that bundle stays small too (got $asize bytes for 1.2 GB of images)" [ "$asize" -lt $((20 << 20)) ]
else
	fail "no bundle with room for all"
fi
check "collect exits partial: images were left out (1; got $rc)" [ "$rc" = 1 ]
extract s || { fail "no bundle"; tail -n 5 "$OUT/s.err"; finish; }
check "the bundle verifies" verifies "$OUT/s.tar"
J=$BDIR/volatile/processes.jsonl
copied=0 left=0
for k in 0 1 2 3; do
	p=${pids[$k]} want=${sums[$k]}
	rec=$(jq -c "select(.pid == $p)" "$J")
	expect "payload $((k + 1)): exe_deleted, and exe_sha256 is the whole file's (sha256sum)" \
		'[ "$(jq -r "[.exe_deleted, .exe_sha256] | join(\" \")" <<<"$rec")" = "true $want" ]'
	if [ "$(jq -r '.deleted_exe_member // empty' <<<"$rec")" ]; then
		copied=$((copied + 1)); m=$(jq -r .deleted_exe_member <<<"$rec")
		expect "... copied without its holes: the index's hole map (300 MB, data only)" \
			'[ "$(jq -r "select(.member == \"$m\") | [.sparse.size, (.sparse.data_bytes < 1048576), (.sparse.extents | length > 0), (.bytes == .sparse.data_bytes)] | join(\" \")" "$BDIR/index.jsonl")" = "314572800 true true true" ]'
	else
		left=$((left + 1))
		expect "... left out, saying why (the images' total of $total)" \
			'jq -r .deleted_exe_missing <<<"$rec" | grep -q "total of $total (profile .images.); hashed only"'
	fi
done
# the total is the host's: another process's image (a memfd, a deleted
# file held open) may come first and take it
check "at most one image copied (got $copied)" [ "$copied" -le 1 ]
check "... the others left out (got $left of $((4 - copied)))" [ "$left" = $((4 - copied)) ]
expect "run.json: the images' total, what was copied, how many left out (these three at least)" \
	'[ "$(jq -r ".process_images | [.total_bytes, (.copied_bytes <= .total_bytes), (.left_out >= 3), .total_hit] | join(\" \")" "$BDIR/run.json")" = "$total true true true" ]'
size=$(stat -c %s "$OUT/s.tar")
check "the bundle stays small (got $size bytes, not 300 MB per image)" [ "$size" -lt $((20 << 20)) ]
finish
