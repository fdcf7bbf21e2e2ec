#!/usr/bin/env bash
# tests/model/cli.sh BIN - run_model's command line: --help, usage errors
# (unknown backend, option or temperature) and the message for missing
# model files.  Needs no model files.
set -euo pipefail
NAME=model_cli
BIN=${1:?usage: cli.sh path/to/run_model}
. "$(dirname "$0")/lib.sh"
need_bin "$BIN"

run_rm --help
expect_rc 0 "--help"
for opt in --model-dir --steps --backend --temperature --prompt-bos --dump-tokens fp32 ref sim xdma emu \
           --wfmt --afmt --config --xdma --emu --compare --dump-logits --sim-trace; do
    grep -qF -- "$opt" "$TMP/out" || fail "--help does not mention $opt"
done

run_rm --backend nope --model-dir "$TMP"
expect_rc 2 "--backend nope"
expect_err "unknown backend 'nope'; available: fp32, ref, sim, xdma, emu" "--backend nope"

run_rm --frobnicate
expect_rc 2 "unknown option"
expect_err "unknown option '--frobnicate'" "unknown option"

run_rm --temperature 0.8
expect_rc 2 "--temperature 0.8"
expect_err "only greedy decoding" "--temperature 0.8"

run_rm --steps 0
expect_rc 2 "--steps 0"
expect_err "expected a positive integer" "--steps 0"

run_rm --steps
expect_rc 2 "--steps without a value"
expect_err "--steps needs a value" "--steps without a value"

run_rm --compare ref,nope
expect_rc 2 "--compare ref,nope"
expect_err "--compare: unknown backend 'nope'" "--compare ref,nope"

run_rm --afmt float9
expect_rc 2 "--afmt float9"
expect_err "unknown format 'float9'; formats: int4" "--afmt float9"

# The accuracy tool beside it.
ACC=$(dirname "$BIN")/accuracy
if [ -x "$ACC" ]; then
    BIN=$ACC run_rm --help
    expect_rc 0 "accuracy --help"
    grep -qF -- "--pairs" "$TMP/out" || fail "accuracy --help does not mention --pairs"
    BIN=$ACC run_rm --pairs int8
    expect_rc 2 "accuracy --pairs int8"
    expect_err "'int8' is not w:a" "accuracy --pairs int8"
fi

# Missing files: say what is missing, where to get it and where to put it.
mkdir "$TMP/empty"
run_rm --model-dir "$TMP/empty"
expect_rc 1 "empty model dir"
for s in "$TMP/empty/stories260K.bin not found" "tinyllamas" "folder stories260K" \
         "stories260K.bin and tok512.bin" "$(cd "$TMP/empty" && pwd -P)" "--model-dir"; do
    expect_err "$s" "missing-files message"
done
[ ! -s "$TMP/out" ] || fail "missing files: text was printed"

# The tokenizer alone missing is named too.
touch "$TMP/empty/stories260K.bin"
run_rm --model-dir "$TMP/empty"
expect_rc 1 "missing tokenizer"
expect_err "$TMP/empty/tok512.bin not found" "missing tokenizer"

# MODEL_DIR in the environment is the default model directory.
set +e
MODEL_DIR="$TMP/nowhere" "$BIN" >"$TMP/out" 2>"$TMP/err"
RC=$?
set -e
expect_rc 1 "MODEL_DIR=nowhere"
expect_err "$TMP/nowhere/stories260K.bin not found" "MODEL_DIR from the environment"
pass
