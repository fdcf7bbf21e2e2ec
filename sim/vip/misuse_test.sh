#!/usr/bin/env bash
# sim/vip/misuse_test.sh - the VIP's own rules can fail: a bench that moves
# the clock with a bare tick() (bare_tick) and one that never resets the DUT
# (no_reset) must each FAIL, reported by every monitor of the fixture model
# (one AXI4-Lite, two AXI4-Stream): [axil.unsampled] and 2 x [axis.unsampled],
# [axil.no_reset] and 2 x [axis.no_reset].  Correct benches that never trip
# these rules are every other VIP and co-processor test.
set -u
cd "$(dirname "$0")/../.."
name=vip_misuse
bin=build/vip/fix/tb_vip
if [ ! -x "$bin" ]; then
    echo "FAIL $name: $bin was not built (make vip; log: build/vip/fix/build.log)"
    exit 1
fi
mkdir -p build/vip/misuse
for how in bare_tick no_reset; do
    rule=${how/bare_tick/unsampled}
    log=build/vip/misuse/$how.log
    "$bin" misuse "$how" > "$log" 2>&1
    rc=$?
    nl=$(grep -v "^FAIL" "$log" | grep -cF "[axil.$rule]")
    ns=$(grep -v "^FAIL" "$log" | grep -cF "[axis.$rule]")
    if [ $rc -eq 0 ] || [ "$nl" -lt 1 ] || [ "$ns" -lt 2 ]; then
        echo "FAIL $name: $how: exit $rc, $nl [axil.$rule] and $ns [axis.$rule] reports (want 1 and 2; log: $log)"
        exit 1
    fi
    echo "caught $how: [axil.$rule] x $nl, [axis.$rule] x $ns"
done
echo "PASS $name"
