#!/usr/bin/env bash
# tests/model/host_errors.sh - the host backends' failures say what and
# where: a bad XDMA device path, a device that is not the configuration
# given, unknown or unsupported formats, the sim backend in a binary without
# a simulator, the emu backend without its emulator or without FUSE, and the
# emulator's own command line.
set -euo pipefail
NAME=host_errors
BIN=${1:?usage: host_errors.sh path/to/run_model}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"
need_bin "$BIN"
need_sim_bins "$SIM_BIN" "$EMU_BIN"
need_model

run_rm --model-dir "$MODEL_DIR" --backend xdma --xdma "$TMP/none/xdma0" --steps 1
expect_rc 1 "bad device path"
expect_err "cannot open $TMP/none/xdma0_user: No such file or directory" "bad device path"
expect_err "--xdma" "bad device path: names the option"

run_rm --model-dir "$MODEL_DIR" --backend sim --steps 1
expect_rc 1 "sim in the plain runner"
expect_err "no co-processor model linked in" "sim in the plain runner"

run_rm --wfmt int7
expect_rc 2 "--wfmt int7"
expect_err "unknown format 'int7'" "--wfmt int7"

run_rm --model-dir "$MODEL_DIR" --backend ref --wfmt ovp4 --afmt int16 --steps 1
expect_rc 1 "ovp4 x int16"
expect_err "does not compute ovp4 x int16" "ovp4 x int16"

run_rm --model-dir "$MODEL_DIR" --backend ref --config nosuch --steps 1
expect_rc 1 "--config nosuch"
expect_err "build/rtl/nosuch/nosuch_params.h" "--config nosuch"

# The simulated device is configuration all; told it is int, the runner
# refuses it from the CAP registers.
if [ -f build/rtl/int/int_params.h ]; then
    BIN=$SIM_BIN run_rm --model-dir "$MODEL_DIR" --backend sim --config int --steps 1
    expect_rc 1 "sim device vs --config int"
    expect_err "the device is not configuration 'int'" "sim device vs --config int"
fi

run_rm --model-dir "$MODEL_DIR" --backend emu --emu "$TMP/no_emu" --steps 1
expect_rc 1 "emu without its emulator"
if [ -c /dev/fuse ]; then expect_err "$TMP/no_emu is not there" "emu without its emulator"; fi

# FUSE unavailable: /dev hidden in a private mount namespace (root only).
if unshare --mount true 2>/dev/null; then
    set +e
    unshare --mount bash -c "mount -t tmpfs none /dev && exec \"$BIN\" --model-dir \"$MODEL_DIR\" --backend emu --emu \"$EMU_BIN\" --steps 1" >"$TMP/out" 2>"$TMP/err"
    RC=$?
    set -e
    expect_rc 1 "emu without /dev/fuse"
    expect_err "the emu backend needs FUSE, and /dev/fuse is not usable" "emu without /dev/fuse"
    set +e
    unshare --mount bash -c "mount -t tmpfs none /dev && exec \"$EMU_BIN\" \"$TMP\"" >"$TMP/out" 2>"$TMP/err"
    RC=$?
    set -e
    expect_rc 1 "xdma_emu without /dev/fuse"
    expect_err "/dev/fuse is not usable" "xdma_emu without /dev/fuse"
else
    echo "note: unshare --mount is not permitted here; the no-FUSE messages are not exercised"
fi

# The emulator's command line.
BIN=$EMU_BIN run_rm --help
expect_rc 0 "xdma_emu --help"
grep -q "usage: xdma_emu" "$TMP/out" || fail "xdma_emu --help prints no usage"
BIN=$EMU_BIN run_rm
expect_rc 2 "xdma_emu without a mount point"
expect_err "no MOUNTPOINT given" "xdma_emu without a mount point"
BIN=$EMU_BIN run_rm "$TMP/not-a-dir"
if [ -c /dev/fuse ]; then
    expect_rc 1 "xdma_emu on a missing directory"
    expect_err "is not a directory" "xdma_emu on a missing directory"
fi
pass
