#!/usr/bin/env bash
# tests/synth/synth_smoke.sh - the synthesis flow (constraints/synth.py) on a
# small generated lane: every flow runs, the report parses and its figures
# are plausible (non-zero, Fmax between 10 MHz and 2 GHz, the ASIC area
# and per-module areas present).  The full sweep is not here.
set -uo pipefail
cd "$(dirname "$0")/../.."
name=synth_smoke
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
build/bin/rtl_gen --name tiny --lanes 4 --stream-width 64 --wfmts int4,int8 --afmts int4,int8 \
    --out "$tmp/tiny" > "$tmp/gen.log" 2>&1 || { echo "FAIL $name: rtl_gen failed: $(tail -1 "$tmp/gen.log")"; exit 1; }
python3 constraints/synth.py --rtl "$tmp/tiny" --top npe_lane --out "$tmp/rep" > "$tmp/synth.log" 2>&1 \
    || { echo "FAIL $name: flow failed: $(grep error "$tmp/synth.log" | head -1)"; exit 1; }
python3 - "$tmp/rep/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def need(cond, what):
    if not cond:
        print(f"FAIL synth_smoke: {what}: {json.dumps(r)[:300]}")
        sys.exit(1)
for fam in ("xcup", "xc7"):
    need(r[fam]["LUT"] > 50 and r[fam]["FF"] > 10, f"{fam} LUT/FF counts implausible")
need(r["xcup"]["DSP"] + r["xcup"]["CARRY"] > 0, "no DSP or carry logic for a multiplier lane")
a = r["osu018"]
need(a["area_um2"] > 5000, "OSU area implausible")
pm = a["per_module_um2"]
need(set(pm) >= {"npe_lane", "npe_unit", "npe_dec_int4", "npe_dec_int8"} and min(pm.values()) > 0,
     "per-module areas missing")
need(pm["npe_lane"] < a["area_um2"], "the lane's own cells must be less than the whole hierarchy")
need(10 < r["sta"]["fmax_mhz"] < 2000, "Fmax implausible")
need(r["sta"]["cells_linked"] == a["flat_cells"], "OpenSTA did not link the whole netlist")
print(f"PASS synth_smoke: xcup {r['xcup']['LUT']} LUT {r['xcup']['FF']} FF, "
      f"OSU {a['area_um2']:.0f} um^2, Fmax {r['sta']['fmax_mhz']:.0f} MHz")
PY
