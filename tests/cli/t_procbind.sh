#!/bin/bash
# The private view of /proc (issue 14, item 1): irsnap binds the host's
# procfs alone over /proc in its own mount namespace (the kernel's instance,
# none of the mounts on or under it) only when that mount is the whole
# procfs of irsnap's pid namespace with nothing hidden; otherwise it mounts
# a procfs of its own. Each case below plays an intruder's /proc, in a
# private mount namespace, and a process that the intruder's /proc hides
# from ps must still be in the bundle, read from a sound view:
#   sound    the plain host procfs, with an overmount on a pid: bound
#   tmpfs    an empty tmpfs over /proc (every process hidden): fresh mount
#   subset   a procfs mounted with subset=pid (no /proc/net): fresh mount
#   hidepid  a procfs mounted with hidepid=invisible: fresh mount
#   folder   a folder of procfs (/proc/<pid>) bound over /proc: fresh mount
#   pidns    the procfs of another pid namespace over /proc: fresh mount
. "$(dirname "$0")/lib.sh"
need unshare; need jq; need ps
need_root "private mount namespaces and mounts over /proc"
S=$T_DIR/s
mkdir -p "$S"
cat >"$S/run.sh" <<'EOF'
set -u
CASE=$1 S=$2 IRSNAP=$3 OUT=$4
sleep 300 & VICTIM=$!
echo "$VICTIM" >"$S/$CASE.pid"
sleep 0.1   # its start time, field 22 of stat, read while /proc is sound
awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$VICTIM/stat" >"$S/$CASE.start"
case $CASE in
sound)   mkdir -p "$S/empty" && mount --bind "$S/empty" "/proc/$VICTIM" ;;
tmpfs)   mount -t tmpfs irsnap-fakeproc /proc ;;
subset)  mount -t proc -o subset=pid proc /proc ;;
hidepid) mount -t proc -o hidepid=invisible proc /proc ;;
folder)  mount --bind "/proc/$$" /proc ;;
pidns)   unshare --pid --fork sh -c 'mount -t proc proc /proc' ;;
esac || { echo "setup $CASE failed" >"$S/$CASE.setup"; kill "$VICTIM"; exit 0; }
ps -p "$VICTIM" -o pid= >"$S/$CASE.ps" 2>/dev/null
"$IRSNAP" collect -o "$OUT/$CASE.tar" --allow-host-output --profile minimal 2>"$OUT/$CASE.err"
echo $? >"$S/$CASE.rc"
grep ' /proc ' /proc/self/mountinfo >"$S/$CASE.mounts" 2>/dev/null
kill "$VICTIM"
EOF
for c in sound tmpfs subset hidepid folder pidns; do
	unshare --mount --propagation private bash "$S/run.sh" "$c" "$S" "$IRSNAP" "$OUT"
	if [ -s "$S/$c.setup" ]; then
		echo "note: $(cat "$S/$c.setup") (this kernel refuses that /proc): case skipped"
		continue
	fi
	[ -s "$S/$c.rc" ] || { fail "$c: the scenario did not run"; continue; }
	victim=$(cat "$S/$c.pid")
	expect "$c: collect exits 0 or 1" '[ "$(cat "$S/$c.rc")" -le 1 ]' || tail -n 5 "$OUT/$c.err"
	extract "$c" || { fail "$c: no bundle"; continue; }
	check "$c: the bundle verifies" verifies "$OUT/$c.tar"
	view=$(jq -r .views.proc "$BDIR/run.json")
	if [ "$c" = sound ]; then
		check "sound: the host's procfs is bound alone ($view)" \
			grep -q '^private: the host.s procfs bound alone' <<<"$view"
		expect "sound: no namespace holder is needed (nothing to free)" \
			'[ "$(jq -r .views.namespace_holder_pid "$BDIR/run.json")" = null ]'
	else
		# as root, subset=pid and hidepid hide no process from ps: they hide
		# /proc/net (subset) and processes from a collector without
		# ptrace's rights; ps is the control only where every pid is gone
		case $c in subset|hidepid) ;; *)
			check "$c: control: ps does not see the process" [ ! -s "$S/$c.ps" ] ;;
		esac
		check "$c: irsnap mounted a procfs of its own and says why ($view)" \
			grep -q '^private: a procfs mounted for irsnap .*(.\+)$' <<<"$view"
	fi
	expect "$c: the process (hidden from ps where ps is blind) is in processes.jsonl" \
		'[ "$(jq -r "select(.pid == $victim) | .comm" "$BDIR/volatile/processes.jsonl")" = sleep ]'
	expect "$c: its record is its own: the start time is the one /proc gave before ($(cat "$S/$c.start"))" \
		'[ "$(jq -r "select(.pid == $victim) | .start_ticks" "$BDIR/volatile/processes.jsonl")" = "$(cat "$S/$c.start")" ]'
	if [ "$c" = subset ]; then
		expect "subset: the sockets were read (the private procfs has /proc/net)" \
			'grep -q "sockets proc ./proc/[0-9]*/net/tcp. ok" "$BDIR/acquisition.log" &&
			 grep -q "sockets proc ./proc/[0-9]*/net/unix. ok" "$BDIR/acquisition.log"'
	fi
done
# the reasons, one per case: a mutation of a check in isolate.c shows here
for pair in "tmpfs:not a procfs" "subset:hides entries" "hidepid:hides entries" \
	"folder:a folder of a procfs" "pidns:another pid namespace"; do
	c=${pair%%:*} why=${pair#*:}
	[ -s "$S/$c.setup" ] && continue
	expect "$c: run.json names the reason ($why)" \
		'jq -r .views.proc "$OUT/$c.d/"*/run.json | grep -q "$why"'
done
finish
