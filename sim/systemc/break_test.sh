#!/bin/sh
# sim/systemc/break_test.sh <config> - the SystemC checks can fail: each
# SC_BREAK (sc_check.h) breaks one check on purpose, and the test bench
# (tb_sc jobs) and the TLM example (tlm_example check) must then fail with
# that check's message.  The monitors' rules are proven by sc_monitor_test.
cfg=$1
dir=build/systemc/$cfg
for p in tb_sc tlm_example; do
    if [ ! -x "$dir/$p" ]; then
        echo "FAIL sc_${cfg}_breaks: $dir/$p was not built (log: $dir/build.log)"
        exit 1
    fi
done
bad=0
run() { # <break> <expected message> <program> <test>
    out=$(SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 SC_BREAK=$1 COPROC_JOBS=5 TLM_JOBS=5 TEST_SEED=1 \
          "$dir/$3" "$4" 2>&1)
    rc=$?
    if [ $rc -eq 1 ] && echo "$out" | grep -q "^FAIL.*$2"; then
        echo "caught  SC_BREAK=$1 $3 $4"
    else
        echo "MISSED  SC_BREAK=$1 $3 $4 (exit $rc): $(echo "$out" | tail -1)"
        bad=$((bad + 1))
    fi
}
run result 'row 0: got' tb_sc jobs
run cycles 'cycles (ideal stream)' tb_sc jobs
run result 'row 0: got' tlm_example check
run cycles ': cycles: got' tlm_example check
if [ $bad -ne 0 ]; then
    echo "FAIL sc_${cfg}_breaks: $bad broken check(s) not caught"
    exit 1
fi
echo "PASS sc_${cfg}_breaks"
