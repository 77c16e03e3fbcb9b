#!/bin/bash
# --file: a copied file keeps its atime (O_NOATIME); a FIFO, a symlink to
# /dev/zero and a device are refused without hanging and recorded; files the
# collector may not read are recorded as errors and the run goes on; hostile
# names are percent-encoded in the tar and exact in the index.
. "$(dirname "$0")/lib.sh"
need jq; need stat; need tar

D=$T_DIR/src
mkdir -p "$D"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o relatime irsnap-src "$D" 2>/dev/null; then
	T_MOUNTS+=("$D")
fi
# relatime updates atime when it is older than mtime: make such a file
echo "evidence" >"$D/old-atime"
echo "evidence" >"$D/control"
touch -a -d '2001-02-03 04:05:06' "$D/old-atime" "$D/control"
cat "$D/control" >/dev/null
if [ "$(stat -c %X "$D/control")" = "$(stat -c %X "$D/old-atime")" ]; then
	echo "note: this file system does not update atime on read; the atime check cannot fail here"
fi
before=$(stat -c %X "$D/old-atime")
mkfifo "$D/fifo"
ln -s /dev/zero "$D/zero-link"
name=$(printf 'hostile\nname \033[31m\xff\xfe %%.txt')
echo hostile >"$D/$name"

timeout 60 "$IRSNAP" collect -o "$OUT/f.tar" "${OUT_FLAGS[@]}" --profile "$FAST_PROFILE" --file "$D/old-atime" \
	--file "$D/fifo" --file "$D/zero-link" --file /dev/null --file "$D/$name" \
	--file "$D/does-not-exist" 2>"$OUT/f.err"
RC=$?
check "collect with refused files exits 1 and does not hang (got $RC)" [ "$RC" = 1 ]
check "the copied file's atime did not change" [ "$(stat -c %X "$D/old-atime")" = "$before" ]
extract f || { fail "cannot extract"; finish; }
idx=$BDIR/index.jsonl
q() { jq -r --arg s "$1" "select(.source == \$s) | $2" "$idx"; }
check "the copy is byte-identical" cmp -s "$BDIR/fs${D}/old-atime" "$D/old-atime"
check "the index says O_NOATIME was used" [ "$(q "$D/old-atime" .noatime)" = true ]
check "the index keeps the pre-read atime" [ "$(q "$D/old-atime" .stat.atime)" = "2001-02-03T04:05:06.000000000Z" ]
check "the FIFO is refused and recorded" [ "$(q "$D/fifo" '.status + " " + .stat.type')" = "error fifo" ]
check "the FIFO has no member" [ "$(q "$D/fifo" .member)" = null ]
check "the symlink to /dev/zero is refused with its target" \
	[ "$(q "$D/zero-link" '.status + " " + .kind + " " + .link_target')" = "error symlink /dev/zero" ]
check "the device /dev/null is refused" [ "$(q /dev/null '.status + " " + .stat.type')" = "error char-device" ]
check "the missing file is an error with ENOENT" [ "$(q "$D/does-not-exist" '.status + " " + .error')" = "error ENOENT" ]
check "run.json counts the 4 failures" [ "$(jq -r .counts.failed "$BDIR/run.json")" = 4 ]

# hostile name: exact bytes in source_b64, a safe member name, same content
rec=$(jq -c 'select(.source_b64 != null)' "$idx")
check "the hostile name's exact bytes are in source_b64" \
	[ "$(jq -r .source_b64 <<<"$rec" | base64 -d | od -An -tx1)" = "$(printf '%s' "$D/$name" | od -An -tx1)" ]
member=$(jq -r .member <<<"$rec")
check "the hostile member name is ASCII-safe" bash -c "printf '%s' '$member' | LC_ALL=C grep -Eqx '[A-Za-z0-9._/%-]+'"
check "the hostile member holds the file" cmp -s "$BDIR/$member" "$D/$name"
check "the work log has no raw control byte" bash -c "! LC_ALL=C tr -d '\n' <'$BDIR/acquisition.log' | LC_ALL=C grep -q '[[:cntrl:]]'"
check "the work log has no invalid UTF-8" bash -c "iconv -f UTF-8 -t UTF-8 '$BDIR/acquisition.log' >/dev/null"
check "the bundle verifies" verifies "$OUT/f.tar"

# without root: what cannot be read is recorded, the run goes on
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$T_DIR/nr" && chmod 777 "$T_DIR/nr" "$T_DIR"
	echo secret >"$T_DIR/secret" && chmod 600 "$T_DIR/secret"
	# the binary and the profile where nobody can reach them (a checkout
	# may sit in a folder only root can enter: mktemp -d's)
	cp "$IRSNAP" "$T_DIR/nr/irsnap" && cp "$FAST_PROFILE" "$T_DIR/nr/fast.profile" &&
		chmod 755 "$T_DIR/nr/irsnap" && chmod 644 "$T_DIR/nr/fast.profile"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$T_DIR/nr/irsnap" collect -o "$T_DIR/nr/n.tar" --allow-host-output --profile "$T_DIR/nr/fast.profile" --file "$T_DIR/secret" \
		--file /etc/hosts 2>"$T_DIR/nr/n.err"
	rc=$?
	check "a non-root run exits 1 (got $rc)" [ "$rc" = 1 ]
	mkdir -p "$OUT/n.d" && tar -xf "$T_DIR/nr/n.tar" -C "$OUT/n.d"
	nidx=$(echo "$OUT/n.d"/irsnap-*/index.jsonl)
	check "the unreadable file is recorded with EACCES" [ \
		"$(jq -r --arg s "$T_DIR/secret" 'select(.source == $s) | .status + " " + .error' "$nidx")" = "error EACCES" ]
	check "a readable file not owned by us is copied without O_NOATIME, and says so" [ \
		"$(jq -r 'select(.source == "/etc/hosts") | .status + " " + (.noatime | tostring)' "$nidx")" = "ok false" ]
	check "the non-root bundle verifies" verifies "$T_DIR/nr/n.tar"
else
	echo "note: not root or no setpriv; the non-root case is not exercised"
fi

# relative --file is a usage error
"$IRSNAP" collect -o "$OUT/rel.tar" "${OUT_FLAGS[@]}" --file etc/passwd 2>/dev/null
check "a relative --file is a usage error (exit 2)" [ $? = 2 ]
check "... and nothing was written" [ ! -e "$OUT/rel.tar" ]
# a symbolic link in the middle of a path is never followed: --file and a
# copy step through a linked folder record the link and its target and
# copy nothing (.../rootlink/.bashrc once became /root/.bashrc)
mkdir -p "$T_DIR/real" && echo secret >"$T_DIR/real/inside" && ln -s "$T_DIR/real" "$T_DIR/rootlink"
printf 'profile l\ncopy %s/rootlink/inside\n' "$T_DIR" >"$T_DIR/l.profile"
collect lnk --profile "$T_DIR/l.profile" --file "$T_DIR/rootlink/inside"
check "a --file through a linked folder makes the run partial (exit 1, got $RC)" [ "$RC" = 1 ]
extract lnk || { fail "no bundle"; finish; }
jq -c --arg s "$T_DIR/rootlink/inside" 'select(.source == $s)' "$BDIR/index.jsonl" >"$T_DIR/lnk.rec"
check "... both attempts are recorded" [ "$(wc -l <"$T_DIR/lnk.rec")" = 2 ]
check "... with the folder's link target" \
	[ "$(jq -r '.link_target' "$T_DIR/lnk.rec" | sort -u)" = "$T_DIR/real" ]
check "... --file as an error, the copy step as recorded" \
	[ "$(jq -r '.step + " " + .status' "$T_DIR/lnk.rec" | sort | tr '\n' ,)" = "copy ok,responder-files error," ]
check "... and nothing of the file is in the bundle" bash -c "! grep -rqs secret '$BDIR'"
finish
