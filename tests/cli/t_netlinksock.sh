#!/bin/bash
# Netlink sockets are recorded (issue 14, item 6): a process-event watcher
# (a NETLINK_CONNECTOR socket in the proc connector's group, the kind that
# let malware see irsnap start) in a network namespace of its own: the
# bundle's netlink.jsonl lists every netlink socket of that namespace that
# /proc/net/netlink showed before and after (beyond them only irsnap's own), the watcher marked
# proc_events_listener with its owner, the kernel's own sockets marked.
. "$(dirname "$0")/lib.sh"
need python3; need unshare; need jq
need_root "a network namespace and a proc connector socket (CAP_NET_ADMIN)"
cat >"$T_DIR/ns.sh" <<'EOS'
T=$1 IRSNAP=$2 OUT=$3
python3 -c '
import socket, os, time
s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 11)   # NETLINK_CONNECTOR
s.bind((os.getpid(), 1))                                       # CN_IDX_PROC
open("'"$T"'/ready", "w").write(str(os.getpid()))
time.sleep(60)' & W=$!
while [ ! -s "$T/ready" ]; do sleep 0.05; done
readlink /proc/self/ns/net | tr -dc 0-9 >"$T/netns"
awk 'NR > 1 {print $NF}' /proc/net/netlink | sort >"$T/inodes.before"
"$IRSNAP" collect -o "$OUT/n.tar" --allow-host-output --profile minimal 2>"$OUT/n.err"
echo $? >"$T/rc"
# the sockets there before and after: another collection beside this one
# (ctest -j) makes and closes its own here (setns), and may be gone
awk 'NR > 1 {print $NF}' /proc/net/netlink | sort | comm -12 "$T/inodes.before" - >"$T/inodes.want"
kill "$W"
EOS
unshare --net bash "$T_DIR/ns.sh" "$T_DIR" "$IRSNAP" "$OUT" || skip "cannot make a network namespace here"
W=$(cat "$T_DIR/ready") NS=$(cat "$T_DIR/netns")
expect "collect exits 0 or 1" '[ "$(cat "$T_DIR/rc")" -le 1 ]' || tail -n 5 "$OUT/n.err"
extract n || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/n.tar"
J=$BDIR/volatile/netlink.jsonl
jq -r "select(.netns == $NS) | .inode" "$J" | sort >"$T_DIR/inodes.got"
check "every netlink socket of the namespace that /proc/net/netlink listed before and after is there ($(wc -l <"$T_DIR/inodes.want"))" \
	test_cmp /dev/null <(comm -23 "$T_DIR/inodes.want" "$T_DIR/inodes.got")
# the only sockets beyond those may be irsnap's own: its netlink queries are
# made from inside every namespace (setns), by this run or by another
# collection that runs beside it (ctest -j)
self=$(sed -n 's/.*collect starts (pid \([0-9]*\),.*/\1/p' "$BDIR/acquisition.log")
comm -13 "$T_DIR/inodes.before" "$T_DIR/inodes.got" >"$T_DIR/extra"
expect "... and any other is irsnap's (this run is pid $self) or already closed ($(wc -l <"$T_DIR/extra") such)" \
	'while read -r ino; do jq -e "select(.inode == $ino) | (.owners | length == 0) or (.owners[0].pid == $self) or (.owners[0].comm == \"irsnap\")" "$J" >/dev/null || { jq -c "select(.inode == $ino)" "$J"; exit 1; }; done <"$T_DIR/extra"'

expect "the watcher: a connector socket in group 1, a process-events listener owned by pid $W" \
	'[ "$(jq -r "select(.netns == $NS and .proc_events_listener) | [.protocol_name, .groups, (.owners[0].pid | tostring)] | join(\" \")" "$J")" = "connector 0x00000001 $W" ]'
expect "the kernel's own sockets (port 0) are marked and own no process" \
	'[ "$(jq -r "select(.netns == $NS and .kernel) | .owners | length" "$J" | sort -u)" = 0 ]'
check "the raw table is kept" [ -s "$BDIR/volatile/proc-net/$NS/netlink" ]
finish
