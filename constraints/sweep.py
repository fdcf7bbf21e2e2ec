#!/usr/bin/env python3
"""constraints/sweep.py - synthesize a set of generated configurations and plot
what the seed papers compare (docs/reports.md shows and discusses the plots).

Series (rtl_gen options in the tables below):
  lanes    the engine of the all-formats lane and of a 4-bit lane
           (INT4/FP4/OVP4) at 4, 8, 16 and 32 lanes, J = 1: Xilinx and OSU
           180 nm area and Fmax against the lane count;
  formats  every format alone in a lane of its own (weights and activations
           in that format), their sum, and the unified lane of all of them,
           for the XR-NPE set (FP4, Posit(4,1), Posit(8,0), Posit(16,1)) and
           for all eleven formats: the XR-NPE comparison (-42% area claimed);
  ovp      the OVP decoders' share of the lane and engine area wherever OVP
           formats are enabled: the OliVe comparison (2.2% / 1.5% claimed);
  energy   energy per MAC per format on the tiny-llama workload (a sample of
           rows of each matrix): the unified all-formats lane with operand
           isolation on and off, and each format's own lane.
Each step's outputs are kept under --out (rtl/, syn/, pow/) and reused when
they are newer than their inputs, so an interrupted sweep resumes.  Writes
sweep.json, sweep.md, the gnuplot data and scripts, and the PNG plots.
"""
import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import time

from flow import HERE, die, provenance, write_json, write_text
from report import ovp_share

ALL = ["int4", "int8", "int16", "fp4", "mxfp4", "posit4_1", "posit8_0", "posit16_1", "ovp4", "ovp4f", "ovp8"]
XR = ["fp4", "posit4_1", "posit8_0", "posit16_1"]  # XR-NPE's formats (arXiv 2508.13049, abstract)
FOUR_BIT = "int4,fp4,ovp4"
LANES = [4, 8, 16, 32]
LANE_SETS = [("all", "all"), ("4bit", FOUR_BIT)]  # (tag, rtl_gen format list) of the lanes series
OVP_LABELS = {"unified_all/npe_lane": "all formats: lane", "lanes_all_4/npe_engine": "all formats: engine",
              "lanes_4bit_4/npe_lane": "INT4/FP4/OVP4 lane", "ovp_cfg/npe_engine": "'ovp' config: engine",
              "single_ovp4/npe_lane": "OVP4-only lane", "single_ovp8/npe_lane": "OVP8-only lane",
              "marginal": "all formats: marginal"}
SCRIPTS = [os.path.join(HERE, f) for f in ("synth.py", "flow.py", "power.py", "netlist.py", "liberty.py",
                                           "vcd.py", "power_tb.v")]


class Sweep:
    def __init__(self, args):
        self.a = args
        self.out = args.out
        self.t0 = time.time()
        self.data = {"configs": {}, "synth": {}, "power": {}}

    def log(self, msg):
        print(f"sweep [{time.time() - self.t0:6.0f} s] {msg}", file=sys.stderr, flush=True)

    def run(self, cmd, log):
        with open(log, "w") as f:
            p = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
        if p.returncode:
            tail = open(log).read().splitlines()[-10:]
            die(f"{cmd[0]} {cmd[1] if len(cmd) > 1 else ''} failed; see {log}:\n" + "\n".join(tail))

    def fresh(self, path, inputs):
        return os.path.exists(path) and all(os.path.getmtime(path) > os.path.getmtime(i) for i in inputs)

    # ------------------------------------------------------------ steps
    def gen(self, name, opts):
        """RTL of a configuration; kept (with its time stamps) when unchanged."""
        d = os.path.join(self.out, "rtl", name)
        tmp = os.path.join(self.out, "rtl", ".new", name)
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(os.path.dirname(tmp), exist_ok=True)
        self.run([self.a.rtl_gen] + opts + ["--name", name, "--out", tmp], os.path.join(self.out, "rtl", f"{name}.log"))
        same = os.path.isdir(d) and sorted(os.listdir(d)) == sorted(os.listdir(tmp)) and \
            all(filecmp.cmp(os.path.join(d, f), os.path.join(tmp, f), shallow=False) for f in os.listdir(tmp))
        if same:
            shutil.rmtree(tmp)
        else:
            shutil.rmtree(d, ignore_errors=True)
            os.replace(tmp, d)
        self.data["configs"][name] = {"rtl_gen": " ".join(opts)}
        return d

    def synth(self, name, top, xilinx=True):
        rtl = os.path.join(self.out, "rtl", name)
        out = os.path.join(self.out, "syn", name, top)
        rep = os.path.join(out, "report.json")
        if not self.fresh(rep, [os.path.join(rtl, f"{name}.f")] + SCRIPTS[:2]) or \
                (xilinx and "xcup" not in json.load(open(rep))):
            self.log(f"synth {name} / {top}{'' if xilinx else ' (OSU only)'}")
            os.makedirs(out, exist_ok=True)
            cmd = ["python3", os.path.join(HERE, "synth.py"), "--rtl", rtl, "--top", top, "--out", out]
            self.run(cmd + ([] if xilinx else ["--skip-xilinx"]), out + ".log")
        r = json.load(open(rep))
        s = {"osu_um2": r["osu018"]["area_um2"], "fmax_mhz": r["sta"]["fmax_mhz"],
             "per_module": r["osu018"]["per_module"], "decoders": r["osu018"].get("decoders", {})}
        if "xcup" in r:
            s.update({k: r["xcup"][k] for k in ("LUT", "FF", "DSP", "CARRY")})
        self.data["synth"].setdefault(name, {})[top] = s
        return s

    def power(self, name, pairs, rows, glitch_rows):
        rtl = os.path.join(self.out, "rtl", name)
        syn = os.path.join(self.out, "syn", name, "npe_lane")
        out = os.path.join(self.out, "pow", name)
        rep = os.path.join(out, "power.json")
        key = f"{pairs}|{rows}|{glitch_rows}"
        old = json.load(open(rep)) if os.path.exists(rep) else {}
        if not self.fresh(rep, [os.path.join(syn, "report.json"), self.a.stim_bin] + SCRIPTS) or \
                old.get("sweep_key") != key:
            self.log(f"power {name}: {pairs}")
            os.makedirs(out, exist_ok=True)
            self.run(["python3", os.path.join(HERE, "power.py"), "--rtl", rtl, "--synth", syn, "--out", out,
                      "--stim-bin", self.a.stim_bin, "--pairs", pairs, "--rows", str(rows),
                      "--glitch-rows", str(glitch_rows), "--model-dir", self.a.model_dir], out + ".log")
            r = json.load(open(rep))
            r["sweep_key"] = key
            write_json(rep, r)
        r = json.load(open(rep))
        p = {pair: {"pj_per_mac": f["pj_per_mac"], "pj_per_mac_with_glitches": f.get("pj_per_mac_with_glitches"),
                    "dynamic_mw": f["dynamic_mw"], "fmax_mhz": f["fmax_mhz"]} for pair, f in r["formats"].items()}
        self.data["power"][name] = p
        return p

    # ------------------------------------------------------------ series
    def lanes(self):
        res = {}
        for tag, fm in LANE_SETS:
            for n in LANES:
                name = f"lanes_{tag}_{n}"
                self.gen(name, ["--lanes", str(n), "--stream-width", str(16 * n), "--wfmts", fm, "--afmts", fm])
                res.setdefault(tag, {})[n] = self.synth(name, "npe_engine")
        # the 4-bit lane itself (DESIGN.md's <= 30,000 um^2 target)
        res["4bit_lane"] = self.synth("lanes_4bit_4", "npe_lane")
        return res

    def lane(self, name, fmts, *extra, xilinx=True):
        """One lane of J = 1 (4 lanes x 64-bit stream) with fmts (a comma
        list) on both sides and the extra rtl_gen options, synthesized."""
        self.gen(name, ["--lanes", "4", "--stream-width", "64", "--wfmts", fmts, "--afmts", fmts, *extra])
        return self.synth(name, "npe_lane", xilinx=xilinx)

    def formats(self):
        res = {}
        singles = {f: self.lane(f"single_{f}", f) for f in ALL}
        for tag, fs in (("xr", XR), ("all", ALL)):
            u = self.lane(f"unified_{tag}", ",".join(fs))
            tot = {k: sum(singles[f][k] for f in fs) for k in ("osu_um2", "LUT", "FF")}
            res[tag] = {"formats": fs, "singles": {f: singles[f] for f in fs}, "sum": tot, "unified": u,
                        "unified_vs_sum_pct": {k: 100.0 * (u[k] - tot[k]) / tot[k] for k in tot}}
        # The same comparison with operand isolation off on both sides (OSU
        # area only): isolation costs the unified lane more than the singles.
        off = {f: self.lane(f"single_{f}_noiso", f, "--isolate", "off", xilinx=False)["osu_um2"] for f in ALL}
        u_off = self.lane("unified_all_noiso", ",".join(ALL), "--isolate", "off", xilinx=False)["osu_um2"]
        res["all_noiso"] = {"singles_osu_um2": off, "sum_osu_um2": sum(off.values()), "unified_osu_um2": u_off,
                            "unified_vs_sum_pct": 100.0 * (u_off - sum(off.values())) / sum(off.values())}
        return res

    def ovp(self):
        """The OVP decoders' share (synth.py's decoder figures), and the
        marginal cost of the OVP formats: the unified lane with and without
        them."""
        res = {}
        cases = [("unified_all", "npe_lane"), ("lanes_all_4", "npe_engine"), ("lanes_4bit_4", "npe_lane"),
                 ("ovp_cfg", "npe_engine")] + [(f"single_{f}", "npe_lane") for f in ("ovp4", "ovp8") if f in ALL]
        self.gen("ovp_cfg", ["--config", os.path.join("rtl_gen", "configs", "ovp.cfg")])
        syn = {}
        for name, top in cases:
            s = syn[name] = self.synth(name, top)
            sh = ovp_share(s["decoders"], s["osu_um2"])
            res[f"{name}/{top}"] = {"ovp_um2": sh["ovp_decoders_um2"], "total_um2": s["osu_um2"],
                                    "share_pct": sh["ovp_share_pct"], "method": sh["method"]}
        full = syn["unified_all"]  # the lane the formats series synthesized, without OVP below
        less = self.lane("unified_no_ovp", ",".join(f for f in ALL if not f.startswith("ovp")))
        res["marginal"] = {"with_ovp_um2": full["osu_um2"], "without_ovp_um2": less["osu_um2"],
                           "share_pct": 100.0 * (full["osu_um2"] - less["osu_um2"]) / full["osu_um2"]}
        return res

    def energy(self):
        rows, gl = self.a.power_rows, self.a.glitch_rows
        pairs = ",".join(f"{f}:{f}" for f in ALL)  # (formats() synthesized both unified lanes)
        res = {"unified_on": self.power("unified_all", pairs, rows, gl),
               "unified_off": self.power("unified_all_noiso", pairs, rows, gl), "single": {}}
        for f in ALL:
            res["single"][f] = self.power(f"single_{f}", f"{f}:{f}", rows, gl)[f"{f}:{f}"]
        return res

    # ------------------------------------------------------------ output
    def plots(self, lanes, formats, ovp, energy):
        o = self.out
        gp = []
        # area and Fmax vs lanes
        with open(os.path.join(o, "lanes.dat"), "w") as f:
            f.write("# lanes  all:osu_mm2 all:fmax all:kLUT  4bit:osu_mm2 4bit:fmax 4bit:kLUT\n")
            for n in LANES:
                a, b = lanes["all"][n], lanes["4bit"][n]
                f.write(f"{n} {a['osu_um2'] / 1e6:.4f} {a['fmax_mhz']:.2f} {a['LUT'] / 1e3:.3f} "
                        f"{b['osu_um2'] / 1e6:.4f} {b['fmax_mhz']:.2f} {b['LUT'] / 1e3:.3f}\n")
        gp.append(("lanes", f"""set terminal pngcairo size 900,700 font ",10"
set output '{o}/lanes.png'
set multiplot layout 2,1 title "Engine area and Fmax vs lanes (J = 1; Yosys 0.23, OSU 180 nm, OpenSTA)"
set logscale xy 2
set xtics (4,8,16,32)
set grid
set key top left
set ylabel "area"
plot '{o}/lanes.dat' u 1:2 w lp lw 2 t "all formats, OSU 180 nm [mm^2]", \\
     '' u 1:5 w lp lw 2 t "INT4/FP4/OVP4, OSU 180 nm [mm^2]", \\
     '' u 1:4 w lp dt 2 t "all formats, xcup [kLUT]", '' u 1:7 w lp dt 2 t "INT4/FP4/OVP4, xcup [kLUT]"
unset logscale y
set ylabel "Fmax [MHz] (OSU 180 nm)"
set xlabel "lanes"
set yrange [0:*]
set key bottom right
plot '{o}/lanes.dat' u 1:3 w lp lw 2 t "all formats", '' u 1:6 w lp lw 2 t "INT4/FP4/OVP4"
unset multiplot
"""))
        # format sets
        for tag in ("xr", "all"):
            r = formats[tag]
            with open(os.path.join(o, f"formats_{tag}.dat"), "w") as f:
                f.write("# name osu_um2 kLUT\n")
                for fm in r["formats"]:
                    s = r["singles"][fm]
                    f.write(f"{fm} {s['osu_um2']:.0f} {s['LUT'] / 1e3:.3f}\n")
                f.write(f"sum {r['sum']['osu_um2']:.0f} {r['sum']['LUT'] / 1e3:.3f}\n")
                f.write(f"unified {r['unified']['osu_um2']:.0f} {r['unified']['LUT'] / 1e3:.3f}\n")
        gp.append(("formats", f"""set terminal pngcairo size 1000,700 font ",10"
set output '{o}/formats.png'
set multiplot layout 2,1 title "One lane (J = 1): each format alone, their sum, the unified lane (OSU 180 nm)"
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.8
set grid y
set ylabel "um^2"
set yrange [0:*]
set xtics rotate by -30 noenhanced
set key off
set title "XR-NPE set: FP4, Posit(4,1), Posit(8,0), Posit(16,1) (unified {formats['xr']['unified_vs_sum_pct']['osu_um2']:+.0f}% vs sum)"
plot '{o}/formats_xr.dat' u 2:xtic(1) lc rgb "#4472c4"
set title "All eleven formats (unified {formats['all']['unified_vs_sum_pct']['osu_um2']:+.0f}% vs sum)"
plot '{o}/formats_all.dat' u 2:xtic(1) lc rgb "#4472c4"
unset multiplot
"""))
        with open(os.path.join(o, "ovp.dat"), "w") as f:
            f.write("# case share_pct\n")
            for k in sorted(ovp, key=lambda k: (k == "marginal", k)):
                f.write(f"\"{OVP_LABELS.get(k, k)}\" {ovp[k]['share_pct']:.3f}\n")
        gp.append(("ovp", f"""set terminal pngcairo size 900,500 font ",10"
set output '{o}/ovp.png'
set title "OVP decoders' share of the area (OSU 180 nm) vs OliVe's 2.2% / 1.5%"
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.7
set grid y
set ylabel "% of area"
set xtics rotate by -20 noenhanced
set key top right
set yrange [0:*]
plot '{o}/ovp.dat' u 2:xtic(1) lc rgb "#ed7d31" t "measured", 2.2 w l lw 2 dt 2 lc rgb "black" t "OliVe 2.2%", \\
     1.5 w l lw 2 dt 3 lc rgb "gray40" t "OliVe 1.5%"
"""))
        with open(os.path.join(o, "energy.dat"), "w") as f:
            f.write("# format single unified_on unified_off (pJ/MAC, zero delay)\n")
            for fm in ALL:
                p = f"{fm}:{fm}"
                f.write(f"{fm} {energy['single'][fm]['pj_per_mac']:.2f} {energy['unified_on'][p]['pj_per_mac']:.2f} "
                        f"{energy['unified_off'][p]['pj_per_mac']:.2f}\n")
        gp.append(("energy", f"""set terminal pngcairo size 1000,550 font ",10"
set output '{o}/energy.png'
set title "Energy per MAC on the tiny-llama workload (OSU 180 nm, at each lane's Fmax, zero-delay activity)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid y
set ylabel "pJ/MAC"
set yrange [0:*]
set xtics rotate by -30 noenhanced
set key top left
plot '{o}/energy.dat' u 2:xtic(1) t "the format's own lane" lc rgb "#70ad47", \\
     '' u 3 t "unified lane, isolation on" lc rgb "#4472c4", '' u 4 t "unified lane, isolation off" lc rgb "#a5a5a5"
"""))
        for name, script in gp:
            path = os.path.join(o, f"{name}.gp")
            write_text(path, script)
            self.run(["gnuplot", path], os.path.join(o, f"{name}.gp.log"))
            if not os.path.getsize(os.path.join(o, f"{name}.png")):
                die(f"gnuplot wrote an empty {name}.png")

    def markdown(self, lanes, formats, ovp, energy):
        L = ["# Sweep", "", "## Lanes (engine, J = 1)", "",
             "| formats | lanes | xcup LUT | FF | DSP | OSU 180 nm um^2 | um^2 per lane | Fmax MHz |", "|---|---|---|---|---|---|---|---|"]
        for tag, label in (("all", "all"), ("4bit", "INT4/FP4/OVP4")):
            for n in LANES:
                s = lanes[tag][n]
                L.append(f"| {label} | {n} | {s['LUT']} | {s['FF']} | {s['DSP']} | {s['osu_um2']:,.0f} | "
                         f"{s['osu_um2'] / n:,.0f} | {s['fmax_mhz']:.1f} |")
        for tag, label in (("xr", "XR-NPE set"), ("all", "all eleven formats")):
            r = formats[tag]
            L += ["", f"## Format set: {label} (one lane, J = 1)", "",
                  "| lane | OSU 180 nm um^2 | xcup LUT | FF | Fmax MHz |", "|---|---|---|---|---|"]
            for fm in r["formats"]:
                s = r["singles"][fm]
                L.append(f"| {fm} alone | {s['osu_um2']:,.0f} | {s['LUT']} | {s['FF']} | {s['fmax_mhz']:.1f} |")
            L.append(f"| sum of the above | {r['sum']['osu_um2']:,.0f} | {r['sum']['LUT']} | {r['sum']['FF']} | |")
            u = r["unified"]
            L.append(f"| unified | {u['osu_um2']:,.0f} | {u['LUT']} | {u['FF']} | {u['fmax_mhz']:.1f} |")
            v = r["unified_vs_sum_pct"]
            L.append(f"| unified vs sum | {v['osu_um2']:+.1f}% | {v['LUT']:+.1f}% | {v['FF']:+.1f}% | |")
            off = formats.get(f"{tag}_noiso")
            if off:
                L += ["", f"With `--isolate off` on both sides (OSU 180 nm): the single lanes sum to "
                          f"{off['sum_osu_um2']:,.0f} um^2, the unified lane is {off['unified_osu_um2']:,.0f} um^2, "
                          f"{off['unified_vs_sum_pct']:+.1f}%."]
        L += ["", "## OVP decoders' share (OSU 180 nm)", "", "| design | OVP decoders um^2 | total um^2 | share |",
              "|---|---|---|---|"]
        for k, v in sorted(ovp.items()):
            if k != "marginal":
                L.append(f"| {k} | {v['ovp_um2']:,.0f} | {v['total_um2']:,.0f} | {v['share_pct']:.2f}% |")
        m = ovp["marginal"]
        L += ["", f"Decoder areas: {next(iter(ovp.values()))['method']}.  Marginal cost of the three OVP formats: "
                  f"the unified lane is {m['with_ovp_um2']:,.0f} um^2 with them and {m['without_ovp_um2']:,.0f} um^2 "
                  f"without, {m['share_pct']:.2f}% of its area."]
        L += ["", f"## Energy per MAC ({self.a.power_rows} rows per matrix; glitch factor from {self.a.glitch_rows} rows)",
              "", "| format (w x a) | own lane pJ/MAC | unified, isolation on | unified, isolation off | isolation saving "
              "| own lane with glitches | unified on, with glitches |", "|---|---|---|---|---|---|---|"]
        for fm in ALL:
            p = f"{fm}:{fm}"
            s, on, off = energy["single"][fm], energy["unified_on"][p], energy["unified_off"][p]
            L.append(f"| {fm} | {s['pj_per_mac']:.1f} | {on['pj_per_mac']:.1f} | {off['pj_per_mac']:.1f} | "
                     f"{100 * (off['pj_per_mac'] - on['pj_per_mac']) / off['pj_per_mac']:+.1f}% | "
                     f"{s['pj_per_mac_with_glitches'] or 0:.1f} | {on['pj_per_mac_with_glitches'] or 0:.1f} |")
        return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory (build/reports/sweep)")
    ap.add_argument("--rtl-gen", default="build/bin/rtl_gen")
    ap.add_argument("--stim-bin", default="build/bin/power_stim")
    ap.add_argument("--model-dir", default="../shared/models/tiny-llama")
    ap.add_argument("--power-rows", type=int, default=16, help="rows per matrix of the energy runs (default 16)")
    ap.add_argument("--glitch-rows", type=int, default=4, help="rows per matrix of the glitch runs (default 4)")
    ap.add_argument("--only", default="lanes,formats,ovp,energy", help="comma list of series to run")
    ap.add_argument("--plots-only", action="store_true",
                    help="redraw the plots and sweep.md from an existing sweep.json (no synthesis)")
    args = ap.parse_args()
    for b in (args.rtl_gen, args.stim_bin):
        if not os.path.exists(b):
            die(f"{b} not found (make {b})")
    os.makedirs(args.out, exist_ok=True)
    s = Sweep(args)
    if args.plots_only:
        old = json.load(open(os.path.join(args.out, "sweep.json")))
        # JSON keys are strings: the lane counts back to ints
        lanes = {t: ({int(n): v for n, v in d.items()} if t != "4bit_lane" else d) for t, d in old["lanes"].items()}
        s.plots(lanes, old["formats"], old["ovp"], old["energy"])
        write_text(os.path.join(args.out, "sweep.md"), s.markdown(lanes, old["formats"], old["ovp"], old["energy"]))
        return
    only = set(args.only.split(","))
    if only - {"lanes", "formats", "ovp", "energy"}:
        die(f"--only: unknown series {sorted(only - {'lanes', 'formats', 'ovp', 'energy'})}")
    if "ovp" in only:  # it reads the lanes' and the formats' syntheses
        only |= {"lanes", "formats"}
    if "energy" in only:
        only.add("formats")
    lanes = s.lanes() if "lanes" in only else None
    formats = s.formats() if "formats" in only else None
    ovp = s.ovp() if "ovp" in only else None
    energy = s.energy() if "energy" in only else None
    res = {"lanes": lanes, "formats": formats, "ovp": ovp, "energy": energy, "raw": s.data, "provenance": provenance(),
           "power_rows": args.power_rows, "glitch_rows": args.glitch_rows}
    write_json(os.path.join(args.out, "sweep.json"), res)
    if lanes and formats and ovp and energy:
        s.plots(lanes, formats, ovp, energy)
        write_text(os.path.join(args.out, "sweep.md"), s.markdown(lanes, formats, ovp, energy))
        print(open(os.path.join(args.out, "sweep.md")).read())
    s.log(f"done: {args.out}")


if __name__ == "__main__":
    main()
