#!/bin/bash
# system/users.jsonl and groups.jsonl (irsnap-bundle/3): uid and gid are
# numbers when the passwd or group field is one (decimal, 0 to 2^32 - 1),
# else null with the field's exact bytes as uid_raw / gid_raw; the line
# stays exact. A crafted passwd and group are bind-mounted over the host's
# in a private mount namespace.
. "$(dirname "$0")/lib.sh"
need jq; need unshare
need_root "a private mount namespace with its own /etc/passwd"
printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' 'max:x:4294967295:7::/:/bin/sh' \
	'over:x:4294967296:7::/:/bin/sh' 'hex:x:12a:-1::/:/bin/sh' 'empty:x::01::/:/bin/sh' \
	"$(printf 'esc\033[31m:x:5:5::/:/bin/sh')" >"$T_DIR/passwd"
printf '%s\n' 'root:x:0:' 'big:x:99999999999:a,b' >"$T_DIR/group"
printf 'profile acc\nstep accounts\n' >"$T_DIR/p.profile"
unshare --mount sh -c "mount --bind '$T_DIR/passwd' /etc/passwd && mount --bind '$T_DIR/group' /etc/group &&
	'$IRSNAP' collect -o '$OUT/a.tar' ${OUT_FLAGS[*]} --profile '$T_DIR/p.profile'" 2>"$OUT/a.err"
check "the collection ends well (status $?)" [ $? -le 1 ]
extract a || { fail "no bundle"; finish; }
U=$BDIR/system/users.jsonl
jq -r '[.name, (.uid | tostring), (.uid_raw // "-"), (.gid | tostring), (.gid_raw // "-")] | join(" ")' \
	"$U" >"$T_DIR/got"
printf '%s\n' 'root 0 - 0 -' 'max 4294967295 - 7 -' 'over null 4294967296 7 -' \
	'hex null 12a null -1' 'empty null  1 -' "$(printf 'esc\033[31m 5 - 5 -')" >"$T_DIR/want"
check "uid and gid: numbers when they are, null and the raw bytes when not" test_cmp "$T_DIR/want" "$T_DIR/got"
check "every line kept exact" test_cmp "$T_DIR/passwd" <(jq -r .line "$U")
check "groups: the same rule" [ "$(jq -r '"\(.name) \(.gid) \(.gid_raw // "-")"' "$BDIR/system/groups.jsonl" |
	tr '\n' ';')" = "root 0 -;big null 99999999999;" ]
finish
