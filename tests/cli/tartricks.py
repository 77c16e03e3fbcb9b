#!/usr/bin/env python3
"""tartricks.py GENUINE.tar OUTDIR - the rewritten tars of issue 11.

Each class found by the examination of `irsnap verify` is built from a fresh
genuine bundle: the manifest, signature and key stay the genuine bytes, only
the tar around them changes. Writes OUTDIR/<case>.tar and OUTDIR/cases, one
line per case: "<case> <grep pattern of the rule verify must name>".
The forged run.json of the smuggling cases is OUTDIR/forged-run.json.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bundletar as bt  # noqa: E402

src, outdir = sys.argv[1], sys.argv[2]
mem, buf = bt.members(src)
top = mem[0][2]                       # b'irsnap-.../'
ID = top.rstrip(b'/')
M = bt.first_mtime(src)
eoa = mem[-1][1]                      # end of the last member's data
body = buf[:eoa]
by_name = {m[2]: m for m in mem}
runjson = by_name[ID + b'/run.json']
sig = by_name[ID + b'/MANIFEST.sha256.sig']
# a regular member with data that is neither sealing nor run.json
victim = next(m for m in mem if not m[3] and m[4] and b'/fs/' in m[2] and len(m[2]) <= 100)
vdir = next(m for m in mem if m[3] and m[2] != top)
forged = b'{"format": "irsnap-bundle/1", "status": "complete", "forged": true}\n'
with open(os.path.join(outdir, 'forged-run.json'), 'wb') as f:
    f.write(forged)
cases = []


def write(case, data, rule):
    with open(os.path.join(outdir, case + '.tar'), 'wb') as f:
        f.write(data)
    cases.append((case, rule))


def at(m):
    """Split the body at the start of member m: (before, the member, after)."""
    return body[:m[0]], body[m[0]:m[1]], body[m[1]:]


def fix(h):
    h = bytearray(h)
    bt.checksum(h)
    return bytes(h)


def edit_main_header(mb, **fields):
    """The member mb with fields of its (last) ustar header changed."""
    raw = bytearray(body[mb[0]:mb[1]])
    hoff = 0
    if raw[156:157] == b'x':
        size = int(raw[124:135], 8)
        hoff = bt.BLOCK + size + (-size % bt.BLOCK)
    for off, val in fields.values():
        raw[hoff + off:hoff + off + len(val)] = val
    raw[hoff:hoff + bt.BLOCK] = fix(raw[hoff:hoff + bt.BLOCK])
    return bytes(raw)


# 1. a pax size on a directory: libarchive skipped the bytes, GNU tar and
#    Python's tarfile extract them as members (a forged run.json)
#    placed after the signature, so the forged file is extracted last
payload = bt.member(ID + b'/run.json', forged, M)
pre, d, post = at(vdir)
write('pax-size-dir', bt.end(body + bt.pax_header([(b'size', str(len(payload)).encode())], M)
                            + bt.folder(ID + b'/zz/', M) + payload), "pax size on a directory")
# ... and a ustar size on a directory
write('size-dir', bt.end(pre + bt.ustar(vdir[2], b'5', len(payload), M) + payload + post),
      "data on a directory")
# 2. pax global headers, which GNU tar applies to every later member
write('global-path', bt.end(body[:bt.BLOCK] + bt.pax_header([(b'path', ID + b'/evil')], M, b'g')
                           + body[bt.BLOCK:]), "pax global header")
write('global-size', bt.end(body[:bt.BLOCK] + bt.pax_header([(b'size', b'0')], M, b'g')
                           + body[bt.BLOCK:]), "pax global header")
# 3. a GNU long name followed by a pax path: two parsers, two names
other = by_name[ID + b'/run.json'][2]
pre, v, post = at(victim)
longlink = bt.ustar(b'././@LongLink', b'L', len(other) + 1, M) + bt.pad(other + b'\x00')
write('gnu-longname-pax', bt.end(pre + longlink + bt.pax_header([(b'path', victim[2])], M)
                                + v + post), "GNU long name")
# 4. sparse members: GNU 'S' type, and pax GNU.sparse 1.0 keys with a map
write('gnu-sparse', bt.end(pre + edit_main_header(victim, t=(156, b'S')) + post),
      "GNU sparse")
data = victim[4]
smap = bt.pad(b'2\n0\n%d\n%d\n0\n' % (len(data) // 2, len(data) + 4096))
sparse_keys = [(b'GNU.sparse.major', b'1'), (b'GNU.sparse.minor', b'0'),
               (b'GNU.sparse.name', victim[2]), (b'GNU.sparse.realsize', b'%d' % (len(data) + 4096))]
sp_name = victim[2].rsplit(b'/', 1)[0] + b'/GNUSparseFile.0/' + victim[2].rsplit(b'/', 1)[1]
write('pax-sparse', bt.end(pre + bt.pax_header(sparse_keys, M)
                           + bt.ustar(sp_name[-100:], b'0', len(smap) + len(data) // 2, M)
                           + bt.pad(smap + data[:len(data) // 2]) + post),
      "pax key 'GNU.sparse")
# 5. a directory twin of run.json after the signature
write('dir-twin', bt.end(body + bt.folder(ID + b'/run.json/', M)), "duplicate member")
# 6. a GNU volume header wrapping a member
write('volume', bt.end(pre + bt.ustar(b'irsnap-volume', b'V', 0, M) + v + post),
      "GNU volume header")
# 7. header mode, owner, mtime
write('mode-setuid', bt.end(pre + edit_main_header(victim, m=(100, b'004755 \x00')) + post),
      "header field 'mode'")
write('owner-uid', bt.end(pre + edit_main_header(victim, u=(108, b'001750 \x00')) + post),
      "header field 'uid'")
write('owner-uname', bt.end(pre + edit_main_header(victim, u=(265, b'root')) + post),
      "header field 'uname'")
write('mtime-one', bt.end(pre + edit_main_header(victim, t=(136, bt.octal(M + 1, 11) + b' '))
                          + post), "header field 'mtime'")
every = b''.join(bt.folder(m[2], M + 3600) if m[3] else bt.member(m[2], m[4], M + 3600)
                 for m in mem)
write('mtime-all', bt.end(every), "tar mtime is not the start of the collection")
# 8. a second archive appended, inside the end padding and after it
extra = bt.end(bt.member(ID + b'/run.json', forged, M))
write('appended', buf + extra, "bytes after the end of the archive")
tail = bt.end(body)
inside = tail[:eoa + 2 * bt.BLOCK] + bt.member(ID + b'/evil', forged, M)
write('in-padding', inside + tail[len(inside):], "data after the end-of-archive blocks")
# 9. members after a single zero block
write('one-zero-block', bt.end(body + b'\x00' * bt.BLOCK + bt.member(ID + b'/evil', forged, M)),
      "data after a single zero block")
# 10. a 2,000-byte name with '..' (the check once ran on a truncated copy)
dotdot = ID + b'/' + b'a/' * 996 + b'../../x'
pre_s = body[:sig[0] - 0]
man = by_name[ID + b'/MANIFEST.sha256']
write('dotdot-2000', bt.end(body[:man[0]] + bt.member(dotdot, b'x', M) + body[man[0]:]),
      "unsafe member name")
# ... and a pax path holding a NUL (a C string would stop at it)
write('pax-path-nul', bt.end(body[:man[0]] + bt.pax_header([(b'path', ID + b'/fs/x\x00/../../evil')], M)
                             + bt.ustar(b'x', b'0', 1, M) + bt.pad(b'x') + body[man[0]:]),
      "unsafe member name")
# 11. files d and d/c in one bundle (no tar extracts both)
write('d-and-dc', bt.end(body[:man[0]] + bt.member(ID + b'/d', b'1', M) +
                          bt.member(ID + b'/d/c', b'2', M) + body[man[0]:]),
      "member under a name that is a file")
write('d-and-dir', bt.end(body[:man[0]] + bt.member(ID + b'/d', b'1', M) +
                           bt.folder(ID + b'/d/', M) + bt.member(ID + b'/d/c', b'2', M)
                           + body[man[0]:]), "duplicate member")
# more breaks of the subset
raw = bytearray(v)
raw[-1] = 0x41 if len(victim[4]) % bt.BLOCK else raw[-1]
if len(victim[4]) % bt.BLOCK:
    write('padding-bytes', bt.end(pre + bytes(raw) + post), "bytes hidden in the padding")
write('pax-unneeded', bt.end(pre + bt.pax_header([(b'path', victim[2])], M) + v + post),
      "pax header where collect writes none")
write('pax-mtime', bt.end(pre + bt.pax_header([(b'mtime', b'%d.5' % M)], M) + v + post),
      "pax key 'mtime'")
write('gnu-magic', bt.end(pre + edit_main_header(victim, g=(257, b'ustar  \x00')) + post),
      "not a POSIX ustar header")
bad = bytearray(v)
bad[10] ^= 1
write('checksum', bt.end(pre + bytes(bad) + post), "damaged header")
write('symlink', bt.end(body[:man[0]] + bt.ustar(ID + b'/lnk', b'2', 0, M, linkname=b'/etc/shadow')
                        + body[man[0]:]), "not a regular file or directory")
write('hardlink', bt.end(body[:man[0]] + bt.ustar(ID + b'/lnk', b'1', 0, M, linkname=other)
                         + body[man[0]:]), "not a regular file or directory")
write('truncated', buf[:sig[0] + bt.BLOCK + 10], "truncated")
write('no-end', body, "without its end-of-archive blocks")
write('folder-late', bt.end(body[:man[0]] + bt.member(ID + b'/new/x', b'1', M) + body[man[0]:]),
      "member before its folder")

with open(os.path.join(outdir, 'cases'), 'w') as f:
    for c, rule in cases:
        f.write('%s %s\n' % (c, rule))
