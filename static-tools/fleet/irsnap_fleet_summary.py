#!/usr/bin/env python3
"""irsnap_fleet_summary.py OUT IRSNAP [IDENTITY] - the fleet's summary.

Reads every host's result (the play's registered output in
OUT/.play-results.json, or OUT/HOST/result.json when the host's output
directory could hold it), writes OUT/fleet-summary.json and
OUT/fleet-summary.csv (host, exit status, collection status, bundle,
size, SHA-256, signer, findings counts, duration, reason), then
`irsnap report` of every verified bundle into a new OUT/fleet-report-
<UTC>.html (report never replaces a file). Prints one line a host.
"""
import csv
import json
import os
import subprocess
import sys
import time

FIELDS = ('host', 'outcome', 'exit_status', 'collection_status', 'bundle', 'bytes', 'sha256',
          'signer', 'high', 'medium', 'low', 'info', 'duration_s', 'reason')


def load(out):
    try:
        played = json.load(open(os.path.join(out, '.play-results.json')))
    except (OSError, ValueError):
        played = {}
    try:   # a host this play left out (--limit) keeps its last summary row
        before = {r['host']: r for r in json.load(open(os.path.join(out, 'fleet-summary.json')))['hosts']}
    except (OSError, ValueError, KeyError, TypeError):
        before = {}
    hosts = sorted(set(played) | set(before) | {d for d in os.listdir(out)
                                                if os.path.isfile(os.path.join(out, d, 'result.json'))})
    rows = []
    for h in hosts:
        r = None
        if played.get(h):
            try:
                r = json.loads(played[h])
            except ValueError:
                r = None
        if r is None:
            try:
                r = json.load(open(os.path.join(out, h, 'result.json')))
            except (OSError, ValueError):
                r = before.get(h) or {'host': h, 'reason': 'no result: the play did not finish this host',
                     'failure': 'no result'}
        rows.append(r)
    return rows


def outcome(r):
    if r.get('verified'):
        return 'verified'
    if r.get('failure'):
        return 'failed'
    return 'unverified'


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit('usage: irsnap_fleet_summary.py OUT IRSNAP [IDENTITY]')
    out, exe = sys.argv[1], sys.argv[2]
    identity = sys.argv[3] if len(sys.argv) == 4 else ''
    rows = load(out)
    flat = []
    for r in rows:
        f = r.get('findings') or {}
        flat.append({'host': r.get('host'), 'outcome': outcome(r),
                     'exit_status': r.get('exit_status'),
                     'collection_status': r.get('collection_status'),
                     'bundle': r.get('bundle'), 'bytes': r.get('bytes'),
                     'sha256': r.get('sha256'), 'signer': r.get('signer'),
                     'high': f.get('high'), 'medium': f.get('medium'), 'low': f.get('low'),
                     'info': f.get('info'), 'duration_s': r.get('duration_s'),
                     'reason': r.get('reason')})
    with open(os.path.join(out, 'fleet-summary.json.tmp'), 'w') as fj:
        json.dump({'generated': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
                   'hosts': rows}, fj, indent=1, sort_keys=True)
    os.replace(os.path.join(out, 'fleet-summary.json.tmp'), os.path.join(out, 'fleet-summary.json'))
    with open(os.path.join(out, 'fleet-summary.csv.tmp'), 'w', newline='') as fc:
        w = csv.DictWriter(fc, fieldnames=FIELDS, lineterminator='\n')
        w.writeheader()
        for row in flat:
            w.writerow({k: '' if v is None else v for k, v in row.items()})
    os.replace(os.path.join(out, 'fleet-summary.csv.tmp'), os.path.join(out, 'fleet-summary.csv'))
    for row in flat:
        print('%-24s %-10s %s' % (row['host'], row['outcome'], row['reason'] or
                                  '%s, %s bytes, findings %s high' %
                                  (row['collection_status'], row['bytes'], row['high'])))
    bundles = [r['bundle'] for r in rows if r.get('verified')]
    if bundles:
        page = os.path.join(out, 'fleet-report-%s.html' % time.strftime('%Y%m%dT%H%M%SZ',
                                                                        time.gmtime()))
        a = [exe, 'report', '-o', page] + (['--identity', identity] if identity else []) + bundles
        cp = subprocess.run(a, capture_output=True)
        print('report: %s (exit %d)' % (page, cp.returncode))
    ok = sum(1 for row in flat if row['outcome'] == 'verified')
    print('fleet: %d of %d hosts verified' % (ok, len(flat)))


if __name__ == '__main__':
    main()
