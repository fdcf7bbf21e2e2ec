#!/usr/bin/env bash
# tests/rtl/test_cli.sh - rtl_gen's parameter handling: every invalid
# combination is refused (exit 2) with a message naming the parameter, the
# value and the rule, and nothing is written; legal edge cases are accepted;
# the command line overrides the config file; --help documents every
# parameter with its range and default.
set -uo pipefail
cd "$(dirname "$0")/../.."
name=rtl_gen_cli
gen=build/bin/rtl_gen
fails=0
first=""
fail() {
    echo "  FAILED: $*"
    fails=$((fails + 1))
    [ -n "$first" ] || first="$*"
}
[ -x "$gen" ] || { echo "FAIL $name: $gen missing (make build-rtl)"; exit 1; }
mkdir -p build/tmp
tmp=$(mktemp -d build/tmp/rtl-cli.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# refuse "message fragment" args... : must exit 2, print the fragment, write nothing
refuse() {
    local want=$1
    shift
    local out="$tmp/out$RANDOM"
    "$gen" --out "$out" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    local rc=$?
    if [ $rc -ne 2 ]; then
        fail "rtl_gen $* exited $rc, expected 2"
    elif ! grep -qF -- "$want" "$tmp/stderr"; then
        fail "rtl_gen $*: expected message containing '$want', got '$(cat "$tmp/stderr")'"
    elif [ -e "$out" ]; then
        fail "rtl_gen $*: refused but created $out"
    else
        echo "  ok: refused $* : $(cat "$tmp/stderr")"
    fi
}
accept() {
    local out="$tmp/acc$RANDOM"
    if "$gen" --out "$out" "$@" >"$tmp/stdout" 2>"$tmp/stderr"; then
        if ls "$out" | grep -q '\.tmp'; then fail "rtl_gen $* left temporary files"; fi
        echo "  ok: accepted $*"
    else
        fail "rtl_gen $* refused: $(cat "$tmp/stderr")"
    fi
}

echo "invalid parameters and combinations:"
refuse "--stream-width 100: must be a multiple of 16*lanes = 64" --stream-width 100
refuse "--stream-width 192: must be a multiple of 16*lanes = 128" --lanes 8 --stream-width 192
refuse "--stream-width '32': must be an integer in 64..512" --stream-width 32
refuse "--stream-width '1024': must be an integer in 64..512" --stream-width 1024
refuse "--lanes '0': must be an integer in 1..64" --lanes 0
refuse "--result-depth '1': must be an integer in 2..15" --result-depth 1
refuse "--result-depth '16': must be an integer in 2..15" --result-depth 16
refuse "--lanes '65': must be an integer in 1..64" --lanes 65
refuse "--lanes 'four': must be an integer in 1..64" --lanes four
refuse "--acc-w '1': must be an integer in 2..248" --acc-w 1
refuse "--acc-w '249': must be an integer in 2..248" --acc-w 249
refuse "--acc-lsb '151': must be an integer in -150..150" --acc-lsb 151
refuse "--k-max '0': must be an integer in 1..65536" --k-max 0
refuse "--k-max '65537': must be an integer in 1..65536" --k-max 65537
refuse "MX formats need J*P to divide the block size 32, but J = 16 and the pair mxfp4 x int4 runs P = 4 elements per unit (J*P = 64)" \
    --wfmts mxfp4 --afmts int4 --lanes 2 --stream-width 512
refuse "MX formats need J*P to divide the block size 32, but J = 6 and the pair int8 x mxfp4 runs P = 2" \
    --wfmts int8 --afmts mxfp4 --lanes 1 --stream-width 96
refuse "--stream-width 512: must be a multiple of 16*lanes = 1024" --lanes 64 --stream-width 512
refuse "--wfmts: unknown format 'int5'" --wfmts int4,int5
refuse "--afmts: format 'int8' listed twice" --afmts int8,int8
refuse "no supported format pair (an OVP format cannot pair with a 16-bit format" --wfmts ovp4,ovp8 --afmts int16
refuse "--ovp-nibble-order 'middle': must be first-low or first-high" --ovp-nibble-order middle
refuse "--pipeline: unknown register stage 'mul'" --pipeline dec,mul
refuse "--pipeline scale: the scale stage exists only when an MX format" --wfmts int8 --afmts int8 --pipeline scale
refuse "--isolate 'maybe': must be on or off" --isolate maybe
refuse "--name '9lives': must match [A-Za-z_][A-Za-z0-9_]*" --name 9lives
refuse "--prefix 'my-npe': must be empty or match" --prefix my-npe
refuse "unknown option --lane" --lane 4
refuse "--config $tmp/none.cfg: cannot open" --config "$tmp/none.cfg"
printf 'lanes = 4\nstream-width 64\n' >"$tmp/bad1.cfg"
refuse "$tmp/bad1.cfg:2: expected \`key = value\`" --config "$tmp/bad1.cfg"
printf '# comment\nlanes = 4\ncolour = blue\n' >"$tmp/bad2.cfg"
refuse "$tmp/bad2.cfg:3: colour: unknown parameter" --config "$tmp/bad2.cfg"
printf 'lanes = 3\nstream-width = 64\n' >"$tmp/bad3.cfg"
refuse "--stream-width 64: must be a multiple of 16*lanes = 48" --config "$tmp/bad3.cfg"

echo "legal edge cases:"
accept --acc-w 2 --acc-lsb 0            # narrower than one product: saturates
accept --acc-w 248 --acc-lsb -150
accept --result-depth 15                 # CAP_MISC[27:24]
accept --result-depth 2
accept --lanes 1 --stream-width 512 --wfmts int8 --afmts int8
accept --lanes 32 --stream-width 512 --wfmts posit16_1 --afmts int4 --k-max 1
accept --wfmts mxfp4 --afmts int4 --lanes 1 --stream-width 128   # J*P = 32
accept --prefix "" --name empty_prefix

echo "the command line overrides the config file; the stamp omits --out:"
printf 'lanes = 4\nstream-width = 128\nwfmts = int8\nafmts = int8\n' >"$tmp/ok.cfg"
"$gen" --config "$tmp/ok.cfg" --lanes 2 --out "$tmp/ovr" >/dev/null 2>&1 || fail "override run failed"
grep -q '"lanes": 2,' "$tmp/ovr/ok_manifest.json" || fail "--lanes 2 did not override the file's lanes = 4"
grep -q '^#define NPE_J 4 ' "$tmp/ovr/ok_params.h" || fail "J should be 128/(16*2) = 4"
grep -q "^// Command: rtl_gen --config $tmp/ok.cfg --lanes 2\$" "$tmp/ovr/npe_engine.v" \
    || fail "stamp should be 'rtl_gen --config $tmp/ok.cfg --lanes 2', got '$(grep -m1 Command: "$tmp/ovr/npe_engine.v")'"

echo "--help documents every parameter with its range and default:"
"$gen" --help >"$tmp/help" || fail "--help failed"
for opt in config name out prefix lanes stream-width wfmts afmts k-max acc-w acc-lsb \
    ovp-nibble-order ovp-policy pipeline isolate; do
    grep -q -- "--$opt " "$tmp/help" || fail "--help does not list --$opt"
done
[ "$(grep -c '^ *range: ' "$tmp/help")" -ge 15 ] || fail "--help lacks a range line per parameter"
[ "$(grep -c 'default:' "$tmp/help")" -ge 15 ] || fail "--help lacks a default per parameter"
grep -q "posit16_1" "$tmp/help" || fail "--help does not list the formats"

if [ $fails -ne 0 ]; then
    echo "FAIL $name: $fails check(s) failed; first: $first"
    exit 1
fi
echo "PASS $name"
