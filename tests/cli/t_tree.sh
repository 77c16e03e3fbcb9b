#!/bin/bash
# A tree the test builds — hostile names, a FIFO, symlink loops, a symlink to
# /dev/zero, a file growing while read, a file over the cap, executables, a
# directory chain deeper than PATH_MAX — collected through a test profile
# (tree, list, timeline with hash-exec): every legitimate file is in the
# bundle with the right SHA-256 and metadata, every refusal is recorded, the
# bodyfile opens with Sleuth Kit's `mactime -b`, and no atime changes.
. "$(dirname "$0")/lib.sh"
need jq; need tar; need python3; need mactime; need sha256sum

D=$T_DIR/tree
mkdir -p "$D"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o relatime,size=256m irsnap-tree "$D"; then T_MOUNTS+=("$D"); fi
mkdir -p "$D/etc" "$D/bin" "$D/logs"
echo "plain" >"$D/etc/plain.conf"
printf 'x' >"$D/$(printf 'new\nline')"
printf 'x' >"$D/$(printf 'esc\033[31m')"
printf 'x' >"$D/$(printf 'bad\377utf')"
printf 'x' >"$D/pipe|name%%25"
mkfifo "$D/fifo"
ln -s loop-b "$D/loop-a"; ln -s loop-a "$D/loop-b"
mkdir -p "$D/dirloop"; ln -s .. "$D/dirloop/up"
ln -s /dev/zero "$D/zero"
cp "$(type -P true)" "$D/bin/tool"
printf '#!/bin/sh\necho hi\n' >"$D/bin/script"
printf '#!/bin/sh\n' >"$D/etc/run.sh" && chmod +x "$D/etc/run.sh"
head -c $((2 << 20)) /dev/urandom >"$D/logs/big.log"
# deeper than PATH_MAX (4096): 200 levels of 24-byte names
python3 - "$D/deep" <<'PY'
import os, sys
os.mkdir(sys.argv[1]); os.chdir(sys.argv[1])
for i in range(1, 201):            # relative steps: no path is ever that long
    name = f'level-{i:03d}-xxxxxxxxxxxx'
    os.mkdir(name); os.chdir(name)
open('bottom.txt', 'w').write('deep\n')
PY
# atimes older than mtimes: relatime would update them on any read
find "$D" -type f -exec touch -a -d '2001-01-01 00:00:00' {} + 2>/dev/null
atime_before=$(stat -c '%X %n' "$D/etc/plain.conf" "$D/bin/tool" "$D/bin/script" "$D/logs/big.log")
# a file growing while irsnap reads it: 64 KiB a millisecond (to 512 MiB at
# most), read whole by its own tree step, so that it grows during the copy
# however fast the copy is
GROW=$T_DIR/grow
mkdir -p "$GROW"
python3 -c '
import sys, time
with open(sys.argv[1], "ab", buffering=0) as f:
    end, n = time.time() + 60, 0
    while time.time() < end and n < 8192:
        f.write(b"x" * 65536); n += 1; time.sleep(0.001)
' "$GROW/growing.log" & GROWER=$!
trap 'kill $GROWER 2>/dev/null; wait 2>/dev/null; cleanup' EXIT
sleep 0.5

cat >"$T_DIR/tree.profile" <<PROFILE
profile tree-test
tree $GROW max-file 1G
tree $D max-file 1M max-depth 4096
list $D copy-exec 1M max-depth 4096
timeline $D hash-exec max-depth 4096
PROFILE
collect t --profile "$T_DIR/tree.profile"
kill $GROWER 2>/dev/null
atime_after=$(stat -c '%X %n' "$D/etc/plain.conf" "$D/bin/tool" "$D/bin/script" "$D/logs/big.log")   # before the test reads them
check "collect exits 0 or 1 (got $RC)" [ "$RC" -le 1 ]
check "no atime of the sampled files changed" [ "$atime_after" = "$atime_before" ]
cat "$D/etc/plain.conf" >/dev/null
check "control: a plain read does change an atime here" [ "$(stat -c %X "$D/etc/plain.conf")" != "$(echo "$atime_before" | head -n 1 | cut -d' ' -f1)" ]
extract t || { fail "cannot extract"; cat "$OUT/t.err"; finish; }
I=$BDIR/index.jsonl
check "the bundle verifies" verifies "$OUT/t.tar"

python3 - "$I" "$BDIR" "$D" <<'PY' >"$T_DIR/cmp.out"
import base64, hashlib, json, os, sys
idx, bdir, root = sys.argv[1:4]
bad = checked = 0
seen = set()
for l in open(idx, 'rb'):
    r = json.loads(l)
    if r['step'] != 'tree' or r['kind'] != 'file': continue
    src = base64.b64decode(r['source_b64']) if 'source_b64' in r else r['source'].encode()
    seen.add(src)
    if b'growing' in src or b'big.log' in src or len(src) > 4000: continue
    want = hashlib.sha256(open(src, 'rb').read()).hexdigest()
    got = hashlib.sha256(open(os.path.join(bdir, r['member']), 'rb').read()).hexdigest()
    st = os.lstat(src)
    checked += 1
    if not (r['status'] == 'ok' and r['sha256'] == want == got and r['stat']['ino'] == st.st_ino
            and r['stat']['size'] == st.st_size and r['noatime'] is True):
        bad += 1; print('differs', src[:80], r['status'], r.get('message'))
for dirpath, dirs, files in os.walk(root.encode()):
    for f in files:
        p = os.path.join(dirpath, f)
        if len(p) < 4000 and os.path.isfile(p) and not os.path.islink(p) and p not in seen:
            bad += 1; print('missing', p[:100])
print('checked', checked); print('bad', bad)
PY
grep -v '^bad\|^checked' "$T_DIR/cmp.out" | head -5
check "every regular file is in the bundle with its SHA-256, inode and size ($(tail -n 2 "$T_DIR/cmp.out" | tr '\n' ' '))" grep -qx 'bad 0' "$T_DIR/cmp.out"
check "the file deeper than PATH_MAX was copied, under fs-long/<sha256 of its path>" [ \
	"$(jq -r 'select(.step == "tree" and (.source | endswith("/bottom.txt"))) | "\(.status) \(.source | length > 4096) \(.member | startswith("fs-long/"))"' "$I")" = "ok true true" ]
check "the work log cuts the deep path's line, marked with its whole length" \
	grep -q "level-[0-9]*-x*/.*[.][.][.](cut: [0-9]* bytes in all, whole in the index)" "$BDIR/acquisition.log"
deep_member=$(jq -r 'select(.step == "tree" and (.source | endswith("/bottom.txt"))) | .member' "$I")
check "its member holds the file and is named by the path's SHA-256" bash -c "
	[ \"\$(cat '$BDIR/$deep_member')\" = deep ] &&
	[ \"fs-long/\$(jq -j 'select(.step == \"tree\" and (.source | endswith(\"/bottom.txt\"))) | .source' '$I' | sha256sum | cut -d' ' -f1)\" = '$deep_member' ]"
check "the file over max-file is truncated at 1 MiB, original size kept" [ \
	"$(jq -r 'select(.step == "tree" and (.source | endswith("/big.log"))) | "\(.status) \(.bytes) \(.original_size) \(.truncated)"' "$I")" = "partial 1048576 2097152 true" ]
check "the growing file is marked partial: changed while read" \
	bash -c "jq -r 'select(.step == \"tree\" and (.source | endswith(\"/growing.log\"))) | .status + \" \" + .message' '$I' | grep -q '^partial .*size changed while read'"
check "the FIFO is recorded, never opened" [ "$(jq -r 'select(.step == "tree" and .source == "'"$D/fifo"'") | "\(.status) \(.kind) \(.member)"' "$I")" = "ok special null" ]
check "the symlink loop is recorded, not followed" [ "$(jq -r 'select(.step == "tree" and .source == "'"$D/loop-a"'") | "\(.kind) \(.link_target) \(.member)"' "$I")" = "symlink loop-b null" ]
check "the symlink to /dev/zero is recorded, not followed" [ "$(jq -r 'select(.step == "tree" and .source == "'"$D/zero"'") | "\(.kind) \(.link_target)"' "$I")" = "symlink /dev/zero" ]
check "the hostile names' exact bytes are kept" \
	bash -c "jq -r 'select(.step == \"tree\") | .source_b64 // empty' '$I' | base64 -d | grep -aq \$'bad\\xffutf'"

# the tree step lists every entry, links and folders too (an enabled unit's
# link beside its unit): its listing of $D is .0001
LT=$(find "$BDIR/listing" -name "$(basename "$D").0001.jsonl")
check "the tree's listing has the symlink with its target, the folder, the FIFO" [ \
	"$(jq -r 'select(.path == "'"$D/loop-a"'" or .path == "'"$D/bin"'" or .path == "'"$D/fifo"'") |
		"\(.type):\(.link_target // "")"' "$LT" | sort | tr '\n' ' ')" = "directory: fifo: symlink:loop-b " ]
# the list step's goes on at .0002
L=$(find "$BDIR/listing" -name "$(basename "$D").0002.jsonl")
check "the listing has the FIFO as a fifo" [ "$(jq -r 'select(.path == "'"$D/fifo"'") | .type' "$L")" = fifo ]
check "the listing copied the executables and the script" [ "$(jq -r 'select(.copied) | .path' "$L" | sort | tr '\n' ' ')" = "$D/bin/script $D/bin/tool $D/etc/run.sh " ]
check "the listing records the symlink target" [ "$(jq -r 'select(.path == "'"$D/dirloop/up"'") | .link_target' "$L")" = ".." ]

cat "$BDIR"/timeline/bodyfile.* >"$T_DIR/body"
check "mactime -b reads the bodyfile" bash -c "TZ=UTC mactime -b '$T_DIR/body' -d >'$T_DIR/mactime.out' 2>'$T_DIR/mactime.err'"
check "mactime lists the test's files" grep -q "$D/etc/plain.conf" "$T_DIR/mactime.out"
cat "$BDIR"/timeline/sha256.* >"$T_DIR/sums" 2>/dev/null
check "the executable's SHA-256 is beside the bodyfile, as sha256sum prints it" grep -qx \
	"$(sha256sum <"$D/bin/tool" | cut -d' ' -f1)  $D/bin/tool" "$T_DIR/sums"
check "... and sha256sum -c checks the test's files with it" bash -c "grep '  $D/' '$T_DIR/sums' |
	sha256sum -c --quiet --strict"
check "an executable outside a bin directory is not hashed" bash -c "! grep -q '  $D/etc/run.sh\$' '$T_DIR/sums'"
check "every chunk's sums come right before it, with only names of that chunk" python3 - "$BDIR/timeline" <<'PY'
import os, sys
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    if f.startswith('sha256.'):
        names = {l.split(b'|')[1] for l in open(os.path.join(d, 'bodyfile.' + f[7:]), 'rb')}
        for l in open(os.path.join(d, f), 'rb'):
            assert l[64:66] == b'  ' and l[66:-1] in names, l
PY
# plaso's bodyfile parser refuses a file whose first line breaks its rules
# (plaso/parsers/bodyfile.py: 11 values, the MD5 column 0 or 32 hex digits,
# the times numbers, size, gid and uid base-10 integers, UTF-8); every line
# of every chunk is held to them here, so any chunk is a file plaso opens
check "plaso's first-line rules hold on every line of every chunk" python3 - "$BDIR/timeline" <<'PY'
import os, re, sys
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    if not f.startswith('bodyfile.'):
        continue
    for n, raw in enumerate(open(os.path.join(d, f), 'rb')):
        v = raw.decode('utf-8').rstrip('\n').split('|')
        assert len(v) >= 11, (f, n)
        assert v[0] == '0' or re.fullmatch('[0-9a-fA-F]{32}', v[0]), (f, n, v[0])
        [float(x) for x in v[-4:]]
        [int(x, 10) for x in v[-7:-4]]
PY
check "a '|' in a name cannot break a bodyfile line" bash -c "awk -F'|' 'NF != 11 {exit 1}' '$T_DIR/body'"
check "the bodyfile has the deep file" grep -q 'bottom.txt' "$T_DIR/body"

# without root: an unreadable file and directory are recorded, the walk goes on
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	U=$T_DIR/unreadable
	mkdir -p "$U/closed" "$T_DIR/nr" && echo secret >"$U/secret" && echo ok >"$U/open" && echo x >"$U/closed/x"
	chmod 600 "$U/secret"; chmod 700 "$U/closed"; chmod 755 "$U"; chmod 777 "$T_DIR/nr"; chmod 755 "$T_DIR"
	printf 'profile nr\ntree %s\n' "$U" >"$T_DIR/nr.profile"; chmod 644 "$T_DIR/nr.profile"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$IRSNAP" collect -o "$T_DIR/nr/n.tar" \
		--allow-host-output --profile "$T_DIR/nr.profile" 2>/dev/null
	check "a non-root tree walk exits 1 (an unreadable file)" [ $? = 1 ]
	mkdir -p "$OUT/nr.d" && tar -xf "$T_DIR/nr/n.tar" -C "$OUT/nr.d"
	N=$(echo "$OUT/nr.d"/irsnap-*)
	check "the unreadable file is recorded with EACCES" [ "$(jq -r 'select(.source == "'"$U/secret"'") | .error' "$N/index.jsonl")" = EACCES ]
	check "the readable file beside it was copied" [ "$(jq -r 'select(.source == "'"$U/open"'") | .status' "$N/index.jsonl")" = ok ]
	check "the unreadable directory is counted in the work log" grep -q "1 unreadable" "$N/acquisition.log"
	# the listing is written after the copy: it says what came of it
	NL=$(find "$N/listing" -name '*.jsonl' | head -n 1)
	expect "the listing: the unreadable file not copied, and why ($(jq -c 'select(.path == "'"$U/secret"'") | [.copied, .not_copied]' "$NL" 2>/dev/null))" \
		"jq -s -e 'map(select(.path == \"$U/secret\" and .copied == false and (.not_copied | test(\"Permission denied\")))) | length == 1' '$NL' >/dev/null"
	expect "the listing: the readable file beside it copied" \
		"jq -s -e 'map(select(.path == \"$U/open\" and .copied == true and .not_copied == null)) | length == 1' '$NL' >/dev/null"
fi
# a root reached through a link its user made (~/.config -> root's folder)
# is not walked: it would list root's files under the user's name; a link
# root made (merged /usr's /lib -> usr/lib) is followed
if [ "$(id -u)" = 0 ]; then
	V=$T_DIR/rootonly; H=$T_DIR/home/u
	mkdir -p "$V/autostart" "$H" && echo "rootsecret-$$" >"$V/autostart/x.desktop"
	ln -s "$V" "$H/.config" && chown -h 65534:65534 "$H/.config"
	ln -s "$V" "$T_DIR/rootlink"
	# and the folder root's link leads to, named again (merged /usr's
	# /lib/systemd/system after /usr/lib/systemd/system): walked once by
	# the tree steps, and still by a list step
	printf 'profile links\ntree %s\ntree %s\ntree %s\nlist %s\n' "$H/.config/autostart" \
		"$T_DIR/rootlink/autostart" "$V/autostart" "$V/autostart" >"$T_DIR/links.profile"
	collect links --profile "$T_DIR/links.profile"
	check "a walk refusing a user's link exits 0 (got $RC)" [ "$RC" = 0 ]
	extract links || { fail "no bundle"; finish; }
	check "the work log names the user's link and its owner" \
		grep -qF "tree '$H/.config/autostart': not walked: its path passes through a symbolic link root does not own ('$H/.config', uid 65534)" "$BDIR/acquisition.log"
	check "nothing is listed or copied under the user's path" \
		bash -c "! grep -rqF '$H/.config' '$BDIR/listing' '$BDIR/index.jsonl'"
	expect "root's link is followed: the file listed and copied under the named path" \
		"find '$BDIR/listing' -name '*.jsonl' -exec cat {} + | jq -s -e 'map(select(.path == \"$T_DIR/rootlink/autostart/x.desktop\" and .copied)) | length == 1' >/dev/null"
	check "the same folder under its own name: no second tree walk, and the work log says which" \
		grep -qF "tree '$V/autostart': not walked: it is the folder '$V/autostart', which an earlier tree step walked" "$BDIR/acquisition.log"
	expect "... its file copied once by the tree steps, listed by the list step" \
		"jq -s -e '[.[] | select(.step == \"tree\" and .member != null and (.source | endswith(\"/x.desktop\")))] | length == 1' '$BDIR/index.jsonl' >/dev/null &&
		 find '$BDIR/listing' -name '*.jsonl' -exec cat {} + | jq -s -e 'map(select(.path == \"$V/autostart/x.desktop\")) | length == 1' >/dev/null"
fi
# a step that copies is capped in total: five 1 MiB executables under a
# list with copy-exec 2M max-total 3M: three copied, two left out and
# recorded, the work log says how many and how much, the run goes on
X=$T_DIR/exes
mkdir -p "$X" && for i in 1 2 3 4 5; do head -c 1048576 /dev/urandom >"$X/e$i" && chmod +x "$X/e$i"; done
printf 'profile cap\nlist %s copy-exec 2M max-total 3M\ntree %s\n' "$X" "$X" >"$T_DIR/cap.profile"
collect cap --profile "$T_DIR/cap.profile"
check "a capped list exits 0 (the cap is no failure, got $RC)" [ "$RC" = 0 ]
extract cap || { fail "no bundle"; finish; }
LS=$(find "$BDIR/listing" -name "*.0001.jsonl")   # the list's; the tree's is .0002
check "three executables copied by the list step" \
	[ "$(jq -r 'select(.copied == true) | .path' $LS | wc -l)" = 3 ]
check "two left out, each saying why" \
	[ "$(jq -r 'select(.not_copied == "max-total reached") | .path' $LS | wc -l)" = 2 ]
check "the work log says how many files and bytes were left out" \
	grep -q "list '$X': max-total of 3145728 bytes reached: 2 files (2097152 bytes) left out" "$BDIR/acquisition.log"
"$IRSNAP" list --profile "$T_DIR/cap.profile" >"$T_DIR/cap.list"
check "a tree without max-total gets the default total cap (irsnap list)" \
	grep -q "tree .*(max-total 1073741824)" "$T_DIR/cap.list"
# a tree of a folder that is not there: recorded in the work log, no empty listing
printf 'profile absent\ntree %s/not-there\n' "$T_DIR" >"$T_DIR/absent.profile"
collect absent --profile "$T_DIR/absent.profile"
expect "a tree of an absent folder leaves no listing" '
	extract absent && [ ! -e "$BDIR/listing" ] && grep -q "not-there.*not walked" "$BDIR/acquisition.log"'
finish
