#!/usr/bin/env python3
"""constraints/ice40.py - place and route one generated top on a real iCE40.

Yosys synth_ice40 -dsp, then nextpnr-ice40 (default: iCE40UP5K in the SG48
package, the part with SB_MAC16 DSPs) and icepack, for the lane or the
engine of a configuration.  A lane or engine has far more ports than the 39
I/Os of an SG48 package, so the top that is placed is a wrapper written here
(npe_ice40_top): every input of the design comes from one long shift
register fed by a pin (sin), and the outputs are loaded, when out_valid is
high, into a shift register that leaves by one pin (sout).  Four pins in all
(constraints/ice40.pcf); every path of the design is register to register.
The design's own LUT4/FF/DSP use comes from a hierarchical synthesis (its
modules' cells x instances, the wrapper left out); the placed figures are
those of the flat synthesis with the wrapper.

Writes ice40.json (utilization, achieved Fmax from nextpnr's report, tool
versions, command lines) and ice40.md into --out; fails if a tool fails, the
design does not fit or a figure is missing.
"""
import argparse
import json
import os
import re

from flow import HERE, die, manifest, need_positive, provenance, rtl_files, run, version, write_json, write_text
from synth import last_stats, parse_stats


def ports(man, top):
    """(inputs, outputs) of the lane or engine as [(name, width)], in order."""
    d, p = man["derived"], man["parameters"]
    j, lanes, acc_w = d["j"], p["lanes"], p["acc_w"]
    n = 1 if top == "npe_lane" else lanes
    ins = [("wfmt", 4), ("afmt", 4), ("in_valid", 1), ("in_first", 1), ("in_last", 1),
           ("in_blk_last", 1), ("w_data", 16 * j * n), ("a_data", 16 * j), ("w_scale", 8 * n),
           ("a_scale", 8)]
    outs = [("out_valid", 1), ("out_acc", acc_w * n), ("out_flags", 4 * n)]
    return ins, outs


def wrapper(man, top, path):
    ins, outs = ports(man, top)
    iw = sum(w for _, w in ins)
    ow = sum(w for _, w in outs) - 1  # out_valid is the load strobe, not shifted out
    L = ["// npe_ice40_top: written by constraints/ice40.py - a 4-pin wrapper around "
         f"{top} of {man['config']}", "`default_nettype none",
         "module npe_ice40_top (input wire clk, input wire rst, input wire sin, output wire sout);",
         f"    reg [{iw - 1}:0] in_sr;  // every design input, shifted in from sin",
         "    always @(posedge clk) in_sr <= {in_sr[" + str(iw - 2) + ":0], sin};" if iw > 1 else
         "    always @(posedge clk) in_sr <= sin;"]
    off = 0
    for name, w in ins:
        L.append(f"    wire [{w - 1}:0] i_{name} = in_sr[{off + w - 1}:{off}];")
        off += w
    for name, w in outs:
        L.append(f"    wire [{w - 1}:0] o_{name};")
    conns = ", ".join([f".{n}(i_{n})" for n, _ in ins] + [f".{n}(o_{n})" for n, _ in outs])
    L.append(f"    {top} u_dut (.clk(clk), .rst(rst), {conns});")
    L += [f"    reg [{ow - 1}:0] out_sr;  // results, loaded on out_valid, shifted out to sout",
          "    always @(posedge clk)",
          "        if (o_out_valid) out_sr <= {o_out_acc, o_out_flags};",
          f"        else out_sr <= {{out_sr[{ow - 2}:0], 1'b0}};",
          f"    assign sout = out_sr[{ow - 1}];", "endmodule", "`default_nettype wire", ""]
    write_text(path, "\n".join(L))
    return iw, ow


def counts(cells):
    pick = lambda pat: sum(n for c, n in cells.items() if re.fullmatch(pat, c))
    return {"LUT4": pick(r"SB_LUT4"), "FF": pick(r"SB_DFF\w*"), "DSP": pick(r"SB_MAC16"),
            "CARRY": pick(r"SB_CARRY"), "BRAM": pick(r"SB_RAM\w*")}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rtl", required=True, help="build/rtl/<config>")
    ap.add_argument("--top", default="npe_engine", choices=["npe_lane", "npe_engine"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="up5k", help="nextpnr-ice40 device option (default up5k)")
    ap.add_argument("--package", default="sg48")
    ap.add_argument("--pcf", default=os.path.join(HERE, "ice40.pcf"))
    ap.add_argument("--freq", type=float, default=12.0,
                    help="target MHz for timing-driven placement (the achieved Fmax is reported either way)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    cfg, files = rtl_files(args.rtl)
    man = manifest(args.rtl)
    os.makedirs(args.out, exist_ok=True)
    top_v = os.path.join(args.out, "npe_ice40_top.v")
    iw, ow = wrapper(man, args.top, top_v)
    srcs = " ".join(files + [top_v])
    # hierarchy kept: the wrapper's and the design's own cells
    s1 = f"read_verilog {srcs}; synth_ice40 -dsp -noflatten -top npe_ice40_top; stat"
    log1 = run(["yosys", "-p", s1], os.path.join(args.out, "yosys_hier.log"))
    own, _, inst, _ = parse_stats(last_stats(log1))
    wrap = counts(own.get("npe_ice40_top", {}))
    design = {}
    for mod, cells in own.items():
        if mod != "npe_ice40_top":
            for k, v in counts(cells).items():
                design[k] = design.get(k, 0) + v * inst.get(mod, 0)
    # the placed design: flattened
    js = os.path.join(args.out, "design.json")
    s2 = f"read_verilog {srcs}; synth_ice40 -dsp -top npe_ice40_top -json {js}; stat"
    flat = counts(parse_stats(last_stats(run(["yosys", "-p", s2], os.path.join(args.out, "yosys.log"))))[0]["npe_ice40_top"])
    rpt = os.path.join(args.out, "nextpnr_report.json")
    asc = os.path.join(args.out, "ice40.asc")
    pnr = ["nextpnr-ice40", f"--{args.device}", "--package", args.package, "--json", js, "--pcf", args.pcf,
           "--asc", asc, "--report", rpt, "--freq", str(args.freq), "--seed", str(args.seed),
           "--timing-allow-fail"]
    log = run(pnr, os.path.join(args.out, "nextpnr.log"))
    r = json.load(open(rpt))
    util = {k: {"used": v["used"], "available": v["available"]} for k, v in r.get("utilization", {}).items()}
    fmax = {k: v for k, v in r.get("fmax", {}).items()}
    clk = next((v for k, v in fmax.items() if "clk" in k), None)
    if clk is None:
        die(f"nextpnr reported no Fmax for the clock; see {args.out}/nextpnr.log")
    binf = os.path.join(args.out, "ice40.bin")
    run(["icepack", asc, binf], os.path.join(args.out, "icepack.log"))
    rep = {"config": cfg, "top": args.top, "device": f"iCE40{args.device.upper()}", "package": args.package,
           "provenance": provenance(),
           "wrapper": {"input_shift_bits": iw, "output_shift_bits": ow, "cells": wrap},
           "yosys_total": flat, "design_hierarchical": design, "nextpnr_utilization": util,
           "fmax_mhz": clk["achieved"], "fmax_target_mhz": clk["constraint"], "bitstream_bytes": os.path.getsize(binf),
           "tools": {"yosys": version(["yosys", "-V"]), "nextpnr": version(["nextpnr-ice40", "--version"]),
                     "icepack": "fpga-icestorm (Debian)"},
           "commands": [f"yosys -p '{s1}'", f"yosys -p '{s2}'", " ".join(pnr), f"icepack {asc} {binf}"]}
    lc = util.get("ICESTORM_LC", {})
    need_positive([("iCE40 LUT4", flat["LUT4"]), ("iCE40 FF", flat["FF"]), ("Fmax", rep["fmax_mhz"]),
                   ("logic cells used", lc.get("used"))])
    if lc.get("used", 0) > lc.get("available", 0):
        die("the design does not fit the device")
    write_json(os.path.join(args.out, "ice40.json"), rep)
    md = [f"# iCE40 report: {cfg} / {args.top} on {rep['device']}-{args.package}", "",
          "| | LUT4 | FF | DSP (SB_MAC16) | CARRY |", "|---|---|---|---|---|",
          f"| {args.top} alone (hierarchical synthesis) | {design['LUT4']} | {design['FF']} | {design['DSP']} "
          f"| {design['CARRY']} |",
          f"| placed: with the 4-pin wrapper (flat synthesis) | {flat['LUT4']} | {flat['FF']} | {flat['DSP']} "
          f"| {flat['CARRY']} |", "",
          "nextpnr utilization: " + ", ".join(f"{k} {v['used']}/{v['available']}" for k, v in sorted(util.items())
                                              if v["used"]), "",
          f"Achieved Fmax {rep['fmax_mhz']:.1f} MHz (placement target {rep['fmax_target_mhz']:.0f} MHz); "
          f"bitstream {rep['bitstream_bytes']} bytes.", "",
          f"Tools: {rep['tools']['yosys']}; {rep['tools']['nextpnr']}"]
    write_text(os.path.join(args.out, "ice40.md"), "\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
