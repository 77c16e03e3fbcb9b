#!/usr/bin/env python3
"""slowread.py OUT FLAG: copy stdin to OUT, 64 KiB every 10 ms until the
file FLAG exists, then at full speed: a reader that keeps a collection
blocked mid-run (in the middle of a big file) until the test is ready."""
import os
import sys
import time

out = open(sys.argv[1], 'wb')
while True:
    slow = not os.path.exists(sys.argv[2])
    b = sys.stdin.buffer.read(1 << 16 if slow else 1 << 20)
    if not b:
        break
    out.write(b)
    if slow:
        time.sleep(0.01)
