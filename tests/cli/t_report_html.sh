#!/bin/bash
# irsnap report -o (issue 16): headless Chromium opens the page of a
# collection made by the test, with known facts and planted hostile
# strings - a process named <img src=x onerror=alert(1)>, a file named
# "><script>alert(2), a utmp host with </table>, a script and a terminal
# escape. The browser is the judge (tests/cli/cdp.py, the DevTools
# protocol): no dialog opens, no console message or CSP violation is
# logged, no element of the data's exists, the strings are there
# literally, the CSP is the page's own; a negative control proves the
# harness sees a script that runs. The facts: the process under its
# parent, every owned socket as jq joins sockets.jsonl, every login
# record, the failed-then-successful address marked, authorized_keys
# fingerprints as ssh-keygen -l prints them, the cron entries, the
# recent changes in their window. A tampered bundle's page says INVALID
# in every section; an existing page is never replaced. Screenshots of
# each section are kept in build/artifacts/t_report_html/.
. "$(dirname "$0")/lib.sh"
need python3; need jq; need unshare; need ssh-keygen
command -v "${CHROMIUM:-chromium}" >/dev/null || skip "needs chromium (Debian package chromium)"
need_root "a private mount namespace with its own /var/log, /etc/cron.d and /root"
HERE=$(cd "$(dirname "$0")" && pwd)
ART=${IRSNAP_ARTIFACTS:-$HERE/../../build/artifacts}/t_report_html
F=$T_DIR/f
mkdir -p "$F/cron" "$F/ssh" "$F/tl" "$ART"
T0=$(( $(date +%s) - 86400 ))
python3 - "$F" "$T0" <<'PY'
import struct, sys
d, t0 = sys.argv[1], int(sys.argv[2])
def rec(t, pid, line, user, host, sec, addr=b'\0' * 16):
    return struct.pack('<hxxi32s4s32s256shhiii16s20x', t, pid, line, b'x', user, host,
                       0, 0, 0, sec, 0, addr)
v4 = lambda a: bytes(int(x) for x in a.split('.')) + b'\0' * 12
wtmp = rec(2, 0, b'~', b'reboot', b'6.1.0', t0) + \
       rec(7, 101, b'pts/0', b'bob', b'203.0.113.7', t0 + 100, v4('203.0.113.7')) + \
       rec(8, 101, b'pts/0', b'', b'', t0 + 200) + \
       rec(7, 102, b'pts/1', b'root', b'198.51.100.9', t0 + 400, v4('198.51.100.9')) + \
       rec(7, 103, b'pts/2', b'eve', b'</table><script>alert(4)</script>\x1b[31m', t0 + 500)
btmp = b''.join(rec(6, 0, b'ssh:notty', b'root', b'198.51.100.9', t0 + 300 + i,
                    v4('198.51.100.9')) for i in range(3))
open(d + '/wtmp', 'wb').write(wtmp)
open(d + '/btmp', 'wb').write(btmp)
PY
printf 'SHELL=/bin/sh\n# a comment\n*/5 * * * * root /dev/shm/upd.sh >/dev/null 2>&1\n@reboot nobody /usr/bin/true\n' \
	>"$F/cron/irsnap-t"
ssh-keygen -q -t ed25519 -N '' -C 'alice@lab' -f "$T_DIR/k1" &&
ssh-keygen -q -t ecdsa -N '' -C 'back door' -f "$T_DIR/k2" &&
{ cat "$T_DIR/k1.pub"; printf 'command="/bin/sh -c \\"x y\\"",no-pty '; cat "$T_DIR/k2.pub"; } \
	>"$F/ssh/authorized_keys" || { fail "no keys"; finish; }
touch "$F/tl/recent" && touch -d '30 days ago' "$F/tl/old" && : >"$F/tl/\"><script>alert(2)"
{ cat "$FAST_PROFILE"; echo "timeline $F/tl"; echo "copy /root/.ssh/authorized_keys"; } \
	>"$T_DIR/p.profile"
PY=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')   # not a shim
( exec -a '<img src=x onerror=alert(1)>' "$PY" -c '
import ctypes, socket, sys, time
ctypes.CDLL(None).prctl(15, b"<b>x</b>", 0, 0, 0)
f = open(sys.argv[1])
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
open(sys.argv[2], "w").write(str(s.getsockname()[1]))
time.sleep(60)' "$F/tl/\"><script>alert(2)" "$T_DIR/port" ) & P=$!
trap 'kill $P 2>/dev/null; cleanup' EXIT
for _ in $(seq 50); do [ -s "$T_DIR/port" ] && break; sleep 0.1; done
unshare --mount sh -c "mount -t tmpfs irsnap-log /var/log && cp '$F/wtmp' '$F/btmp' /var/log/ &&
	mount --bind '$F/cron' /etc/cron.d && mount -t tmpfs irsnap-root /root && mkdir /root/.ssh &&
	cp '$F/ssh/authorized_keys' /root/.ssh/ &&
	'$IRSNAP' collect -o '$OUT/a.tar' ${OUT_FLAGS[*]} --case C-9 --profile '$T_DIR/p.profile'" \
	2>"$OUT/a.err"
check "a collection with the planted facts (status $?)" [ $? -le 1 ]
extract a || { fail "no bundle"; cat "$OUT/a.err"; finish; }

"$IRSNAP" report -o "$OUT/a.html" "$OUT/a.tar" 2>"$T_DIR/r.err"
check "report -o exits 0 for a valid bundle (got $?)" [ $? = 0 ]
TICKS=$(jq -r "select(.pid == $P) | .start_ticks" "$BDIR/volatile/processes.jsonl")
cat >"$T_DIR/facts.js" <<JS
(function(){
 var q = s => Array.from(document.querySelectorAll(s));
 var t = e => e ? e.textContent : null;
 var table = h => { var x = q('h3').filter(e => e.textContent === h)[0];
	return x ? Array.from(x.nextElementSibling.querySelectorAll('tbody tr')).map(r =>
		Array.from(r.cells).map(c => c.textContent)) : null; };
 var me = document.getElementById('b0-p-$P-$TICKS');
 var body = document.body.textContent;
 return {
  sections: q('section').length, invalid: q('section > .invalid').length,
  valid_banner: q('.valid').length,
  scripts: q('script').length, imgs: q('img').length, svgs: q('svg').length,
  outside: q('[src],[href]').filter(e => !(e.getAttribute('href') || 'x').startsWith('#')).length,
  has_img: body.includes('<img src=x onerror=alert(1)>'),
  has_file: body.includes('"><script>alert(2)'),
  has_host: body.includes('</table><script>alert(4)</script>\\\\x1b[31m'),
  has_comm: body.includes('<b>x</b>'),
  parent: me ? me.parentElement.closest('li').id : null,
  socks: q('tr[id^="b0-s-"]').filter(r => r.cells[6].firstChild.textContent !== '(no owner found)').map(r =>
	r.id + ' ' + r.cells[6].firstChild.textContent),
  mine: t(q('tr[id^="b0-s-"]').filter(r => r.cells[6].textContent.startsWith('$P/'))[0]),
  logins: q('[id="b0-logins-t"] tbody tr').map(r => Array.from(r.cells).slice(1, 6).map(c =>
	c.textContent).join('|')),
  keys: table('authorized_keys'), cron: table('Cron'),
  timeline: q('[id="b0-timeline-t"] tbody tr').map(r => r.cells[1].textContent + '|' +
	r.cells[5].textContent),
  findings_links: q('[id="b0-findings"] a').filter(a => !document.getElementById(
	a.getAttribute('href').slice(1))).length
 }; })()
JS
python3 "$HERE/cdp.py" "$OUT/a.html" "$ART/valid" "$(cat "$T_DIR/facts.js")" >"$T_DIR/b.json" \
	2>"$T_DIR/cdp.err"
check "Chromium opened the page (cdp.py: $(tail -n 1 "$T_DIR/cdp.err"))" [ -s "$T_DIR/b.json" ]
R=$T_DIR/b.json
jqr() { jq -r "$1" "$R"; }
check "no dialog opened: no script of the data ran" [ "$(jqr '.dialogs | length')" = 0 ]
check "no console message, no exception" [ "$(jqr '(.console + .exceptions) | length')" = 0 ]
check "no log entry (a CSP violation would be one): $(jqr '[.log[].text] | join("; ")' | cut -c1-200)" \
	[ "$(jqr '.log | length')" = 0 ]
check "the page's CSP: nothing but its own inlined style and script" bash -c "jq -r .csp '$R' |
	grep -Eq \"^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]{44}'; script-src 'sha256-[A-Za-z0-9+/=]{44}'; img-src 'none'\""
check "one script element (the page's), no image, no svg, nothing outside the page" \
	[ "$(jqr '.result | "\(.scripts) \(.imgs) \(.svgs) \(.outside)"')" = "1 0 0 0" ]
check "the process name appears literally" [ "$(jqr .result.has_img)" = true ]
check "... the file name" [ "$(jqr .result.has_file)" = true ]
check "... the utmp host, its escape byte shown as \\x1b" [ "$(jqr .result.has_host)" = true ]
check "... the comm with its markup" [ "$(jqr .result.has_comm)" = true ]
check "the planted process sits under its parent, the test's shell" \
	[ "$(jqr .result.parent | cut -d- -f1-3)" = "b0-p-$$" ]
jq -r 'select(.owners | length > 0) | "b0-s-\(.netns)-\(.inode) " +
	([.owners[] | "\(.pid)/\(.comm)"] | join(", "))' "$BDIR/volatile/sockets.jsonl" | sort >"$T_DIR/s.want"
jqr '.result.socks[]' | sort >"$T_DIR/s.got"
check "every owned socket, with its owners, as jq joins sockets.jsonl ($(wc -l <"$T_DIR/s.want"))" \
	test_cmp "$T_DIR/s.want" "$T_DIR/s.got"
PORT=$(cat "$T_DIR/port")
expect "the planted listener's row: 127.0.0.1:$PORT, its exe, its parent chain to the shell" '
	jq -r .result.mine "$R" | grep -q "127.0.0.1:$PORT" &&
	jq -r .result.mine "$R" | grep -q "$PY" &&
	jq -r .result.mine "$R" | grep -q "($$)"'
jq -rs 'map(select(.type_name != null) | "\(.type_name)|\(.user)|\(.line)|\(.host)") | .[]' \
	"$BDIR/logins/wtmp.jsonl" | sed 's/\x1b/\\x1b/g' | sort >"$T_DIR/l.want"
jqr '.result.logins[]' | grep '^wtmp' | cut -d'|' -f2- | sed 's/after failures//' |
	sort >"$T_DIR/l.got"
check "the logins timeline has every wtmp record ($(wc -l <"$T_DIR/l.want"))" \
	test_cmp "$T_DIR/l.want" "$T_DIR/l.got"
check "... the three failures of btmp" [ "$(jqr '.result.logins[]' | grep -c '^btmp (failed)|LOGIN_PROCESS|root|')" = 3 ]
check "root's login from the failing address is marked, bob's is not" bash -c "
	jq -r '.result.logins[]' '$R' | grep -q '^wtmpafter failures|USER_PROCESS|root|pts/1|198.51.100.9' &&
	jq -r '.result.logins[]' '$R' | grep -q '^wtmp|USER_PROCESS|bob|'"
ssh-keygen -lf "$F/ssh/authorized_keys" | awk '{print $2}' >"$T_DIR/k.want"
jqr '.result.keys[][2]' >"$T_DIR/k.got"
check "authorized_keys: the fingerprints ssh-keygen -l prints" test_cmp "$T_DIR/k.want" "$T_DIR/k.got"
check "... the options and the comment of the second key" [ "$(jqr '.result.keys[1][3:5] | join("|")')" = \
	'command="/bin/sh -c \"x y\"",no-pty|back door' ]
check "cron: the two entries of the planted file, no setting, no comment" [ "$(jqr \
	'.result.cron[] | select(.[0] == "/etc/cron.d/irsnap-t") | .[1:] | join("|")' | tr '\n' ';')" = \
	'*/5 * * * *|root|/dev/shm/upd.sh >/dev/null 2>&1;@reboot|nobody|/usr/bin/true;' ]
check "recent changes: the new file with all four times, the 30-day-old one with c and b only" \
	[ "$(jqr '.result.timeline[]' | grep -E "\|$F/tl/(recent|old)\$" | sort | tr '\n' ' ')" = \
	"..cb|$F/tl/old macb|$F/tl/recent " ]
check "every evidence link of the findings leads to a record of the page" [ "$(jqr .result.findings_links)" = 0 ]
check "a screenshot of each of the $(jqr .result.sections) sections is kept" \
	[ "$(jqr '.shots | length')" = "$(jqr .result.sections)" -a "$(jqr .result.sections)" -ge 9 ]
check "a valid bundle's page: no INVALID banner, the VALID one" \
	[ "$(jqr '.result | "\(.invalid) \(.valid_banner)"')" = "0 1" ]

# a negative control: the same page with the escaping undone and no CSP runs the
# planted handler, and with the CSP the browser refuses it and says so
sed 's/&lt;img src=x onerror=alert(1)&gt;/<img src=x onerror=alert(1)>/' "$OUT/a.html" >"$T_DIR/csp.html"
sed '/Content-Security-Policy/d' "$T_DIR/csp.html" >"$T_DIR/open.html"
python3 "$HERE/cdp.py" "$T_DIR/open.html" "$T_DIR/shots-open" >"$T_DIR/open.json" 2>/dev/null
check "control: without escaping and CSP the harness sees the alert" \
	[ "$(jq -r '.dialogs | unique | join(",")' "$T_DIR/open.json")" = 1 ]
python3 "$HERE/cdp.py" "$T_DIR/csp.html" "$T_DIR/shots-csp" >"$T_DIR/csp.json" 2>/dev/null
check "... with the CSP, no dialog, and the refusal is logged" bash -c "
	[ \"\$(jq -r '.dialogs | length' '$T_DIR/csp.json')\" = 0 ] &&
	[ \"\$(jq -r '[.log[], .console[]] | length' '$T_DIR/csp.json')\" -gt 0 ]"

python3 - "$OUT/a.tar" "$T_DIR/bad.tar" <<'PYT'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b'"comm":"')
b[i + 8] ^= 1
open(sys.argv[2], "wb").write(b)
PYT
"$IRSNAP" report -o "$T_DIR/bad.html" "$T_DIR/bad.tar" 2>/dev/null
check "a tampered bundle: exit 1 (got $?)" [ $? = 1 ]
python3 "$HERE/cdp.py" "$T_DIR/bad.html" "$ART/tampered" "$(cat "$T_DIR/facts.js")" >"$T_DIR/bad.json" 2>/dev/null
check "... INVALID at the top of every section, no VALID banner" [ "$(jq -r '.result |
	"\(.sections) \(.invalid == .sections) \(.valid_banner)"' "$T_DIR/bad.json")" = \
	"$(jq -r .result.sections "$R") true 0" ]
"$IRSNAP" report -o "$T_DIR/fleet.html" "$OUT/a.tar" "$T_DIR/bad.tar" 2>/dev/null
check "two bundles, one invalid: exit 1 (got $?)" [ $? = 1 ]
check "... a fleet overview, the invalid one said so" bash -c "grep -q '<h2>Fleet overview: 2 bundles</h2>' \
	'$T_DIR/fleet.html' && grep -q '<td>INVALID</td>' '$T_DIR/fleet.html'"
check "... the pivot finds the planted exe's SHA-256 in both" grep -q "<tr><td class=\"m\">$(jq -r \
	"select(.pid == $P) | .exe_sha256" "$BDIR/volatile/processes.jsonl")</td>" "$T_DIR/fleet.html"
cp "$OUT/a.html" "$T_DIR/keep.html"
"$IRSNAP" report -o "$OUT/a.html" "$OUT/a.tar" 2>"$T_DIR/again.err"
check "an existing page is refused (exit 3, got $?)" [ $? = 3 ]
check "... said, and left as it was" bash -c "grep -q 'never replaced' '$T_DIR/again.err' &&
	cmp -s '$OUT/a.html' '$T_DIR/keep.html'"
finish
