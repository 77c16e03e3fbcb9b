#!/usr/bin/env python3
"""jsonstrict.py DIR - every .json and .jsonl file under DIR (an extracted
bundle) is strict JSON: one value per .json file or per .jsonl line, no
duplicate key in any object (a writer that emits a key twice leaves its
reader to pick one: jq takes the last, others the first), no NaN or
Infinity. Prints each problem as 'file:line: what'; exit 1 if any."""
import json
import os
import sys


class Dup(ValueError):
    pass


def pairs(kv):
    seen = {}
    for k, v in kv:
        if k in seen:
            raise Dup("duplicate key %r" % k)
        seen[k] = v
    return seen


def nonfinite(name):
    raise ValueError("non-standard number %s" % name)


def load(text):
    return json.loads(text, object_pairs_hook=pairs, parse_constant=nonfinite)


def main():
    bad = 0
    files = 0
    for root, _, names in os.walk(sys.argv[1]):
        for n in sorted(names):
            p = os.path.join(root, n)
            if not (n.endswith(".json") or n.endswith(".jsonl")):
                continue
            files += 1
            with open(p, "rb") as f:
                data = f.read().decode("utf-8", errors="strict")
            units = [(1, data)] if n.endswith(".json") else \
                [(i + 1, l) for i, l in enumerate(data.split("\n")) if l != ""]
            for ln, u in units:
                try:
                    load(u)
                except ValueError as e:
                    print("%s:%d: %s" % (os.path.relpath(p, sys.argv[1]), ln, e))
                    bad += 1
    if files == 0:
        print("no .json or .jsonl file under %s" % sys.argv[1])
        return 1
    return 1 if bad else 0


sys.exit(main())
