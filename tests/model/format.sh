#!/usr/bin/env bash
# tests/model/format.sh BIN - the checkpoint and tokenizer parsers on small
# synthetic models (made here, with their own SHA256SUMS, so that the
# checksum passes and the format checks are reached): a well-formed model
# with grouped-query attention runs, for both a shared and a separate
# classifier; files one float short or long, bad header fields, a versioned
# (ak42) export and inconsistent tokenizers are refused with a message
# naming the file and the problem.  Needs no real model files.
set -euo pipefail
NAME=model_format
BIN=${1:?usage: format.sh path/to/run_model}
. "$(dirname "$0")/lib.sh"
need_bin "$BIN"

# mk DIR DIM HIDDEN LAYERS HEADS KV_HEADS VOCAB SEQ [EXTRA_BYTES] [TOK_EXTRA]:
# a random llama2.c v0 checkpoint (VOCAB < 0: separate classifier) with
# EXTRA_BYTES appended (negative: cut), a tokenizer of |VOCAB| tokens with
# TOK_EXTRA bytes appended (negative: cut), and their SHA256SUMS.
mk() {
    mkdir -p "$1"
    python3 - "$@" <<'PY'
import random, struct, sys
d = sys.argv[1]
dim, hid, L, nh, nkv, vocab, seq = map(int, sys.argv[2:9])
extra = int(sys.argv[9]) if len(sys.argv) > 9 else 0
tok_extra = int(sys.argv[10]) if len(sys.argv) > 10 else 0
rng = random.Random(1)
hs = dim // nh if nh else 1
kv = hs * nkv
V = abs(vocab)
n = V * dim + L * dim + L * dim * dim + 2 * L * kv * dim + L * dim * dim + L * dim \
    + 3 * L * hid * dim + dim + seq * hs + (0 if vocab > 0 else V * dim)
data = struct.pack("<7i", dim, hid, L, nh, nkv, vocab, seq)
data += struct.pack("<%df" % n, *[rng.uniform(-0.5, 0.5) for _ in range(n)])
data = data + b"\0" * extra if extra >= 0 else data[:extra]
open(d + "/stories260K.bin", "wb").write(data)
tok = struct.pack("<i", 6)
for i in range(V):
    s = {0: b"<unk>", 1: b"\n<s>\n", 2: b"\n</s>\n", 3: b"<0x41>"}.get(i, b" w%d" % i)
    tok += struct.pack("<fi", -float(i), len(s)) + s
tok = tok + b"\0" * tok_extra if tok_extra >= 0 else tok[:tok_extra]
open(d + "/tok512.bin", "wb").write(tok)
PY
    (cd "$1" && sha256sum stories260K.bin tok512.bin >SHA256SUMS)
}

# Well-formed: GQA (4 query heads on 2 kv heads), odd sizes, both classifiers.
mk "$TMP/ok" 24 36 2 4 2 40 16
run_rm --model-dir "$TMP/ok" --steps 16 --dump-tokens "$TMP/tok"
expect_rc 0 "well-formed synthetic model (shared classifier)"
n=$(wc -l <"$TMP/tok")
[ "$n" -ge 1 ] && [ "$n" -le 16 ] || fail "synthetic model: $n tokens dumped"
# SHA256SUMS in binary-mode ("*name"), upper-case hex and CRLF is accepted.
(cd "$TMP/ok" && sha256sum -b stories260K.bin tok512.bin |
    awk '{ printf "%s %s\r\n", toupper($1), $2 }' >SHA256SUMS)
grep -q '^[0-9A-F]\{64\} \*stories260K.bin.$' "$TMP/ok/SHA256SUMS" || fail "test setup: SHA256SUMS format"
run_rm --model-dir "$TMP/ok" --steps 2
expect_rc 0 "SHA256SUMS with *names, upper-case hex, CRLF"
mk "$TMP/ok2" 24 36 2 4 2 -40 16
run_rm --model-dir "$TMP/ok2" --steps 40
expect_rc 0 "well-formed synthetic model (separate classifier)"
expect_err "using 16" "--steps above seq_len is capped"

# case DIR WHAT EXPECTED-TEXT...: the runner must refuse DIR with exit 1.
refused() {
    local dir=$1 what=$2
    shift 2
    run_rm --model-dir "$dir" --steps 2
    expect_rc 1 "$what"
    local s
    for s in "$@"; do expect_err "$s" "$what"; done
    [ ! -s "$TMP/out" ] || fail "$what: text was generated"
}

mk "$TMP/short" 24 36 2 4 2 40 16 -4
refused "$TMP/short" "checkpoint one float short" "$TMP/short/stories260K.bin: the header (dim 24" \
    "short by 4" "not a llama2.c v0 checkpoint"
mk "$TMP/long" 24 36 2 4 2 40 16 4
refused "$TMP/long" "checkpoint one float long" "long by 4"
mk "$TMP/sharedflip" 24 36 2 4 2 -40 16 -3840  # a wcls-less file claiming a separate one
refused "$TMP/sharedflip" "vocab sign: separate classifier missing" "short by 3840"

mk "$TMP/kv" 24 36 2 4 3 40 16
refused "$TMP/kv" "n_kv_heads not dividing n_heads" "n_kv_heads 3 must divide n_heads 4"
mk "$TMP/hs" 24 36 2 8 2 40 16
refused "$TMP/hs" "odd head size" "dim 24 must be n_heads 8 times an even head size"
mk "$TMP/dim0" 0 36 2 4 2 40 16
refused "$TMP/dim0" "dim 0" "header field 0 (dim) = 0 is out of range"
mk "$TMP/vocab0" 24 36 2 4 2 0 16
refused "$TMP/vocab0" "vocab_size 0" "header field 5 (vocab_size) = 0"

mkdir "$TMP/ak42"
printf 'ak42\002\0\0\0' >"$TMP/ak42/stories260K.bin"
head -c 300 /dev/zero >>"$TMP/ak42/stories260K.bin"
cp "$TMP/ok/tok512.bin" "$TMP/ak42/"
(cd "$TMP/ak42" && sha256sum stories260K.bin tok512.bin >SHA256SUMS)
refused "$TMP/ak42" "versioned export" "magic \"ak42\"" "legacy v0"

mkdir "$TMP/tiny"
head -c 10 /dev/zero >"$TMP/tiny/stories260K.bin"
cp "$TMP/ok/tok512.bin" "$TMP/tiny/"
(cd "$TMP/tiny" && sha256sum stories260K.bin tok512.bin >SHA256SUMS)
refused "$TMP/tiny" "10-byte checkpoint" "10 bytes, shorter than the 28-byte v0 header"

mk "$TMP/tokshort" 24 36 2 4 2 40 16 0 -3
refused "$TMP/tokshort" "tokenizer cut short" "$TMP/tokshort/tok512.bin: token 39 at offset 472" \
    "(max_token_length 6, 1 bytes left): corrupt tokenizer"
mk "$TMP/toklong" 24 36 2 4 2 40 16 0 5
refused "$TMP/toklong" "tokenizer with trailing bytes" "5 bytes follow token 39" \
    "does not match the checkpoint's vocab_size 40"
mk "$TMP/tokfew" 24 36 2 4 2 40 16 0 -60
refused "$TMP/tokfew" "tokenizer with too few tokens" "ends in token"
pass
