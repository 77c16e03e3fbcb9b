#!/bin/bash
# The private procfs is freed by a child that holds irsnap's mount
# namespace and nothing else (issue 14, the cost of the private view): the
# kernel's teardown of that procfs is then in the child's exit, not in the
# responder's wait. The child must hold no fd, live in irsnap's namespace
# (not the host's), and end with irsnap: after a normal end, and after a
# SIGKILL of irsnap in mid-run.
#
# irsnap mounts a procfs only where the host's /proc is not sound (it binds
# the host's otherwise, with nothing to free): the test runs in a private
# mount namespace whose /proc is mounted hidepid=invisible.
if [ -z "${T_NSHOLD_INNER:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	export T_NSHOLD_INNER=1
	exec unshare --mount --propagation private bash -c \
		'mount -t proc -o hidepid=invisible proc /proc && exec bash "$0"' "$0"
fi
. "$(dirname "$0")/lib.sh"
need_root "a procfs of its own needs CAP_SYS_ADMIN"
need jq
collect d --profile minimal
extract d || { fail "no bundle"; finish; }
view=$(jq -r .views.proc "$BDIR/run.json")
case $view in private:*) ;; *) skip "no private procfs here ($view)" ;; esac
H=$(jq -r .views.namespace_holder_pid "$BDIR/run.json")
check "run.json names the holder ($H)" [ "$H" -gt 0 ]
P=$BDIR/volatile/processes.jsonl
I=$(jq -r "select(.pid == $H) | .ppid" "$P")
expect "the holder is irsnap's child, named irsnap-nshold" \
	'[ "$(jq -r "select(.pid == $H) | .comm" "$P")" = irsnap-nshold ] &&
	 [ "$(jq -r "select(.pid == $I) | .comm" "$P")" = irsnap ]'
mine=$(readlink /proc/self/ns/mnt | tr -dc 0-9)
expect "it is in irsnap's mount namespace, which is not the host's" \
	'n=$(jq -r "select(.pid == $H) | .namespaces.mnt" "$P") &&
	 [ "$n" = "$(jq -r "select(.pid == $I) | .namespaces.mnt" "$P")" ] && [ "$n" != "$mine" ]'
expect "it holds no fd" \
	'[ "$(jq -r "select(.pid == $H and .fd != null) | .fd" "$BDIR/volatile/open-files.jsonl" | wc -l)" = 0 ]'
gone() {   # gone PID: within 5 s, no irsnap-nshold at PID
	for _ in $(seq 100); do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = irsnap-nshold ] || return 0
		sleep 0.05
	done
	return 1
}
check "it ends with irsnap" gone "$H"
# SIGKILL in mid-run: a reader that reads nothing for a while stalls irsnap
# on its output, with the holder alive. irsnap widens its pipe to 1 MiB and
# a quiet host's minimal bundle fits in that (CI's did), so the run carries
# 4 MiB of random bytes, which neither compress nor fit
head -c 4M /dev/urandom >"$T_DIR/big"
mkfifo "$T_DIR/fifo"
"$IRSNAP" collect -o - --profile minimal --file "$T_DIR/big" 2>"$T_DIR/k.err" >"$T_DIR/fifo" & K=$!
exec 3<"$T_DIR/fifo"
K2=
for _ in $(seq 100); do
	K2=$(ps -o pid= --ppid "$K" -o comm= 2>/dev/null | awk '$2 == "irsnap-nshold" {print $1}')
	[ -n "$K2" ] && break
	sleep 0.05
done
check "a stalled run has its holder ($K2)" [ -n "$K2" ]
kill -9 "$K"; wait "$K" 2>/dev/null
exec 3<&-
[ -n "$K2" ] && check "a SIGKILL of irsnap ends its holder too" gone "$K2"
finish
