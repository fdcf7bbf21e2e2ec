# tests/model/lib.sh - shared helpers of the model runner's shell tests.
# Source it after setting NAME; every test ends with one PASS/FAIL/SKIP line.

MODEL_DIR=${MODEL_DIR:-../shared/models/tiny-llama}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/${NAME}.XXXXXX") || { echo "FAIL $NAME: mktemp failed"; exit 1; }
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT

fail() { echo "FAIL $NAME: $*"; exit 1; }
skip() { echo "SKIP $NAME: $*"; exit 77; }
pass() { echo "PASS $NAME"; exit 0; }

# need_bin BIN: the runner under test must exist.
need_bin() { [ -x "$1" ] || fail "$1 is not built (make build-tests; the top Makefile must include host/host.mk)"; }

# need_model: skip unless the real tiny-llama files are in MODEL_DIR.
need_model() {
    local f
    for f in stories260K.bin tok512.bin; do
        [ -f "$MODEL_DIR/$f" ] || skip "model file $MODEL_DIR/$f is absent (see ../shared/models/tiny-llama/NOTICE.md; set MODEL_DIR)"
    done
}

# run_rm ARGS...: runs $BIN, stdout -> $TMP/out, stderr -> $TMP/err, status -> $RC.
run_rm() {
    set +e
    "$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
    RC=$?
    set -e
}

# expect_rc WANT WHAT: $RC must be WANT.
expect_rc() {
    [ "$RC" = "$1" ] || fail "$2: exit status $RC, expected $1; stderr: $(tail -3 "$TMP/err" | tr '\n' ' ')"
}

# expect_err TEXT WHAT: stderr must contain TEXT (fixed string).
expect_err() {
    grep -qF -- "$1" "$TMP/err" || fail "$2: stderr lacks \"$1\"; stderr: $(tail -5 "$TMP/err" | tr '\n' ' ')"
}
