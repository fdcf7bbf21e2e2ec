#!/usr/bin/env bash
# sim/vip/mutants.sh - prove that the VIP's monitors (and the master's
# timeout) can fail: run the self-test bench on every deliberately broken
# fixture variant of the bank model (build/vip/bank/tb_vip, sim/vip/vip.mk)
# and require each to be reported by the check that its line in the
# BUG-TABLE of sim/vip/fixtures/vip_fix_top.v names ("[axil.b_early]" ...).
# Failing for another reason (e.g. only a data mismatch) is not enough.
# "xcheck" variants belong to the 4-state check (sim/vip/xcheck_test.sh).
#
# Ends with "PASS vip_mutants" (exit 0) or "FAIL vip_mutants: ..." naming
# every variant that was not caught (exit 1).  TEST_SEED replays a seed.
set -u
cd "$(dirname "$0")/../.."
name=vip_mutants
bin=build/vip/bank/tb_vip
table=sim/vip/fixtures/vip_fix_top.v
if [ ! -x "$bin" ]; then
    why=$(grep -m1 -E '%Error|error:|Error [0-9]|No rule' build/vip/bank/build.log 2>/dev/null)
    echo "FAIL $name: $bin was not built (${why:-run make vip}; log: build/vip/bank/build.log)"
    exit 1
fi
seed=${TEST_SEED:-$(date +%s)}
echo "seed $seed (replay with TEST_SEED=$seed)"
mkdir -p build/vip/mutants
missed="" n=0
while read -r _ _ bug vname rest; do
    tag=${rest##* }
    [ "$tag" = xcheck ] && continue
    n=$((n + 1))
    log=build/vip/mutants/$vname.log
    TEST_SEED=$seed "$bin" traffic "$bug" >"$log" 2>&1
    rc=$?
    if [ $rc -ne 0 ] && grep -qF "[$tag]" "$log"; then
        echo "caught  $bug $vname: [$tag] ($(grep -cF "[$tag]" "$log") reports)"
    else
        last=$(grep -E '^(FAIL|PASS)' "$log" | tail -1)
        echo "MISSED  $bug $vname: no [$tag] report (exit $rc; ${last:-no result line}; log: $log)"
        missed="$missed $vname"
    fi
done < <(grep -E '^// BUG-TABLE +[0-9]+ ' "$table")
if [ "$n" -eq 0 ]; then
    echo "FAIL $name: no variants found in $table (BUG-TABLE lines)"
    exit 1
fi
if [ -n "$missed" ]; then
    echo "FAIL $name: not caught:$missed (seed $seed)"
    exit 1
fi
echo "PASS $name: all $n broken variants caught"
