#!/usr/bin/env bash
# tests/rtl/check_rtl.sh CHECK CONFIG - one check of one rtl_gen configuration
# (rtl_gen/configs/CONFIG.cfg), generated afresh into a temporary directory so
# that no test depends on another's output.  Ends with "PASS ..." (exit 0),
# "FAIL ...: reason" (exit 1) or "SKIP ...: reason" (exit 77).
#
#   gen     generation succeeds, is deterministic (two runs into different
#           directories are byte-identical), every file is stamped with the
#           command line, every module opens with `default_nettype none and
#           restores `default_nettype wire, no lint waiver appears
#   lint    verilator --lint-only -Wall (tops: the engine, the decode probe and
#           the AXI co-processor) and iverilog -g2005 -Wall print nothing
#   synth   yosys: synth -top <prefix>engine; check -assert; no latch, no
#           multiple drivers; prints the cell count
#   golden  the output equals the committed copy rtl_gen/golden/CONFIG/
#   guards  the emitted parameter guards stop elaboration on illegal
#           overrides (Icarus and Yosys) and accept a legal one
#   sim     Icarus runs random rows of every format pair through one lane and
#           compares with kernels_ref (tests/rtl/rtl_vectors.c), 4-state: an X
#           on out_acc/out_flags/out_valid fails
set -uo pipefail
cd "$(dirname "$0")/../.."
check=${1:?usage: check_rtl.sh CHECK CONFIG}
cfg=${2:?usage: check_rtl.sh CHECK CONFIG}
name="rtl_${check}_${cfg}"
gen=build/bin/rtl_gen
cfgfile=rtl_gen/configs/$cfg.cfg

fail() { echo "FAIL $name: $*"; exit 1; }
skip() { echo "SKIP $name: $*"; exit 77; }
[ -x "$gen" ] || fail "$gen missing (make build-rtl)"
[ -f "$cfgfile" ] || fail "no configuration $cfgfile"
mkdir -p build/tmp
tmp=$(mktemp -d build/tmp/rtl-check.XXXXXX) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT

generate() { # generate DIR -> the configuration into DIR
    "$gen" --config "$cfgfile" --out "$1" >"$tmp/gen.log" 2>&1 || fail "rtl_gen failed: $(tail -1 "$tmp/gen.log")"
}
vfiles() { # the Verilog files of a generated directory, in .f order
    grep -v '^//' "$1/$cfg.f" | sed "s|^|$1/|"
}
top_of() { # prefix + module stem, from the manifest's "top"
    sed -n 's/^ *"top": "\(.*\)",$/\1/p' "$1/${cfg}_manifest.json"
}

case $check in
gen)
    generate "$tmp/a"
    generate "$tmp/b"
    diff -r "$tmp/a" "$tmp/b" >"$tmp/diff" || fail "two runs differ: $(head -3 "$tmp/diff" | tr '\n' ' ')"
    n=0
    for f in $(vfiles "$tmp/a"); do
        n=$((n + 1))
        [ -s "$f" ] || fail "$f missing or empty"
        grep -q "^// Command: rtl_gen --config $cfgfile\$" "$f" || fail "$(basename "$f") lacks the command-line stamp"
        grep -q '^`default_nettype none$' "$f" || fail "$(basename "$f") lacks \`default_nettype none"
        [ "$(tail -1 "$f")" = '`default_nettype wire' ] || fail "$(basename "$f") does not end with \`default_nettype wire"
        [ "$(grep -c '^module ' "$f")" = 1 ] || fail "$(basename "$f") must hold exactly one module"
        mod=$(sed -n 's/^module \([A-Za-z0-9_]*\).*/\1/p' "$f")
        [ "$mod.v" = "$(basename "$f")" ] || fail "$(basename "$f") holds module $mod"
        if grep -nE 'lint_off|verilator +(lint|coverage|tracing)|synopsys|pragma' "$f" >"$tmp/w"; then
            fail "$(basename "$f") contains a waiver: $(head -1 "$tmp/w")"
        fi
    done
    for f in "${cfg}_params.h" "${cfg}_manifest.json" "$cfg.f"; do
        [ -s "$tmp/a/$f" ] || fail "$f missing"
        grep -q "rtl_gen --config $cfgfile" "$tmp/a/$f" || fail "$f lacks the command-line stamp"
    done
    python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/a/${cfg}_manifest.json" \
        || fail "${cfg}_manifest.json is not valid JSON"
    gcc -std=c11 -Wall -Wextra -Werror -fsyntax-only -include "$tmp/a/${cfg}_params.h" -x c /dev/null \
        || fail "${cfg}_params.h does not compile cleanly"
    echo "$cfg: $n Verilog files, deterministic"
    ;;
lint)
    generate "$tmp/a"
    top=$(top_of "$tmp/a")
    probe=${top%engine}decode_probe
    coproc=${top%engine}coproc
    command -v verilator >/dev/null || skip "verilator not installed (make deps)"
    command -v iverilog >/dev/null || skip "iverilog not installed (make deps)"
    for t in "$top" "$probe" "$coproc"; do
        (cd "$tmp/a" && verilator --lint-only -Wall --top-module "$t" -F "$cfg.f") >"$tmp/vl.log" 2>&1 \
            || fail "verilator -Wall ($t): $(grep -m1 -E '%(Warning|Error)' "$tmp/vl.log")"
        [ -s "$tmp/vl.log" ] && fail "verilator -Wall ($t) printed: $(head -1 "$tmp/vl.log")"
    done
    iverilog -g2005 -Wall -o "$tmp/iv.out" -s "$top" -s "$probe" -s "$coproc" $(vfiles "$tmp/a") >"$tmp/iv.log" 2>&1 \
        || fail "iverilog -g2005 -Wall: $(head -1 "$tmp/iv.log")"
    [ -s "$tmp/iv.log" ] && fail "iverilog -g2005 -Wall printed: $(head -1 "$tmp/iv.log")"
    echo "$cfg: verilator -Wall and iverilog -g2005 -Wall clean ($top, $probe, $coproc)"
    ;;
synth)
    generate "$tmp/a"
    command -v yosys >/dev/null || skip "yosys not installed (make deps)"
    top=$(top_of "$tmp/a")
    # check -assert: no multiple drivers, undriven or looping logic; select
    # -assert-none: no latch cell of any kind survives synthesis
    yosys -q -l "$tmp/ys.log" -p "read_verilog $(vfiles "$tmp/a" | tr '\n' ' '); synth -top $top; check -assert; \
        select -assert-none t:\$*latch* t:\$_DLATCH* t:\$_SR_*; stat" \
        >/dev/null 2>&1 || fail "yosys synth/check -assert/no-latch assertion failed: $(grep -m1 -iE 'error|warning|assert' "$tmp/ys.log")"
    grep -q 'Latch inferred' "$tmp/ys.log" && fail "latch inferred: $(grep -m1 'Latch inferred' "$tmp/ys.log")"
    grep -qiE 'multiple (conflicting )?drivers|conflicting driver' "$tmp/ys.log" && fail "multiple drivers: $(grep -m1 -iE 'multiple|conflicting' "$tmp/ys.log")"
    grep -qi '^warning' "$tmp/ys.log" && fail "yosys warning: $(grep -m1 -i '^warning' "$tmp/ys.log")"
    cells=$(awk '/=== design hierarchy ===/{h=1} h && /Number of cells:/{print $4; exit}' "$tmp/ys.log")
    ffs=$(awk '/=== design hierarchy ===/{h=1} h && /\$_S?DFF/{s+=$2} END{print s+0}' "$tmp/ys.log")
    mkdir -p build/rtl-check
    cp "$tmp/ys.log" "build/rtl-check/${cfg}_yosys.log"
    echo "$cfg: yosys synth -top $top: ${cells:-?} cells (${ffs} flip-flops), no latches, check -assert clean"
    ;;
golden)
    [ -d "rtl_gen/golden/$cfg" ] || fail "no golden copy rtl_gen/golden/$cfg (make golden)"
    generate "$tmp/a"
    if ! diff -r "rtl_gen/golden/$cfg" "$tmp/a" >"$tmp/diff"; then
        head -40 "$tmp/diff"
        fail "the generated RTL of '$cfg' differs from rtl_gen/golden/$cfg (above); if the change is intended, run 'make golden' and commit rtl_gen/golden/$cfg with the generator change"
    fi
    echo "$cfg: generated output equals rtl_gen/golden/$cfg"
    ;;
guards)
    generate "$tmp/a"
    command -v iverilog >/dev/null || skip "iverilog not installed (make deps)"
    top=$(top_of "$tmp/a")
    lanes=$(sed -n 's/^#define [A-Z_]*LANES \([0-9]*\) .*/\1/p' "$tmp/a/${cfg}_params.h")
    accw=$(sed -n 's/^#define [A-Z_]*ACC_W \([0-9]*\) .*/\1/p' "$tmp/a/${cfg}_params.h")
    expect_stop() { # PARAM=VALUE, expected message
        iverilog -g2005 -o "$tmp/g.vvp" -s "$top" -P"$top.$1" $(vfiles "$tmp/a") >"$tmp/g.log" 2>&1 \
            || fail "iverilog -P$1 did not compile: $(head -1 "$tmp/g.log")"
        vvp -n "$tmp/g.vvp" >"$tmp/g.out" 2>&1
        grep -q "ERROR: .*$2" "$tmp/g.out" || fail "override $1 not stopped with '$2' (got: $(head -1 "$tmp/g.out"))"
    }
    expect_stop LANES=0 "parameter LANES = 0 is outside 1..64"
    expect_stop LANES=65 "parameter LANES = 65 is outside 1..64"
    expect_stop ACC_W=$((accw + 1)) "parameter ACC_W = $((accw + 1)), but the lanes were generated for ACC_W = $accw; regenerate"
    expect_stop J=64 "parameter J = 64, but the lanes were generated for J"
    other=$((lanes == 1 ? 2 : 1))
    iverilog -g2005 -Wall -o "$tmp/g.vvp" -s "$top" -P"$top.LANES=$other" $(vfiles "$tmp/a") >"$tmp/g.log" 2>&1 \
        || fail "legal override LANES=$other does not compile: $(head -1 "$tmp/g.log")"
    vvp -n "$tmp/g.vvp" >"$tmp/g.out" 2>&1
    [ -s "$tmp/g.out" ] && fail "legal override LANES=$other printed: $(head -1 "$tmp/g.out")"
    if command -v yosys >/dev/null; then
        yosys -p "read_verilog $(vfiles "$tmp/a" | tr '\n' ' '); chparam -set LANES 65 $top; hierarchy -check -top $top" \
            >"$tmp/y.log" 2>&1 && fail "yosys elaborated LANES=65"
        grep -q "ERROR_${top}_LANES_outside_1_to_64" "$tmp/y.log" || fail "yosys stopped LANES=65 without naming the rule: $(grep -m1 ERROR "$tmp/y.log")"
    fi
    echo "$cfg: illegal LANES/ACC_W/J overrides stop elaboration with their message; LANES=$other elaborates"
    ;;
sim)
    generate "$tmp/a"
    command -v iverilog >/dev/null || skip "iverilog not installed (make deps)"
    vec=build/bin/rtl_vectors
    [ -x "$vec" ] || fail "$vec missing (make build-rtl)"
    p="$tmp/a/${cfg}_params.h"
    def() { sed -n "s/^#define [A-Z_]*_$1 (\{0,1\}\(-\{0,1\}[0-9a-fx]*\)u\{0,1\})\{0,1\} .*/\1/p" "$p" | head -1; }
    J=$(def J); ACCW=$(def ACC_W); LAT=$(def LATENCY)
    lane=$(top_of "$tmp/a"); lane=${lane%engine}lane
    seed=${TEST_SEED:-$(date +%s)}
    echo "seed $seed (replay with TEST_SEED=$seed)"
    "$vec" --seed "$seed" --rows "${RTL_SIM_ROWS:-6}" --max-k "${RTL_SIM_MAXK:-80}" --j "$J" \
        --acc-w "$ACCW" --acc-lsb "$(def ACC_LSB)" --k-max "$(def K_MAX)" --wmask "$(def WFMT_MASK)" \
        --amask "$(def AFMT_MASK)" --ovp-first-high "$(def OVP_FIRST_HIGH)" \
        --stim "$tmp/stim.txt" --expect "$tmp/exp.txt" >"$tmp/vec.log" 2>&1 || fail "rtl_vectors: $(tail -1 "$tmp/vec.log")"
    iverilog -g2005 -o "$tmp/tb.vvp" -s tb_rtl_lane -Ptb_rtl_lane.J="$J" -Ptb_rtl_lane.ACC_W="$ACCW" \
        -Ptb_rtl_lane.LATENCY="$LAT" -DLANE="$lane" tests/rtl/tb_rtl_lane.v $(vfiles "$tmp/a") >"$tmp/iv.log" 2>&1 \
        || fail "iverilog: $(head -1 "$tmp/iv.log")"
    (cd "$tmp" && vvp -n tb.vvp) >"$tmp/sim.log" 2>&1
    cat "$tmp/vec.log" "$tmp/sim.log" | tail -12
    grep -q '^PASS' "$tmp/sim.log" || fail "$(grep -m1 -E '^FAIL|mismatch|X' "$tmp/sim.log")"
    ;;
*)
    fail "unknown check '$check' (gen, lint, synth, golden, guards, sim)"
    ;;
esac
echo "PASS $name"
