#!/usr/bin/env bash
# sim/vip/xcheck_test.sh fixtures|coproc - the 4-state reset check
# (sim/vip/xcheck.py, Icarus) as tests of tests/tests.list.
#
#   fixtures  vip_xcheck_fixtures: the fixtures are clean under iverilog -Wall,
#             the correct fixture (vip_fix_top) must pass,
#             and its variant with an unreset BVALID register (BUG 12 in
#             vip_fix_top.v's table) must be reported with s_axil_bvalid X
#   coproc    vip_xcheck_coproc: the co-processor npe_coproc of the `all`
#             configuration (build/rtl/all/, make rtl): every VALID output
#             and `interrupt` a known 0 during and after reset, every output
#             known after it; SKIP until rtl_gen emits npe_coproc.v
set -uo pipefail
cd "$(dirname "$0")/../.."
what=${1:?usage: xcheck_test.sh fixtures|coproc}
name=vip_xcheck_$what
fx=sim/vip/fixtures
fixtures="$fx/vip_axil_regs.v $fx/vip_axis_fifo.v $fx/vip_fix_top.v"
case $what in
fixtures)
    # The fixtures are lint-clean for Icarus too (Verilator's -Wall is part
    # of their model build, sim/vip/vip.mk).
    for top in vip_fix_top vip_bank_top; do
        lint=$(iverilog -g2005 -Wall -o /dev/null -s $top $fixtures $fx/vip_bank_top.v 2>&1)
        [ -z "$lint" ] || { echo "$lint"; echo "FAIL $name: iverilog -Wall warns on $top: $(head -1 <<<"$lint")"; exit 1; }
    done
    out=$(python3 sim/vip/xcheck.py --name "${name}_good" --top vip_fix_top -P DATA_W=40 $fixtures)
    echo "$out"
    last=$(tail -1 <<<"$out")
    [[ $last == PASS* ]] || { echo "FAIL $name: the correct fixture failed the check: $last"; exit 1; }
    bug=$(sed -n 's|^// BUG-TABLE *\([0-9]*\) *bvalid_unreset .*xcheck$|\1|p' $fx/vip_fix_top.v)
    [ -n "$bug" ] || { echo "FAIL $name: no bvalid_unreset xcheck variant in $fx/vip_fix_top.v's BUG-TABLE"; exit 1; }
    out=$(python3 sim/vip/xcheck.py --name "${name}_bug$bug" --top vip_fix_top -P DATA_W=40 -P BUG="$bug" $fixtures)
    echo "$out"
    last=$(tail -1 <<<"$out")
    if [[ $last == FAIL*s_axil_bvalid* ]]; then
        echo "PASS $name: the correct fixture passes, the unreset BVALID (BUG $bug) is caught"
    else
        echo "FAIL $name: the unreset BVALID variant (BUG $bug) was not reported: $last"
        exit 1
    fi
    ;;
coproc)
    rtl=build/rtl/all
    [ -f "$rtl/npe_coproc.v" ] || { echo "SKIP $name: $rtl/npe_coproc.v not generated (rtl_gen's co-processor, issue 5; make rtl)"; exit 77; }
    grep -qx 'npe_coproc.v' "$rtl/all.f" || { echo "FAIL $name: $rtl/all.f does not list npe_coproc.v"; exit 1; }
    python3 sim/vip/xcheck.py --name "$name" --top npe_coproc -f "$rtl/all.f" --zero 'valid$|^interrupt$'
    ;;
*)
    echo "FAIL $name: unknown check '$what' (fixtures or coproc)"; exit 1 ;;
esac
