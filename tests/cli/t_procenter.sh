#!/bin/bash
# A mount made on irsnap's own /proc while it reads (issue 14, item 3): an
# intruder with root can enter irsnap's mount namespace (setns, nsenter)
# and cover a /proc/<pid> there, after irsnap made its view. The test stops
# irsnap the moment its own namespace is ready (its /proc made), binds an empty folder over a
# process's /proc/<pid> inside that namespace, and lets it go on: the
# bundle records the mount and the pid it covers (proc-views.jsonl,
# mount-in-irsnap-view), the finding proc_mount_in_view is high, and the
# covered process is not recorded as the empty folder's contents (the
# process table cannot read it: it is left out, and the record says which).
. "$(dirname "$0")/lib.sh"
need python3; need nsenter; need jq
need_root "entering another process's mount namespace"
sleep 300 & VICTIM=$!
mkdir -p "$T_DIR/empty"
python3 - "$IRSNAP" "$OUT/e.tar" "$VICTIM" "$T_DIR/empty" "$OUT/e.err" "$T_DIR/entered" <<'PY'
import os, signal, subprocess, sys
irsnap, out, victim, empty, err, flag = sys.argv[1:]
mine = os.readlink("/proc/self/ns/mnt")
p = subprocess.Popen([irsnap, "collect", "-o", out, "--allow-host-output", "--profile", "minimal"],
                     stderr=open(err, "w"))
link = "/proc/%d/ns/mnt" % p.pid
def ready():   # its own namespace, its /proc made, the mounts made read-only after
    try:
        if os.readlink(link) == mine:
            return False
        with open("/proc/%d/mountinfo" % p.pid) as f:
            return any(l.split()[4] == "/" and l.split()[5].startswith("ro") for l in f)
    except (OSError, IndexError):
        return False
while not ready():
    if p.poll() is not None:
        sys.exit("irsnap ended before it was stopped")
os.kill(p.pid, signal.SIGSTOP)
r = subprocess.run(["nsenter", "-t", str(p.pid), "-m", "mount", "--bind", empty, "/proc/" + victim])
if r.returncode == 0:
    open(flag, "w").write("1")
os.kill(p.pid, signal.SIGCONT)
sys.exit(p.wait())
PY
rc=$?
kill "$VICTIM" 2>/dev/null
[ -s "$T_DIR/entered" ] || { fail "the mount in irsnap's namespace could not be made"; finish; }
expect "collect exits 0 or 1" '[ "$rc" -le 1 ]' || tail -n 5 "$OUT/e.err"
extract e || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/e.tar"
V=$BDIR/volatile/proc-views.jsonl
expect "proc-views: the mount on /proc/$VICTIM in irsnap's view is recorded" \
	'jq -r "select(.kind == \"mount-in-irsnap-view\") | .mountinfo" "$V" | grep -q " /proc/$VICTIM "'
expect "... naming the covered pid" \
	'[ "$(jq -r "select(.kind == \"mount-in-irsnap-view\") | .pid" "$V")" = "$VICTIM" ]'
expect "findings: proc_mount_in_view, high" \
	'[ "$(jq -r "select(.check == \"proc_mount_in_view\") | .severity" "$BDIR/findings.jsonl")" = high ]'
expect "the covered process is not recorded from the empty folder: flagged or left out" \
	'[ "$(jq -r "select(.pid == $VICTIM) | .comm" "$BDIR/volatile/processes.jsonl")" != "" ] &&
	 jq -e "select(.pid == $VICTIM) | .proc_overmounted == true or .status != \"ok\"" \
		"$BDIR/volatile/processes.jsonl" >/dev/null ||
	 [ -z "$(jq -r "select(.pid == $VICTIM) | .pid" "$BDIR/volatile/processes.jsonl")" ]'
echo "note: the covered process's record: $(jq -c "select(.pid == $VICTIM) | {comm, status, status_reason, proc_overmounted}" "$BDIR/volatile/processes.jsonl")"
# control: without the mount, no such record
collect c --profile minimal
extract c
expect "control: a collection nobody entered has no mount-in-irsnap-view" \
	'[ -z "$(jq -r "select(.kind == \"mount-in-irsnap-view\") | .kind" "$BDIR/volatile/proc-views.jsonl")" ]'
finish
