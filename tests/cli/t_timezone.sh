#!/bin/bash
# The time zone's name in system/host.json (issue 18, item 9), read from
# the host's files as timedatectl and Debian name it: /etc/timezone's first
# line, else the part of /etc/localtime's link after "zoneinfo/". In a
# private mount namespace the test plays three hosts: one whose
# /etc/timezone says Asia/Tokyo; one with no /etc/timezone whose localtime
# links to America/Sao_Paulo; one whose /etc/timezone holds an escape
# sequence and bytes that are not UTF-8 (kept exactly, `_b64`).
. "$(dirname "$0")/lib.sh"
need jq; need unshare; need python3
need_root "bind mounts over /etc in a private mount namespace"
printf 'profile h\nstep host\n' >"$T_DIR/h.profile"
cat >"$T_DIR/tz.sh" <<'EOS'
set -u
CASE=$1 T=$2 IRSNAP=$3 OUT=$4
E=$T/etc-$CASE
mkdir -p "$E" && cp -a /etc/. "$E/" 2>/dev/null
rm -f "$E/timezone" "$E/localtime"
case $CASE in
tokyo)  printf 'Asia/Tokyo\n' >"$E/timezone"; ln -s /usr/share/zoneinfo/Asia/Tokyo "$E/localtime" ;;
link)   ln -s ../usr/share/zoneinfo/America/Sao_Paulo "$E/localtime" ;;
hostile) printf 'Evil/\033[31mZone\377\n' >"$E/timezone" ;;
esac
mount --bind "$E" /etc || exit 3
"$IRSNAP" collect -o "$OUT/$CASE.tar" --allow-host-output --profile "$T/h.profile" 2>"$OUT/$CASE.err"
echo $? >"$T/$CASE.rc"
EOS
for c in tokyo link hostile; do
	unshare --mount --propagation private bash "$T_DIR/tz.sh" "$c" "$T_DIR" "$IRSNAP" "$OUT"
	expect "$c: collect exits 0" '[ "$(cat "$T_DIR/$c.rc")" = 0 ]'
	extract "$c" || { fail "$c: no bundle"; continue; }
	cp "$BDIR/system/host.json" "$T_DIR/$c.json"
done
expect "tokyo: the name is /etc/timezone's line" \
	'[ "$(jq -r .timezone.name "$T_DIR/tokyo.json")" = Asia/Tokyo ] &&
	 [ "$(jq -r .timezone.name_from "$T_DIR/tokyo.json")" = /etc/timezone ] &&
	 [ "$(jq -r .timezone.localtime_link "$T_DIR/tokyo.json")" = /usr/share/zoneinfo/Asia/Tokyo ]'
expect "link: with no /etc/timezone, the name is localtime's link after zoneinfo/" \
	'[ "$(jq -r .timezone.name "$T_DIR/link.json")" = America/Sao_Paulo ] &&
	 [ "$(jq -r .timezone.name_from "$T_DIR/link.json")" = /etc/localtime ] &&
	 [ "$(jq -r .timezone.etc_timezone "$T_DIR/link.json")" = null ]'
expect "hostile: the exact bytes are kept (name_b64)" \
	'[ "$(jq -r .timezone.name_b64 "$T_DIR/hostile.json" | base64 -d | od -An -c | tr -s " ")" = "$(printf "Evil/\033[31mZone\377" | od -An -c | tr -s " ")" ]'
expect "control: this machine's own zone is what its files say" \
	'collect own --profile "$T_DIR/h.profile" && extract own &&
	 want=$( [ -f /etc/timezone ] && head -n 1 /etc/timezone || readlink /etc/localtime | sed "s|.*zoneinfo/||") &&
	 [ "$(jq -r .timezone.name "$BDIR/system/host.json")" = "$want" ]'
finish
