#!/usr/bin/env python3
"""constraints/synth.py - area and timing of one generated configuration, one top.

Runs, on the RTL of build/rtl/<config>/ (its .f file list):
  * Yosys synth_xilinx for UltraScale+ (xcup) and 7-series (xc7): LUT, FF,
    DSP, CARRY and BRAM counts (stat -tech xilinx), in total and per module
    (hierarchy kept: each module's own cells, and how often it is instanced);
  * Yosys mapped to the OSU 180 nm standard cells (Debian's qflow tech
    files), with ABC's fanout buffering and gate sizing (ABC_DRIVER,
    ABC_LOAD_PF below): chip area, total and per module (own cells x
    instances);
  * OpenSTA on the flattened, cleaned netlist with constraints/npe.sdc:
    worst slack and Fmax, after checking that OpenSTA linked every cell
    Yosys wrote (TOOLCHAIN.md: a partial read otherwise goes unnoticed).
The flat netlist is also written as Yosys JSON (netlist_osu018.json) for the
power flow (constraints/power.py).  Writes report.json (every figure, tool
versions, command lines) and report.md into --out, and exits non-zero if a
tool fails or a figure is missing.  --skip-xilinx / --skip-asic leave a flow
out (the sweep uses them; `make synth` runs everything).
"""
import argparse
import os
import re

from flow import HERE, LIB, die, need_positive, provenance, rtl_files, run, version, write_json, write_text


def module_name(raw):
    """Yosys' '$paramod$<hash>\\npe_lane' or '\\npe_unit' -> 'npe_lane'."""
    return raw.split("\\")[-1].strip("'")


def last_stats(log):
    """The last 'Printing statistics' section of a Yosys log."""
    parts = log.split("Printing statistics.")
    if len(parts) < 2:
        die("Yosys printed no statistics")
    return parts[-1]


def parse_stats(block):
    """{module: {cell type: count}} of each '=== module ===' block (the
    module's own cells), {module: own chip area} when a liberty was given,
    and {module: instances in the whole design} from the hierarchy tree."""
    own, area = {}, {}
    sections = re.split(r"^=== (.+?) ===$", block, flags=re.M)
    hier = None
    for name, body in zip(sections[1::2], sections[2::2]):
        if name == "design hierarchy":
            hier = body
            continue
        mod = module_name(name)
        own[mod] = {module_name(c): int(n)
                    for c, n in re.findall(r"^\s{5}(\S+)\s+(\d+)\s*$", body, re.M)}
        m = re.search(r"Chip area for module '[^']*': ([\d.]+)", body)
        if m:
            area[mod] = float(m.group(1))
    inst = {}
    if hier is None:  # a single module: no hierarchy section
        for mod in own:
            inst[mod] = 1
        return own, area, inst, None
    stack = []  # (indent, module, instances of it)
    for line in hier.splitlines():
        m = re.match(r"^(\s+)(\S+)\s+(\d+)\s*$", line)
        if not m:
            if stack and line.strip():
                break  # the totals that follow the tree
            continue
        ind, mod, n = len(m.group(1)), module_name(m.group(2)), int(m.group(3))
        while stack and stack[-1][0] >= ind:
            stack.pop()
        total = n * (stack[-1][2] if stack else 1)
        inst[mod] = inst.get(mod, 0) + total
        stack.append((ind, mod, total))
    return own, area, inst, hier


def xilinx_counts(cells):
    pick = lambda pat: sum(n for c, n in cells.items() if re.fullmatch(pat, c))
    return {"LUT": pick(r"LUT[1-6]"), "FF": pick(r"FD\w*"), "DSP": pick(r"DSP\w*"),
            "CARRY": pick(r"CARRY\w*"), "BRAM": pick(r"RAMB\w*"), "MUXF": pick(r"MUXF\w*")}


def xilinx(files, top, family, out):
    script = f"read_verilog {' '.join(files)}; synth_xilinx -family {family} -top {top}; stat -tech xilinx"
    log = run(["yosys", "-p", script], os.path.join(out, f"yosys_{family}.log"))
    block = last_stats(log)
    own, _, inst, hier = parse_stats(block)
    # the design total: the hierarchy section's cell list, or the only module's
    total_text = block.split("=== design hierarchy ===")[-1]
    counts = {}
    for name, n in re.findall(r"^\s+(\w+)\s+(\d+)\s*$", total_text, re.M):
        counts[name] = counts.get(name, 0) + int(n)
    per_module = {}
    for mod, cells in own.items():
        d = xilinx_counts(cells)
        d["instances"] = inst.get(mod, 0)
        per_module[mod] = d
    rep = xilinx_counts(counts)
    rep.update({"cells": counts, "per_module": per_module, "command": f"yosys -p '{script}'"})
    return rep


# What ABC assumes at the boundary of each module when it buffers and sizes
# the mapped logic (Yosys abc -constr: "buffer; upsize; dnsize" after
# mapping).  Without it high-fanout nets stay unbuffered and the liberty's
# delay tables are extrapolated far out of range: the all-formats lane timed
# at 19.9 MHz unbuffered and 49.5 MHz buffered (+5.9% area).  Inputs are
# driven like a BUFX2 output; every output drives 0.02 pF (about two
# standard loads: an INVX1 input is 0.0093 pF in osu018_stdcells.lib).
ABC_DRIVER, ABC_LOAD_PF = "BUFX2", 0.02


def asic(files, top, out):
    net = os.path.join(out, "netlist_osu018.v")
    jnet = os.path.join(out, "netlist_osu018.json")
    constr = os.path.join(out, "abc.constr")
    write_text(constr, f"set_driving_cell {ABC_DRIVER}\nset_load {ABC_LOAD_PF}\n")
    script = (f"read_verilog {' '.join(files)}; synth -top {top}; dfflibmap -liberty {LIB}; "
              f"abc -liberty {LIB} -constr {constr}; opt_clean; stat -liberty {LIB}; "
              # OpenSTA needs a flat netlist of plain nets (TOOLCHAIN.md)
              f"flatten; splitnets -ports; opt_clean -purge; insbuf -buf BUFX2 A Y; "
              f"stat -liberty {LIB}; write_verilog -noattr -noexpr {net}; write_json {jnet}")
    log = run(["yosys", "-p", script], os.path.join(out, "yosys_osu018.log"))
    # synth prints its own statistics first; ours are the last two sections
    stats = log.split("Printing statistics.")[-2:]
    if len(stats) < 2:
        die("Yosys ASIC flow printed too few statistics")
    own, area, inst, _ = parse_stats(stats[0])
    m = re.search(r"Chip area for top module[^:]*: ([\d.]+)", stats[0])
    total = float(m.group(1)) if m else (area.get(top) if len(area) == 1 else None)
    flat_area = re.findall(r"Chip area for module[^:]*: ([\d.]+)", stats[1])
    cells = re.findall(r"Number of cells:\s+(\d+)", stats[1])
    per_module = {mod: {"own_um2": a, "instances": inst.get(mod, 0), "total_um2": a * inst.get(mod, 0)}
                  for mod, a in area.items()}
    return {"area_um2": total, "per_module_um2": area, "per_module": per_module,
            "flat_area_um2": float(flat_area[-1]) if flat_area else None,
            "flat_cells": int(cells[-1]) if cells else 0,
            "netlist": net, "netlist_json": jnet, "command": f"yosys -p '{script}'"}


def decoders(files, out, per_module):
    """The decoders' area.  When the unit instances npe_dec_* modules, they
    are in per_module already.  When it calls them as Verilog functions
    (rtl_gen inlines one call per slot and side), their logic is not a module
    of its own: then each decoder module (rtl_gen emits them, wrapping the
    same function) is synthesized alone and multiplied by the number of calls
    in npe_unit.v and by the unit's instances.  That ignores any logic Yosys
    shares between a call and its surroundings: an estimate, said so in the
    report."""
    mods = {m: d for m, d in per_module.items() if re.match(r"\w*dec_\w+$", m)}
    if mods:
        return {"method": "modules", "per_format": {m: {"um2_each": d["own_um2"], "calls": d["instances"],
                                                        "total_um2": d["total_um2"]} for m, d in mods.items()}}
    unit = [f for f in files if f.endswith("unit.v")]
    if not unit or not any(m.endswith("unit") for m in per_module):
        return {"method": "none", "per_format": {}}
    units = sum(d["instances"] for m, d in per_module.items() if m.endswith("unit"))
    text = open(unit[0]).read()
    prefix = os.path.basename(unit[0])[:-len("unit.v")]
    calls = {}
    for name in re.findall(r"\bdec_(\w+)\(", text):
        calls[name] = calls.get(name, 0) + 1
    res = {}
    for fmt, n in sorted(calls.items()):
        mod = f"{prefix}dec_{fmt}"
        src = [f for f in files if os.path.basename(f) == f"{mod}.v"]
        if not src:
            die(f"npe_unit.v calls dec_{fmt}, but there is no {mod}.v to measure it")
        script = (f"read_verilog {src[0]}; synth -top {mod}; abc -liberty {LIB} -constr {out}/abc.constr; "
                  f"opt_clean; stat -liberty {LIB}")
        log = run(["yosys", "-p", script], os.path.join(out, f"yosys_{mod}.log"))
        area = parse_stats(last_stats(log))[1].get(mod)
        if area is None:
            die(f"Yosys printed no area for {mod}; see {out}/yosys_{mod}.log")
        res[mod] = {"um2_each": area, "calls": n * units, "total_um2": area * n * units}
    return {"method": "function calls x standalone decoder area (an estimate)", "per_format": res}


def sta(net, top, out, period=10.0):
    clock = "aclk" if "coproc" in top else "clk"
    sdc = os.path.join(out, "npe.sdc")
    write_text(sdc, open(os.path.join(HERE, "npe.sdc")).read()
               .replace("{CLOCK_PORT}", clock).replace("{PERIOD}", f"{period}"))
    tcl = os.path.join(out, "sta.tcl")
    write_text(tcl, f"read_liberty {LIB}\nread_verilog {net}\nlink_design {top}\nread_sdc {sdc}\n"
                    f"puts \"NPE_CELLS [llength [get_cells *]]\"\n"
                    f"report_checks -path_delay max -digits 3\n"
                    f"puts \"NPE_WNS [sta::worst_slack -max]\"\nexit\n")
    log = run(["sta", "-no_splash", "-exit", tcl], os.path.join(out, "sta.log"))
    cells = re.search(r"NPE_CELLS (\d+)", log)
    slack = re.search(r"NPE_WNS (-?[\d.eE+-]+)", log)
    if not cells or not slack:
        die(f"OpenSTA output incomplete; see {out}/sta.log")
    slack = float(slack.group(1))
    start = re.search(r"Startpoint: (\S+)", log)
    end = re.search(r"Endpoint: (\S+)", log)
    return {"period_ns": period, "worst_slack_ns": slack, "fmax_mhz": 1000.0 / (period - slack),
            "cells_linked": int(cells.group(1)), "clock_port": clock,
            "critical_start": start.group(1) if start else None,
            "critical_end": end.group(1) if end else None,
            "command": f"sta -no_splash -exit {tcl}"}


def write_md(rep, path):
    cfg, top = rep["config"], rep["top"]
    lines = [f"# Synthesis report: {cfg} / {top}", ""]
    if "xcup" in rep:
        lines += ["| flow | LUT | FF | DSP | CARRY | BRAM |", "|---|---|---|---|---|---|"]
        for fam in ("xcup", "xc7"):
            x = rep[fam]
            lines.append(f"| Yosys synth_xilinx -family {fam} | {x['LUT']} | {x['FF']} | {x['DSP']} "
                         f"| {x['CARRY']} | {x['BRAM']} |")
        lines += ["", "Per module (xcup; own cells of one instance x instances):", "",
                  "| module | instances | LUT | FF | DSP | CARRY |", "|---|---|---|---|---|---|"]
        for mod, d in sorted(rep["xcup"]["per_module"].items()):
            lines.append(f"| {mod} | {d['instances']} | {d['LUT']} | {d['FF']} | {d['DSP']} | {d['CARRY']} |")
        lines.append("")
    if "osu018" in rep:
        a, s = rep["osu018"], rep["sta"]
        lines += [f"OSU 180 nm: {a['area_um2']:.0f} um^2 ({a['flat_cells']} cells flat); OpenSTA: worst "
                  f"slack {s['worst_slack_ns']:.3f} ns at {s['period_ns']} ns, Fmax {s['fmax_mhz']:.1f} MHz",
                  "", "| module | own um^2 (one instance) | instances | total um^2 |", "|---|---|---|---|"]
        for mod, d in sorted(a["per_module"].items()):
            lines.append(f"| {mod} | {d['own_um2']:.0f} | {d['instances']} | {d['total_um2']:.0f} |")
        lines.append("")
    lines.append(f"Tools: {rep['tools']['yosys']}; {rep['tools']['sta']}")
    write_text(path, "\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rtl", required=True, help="build/rtl/<config> directory")
    ap.add_argument("--top", default="npe_engine", help="top module (npe_lane, npe_engine, npe_coproc)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--skip-xilinx", action="store_true", help="leave out the Xilinx flows")
    ap.add_argument("--skip-asic", action="store_true", help="leave out the OSU 180 nm flow and OpenSTA")
    args = ap.parse_args()
    cfg, files = rtl_files(args.rtl)
    os.makedirs(args.out, exist_ok=True)
    rep = {"config": cfg, "top": args.top, "rtl": os.path.abspath(args.rtl), "provenance": provenance(),
           "tools": {"yosys": version(["yosys", "-V"]), "sta": version(["sta", "-version"])}}
    figures = []
    if not args.skip_xilinx:
        for fam, what in (("xcup", "UltraScale+"), ("xc7", "7-series")):
            print(f"synth: {cfg}/{args.top}: Xilinx {what} ...", flush=True)
            rep[fam] = xilinx(files, args.top, fam, args.out)
            figures += [(f"{fam} LUT", rep[fam]["LUT"]), (f"{fam} FF", rep[fam]["FF"])]
    if not args.skip_asic:
        print(f"synth: {cfg}/{args.top}: OSU 180 nm ...", flush=True)
        rep["osu018"] = asic(files, args.top, args.out)
        rep["osu018"]["decoders"] = decoders(files, args.out, rep["osu018"]["per_module"])
        print(f"synth: {cfg}/{args.top}: OpenSTA ...", flush=True)
        rep["sta"] = sta(rep["osu018"]["netlist"], args.top, args.out)
        if rep["sta"]["cells_linked"] != rep["osu018"]["flat_cells"]:
            die(f"OpenSTA linked {rep['sta']['cells_linked']} cells but Yosys wrote "
                f"{rep['osu018']['flat_cells']}: the netlist was not read whole (see {args.out}/sta.log)")
        figures += [("osu018 area", rep["osu018"]["area_um2"]), ("Fmax", rep["sta"]["fmax_mhz"])]
        pm = rep["osu018"]["per_module"]
        summed = sum(d["total_um2"] for d in pm.values())
        if not pm or abs(summed - (rep["osu018"]["area_um2"] or 0)) > 1e-6 * summed + 1:
            die(f"per-module areas (own x instances) sum to {summed:.0f} um^2, but Yosys reports "
                f"{rep['osu018']['area_um2']} um^2 for the top: the hierarchy was not parsed whole")
    need_positive(figures)
    write_json(os.path.join(args.out, "report.json"), rep)
    write_md(rep, os.path.join(args.out, "report.md"))
    print(open(os.path.join(args.out, "report.md")).read())


if __name__ == "__main__":
    main()
