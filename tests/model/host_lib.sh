# tests/model/host_lib.sh - helpers of the host backend tests (after lib.sh).

# The default configuration's runner with the sim backend and its emulator
# (host/host.mk: build/host/<cfg>/).
HOST_CFG=${HOST_CFG:-all}
SIM_BIN=${SIM_BIN:-build/host/$HOST_CFG/run_model}
EMU_BIN=${EMU_BIN:-build/host/$HOST_CFG/xdma_emu}

need_sim_bins() {
    local b
    for b in "$@"; do
        [ -x "$b" ] || fail "$b is not built (make host-sim-test; logs: build/host/build*.log)"
    done
}

# need_fuse: skip unless FUSE can be used here.
need_fuse() {
    [ -c /dev/fuse ] || skip "/dev/fuse is absent: FUSE is unavailable on this machine"
    command -v fusermount3 >/dev/null || skip "fusermount3 is not installed (make deps installs fuse3)"
}

# gen BIN TAG BACKEND WFMT AFMT STEPS [ARGS...]: a run whose tokens, logits,
# text and stderr land in $TMP/TAG.{tokens,logits,out,err}; fails unless it
# exits 0.
gen() {
    local bin=$1 tag=$2 be=$3 wf=$4 af=$5 n=$6
    shift 6
    set +e
    "$bin" --model-dir "$MODEL_DIR" --config "$HOST_CFG" --backend "$be" --wfmt "$wf" --afmt "$af" \
        --steps "$n" --dump-tokens "$TMP/$tag.tokens" --dump-logits "$TMP/$tag.logits" "$@" \
        >"$TMP/$tag.out" 2>"$TMP/$tag.err"
    local rc=$?
    set -e
    [ $rc = 0 ] || fail "$be $wf x $af ($tag): exit status $rc: $(tail -3 "$TMP/$tag.err" | tr '\n' ' ')"
}

# same A B WHAT: runs A and B gave the same tokens, bit-identical logits and
# the same text.
same() {
    cmp -s "$TMP/$1.tokens" "$TMP/$2.tokens" ||
        fail "$3: tokens differ ($1: $(tr '\n' ' ' <"$TMP/$1.tokens" | cut -c1-80); $2: $(tr '\n' ' ' <"$TMP/$2.tokens" | cut -c1-80))"
    local n
    n=$(stat -c %s "$TMP/$1.logits")
    [ "$n" -gt 0 ] || fail "$3: no logits were written"
    cmp -s "$TMP/$1.logits" "$TMP/$2.logits" ||
        fail "$3: logits are not bit-identical (first difference: $(cmp "$TMP/$1.logits" "$TMP/$2.logits" | head -1))"
    cmp -s "$TMP/$1.out" "$TMP/$2.out" || fail "$3: the texts differ"
}

# emu_mount DIR: starts the emulator on DIR (background, pid in EMU_PID) and
# waits for its files.
emu_mount() {
    "$EMU_BIN" "$@" >"$TMP/emu.log" 2>&1 &
    EMU_PID=$!
    local dir=${*: -1} i
    for i in $(seq 1 300); do
        [ -e "$dir/xdma0_user" ] && return 0
        kill -0 "$EMU_PID" 2>/dev/null || fail "xdma_emu exited before mounting: $(tail -3 "$TMP/emu.log" | tr '\n' ' ')"
        sleep 0.1
    done
    fail "xdma_emu did not mount $dir within 30 s"
}

# emu_umount DIR: unmounts and waits for the emulator; its exit status in EMU_RC.
emu_umount() {
    fusermount3 -u "$1" 2>/dev/null || true
    set +e
    wait "$EMU_PID"
    EMU_RC=$?
    set -e
    EMU_PID=
}
