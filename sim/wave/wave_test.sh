#!/bin/sh
# sim/wave/wave_test.sh <config> - the wave_view test (tests/tests.list):
# the waveform path of `make wave` / `make wave-png` (sim/wave/wave.mk) on
# the traced co-processor model of <config> (built by `make test`'s
# wave-test-build; a build failure fails here with the reason).
#
#  1. tb_coproc jobs (2 jobs, seed 13) with +trace writes an FST;
#  2. gtkw_gen.py gen writes its view; the window must be a job (the
#     accept edge was found after the reset);
#  3. gtkw_gen.py check: every signal the view references is in the dump,
#     every group has signals, every promised signal (REQUIRED) is there;
#  4. the check can fail: a view naming a signal that is not in the dump,
#     and a view without the control group, must both be rejected;
#  5. GTKWave itself (headless, xvfb-run) loads every trace of the view and
#     renders a PNG.  Skipped (with a note) if xvfb-run or gtkwave is missing.
cfg=${1:-int}
name=wave_view_$cfg
bin=build/sim/$cfg-trace/tb_coproc
log=build/waves/test-build.log
dir=build/waves/test-$cfg
fail() { echo "FAIL $name: $*"; exit 1; }

if [ ! -x "$bin" ]; then
    why=$(grep -m1 -E '%Error|error:|Error [0-9]|No rule' "$log" 2>/dev/null)
    fail "$bin was not built (${why:-run make wave-test-build}; log: $log)"
fi
command -v fst2vcd >/dev/null || fail "fst2vcd not found (GTKWave's; make deps installs gtkwave)"
rm -rf "$dir" && mkdir -p "$dir" || fail "cannot create $dir"

# 1. the trace
TEST_SEED=13 COPROC_JOBS=2 "$bin" jobs +trace="$dir/jobs.fst" >"$dir/run.log" 2>&1 ||
    fail "tb_coproc jobs failed: $(tail -n 1 "$dir/run.log")"
[ -s "$dir/jobs.fst" ] || fail "$bin jobs +trace=$dir/jobs.fst wrote no trace"

# 2. the view
gen=$(python3 sim/wave/gtkw_gen.py gen "$dir/jobs.fst" -o "$dir/jobs.gtkw" \
      --params "build/rtl/$cfg/${cfg}_params.h" 2>&1) || fail "gtkw_gen gen: $gen"
echo "$gen"
case $gen in *"the first job"*) ;; *) fail "the view's window is not on a job: $gen" ;; esac

# 3. the check
chk=$(python3 sim/wave/gtkw_gen.py check "$dir/jobs.fst" "$dir/jobs.gtkw" 2>&1) ||
    fail "gtkw_gen check: $(echo "$chk" | head -n 3 | tr '\n' ' ')"
echo "$chk"
traces=$(echo "$chk" | sed -n 's/.*(\([0-9]*\) GTKWave traces).*/\1/p')
[ -n "$traces" ] || fail "gtkw_gen check printed no trace count: $chk"

# 4. the check must reject a broken view
sed 's/\(u_engine\.in_valid\)$/\1_gone/' "$dir/jobs.gtkw" >"$dir/bad_signal.gtkw"
out=$(python3 sim/wave/gtkw_gen.py check "$dir/jobs.fst" "$dir/bad_signal.gtkw" 2>&1) &&
    fail "check accepted a view that references u_engine.in_valid_gone"
case $out in *"in_valid_gone, which is not in"*) ;; *) fail "check failed for another reason: $out" ;; esac
sed 's/^-control$/-ctrl/' "$dir/jobs.gtkw" >"$dir/bad_group.gtkw"
out=$(python3 sim/wave/gtkw_gen.py check "$dir/jobs.fst" "$dir/bad_group.gtkw" 2>&1) &&
    fail "check accepted a view without the control group"
case $out in *"no group 'control'"*) ;; *) fail "check failed for another reason: $out" ;; esac

# 5. GTKWave loads it
if ! command -v xvfb-run >/dev/null || ! command -v gtkwave >/dev/null; then
    echo "note: xvfb-run or gtkwave missing: GTKWave's own load not checked (make deps)"
    echo "PASS $name"
    exit 0
fi
WAVE_PNG=$(pwd)/$dir/jobs.png timeout 60 xvfb-run -a -s "-screen 0 1700x2300x24" \
    gtkwave -S sim/wave/view.tcl "$dir/jobs.fst" "$dir/jobs.gtkw" >"$dir/gtkwave.log" 2>&1
rc=$?
got=$(sed -n 's/^view.tcl: window .*, \([0-9]*\) traces$/\1/p' "$dir/gtkwave.log")
[ -n "$got" ] || fail "GTKWave did not run view.tcl (exit $rc): $(grep -v '^FSTLOAD' "$dir/gtkwave.log" | tail -n 2 | tr '\n' ' ')"
[ "$got" = "$traces" ] || fail "GTKWave loaded $got traces of the view's $traces (names it did not resolve?)"
head -c 8 "$dir/jobs.png" 2>/dev/null | od -An -c | grep -q 'P   N   G' ||
    fail "GTKWave wrote no PNG ($dir/jobs.png; see $dir/gtkwave.log)"
echo "GTKWave: $got traces loaded, $dir/jobs.png rendered"
echo "PASS $name"
