#!/bin/bash
# run.sh - build the libFuzzer targets (clang, ASan+UBSan; build/fuzz) and
# run each for a bounded time from a seed corpus made here of real inputs:
# a fresh bundle and its rewritten-tar variants (tartricks.py), this
# machine's /proc files, /etc/passwd, the profiles, utmp fixtures, a
# wtmpdb-shaped SQLite database with a -wal.
#   FUZZ_SECONDS          per target (default 15)
#   FUZZ_VERIFY_SECONDS   for fuzz_verify, the bundle reader (default 60)
# Exit 0 when no target found a crash, leak or undefined behaviour; a
# finding is kept as build/fuzz/findings/<target>/crash-*.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
b=$top/build/fuzz
secs=${FUZZ_SECONDS:-15}
vsecs=${FUZZ_VERIFY_SECONDS:-60}
command -v clang >/dev/null || { echo "SKIP fuzz: clang is not installed"; exit 77; }
CC=clang cmake -S "$top" -B "$b" -DIRSNAP_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
	cmake --build "$b" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null ||
	{ echo "fuzz: the clang build failed"; exit 1; }

c=$b/corpus
rm -rf "$c" "$b/findings"
mkdir -p "$c"/{verify,procfs,netproc,netlink,utmp,logind,profile,accounts,sqlite,unpack,mountinfo,findings,export,report,dpkg,rpmhdr,kmsg,netfilter,filecaps,kernelstate,parttable}
irsnap=$top/build/release/irsnap
if [ -x "$irsnap" ]; then
	printf 'profile seed\nstep host\ncopy /etc/hostname\n' >"$b/seed.profile"
	"$irsnap" collect -o "$c/verify/genuine.tar" --allow-host-output \
		--profile "$b/seed.profile" 2>/dev/null
	mkdir -p "$b/tricks" && python3 "$top/tests/cli/tartricks.py" "$c/verify/genuine.tar" \
		"$b/tricks" 2>/dev/null && cp "$b"/tricks/*.tar "$c/verify/"
fi
# the seed corpus kept in the repository (tests/fuzz/seeds/, made by
# seeds.sh from fixtures and a machine's real files), and the inputs that
# once found a bug (tests/fuzz/regressions/)
for d in "$top"/tests/fuzz/seeds/*/ "$top"/tests/fuzz/regressions/*/; do
	[ -d "$d" ] && cp "$d"* "$c/$(basename "$d")/" 2>/dev/null
done
for f in stat status maps; do cp "/proc/self/$f" "$c/procfs/$f"; done
i=0
for t in tcp tcp6 raw unix packet netlink; do
	{ printf "\\x$(printf %02x $i)"; cat "/proc/net/$t"; } >"$c/netproc/$t"; i=$((i + 1))
done
for f in "$top"/tests/fixtures/*tmp.txt; do
	utmpdump -r <"$f" >"$c/utmp/$(basename "$f" .txt)" 2>/dev/null
done
# netlink: this machine's own replies (sock_diag and rtnetlink dumps)
python3 - "$c/netlink" <<'PY' 2>/dev/null
import socket, struct, sys
def dump(proto, mtype, body):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
    s.settimeout(2)
    s.sendto(struct.pack('=IHHII', 16 + len(body), mtype, 0x301, 1, 0) + body, (0, 0))
    out = b''
    while len(out) < 1 << 20:
        b = s.recv(65536)
        out += b
        at, done = 0, False
        while at + 16 <= len(b):           # every message of the buffer
            ln, typ = struct.unpack_from('=IH', b, at)
            done |= typ in (2, 3)          # NLMSG_ERROR, NLMSG_DONE
            if ln < 16:
                break
            at += (ln + 3) & ~3
        if done or not b:
            break
    return out
SOCK_DIAG, ROUTE = 4, 0
inet = struct.pack('=BBBBI', socket.AF_INET, socket.IPPROTO_TCP, 0, 0, 0xffffffff) + b'\0' * 48
unix = struct.pack('=BBHIIIII', socket.AF_UNIX, 0, 0, 0xffffffff, 0, 0x19, 0, 0)
seeds = [(0, dump(SOCK_DIAG, 20, inet)), (3, dump(SOCK_DIAG, 20, unix)),
         (4, dump(ROUTE, 18, b'\0' * 16)), (5, dump(ROUTE, 22, b'\0' * 8)),
         (6, dump(ROUTE, 26, bytes([socket.AF_INET]) + b'\0' * 11)),
         (8, dump(ROUTE, 30, b'\0' * 12))]
for pick, reply in seeds:
    open('%s/seed%d' % (sys.argv[1], pick), 'wb').write(bytes([pick]) + reply)
PY
printf 'UID=1000\nUSER=alice\nACTIVE=1\nSTATE=active\nREMOTE_HOST=a\\x1b]0\nSEAT=seat0\n' >"$c/logind/s"
cp "$top"/manifests/*.profile "$top"/tests/fixtures/fast.profile "$c/profile/"
cp /etc/passwd "$c/accounts/passwd"; cp /etc/group "$c/accounts/group"
if command -v sqlite3 >/dev/null; then
	d=$b/db && rm -rf "$d" && mkdir -p "$d" &&
	sqlite3 "$d/w.db" "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;
		CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT NOT NULL,
			Login INTEGER, Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT);
		INSERT INTO wtmp VALUES(1, 1, 'reboot', 1700000000000000, 1700003600000000, '~', '6.1', NULL);
		INSERT INTO wtmp VALUES(2, 3, 'root', 1700000100000000, NULL, 'pts/0', 'h', 'sshd');
		INSERT INTO wtmp VALUES(5, 3, 'x', 1600000100000000, 1600000200000000, 'pts/1', '', 'login');" >/dev/null &&
	python3 -c "
import sys
db = open(sys.argv[1], 'rb').read(); wal = open(sys.argv[2], 'rb').read()
n = (len(db) + 15) // 16; db += b'\0' * (n * 16 - len(db))
sys.stdout.buffer.write(bytes([n >> 8 & 255, n & 255]) + db + wal)" "$d/w.db" "$d/w.db-wal" \
		>"$c/sqlite/wtmpdb" 2>/dev/null
fi

status=0
for f in "$c"/utmp/*; do
	n=$(basename "$f")
	gzip -c <"$f" >"$c/unpack/$n.gz"; xz -c <"$f" >"$c/unpack/$n.xz" 2>/dev/null
	zstd -q -c <"$f" >"$c/unpack/$n.zst" 2>/dev/null
done
cp /proc/self/mountinfo "$c/mountinfo/self"
printf '30 21 0:50 / /a\\040b rw shared:7 master:2 - fuse.sshfs u@h:/ rw\n31 1 0:5 / / rw - nfs4 s:/ rw\n' \
	>"$c/mountinfo/crafted"
# this machine's dpkg database: the head of its status file, an md5sums file
[ -f /var/lib/dpkg/status ] && head -c 200000 /var/lib/dpkg/status >"$c/dpkg/status-head"
[ -f /var/lib/dpkg/info/coreutils.md5sums ] && cp /var/lib/dpkg/info/coreutils.md5sums "$c/dpkg/"
# kernel log records: this machine's first ones, and crafted ones
if [ -r /dev/kmsg ]; then
	python3 - "$c/kmsg" <<'PY' 2>/dev/null
import os, sys
fd = os.open('/dev/kmsg', os.O_RDONLY | os.O_NONBLOCK)
for i in range(40):
    try:
        rec = os.read(fd, 16384)
    except OSError:
        break
    open('%s/rec%d' % (sys.argv[1], i), 'wb').write(rec)
PY
fi
printf '6,1234,5678,c,more;a\\x1b[31m\\xzz\\x5\n SUBSYSTEM=pci\n DEVICE=+pci:0000:00:01.0\n' >"$c/kmsg/crafted"
# security.capability: revisions 1, 2 and 3 (with a rootid), one bad magic
printf '\x00\x00\x00\x01\x00\x20\x00\x00\x00\x00\x00\x00' >"$c/filecaps/v1"
printf '\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' >"$c/filecaps/v2"
printf '\x00\x00\x00\x03\xff\xff\xff\xff\x20\x00\x00\x00\xff\x01\x00\x00\x00\x00\x00\x00\xe8\x03\x00\x00' >"$c/filecaps/v3"
printf '\x00\x00\x00\x04' >"$c/filecaps/bad"
printf '/usr/sbin/sshd (enforce)\nname with (parens) (complain)\n' >"$c/kernelstate/apparmor"
printf 'nf_tables 286720 584 nft_ct, Live 0xffffffffc0a2d000 (OE)\n' >"$c/kernelstate/modules"
printf '0::/system.slice/docker-%064d.scope\n' 7 >"$c/kernelstate/cgroup"
printf 'kernel/net/nf_tables.ko.zst: kernel/lib/x.ko\nkernel/a.ko:\n' >"$c/kernelstate/dep"
# partition tables: an MBR with two entries, and a GPT (sfdisk writes them)
if command -v sfdisk >/dev/null; then
	head -c 65536 /dev/zero >"$c/parttable/mbr"
	printf 'label: dos\nstart=64, size=32\nstart=96, size=16, type=5\n' | sfdisk -q "$c/parttable/mbr" 2>/dev/null
	head -c 1048576 /dev/zero >"$c/parttable/gpt.full"
	printf 'label: gpt\nstart=64, size=512, name="a b"\nstart=1024, size=512\n' |
		sfdisk -q "$c/parttable/gpt.full" 2>/dev/null
	head -c 65536 "$c/parttable/gpt.full" >"$c/parttable/gpt" && rm -f "$c/parttable/gpt.full"
fi
# the exporter reads what the findings engine reads, in the same segments
cp "$c"/findings/* "$c/export/" 2>/dev/null
cp "$c"/findings/* "$c/report/" 2>/dev/null
for t in verify procfs netproc netlink utmp logind profile accounts sqlite unpack mountinfo findings \
	export report dpkg rpmhdr kmsg netfilter filecaps kernelstate parttable; do
	s=$secs; [ "$t" = verify ] && s=$vsecs
	mkdir -p "$b/findings/$t"
	if "$b/fuzz_$t" -max_total_time="$s" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$b/findings/$t/" "$c/$t" >"$b/fuzz_$t.log" 2>&1; then
		echo "ok   fuzz_$t: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$b/fuzz_$t.log" |
			grep -o '[0-9]*$') inputs in ${s} s, no finding"
	else
		echo "FAIL fuzz_$t: a finding (build/fuzz/findings/$t):"; tail -n 30 "$b/fuzz_$t.log"
		status=1
	fi
done
exit $status
