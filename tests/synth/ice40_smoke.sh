#!/usr/bin/env bash
# tests/synth/ice40_smoke.sh - the iCE40 flow (constraints/ice40.py) on a small
# lane: Yosys synth_ice40 -dsp, nextpnr-ice40 on an UP5K-SG48 through the 4-pin
# wrapper, icepack; the report parses, the design fits, its 8x8 multiplier
# went into an SB_MAC16, and the achieved Fmax is plausible.
set -uo pipefail
cd "$(dirname "$0")/../.."
name=ice40_smoke
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
build/bin/rtl_gen --name tiny --lanes 4 --stream-width 64 --wfmts int4,int8 --afmts int4,int8 \
    --out "$tmp/tiny" > "$tmp/gen.log" 2>&1 || { echo "FAIL $name: rtl_gen failed: $(tail -1 "$tmp/gen.log")"; exit 1; }
python3 constraints/ice40.py --rtl "$tmp/tiny" --top npe_lane --out "$tmp/ice" > "$tmp/ice.log" 2>&1 \
    || { echo "FAIL $name: ice40.py failed: $(grep error "$tmp/ice.log" | head -1)"; exit 1; }
python3 - "$tmp/ice/ice40.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def need(cond, what):
    if not cond:
        print(f"FAIL ice40_smoke: {what}: {json.dumps(r)[:300]}")
        sys.exit(1)
d, lc = r["design_hierarchical"], r["nextpnr_utilization"]["ICESTORM_LC"]
need(d["LUT4"] > 50 and d["FF"] > 10, "LUT4/FF counts implausible")
need(d["DSP"] >= 1 and r["nextpnr_utilization"]["ICESTORM_DSP"]["used"] == d["DSP"], "no SB_MAC16 for the 8x8 multiplier")
need(0 < lc["used"] <= lc["available"] == 5280, "the UP5K logic cells do not add up")
need(r["nextpnr_utilization"]["SB_IO"]["used"] == 4, "the wrapper must use 4 pins")
need(1 < r["fmax_mhz"] < 500, "Fmax implausible")
need(r["bitstream_bytes"] > 1000, "no bitstream")
print(f"PASS ice40_smoke: {d['LUT4']} LUT4, {d['FF']} FF, {d['DSP']} DSP, {lc['used']}/{lc['available']} LCs, "
      f"Fmax {r['fmax_mhz']:.1f} MHz")
PY
