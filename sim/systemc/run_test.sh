#!/bin/sh
# sim/systemc/run_test.sh <name> <config> <program> <args...> - run one
# SystemC test of tests/tests.list: build/systemc/<config>/<program> <args>.
# A configuration whose model did not build fails here with the reason
# instead of stopping `make test` (sim/systemc/systemc.mk).
name=$1 cfg=$2 prog=$3
shift 3
bin=build/systemc/$cfg/$prog
if [ ! -x "$bin" ]; then
    log=build/systemc/$cfg/build.log
    [ -f build/systemc/vlrt/libvlrt.a ] || log=build/systemc/vlrt.log
    why=$(grep -m1 -E '%Error|error:|Error [0-9]|No rule' "$log" 2>/dev/null)
    echo "FAIL $name: $bin was not built (${why:-run make systemc}; log: $log)"
    exit 1
fi
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 exec "$bin" "$@"
