#!/usr/bin/env python3
"""tests/docs_protocol.py - docs/protocol.md's register table (section 4)
must list exactly the registers of rtl_gen/regs.def (the one place the map
is written: it drives the register file and the C header), at the same
offsets and with the same access; and the generated C header of the `all`
configuration must define NPE_REG_<name> with those offsets."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail(msg):
    print(f"FAIL docs_protocol: {msg}")
    sys.exit(1)


def regs_def():
    regs = {}
    text = open(os.path.join(ROOT, "rtl_gen/regs.def")).read()
    for m in re.finditer(r"^REG\((\w+),\s*(0x[0-9A-Fa-f]+),\s*(\w+),", text, re.M):
        regs[m.group(1)] = (int(m.group(2), 16), m.group(3))
    if not regs:
        fail("no REG(...) rows in rtl_gen/regs.def")
    return regs


def doc_table():
    doc = open(os.path.join(ROOT, "docs/protocol.md")).read()
    sec = doc.split("## 4. Registers", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in sec.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not re.fullmatch(r"0x[0-9A-Fa-f]{3}", cells[0]):
            continue
        off, name, acc = int(cells[0], 16), cells[1], cells[2]
        m = re.fullmatch(r"(\w+)_LO/HI \((0x[0-9A-Fa-f]+)\)", name)
        if m:  # a 64-bit counter: two registers
            rows[m.group(1) + "_LO"] = (off, acc)
            rows[m.group(1) + "_HI"] = (int(m.group(2), 16), acc)
        else:
            rows[name] = (off, acc)
    if not rows:
        fail("no register rows found in docs/protocol.md section 4")
    return rows


def main():
    regs, rows = regs_def(), doc_table()
    for name in sorted(set(regs) | set(rows)):
        if name not in rows:
            fail(f"register {name} of rtl_gen/regs.def is missing from docs/protocol.md section 4")
        if name not in regs:
            fail(f"docs/protocol.md lists {name}, which rtl_gen/regs.def does not define")
        (ro, ra), (do, da) = regs[name], rows[name]
        if ro != do:
            fail(f"{name}: offset 0x{ro:03X} in regs.def, 0x{do:03X} in docs/protocol.md")
        if ra != da and not (ra == "CTRL" and da == "RW"):
            fail(f"{name}: access {ra} in regs.def, {da} in docs/protocol.md")
    hdr = os.path.join(ROOT, "build/rtl/all/all_params.h")
    if os.path.exists(hdr):
        h = open(hdr).read()
        for name, (off, _) in regs.items():
            m = re.search(rf"#define NPE_REG_{name} 0x([0-9A-F]+)u", h)
            if not m or int(m.group(1), 16) != off:
                fail(f"{hdr}: NPE_REG_{name} missing or not 0x{off:03X}")
    print(f"{len(regs)} registers: regs.def, docs/protocol.md and the C header agree")
    print("PASS docs_protocol")


if __name__ == "__main__":
    main()
