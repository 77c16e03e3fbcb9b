#!/usr/bin/env python3
"""compare-bundles.py A.tar B.tar - the same member list and record schemas?

For two bundles of the same host made by two irsnap binaries (before and
after a change meant to keep behaviour): the member names (pids, netns
inodes and sequence numbers normalised, as they differ from run to run)
and, for every JSON and JSON Lines member, the set of keys at every depth.
Prints every difference; exits 1 if there is one, 0 if none.
"""
import json
import re
import sys
import tarfile


def norm(name):
    name = name.split('/', 1)[1] if '/' in name else ''
    name = re.sub(r'/deleted-exe/\d+$', '/deleted-exe/N', name)
    name = re.sub(r'/\d{6,}(/|$)', r'/NS\1', name)
    return name


def keys(v, prefix=''):
    out = set()
    if isinstance(v, dict):
        for k, x in v.items():
            out.add(prefix + k)
            out |= keys(x, prefix + k + '.')
    elif isinstance(v, list):
        for x in v:
            out |= keys(x, prefix + '[].')
    return out


def schema(path):
    members, ks = set(), {}
    with tarfile.open(path) as t:
        for m in t.getmembers():
            n = norm(m.name)
            members.add(n + ('/' if m.isdir() else ''))
            if not m.isfile() or not n.endswith(('.json', '.jsonl')):
                continue
            data = t.extractfile(m).read().decode('utf-8', 'replace')
            lines = data.splitlines() if n.endswith('.jsonl') else [data]
            s = ks.setdefault(n, set())
            for line in lines:
                if line.strip():
                    s |= keys(json.loads(line))
    return members, ks


a_m, a_k = schema(sys.argv[1])
b_m, b_k = schema(sys.argv[2])
diff = 0
for n in sorted(a_m - b_m):
    print('only in A: %s' % n)
    diff += 1
for n in sorted(b_m - a_m):
    print('only in B: %s' % n)
    diff += 1
for n in sorted(set(a_k) & set(b_k)):
    for k in sorted(a_k[n] - b_k[n]):
        print('%s: key only in A: %s' % (n, k))
        diff += 1
    for k in sorted(b_k[n] - a_k[n]):
        print('%s: key only in B: %s' % (n, k))
        diff += 1
print('compare-bundles: %d members, %d JSON members, %d differences'
      % (len(a_m | b_m), len(set(a_k) | set(b_k)), diff))
sys.exit(1 if diff else 0)
