#!/usr/bin/env bash
# tests/synth/flow_fail.sh - the report flows fail loudly instead of writing
# partial reports: a Verilog error stops synth.py (no report.json), a
# missing top or a zero figure stops report.py, a wrong expected result
# stops power.py (the test bench compares every row), a broken name match
# between the RTL and the netlist stops power.py (the flip-flop check), and
# `make synth` refuses an unknown configuration.
set -uo pipefail
cd "$(dirname "$0")/../.."
name=flow_fail
dir=${MODEL_DIR:-../shared/models/tiny-llama}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL $name: $*"; exit 1; }
# expect_fail <what> <pattern> <command...>: the command must exit non-zero
# and print the pattern
expect_fail() {
    local what=$1 pat=$2; shift 2
    if "$@" > "$tmp/out" 2>&1; then fail "$what: the command succeeded"; fi
    grep -q -- "$pat" "$tmp/out" || fail "$what: no message matching '$pat' in: $(tail -3 "$tmp/out")"
}
build/bin/rtl_gen --name tiny --lanes 4 --stream-width 64 --wfmts int4,int8 --afmts int4,int8 \
    --out "$tmp/tiny" > /dev/null 2>&1 || fail "rtl_gen failed"

# 1. a Verilog error: Yosys fails, synth.py says so and writes no report
cp -r "$tmp/tiny" "$tmp/bad" && mv "$tmp/bad/tiny.f" "$tmp/bad/bad.f"
echo "this is not verilog" >> "$tmp/bad/npe_lane.v"
expect_fail "broken RTL" "yosys failed" python3 constraints/synth.py --rtl "$tmp/bad" --top npe_lane --out "$tmp/rbad"
[ ! -e "$tmp/rbad/report.json" ] || fail "broken RTL: a report.json was written"

# 2. report.py: a missing top, then a zero figure
mkdir -p "$tmp/reports/tiny"
python3 constraints/synth.py --rtl "$tmp/tiny" --top npe_lane --out "$tmp/reports/tiny/npe_lane" > "$tmp/s.log" 2>&1 \
    || fail "synth.py on the good lane failed: $(grep error "$tmp/s.log")"
expect_fail "missing engine" "npe_engine/report.json is missing" \
    python3 constraints/report.py --dir "$tmp/reports/tiny" --require synth
expect_fail "no power part" "power/power.json is missing" \
    python3 constraints/report.py --dir "$tmp/reports/tiny" --require power
cp -r "$tmp/reports/tiny/npe_lane" "$tmp/reports/tiny/npe_engine"
python3 - "$tmp/reports/tiny/npe_engine/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); r["top"] = "npe_engine"; r["sta"]["fmax_mhz"] = 0.0
json.dump(r, open(sys.argv[1], "w"))
PY
expect_fail "zero Fmax" "figure 'npe_engine Fmax' is missing" \
    python3 constraints/report.py --dir "$tmp/reports/tiny" --require synth

# 3. make refuses an unknown configuration
expect_fail "unknown CONFIG" "no configuration 'no_such_cfg'" make --no-print-directory synth CONFIG=no_such_cfg

if [ ! -f "$dir/stories260K.bin" ]; then
    echo "SKIP $name: synthesis and report failures caught; power checks need $dir/stories260K.bin"; exit 77
fi
# 4. power.py: a wrong expected result (the stimulus generator is wrapped to corrupt one)
cat > "$tmp/bad_stim" <<EOF
#!/usr/bin/env bash
build/bin/power_stim "\$@" || exit
exp=""; while [ \$# -gt 0 ]; do [ "\$1" = --expect ] && exp=\$2; shift; done
sed -i '1s/^./f/' "\$exp"
EOF
chmod +x "$tmp/bad_stim"
expect_fail "wrong expected row" "disagrees with kernels_ref" python3 constraints/power.py --rtl "$tmp/tiny" \
    --synth "$tmp/reports/tiny/npe_lane" --out "$tmp/p1" --stim-bin "$tmp/bad_stim" --pairs int4:int4 --rows 1 \
    --model-dir "$dir"
# 5. power.py: two flip-flops' names swapped in the netlist -> the D/Q check fails
cp -r "$tmp/reports/tiny/npe_lane" "$tmp/swapped"
python3 - "$tmp/swapped" <<'PY'
import json, os, sys
d = sys.argv[1]
rep = json.load(open(os.path.join(d, "report.json")))
net = json.load(open(rep["osu018"]["netlist_json"]))
mod = net["modules"]["npe_lane"]
# two accumulator bits trade names: the RTL values land on the wrong flip-flops
a, b = mod["netnames"]["out_acc[3]"]["bits"], mod["netnames"]["out_acc[4]"]["bits"]
mod["netnames"]["out_acc[3]"]["bits"], mod["netnames"]["out_acc[4]"]["bits"] = b, a
path = os.path.join(d, "netlist_osu018.json")
json.dump(net, open(path, "w"))
rep["osu018"]["netlist_json"] = path
json.dump(rep, open(os.path.join(d, "report.json"), "w"))
PY
expect_fail "swapped flip-flop names" "is not the next cycle's Q" python3 constraints/power.py --rtl "$tmp/tiny" \
    --synth "$tmp/swapped" --out "$tmp/p2" --stim-bin build/bin/power_stim --pairs int4:int4 --rows 1 --model-dir "$dir"
echo "PASS $name: broken RTL, missing top, zero figure, unknown CONFIG, wrong result and wrong name match all fail with a message"
