#!/usr/bin/env python3
"""constraints/power.py - activity-based power of one MAC lane on the OSU 180 nm
netlist, per number format, from a real workload.

Method (docs/reports.md, "Power"):
 1. Workload: build/bin/power_stim writes the cycles of GEMV jobs on the
    tiny-llama shapes with the real stories260K weights (quantized by
    kernels_ref) and the activations of an FP32 forward pass, for one
    (weight, activation) format pair, plus every row's expected result.
 2. RTL simulation: Icarus runs constraints/power_tb.v on the lane's RTL and
    dumps a VCD over the measured window; every result is checked.
 3. Activity: the mapped, flattened lane netlist (from constraints/synth.py)
    is evaluated cycle by cycle, zero-delay, from the VCD's values of the
    lane's inputs and of every flip-flop (matched by name); the evaluation is
    checked: every flip-flop's computed D must equal its next-cycle Q in the
    VCD.  That gives every net's toggles per cycle and duty.
 4. Power: OpenSTA (this version has no read_vcd/read_saif, TOOLCHAIN.md)
    gets every pin's activity through sta::set_power_pin_activity and
    reports internal, switching and leakage power with the clock at the
    lane's Fmax.  Its own activity propagation would overwrite annotated
    pins reachable from input ports, so the power netlist enters every input
    through an extra flip-flop (pin_*), whose power is then subtracted; the
    flow checks that OpenSTA's switching power equals 1/2 C V^2 a f computed
    from the annotated activities and the liberty pin capacitances.
 5. Energy per MAC = (dynamic + leakage power) x window cycles / f / MACs.

--reference adds the method's error on a shorter workload: the same netlist
simulated at gate level by Icarus with the OSU cell models (zero delay, and
with the models' specify delays, which shows glitches), and a probabilistic
propagation (independent inputs) from the RTL's flip-flop activity.
--glitch-rows N adds, per format, the ratio of gate-level power with cell
delays to zero-delay power on N rows per matrix (the glitch factor) and the
energy per MAC scaled by it.

Writes power.json and power.md into --out; fails if a tool fails, a result
row disagrees with kernels_ref, the flip-flop check fails, or a figure is
missing.
"""
import argparse
import json
import os
import re
import sys
import time

import liberty
import netlist as nl
import vcd
from flow import (CELLS_V, HERE, LIB, die, manifest, need_positive, provenance, rtl_files, run, version,
                  write_json, write_text)

# The formats of the power report: the pairs of DESIGN.md / issue 6, each
# with its natural partner (OliVe and OCP MX use the same format for
# activations; 4-bit integer weights usually meet 8-bit activations).
DEFAULT_PAIRS = ["int4:int8", "int8:int8", "fp4:fp4", "mxfp4:mxfp4", "posit8_0:posit8_0",
                 "ovp4:ovp4", "ovp8:int8", "int16:int16", "posit16_1:posit16_1"]
TB = os.path.join(HERE, "power_tb.v")
DUT = "power_tb.dut"


class Lane:
    """A lane's RTL, netlist and parameters."""

    def __init__(self, rtl_dir, synth_dir, cells):
        self.rtl_dir = rtl_dir
        self.cfg, self.files = rtl_files(rtl_dir)
        self.man = manifest(rtl_dir)
        rep_path = os.path.join(synth_dir, "report.json")
        if not os.path.exists(rep_path):
            die(f"{rep_path} not found: run the lane's synthesis first (make synth CONFIG={self.cfg})")
        self.synth = json.load(open(rep_path))
        if self.synth.get("top") != "npe_lane" or "osu018" not in self.synth:
            die(f"{rep_path}: not an OSU 180 nm report of npe_lane")
        self.fmax = self.synth["sta"]["fmax_mhz"]
        self.net = nl.Netlist(self.synth["osu018"]["netlist_json"], "npe_lane", cells)
        p, d = self.man["parameters"], self.man["derived"]
        self.j, self.acc_w, self.acc_lsb = d["j"], p["acc_w"], p["acc_lsb"]
        self.latency, self.k_max = d["latency"], p["k_max"]
        self.first_high = int(p["ovp_nibble_order"] == "first-high")
        self.pairs = d["pairs"]
        self.isolate = p["isolate"]


def supported(lane, pair):
    w, a = pair.split(":")
    return a in lane.pairs.get(w, [])


# ------------------------------------------------------------ simulation

def make_stim(args, lane, pair, rows, d):
    w, a = pair.split(":")
    cmd = [args.stim_bin, "--wfmt", w, "--afmt", a, "--j", str(lane.j), "--acc-w", str(lane.acc_w),
           "--acc-lsb", str(lane.acc_lsb), "--k-max", str(lane.k_max), "--latency", str(lane.latency),
           "--ovp-first-high", str(lane.first_high), "--rows", str(rows), "--layer", str(args.layer),
           "--pos", str(args.pos), "--stim", os.path.join(d, "stim.txt"),
           "--expect", os.path.join(d, "expect.txt")]
    if args.model_dir:
        cmd += ["--model-dir", args.model_dir]
    out = run(cmd, os.path.join(d, "stim.log"))
    summary = json.loads(out.strip().splitlines()[-1])
    summary["command"] = " ".join(cmd)
    return summary


def compile_tb(lane, sources, d, dump, name, period, specify=False):
    write_text(os.path.join(d, "power_dump.vh"), dump + "\n")
    vvp = os.path.join(d, f"{name}.vvp")
    cmd = ["iverilog", "-g2005", "-Wall", "-Wno-timescale", "-Wno-implicit", "-I", d,
           f"-DJ={lane.j}", f"-DACC_W={lane.acc_w}", f"-DPERIOD={period}", "-o", vvp, TB] + sources
    if specify:
        cmd.insert(1, "-gspecify")
    run(cmd, os.path.join(d, f"{name}_iverilog.log"))
    return vvp, " ".join(cmd)


def simulate(vvp, d, name, summary):
    """Run the test bench; returns (vcd path, window start in ps)."""
    vcd_path = os.path.join(d, f"{name}.vcd")
    log = run(["vvp", "-n", vvp, f"+stim={d}/stim.txt", f"+expect={d}/expect.txt", f"+vcd={vcd_path}"],
              os.path.join(d, f"{name}_vvp.log"))
    done = re.search(r"POWER_TB DONE rows=(\d+) mismatches=(\d+) cycles=(\d+)", log)
    start = re.search(r"POWER_TB WINDOW start=(\d+)", log)
    if not done or not start:
        die(f"{name}: the test bench did not finish; see {d}/{name}_vvp.log")
    rows, bad, cycles = map(int, done.groups())
    if bad or rows != summary["rows_streamed"]:
        die(f"{name}: {bad} result mismatches, {rows} of {summary['rows_streamed']} rows came back "
            f"(the lane disagrees with kernels_ref); see {d}/{name}_vvp.log")
    if cycles != summary["measured_cycles"]:
        die(f"{name}: the window has {cycles} cycles, power_stim wrote {summary['measured_cycles']}")
    return vcd_path, int(start.group(1))


# ------------------------------------------------------------ activity

def mask(n):
    return (1 << n) - 1


def rtl_activity(lane, vcd_path, start, period_ps, n):
    """Every net's value in every cycle, from the RTL VCD: inputs and
    flip-flop outputs by name, the rest by evaluating the netlist."""
    net = lane.net
    want = {}  # bit -> [candidate VCD names with index]
    for base, idx, b in net.input_bits():
        want.setdefault(b, []).append((f"{DUT}.{base}", idx))
    for _, dbit, q in net.seq:
        for name, idx in net.names.get(q, []):
            want.setdefault(q, []).append((f"{DUT}.{name}", idx))
    names = sorted({v for c in want.values() for v, _ in c})
    vars_ = vcd.read(vcd_path, names, start, period_ps, n, want_values=True)
    values, missing = {}, []
    for b, cands in want.items():
        for name, idx in cands:
            v = vars_.get(name)
            if v is not None and v.lsb <= idx < v.lsb + v.width:
                values[b] = v.bits[idx - v.lsb]
                break
        else:
            missing.append(cands[0][0] if cands else f"bit {b}")
    unnamed = [c for c, _, q in net.seq if q not in want]
    if missing or unnamed:
        die(f"{len(missing) + len(unnamed)} flip-flops or inputs of the netlist have no signal in the "
            f"RTL VCD (e.g. {(missing + unnamed)[:5]}): the name matching failed")
    net.evaluate(values, n)
    bad = [c for c, dbit, q in net.seq if (nl.bit_value(dbit, values, mask(n)) ^ (values[q] >> 1)) & mask(n - 1)]
    if bad:
        die(f"{len(bad)} of {len(net.seq)} flip-flops: the netlist evaluated from the RTL VCD gives a D "
            f"that is not the next cycle's Q (e.g. {bad[:5]}): the activity would be wrong")
    return {b: (bin(v).count("1") / n, bin((v ^ (v >> 1)) & mask(n - 1)).count("1") / (n - 1))
            for b, v in values.items()}, len(net.seq)


def gate_activity(lane, vcd_path, start, period_ps, n, glitches):
    """Every net's (duty, toggles per cycle) from a gate-level VCD (nets
    n<bit>); with glitches, every change counts."""
    bits = sorted(lane.net.nets())
    names = [f"{DUT}.n{b}" for b in bits]
    vars_ = vcd.read(vcd_path, names, start, period_ps, n)
    act = {}
    for b, name in zip(bits, names):
        v = vars_.get(name)
        if v is None:
            continue  # a net the simulator optimized away (constant)
        tog = v.all_toggles[0] if glitches else v.sampled_toggles[0]
        act[b] = (v.ones[0] / n, tog / (n - 1))
    return act


# ------------------------------------------------------------ OpenSTA

def sta_power(lane, cells, volt, act, d, name, pwr_v, flops, names):
    """Annotate every pin with act and return OpenSTA's power figures (W)."""
    net = lane.net
    period = 1000.0 / lane.fmax
    lines = []
    clk_bits = {b for base, _, b in net.input_bits() if base == "clk"}
    for cname, typ, conns in net.cells:
        for pin, b in conns.items():
            if isinstance(b, str):
                a = (float(nl.CONST[b]), 0.0)
            elif b in clk_bits:
                continue  # clock activity is OpenSTA's own (2 transitions per period)
            else:
                a = act.get(b, (0.0, 0.0))
            lines.append(f"{names[cname]}/{pin} {a[1]:.6g} {a[0]:.6g}")
    port_lines = []
    for flop, port, b in flops:
        a = act.get(b, (0.0, 0.0))
        port_lines.append(f"{port} {a[1]:.6g} {a[0]:.6g}")
        lines.append(f"{flop}/D {a[1]:.6g} {a[0]:.6g}")
        lines.append(f"{flop}/Q {a[1]:.6g} {a[0]:.6g}")
    tcl = os.path.join(d, f"{name}_power.tcl")
    write_text(tcl, "\n".join([
        f"read_liberty {LIB}", f"read_verilog {pwr_v}", "link_design npe_lane_pwr",
        f"create_clock -name clk -period {period:.6f} [get_ports clk]",
        "set_input_delay 0 -clock clk [delete_from_list [all_inputs] [get_ports clk]]",
        "set_output_delay 0 -clock clk [all_outputs]",
        "puts \"NPE_CELLS [llength [get_cells *]]\"",
        # set_power_activity -pins of this OpenSTA has a bug (it loops over an
        # undefined variable) and only takes input pins: call the command behind it
        "foreach {p a d} {", *lines, "} { sta::set_power_pin_activity [get_pins $p] $a $d }",
        "foreach {p a d} {", *port_lines, "} { sta::set_power_input_port_activity [get_ports $p] $a $d }",
        "report_power -digits 9",
        "puts NPE_FLOPS_BEGIN",
        "report_power -instances [get_cells pin_*] -digits 9",
        "puts NPE_FLOPS_END", "exit", ""]))
    log = run(["sta", "-no_splash", "-exit", tcl], os.path.join(d, f"{name}_sta.log"))
    cells_linked = re.search(r"NPE_CELLS (\d+)", log)
    total = re.search(r"^Total\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", log, re.M)
    if not cells_linked or not total:
        die(f"OpenSTA power output incomplete; see {d}/{name}_sta.log")
    if int(cells_linked.group(1)) != len(net.cells) + len(flops):
        die(f"OpenSTA linked {cells_linked.group(1)} cells of {len(net.cells) + len(flops)}; see {d}/{name}_sta.log")
    internal, switching, leakage, tot = map(float, total.groups())
    fl = log.split("NPE_FLOPS_BEGIN")[1].split("NPE_FLOPS_END")[0]
    f_int = f_sw = f_leak = 0.0
    for m in re.finditer(r"^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+pin_\d+\s*$", fl, re.M):
        f_int += float(m.group(1))
        f_sw += float(m.group(2))
        f_leak += float(m.group(3))
    res = {"internal_w": internal - f_int, "switching_w": switching - f_sw, "leakage_w": leakage - f_leak,
           "input_flops_w": f_int + f_sw + f_leak}
    res["dynamic_w"] = res["internal_w"] + res["switching_w"]
    res["total_w"] = res["dynamic_w"] + res["leakage_w"]
    # the check that OpenSTA used the annotations: switching = 1/2 C V^2 a f
    loads = net.loads()
    ours = 0.0
    drivers = {}
    for cname, typ, conns in net.cells:
        for o in cells[typ].outputs():
            b = conns[o.name]
            if isinstance(b, int):
                drivers[b] = cname
    for b in drivers:
        cap = sum(cells[t].pins[p].capacitance for _, t, p in loads.get(b, []))
        ours += 0.5 * cap * 1e-12 * volt * volt * act.get(b, (0, 0))[1] * lane.fmax * 1e6
    res["switching_check_w"] = ours
    if ours > 0 and abs(ours - res["switching_w"]) > 0.02 * ours:
        die(f"OpenSTA's switching power {res['switching_w']:.4g} W differs from 1/2 C V^2 a f = "
            f"{ours:.4g} W of the annotated activities: the annotation did not take (see {d}/{name}_sta.log)")
    return res


def figures(p, summary, fmax):
    cycles, macs = summary["measured_cycles"], summary["macs"]
    e_pj = p["total_w"] * cycles / (fmax * 1e6) / macs * 1e12
    return {"fmax_mhz": fmax, "dynamic_mw": p["dynamic_w"] * 1e3, "internal_mw": p["internal_w"] * 1e3,
            "switching_mw": p["switching_w"] * 1e3, "leakage_uw": p["leakage_w"] * 1e6,
            "total_mw": p["total_w"] * 1e3, "pj_per_mac": e_pj, "macs": macs, "cycles": cycles,
            "macs_per_cycle": macs / cycles}


def mean_toggle(act):
    return sum(t for _, t in act.values()) / max(1, len(act))


# ------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rtl", required=True, help="build/rtl/<config> (the lane's RTL and manifest)")
    ap.add_argument("--synth", required=True, help="the lane's synth.py output directory (report.json, netlist)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--stim-bin", default="build/bin/power_stim", help="the workload generator")
    ap.add_argument("--pairs", default=",".join(DEFAULT_PAIRS),
                    help="comma list of weight:activation format pairs (unsupported ones are skipped)")
    ap.add_argument("--rows", type=int, default=0, help="rows per matrix, 0 = all (default)")
    ap.add_argument("--layer", type=int, default=0, help="transformer block of the matrices (default 0)")
    ap.add_argument("--pos", type=int, default=3, help="position whose activations are used (default 3)")
    ap.add_argument("--model-dir", default=None, help="stories260K directory (default: power_stim's)")
    ap.add_argument("--reference", default="none", metavar="PAIR",
                    help="also measure the method's error on PAIR against gate-level simulation; "
                         "auto: int4:int4, or the first reported pair if the configuration lacks it; "
                         "none (default): no reference run")
    ap.add_argument("--reference-rows", type=int, default=8, help="rows per matrix of the reference run")
    ap.add_argument("--glitch-rows", type=int, default=0,
                    help="rows per matrix of a gate-level run with cell delays per format, giving each "
                         "format's glitch factor (0 = off, the default)")
    ap.add_argument("--keep-vcd", action="store_true", help="keep the VCD files (they are large)")
    args = ap.parse_args()
    if not os.path.exists(args.stim_bin):
        die(f"{args.stim_bin} not found: make {args.stim_bin}")
    cells, volt = liberty.read(LIB)
    lane = Lane(args.rtl, args.synth, cells)
    os.makedirs(args.out, exist_ok=True)
    pwr_v = os.path.join(args.out, "netlist_power.v")
    names, flops = lane.net.write_verilog(pwr_v, "npe_lane_pwr", input_flops=True)
    sim_v = os.path.join(args.out, "netlist_sim.v")
    lane.net.write_verilog(sim_v, "npe_lane")
    period = 1000.0 / lane.fmax
    rep = {"config": lane.cfg, "isolate": lane.isolate, "fmax_mhz": lane.fmax, "rtl": os.path.abspath(args.rtl),
           "provenance": provenance(),
           "netlist": lane.synth["osu018"]["netlist_json"], "area_um2": lane.synth["osu018"]["area_um2"],
           "clock_period_ns": period, "layer": args.layer, "pos": args.pos, "rows_per_matrix": args.rows,
           "tools": {"iverilog": version(["iverilog", "-V"]), "sta": version(["sta", "-version"]),
                     "yosys": version(["yosys", "-V"])},
           "method": "RTL VCD (Icarus) -> flip-flop and input values -> zero-delay evaluation of the "
                     "mapped netlist -> every pin's toggle rate and duty -> OpenSTA report_power at Fmax",
           "formats": {}}
    ctx = Ctx(args, lane, cells, volt, pwr_v, sim_v, names, flops)
    rep["tb_command"] = ctx.rtl_cmd
    pairs = [p for p in args.pairs.split(",") if p]
    for pair in pairs:
        if not supported(lane, pair):
            print(f"power: {lane.cfg}: {pair} is not a pair of this configuration: skipped", file=sys.stderr,
                  flush=True)
            continue
        t0 = time.time()
        d = os.path.join(args.out, pair.replace(":", "_x_"))
        os.makedirs(d, exist_ok=True)
        summary = make_stim(args, lane, pair, args.rows, d)
        act, nff = ctx.rtl_run(d, summary)
        p = ctx.power(act, d, "rtl")
        fig = figures(p, summary, lane.fmax)
        fig.update({"workload": summary, "mean_toggle_rate": mean_toggle(act), "flops_checked": nff,
                    "switching_check_mw": p["switching_check_w"] * 1e3})
        if args.glitch_rows:
            fig["glitches"] = ctx.glitch_factor(pair, d)
            fig["pj_per_mac_with_glitches"] = (fig["pj_per_mac"] * (fig["dynamic_mw"] * fig["glitches"]["factor"]
                                               + fig["leakage_uw"] * 1e-3) / (fig["dynamic_mw"] + fig["leakage_uw"] * 1e-3))
        rep["formats"][pair] = fig
        print(f"power: {lane.cfg}: {pair}: {fig['total_mw']:.3f} mW at {lane.fmax:.1f} MHz, "
              f"{fig['pj_per_mac']:.2f} pJ/MAC ({fig['macs']} MACs, {fig['cycles']} cycles"
              + (f"; with glitches x{fig['glitches']['factor']:.2f}" if args.glitch_rows else "")
              + f", {time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
    if not rep["formats"]:
        die("no format pair of --pairs is supported by this configuration")
    if args.reference == "auto":
        args.reference = "int4:int4" if supported(lane, "int4:int4") else next(iter(rep["formats"]))
    if args.reference != "none":
        rep["reference"] = ctx.reference(args.reference)
    rep["glitch_rows_per_matrix"] = args.glitch_rows
    for pair, f in rep["formats"].items():
        need_positive([(f"{pair} dynamic power", f["dynamic_mw"]), (f"{pair} leakage", f["leakage_uw"]),
                       (f"{pair} pJ/MAC", f["pj_per_mac"])])
    write_json(os.path.join(args.out, "power.json"), rep)
    write_text(os.path.join(args.out, "power.md"), markdown(rep))
    print(open(os.path.join(args.out, "power.md")).read())


class Ctx:
    """What every run of one lane shares: the compiled test benches (RTL,
    gate level zero-delay, gate level with cell delays) and the netlists."""
    ZD_PERIOD = 10.0  # ns; zero-delay runs: the period only places the samples

    def __init__(self, args, lane, cells, volt, pwr_v, sim_v, names, flops):
        self.args, self.lane, self.cells, self.volt = args, lane, cells, volt
        self.pwr_v, self.sim_v, self.names, self.flops = pwr_v, sim_v, names, flops
        d = os.path.join(args.out, "tb")
        os.makedirs(d, exist_ok=True)
        self.tb_dir = d
        self.rtl_vvp, self.rtl_cmd = compile_tb(lane, lane.files, d, f"$dumpvars(0, {DUT});", "rtl",
                                                self.ZD_PERIOD)
        self._gate = {}
        # with cell delays: a period four times the critical path, so that every cycle settles
        self.slow_period = round(4.0 * 1000.0 / lane.fmax, 1)

    def gate_vvp(self, specify):
        if specify not in self._gate:
            d = os.path.join(self.tb_dir, "gate1" if specify else "gate0")
            os.makedirs(d, exist_ok=True)
            self._gate[specify] = compile_tb(self.lane, [self.sim_v, CELLS_V], d, f"$dumpvars(1, {DUT});",
                                             "gate", self.slow_period if specify else self.ZD_PERIOD,
                                             specify=specify)[0]
        return self._gate[specify]

    def _drop(self, path):
        if not self.args.keep_vcd:
            os.remove(path)

    def rtl_run(self, d, summary):
        vcd_path, start = simulate(self.rtl_vvp, d, "rtl", summary)
        r = rtl_activity(self.lane, vcd_path, start, int(self.ZD_PERIOD * 1000), summary["measured_cycles"])
        self._drop(vcd_path)
        return r

    def gate_run(self, d, summary, specify):
        name = "gate1" if specify else "gate0"
        period = self.slow_period if specify else self.ZD_PERIOD
        vcd_path, start = simulate(self.gate_vvp(specify), d, name, summary)
        act = gate_activity(self.lane, vcd_path, start, int(period * 1000), summary["measured_cycles"],
                            glitches=specify)
        self._drop(vcd_path)
        return act

    def power(self, act, d, name):
        return sta_power(self.lane, self.cells, self.volt, act, d, name, self.pwr_v, self.flops, self.names)

    def glitch_factor(self, pair, d0):
        """Dynamic power with the cell models' delays over zero-delay power,
        on a shorter workload of the pair."""
        d = os.path.join(d0, "glitches")
        os.makedirs(d, exist_ok=True)
        summary = make_stim(self.args, self.lane, pair, self.args.glitch_rows, d)
        zd = self.power(self.rtl_run(d, summary)[0], d, "zero_delay")
        wd = self.power(self.gate_run(d, summary, specify=True), d, "with_delays")
        return {"rows_per_matrix": self.args.glitch_rows, "cycles": summary["measured_cycles"],
                "zero_delay_dynamic_mw": zd["dynamic_w"] * 1e3, "with_delays_dynamic_mw": wd["dynamic_w"] * 1e3,
                "factor": wd["dynamic_w"] / zd["dynamic_w"], "tb_period_ns": self.slow_period}

    def reference(self, pair):
        """The method against gate-level simulation of the same netlist, on
        a shorter workload of one pair."""
        lane, args = self.lane, self.args
        if not supported(lane, pair):
            die(f"--reference {pair}: not a pair of this configuration")
        d = os.path.join(args.out, "reference")
        os.makedirs(d, exist_ok=True)
        summary = make_stim(args, lane, pair, args.reference_rows, d)
        n = summary["measured_cycles"]
        res = {"pair": pair, "rows_per_matrix": args.reference_rows, "cycles": n, "macs": summary["macs"]}
        act_rtl, _ = self.rtl_run(d, summary)
        # probabilistic propagation from the same flip-flop and input activity
        comb = lane.net.comb_outputs()
        act_prob = lane.net.probabilistic({b: a for b, a in act_rtl.items() if b not in comb})
        act_g0 = self.gate_run(d, summary, specify=False)
        act_g1 = self.gate_run(d, summary, specify=True)
        diff = [b for b in act_g0 if b in act_rtl and abs(act_g0[b][1] - act_rtl[b][1]) > 1e-9]
        res["nets"] = len(act_g0)
        res["nets_toggle_rate_differs_rtl_vs_gate0"] = len(diff)
        res["tb_period_with_delays_ns"] = self.slow_period
        pw = {}
        for key, act in (("rtl_derived", act_rtl), ("gate_zero_delay", act_g0), ("gate_with_delays", act_g1),
                         ("probabilistic", act_prob)):
            pw[key] = figures(self.power(act, d, key), summary, lane.fmax)
            pw[key]["mean_toggle_rate"] = mean_toggle(act)
        res["power"] = pw
        g0, g1 = pw["gate_zero_delay"]["dynamic_mw"], pw["gate_with_delays"]["dynamic_mw"]
        res["error_vs_gate_zero_delay_pct"] = {k: 100.0 * (v["dynamic_mw"] - g0) / g0 for k, v in pw.items()}
        res["error_vs_gate_with_delays_pct"] = {k: 100.0 * (v["dynamic_mw"] - g1) / g1 for k, v in pw.items()}
        print(f"power: reference {pair}: dynamic power RTL-derived {pw['rtl_derived']['dynamic_mw']:.3f} mW, "
              f"gate zero-delay {g0:.3f} mW, gate with delays {g1:.3f} mW, probabilistic "
              f"{pw['probabilistic']['dynamic_mw']:.3f} mW", file=sys.stderr, flush=True)
        return res


def markdown(rep):
    L = [f"# Power report: {rep['config']} lane (operand isolation {'on' if rep['isolate'] else 'off'})", "",
         f"OSU 180 nm, OpenSTA at Fmax = {rep['fmax_mhz']:.1f} MHz (period {rep['clock_period_ns']:.2f} ns), "
         f"lane area {rep['area_um2']:.0f} um^2.  Workload: stories260K layer {rep['layer']} matrices "
         f"(wq 64x64, wk 32x64, w1 172x64, w2 64x172, wcls 512x64), activations of position {rep['pos']}.",
         "", f"Method: {rep['method']}.", "",
         "| weights x activations | MACs | cycles | MACs/cycle | dynamic mW | leakage uW | pJ/MAC | mean toggle rate "
         "| glitch factor | pJ/MAC with glitches |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for pair, f in rep["formats"].items():
        g = f.get("glitches")
        L.append(f"| {pair.replace(':', ' x ')} | {f['macs']} | {f['cycles']} | {f['macs_per_cycle']:.2f} | "
                 f"{f['dynamic_mw']:.3f} | {f['leakage_uw']:.2f} | {f['pj_per_mac']:.2f} | {f['mean_toggle_rate']:.4f} | "
                 + (f"{g['factor']:.2f} | {f['pj_per_mac_with_glitches']:.2f} |" if g else "- | - |"))
    if rep.get("glitch_rows_per_matrix"):
        L += ["", f"Glitch factor: dynamic power of a gate-level Icarus run with the OSU cell models' delays "
                  f"(one fixed delay per arc, inertial) over the zero-delay figure, on {rep['glitch_rows_per_matrix']} "
                  f"rows per matrix of the same workload."]
    r = rep.get("reference")
    if r:
        L += ["", f"Method error on {r['pair']} ({r['rows_per_matrix']} rows per matrix, {r['cycles']} cycles, "
                  f"{r['nets']} nets; {r['nets_toggle_rate_differs_rtl_vs_gate0']} nets differ between the "
                  f"RTL-derived and the zero-delay gate-level activity):", "",
              "| activity from | dynamic mW | pJ/MAC | vs gate zero-delay | vs gate with cell delays |",
              "|---|---|---|---|---|"]
        for k, v in r["power"].items():
            L.append(f"| {k.replace('_', ' ')} | {v['dynamic_mw']:.3f} | {v['pj_per_mac']:.2f} | "
                     f"{r['error_vs_gate_zero_delay_pct'][k]:+.1f}% | {r['error_vs_gate_with_delays_pct'][k]:+.1f}% |")
    L += ["", f"Tools: {rep['tools']['iverilog']}; OpenSTA {rep['tools']['sta']}; {rep['tools']['yosys']}"]
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
