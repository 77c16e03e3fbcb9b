#!/usr/bin/env python3
"""tar_diff.py - differential fuzzing of `irsnap verify` against GNU tar.

  tar_diff.py IRSNAP GENUINE.tar FINGERPRINT WORKDIR SECONDS [SEED]

A structure-aware mutator rewrites the tar around a genuine bundle's
members (headers inserted, fields edited, members duplicated, dropped,
moved, folders added, the end changed, bytes flipped). Each mutant goes to
`irsnap verify --fingerprint`; whenever verify says VALID, GNU tar and
Python's tarfile extract the mutant and the trees must equal the genuine
extraction: the same paths, types, modes and bytes. A VALID mutant that
extracts to anything else is a disagreement: it is kept in WORKDIR and the
run fails. Prints how many mutants, how many VALID, how many disagreed.
"""
import hashlib
import os
import random
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cli'))
import bundletar as bt  # noqa: E402

irsnap, genuine, fpr, work, seconds = sys.argv[1:6]
seed = int(sys.argv[6]) if len(sys.argv) > 6 else int(time.time())
rnd = random.Random(seed)
mem, buf = bt.members(genuine)
M = bt.first_mtime(genuine)
ID = mem[0][2].rstrip(b'/')
names = [m[2] for m in mem]
# the genuine bundle as records: the bytes of each member, then the end
records = [buf[m[0]:m[1]] for m in mem]
tail = buf[mem[-1][1]:]

PAX_KEYS = [b'path', b'size', b'mtime', b'atime', b'uid', b'gid', b'uname', b'gname',
            b'linkpath', b'hdrcharset', b'GNU.sparse.major', b'GNU.sparse.minor',
            b'GNU.sparse.name', b'GNU.sparse.realsize', b'GNU.sparse.size',
            b'GNU.sparse.map', b'GNU.sparse.offset', b'GNU.sparse.numbytes',
            b'SCHILY.xattr.user.x', b'comment', b'charset']
TYPES = b'0125x' + b'gLKSVDMN34 67\x00'


def tree(root):
    """path -> (type, mode, sha256 of the bytes or link target)"""
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                out[rel] = ('l', st.st_mode & 0o7777, os.readlink(p))
            elif os.path.isdir(p):
                out[rel] = ('d', st.st_mode & 0o7777, '')
            elif os.path.isfile(p):
                with open(p, 'rb') as f:
                    out[rel] = ('f', st.st_mode & 0o7777, hashlib.sha256(f.read()).hexdigest())
            else:
                out[rel] = ('o', st.st_mode, '')
    return out


def extract_gnu(path, dest):
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    try:
        r = subprocess.run(['tar', '-xf', path, '-C', dest], capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:   # e.g. a FIFO, then a file of its name
        return 'timeout', tree(dest)
    return r.returncode, tree(dest)


PY_EXTRACT = 'import sys, tarfile\nwith tarfile.open(sys.argv[1]) as t:\n    t.extractall(sys.argv[2])\n'


def extract_py(path, dest):
    """Python's tarfile with its defaults, in a child with a deadline: it
    opens an existing FIFO of a member's name and would wait forever."""
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    try:
        r = subprocess.run([sys.executable, '-c', PY_EXTRACT, path, dest],
                           capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        return 'timeout', None
    if r.returncode != 0:   # a reader that refuses is no disagreement
        return 'error', None
    return 0, tree(dest)


def rand_value(key):
    choice = rnd.random()
    if key in (b'path', b'linkpath', b'GNU.sparse.name'):
        n = rnd.choice(names)
        return n if choice < 0.6 else n + b'x' if choice < 0.8 else ID + b'/evil'
    if choice < 0.7:
        return str(rnd.choice([0, 1, 511, 512, 1024, 4096, M, 8 ** 11])).encode()
    return rnd.choice([b'BINARY', b'root', b'0,512', b'1', b''])


def fix(h):
    h = bytearray(h)
    bt.checksum(h)
    return bytes(h)


def main_header_at(rec):
    off = 0
    if rec[156:157] == b'x' and len(rec) >= 2 * bt.BLOCK:
        try:
            size = int(rec[124:135], 8)
        except ValueError:
            return 0
        off = bt.BLOCK + size + (-size % bt.BLOCK)
    return off if off + bt.BLOCK <= len(rec) else 0


def mutate(recs, end):
    op = rnd.randrange(12)
    i = rnd.randrange(len(recs) + 1)
    if op == 0:      # a pax header (x or g) with random records before a member
        pairs = [(k, rand_value(k)) for k in rnd.sample(PAX_KEYS, rnd.randint(1, 3))]
        recs.insert(i, bt.pax_header(pairs, M, rnd.choice([b'x', b'x', b'g'])))
    elif op == 1:    # a header of another type, maybe with data
        t = bytes([rnd.choice(TYPES)])
        data = rnd.choice([b'', rnd.choice(names) + b'\x00', b'A' * rnd.randint(1, 1500)])
        recs.insert(i, bt.ustar(rnd.choice(names)[:100], t, len(data), M) + bt.pad(data))
    elif op == 2:    # edit a field of a member's main header
        j = rnd.randrange(len(recs))
        rec = bytearray(recs[j])
        h = main_header_at(rec)
        field = rnd.choice([(100, 8), (108, 8), (116, 8), (124, 12), (136, 12), (156, 1),
                            (157, 100), (257, 8), (265, 32), (297, 32), (329, 8), (345, 155),
                            (0, 100)])
        off, ln = field
        pos = h + off + rnd.randrange(ln)
        rec[pos] = rnd.choice(b'01234567 \x00xL5/.ustar') if rnd.random() < 0.7 else rnd.randrange(256)
        if rnd.random() < 0.9:
            rec[h:h + bt.BLOCK] = fix(rec[h:h + bt.BLOCK])
        recs[j] = bytes(rec)
    elif op == 3:    # duplicate a member somewhere
        recs.insert(i, rnd.choice(recs))
    elif op == 4 and len(recs) > 2:   # drop one
        del recs[rnd.randrange(len(recs))]
    elif op == 5 and len(recs) > 2:   # move one
        recs.insert(i, recs.pop(rnd.randrange(len(recs))))
    elif op == 6:    # a folder, maybe with data (a pax size or a ustar size)
        payload = bt.member(rnd.choice(names), b'forged\n', M)
        name = rnd.choice([n for n in names if n.endswith(b'/')] + [ID + b'/zz/', ID + b'/run.json/'])
        hdr = bt.folder(name, M)
        if rnd.random() < 0.5:
            hdr = bt.pax_header([(b'size', str(len(payload)).encode())], M) + hdr
        else:
            hdr = bt.ustar(name[:100], b'5', len(payload), M)
        recs.insert(i, hdr + payload)
    elif op == 7:    # a new member of collect's own format
        recs.insert(i, bt.member(rnd.choice(names + [ID + b'/d', ID + b'/d/c']) +
                                 rnd.choice([b'', b'/x']), b'new\n', M))
    elif op == 8:    # the end: one zero block, appended data, a second archive
        k = rnd.randrange(4)
        if k == 0:
            end = b'\x00' * bt.BLOCK + bt.member(ID + b'/evil', b'x', M) + end
        elif k == 1:
            end = end + bt.end(bt.member(ID + b'/run.json', b'forged', M))
        elif k == 2:
            end = end[:rnd.randrange(len(end) + 1)]
        else:
            e = bytearray(end)
            e[rnd.randrange(len(e))] = rnd.randrange(1, 256)
            end = bytes(e)
    elif op == 9:    # a byte flipped anywhere in a record
        j = rnd.randrange(len(recs))
        rec = bytearray(recs[j])
        rec[rnd.randrange(len(rec))] ^= 1 << rnd.randrange(8)
        recs[j] = bytes(rec)
    elif op == 10:   # bytes in a member's padding
        j = rnd.randrange(len(recs))
        rec = bytearray(recs[j])
        if rec[-1] == 0:
            rec[-1] = 0x41
        recs[j] = bytes(rec)
    else:            # a GNU long name before a member, or a pax path for it
        name = rnd.choice(names)
        if rnd.random() < 0.5:
            recs.insert(i, bt.ustar(b'././@LongLink', b'L', len(name) + 1, M) + bt.pad(name + b'\x00'))
        else:
            recs.insert(i, bt.pax_header([(b'path', name)], M))
    return recs, end


os.makedirs(work, exist_ok=True)
g_rc, g_tree = extract_gnu(genuine, os.path.join(work, 'genuine'))
assert g_rc == 0 and g_tree, 'GNU tar cannot extract the genuine bundle'
deadline = time.time() + float(seconds)
mutants = valid = disagree = 0
while time.time() < deadline:
    recs, end = list(records), tail
    for _ in range(rnd.randint(1, 3)):
        recs, end = mutate(recs, end)
    data = b''.join(recs) + end
    if data == buf:
        continue
    mutants += 1
    path = os.path.join(work, 'm.tar')
    with open(path, 'wb') as f:
        f.write(data)
    r = subprocess.run([irsnap, 'verify', path, '--fingerprint', fpr], capture_output=True)
    if r.returncode != 0:
        if r.returncode not in (1, 3):
            disagree += 1
            shutil.copy(path, os.path.join(work, 'crash-%d.tar' % mutants))
            print('verify exit %d on mutant %d' % (r.returncode, mutants))
        continue
    valid += 1
    gnu_rc, gnu = extract_gnu(path, os.path.join(work, 'gnu'))
    py_rc, py = extract_py(path, os.path.join(work, 'py'))
    bad = []
    if gnu_rc != 0 or gnu != g_tree:
        bad.append('GNU tar')
    if py_rc == 0 and py != g_tree:
        bad.append("Python's tarfile")
    if bad:
        disagree += 1
        keep = os.path.join(work, 'disagree-%d.tar' % mutants)
        shutil.copy(path, keep)
        print('DISAGREE: verify VALID, %s extracts something else: %s' % (' and '.join(bad), keep))
print('tar_diff: seed %d, %d mutants in %s s, %d VALID, %d disagreements'
      % (seed, mutants, seconds, valid, disagree))
sys.exit(1 if disagree else 0)
