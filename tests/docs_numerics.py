#!/usr/bin/env python3
"""tests/docs_numerics.py - docs/numerics.md's format table must match the
numeric facts that kernels_ref derives from its decoders (`kref formats`)."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail(msg):
    print(f"FAIL docs_numerics: {msg}")
    sys.exit(1)


def main():
    out = subprocess.run([os.path.join(ROOT, "build/bin/kref"), "formats"], check=True,
                         stdout=subprocess.PIPE, text=True).stdout.splitlines()
    facts = {}
    for line in out[1:]:
        f = line.split()
        facts[f[0]] = dict(bits=int(f[1]), sig=int(f[3]), emin=int(f[4]), emax=int(f[5]),
                           lsb=int(f[6]), max=float(f[7]))
    doc = open(os.path.join(ROOT, "docs/numerics.md")).read()
    table = doc.split("| format | bits | sig bits |", 1)[1].split("\n\n", 1)[0]
    seen = set()
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        names = [n.strip() for n in re.sub(r"\(.*?\)", "", cells[0]).split("/")]
        per = lambda cell: [c.strip() for c in cell.split("(")[0].split("/")]
        bits, sigs, lsbs, maxes = per(cells[1]), per(cells[2]), per(cells[4]), per(cells[5])
        for i, name in enumerate(names):
            if name not in facts:
                fail(f"docs row names unknown format '{name}'")
            f = facts[name]
            pick = lambda lst: lst[i] if len(lst) > 1 else lst[0]
            exp = cells[3].split("..")
            emin, emax = (int(exp[0]), int(exp[1])) if len(exp) == 2 else (int(exp[0]),) * 2
            mx = pick(maxes).replace("2^", "2**")
            want = dict(bits=int(pick(bits).split()[0]), sig=int(pick(sigs)), emin=emin, emax=emax,
                        lsb=int(pick(lsbs)), max=float(eval(mx, {"__builtins__": {}})))
            for key in want:
                if want[key] != f[key]:
                    fail(f"{name}: docs say {key}={want[key]}, kref formats says {f[key]}")
            seen.add(name)
    missing = set(facts) - seen
    if missing:
        fail(f"formats missing from the docs table: {sorted(missing)}")
    print(f"PASS docs_numerics ({len(seen)} formats)")


main()
