#!/usr/bin/env python3
"""bundletar.py - irsnap's tar subset, written a second time, for the tests.

The README's "Bundle format" section specifies the tar subset collect writes
and verify accepts. This is an independent implementation of that text (not
a port of tarfmt.c), used to (1) re-encode a genuine bundle and show the
bytes are identical (the spec and the C encoder agree), (2) repack a bundle
with members dropped, added, duplicated or edited in collect's own format
(so verify's content checks, not its header checks, must catch them), and
(3) build the hostile tars of issue 11 around genuine members.

  bundletar.py pack DIR LIST OUT MTIME   members of LIST (one name a line,
                                         folders end in '/') from DIR
  bundletar.py mtime TAR                 the mtime of the first header
"""
import sys

BLOCK = 512
RECORD = 10240


def octal(v, digits):
    s = format(v, 'o').rjust(digits, '0')
    if len(s) > digits:
        raise ValueError('does not fit')
    return s.encode()


def ustar(name, type_, size, mtime, prefix=b'', mode=None, uid=0, gid=0,
          uname=b'', gname=b'', magic=b'ustar\x00' b'00', linkname=b'',
          fix_checksum=True):
    """One header block, laid out as POSIX ustar and the README say."""
    if mode is None:
        mode = 0o755 if type_ == b'5' else 0o444
    h = bytearray(BLOCK)
    h[0:len(name)] = name
    h[100:108] = octal(mode, 6) + b' \x00'
    h[108:116] = octal(uid, 6) + b' \x00'
    h[116:124] = octal(gid, 6) + b' \x00'
    if size < 8 ** 11:
        h[124:136] = octal(size, 11) + b' '
    else:
        h[124:136] = b'\x80' + size.to_bytes(11, 'big')
    h[136:148] = octal(mtime, 11) + b' '
    h[156:157] = type_
    h[157:157 + len(linkname)] = linkname
    h[257:265] = magic
    h[265:265 + len(uname)] = uname
    h[297:297 + len(gname)] = gname
    h[329:337] = b'000000 \x00'
    h[337:345] = b'000000 \x00'
    h[345:345 + len(prefix)] = prefix
    if fix_checksum:
        checksum(h)
    return bytes(h)


def checksum(h):
    h[148:156] = b' ' * 8
    h[148:156] = octal(sum(h), 6) + b'\x00 '


def pax_records(pairs):
    out = b''
    for k, v in pairs:
        body = b' ' + k + b'=' + v + b'\n'
        n = len(body) + 1
        while len(str(n).encode()) + len(body) != n:
            n = len(str(n).encode()) + len(body)
        out += str(n).encode() + body
    return out


def pad(data):
    return data + b'\x00' * (-len(data) % BLOCK)


def pax_header(pairs, mtime, type_=b'x', name=b'././@PaxHeader', mode=0o444):
    data = pax_records(pairs)
    return ustar(name, type_, len(data), mtime, mode=mode) + pad(data)


def header(full, is_dir, size, mtime):
    """The header blocks collect writes for one member (the README's rules)."""
    type_ = b'5' if is_dir else b'0'
    mode = 0o755 if is_dir else 0o444
    pairs = []
    name, prefix = full, b''
    if len(full) > 100:
        split = None
        for i in range(len(full) - 101, len(full)):
            if i >= 0 and full[i:i + 1] == b'/':
                split = i
                break
        if split == 0:
            nxt = full.find(b'/', 1)
            split = nxt if nxt >= 0 else None
        if split is None or split == len(full) - 1 or split > 155:
            pairs.append((b'path', full))
            name = full[:100]
        else:
            prefix, name = full[:split], full[split + 1:]
    if size >= 8 ** 11:
        pairs.append((b'size', str(size).encode()))
    out = pax_header(pairs, mtime) if pairs else b''   # 'x' headers: mode 0444
    return out + ustar(name, type_, size, mtime, prefix=prefix, mode=mode)


def member(full, data, mtime):
    return header(full, False, len(data), mtime) + pad(data)


def folder(full, mtime):
    return header(full, True, 0, mtime)


def end(body):
    """Two zero blocks, then zeros to a whole record."""
    body += b'\x00' * (2 * BLOCK)
    return body + b'\x00' * (-len(body) % RECORD)


def first_mtime(path):
    with open(path, 'rb') as f:
        h = f.read(BLOCK)
    return int(h[136:147], 8)


def pack(src, listfile, out, mtime):
    body = bytearray()
    with open(listfile, 'rb') as f:
        names = [line.rstrip(b'\n') for line in f if line.strip()]
    for n in names:
        if n.endswith(b'/'):
            body += folder(n, mtime)
        else:
            with open(src.encode() + b'/' + n, 'rb') as g:
                body += member(n, g.read(), mtime)
    with open(out, 'wb') as f:
        f.write(end(bytes(body)))


def members(path):
    """(offset, end offset, name, is_dir, data) of each member of a genuine
    bundle, read with this file's own understanding of the subset."""
    with open(path, 'rb') as f:
        buf = f.read()
    out, off = [], 0
    while off + BLOCK <= len(buf) and buf[off:off + BLOCK] != b'\x00' * BLOCK:
        start = off
        h = buf[off:off + BLOCK]
        path_ = None
        if h[156:157] == b'x':
            size = int(h[124:135], 8)
            data = buf[off + BLOCK:off + BLOCK + size]
            for rec in data.split(b'\n'):
                if b' path=' in rec:
                    path_ = rec.split(b' path=', 1)[1]
            off += BLOCK + size + (-size % BLOCK)
            h = buf[off:off + BLOCK]
        name = path_ or ((h[345:500].rstrip(b'\x00') + b'/') if h[345] else b'') + \
            h[0:100].rstrip(b'\x00')
        size = int.from_bytes(h[125:136], 'big') if h[124] == 0x80 else int(h[124:135], 8)
        data = buf[off + BLOCK:off + BLOCK + size]
        off += BLOCK + size + (-size % BLOCK)
        out.append((start, off, name, h[156:157] == b'5', data))
    return out, buf


if __name__ == '__main__':
    if sys.argv[1] == 'pack':
        pack(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif sys.argv[1] == 'mtime':
        print(first_mtime(sys.argv[2]))
    else:
        sys.exit('usage: bundletar.py pack DIR LIST OUT MTIME | mtime TAR')
