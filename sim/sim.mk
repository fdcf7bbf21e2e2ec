# sim/sim.mk - Verilator co-simulation of the generated blocks (included by
# the top Makefile; see sim/README.md).
#
# Per configuration <c> (RTL from rtl_gen in build/rtl/<c>/):
#   build/sim/<c>/obj/        the Verilated test top (sim/npe_tb_top.v): engine + decode probe
#   build/sim/<c>/obj/libvsim.a   model + shim (sim/vsim.cpp), via sim/vsim_model.mk
#   build/sim/<c>/tb_npe      the C test bench (sim/tb/tb_npe.c) for this configuration
#   build/sim/<c>/build.log   the build's output (Verilator and compilers)
# build/sim/<c>-trace/ is the same with FST tracing compiled in (make sim-trace).
# build/sim/vlrt/ holds Verilator's run-time objects, compiled once for all models.

SIM_BUILD  := $(BUILD)/sim
SIM_ABS    := $(abspath sim)
VERILATOR  ?= verilator
# Configurations co-simulated by `make test`: rtl_gen's five (configs/*.cfg)
# plus two generated here (SIM_GEN_<c>) for what the five do not reach.
SIM_CFGS   ?= all narrow coarse int fp4mx posit ovp
SIM_JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
SIM_MAKE   := $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST))

# Verilator: random reset values, -O3 model code (Verilator's default is -Os),
# warnings fatal (a port width that disagrees with the generated RTL stops the
# build), no tracing unless asked for.
SIM_VFLAGS := --cc --x-assign unique --x-initial unique -O3
SIM_VTOP   := --top-module npe_tb_top --prefix Vnpe_tb_top
SIM_VMAKE  := OPT_FAST=-O3 OPT_SLOW=-O1 OPT_GLOBAL=-O2
SIM_TB_CFLAGS := $(CFLAGS) -D_POSIX_C_SOURCE=200809L -Isim -Isim/tb -Itests/unit
SIM_TB_SRC := sim/tb/tb_npe.c sim/tb/tb.h sim/tb/npe_params.h sim/vsim.h tests/unit/check.h \
              $(wildcard kernels_ref/*.h)

# The test top's widths, read from rtl_gen's C header (macro=parameter).
SIM_GMAP := NPE_LANES=LANES NPE_J=J NPE_ACC_W=ACC_W NPE_PROBE_EXP_W=EXP_W NPE_PROBE_SIG_W=SIG_W

# Extra configurations (rtl_gen options; --name and --out are added):
#  narrow: every format with a deliberately narrow accumulator (24 bits, LSB
#    2^-4): INEXACT and OVERFLOW trip all the time and must do so exactly
#    when kernels_ref says.
#  coarse: an accumulator LSB above the integers (2^2: floor toward minus
#    infinity of integer products), a 16-bit accumulator, J = 4 units per
#    lane, every optional register stage (LATENCY 7), no operand isolation.
SIM_GEN_narrow := --config rtl_gen/configs/all.cfg --acc-w 24 --acc-lsb -4
SIM_GEN_coarse := --lanes 2 --stream-width 128 --wfmts int4,int8,int16,mxfp4,posit8_0,ovp4 \
                  --afmts int4,int8,mxfp4,posit8_0,ovp4 --acc-w 16 --acc-lsb 2 \
                  --pipeline in,dec,prod,sum,scale --isolate off
define sim_gen_cfg # $(1)=config name
$(BUILD)/rtl/$(1)/$(1).f: $(BUILD)/bin/rtl_gen $(filter rtl_gen/configs/%,$(SIM_GEN_$(1))) sim/sim.mk
	$(BUILD)/bin/rtl_gen $(SIM_GEN_$(1)) --name $(1) --out $(BUILD)/rtl/$(1)
endef
$(foreach c,$(patsubst SIM_GEN_%,%,$(filter SIM_GEN_%,$(.VARIABLES))),$(eval $(call sim_gen_cfg,$(c))))

# ---------------------------------------------------------------- run-time
# Verilator's run-time objects (verilated.o, ...) are the same for every model
# built with the same flags: build them once, from a one-line stub top.
define sim_runtime # $(1)=variant suffix ("" or -trace), $(2)=extra verilator flags
$(SIM_BUILD)/vlrt$(1)/libvlrt.a: sim/sim.mk sim/vsim_model.mk
	@mkdir -p $$(@D)
	@echo 'module vlrt_stub(input wire clk); endmodule' > $$(@D)/vlrt_stub.v
	@echo "sim: Verilator run-time -> $$@"
	+@{ $(VERILATOR) $(SIM_VFLAGS) $(2) --top-module vlrt_stub --prefix Vvlrt_stub \
	    -Mdir $$(@D) $$(@D)/vlrt_stub.v && \
	  $$(MAKE) --no-print-directory -C $$(@D) -f Vvlrt_stub.mk $(SIM_VMAKE) \
	    VSIM_DIR=$(SIM_ABS) -f $(SIM_ABS)/vsim_model.mk vlrt.a vsim.ldlibs; } \
	  >$$(@D)/build.log 2>&1 || { cat $$(@D)/build.log; exit 1; }
	@mv $$(@D)/vlrt.a $$@
endef
$(eval $(call sim_runtime,,))
$(eval $(call sim_runtime,-trace,--trace-fst))

# ---------------------------------------------------------------- models
define sim_model # $(1)=config, $(2)=variant suffix, $(3)=extra verilator flags
$(SIM_BUILD)/$(1)$(2)/obj/Vnpe_tb_top.h: $(BUILD)/rtl/$(1)/$(1).f sim/npe_tb_top.v sim/vsim_gen.py
	@mkdir -p $$(@D)
	python3 sim/vsim_gen.py gflags $(BUILD)/rtl/$(1)/$(1)_params.h $(SIM_GMAP) > $$(@D)/gflags
	$(VERILATOR) $(SIM_VFLAGS) $(SIM_VTOP) $(3) -Mdir $$(@D) $$$$(cat $$(@D)/gflags) \
	  -F $(BUILD)/rtl/$(1)/$(1).f sim/npe_tb_top.v
	@touch $$@
$(SIM_BUILD)/$(1)$(2)/obj/Vnpe_tb_top_ports.inc: $(SIM_BUILD)/$(1)$(2)/obj/Vnpe_tb_top.h
	python3 sim/vsim_gen.py ports $$< --clock clk -o $$@
$(SIM_BUILD)/$(1)$(2)/obj/libvsim.a: $(SIM_BUILD)/$(1)$(2)/obj/Vnpe_tb_top_ports.inc \
    sim/vsim.cpp sim/vsim.h sim/vsim_model.mk
	$$(MAKE) --no-print-directory -C $$(@D) -f Vnpe_tb_top.mk $(SIM_VMAKE) \
	  VSIM_DIR=$(SIM_ABS) -f $(SIM_ABS)/vsim_model.mk libvsim.a
$(SIM_BUILD)/$(1)$(2)/tb_npe: $(SIM_TB_SRC) $(SIM_BUILD)/$(1)$(2)/obj/libvsim.a \
    $(SIM_BUILD)/vlrt$(2)/libvlrt.a $(BUILD)/lib/libkref.a
	$(CC) $(SIM_TB_CFLAGS) -DNPE_PARAMS_H='"$(abspath $(BUILD)/rtl/$(1)/$(1)_params.h)"' \
	  -DNPE_CFG='"$(1)"' -c sim/tb/tb_npe.c -o $$@.o
	g++ -o $$@ $$@.o $(SIM_BUILD)/$(1)$(2)/obj/libvsim.a $(SIM_BUILD)/vlrt$(2)/libvlrt.a \
	  $(BUILD)/lib/libkref.a $$$$(cat $(SIM_BUILD)/vlrt$(2)/vsim.ldlibs) -lm
endef
$(foreach c,$(SIM_CFGS),$(eval $(call sim_model,$(c),,)))
$(foreach c,$(SIM_CFGS),$(eval $(call sim_model,$(c),-trace,--trace-fst)))

# ---------------------------------------------------------------- targets
# `make test` must not stop on one configuration that fails to build: that
# configuration's tests then fail with the reason (sim/run_block_test.sh),
# the others still run.  Each build's output goes to build/sim/<c>/build.log.
SIM_BINS := $(foreach c,$(SIM_CFGS),$(SIM_BUILD)/$(c)/tb_npe)

.PHONY: sim-blocks sim-blocks-test sim-trace sim-wave $(addprefix sim-build-,$(SIM_CFGS))
sim-blocks: $(SIM_BINS) ## build the block co-simulation of every configuration (SIM_CFGS)

# The RTL is generated here, in the calling make, so that a parallel
# `make -j test` never runs rtl_gen twice for one configuration.
sim-blocks-test: $(BUILD)/lib/libkref.a $(foreach c,$(SIM_CFGS),$(BUILD)/rtl/$(c)/$(c).f)
	+@if echo '$(MAKEFLAGS)' | grep -q -- '-j\|jobserver'; then j=; else j=-j$(SIM_JOBS); fi; \
	  $(SIM_MAKE) $$j $(addprefix sim-build-,$(SIM_CFGS))

$(addprefix sim-build-,$(SIM_CFGS)): sim-build-%: $(SIM_BUILD)/vlrt/libvlrt.a
	+@mkdir -p $(SIM_BUILD)/$*; t0=$$(date +%s); \
	if $(SIM_MAKE) $(SIM_BUILD)/$*/tb_npe >$(SIM_BUILD)/$*/build.log 2>&1; then \
	  echo "sim: $* built in $$(( $$(date +%s) - t0 )) s"; \
	else rm -f $(SIM_BUILD)/$*/tb_npe; \
	  echo "sim: $* FAILED to build (its tests will fail): see $(SIM_BUILD)/$*/build.log" >&2; fi

test: sim-blocks-test

SIM_CFG ?= all
TEST    ?= dots
sim-trace: $(SIM_BUILD)/$(SIM_CFG)-trace/tb_npe ## build SIM_CFG=<c> with FST tracing (build/sim/<c>-trace/)

sim-wave: sim-trace ## run TEST=<decode|pairs4|pairs8|dots> of SIM_CFG=<c> with +trace (FST in build/sim/<c>/)
	@mkdir -p $(SIM_BUILD)/$(SIM_CFG)
	$(SIM_BUILD)/$(SIM_CFG)-trace/tb_npe $(TEST) +trace=$(SIM_BUILD)/$(SIM_CFG)/$(TEST).fst

.PHONY: sim-mutants
sim-mutants: sim-blocks sim-coproc ## build broken variants of the RTL and check that the tests catch each (sim/mutants.sh, sim/coproc_mutants.sh)
	sim/mutants.sh; a=$$?; sim/coproc_mutants.sh; b=$$?; exit $$((a | b))
