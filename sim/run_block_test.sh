#!/bin/sh
# sim/run_block_test.sh <config> <test> - run one block co-simulation test
# (tests/tests.list).  A configuration whose model did not build fails here
# with the reason instead of stopping `make test` for everyone.
cfg=$1 test=$2
bin=build/sim/$cfg/tb_npe
if [ ! -x "$bin" ]; then
    log=build/sim/$cfg/build.log
    why=$(grep -m1 -E '%Error|error:|Error [0-9]|No rule' "$log" 2>/dev/null)
    echo "FAIL sim_${cfg}_$test: $bin was not built (${why:-run make sim-blocks}; log: $log)"
    exit 1
fi
shift 2
exec "$bin" "$test" "$@"
