#!/usr/bin/env bash
# tests/synth/power_stim.sh <power_stim binary> - the power workload generator
# (constraints/power_stim.c) against an independent reading of its own output:
# for integer formats (LSB 2^0, no scales) every row's expected accumulator
# must be the plain sum of code products, recomputed here from the packed
# step fields of the stimulus file (docs/architecture.md section 4); the row,
# MAC and cycle counts of the summary must match the file.  Skips when the
# stories260K files are absent.
set -uo pipefail
cd "$(dirname "$0")/../.."
name=power_stim
bin=${1:?usage: power_stim.sh <power_stim binary>}
dir=${MODEL_DIR:-../shared/models/tiny-llama}
if [ ! -f "$dir/stories260K.bin" ]; then
    echo "SKIP $name: $dir/stories260K.bin not found (set MODEL_DIR)"; exit 77
fi
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
for pair in int8:int8 int4:int8 int4:int4; do
    w=${pair%%:*} a=${pair##*:}
    "$bin" --model-dir "$dir" --wfmt "$w" --afmt "$a" --j 2 --acc-w 40 --acc-lsb 0 --latency 3 \
        --rows 3 --stim "$tmp/$w$a.stim" --expect "$tmp/$w$a.exp" > "$tmp/$w$a.json" 2> "$tmp/err" \
        || { echo "FAIL $name: power_stim $pair failed: $(tail -1 "$tmp/err")"; exit 1; }
    python3 - "$tmp/$w$a" "$w" "$a" <<'PY' || exit 1
import json, sys
base, wf, af = sys.argv[1:]
bits = {"int4": 4, "int8": 8}
E = max(bits[wf], bits[af])
J = 2
summ = json.load(open(base + ".json"))
def fail(msg):
    print(f"FAIL power_stim: {wf} x {af}: {msg}")
    sys.exit(1)
def sx(v, n):
    return v - (1 << n) if v >> (n - 1) else v
rows, acc, measured, cur = [], 0, 0, None
for line in open(base + ".stim"):
    m, v, f, l, b, wfi, afi, wd, ad, ws, as_ = line.split()
    measured += int(m, 16)
    if int(v, 16) == 0:
        continue
    if int(f, 16):
        acc = 0
    wd, ad = int(wd, 16), int(ad, 16)
    for i in range(16 * J // E):
        acc += sx((wd >> (i * E)) & ((1 << bits[wf]) - 1), bits[wf]) * \
               sx((ad >> (i * E)) & ((1 << bits[af]) - 1), bits[af])
    if int(l, 16):
        rows.append(acc)
exp = [line.split() for line in open(base + ".exp")]
if len(exp) != len(rows) or len(rows) != summ["rows_streamed"]:
    fail(f"{len(rows)} rows in the stream, {len(exp)} expected results, summary says {summ['rows_streamed']}")
for k, (e, r) in enumerate(zip(exp, rows)):
    got = sx(int(e[0], 16), 40)
    if got != r or int(e[1], 16) != 0:
        fail(f"row {k}: expected file says {got} flags {e[1]}, the packed codes sum to {r}")
if measured != summ["measured_cycles"]:
    fail(f"{measured} cycles marked measured, summary says {summ['measured_cycles']}")
macs = sum(m["rows_used"] * m["cols"] for m in summ["matrices"])
if macs != summ["macs"] or [m["cols"] for m in summ["matrices"]] != [64, 64, 64, 172, 64]:
    fail(f"MACs {summ['macs']} vs {macs} from the matrices {summ['matrices']}")
PY
done
# bad arguments are refused with a message
if "$bin" --wfmt ovp4 --afmt int16 --j 1 --acc-w 40 --acc-lsb 0 --latency 2 --stim "$tmp/x" \
       --expect "$tmp/y" > /dev/null 2> "$tmp/err" || ! grep -q "OVP pair cannot meet a 16-bit" "$tmp/err"; then
    echo "FAIL $name: an OVP x 16-bit pair was not refused: $(cat "$tmp/err")"; exit 1
fi
echo "PASS $name: int8 x int8, int4 x int8, int4 x int4 rows match the sums of their packed codes"
