#!/usr/bin/env bash
# sim/coproc_mutants.sh - prove that the co-processor test bench can fail:
# build deliberately broken copies of the generated npe_coproc.v and run the
# tb_coproc tests that must catch each one (`make sim-mutants`; not part of
# `make test`: one Verilator build per mutant).  The first group breaks AXI
# rules that only the passive monitors (sim/vip/) see; the others break the
# results, the error handling and the timing that the scoreboard checks.
#
# Outcomes as in sim/mutants.sh: caught / MISSED / STALE / BUILD.
# MUTANT=<name> runs one.  Exit status 1 if any mutant was not caught.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
root=$PWD
out=$BUILD/sim/coproc-mutants
mkdir -p "$out"

# name @ config @ sed expression on npe_coproc.v @ tests that must fail
mutants=(
  "axis_valid_drop@int@s/if (!m_valid || m_axis_tready) m_valid <= rb_n != 3'd0;/m_valid <= rb_n != 3'd0;/@jobs"
  "axil_b_before_w@int@s/wire        wr_fire = aw_held \& w_held \& ~bvalid_reg;/wire        wr_fire = aw_held \& ~bvalid_reg;/@regs"
  "axil_rdata_unstable@int@s/if (rd_fire) rdata_reg <= rd_value;/rdata_reg <= rd_value;/@regs"
  "tkeep_always_full@int@s/m_keep <= ob_last \&\& h_lg ? h_keep : {16{1'b1}};/m_keep <= {16{1'b1}};/@jobs"
  "tready_ignores_credit@int@s/|| (st == S_W \&\& (!w_lstep || credit_ok));/|| (st == S_W);/@jobs"
  "early_tlast_ignored@int@s/wire        early_tlast = s_fire \&\& s_axis_tlast/wire        early_tlast = 1'b0 \&\& s_axis_tlast/@errors"
  "nan_scale_not_an_error@fp4mx@s/rb_err\[rb_wp\] <= nc_push || t_err || nan_seen;/rb_err[rb_wp] <= nc_push || t_err;/@errors"
  "result_depth_minus_one@fp4mx@s/credits_used != 3'd4;/credits_used != 3'd3;/@jobs"
)

bad=0
for m in "${mutants[@]}"; do
  [ -n "${MUTANT:-}" ] && [[ $m != "$MUTANT@"* ]] && continue
  IFS=@ read -r name cfg expr tests <<<"$m"
  d=$out/$name
  rm -rf "$d"; mkdir -p "$d/rtl"
  cp "$BUILD/rtl/$cfg/"* "$d/rtl/"
  sed -i "$expr" "$d/rtl/npe_coproc.v"
  if cmp -s "$d/rtl/npe_coproc.v" "$BUILD/rtl/$cfg/npe_coproc.v"; then
    echo "STALE  $name: '$expr' does not change $BUILD/rtl/$cfg/npe_coproc.v"; bad=1; continue
  fi
  # Same build as sim/coproc.mk, but -O1 (a mutant runs once).
  if ! { verilator --cc --x-assign unique --x-initial unique --top-module npe_coproc \
           --prefix Vnpe_coproc -Mdir "$d/obj" -F "$d/rtl/$cfg.f" &&
         python3 sim/vsim_gen.py ports "$d/obj/Vnpe_coproc.h" --clock aclk \
           -o "$d/obj/Vnpe_coproc_ports.inc" &&
         make -s -C "$d/obj" -f Vnpe_coproc.mk -f "$root/sim/vsim_model.mk" \
           VSIM_DIR="$root/sim" OPT_FAST=-O1 libvsim.a &&
         gcc -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -Ikernels_ref \
           -Isim -Isim/tb -Itests/unit -Ihost -Isim/vip \
           -DNPE_PARAMS_H="\"$root/$d/rtl/${cfg}_params.h\"" -DNPE_CFG="\"$cfg\"" \
           -c sim/tb/tb_coproc.c -o "$d/tb_coproc.o" &&
         gcc -std=c11 -O2 -Wall -Wextra -Werror -Ikernels_ref -Ihost -c host/packer.c -o "$d/packer.o" &&
         g++ -o "$d/tb_coproc" "$d/tb_coproc.o" "$d/packer.o" "$d/obj/libvsim.a" \
           "$BUILD/sim/vlrt/libvlrt.a" "$BUILD/lib/libkref.a" $(cat "$BUILD/sim/vlrt/vsim.ldlibs") -lm
       } >"$d/build.log" 2>&1; then
    echo "BUILD  $name: failed, see $d/build.log"; bad=1; continue
  fi
  missed="" why=""
  for t in $tests; do
    if COPROC_JOBS=300 "$d/tb_coproc" "$t" >"$d/$t.log" 2>&1; then
      missed="$missed $t"
    else
      why=$(grep -m1 -oE '\[(axil|axis)\.[a-z_]+\]|FAIL .*' "$d/$t.log" | head -1 | cut -c1-110)
    fi
  done
  if [ -n "$missed" ]; then
    echo "MISSED $name ($cfg): passed:$missed"; bad=1
  else
    echo "caught $name ($cfg) by $tests: $why"
  fi
done
exit $bad
