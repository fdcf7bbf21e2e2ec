#!/usr/bin/env bash
# tests/model/host_sim_vs_ref.sh - end to end: tiny-llama on the sim backend
# (the Verilated co-processor of the default configuration, in-process)
# against the ref path (the same quantization, kernels_ref's bit-exact
# engine model) for several weight x activation format pairs: the same
# tokens, bit-identical logits at every position, the same text.  Also
# checks the run's report (simulated cycles, --compare agreement lines).
set -euo pipefail
NAME=host_sim_vs_ref
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"
need_sim_bins "$SIM_BIN"
need_model

# weight:activation:tokens - every family, 4/8/16-bit, MX block scales both
# sides, OVP pairs on both sides, mixed widths.
PAIRS="int8:int8:12 int4:int8:8 mxfp4:mxfp4:8 fp4:int4:8 posit8_0:posit8_0:8 ovp4:int8:8
       ovp8:ovp4:8 int16:posit16_1:8 posit4_1:mxfp4:8 ovp4f:fp4:8"
for p in $PAIRS; do
    IFS=: read -r wf af n <<<"$p"
    gen "$SIM_BIN" "ref-$wf-$af" ref "$wf" "$af" "$n"
    gen "$SIM_BIN" "sim-$wf-$af" sim "$wf" "$af" "$n"
    same "ref-$wf-$af" "sim-$wf-$af" "sim vs ref, $wf x $af, $n tokens"
    [ "$(wc -l <"$TMP/sim-$wf-$af.tokens")" = "$n" ] || fail "$wf x $af: expected $n tokens"
    grep -q "simulated [0-9]* cycles in jobs" "$TMP/sim-$wf-$af.err" ||
        fail "$wf x $af: the sim run reports no simulated cycles"
    echo "$wf x $af: $n tokens identical, logits bit-identical; $(grep -o '[0-9]* cycles per token' "$TMP/sim-$wf-$af.err")"
done

# The report of --compare on the same run: ref bit-identical everywhere,
# and an FP32 line (its agreement is reported, not asserted: it depends on
# the quantization, see docs/accuracy.md).
gen "$SIM_BIN" cmp sim int8 int8 8 --compare ref,fp32
grep -q "sim vs ref: 8/8 greedy tokens agree (same inputs), the greedy texts are identical; logits bit-identical at 8/8 positions" "$TMP/cmp.err" ||
    fail "--compare ref: $(grep 'vs ref' "$TMP/cmp.err")"
grep -q "sim vs fp32: [0-9]*/8 greedy tokens agree" "$TMP/cmp.err" || fail "--compare fp32 line missing"
grep "vs fp32" "$TMP/cmp.err" | sed 's/^run_model: //'
pass
