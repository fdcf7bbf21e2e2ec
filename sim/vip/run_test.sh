#!/bin/sh
# sim/vip/run_test.sh <model> <args...> - run the VIP self-test bench of one
# fixture model (build/vip/<model>/tb_vip, sim/vip/vip.mk) for
# tests/tests.list.  A model that did not build fails here with the reason
# instead of stopping `make test` for everyone.
model=$1
shift
bin=build/vip/$model/tb_vip
if [ ! -x "$bin" ]; then
    log=build/vip/$model/build.log
    why=$(grep -m1 -E '%Error|error:|Error [0-9]|No rule' "$log" 2>/dev/null)
    echo "FAIL vip_$model: $bin was not built (${why:-run make vip}; log: $log)"
    exit 1
fi
exec "$bin" "$@"
