#!/usr/bin/env bash
# tests/synth/synth_smoke.sh - the synthesis flow (constraints/synth.py) on a
# small generated configuration, lane and engine, then the merged report
# (constraints/report.py --require synth): every flow runs, the reports parse
# and their figures are plausible (non-zero, Fmax between 10 MHz and 2 GHz,
# per-module counts times instances add up to the totals, the engine is
# about LANES lanes), and the co-processor as the Xilinx top (its buffers in
# block RAM; the OSU flow of its flip-flop buffers takes minutes and is left
# to make synth).  The full sweep is not here.
set -uo pipefail
cd "$(dirname "$0")/../.."
name=synth_smoke
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
build/bin/rtl_gen --name tiny --lanes 4 --stream-width 64 --wfmts int4,int8 --afmts int4,int8 \
    --out "$tmp/tiny" > "$tmp/gen.log" 2>&1 || { echo "FAIL $name: rtl_gen failed: $(tail -1 "$tmp/gen.log")"; exit 1; }
# (the co-processor: Xilinx only, see above)
for run in "npe_lane" "npe_engine" "npe_coproc --skip-asic"; do
    top=${run%% *}
    python3 constraints/synth.py --rtl "$tmp/tiny" --top $run --out "$tmp/rep/tiny/$top" > "$tmp/synth.log" 2>&1 \
        || { echo "FAIL $name: flow failed on $top: $(grep error "$tmp/synth.log" | head -1)"; exit 1; }
done
python3 constraints/report.py --dir "$tmp/rep/tiny" --require synth > "$tmp/report.log" 2>&1 \
    || { echo "FAIL $name: report.py failed: $(grep error "$tmp/report.log" | head -1)"; exit 1; }
python3 - "$tmp/rep/tiny" <<'PY'
import json, os, sys
d = sys.argv[1]
lane = json.load(open(os.path.join(d, "npe_lane", "report.json")))
eng = json.load(open(os.path.join(d, "npe_engine", "report.json")))
merged = json.load(open(os.path.join(d, "report.json")))
def need(cond, what, r=lane):
    if not cond:
        print(f"FAIL synth_smoke: {what}: {json.dumps(r)[:300]}")
        sys.exit(1)
for r in (lane, eng):
    for fam in ("xcup", "xc7"):
        need(r[fam]["LUT"] > 50 and r[fam]["FF"] > 10, f"{r['top']} {fam} LUT/FF counts implausible", r)
        pm = r[fam]["per_module"]
        need(sum(m["LUT"] * m["instances"] for m in pm.values()) == r[fam]["LUT"],
             f"{r['top']} {fam}: per-module LUTs x instances do not add up to the total", r)
    need(r["xcup"]["DSP"] + r["xcup"]["CARRY"] > 0, "no DSP or carry logic for a multiplier lane", r)
    a = r["osu018"]
    need(a["area_um2"] > 5000, "OSU area implausible", r)
    need(10 < r["sta"]["fmax_mhz"] < 2000, "Fmax implausible", r)
    need(r["sta"]["cells_linked"] == a["flat_cells"], "OpenSTA did not link the whole netlist", r)
pm = lane["osu018"]["per_module"]
need(set(pm) >= {"npe_lane", "npe_unit"} and min(p["own_um2"] for p in pm.values()) > 0, "per-module areas missing")
dec = lane["osu018"]["decoders"]["per_format"]
need(set(dec) == {"npe_dec_int4", "npe_dec_int8"} and min(d["total_um2"] for d in dec.values()) > 0,
     "decoder areas missing")
need(sum(d["total_um2"] for d in dec.values()) < 0.5 * pm["npe_unit"]["total_um2"], "decoders larger than half the unit")
need(pm["npe_lane"]["own_um2"] < lane["osu018"]["area_um2"], "the lane's own cells must be less than the whole hierarchy")
ratio = eng["osu018"]["area_um2"] / lane["osu018"]["area_um2"]
need(3.9 < ratio < 4.2, f"a 4-lane engine is {ratio:.2f} lanes of area", eng)
need(eng["osu018"]["per_module"]["npe_lane"]["instances"] == 4, "the engine must instance 4 lanes", eng)
dv = merged["derived"]["npe_lane"]
need(dv["peak_macs_per_cycle"] == 4 and dv["xcup_lut_per_mac"] > 0, "per-MAC figures missing", merged)
need(os.path.getsize(os.path.join(d, "report.md")) > 500, "report.md missing")
cop = json.load(open(os.path.join(d, "npe_coproc", "report.json")))
for fam in ("xcup", "xc7"):
    c = cop[fam]
    need(c["BRAM"] > 0, f"co-processor {fam}: the activation banks did not map to block RAM", cop)
    need(c["LUT"] > eng[fam]["LUT"] and c["FF"] > eng[fam]["FF"], f"co-processor {fam}: not larger than its engine", cop)
    pm = c["per_module"]
    need(pm.get("npe_lane", {}).get("instances") == 4, f"co-processor {fam}: 4 lanes expected", cop)
    need(sum(m["LUT"] * m["instances"] for m in pm.values()) == c["LUT"],
         f"co-processor {fam}: per-module LUTs x instances do not add up to the total", cop)
a = lane["osu018"]
print(f"PASS synth_smoke: lane xcup {lane['xcup']['LUT']} LUT {lane['xcup']['FF']} FF, "
      f"OSU {a['area_um2']:.0f} um^2, Fmax {lane['sta']['fmax_mhz']:.0f} MHz; engine {ratio:.2f} lanes; "
      f"co-processor {cop['xcup']['LUT']} LUT {cop['xcup']['BRAM']} BRAM")
PY
