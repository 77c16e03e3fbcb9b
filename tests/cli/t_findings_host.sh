#!/bin/bash
# findings.jsonl (issue 15), the checks beyond the processes: each
# condition made for real, in a private mount namespace where it touches
# the host's files (the host's own are never changed), and the finding it
# must give, with its severity and an evidence pointer that leads to the
# right record:
#   - a cron file and an authorized_keys just written (persistence within
#     the profile's window), a SUID file in /usr/local/bin (a system
#     directory, changed within the window) and a SUID root file in /tmp;
#   - an executable in /dev/shm (its listing);
#   - ld.so.conf naming /dev/shm and /opt;
#   - btmp with three failures from an address, then wtmp with root's
#     login from it, a login with its user zeroed, a logout that names a
#     user, a host field naming another address, a logout of no login and
#     a boot with no runlevel (made with utmpdump -r);
#   - a promiscuous interface in a network namespace of its own;
#   - a process that renamed itself (PR_SET_NAME) and one whose argv ends
#     in empty strings.
. "$(dirname "$0")/lib.sh"
need_root "bind mounts in a private mount namespace"
need jq; need unshare; need utmpdump; need python3; need ip
PY=$(command -v python3)

# the files, in the test's folder
mkdir -p "$T_DIR"/{cron.d,ulb,shm,log,home/.ssh,drop}
echo '* * * * * root /dev/shm/.x' >"$T_DIR/cron.d/evil"
echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIrsnapTestKey eve' >"$T_DIR/home/.ssh/authorized_keys"
cp /bin/true "$T_DIR/ulb/suidtool" && chmod 4755 "$T_DIR/ulb/suidtool"
cp /bin/true "$T_DIR/drop/rootsh" && chmod 4755 "$T_DIR/drop/rootsh"
printf '#!/bin/sh\necho hi\n' >"$T_DIR/shm/stage.sh" && chmod 755 "$T_DIR/shm/stage.sh"
printf '/usr/lib/x86_64-linux-gnu\n/dev/shm/.lib\n/opt/vendor/lib\n' >"$T_DIR/ld.so.conf"
ts() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S,000000+00:00; }
now=$(date +%s)
u() {   # u TYPE PID LINE USER HOST ADDR TIME: one utmpdump line
	printf '[%s] [%05d] [    ] [%-8s] [%-12s] [%-20s] [%-15s] [%s]\n' "$1" "$2" "$4" "$3" \
		"$5" "$6" "$(ts "$7")"
}
{
	u 6 801 ssh:notty root 203.0.113.9 203.0.113.9 $((now - 3000))
	u 6 802 ssh:notty root 203.0.113.9 203.0.113.9 $((now - 2900))
	u 6 803 ssh:notty admin 203.0.113.9 203.0.113.9 $((now - 2800))
} | utmpdump -r >"$T_DIR/log/btmp" 2>/dev/null
{
	u 2 0 '~' reboot 6.1.0 0.0.0.0 $((now - 9000))
	u 1 53 '~' runlevel 6.1.0 0.0.0.0 $((now - 8990))
	u 7 900 pts/0 root 203.0.113.9 203.0.113.9 $((now - 2000))
	u 7 901 pts/1 '' 10.0.0.2 10.0.0.2 $((now - 1900))
	u 8 900 pts/0 root '' 0.0.0.0 $((now - 1800))
	u 7 902 pts/2 bob 198.51.100.1 192.0.2.1 $((now - 1700))
	u 8 777 pts/9 '' '' 0.0.0.0 $((now - 1600))
	u 2 0 '~' reboot 6.1.0 0.0.0.0 $((now - 1500))
	u 2 0 '~' reboot 6.1.0 0.0.0.0 $((now - 1400))
} | utmpdump -r >"$T_DIR/log/wtmp" 2>/dev/null
[ "$(stat -c %s "$T_DIR/log/wtmp")" = $((9 * 384)) ] || skip "utmpdump -r did not make 9 records"
# lastlog (292-byte slots by uid: time, line, host): root logged in at a
# time wtmp covers and has no login of root at
"$PY" - "$T_DIR/log/lastlog" $((now - 1000)) <<'PYL'
import struct, sys
open(sys.argv[1], "wb").write(struct.pack("<i32s256s", int(sys.argv[2]), b"pts/7", b"192.0.2.77"))
PYL
# a program in a folder anyone may write to (no sticky bit)
mkdir -p "$T_DIR/tree/wwbin" && chmod 777 "$T_DIR/tree/wwbin" && cp /bin/sleep "$T_DIR/tree/wwbin/svc"

# the processes: a promiscuous loopback in its own network namespace, a
# self-renamed python, a python whose argv ends in two empty strings
unshare -n sh -c 'ip link set lo up && ip link set lo promisc on && exec sleep 60' & N=$!
"$PY" -c 'import ctypes, time
ctypes.CDLL(None).prctl(15, b"totallyother", 0, 0, 0); time.sleep(60)' & R=$!
"$PY" -c 'import time; time.sleep(60)' '' '' & A=$!
"$T_DIR/tree/wwbin/svc" 60 & S=$!
sleep 0.5

cat >"$T_DIR/p.profile" <<EOP
profile findings-host
findings-window 7
step processes
step netconfig
step logins
copy /etc/ld.so.conf
list /dev/shm copy-exec 1M
timeline /etc/cron.d
timeline /usr/local/bin
timeline $T_DIR/drop
timeline /root/.ssh
timeline $T_DIR/tree
EOP
unshare -m sh -c "mount --make-rprivate / &&
	mount --bind '$T_DIR/cron.d' /etc/cron.d && mount --bind '$T_DIR/ulb' /usr/local/bin &&
	mount --bind '$T_DIR/shm' /dev/shm && mount --bind '$T_DIR/log' /var/log &&
	mount --bind '$T_DIR/ld.so.conf' /etc/ld.so.conf && mkdir -p /root/.ssh &&
	mount --bind '$T_DIR/home/.ssh' /root/.ssh &&
	'$IRSNAP' collect -o '$OUT/h.tar' ${OUT_FLAGS[*]} --profile '$T_DIR/p.profile'" \
	2>"$OUT/h.err"
RC=$?
kill $N $R $A $S 2>/dev/null; wait 2>/dev/null
check "the collection ends well (status $RC)" [ "$RC" = 0 -o "$RC" = 1 ]
extract h || { fail "no bundle"; tail -n 5 "$OUT/h.err"; finish; }
F=$BDIR/findings.jsonl
check "findings.jsonl is signed (in the manifest)" grep -q '  findings.jsonl$' "$BDIR/MANIFEST.sha256"
check "run.json has the profile's window" [ "$(jq -r .findings.window_days "$BDIR/run.json")" = 7 ]
quiet() { "$@" >/dev/null; }
one() {   # one CHECK SEVERITY JQ-CONDITION: that finding, printed
	jq -c --arg c "$1" --arg s "$2" "select(.check == \$c and .severity == \$s and ($3))" "$F"
}
# the pointer of a finding's first evidence: member and the key it names
follows() {   # follows FINDING-JSON JQ-FILTER-ON-THE-RECORD
	local m k v
	m=$(jq -r '.evidence[0].member' <<<"$1")
	k=$(jq -r '.evidence[0].keys | keys[0]' <<<"$1")
	v=$(jq -c ".evidence[0].keys[\"$k\"]" <<<"$1")
	[ -f "$BDIR/$m" ] || return 1
	case $m in
	timeline/*)   # the bodyfile: the line whose name field is that name
		awk -F'|' -v n="$(jq -r . <<<"$v")" '$2 == n' "$BDIR/$m" | grep -q "$2" ;;
	*)	jq -e -s "any(.[]; .$k == $v and ($2))" "$BDIR/$m" >/dev/null ;;
	esac
}
x=$(one persistence_changed medium '.seen.path == "/etc/cron.d/evil"')
check "persistence_changed, medium: the new cron file" [ -n "$x" ]
check "... its evidence: the bodyfile line of /etc/cron.d/evil" follows "$x" 'r/-rw-r--r--'
check "... and its technique T1053.003" [ "$(jq -r .technique <<<"$x")" = T1053.003 ]
x=$(one persistence_changed medium '.seen.path == "/root/.ssh/authorized_keys"')
check "persistence_changed, medium: the new authorized_keys (T1098.004)" \
	[ "$(jq -r .technique <<<"$x")" = T1098.004 ]
x=$(one suid_file medium '.seen.path == "/usr/local/bin/suidtool"')
check "suid_file, medium: a SUID file in a system directory, new" [ -n "$x" ]
check "... its evidence: the bodyfile line with the s bit" follows "$x" 'rwsr-xr-x'
x=$(one suid_file high ".seen.path == \"$T_DIR/drop/rootsh\"")
check "suid_file, high: a SUID root file in /tmp" [ -n "$x" ]
x=$(one exec_in_temp medium '.seen.path == "/dev/shm/stage.sh"')
check "exec_in_temp, medium: the script in /dev/shm" [ -n "$x" ]
check "... its evidence: the listing record" follows "$x" '.mode == "0755"'
check "... and the copy's index entry" quiet jq -e -s 'any(.[]; .source == "/dev/shm/stage.sh" and
	.member != null)' "$BDIR/index.jsonl"
x=$(one ld_so_conf_dir high '.seen.directory == "/dev/shm/.lib"')
check "ld_so_conf_dir, high: /dev/shm in ld.so.conf" [ -n "$x" ]
check "... its evidence: the offset of the line in the copy" [ "$(tail -c +$(($(jq -r \
	.evidence[0].keys.offset <<<"$x") + 1)) "$BDIR/$(jq -r .evidence[0].member <<<"$x")" |
	head -n 1)" = /dev/shm/.lib ]
check "ld_so_conf_dir, low: /opt/vendor/lib" [ -n "$(one ld_so_conf_dir low \
	'.seen.directory == "/opt/vendor/lib"')" ]
check "... and the system directory is not one" [ -z "$(jq -c 'select(.check == "ld_so_conf_dir"
	and .seen.directory == "/usr/lib/x86_64-linux-gnu")' "$F")" ]
x=$(one login_after_failures high '.seen.addr == "203.0.113.9" and .seen.user == "root"')
check "login_after_failures, high: 3 failures, then root's login from that address" \
	[ "$(jq -r .seen.failures <<<"$x")" = 3 ]
check "... its evidence: root's wtmp record" follows "$x" '.user == "root" and .type == 7'
for c in "login_record_part_zeroed medium 1152" "logout_with_user medium 1536" \
	"login_host_addr_differ medium 1920" "logout_without_login low 2304" \
	"boot_without_runlevel low 3072"; do
	set -- $c
	x=$(one "$1" "$2" ".evidence[0].keys.offset == $3")
	check "$1, $2: the wtmp record at offset $3" [ -n "$x" ]
done
x=$(one lastlog_not_in_wtmp medium '.seen.user == "root"')
check "lastlog_not_in_wtmp, medium: root's lastlog login that wtmp lacks" [ -n "$x" ]
check "... its evidence: the lastlog record" follows "$x" '.user == "root" and .host == "192.0.2.77"'
x=$(one exe_dir_world_writable medium ".seen.pid == $S")
check "exe_dir_world_writable, medium: the program in a 0777 folder" \
	[ "$(jq -r .seen.folder <<<"$x")" = "$T_DIR/tree/wwbin" ]
check "... its evidence: the bodyfile line of that folder" follows "$x" 'd/drwxrwxrwx'
if command -v sqlite3 >/dev/null; then   # the export's join of the same records
	"$IRSNAP" export --sqlite "$T_DIR/h.db" "$OUT/h.tar" >/dev/null 2>&1
	check "export: logins_with_failures counts the three failures before root's login" [ \
		"$(sqlite3 "$T_DIR/h.db" "SELECT failures_before FROM logins_with_failures WHERE
		user = 'root' AND host = '203.0.113.9'")" = 3 ]
fi
x=$(one interface_promiscuous medium '.seen.name == "lo"')
check "interface_promiscuous, medium: lo of the other namespace" [ -n "$x" ]
check "... its evidence: that links record" follows "$x" '.promiscuous == true'
x=$(one name_mismatch low ".seen.pid == $R")
check "name_mismatch, low: the process named totallyother" [ "$(jq -r .seen.comm <<<"$x")" = totallyother ]
check "... its evidence: its process record" follows "$x" '.comm == "totallyother"'
x=$(one argv_nul_padded low ".seen.pid == $A")
check "argv_nul_padded, low: the argv ending in two empty strings" \
	[ "$(jq -r .seen.empty_args_at_end <<<"$x")" = 2 ]
check "no finding names the plain python or sleep" [ -z "$(jq -c "select(.check == \"name_mismatch\"
	and (.seen.pid == $A or .seen.pid == $N))" "$F")" ]
finish
