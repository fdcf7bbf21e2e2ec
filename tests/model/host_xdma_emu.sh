#!/usr/bin/env bash
# tests/model/host_xdma_emu.sh - the xdma backend of the plain runner
# (build/bin/run_model, no simulator linked) against the XDMA emulator
# started by hand, and the emulator's device-file semantics (those of the
# XDMA driver, see host/xdma_emu.c): 4-byte register access at 4-aligned
# offsets (EPROTO otherwise), H2C writes of whole beats only (EINVAL),
# C2H reads that time out (ETIMEDOUT) when no result comes, the ID register.
# Skips without FUSE.
set -euo pipefail
NAME=host_xdma_emu
BIN=${1:?usage: host_xdma_emu.sh path/to/run_model}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"
need_bin "$BIN"
need_sim_bins "$SIM_BIN" "$EMU_BIN"
need_model
need_fuse
EMU_PID=
D="$TMP/dev"
mkdir "$D"
trap '[ -z "$EMU_PID" ] || { fusermount3 -u "$D" 2>/dev/null; wait "$EMU_PID"; }; rm -rf "$TMP"' EXIT

emu_mount --timeout-ms 300 "$D"
for f in xdma0_user xdma0_h2c_0 xdma0_c2h_0; do [ -e "$D/$f" ] || fail "$D/$f is missing"; done

# The device files, as a user program sees them.
python3 - "$D/xdma0" <<'PY' || fail "device-file semantics (above)"
import errno, os, struct, sys
p = sys.argv[1]
u = os.open(p + "_user", os.O_RDWR)
def rd(off): return struct.unpack("<I", os.pread(u, 4, off))[0]
bad = []
if rd(0) != 0x4E504531: bad.append("ID reads 0x%08x, expected 0x4E504531" % rd(0))
try:
    os.pread(u, 4, 2); bad.append("unaligned register read succeeded")
except OSError as e:
    if e.errno != errno.EPROTO: bad.append("unaligned read: %s, expected EPROTO" % e)
os.pwrite(u, struct.pack("<I", 0x1234), 0x30)          # ROWS
if rd(0x30) != 0x1234: bad.append("ROWS write/read back: 0x%x" % rd(0x30))
os.pwrite(u, struct.pack("<I", 0), 0x30)
geom = rd(0x10); beat = (geom >> 16) // 8
h = os.open(p + "_h2c_0", os.O_WRONLY)
try:
    os.pwrite(h, b"\0" * (beat + 1), 0); bad.append("h2c write of a partial beat succeeded")
except OSError as e:
    if e.errno != errno.EINVAL: bad.append("partial beat: %s, expected EINVAL" % e)
c = os.open(p + "_c2h_0", os.O_RDONLY)
try:
    os.pread(c, beat, 0); bad.append("c2h read with no job returned data")
except OSError as e:
    if e.errno != errno.ETIMEDOUT: bad.append("c2h read with no job: %s, expected ETIMEDOUT" % e)
for b in bad: print("semantics:", b)
sys.exit(1 if bad else 0)
PY

# The generic runner's xdma backend on the emulator's files vs ref.
for p in int8:int8:10 ovp4:mxfp4:6; do
    IFS=: read -r wf af n <<<"$p"
    gen "$BIN" "ref-$wf-$af" ref "$wf" "$af" "$n"
    gen "$BIN" "xdma-$wf-$af" xdma "$wf" "$af" "$n" --xdma "$D/xdma0"
    same "ref-$wf-$af" "xdma-$wf-$af" "xdma (emulated) vs ref, $wf x $af"
    grep -q "device: busy [0-9]* cycles" "$TMP/xdma-$wf-$af.err" || fail "no device counters reported"
    echo "$wf x $af: $n tokens identical, logits bit-identical"
done

emu_umount "$D"
[ "$EMU_RC" = 0 ] || fail "xdma_emu exited with $EMU_RC after the unmount: $(tail -3 "$TMP/emu.log" | tr '\n' ' ')"
grep -q "unmounted after" "$TMP/emu.log" || fail "xdma_emu printed no summary"
! grep -q violation "$TMP/emu.log" || fail "$(grep violation "$TMP/emu.log")"
pass
