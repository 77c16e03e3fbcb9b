#!/bin/bash
# Containers (issue 18, item 6), against podman itself: a container run by
# `podman run --rootfs` from a root of one static program (no image
# registry), with a hostname and an environment variable of the test's,
# and beside it a process put in namespaces of its own by `unshare` (no
# runtime knows it: what an intruder's hideout looks like).
#   - containers.jsonl has the container as `podman inspect` shows it: id,
#     name, pid, hostname, the variable, and its process mapped to it;
#   - processes.jsonl maps the container's process to its id (from its
#     cgroup), with the pid inside (1), the hostname of its UTS namespace,
#     and the namespaces it does not share with pid 1;
#   - the unshare'd process is there with no container id, its own
#     hostname and its pid inside;
#   - podman's state files are copied raw.
. "$(dirname "$0")/lib.sh"
need podman; need runc; need unshare; need jq; need gcc
need_root "podman run as root"
N=irsnap-test-$$
R=$T_DIR/rootfs
mkdir -p "$R"
printf '#include <unistd.h>\nint main(void){for(;;)pause();}\n' >"$T_DIR/s.c"
gcc -static -O2 -o "$R/sleeper" "$T_DIR/s.c" 2>/dev/null || skip "no static libc to build the container's program"
# this VM's podman needs runc (cgroup v1) and limits it may set
PODMAN=(podman --runtime runc)
trap '"${PODMAN[@]}" rm -f "$N" >/dev/null 2>&1; kill -KILL ${UPID:-} $U 2>/dev/null; cleanup' EXIT
"${PODMAN[@]}" run -d --name "$N" --hostname irs-inside --env IRS_MARK=seen-by-irsnap \
	--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --rootfs "$R" /sleeper >"$T_DIR/id" 2>"$T_DIR/podman.err" ||
	skip "podman cannot run a container here: $(tail -n 1 "$T_DIR/podman.err")"
ID=$(cat "$T_DIR/id")
CPID=$("${PODMAN[@]}" inspect -f '{{.State.Pid}}' "$N")
unshare --pid --uts --fork --mount-proc bash -c 'hostname irs-hideout; exec sleep 300' & U=$!
sleep 0.5
# the namespace's init ignores SIGTERM from outside: the trap sends SIGKILL
UPID=$(pgrep -P "$U" -x sleep || true)
[ -n "$UPID" ] || UPID=$U
cat >"$T_DIR/c.profile" <<EOP
profile c
step containers
tree /var/lib/containers/storage/overlay-containers max-file 16M max-depth 3
EOP
collect c --profile "$T_DIR/c.profile"
check "collect exits 0" [ "$RC" = 0 ]
extract c || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/c.tar"
C=$BDIR/containers
expect "the container as podman inspect shows it" '
	jq -se --arg id "$ID" --arg n "$N" --argjson p "$CPID" "map(select(.id==\$id and .runtime==\"podman\"
		and .name==[\$n] and .pid==\$p and .hostname==\"irs-inside\"
		and (.env|index([\"IRS_MARK=seen-by-irsnap\"])) != null
		and .processes>=1 and .pid_inside==1)) | length == 1" "$C/containers.jsonl" >/dev/null'
expect "its process is mapped to it, with the pid and hostname inside" '
	jq -se --arg id "$ID" --argjson p "$CPID" "map(select(.pid==\$p and .container_id==\$id
		and .runtime==\"podman\" and .pid_inside==1 and .hostname==\"irs-inside\"
		and (.ns_other|index([\"uts\"])) != null and (.ns_other|index([\"pid\"])) != null)) | length == 1" \
		"$C/processes.jsonl" >/dev/null'
expect "the unshare hideout is there, with no container id" '
	jq -se --argjson p "$UPID" "map(select(.pid==\$p and .container_id==null and .hostname==\"irs-hideout\"
		and .pid_inside==1)) | length == 1" "$C/processes.jsonl" >/dev/null'
expect "a plain process is not listed" '
	jq -se --argjson p "$$" "map(select(.pid==\$p)) | length == 0" "$C/processes.jsonl" >/dev/null'
expect "podman'\''s state files are copied raw" '
	cmp -s "$BDIR/fs/var/lib/containers/storage/overlay-containers/containers.json" \
		/var/lib/containers/storage/overlay-containers/containers.json'
finish
