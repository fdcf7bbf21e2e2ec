#!/usr/bin/env python3
"""sim/bench_md.py - turn `make bench`'s tables (build/reports/bench/<cfg>.txt,
printed by tb_coproc bench/speed, and systemc.txt) into Markdown:
utilization per tiny-llama layer shape and format pair, and the simulation
speeds.  Usage: bench_md.py DIR > DIR/bench.md"""
import os
import re
import sys

SHAPES = ["64x64", "32x64", "172x64", "64x172", "512x64"]


def parse(path):
    head, rows, notes = "", [], []
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("# ") and ":" in line and not head:
            head = line[2:]
        elif line.startswith("# "):
            notes.append(line[2:])
        elif line.startswith("speed "):
            notes.append(line)
        else:
            f = line.split()
            if len(f) >= 9 and f[0] in SHAPES:
                rows.append(dict(shape=f[0], w=f[1], a=f[2], one=int(f[3]), steady=float(f[4]),
                                 bound=float(f[5]), util=float(f[6]), util1=float(f[7]),
                                 w4a8="W4A8" in line))
    return head, rows, notes


def table(rows, key):
    pairs = []
    for r in rows:
        p = (r["w"], r["a"])
        if p not in pairs:
            pairs.append(p)
    out = ["| weights x activations | " + " | ".join(SHAPES) + " |",
           "|---|" + "---|" * len(SHAPES)]
    for w, a in pairs:
        cells = []
        for s in SHAPES:
            m = [r for r in rows if (r["w"], r["a"], r["shape"]) == (w, a, s)]
            cells.append(f"{m[0][key]:.3f}" if m else "")
        out.append(f"| {w} x {a} | " + " | ".join(cells) + " |")
    return out


def main():
    d = sys.argv[1]
    print("<!-- written by sim/bench_md.py from `make bench` (build/reports/bench/) -->")
    for cfg in sorted(f[:-4] for f in os.listdir(d) if f.endswith(".txt") and f != "systemc.txt"):
        head, rows, notes = parse(os.path.join(d, cfg + ".txt"))
        if not rows:
            continue
        print(f"\n### `{cfg}`: {head.split(': ', 1)[1] if ': ' in head else head}\n")
        print("Steady-state utilization (weight-bandwidth bound / cycles per job, back-to-back jobs):\n")
        print("\n".join(table([r for r in rows if not r["w4a8"]], "util")))
        w4 = [r for r in rows if r["w4a8"]]
        if w4:
            print("\nW4A8 (4-bit weights, INT8 activations: the lane streams at the 8-bit rate by design):\n")
            print("\n".join(table(w4, "util")))
        print("\nSingle job (first input beat to last result beat, ideal stream):\n")
        print("\n".join(table([r for r in rows if not r["w4a8"]], "util1")))
        print()
        for n in notes:
            if n.startswith("matched") or n.startswith("speed") or n.startswith("simulated"):
                print(f"* {n}")
    sc = os.path.join(d, "systemc.txt")
    if os.path.exists(sc):
        # keep the bench's own lines (its comments and table), not the build's
        keep = [l.rstrip() for l in open(sc)
                if l.startswith("#") or l.startswith("shape") or l.split()[:1] and l.split()[0] in SHAPES]
        summary = [l for l in keep if l.startswith("#") and "cycles/s" in l]
        print("\n### SystemC (sim/systemc/, `make bench-systemc`)\n")
        for l in summary:
            print(f"* {l[2:]}")
        print("\n```")
        print("\n".join(l for l in keep if l not in summary))
        print("```")


if __name__ == "__main__":
    main()
