#!/bin/bash
# wtmpdb's `last` view and its tampering signs. A wtmpdb (made with
# Python's sqlite3, wtmpdb's own schema) with two boots, a shutdown, a
# session still open, two cut by a boot, a user name holding ESC, rows
# deleted (IDs 4, 7 and 8) and a row written with a clock set back.
# wtmpdb-last.txt must read as `wtmpdb last -F -w -x` would print it in UTC
# (wtmpdb is not in Debian 12: the expected lines follow its source,
# src/wtmpdb.c, and are written out here), escaped; anomalies.jsonl must
# name each hole and the time reversal, and nothing in a clean database.
. "$(dirname "$0")/lib.sh"
need_root "a mount namespace to place fixtures at /var/lib/wtmpdb"
need python3; need unshare; need jq; need tar
F=$T_DIR/fx
mkdir -p "$F/wtmpdb"
python3 - "$F/wtmpdb" <<'PY'
import sqlite3, sys
T0 = 1583049600 * 10**6   # Sun Mar  1 08:00:00 2020 UTC
S = 10**6
def db(path, rows):
    c = sqlite3.connect(path)
    c.execute('CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT NOT NULL, '
              'Login INTEGER, Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT) STRICT')
    c.executemany('INSERT INTO wtmp VALUES(?,?,?,?,?,?,?,?)', rows)
    c.commit(); c.close()
db(sys.argv[1] + '/wtmp.db', [
    (1, 1, 'reboot', T0, T0 + 3600 * S, '~', '6.1.0', None),
    (2, 3, 'alice', T0 + 600 * S, T0 + 1200 * S, 'pts/0', '10.0.0.1', 'sshd'),
    (3, 3, 'bob', T0 + 1800 * S, None, 'pts/1', '10.0.0.2', 'sshd'),
    (5, 1, 'reboot', T0 + 7200 * S, None, '~', '6.1.0', None),
    (6, 3, 'mal\x1b[2Kory', T0 + 7000 * S, None, 'pts/3', '203.0.113.66', 'sshd'),
    (9, 3, 'carol', T0 + 8000 * S, None, 'pts/2', '10.0.0.3', 'sshd'),
])
db(sys.argv[1] + '/wtmp_20200201.db', [   # rotated: IDs start above 1, no hole
    (40, 1, 'reboot', T0 - 86400 * S, None, '~', '6.1.0', None),
    (41, 3, 'dave', T0 - 86000 * S, T0 - 85000 * S, 'tty1', '', 'login'),
])
PY
made=()
[ -e /var/lib/wtmpdb ] || { mkdir -p /var/lib/wtmpdb && made+=(/var/lib/wtmpdb); }
trap 'rmdir "${made[@]}" 2>/dev/null; cleanup' EXIT
printf 'profile l\nstep logins\n' >"$T_DIR/l.profile"
unshare -m bash -c 'mount --bind "$1" /var/lib/wtmpdb && shift && exec "$@"' _ "$F/wtmpdb" \
	"$IRSNAP" collect -o "$OUT/w.tar" "${OUT_FLAGS[@]}" --profile "$T_DIR/l.profile" 2>"$OUT/w.err"
extract w || { fail "no bundle"; cat "$OUT/w.err"; finish; }
check "the bundle verifies" verifies "$OUT/w.tar"
section() { awk -v h="==> $2 <==" '$0 == h {on = 1; next} /^==> / {on = 0} on' "$1"; }
V=$BDIR/logins/wtmpdb-last.txt
cat >"$T_DIR/want" <<'EOF2'
carol    pts/2        10.0.0.3         Sun Mar  1 10:13:20 2020 - still logged in
reboot   system boot  6.1.0            Sun Mar  1 10:00:00 2020 - still running
mal\x1b[2Kory pts/3        203.0.113.66     Sun Mar  1 09:56:40 2020 - crash
bob      pts/1        10.0.0.2         Sun Mar  1 08:30:00 2020 - crash
alice    pts/0        10.0.0.1         Sun Mar  1 08:10:00 2020 - Sun Mar  1 08:20:00 2020  (00:10)
shutdown system down  6.1.0            Sun Mar  1 09:00:00 2020 - Sun Mar  1 10:00:00 2020  (01:00)
reboot   system boot  6.1.0            Sun Mar  1 08:00:00 2020 - Sun Mar  1 09:00:00 2020  (01:00)

/var/lib/wtmpdb/wtmp.db begins Sun Mar  1 08:00:00 2020

EOF2
section "$V" /var/lib/wtmpdb/wtmp.db >"$T_DIR/got"
check "wtmpdb-last.txt = wtmpdb last -F -w -x (UTC), escaped" test_cmp "$T_DIR/want" "$T_DIR/got"
expect "the rotated database has its own section" \
	'section "$V" /var/lib/wtmpdb/wtmp_20200201.db | grep -q "^dave     tty1 "'
expect "the view is valid text: no raw ESC" '! grep -q "$(printf "\x1b")" "$V"'
A=$BDIR/logins/anomalies.jsonl
jq -r 'select(.source == "/var/lib/wtmpdb/wtmp.db") | "\(.kind): \(.detail)"' "$A" >"$T_DIR/signs"
cat >"$T_DIR/want" <<'EOF2'
wtmpdb-id-gap: no row with ID 4 (between 3 and 5): a row deleted?
wtmpdb-time-backwards: the login time of ID 6 is 200.000 s older than that of ID 5 before it: a forged or reset clock?
wtmpdb-id-gap: no rows with IDs 7 to 8 (2 rows): rows deleted?
EOF2
check "anomalies: each hole and the time reversal" test_cmp "$T_DIR/want" "$T_DIR/signs"
expect "no anomaly for the rotated database (its first ID is 40)" \
	'[ -z "$(jq -r "select(.source == \"/var/lib/wtmpdb/wtmp_20200201.db\")" "$A")" ]'
finish
