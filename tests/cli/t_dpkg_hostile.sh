#!/bin/bash
# The dpkg half of the packages sources against a hostile database (issue
# 17), in test roots a profile's packages-root points at. A benign root
# first: md5sums paths with spaces and invalid UTF-8, a file named through
# the usr-merge alias, files gone: irsnap's records = `dpkg --root -V`.
# Then a root whose database attacks the reader: md5sums and list paths
# that climb out of the root with '..' or through a symlinked folder to a
# secret beside it, a symlink where a file should be, junk lines, a
# package name that climbs out of the info folder, stanzas with junk, NUL
# bytes and a cut end, a FIFO for an md5sums file; and roots whose status
# file is a FIFO or a symlink. Nothing hangs, every record is JSON, the
# secret's bytes and hash never reach the bundle, each refusal says why.
. "$(dirname "$0")/lib.sh"
need jq; need dpkg; need md5sum; need sha256sum; need timeout; need python3
md5() { printf '%s' "$1" | md5sum | cut -c1-32; }
# run NAME ROOT: collect packages-all under ROOT into NAME, never waiting
run() {
	printf 'profile %s\npackages-root %s\nstep packages-all\n' "$1" "$2" >"$T_DIR/$1.profile"
	timeout 120 "$IRSNAP" collect -o "$OUT/$1.tar" "${OUT_FLAGS[@]}" --profile "$T_DIR/$1.profile" \
		2>"$OUT/$1.err"
	RC=$?
	check "$1: the collection ends (status $RC), never hangs" [ "$RC" != 124 ]
	extract "$1" || { fail "$1: no bundle"; tail -n 5 "$OUT/$1.err"; return 1; }
	check "$1: every record is JSON" bash -c "jq -c . '$BDIR/system/packages.jsonl' >/dev/null &&
		jq -c . '$BDIR/system/package-verify.jsonl' >/dev/null"
}
control() { printf 'Package: %s\nStatus: install ok installed\nMaintainer: t <t@example.org>\nArchitecture: amd64\nVersion: 1.0\nDescription: t\n\n' "$1"; }

# --- benign: irsnap = dpkg --root -V
A=$T_DIR/benign
mkdir -p "$A/usr/bin" "$A/var/lib/dpkg/info" "$A/var/lib/dpkg/updates" && ln -s usr/bin "$A/bin" &&
	touch "$A/var/lib/dpkg/diversions"
printf good >"$A/usr/bin/good"; printf spaced >"$A/usr/bin/with space"; printf changed >"$A/usr/bin/bad"$'\xff'
control good >"$A/var/lib/dpkg/status"
{ echo "$(md5 good)  usr/bin/good"; echo "$(md5 spaced)  usr/bin/with space"
  echo "$(md5 original)  bin/bad"$'\xff'; echo "$(md5 x)  usr/bin/gone"; } >"$A/var/lib/dpkg/info/good.md5sums"
printf '/.\n/usr\n/usr/bin\n/usr/bin/good\n/usr/bin/with space\n/bin/bad\xff\n/usr/bin/gone\n/usr/bin/listed-gone\n' \
	>"$A/var/lib/dpkg/info/good.list"
dpkg --root="$A" -V >"$T_DIR/dpkg.txt" 2>"$T_DIR/dpkg.err"
run benign "$A" && {
	# dpkg -V: "??5?????? c /path" or "missing     /path"; bytes as they are
	awk '{ k = ($1 == "missing") ? "missing" : (substr($1, 3, 1) == "5") ? "digest" : $1
		sub(/^[^ ]+ +(c )?/, ""); print k, $0 }' "$T_DIR/dpkg.txt" | LC_ALL=C sort >"$T_DIR/want"
	jq -j 'select(.kind != "unowned") | .kind, " ", (.path_b64 // (.path | @base64)), "\n"' \
		"$BDIR/system/package-verify.jsonl" | while read -r k p; do printf '%s ' "$k"; base64 -d <<<"$p"; echo; done |
		LC_ALL=C sort >"$T_DIR/got"
	check "benign: irsnap = dpkg --root -V, byte for byte ($(wc -l <"$T_DIR/want") records)" test_cmp "$T_DIR/want" "$T_DIR/got"
	check "... the invalid UTF-8 name kept exactly (path_b64)" grep -q $'^digest /bin/bad\xff$' "$T_DIR/got"
}

# --- hostile
H=$T_DIR/hostile
D=$H/var/lib/dpkg
mkdir -p "$H/usr/bin" "$H/usr/lib" "$D/info" && ln -s usr/bin "$H/bin"
SECRET="the secret beside the root $RANDOM"
printf '%s' "$SECRET" >"$T_DIR/secret"
SECRET_SHA=$(printf '%s' "$SECRET" | sha256sum | cut -d' ' -f1)
printf good >"$H/usr/bin/good" && ln -s good "$H/usr/bin/link" && ln -s "$T_DIR" "$H/usr/lib/evil"
{ control evil; printf 'Package: ../../escape\nStatus: install ok installed\nArchitecture: amd64\n\n'
  printf ' a continuation first\nPackage: junk\nno colon here\nStatus: install ok installed\nVersion: 1\0x\n\n'
  control fifo; printf 'Package: trunc\nStatus: install ok inst'; } >"$D/status"
# another MD5 than the secret's: a reader that went there would record its SHA-256
{ echo "$(md5 wrong)  usr/../../secret"; echo "$(md5 wrong)  usr/lib/evil/secret"
  echo "$(md5 good)  usr/bin/link"; echo "garbage"; echo "0123  short"; echo "$(md5 good)  "
  echo "$(md5 good)  usr/bin/good"; } >"$D/info/evil.md5sums"
printf '/usr/../../secret\n../relative\n/usr/lib/evil/secret\n' >"$D/info/evil.list"
mkdir -p "$H/var/lib" && echo "$(md5 other)  usr/bin/good" >"$H/var/lib/escape.md5sums"
mkfifo "$D/info/fifo.md5sums"
run hostile "$H" && {
	V=$BDIR/system/package-verify.jsonl
	check "hostile: the secret's hash is nowhere in the bundle" bash -c "! grep -rq '$SECRET_SHA' '$BDIR'"
	check "... nor its bytes" bash -c "! grep -rqF '$SECRET' '$BDIR'"
	check "'..' out of the root: refused and said" [ "$(jq -r 'select(.path == "/usr/../../secret") |
		"\(.kind) \(.error)"' "$V")" = "unreadable a '..' in the path: not followed" ]
	check "a symlinked folder out of the root: refused, said, nothing of the target recorded" [ "$(jq -r \
		'select(.path == "/usr/lib/evil/secret") | "\(.kind) \(.error) \(.size // "no-size")"' "$V")" = \
		"unreadable a symbolic link in the path: not followed no-size" ]
	check "a symlink where a file should be: not-regular, not followed" [ "$(jq -r \
		'select(.path == "/usr/bin/link") | .kind' "$V")" = not-regular ]
	check "the good file among the junk lines verifies (no record)" bash -c "! jq -e 'select(.path == \"/usr/bin/good\")' '$V' >/dev/null"
	check "a name that climbs out of info/: listed as unsafe, its files never looked for" [ "$(jq -r \
		'select(.name == "../../escape") | .name_safe' "$BDIR/system/packages.jsonl")" = false ] &&
		check "... no record of its" bash -c "! grep -q escape '$V'"
	check "the junk stanza: its bad lines counted" [ "$(jq -r 'select(.name == "junk") | .bad_lines > 0' \
		"$BDIR/system/packages.jsonl")" = true ]
	check "the stanza cut at the end: read as far as it goes" [ "$(jq -r 'select(.name == "trunc") | .status' \
		"$BDIR/system/packages.jsonl")" = "install ok inst" ]
	check "the FIFO md5sums: not opened, an index record says so" [ "$(jq -r --arg s "$D/info/fifo.md5sums" \
		'select(.source == $s) | .status' "$BDIR/index.jsonl" | head -n 1)" != ok ]
	check "... and the FIFO is still unread (it would hang a reader)" [ -p "$D/info/fifo.md5sums" ]
}

# --- a status file that is a FIFO, a symlink
for bad in fifo symlink; do
	S=$T_DIR/st-$bad
	mkdir -p "$S/var/lib/dpkg/info"
	case $bad in
	fifo) mkfifo "$S/var/lib/dpkg/status" ;;
	symlink) control good >"$S/status.real" && ln -s ../../../status.real "$S/var/lib/dpkg/status" ;;
	esac
	run "st-$bad" "$S" || continue
	msg=$(jq -r --arg s "$S/var/lib/dpkg/status" 'select(.source == $s and .status != "ok") | .message // .error' \
		"$BDIR/index.jsonl" | head -n 1)
	echo "     status $bad: $msg"
	check "a status $bad: a record that it was not read" [ -n "$msg" ]
	check "... and no package read through it" [ "$(jq -s length "$BDIR/system/packages.jsonl")" = 0 ]
done
finish
