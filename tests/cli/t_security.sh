#!/bin/bash
# Kernel and security state (issue 18, item 9), in a private mount
# namespace: with the kernel's securityfs mounted, kernel.json's security.lsm
# equals /sys/kernel/security/lsm as cat reads it and securityfs_trusted is
# true; with a tmpfs mounted over it holding a forged lsm list and AppArmor
# profiles (an intruder hiding the modules that confine him), the forged
# values are recorded as read but the record says it is not securityfs,
# securityfs_trusted is false, and the work log warns. system/modules.jsonl
# is there (empty where the kernel has no module support, and the work log
# says why).
. "$(dirname "$0")/lib.sh"
need unshare; need jq
need_root "mounting securityfs and a tmpfs over it needs root"
printf 'profile k\nstep kernel\n' >"$T_DIR/k.profile"
cat >"$T_DIR/ns.sh" <<'EOS'
T=$1; shift
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security || exit 3
cat /sys/kernel/security/lsm >"$T/lsm.real" || exit 3
"$IRSNAP" collect -o "$OUT/real.tar" --profile "$T/k.profile" "$@" 2>"$OUT/real.err" || echo "$?" >"$T/rc.real"
mount -t tmpfs forged /sys/kernel/security || exit 4
mkdir -p /sys/kernel/security/apparmor
printf 'capability,yama' >/sys/kernel/security/lsm
printf '/usr/sbin/sshd (enforce)\nhidden thing (complain)\n' >/sys/kernel/security/apparmor/profiles
"$IRSNAP" collect -o "$OUT/forged.tar" --profile "$T/k.profile" "$@" 2>"$OUT/forged.err" || echo "$?" >"$T/rc.forged"
EOS
IRSNAP=$IRSNAP OUT=$OUT unshare -m --propagation private bash "$T_DIR/ns.sh" "$T_DIR" "${OUT_FLAGS[@]}"
case $? in 3) skip "securityfs cannot be mounted here";; 4) skip "no tmpfs";; esac
check "both collections exit 0" [ ! -e "$T_DIR/rc.real" ] && [ ! -e "$T_DIR/rc.forged" ]
extract real || { fail "no bundle"; finish; }
K=$BDIR/system/kernel.json
expect "security.lsm equals cat /sys/kernel/security/lsm" '
	[ "$(jq -r ".security.lsm | join(\",\")" "$K")" = "$(cat "$T_DIR/lsm.real")" ] &&
	[ "$(jq -r .security.securityfs_trusted "$K")" = true ]'
expect "the raw lsm file is kept" 'cmp -s "$BDIR/system/sys/kernel/security/lsm" "$T_DIR/lsm.real"'
expect "selinux is recorded as disabled where selinuxfs is absent" '
	[ "$(jq -r ".security.selinux.mode" "$K")" = disabled ] || [ -d /sys/fs/selinux ]'
expect "system/modules.jsonl is there, or the work log says why not" '
	[ -e "$BDIR/system/modules.jsonl" ] || grep -q "no /proc/modules" "$BDIR/acquisition.log"'
# each loaded module's file hashed where it is, /lib -> usr/lib or not: its
# hash equals sha256sum of the file modules.dep names (merged /usr hashed
# none before: /lib/modules is behind root's link, which host reads refuse)
if [ -s /proc/modules ] && [ -e "$BDIR/system/modules.jsonl" ]; then
	expect "every module file named is hashed, as sha256sum says" '
		n=0; while IFS=" " read -r f h; do
			[ "$(sha256sum <"$f" | cut -c1-64)" = "$h" ] || exit 1; n=$((n + 1))
		done < <(jq -r "select(.file != null) | \"\(.file) \(.sha256)\"" "$BDIR/system/modules.jsonl")
		[ "$n" -ge 1 ]'
else
	echo "SKIP part: this kernel has no loaded modules (/proc/modules absent or empty): module file hashes not exercised"
fi
extract forged || { fail "no forged bundle"; finish; }
K=$BDIR/system/kernel.json
expect "over a tmpfs: not trusted, and said so" '
	[ "$(jq -r .security.securityfs_trusted "$K")" = false ] &&
	jq -r .security.securityfs "$K" | grep -q "^not securityfs (f_type 0x1021994)"'
expect "the forged values are recorded as read" '
	[ "$(jq -r ".security.lsm | join(\",\")" "$K")" = capability,yama ] &&
	[ "$(jq -r ".security.apparmor.profiles[1].name" "$K")" = "hidden thing" ] &&
	[ "$(jq -r ".security.apparmor.modes.complain" "$K")" = 1 ]'
expect "the work log warns that the profiles may be forged" '
	grep -q "not the kernel.s securityfs: the AppArmor profiles read there may be forged" "$BDIR/acquisition.log"'
finish
