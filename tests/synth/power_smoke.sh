#!/usr/bin/env bash
# tests/synth/power_smoke.sh - the power flow (constraints/power.py) on a small
# lane with a short tiny-llama workload: every result row agrees with
# kernels_ref, every flip-flop's evaluated D equals its next Q, OpenSTA's
# switching power equals 1/2 C V^2 a f of the annotated activities (all
# checked inside the flow, which fails otherwise); here: power.json parses
# and holds plausible figures, the RTL-derived activity equals the
# zero-delay gate-level one net for net, cell delays add glitch power, and an
# 8-bit activation job costs more energy per MAC than a 4-bit one.
set -uo pipefail
cd "$(dirname "$0")/../.."
name=power_smoke
dir=${MODEL_DIR:-../shared/models/tiny-llama}
if [ ! -f "$dir/stories260K.bin" ]; then
    echo "SKIP $name: $dir/stories260K.bin not found (set MODEL_DIR)"; exit 77
fi
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
build/bin/rtl_gen --name tiny --lanes 4 --stream-width 64 --wfmts int4,int8 --afmts int4,int8 \
    --out "$tmp/tiny" > "$tmp/gen.log" 2>&1 || { echo "FAIL $name: rtl_gen failed: $(tail -1 "$tmp/gen.log")"; exit 1; }
python3 constraints/synth.py --rtl "$tmp/tiny" --top npe_lane --out "$tmp/lane" --skip-xilinx > "$tmp/synth.log" 2>&1 \
    || { echo "FAIL $name: synth.py failed: $(grep error "$tmp/synth.log" | head -1)"; exit 1; }
python3 constraints/power.py --rtl "$tmp/tiny" --synth "$tmp/lane" --out "$tmp/pow" --model-dir "$dir" \
    --stim-bin build/bin/power_stim --pairs int4:int8,int4:int4,fp4:fp4 --rows 2 --reference int4:int4 \
    --reference-rows 2 --glitch-rows 2 > "$tmp/power.log" 2>&1 \
    || { echo "FAIL $name: power.py failed: $(grep error "$tmp/power.log" | head -1)"; exit 1; }
python3 - "$tmp/pow/power.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def need(cond, what):
    if not cond:
        print(f"FAIL power_smoke: {what}")
        sys.exit(1)
f = r["formats"]
need(set(f) == {"int4:int8", "int4:int4"}, f"formats {sorted(f)}: fp4 is not in this configuration and must be skipped")
for pair, x in f.items():
    need(0.01 < x["dynamic_mw"] < 1000 and 0 < x["leakage_uw"] < 1000, f"{pair}: power implausible {x}")
    need(0.1 < x["pj_per_mac"] < 10000, f"{pair}: {x['pj_per_mac']} pJ/MAC implausible")
    need(x["flops_checked"] > 20 and 0 < x["mean_toggle_rate"] < 1, f"{pair}: activity implausible")
    need(abs(x["switching_check_mw"] - x["switching_mw"]) <= 0.02 * x["switching_mw"], f"{pair}: switching check")
    need(x["glitches"]["factor"] >= 1.0, f"{pair}: cell delays gave less power than zero delay")
need(f["int4:int4"]["macs_per_cycle"] > 1.9 * f["int4:int8"]["macs_per_cycle"], "4-bit pairs must do twice the MACs")
need(f["int4:int8"]["pj_per_mac"] > f["int4:int4"]["pj_per_mac"], "int4 x int8 must cost more per MAC than int4 x int4")
ref = r["reference"]
need(ref["nets_toggle_rate_differs_rtl_vs_gate0"] == 0, "RTL-derived and gate-level activity differ")
need(abs(ref["error_vs_gate_zero_delay_pct"]["rtl_derived"]) < 1e-6, "RTL-derived power differs from gate level")
need(ref["power"]["gate_with_delays"]["dynamic_mw"] > ref["power"]["gate_zero_delay"]["dynamic_mw"],
     "cell delays must add glitch power")
print(f"PASS power_smoke: int4 x int4 {f['int4:int4']['pj_per_mac']:.1f} pJ/MAC, int4 x int8 "
      f"{f['int4:int8']['pj_per_mac']:.1f} pJ/MAC, probabilistic propagation "
      f"{ref['error_vs_gate_zero_delay_pct']['probabilistic']:+.0f}%, glitches "
      f"{ref['error_vs_gate_with_delays_pct']['rtl_derived']:+.0f}% vs gate level with delays")
PY
