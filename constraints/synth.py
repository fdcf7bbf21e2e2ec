#!/usr/bin/env python3
"""constraints/synth.py - area and timing of one generated configuration.

Runs, on the RTL of build/rtl/<config>/ (its .f file list):
  * Yosys synth_xilinx for UltraScale+ (xcup) and 7-series (xc7): LUT, FF,
    DSP, CARRY and BRAM counts (stat -tech xilinx);
  * Yosys mapped to the OSU 180 nm standard cells (Debian's qflow tech
    files): chip area, total and per module (hierarchy kept);
  * OpenSTA on the flattened, cleaned netlist with constraints/npe.sdc:
    worst slack and Fmax, after checking that OpenSTA linked every cell
    Yosys wrote (TOOLCHAIN.md: a partial read otherwise goes unnoticed).
Writes report.json (every figure, tool versions, command lines) and
report.md into --out, and exits non-zero if a tool fails or a figure is
missing.
"""
import argparse
import json
import os
import re
import subprocess
import sys

LIB = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib"
HERE = os.path.dirname(os.path.abspath(__file__))


def die(msg):
    print(f"synth: error: {msg}", file=sys.stderr)
    sys.exit(1)


def run(cmd, log, **kw):
    with open(log, "w") as f:
        p = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, text=True, **kw)
    text = open(log).read()
    if p.returncode != 0:
        die(f"{cmd[0]} failed (exit {p.returncode}); see {log}:\n" + "\n".join(text.splitlines()[-15:]))
    return text


def rtl_files(rtl_dir, flist):
    files = []
    for line in open(os.path.join(rtl_dir, flist)):
        line = line.strip()
        if line and not line.startswith("//") and not line.startswith("#"):
            files.append(os.path.join(rtl_dir, line))
    if not files:
        die(f"no Verilog files listed in {flist}")
    return files


def last_stat_block(log):
    """The last 'Printing statistics' section of a Yosys log (the top's)."""
    parts = log.split("Printing statistics.")
    if len(parts) < 2:
        die("Yosys printed no statistics")
    return parts[-1]


def xilinx(files, top, family, out):
    script = f"read_verilog {' '.join(files)}; synth_xilinx -family {family} -top {top}; stat -tech xilinx"
    log = run(["yosys", "-p", script], os.path.join(out, f"yosys_{family}.log"))
    block = last_stat_block(log)
    # the design total is the last "=== design hierarchy ===" section, or the only module
    total = block.split("=== design hierarchy ===")[-1]
    counts = {}
    for name, n in re.findall(r"^\s+(\w+)\s+(\d+)\s*$", total, re.M):
        counts[name] = counts.get(name, 0) + int(n)
    pick = lambda pat: sum(n for c, n in counts.items() if re.fullmatch(pat, c))
    return {
        "LUT": pick(r"LUT[1-6]"), "FF": pick(r"FD\w*"), "DSP": pick(r"DSP\w*"),
        "CARRY": pick(r"CARRY\w*"), "BRAM": pick(r"RAMB\w*"), "cells": counts,
        "command": f"yosys -p '{script}'",
    }


def asic(files, top, out):
    net = os.path.join(out, "netlist_osu018.v")
    script = (f"read_verilog {' '.join(files)}; synth -top {top}; dfflibmap -liberty {LIB}; "
              f"abc -liberty {LIB}; opt_clean; stat -liberty {LIB}; "
              # OpenSTA needs a flat netlist of plain nets (TOOLCHAIN.md)
              f"flatten; splitnets -ports; opt_clean -purge; insbuf -buf BUFX2 A Y; "
              f"stat; write_verilog -noattr -noexpr {net}")
    log = run(["yosys", "-p", script], os.path.join(out, "yosys_osu018.log"))
    # synth prints its own statistics first; ours are the last two sections
    stats = log.split("Printing statistics.")[-2:]
    if len(stats) < 2:
        die("Yosys ASIC flow printed too few statistics")
    per_module = {m: float(a) for m, a in
                  re.findall(r"=== (\S+) ===.*?Chip area for module '\S+': ([\d.]+)", stats[0], re.S)}
    # with hierarchy kept, each module's own cells; the total is the
    # "design hierarchy" section's "Chip area for top module" line
    m = re.search(r"Chip area for top module[^:]*: ([\d.]+)", stats[0])
    if not m and len(per_module) == 1:
        area = next(iter(per_module.values()))
    else:
        area = float(m.group(1)) if m else None
    cells = re.findall(r"Number of cells:\s+(\d+)", stats[1])
    return {"area_um2": area, "per_module_um2": per_module, "flat_cells": int(cells[-1]) if cells else 0,
            "netlist": net, "command": f"yosys -p '{script}'"}, net


def sta(net, top, out):
    period = 10.0
    clock = "aclk" if "coproc" in top else "clk"
    sdc = os.path.join(out, "npe.sdc")
    with open(sdc, "w") as f:
        f.write(open(os.path.join(HERE, "npe.sdc")).read().replace("{CLOCK_PORT}", clock))
    tcl = os.path.join(out, "sta.tcl")
    with open(tcl, "w") as f:
        f.write(f"read_liberty {LIB}\nread_verilog {net}\nlink_design {top}\nread_sdc {sdc}\n"
                f"puts \"NPE_CELLS [llength [get_cells *]]\"\n"
                f"report_checks -path_delay max -digits 3\n"
                f"puts \"NPE_WNS [sta::worst_slack -max]\"\nexit\n")
    log = run(["sta", "-no_splash", "-exit", tcl], os.path.join(out, "sta.log"))
    cells = re.search(r"NPE_CELLS (\d+)", log)
    slack = re.search(r"NPE_WNS (-?[\d.eE+-]+)", log)
    if not cells or not slack:
        die(f"OpenSTA output incomplete; see {out}/sta.log")
    slack = float(slack.group(1))
    return {"period_ns": period, "worst_slack_ns": slack, "fmax_mhz": 1000.0 / (period - slack),
            "cells_linked": int(cells.group(1)), "command": f"sta -no_splash -exit {tcl}"}


def version(cmd):
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.strip().splitlines()[0]
    except OSError:
        return "not found"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rtl", required=True, help="build/rtl/<config> directory")
    ap.add_argument("--top", default="npe_engine")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    cfg = os.path.basename(os.path.normpath(args.rtl))
    flist = f"{cfg}.f"
    if not os.path.exists(os.path.join(args.rtl, flist)):
        die(f"{args.rtl}/{flist} not found: generate the RTL first (make rtl)")
    os.makedirs(args.out, exist_ok=True)
    files = rtl_files(args.rtl, flist)
    rep = {"config": cfg, "top": args.top,
           "tools": {"yosys": version(["yosys", "-V"]), "sta": version(["sta", "-version"])}}
    print(f"synth: {cfg}/{args.top}: Xilinx UltraScale+ ...", flush=True)
    rep["xcup"] = xilinx(files, args.top, "xcup", args.out)
    print(f"synth: {cfg}/{args.top}: Xilinx 7-series ...", flush=True)
    rep["xc7"] = xilinx(files, args.top, "xc7", args.out)
    print(f"synth: {cfg}/{args.top}: OSU 180 nm ...", flush=True)
    rep["osu018"], net = asic(files, args.top, args.out)
    print(f"synth: {cfg}/{args.top}: OpenSTA ...", flush=True)
    rep["sta"] = sta(net, args.top, args.out)
    if rep["sta"]["cells_linked"] != rep["osu018"]["flat_cells"]:
        die(f"OpenSTA linked {rep['sta']['cells_linked']} cells but Yosys wrote "
            f"{rep['osu018']['flat_cells']}: the netlist was not read whole (see {args.out}/sta.log)")
    for key, val in [("xcup LUT", rep["xcup"]["LUT"]), ("xcup FF", rep["xcup"]["FF"]),
                     ("osu018 area", rep["osu018"]["area_um2"]), ("Fmax", rep["sta"]["fmax_mhz"])]:
        if not val or val <= 0:
            die(f"figure '{key}' is missing or zero")
    json.dump(rep, open(os.path.join(args.out, "report.json"), "w"), indent=2, sort_keys=True)
    with open(os.path.join(args.out, "report.md"), "w") as f:
        f.write(f"# Synthesis report: {cfg} / {args.top}\n\n")
        f.write("| flow | LUT | FF | DSP | CARRY | BRAM |\n|---|---|---|---|---|---|\n")
        for fam in ("xcup", "xc7"):
            x = rep[fam]
            f.write(f"| Yosys synth_xilinx -family {fam} | {x['LUT']} | {x['FF']} | {x['DSP']} | {x['CARRY']} | {x['BRAM']} |\n")
        f.write(f"\nOSU 180 nm: {rep['osu018']['area_um2']:.0f} um^2 "
                f"({rep['osu018']['flat_cells']} cells flat); OpenSTA: worst slack "
                f"{rep['sta']['worst_slack_ns']:.3f} ns at {rep['sta']['period_ns']} ns, "
                f"Fmax {rep['sta']['fmax_mhz']:.1f} MHz\n\n| module (own cells, one instance) | um^2 |\n|---|---|\n")
        for mod, a in sorted(rep["osu018"]["per_module_um2"].items()):
            f.write(f"| {mod} | {a:.0f} |\n")
        f.write(f"\nTools: {rep['tools']['yosys']}; {rep['tools']['sta']}\n")
    print(open(os.path.join(args.out, "report.md")).read())


main()
