#!/usr/bin/env bash
# sim/mutants.sh - prove that the block tests can fail: build deliberately
# broken copies of the generated RTL (or of its C header) and run the block
# tests that must catch each one.  `make sim-mutants`; not part of `make test`
# (one Verilator build per mutant).
#
# Each mutant is a one-line sed edit of one generated file (a decoder's
# function is printed twice: in its npe_dec_* module, which the decode probe
# tests, and in the unit, which the datapath tests exercise).  Outcomes:
#   caught   every listed test FAILed (what we want)
#   MISSED   some listed test passed: a hole in the tests
#   STALE    the sed pattern no longer matches the generated text (rtl_gen
#            changed): update the table
# Exit status 1 if any mutant was MISSED or STALE.  MUTANT=<name> runs one.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
root=$PWD
out=$BUILD/sim/mutants
mkdir -p "$out"

# name @ config @ file @ sed expression @ tests that must fail
mutants=(
  "acc_no_overflow@narrow@npe_lane.v@s/wire acc_overflow = ~(&acc_hi) & (|acc_hi);/wire acc_overflow = 1'b0;/@dots"
  "scale_inexact_bit@narrow@npe_lane.v@s/inexact = |x\[65:0\];/inexact = |x[64:0];/@dots"
  "posit8_regime_probe@posit@npe_dec_posit8_0.v@s/y\[0\] ? 3'd5 :/y[0] ? 3'd6 :/@decode"
  "posit8_regime_unit@posit@npe_unit.v@s/y\[0\] ? 3'd5 :/y[0] ? 3'd6 :/@pairs8 dots"
  "blk_last_is_last@fp4mx@npe_lane.v@s/wire i_blkend = in_blk_last;/wire i_blkend = in_last;/@dots"
  "valid_on_first@fp4mx@npe_lane.v@s/wire i_valid = in_valid;/wire i_valid = in_valid | in_first;/@pairs4 dots"
  "ovp_nibble_order@ovp@ovp_params.h@s/#define NPE_OVP_FIRST_HIGH 1 /#define NPE_OVP_FIRST_HIGH 0 /@pairs8 dots"
  "mx_select_not_pipelined@all@npe_lane.v@s/wire p_mx = d_mx;/wire p_mx = i_mx;/@dots"
  "latency_plus_one@int@int_params.h@s/#define NPE_LATENCY 2 /#define NPE_LATENCY 3 /@pairs4"
)

bad=0
for m in "${mutants[@]}"; do
  [ -n "${MUTANT:-}" ] && [[ $m != "$MUTANT@"* ]] && continue
  IFS=@ read -r name cfg file expr tests <<<"$m"
  d=$out/$name
  rm -rf "$d"; mkdir -p "$d/rtl"
  cp "$BUILD/rtl/$cfg/"* "$d/rtl/"
  sed -i "$expr" "$d/rtl/$file"
  if cmp -s "$d/rtl/$file" "$BUILD/rtl/$cfg/$file"; then
    echo "STALE  $name: '$expr' does not change $BUILD/rtl/$cfg/$file"; bad=1; continue
  fi
  # Same build as sim/sim.mk, but -O1 (a mutant runs once).
  gflags=$(python3 sim/vsim_gen.py gflags "$d/rtl/${cfg}_params.h" \
           NPE_LANES=LANES NPE_J=J NPE_ACC_W=ACC_W NPE_PROBE_EXP_W=EXP_W NPE_PROBE_SIG_W=SIG_W)
  if ! { verilator --cc --x-assign unique --x-initial unique --top-module npe_tb_top \
           --prefix Vnpe_tb_top -Mdir "$d/obj" $gflags -F "$d/rtl/$cfg.f" sim/npe_tb_top.v &&
         python3 sim/vsim_gen.py ports "$d/obj/Vnpe_tb_top.h" --clock clk \
           -o "$d/obj/Vnpe_tb_top_ports.inc" &&
         make -s -C "$d/obj" -f Vnpe_tb_top.mk -f "$root/sim/vsim_model.mk" \
           VSIM_DIR="$root/sim" OPT_FAST=-O1 libvsim.a &&
         gcc -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -Ikernels_ref \
           -Isim -Isim/tb -Itests/unit -DNPE_PARAMS_H="\"$root/$d/rtl/${cfg}_params.h\"" \
           -DNPE_CFG="\"$cfg\"" -c sim/tb/tb_npe.c -o "$d/tb_npe.o" &&
         g++ -o "$d/tb_npe" "$d/tb_npe.o" "$d/obj/libvsim.a" "$BUILD/sim/vlrt/libvlrt.a" \
           "$BUILD/lib/libkref.a" $(cat "$BUILD/sim/vlrt/vsim.ldlibs") -lm; } >"$d/build.log" 2>&1; then
    echo "BUILD  $name: failed, see $d/build.log"; bad=1; continue
  fi
  missed=""
  for t in $tests; do
    SIM_PRODUCTS=1000000 "$d/tb_npe" "$t" >"$d/$t.log" 2>&1 && missed="$missed $t"
  done
  if [ -n "$missed" ]; then
    echo "MISSED $name ($cfg/$file): passed:$missed"; bad=1
  else
    echo "caught $name ($cfg/$file) by: $tests"
  fi
done
exit $bad
