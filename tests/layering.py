#!/usr/bin/env python3
"""layering.py TOP [OBJDIR] - the layering of collector/, checked (lint.sh).

Rules (README, "How the code is laid out"):
  - sources/ never reaches the bundle writer, the keys, the tar, OpenSSL or
    libarchive: not directly, not through another header;
  - host/ reads the host and makes no records and no bundle: it reaches no
    header of run/, sources/ or bundle/;
  - lib/ reaches only lib/ and the system;
  - no include cycle between project headers;
  - with OBJDIR (a build's object files): no call cycle between files, from
    the symbols each object defines and uses (nm);
  - the README's layout section lists exactly the folders of collector/.
Prints each violation; exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

top = sys.argv[1]
objdir = sys.argv[2] if len(sys.argv) > 2 else None
col = os.path.join(top, 'collector')
inc_dirs = [os.path.join(top, 'include')] + sorted(
    d for d, _, _ in os.walk(col))
bad = []

files = {}
for d in [os.path.join(top, 'include')] + [col]:
    for dp, _, fs in os.walk(d):
        for f in fs:
            if f.endswith(('.c', '.h')):
                files[os.path.join(dp, f)] = None


def resolve(name, frm):
    for d in [os.path.dirname(frm)] + inc_dirs:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    return None


INC = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def includes(path):
    with open(path, errors='replace') as f:
        text = f.read()
    out = []
    for kind, name in INC.findall(text):
        if kind == '"':
            p = resolve(name, path)
            out.append(('local', p or name))
        else:
            out.append(('system', name))
    return out


closure_cache = {}


def closure(path, stack=()):
    if path in closure_cache:
        return closure_cache[path]
    seen = set()
    for kind, p in includes(path):
        seen.add((kind, p))
        if kind == 'local' and p.endswith('.h') and os.path.exists(p):
            if p in stack:
                bad.append('include cycle: ' + ' -> '.join(
                    os.path.relpath(x, top) for x in stack + (path, p)))
                continue
            seen |= closure(p, stack + (path,))
    closure_cache[path] = seen
    return seen


def under(path, folder):
    return os.path.relpath(path, col).startswith(folder + os.sep)


LIB_HEADERS = {'capbuf.h', 'strset.h', 'textutil.h', 'jsonw.h', 'jsonx.h', 'zbuf.h',
               'pscan.h', 'vec.h', 'deadline.h', 'bodyfile.h'}
FORBIDDEN_FOR_SOURCES = {'bundle.h', 'sign.h', 'tarfmt.h', 'tarread.h', 'verify.h',
                         'hashthread.h'}
for path in sorted(files):
    if not path.startswith(col + os.sep):
        closure(path)
        continue
    rel = os.path.relpath(path, top)
    cl = closure(path)
    locs = {os.path.basename(p) for k, p in cl if k == 'local'}
    locdirs = {os.path.relpath(os.path.dirname(p), col).split(os.sep)[0]
               for k, p in cl if k == 'local' and p.startswith(col + os.sep)}
    syss = {n for k, n in cl if k == 'system'}
    if under(path, 'sources'):
        for h in sorted(locs & FORBIDDEN_FOR_SOURCES):
            bad.append('%s: a source reaches %s (sources hand bytes to run/, never '
                       'to the bundle)' % (rel, h))
        for n in sorted(syss):
            if n.startswith(('openssl/', 'archive')):
                bad.append('%s: a source reaches <%s>' % (rel, n))
    if under(path, 'host'):
        for d in sorted(locdirs & {'run', 'sources', 'bundle', 'cmd'}):
            bad.append('%s: host/ reaches %s/ (host/ makes no records, no bundle)'
                       % (rel, d))
        for h in sorted(locs & {'run.h', 'source.h', 'spool.h', 'copy.h', 'bundle.h'}):
            bad.append('%s: host/ reaches %s (host/ makes no records, no bundle)'
                       % (rel, h))
    if under(path, 'lib'):
        for k, p in sorted(cl):
            if k == 'local' and os.path.basename(p) != 'banned.h' and not (
                    p.startswith(os.path.join(col, 'lib')) or
                    os.path.basename(p) in LIB_HEADERS):
                bad.append('%s: lib/ reaches %s' % (rel, os.path.relpath(p, top)))

if objdir:
    # file -> defined and undefined global symbols
    defs, uses = {}, {}
    for dp, _, fs in os.walk(objdir):
        for f in fs:
            if not f.endswith('.o'):
                continue
            p = os.path.join(dp, f)
            name = os.path.relpath(p, objdir)
            if not os.path.exists(os.path.join(top, name[:-2])):
                continue   # a stale object of a file that is gone
            out = subprocess.run(['nm', p], capture_output=True, text=True).stdout
            defs[name] = {l.split()[-1] for l in out.splitlines()
                          if re.match(r'^[0-9a-f]+ [TDBR] ', l)}
            uses[name] = {l.split()[-1] for l in out.splitlines() if ' U ' in l}
    owner = {s: n for n, ss in defs.items() for s in ss}
    graph = {n: {owner[s] for s in uses[n] if s in owner and owner[s] != n} for n in defs}
    state = {}

    def visit(n, path):
        state[n] = 1
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                cyc = path[path.index(m):] + [m]
                bad.append('call cycle: ' + ' -> '.join(
                    re.sub(r'\.c\.o$', '.c', x).split('collector/')[-1] for x in cyc))
            elif m not in state:
                visit(m, path + [m])
        state[n] = 2
    for n in sorted(graph):
        if n not in state:
            visit(n, [n])

readme = open(os.path.join(top, 'README.md')).read()
m = re.search(r'## How the code is laid out\n(.*?)\n## ', readme, re.S)
if not m:
    bad.append('README.md: no "How the code is laid out" section')
else:
    listed = set(re.findall(r'^    collector/([a-z]+(?:/[a-z]+)?)/', m.group(1), re.M))
    actual = {d for d in os.listdir(col) if os.path.isdir(os.path.join(col, d))} - {'sources'}
    actual |= {'sources/' + d for d in os.listdir(os.path.join(col, 'sources'))
               if os.path.isdir(os.path.join(col, 'sources', d))}
    for d in sorted(actual - listed):
        bad.append('README.md: collector/%s/ is not in the layout section' % d)
    for d in sorted(listed - actual):
        bad.append('README.md: the layout section lists collector/%s/, which does not exist' % d)

for b in bad:
    print('layering: ' + b)
sys.exit(1 if bad else 0)
