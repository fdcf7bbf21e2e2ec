#!/usr/bin/env bash
# tests/model/host_emu_vs_ref.sh - end to end through the XDMA emulator: the
# emu backend (the xdma backend's code on the device files that xdma_emu
# presents with the Verilated co-processor behind them) against the ref
# path: same tokens, bit-identical logits.  Skips without FUSE.
set -euo pipefail
NAME=host_emu_vs_ref
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"
need_sim_bins "$SIM_BIN" "$EMU_BIN"
need_model
need_fuse
export TMPDIR=$TMP # the backend's mount points go here, so leftovers are ours

for p in int8:int8:12 mxfp4:int4:8 posit8_0:ovp4:8; do
    IFS=: read -r wf af n <<<"$p"
    gen "$SIM_BIN" "ref-$wf-$af" ref "$wf" "$af" "$n"
    gen "$SIM_BIN" "emu-$wf-$af" emu "$wf" "$af" "$n" --emu "$EMU_BIN"
    same "ref-$wf-$af" "emu-$wf-$af" "emu vs ref, $wf x $af, $n tokens"
    grep -q "xdma_emu: unmounted after" "$TMP/emu-$wf-$af.err" || fail "$wf x $af: the emulator did not stop cleanly"
    ! grep -q "violation" "$TMP/emu-$wf-$af.err" || fail "$wf x $af: $(grep violation "$TMP/emu-$wf-$af.err")"
    echo "$wf x $af: $n tokens identical, logits bit-identical"
done
# nothing left mounted, no mount point left behind
! grep -qF "$TMP/" /proc/mounts || fail "an emulator mount is left: $(grep -F "$TMP/" /proc/mounts)"
! ls -d "$TMP"/npe-xdma-emu.* >/dev/null 2>&1 || fail "a mount point directory is left in \$TMPDIR"
pass
