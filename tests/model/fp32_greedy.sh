#!/usr/bin/env bash
# tests/model/fp32_greedy.sh BIN - the FP32 path against the known-good
# behaviour stated in ../shared/models/tiny-llama/NOTICE.md (independent of
# this code): greedy decoding from BOS starts with the sentence below and
# stops by sampling BOS after exactly 345 tokens.  Also checks that --steps
# cuts the same token sequence short.
set -euo pipefail
NAME=model_fp32_greedy
BIN=${1:?usage: fp32_greedy.sh path/to/run_model}
. "$(dirname "$0")/lib.sh"
need_bin "$BIN"
need_model

EXPECT_START="Once upon a time, there was a little girl named Lily. She loved to play outside in the park."
EXPECT_TOKENS=345 # text tokens before the model samples BOS (NOTICE.md)

run_rm --model-dir "$MODEL_DIR" --backend fp32 --temperature 0 --prompt-bos --steps 512 \
       --dump-tokens "$TMP/tokens"
expect_rc 0 "greedy run, 512 steps"
text=$(cat "$TMP/out")
case "$text" in
"$EXPECT_START"*) ;;
*) fail "text starts with \"${text:0:100}\", expected \"$EXPECT_START\"" ;;
esac
n=$(wc -l <"$TMP/tokens")
last=$(tail -n 1 "$TMP/tokens")
first_bos=$(grep -nx 1 "$TMP/tokens" | head -n 1 | cut -d: -f1 || true)
[ "$last" = 1 ] || fail "generation did not stop at BOS within 512 steps (last token $last, $n tokens)"
[ "$first_bos" = "$n" ] || fail "BOS sampled at token $first_bos but generation went on to $n"
[ "$n" = $((EXPECT_TOKENS + 1)) ] ||
    fail "the model sampled BOS after $((n - 1)) tokens, expected $EXPECT_TOKENS (NOTICE.md)"
expect_err "$EXPECT_TOKENS text tokens, then the model sampled BOS" "summary line"
expect_err "tokens/s" "timing line"
cp "$TMP/tokens" "$TMP/tokens512"

# The default --steps (64) gives the first 64 tokens of the same sequence.
run_rm --model-dir "$MODEL_DIR" --dump-tokens "$TMP/tokens"
expect_rc 0 "greedy run, default steps"
[ "$(wc -l <"$TMP/tokens")" = 64 ] || fail "default --steps: $(wc -l <"$TMP/tokens") tokens, expected 64"
head -n 64 "$TMP/tokens512" | cmp -s - "$TMP/tokens" ||
    fail "the 64-step run's tokens differ from the first 64 of the 512-step run"
expect_err "stopped by --steps" "default steps summary"
case "$(cat "$TMP/out")" in
"$EXPECT_START"*) ;;
*) fail "64-step text does not start with the expected sentence" ;;
esac
pass
