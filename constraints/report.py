#!/usr/bin/env python3
"""constraints/report.py - one report per configuration: build/reports/<cfg>/.

Collects what the flows left in the directory (synth.py's <top>/report.json,
power.py's power/ and power_noiso/, ice40.py's ice40_<top>/), adds the
derived figures (per-MAC costs, the OVP decoders' share of the area, the
operand-isolation saving per format) and writes report.json and report.md.
--require lists the parts that must be there (synth, power, ice40): a
missing or incomplete part is an error, so `make synth` / `make power` fail
loudly instead of writing a partial report; --tops names the synthesized
tops that "synth" requires (default: the lane and the engine; `make synth
TOP=<module>` passes just that one).
"""
import argparse
import glob
import json
import os

from flow import die, need_positive, write_json, write_text

TOPS = ["npe_lane", "npe_engine", "npe_coproc"]


def load(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError) as e:
        die(f"{path}: {e}")


def peak_macs(man, top):
    """Products per cycle at the narrowest pair: SLOTS per unit, J units per lane."""
    d, p = man["derived"], man["parameters"]
    lane = d["slots"] * d["j"]
    return lane if top == "npe_lane" else lane * p["lanes"]


def ovp_share(decoders, total):
    """The OVP decoders' and all decoders' share of the area (synth.py's
    decoder figures: module areas, or function calls x standalone area)."""
    pf = decoders.get("per_format", {})
    ovp = sum(d["total_um2"] for m, d in pf.items() if "dec_ovp" in m)
    dec = sum(d["total_um2"] for d in pf.values())
    return {"ovp_decoders_um2": ovp, "all_decoders_um2": dec, "total_um2": total, "method": decoders.get("method"),
            "ovp_share_pct": 100.0 * ovp / total, "decoder_share_pct": 100.0 * dec / total}


def build(d, require, tops=("npe_lane", "npe_engine")):
    cfg = os.path.basename(os.path.normpath(d))
    rep = {"config": cfg, "synth": {}, "derived": {}}
    for top in TOPS:
        p = os.path.join(d, top, "report.json")
        if os.path.exists(p):
            rep["synth"][top] = load(p)
    man = None
    if rep["synth"]:
        rtl = next(iter(rep["synth"].values()))["rtl"]
        mp = os.path.join(rtl, f"{os.path.basename(rtl)}_manifest.json")
        man = load(mp) if os.path.exists(mp) else None
        rep["manifest"] = man
    if "synth" in require:
        for top in tops:
            if top not in rep["synth"]:
                die(f"{d}/{top}/report.json is missing: the synthesis of {top} did not run")
    for top, s in rep["synth"].items():
        if "osu018" in s:
            need_positive([(f"{top} OSU area", s["osu018"]["area_um2"]), (f"{top} Fmax", s["sta"]["fmax_mhz"])])
        if "xcup" in s:
            need_positive([(f"{top} xcup LUT", s["xcup"]["LUT"]), (f"{top} xcup FF", s["xcup"]["FF"])])
        if man and top in ("npe_lane", "npe_engine") and "xcup" in s and "osu018" in s:
            n = peak_macs(man, top)
            rep["derived"][top] = {
                "peak_macs_per_cycle": n,
                "xcup_lut_per_mac": s["xcup"]["LUT"] / n, "xcup_ff_per_mac": s["xcup"]["FF"] / n,
                "xcup_dsp_per_mac": s["xcup"]["DSP"] / n, "osu018_um2_per_mac": s["osu018"]["area_um2"] / n}
        if "osu018" in s:
            rep["derived"].setdefault(top, {})["ovp"] = ovp_share(s["osu018"].get("decoders", {}),
                                                                  s["osu018"]["area_um2"])
    for key in ("power", "power_noiso"):
        p = os.path.join(d, key, "power.json")
        if os.path.exists(p):
            rep[key] = load(p)
    if "power" in require:
        for key in ("power", "power_noiso"):
            if key not in rep:
                die(f"{d}/{key}/power.json is missing: the power flow did not run")
            for pair, f in rep[key]["formats"].items():
                need_positive([(f"{key} {pair} dynamic power", f["dynamic_mw"]), (f"{key} {pair} pJ/MAC", f["pj_per_mac"])])
    if "power" in rep and "power_noiso" in rep:
        sav = {}
        for pair, on in rep["power"]["formats"].items():
            off = rep["power_noiso"]["formats"].get(pair)
            if off:
                sav[pair] = {"pj_per_mac_on": on["pj_per_mac"], "pj_per_mac_off": off["pj_per_mac"],
                             "saving_pct": 100.0 * (off["pj_per_mac"] - on["pj_per_mac"]) / off["pj_per_mac"]}
        rep["isolation"] = sav
    for p in sorted(glob.glob(os.path.join(d, "ice40_*", "ice40.json"))):
        r = load(p)
        rep.setdefault("ice40", {})[r["top"]] = r
    if "ice40" in require and not rep.get("ice40"):
        die(f"no {d}/ice40_*/ice40.json: the iCE40 flow did not run")
    return rep


def md(rep):
    L = [f"# Report: configuration {rep['config']}", ""]
    man = rep.get("manifest")
    if man:
        p, dv = man["parameters"], man["derived"]
        L += [f"`{man['command']}`: {p['lanes']} lanes x J={dv['j']}, weights {','.join(p['wfmts'])}, "
              f"activations {','.join(p['afmts'])}, ACC_W {p['acc_w']}, ACC_LSB {p['acc_lsb']}, "
              f"pipeline {','.join(p['pipeline']) or 'none'}, isolation {'on' if p['isolate'] else 'off'}.", ""]
    if rep["synth"]:
        L += ["## Synthesis", "",
              "| top | xcup LUT | FF | DSP | CARRY | BRAM | xc7 LUT | FF | DSP | OSU 180 nm um^2 | Fmax MHz |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
        for top, s in rep["synth"].items():
            x, y = s.get("xcup", {}), s.get("xc7", {})
            a, t = s.get("osu018", {}), s.get("sta", {})
            L.append(f"| {top} | {x.get('LUT', '-')} | {x.get('FF', '-')} | {x.get('DSP', '-')} | "
                     f"{x.get('CARRY', '-')} | {x.get('BRAM', '-')} | {y.get('LUT', '-')} | {y.get('FF', '-')} | "
                     f"{y.get('DSP', '-')} | {a.get('area_um2', 0):,.0f} | {t.get('fmax_mhz', 0):.1f} |")
        L.append("")
        for top, dv in rep["derived"].items():
            if "peak_macs_per_cycle" in dv:
                L.append(f"* {top}: {dv['peak_macs_per_cycle']} MACs/cycle at the narrowest pair: "
                         f"{dv['xcup_lut_per_mac']:.0f} LUT, {dv['xcup_ff_per_mac']:.0f} FF, "
                         f"{dv['xcup_dsp_per_mac']:.2f} DSP, {dv['osu018_um2_per_mac']:,.0f} um^2 per MAC")
            o = dv.get("ovp")
            if o and o["ovp_decoders_um2"] > 0:
                L.append(f"* {top}: OVP decoders {o['ovp_decoders_um2']:,.0f} um^2 = {o['ovp_share_pct']:.2f}% "
                         f"of {o['total_um2']:,.0f} um^2 (all decoders {o['decoder_share_pct']:.1f}%; {o['method']})")
        L.append("")
        lane = rep["synth"].get("npe_lane", {})
        if "osu018" in lane:
            L += ["Lane modules (OSU 180 nm, own cells x instances):", "", "| module | instances | um^2 | Xilinx xcup LUT / FF / DSP |",
                  "|---|---|---|---|"]
            xm = lane.get("xcup", {}).get("per_module", {})
            for mod, dd in sorted(lane["osu018"]["per_module"].items()):
                x = xm.get(mod)
                xs = f"{x['LUT'] * x['instances']} / {x['FF'] * x['instances']} / {x['DSP'] * x['instances']}" if x else "-"
                L.append(f"| {mod} | {dd['instances']} | {dd['total_um2']:,.0f} | {xs} |")
            L.append("")
    if "power" in rep:
        pw = rep["power"]
        L += ["## Power (OSU 180 nm, activity from the tiny-llama workload)", "",
              f"Lane at Fmax = {pw['fmax_mhz']:.1f} MHz; {pw['method']}.", "",
              "| weights x activations | MACs/cycle | dynamic mW | leakage uW | pJ/MAC | pJ/MAC, isolation off | saving |",
              "|---|---|---|---|---|---|---|"]
        iso = rep.get("isolation", {})
        for pair, f in pw["formats"].items():
            s = iso.get(pair)
            L.append(f"| {pair.replace(':', ' x ')} | {f['macs_per_cycle']:.2f} | {f['dynamic_mw']:.3f} | "
                     f"{f['leakage_uw']:.2f} | {f['pj_per_mac']:.1f} | "
                     f"{s['pj_per_mac_off']:.1f} | {s['saving_pct']:+.1f}% |" if s else
                     f"| {pair.replace(':', ' x ')} | {f['macs_per_cycle']:.2f} | {f['dynamic_mw']:.3f} | "
                     f"{f['leakage_uw']:.2f} | {f['pj_per_mac']:.1f} | - | - |")
        if "power_noiso" in rep:
            L.append(f"\nIsolation off: the same RTL generated with `--isolate off` (lane "
                     f"{rep['power_noiso']['area_um2']:,.0f} um^2, Fmax {rep['power_noiso']['fmax_mhz']:.1f} MHz, "
                     f"power at its own Fmax; pJ/MAC does not depend on the clock to first order).")
        r = pw.get("reference")
        if r:
            L += ["", f"Method error on {r['pair']} ({r['cycles']} cycles; {r['nets_toggle_rate_differs_rtl_vs_gate0']} "
                      f"of {r['nets']} nets differ between RTL-derived and zero-delay gate-level activity):", "",
                  "| activity from | dynamic mW | vs gate-level zero delay | vs gate-level with cell delays |", "|---|---|---|---|"]
            for k, v in r["power"].items():
                L.append(f"| {k.replace('_', ' ')} | {v['dynamic_mw']:.3f} | {r['error_vs_gate_zero_delay_pct'][k]:+.1f}% | "
                         f"{r['error_vs_gate_with_delays_pct'][k]:+.1f}% |")
        L.append("")
    for top, r in rep.get("ice40", {}).items():
        dsn, tot = r["design_hierarchical"], r["yosys_total"]
        lc = r["nextpnr_utilization"].get("ICESTORM_LC", {})
        L += [f"## iCE40: {top} on {r['device']}-{r['package']}", "",
              f"{dsn['LUT4']} LUT4, {dsn['FF']} FF, {dsn['DSP']} SB_MAC16, {dsn['CARRY']} carries "
              f"(placed with the 4-pin wrapper: {tot['LUT4']} / {tot['FF']} / {tot['DSP']}); "
              f"{lc.get('used')} of {lc.get('available')} logic cells placed and routed; "
              f"achieved Fmax {r['fmax_mhz']:.1f} MHz.", ""]
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True, help="build/reports/<config>")
    ap.add_argument("--require", default="", help="comma list of synth,power,ice40")
    ap.add_argument("--tops", default="npe_lane,npe_engine", help="comma list: the tops 'synth' requires")
    args = ap.parse_args()
    tops = [t for t in args.tops.split(",") if t]
    if set(tops) - set(TOPS):
        die(f"--tops: unknown top(s) {sorted(set(tops) - set(TOPS))}; known: {', '.join(TOPS)}")
    req = {r for r in args.require.split(",") if r}
    bad = req - {"synth", "power", "ice40"}
    if bad:
        die(f"--require: unknown part(s) {sorted(bad)}")
    rep = build(args.dir, req, tops)
    write_json(os.path.join(args.dir, "report.json"), rep)
    text = md(rep)
    write_text(os.path.join(args.dir, "report.md"), text)
    print(text)


if __name__ == "__main__":
    main()
