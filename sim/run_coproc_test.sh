#!/bin/sh
# sim/run_coproc_test.sh <config> <test> [env...] - run one co-processor
# co-simulation test (tests/tests.list).  A configuration whose model did
# not build fails here with the reason instead of stopping `make test`.
cfg=$1 test=$2
bin=build/sim/$cfg/tb_coproc
if [ ! -x "$bin" ]; then
    log=build/sim/$cfg/coproc.log
    why=$(grep -m1 -E '%Error|error:|Error [0-9]|No rule' "$log" 2>/dev/null)
    echo "FAIL coproc_${cfg}_$test: $bin was not built (${why:-run make sim-coproc}; log: $log)"
    exit 1
fi
exec "$bin" "$test"
