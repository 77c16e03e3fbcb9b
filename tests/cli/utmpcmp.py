#!/usr/bin/env python3
"""utmpcmp.py JSONL SOURCE DUMP [STREAM] - irsnap's utmp records of SOURCE
against `utmpdump` of the same (decompressed) file, field by field, and
their offsets (i * 384, in the decompressed stream); with STREAM, every
record must name that decompressor. Prints the differences and 'bad N'."""
import json
import sys

recs = [json.loads(l) for l in open(sys.argv[1], 'rb')]
recs = [r for r in recs if r['source'] == sys.argv[2]]
dump = [l.rstrip('\n') for l in open(sys.argv[3], encoding='utf-8', errors='surrogateescape')]
stream = sys.argv[4] if len(sys.argv) > 4 else None
bad = 0
if len(recs) != len(dump):
    print('count', len(recs), len(dump))
    bad += 1
for i, (r, d) in enumerate(zip(recs, dump)):
    f = [x.strip() for x in d[1:-1].split('] [')]
    t = r['time'].replace('.', ',')[:26] + '+00:00'
    f[0], f[1] = int(f[0]), int(f[1])
    got = [r['type'], r['pid'], r['id'].strip(), r['user'].strip(), r['line'].strip(),
           r['host'].strip(), r['addr'] or '0.0.0.0', t]
    if r['offset'] != i * 384:
        bad += 1
        print('offset', i)
    if r.get('stream') != stream:
        bad += 1
        print('stream', i, r.get('stream'))
    if got != f:
        bad += 1
        print('differs', got, f)
print('bad', bad)
