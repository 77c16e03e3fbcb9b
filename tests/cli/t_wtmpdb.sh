#!/bin/bash
# wtmpdb and lastlog2 (SQLite): a wtmpdb whose newest row lives only in the
# -wal file (made with Python's sqlite3 while the writer still has it open)
# must show that row in logins/wtmpdb.jsonl; the live files are copied raw,
# never opened by SQLite; under strace (static build) nothing but the
# database files is opened for them.
. "$(dirname "$0")/lib.sh"
need_root "a mount namespace to place fixtures at /var/lib/wtmpdb"
need python3; need unshare; need jq; need tar; need sqlite3

F=$T_DIR/fx
mkdir -p "$F/wtmpdb" "$F/lastlog"
python3 - "$F" <<'PY'
import shutil, sqlite3, sys
d = sys.argv[1]
src = d + '/live.db'
con = sqlite3.connect(src, isolation_level=None)
con.execute('PRAGMA journal_mode=WAL'); con.execute('PRAGMA wal_autocheckpoint=0')
con.execute('CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT NOT NULL, '
            'Login INTEGER, Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT)')
con.execute("INSERT INTO wtmp VALUES(1, 3, 'reboot', 1583049600000000, NULL, '~', '6.1.0', 'system')")
con.execute("INSERT INTO wtmp VALUES(2, 1, 'alice', 1583049700000000, 1583050000000000, 'pts/0', '10.0.0.1', 'sshd')")
con.execute('PRAGMA wal_checkpoint(TRUNCATE)')          # rows 1-2 now in the main file
con.execute("INSERT INTO wtmp VALUES(3, 1, 'walonly', 1583060000123456, NULL, 'pts/1', '203.0.113.9', 'sshd')")
shutil.copy(src, d + '/wtmpdb/wtmp.db')                   # copied while open: row 3 only in the WAL
shutil.copy(src + '-wal', d + '/wtmpdb/wtmp.db-wal')
con.close()
ll = sqlite3.connect(d + '/lastlog/lastlog2.db')
ll.execute('CREATE TABLE Lastlog2(Name TEXT PRIMARY KEY, Time INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT)')
ll.execute("INSERT INTO Lastlog2 VALUES('alice', 1583050000, 'pts/0', '10.0.0.1', 'sshd')")
ll.commit(); ll.close()
PY
check "fixture: the WAL holds data" [ -s "$F/wtmpdb/wtmp.db-wal" ]
check "fixture: the main file alone lacks the newest row (control)" [ \
	"$(sqlite3 "file:$F/wtmpdb/wtmp.db?immutable=1" 'SELECT count(*) FROM wtmp')" = 2 ]
wal_sum=$(sha256sum <"$F/wtmpdb/wtmp.db-wal")

run() {   # run NAME [strace args...]
	local name=$1; shift
	unshare -m bash -c '
		mount --bind "$1/wtmpdb" /var/lib/wtmpdb 2>/dev/null || { mkdir -p /var/lib/wtmpdb.irsnap-test; exit 90; }
		mount --bind "$1/lastlog" /var/lib/lastlog 2>/dev/null || exit 91
		shift; exec "$@"' _ "$F" "$@" "$IRSNAP" collect -o "$OUT/$name.tar" --allow-host-output --profile "$FAST_PROFILE" 2>"$OUT/$name.err"
	RC=$?
}
# the mount points must exist on the host; create them only if absent (test-owned)
made=()
for d in /var/lib/wtmpdb /var/lib/lastlog; do
	[ -e "$d" ] || { mkdir -p "$d" && made+=("$d"); }
done
trap 'rmdir "${made[@]}" 2>/dev/null; cleanup' EXIT
run w
check "collect with wtmpdb fixtures exits 0 or 1 (got $RC)" [ "$RC" -le 1 ]
extract w || { fail "cannot extract"; cat "$OUT/w.err"; finish; }
J=$BDIR/logins/wtmpdb.jsonl
check "wtmpdb.jsonl has all three rows" [ "$(jq -r 'select(.table == "wtmp") | .User' "$J" | tr '\n' ' ')" = "reboot alice walonly " ]
check "the WAL-only row is complete" [ "$(jq -r 'select(.User == "walonly") | "\(.rowid) \(.TTY) \(.RemoteHost) \(.Login_utc)"' "$J")" = \
	"3 pts/1 203.0.113.9 2020-03-01T10:53:20.123456000Z" ]
check "lastlog2.jsonl has alice with a readable time" [ \
	"$(jq -r 'select(.table == "Lastlog2") | "\(.Name) \(.Time_utc)"' "$BDIR/logins/lastlog2.jsonl")" = "alice 2020-03-01T08:06:40.000000000Z" ]
check "the database and its WAL are copied raw" bash -c "cmp -s '$BDIR/fs/var/lib/wtmpdb/wtmp.db' '$F/wtmpdb/wtmp.db' &&
	cmp -s '$BDIR/fs/var/lib/wtmpdb/wtmp.db-wal' '$F/wtmpdb/wtmp.db-wal'"
check "the live WAL was not changed (no checkpoint)" [ "$(sha256sum <"$F/wtmpdb/wtmp.db-wal")" = "$wal_sum" ]
check "no -shm or journal was created next to the live database" bash -c "! ls '$F/wtmpdb' | grep -q -- '-shm\|-journal'"
check "the work log says the WAL frames were applied" grep -q "wtmp.db': read from memory; 3 rows; WAL: .* applied" "$BDIR/acquisition.log"
check "the bundle verifies" verifies "$OUT/w.tar"

if [ "$IRSNAP_BUILD" = static ] && command -v strace >/dev/null; then
	run s strace -f -qq -e trace=execve,open,openat,openat2 -o "$OUT/s.strace"
	check "under strace: collect exits 0 or 1" [ "$RC" -le 1 ]
	check "under strace: SQLite opened no file (only irsnap's own O_NOFOLLOW reads)" bash -c "
		! grep -E 'open(at)?\\((AT_FDCWD, )?\"/' '$OUT/s.strace' | grep -v O_NOFOLLOW | grep -v '\"/proc' | grep -q ."
	# (irsnap's O_PATH type probes, /etc/ld.so.preload's among them, read
	# nothing and load nothing)
	check "under strace: no urandom, shared object or temp file" bash -c "
		! grep -E '/dev/u?random|\\.so|/var/tmp|/tmp/etilqs' '$OUT/s.strace' | grep -v execve | grep -v O_PATH | grep -q ."
fi
finish
