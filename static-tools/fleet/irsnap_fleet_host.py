#!/usr/bin/env python3
"""irsnap_fleet_host.py - one host of the fleet play, run on the controller.

The play (collect.yml) runs this once per inventory host, in parallel (its
forks), on the controller. It never asks Ansible to run a module on the
suspect host: no Python there, no ~/.ansible/tmp written there. Everything
on the host goes through one ssh command at a time, built from the host's
inventory connection variables:

  1. probe    ssh ... 'echo irsnap-probe'             unreachable? authentication?
  2. place    a path on read-only media named by the inventory, checked
              with sha256sum there; or a copy into a tmpfs (umask 077,
              noclobber), checked the same way, recorded in --note
  3. collect  ssh ... 'exec BIN collect -o - ...' streamed into
              OUT/HOST/bundle.tar.zst[.age], 1 MiB at a time, hashed as
              it arrives; never staged on the host, never whole in memory
  4. clean    the tmpfs copy removed, and checked gone
  5. verify   irsnap verify --sha256 (the paper log's) --pubkey LAB or
              --fingerprint (the paper log's signer); report --text for
              the collection status and the findings counts
  6. result   OUT/HOST/result.json, OUT/HOST/paper-log.txt

Parameters come as one JSON object (--params), composed by the role from
the inventory. Exit status: 0 (the result, whatever it is, was written),
2 (bad parameters, or the result could not be written).
"""
import hashlib
import json
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import time

PAPER = ('status', 'findings', 'bundle', 'bundle-sha256', 'bundle-bytes',
         'manifest-sha256', 'signer')
CHUNK = 1 << 20


def utc(t=None):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(t))


class HostFailed(Exception):
    def __init__(self, kind, detail):
        super().__init__(detail)
        self.kind, self.detail = kind, detail


def ssh_failure(stderr):
    """The reason for an ssh exit 255, from what ssh printed."""
    text = stderr.strip().splitlines()
    last = text[-1] if text else 'ssh failed without a message'
    if re.search(r'Permission denied|Too many authentication failures|'
                 r'no matching (host key|key exchange)', stderr):
        return 'authentication', last
    if re.search(r'Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED', stderr):
        return 'host key', last
    return 'unreachable', last


class Host:
    def __init__(self, p):
        self.p = p
        self.name = p['host']
        self.out = os.path.join(p['out_dir'], self.name)
        self.deadline = time.monotonic() + float(p['host_timeout'])
        play_left = float(p.get('play_deadline', 0)) - time.time()
        if p.get('play_deadline') and play_left < float(p['host_timeout']):
            self.deadline = time.monotonic() + max(play_left, 1.0)
        self.result = {'host': self.name, 'address': p['address'], 'exit_status': None,
                       'collection_status': None, 'bundle': None, 'bytes': None,
                       'sha256': None, 'signer': None, 'verified': False,
                       'findings': None, 'started': utc(), 'duration_s': None,
                       'reason': None, 'footprint': None}
        self.t0 = time.monotonic()

    # ssh -------------------------------------------------------------
    def ssh_argv(self, remote):
        p = self.p
        argv = ['ssh', '-T', '-o', 'BatchMode=yes',
                '-o', 'ConnectTimeout=%d' % int(p.get('connect_timeout', 15)),
                '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=4',
                '-p', str(p['port']), '-l', p['user']]
        if p.get('ssh_key'):
            argv += ['-i', p['ssh_key']]
        argv += shlex.split(p.get('ssh_args') or '')
        return argv + ['--', p['address'], remote]

    def left(self):
        return self.deadline - time.monotonic()

    def run(self, remote, what, stdin=None, limit=60.0):
        """A short ssh command: its output; HostFailed on any failure."""
        t = min(limit, self.left())
        if t <= 0:
            raise HostFailed('timeout', 'the host timeout was spent before ' + what)
        try:
            cp = subprocess.run(self.ssh_argv(remote), stdin=stdin or subprocess.DEVNULL,
                                capture_output=True, timeout=t)
        except subprocess.TimeoutExpired:
            raise HostFailed('timeout', '%s took over %.0f s' % (what, t))
        err = cp.stderr.decode('utf-8', 'replace')
        if cp.returncode == 255:
            raise HostFailed(*ssh_failure(err))
        if cp.returncode != 0:
            raise HostFailed('host error', '%s: exit %d: %s' % (what, cp.returncode,
                                                               err.strip()[-300:]))
        return cp.stdout.decode('utf-8', 'replace')

    # steps -----------------------------------------------------------
    def probe(self):
        if 'irsnap-probe' not in self.run('echo irsnap-probe', 'the probe', limit=30):
            raise HostFailed('host error', 'the probe did not answer')

    def check_sha(self, path):
        out = self.run('sha256sum -- %s' % shlex.quote(path), 'the SHA-256 check')
        got = out.split()[0] if out.split() else ''
        if got != self.p['binary_sha256']:
            raise HostFailed('binary mismatch', '%s has SHA-256 %s, not %s' %
                             (path, got or '(none)', self.p['binary_sha256']))

    def place(self):
        media = self.p.get('media_path')
        if media:
            self.check_sha(media)
            self.result['footprint'] = {'kind': 'media', 'path': media}
            return media, False
        d = self.p.get('tmpfs_dir') or '/dev/shm'
        path = '%s/irsnap-fleet-%s' % (d.rstrip('/'), os.urandom(6).hex())
        size = os.path.getsize(self.p['binary'])
        when = utc()
        self.result['footprint'] = {'kind': 'tmpfs copy', 'path': path, 'bytes': size,
                                    'copied': when, 'removed': None}
        # noclobber: an existing file there is never replaced or run
        remote = 'set -C && umask 077 && cat > %s && chmod 700 %s' % (shlex.quote(path),
                                                                    shlex.quote(path))
        with open(self.p['binary'], 'rb') as f:
            self.run(remote, 'the copy into %s' % d, stdin=f, limit=300)
        self.check_sha(path)
        return path, True

    def remove(self, path):
        try:
            self.deadline = max(self.deadline, time.monotonic() + 30)   # always room to clean
            out = self.run('rm -f -- %s; test -e %s && echo still-there || echo gone' %
                           (shlex.quote(path), shlex.quote(path)), 'the removal', limit=30)
            if 'gone' in out:
                self.result['footprint']['removed'] = utc()
                return None
            return 'the copy %s is still on the host' % path
        except HostFailed as e:
            return 'the copy %s could not be removed: %s' % (path, e.detail)

    def collect_argv(self, binary):
        p = self.p
        budget = max(1, int(self.left() - min(60.0, self.left() / 4)))
        note = p.get('note') or ''
        fp = self.result['footprint']
        if fp and fp['kind'] == 'tmpfs copy':
            note = ('fleet: irsnap copied to %s (%d bytes) at %s, removed after the run; %s' %
                    (fp['path'], fp['bytes'], fp['copied'], note)).rstrip('; ')
        else:
            note = ('fleet: irsnap run from read-only media at %s; %s' %
                    (fp['path'], note)).rstrip('; ')
        a = [binary, 'collect', '-o', '-', '--compress', 'zstd', '--budget', str(budget),
             '--note', note]
        for k, opt in (('case', '--case'), ('examiner', '--examiner'), ('profile', '--profile'),
                       ('signing_key', '--key')):
            if p.get(k):
                a += [opt, p[k]]
        for r in p.get('encrypt_to') or []:
            a += ['--encrypt-to', r]
        return 'exec ' + ' '.join(shlex.quote(x) for x in a)

    def collect(self, binary):
        os.makedirs(self.out, exist_ok=True)
        name = 'bundle.tar.zst' + ('.age' if self.p.get('encrypt_to') else '')
        final = os.path.join(self.out, name)
        part = final + '.part'
        for stale in (final, part):
            if os.path.exists(stale):   # an earlier run's, not verified: kept aside
                os.rename(stale, '%s.%d.old' % (stale, int(time.time())))
        errpath = os.path.join(self.out, 'collect.err')
        h = hashlib.sha256()
        n = 0
        with open(errpath, 'wb') as errf:
            proc = subprocess.Popen(self.ssh_argv(self.collect_argv(binary)),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=errf, start_new_session=True)
            failure = None
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            try:
                src = proc.stdout.fileno()
                while True:
                    if self.left() <= 0:
                        failure = HostFailed('timeout', 'the collection ran past the host '
                                             'timeout (%d bytes had arrived)' % n)
                        break
                    ready, _, _ = select.select([src], [], [], min(self.left(), 1.0))
                    if not ready:
                        continue
                    chunk = os.read(src, CHUNK)
                    if not chunk:
                        break
                    h.update(chunk)
                    n += len(chunk)
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(fd, view):]
                os.fsync(fd)
            except OSError as e:
                failure = HostFailed('output error', 'cannot write %s: %s' % (part, e.strerror))
            finally:
                os.close(fd)
            if failure:
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                rc = proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                rc = proc.wait()
        self.result['exit_status'] = rc
        err = open(errpath, 'rb').read().decode('utf-8', 'replace')
        paper = [l for l in err.splitlines()
                 if l.startswith('irsnap: ') and l[8:].split(':')[0] in PAPER]
        paperpath = os.path.join(self.out, 'paper-log.txt')
        try:
            with open(paperpath, 'w') as f:
                f.write(''.join(l + '\n' for l in paper[-len(PAPER):]))
        except OSError as e:    # the bundle's own failure, if any, is the reason
            failure = failure or HostFailed('output error', 'cannot write %s: %s' %
                                            (paperpath, e.strerror))
        lines = {l[8:].split(':', 1)[0]: l.split(': ', 2)[-1].strip() for l in paper}
        if failure:
            raise failure
        if rc == 255:
            raise HostFailed(*ssh_failure(err))
        if rc not in (0, 1):
            last = [l for l in err.splitlines() if l.strip()][-1:] or ['(no message)']
            raise HostFailed('collect failed', 'irsnap exit %d: %s' % (rc, last[0][-300:]))
        os.rename(part, final)
        self.result.update(bundle=final, bytes=n, sha256=h.hexdigest())
        if lines.get('bundle-sha256') != h.hexdigest():
            raise HostFailed('invalid bundle', 'the bytes received hash to %s, the paper log '
                             'says %s' % (h.hexdigest(), lines.get('bundle-sha256')))
        return final, lines

    def verify(self, bundle, lines):
        p = self.p
        exe = p.get('controller_binary') or p['binary']
        a = [exe, 'verify', bundle, '--sha256', lines['bundle-sha256']]
        if p.get('lab_pubkey'):
            a += ['--pubkey', p['lab_pubkey']]
        elif lines.get('signer'):
            a += ['--fingerprint', lines['signer']]
        if p.get('identity'):
            a += ['--identity', p['identity']]
        cp = subprocess.run(a, capture_output=True, timeout=3600)
        with open(os.path.join(self.out, 'verify.txt'), 'wb') as f:
            f.write(cp.stdout + cp.stderr)
        self.result['signer'] = lines.get('signer')
        if cp.returncode == 3 and p.get('encrypt_to') and not p.get('identity'):
            self.result['reason'] = ('encrypted: the stream matches the paper log; no identity '
                                     'given to verify the contents')
            return
        if cp.returncode != 0:
            why = [l for l in cp.stdout.decode('utf-8', 'replace').splitlines()
                   if l.startswith(('INVALID', 'result', 'error'))][:3]
            raise HostFailed('invalid bundle', 'verify exit %d: %s' %
                             (cp.returncode, '; '.join(why) or 'see verify.txt'))
        self.result['verified'] = True
        a = [exe, 'report', '--text'] + (['--identity', p['identity']]
                                          if p.get('identity') else []) + [bundle]
        text = subprocess.run(a, capture_output=True, timeout=3600).stdout.decode('utf-8',
                                                                                  'replace')
        m = re.search(r'^findings: +(\d+) high, (\d+) medium, (\d+) low, (\d+) info', text, re.M)
        if m:
            self.result['findings'] = dict(zip(('high', 'medium', 'low', 'info'),
                                               map(int, m.groups())))
        m = re.search(r'^collected: .* status (\S+)', text, re.M)
        if m:
            self.result['collection_status'] = m.group(1)


def already_verified(out):
    try:
        r = json.load(open(os.path.join(out, 'result.json')))
    except (OSError, ValueError):
        return None
    if not r.get('verified') or not r.get('bundle') or not os.path.exists(r['bundle']):
        return None
    h = hashlib.sha256()
    with open(r['bundle'], 'rb') as f:
        for b in iter(lambda: f.read(CHUNK), b''):
            h.update(b)
    return r if h.hexdigest() == r.get('sha256') else None


def main():
    if len(sys.argv) != 3 or sys.argv[1] != '--params':
        sys.exit('usage: irsnap_fleet_host.py --params JSON')
    try:
        p = json.loads(sys.argv[2])
        for k in ('host', 'address', 'port', 'user', 'binary', 'out_dir', 'host_timeout'):
            if p.get(k) in (None, ''):
                raise ValueError('no %s' % k)
        enc = p.get('encrypt_to') or []
        p['encrypt_to'] = [enc] if isinstance(enc, str) else list(enc)
        if not p.get('binary_sha256'):
            with open(p['binary'], 'rb') as f:
                p['binary_sha256'] = hashlib.sha256(f.read()).hexdigest()
    except (ValueError, OSError) as e:
        print('irsnap_fleet_host: bad parameters: %s' % e, file=sys.stderr)
        sys.exit(2)
    host = Host(p)
    prior = already_verified(host.out)
    if prior:
        print(json.dumps(dict(prior, skipped='already verified')))
        return
    path, copied = None, False
    try:
        host.probe()
        path, copied = host.place()
        bundle, lines = host.collect(path)
        host.verify(bundle, lines)
    except HostFailed as e:
        host.result['reason'] = '%s: %s' % (e.kind, e.detail)
        host.result['failure'] = e.kind
    except (OSError, subprocess.SubprocessError) as e:
        host.result['reason'] = 'controller error: %s' % e
        host.result['failure'] = 'controller error'
    if copied:
        left = host.remove(path)
        if left:
            host.result['reason'] = '; '.join(filter(None, [host.result['reason'], left]))
            host.result.setdefault('failure', 'footprint left')
    host.result['duration_s'] = round(time.monotonic() - host.t0, 3)
    # the play registers this line: the result survives an output that
    # cannot hold result.json (the reason a host failed may be just that)
    print(json.dumps(host.result), flush=True)
    tmp = os.path.join(host.out, 'result.json.tmp')
    try:
        os.makedirs(host.out, exist_ok=True)
        with open(tmp, 'w') as f:
            json.dump(host.result, f, indent=1, sort_keys=True)
        os.replace(tmp, os.path.join(host.out, 'result.json'))
    except OSError as e:
        print('irsnap_fleet_host: %s: result.json not written: %s' % (host.name, e.strerror),
              file=sys.stderr)


if __name__ == '__main__':
    main()
