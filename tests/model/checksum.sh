#!/usr/bin/env bash
# tests/model/checksum.sh BIN - the runner refuses model files that do not
# match their published SHA-256, naming the file and both hashes: a
# transposed look-alike of stories260K.bin (same size and header, wq
# transposed: the kind of copy NOTICE.md warns about) and a tokenizer with
# one byte changed; with no SHA256SUMS in the directory it falls back to the
# built-in published checksums.  The real files are linked, never copied,
# and the look-alike lives in a temporary directory.
set -euo pipefail
NAME=model_checksum
BIN=${1:?usage: checksum.sh path/to/run_model}
. "$(dirname "$0")/lib.sh"
need_bin "$BIN"
need_model
[ -f "$MODEL_DIR/SHA256SUMS" ] || skip "$MODEL_DIR/SHA256SUMS is absent"
real=$(cd "$MODEL_DIR" && pwd -P)
want_ckpt=$(awk '$2 ~ /stories260K.bin$/ {print $1}' "$real/SHA256SUMS")
want_tok=$(awk '$2 ~ /tok512.bin$/ {print $1}' "$real/SHA256SUMS")

# The look-alike: every layer's wq (dim x dim) transposed.
mkdir "$TMP/lookalike"
python3 - "$real/stories260K.bin" "$TMP/lookalike/stories260K.bin" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
dim, hidden, layers, heads, kv_heads, vocab, seq = struct.unpack_from("<7i", data, 0)
off = 28 + 4 * (abs(vocab) * dim + layers * dim)  # skip token_embedding, rms_att
for l in range(layers):
    base = off + 4 * l * dim * dim
    m = [data[base + 4 * i: base + 4 * i + 4] for i in range(dim * dim)]
    for r in range(dim):
        for c in range(dim):
            data[base + 4 * (r * dim + c): base + 4 * (r * dim + c) + 4] = m[c * dim + r]
open(sys.argv[2], "wb").write(data)
PY
ln -s "$real/tok512.bin" "$TMP/lookalike/tok512.bin"
cp "$real/SHA256SUMS" "$TMP/lookalike/SHA256SUMS"
[ "$(stat -c %s "$TMP/lookalike/stories260K.bin")" = "$(stat -c %s "$real/stories260K.bin")" ] ||
    fail "test setup: the look-alike's size differs"
got=$(sha256sum "$TMP/lookalike/stories260K.bin" | cut -d' ' -f1)
[ "$got" != "$want_ckpt" ] || fail "test setup: the look-alike has the published hash"

run_rm --model-dir "$TMP/lookalike" --steps 4
expect_rc 1 "transposed look-alike"
for s in "$TMP/lookalike/stories260K.bin: SHA-256 mismatch" "expected $want_ckpt" \
         "actual   $got" "refusing"; do
    expect_err "$s" "look-alike refusal"
done
[ ! -s "$TMP/out" ] || fail "look-alike: text was generated"

# Without SHA256SUMS the built-in published checksum refuses it too.
rm "$TMP/lookalike/SHA256SUMS"
run_rm --model-dir "$TMP/lookalike" --steps 4
expect_rc 1 "look-alike, no SHA256SUMS"
expect_err "expected $want_ckpt (the published checksum built into run_model)" "built-in checksum"
expect_err "actual   $got" "built-in checksum"

# The real files without SHA256SUMS: accepted through the built-in sums.
mkdir "$TMP/nosums"
ln -s "$real/stories260K.bin" "$real/tok512.bin" "$TMP/nosums/"
run_rm --model-dir "$TMP/nosums" --steps 4
expect_rc 0 "real files, no SHA256SUMS"
expect_err "published checksum built in" "note about the built-in checksums"

# A tokenizer with one byte changed (a score's low byte).
mkdir "$TMP/badtok"
ln -s "$real/stories260K.bin" "$TMP/badtok/"
cp "$real/SHA256SUMS" "$TMP/badtok/"
python3 -c '
import sys; d = bytearray(open(sys.argv[1], "rb").read()); d[4] ^= 1
open(sys.argv[2], "wb").write(d)' "$real/tok512.bin" "$TMP/badtok/tok512.bin"
got=$(sha256sum "$TMP/badtok/tok512.bin" | cut -d' ' -f1)
run_rm --model-dir "$TMP/badtok" --steps 4
expect_rc 1 "modified tokenizer"
expect_err "$TMP/badtok/tok512.bin: SHA-256 mismatch" "modified tokenizer"
expect_err "expected $want_tok" "modified tokenizer"
expect_err "actual   $got" "modified tokenizer"

# A SHA256SUMS that does not list the file.
mkdir "$TMP/unlisted"
ln -s "$real/stories260K.bin" "$real/tok512.bin" "$TMP/unlisted/"
grep -v tok512.bin "$real/SHA256SUMS" >"$TMP/unlisted/SHA256SUMS"
run_rm --model-dir "$TMP/unlisted" --steps 4
expect_rc 1 "SHA256SUMS without tok512.bin"
expect_err "SHA256SUMS lists no checksum for tok512.bin" "unlisted file"
pass
