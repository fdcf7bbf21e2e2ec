#!/usr/bin/env bash
# tests/synth/synth_gen.sh - `make synth CONFIG=<name> GEN="<rtl_gen options>"`
# synthesizes an ad-hoc configuration: the report describes exactly the
# options given, a second run with other options regenerates the RTL and the
# report (nothing stale is reused), TOP= alone is enough for the merged
# report, and GEN= on an existing configuration's name is refused.
set -uo pipefail
cd "$(dirname "$0")/../.."
name=synth_gen
cfg=synth_gen_test
tmp=$(mktemp -d)
clean_build() { rm -rf build/reports/$cfg build/synth-rtl/$cfg build/synth-rtl/$cfg.opts; }
trap 'clean_build; rm -rf "$tmp"' EXIT
clean_build
fail() { echo "FAIL $name: $*"; exit 1; }
run() { # <wfmts>: prints the lane's OSU area (or a FAIL line, exit 1)
    make --no-print-directory synth CONFIG=$cfg TOP=npe_lane \
        GEN="--lanes 4 --stream-width 64 --wfmts $1 --afmts int4" > "$tmp/make.log" 2>&1 \
        || fail "make synth GEN=... --wfmts $1 failed: $(grep -i error "$tmp/make.log" | head -1)"
    python3 - "build/reports/$cfg/report.json" "$1" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
w = r["manifest"]["parameters"]["wfmts"]
w = w if isinstance(w, list) else w.split(",")
if sorted(w) != sorted(sys.argv[2].split(",")):
    print(f"FAIL synth_gen: the report's weight formats are {w}, GEN asked for {sys.argv[2]}")
    sys.exit(1)
if r["synth"]["npe_lane"]["osu018"]["area_um2"] <= 0:
    print("FAIL synth_gen: no lane area")
    sys.exit(1)
print(f"{r['synth']['npe_lane']['osu018']['area_um2']:.0f}")
PY
}
a1=$(run int4) || { echo "$a1"; exit 1; }
echo "int4: lane $a1 um^2"
a2=$(run int4,fp4) || { echo "$a2"; exit 1; }
echo "int4,fp4: lane $a2 um^2"
[ "$a1" != "$a2" ] || fail "the lane area did not change with the formats ($a1 um^2): a stale report was reused"
if make --no-print-directory synth CONFIG=all GEN="--lanes 2" > "$tmp/refuse.log" 2>&1; then
    fail "GEN= on the existing configuration 'all' was accepted"
fi
grep -q "defines a new configuration" "$tmp/refuse.log" || fail "no clear message for GEN= on 'all': $(tail -1 "$tmp/refuse.log")"
echo "PASS $name"
