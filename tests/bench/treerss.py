#!/usr/bin/env python3
"""treerss.py OUT CMD... - run CMD; sample, every 0.1 s, the proportional
set size (PSS: each shared page divided among the processes that share
it, so forked workers are not counted many times over) summed over CMD and
all its descendants: what the controller holds at once, every fork
included; write "wall_s peak_pss_kib" to OUT. Exit: CMD's."""
import os
import subprocess
import sys
import time


def tree_rss(root):
    kids = {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % d) as f:
                ppid = int(f.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        todo += kids.get(p, [])
        try:
            with open('/proc/%d/smaps_rollup' % p) as f:
                for line in f:
                    if line.startswith('Pss:'):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.1)
    with open(out, 'w') as f:
        f.write('%.2f %d\n' % (time.monotonic() - t0, peak))
    sys.exit(proc.returncode)


if __name__ == '__main__':
    main()
