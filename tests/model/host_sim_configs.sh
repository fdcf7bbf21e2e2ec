#!/usr/bin/env bash
# tests/model/host_sim_configs.sh - the sim backend on every other
# co-processor configuration (their own geometry, accumulator and, for ovp,
# the first-high OVP nibble order) against the ref path of the same
# configuration: same tokens, bit-identical logits, one pair each.
set -euo pipefail
NAME=host_sim_configs
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"
need_model

# config:weights:activations (formats those configurations enable)
for p in int:int4:int16 fp4mx:fp4:mxfp4 posit:posit16_1:posit4_1 ovp:ovp4:int8; do
    IFS=: read -r cfg wf af <<<"$p"
    bin=build/host/$cfg/run_model
    need_sim_bins "$bin"
    HOST_CFG=$cfg gen "$bin" "ref-$cfg" ref "$wf" "$af" 6
    HOST_CFG=$cfg gen "$bin" "sim-$cfg" sim "$wf" "$af" 6
    same "ref-$cfg" "sim-$cfg" "configuration $cfg, $wf x $af"
    echo "$cfg: $wf x $af: 6 tokens identical, logits bit-identical; $(grep -o '[0-9]* cycles per token' "$TMP/sim-$cfg.err")"
done
pass
