# sim/systemc/systemc.mk - the co-processor npe_coproc Verilated with --sc and
# driven from SystemC (included by the top Makefile after sim/sim.mk and
# sim/coproc.mk, whose Verilator flags and configuration list it reuses;
# see sim/systemc/README.md).
#
# Per configuration <c> (RTL from rtl_gen in build/rtl/<c>/):
#   build/systemc/<c>/obj/Vnpe_coproc.h     the SystemC model (sc_module, sc_in/sc_out ports)
#   build/systemc/<c>/obj/Vnpe_coproc__ALL.a  its objects (-O3)
#   build/systemc/<c>/tb_sc                 pin-level test bench (jobs, bench)
#   build/systemc/<c>/tlm_example           the TLM-2.0 wrapper's example and test
#   build/systemc/<c>/build.log             the build's output
# build/systemc/vlrt/ holds Verilator's run-time compiled for SystemC (VM_SC=1),
# once for all configurations.

SC_BUILD := $(BUILD)/systemc
# `make test` builds and tests the reference configuration only: a SystemC
# model takes minutes to compile (seen: 2.5-5 min each on a loaded 2-core
# machine) and the C test bench already covers every configuration.  The
# others: make systemc-test SC_CFGS="all int fp4mx posit ovp", then run
# build/systemc/<c>/tb_sc jobs and build/systemc/<c>/tlm_example check.
SC_CFGS  ?= all
# sim.mk's flags (random reset values, -O3 model code) with --sc for --cc.
SC_VFLAGS := --sc $(filter-out --cc,$(SIM_VFLAGS))
SC_VROOT   = $(shell $(VERILATOR) --getenv VERILATOR_ROOT 2>/dev/null)
SC_CXX   := g++
# g++-12 defaults to C++17, what Debian's SystemC 2.3.4 is built for.  The
# Verilator and model headers are -isystem: their warnings are not ours.
SC_CXXFLAGS := -std=c++17 -O2 -g -Wall -Wextra -Werror -Ikernels_ref -Ihost -Isim/systemc \
               -DVM_SC=1 -DVM_TRACE=0 -DVM_COVERAGE=0
SC_HDRS  := $(wildcard sim/systemc/*.h) host/packer.h $(wildcard kernels_ref/*.h)
SC_PROGS    := tb_sc tlm_example
SC_TB_OBJS  := tb_sc.o sc_jobs.o packer.o
SC_TLM_OBJS := tlm_example.o npe_tlm.o sc_jobs.o packer.o

# ---------------------------------------------------------------- run-time
$(SC_BUILD)/vlrt/libvlrt.a: sim/systemc/systemc.mk sim/sim.mk sim/vsim_model.mk
	@mkdir -p $(@D)
	@echo 'module vlrt_stub(input wire clk); endmodule' > $(@D)/vlrt_stub.v
	@echo "systemc: Verilator run-time (SystemC) -> $@"
	+@{ $(VERILATOR) $(SC_VFLAGS) --top-module vlrt_stub --prefix Vvlrt_stub \
	    -Mdir $(@D) $(@D)/vlrt_stub.v && \
	  $(MAKE) --no-print-directory -C $(@D) -f Vvlrt_stub.mk $(SIM_VMAKE) \
	    VSIM_DIR=$(SIM_ABS) -f $(SIM_ABS)/vsim_model.mk vlrt.a vsim.ldlibs; } \
	  >$(@D)/build.log 2>&1 || { cat $(@D)/build.log; exit 1; }
	@mv $(@D)/vlrt.a $@

# ---------------------------------------------------------------- models
define sc_model # $(1)=config
$(SC_BUILD)/$(1)/obj/Vnpe_coproc.h: $(BUILD)/rtl/$(1)/$(1).f
	@mkdir -p $$(@D)
	$(VERILATOR) $(SC_VFLAGS) $(COPROC_VTOP) -Mdir $$(@D) -F $(BUILD)/rtl/$(1)/$(1).f
	@touch $$@
$(SC_BUILD)/$(1)/obj/Vnpe_coproc__ALL.a: $(SC_BUILD)/$(1)/obj/Vnpe_coproc.h
	$$(MAKE) --no-print-directory -C $$(@D) -f Vnpe_coproc.mk $(SIM_VMAKE) Vnpe_coproc__ALL.a
$(SC_BUILD)/$(1)/%.o: sim/systemc/%.cpp $(SC_HDRS) $(SC_BUILD)/$(1)/obj/Vnpe_coproc.h
	$(SC_CXX) $(SC_CXXFLAGS) -isystem $(SC_BUILD)/$(1)/obj -isystem $$(SC_VROOT)/include \
	  -isystem $$(SC_VROOT)/include/vltstd \
	  -DNPE_PARAMS_H='"$(abspath $(BUILD)/rtl/$(1)/$(1)_params.h)"' -DNPE_CFG='"$(1)"' \
	  -c $$< -o $$@
$(SC_BUILD)/$(1)/packer.o: host/packer.c host/packer.h
	@mkdir -p $$(@D)
	$(CC) $(CFLAGS) -Ihost -c $$< -o $$@
$(SC_BUILD)/$(1)/tb_sc: $(addprefix $(SC_BUILD)/$(1)/,$(SC_TB_OBJS))
$(SC_BUILD)/$(1)/tlm_example: $(addprefix $(SC_BUILD)/$(1)/,$(SC_TLM_OBJS))
$(SC_BUILD)/$(1)/tb_sc $(SC_BUILD)/$(1)/tlm_example: $(SC_BUILD)/$(1)/obj/Vnpe_coproc__ALL.a \
    $(SC_BUILD)/vlrt/libvlrt.a $(BUILD)/lib/libkref.a
	$(SC_CXX) -o $$@ $$(filter %.o,$$^) $(SC_BUILD)/$(1)/obj/Vnpe_coproc__ALL.a \
	  $(SC_BUILD)/vlrt/libvlrt.a $(BUILD)/lib/libkref.a -lsystemc \
	  $$$$(cat $(SC_BUILD)/vlrt/vsim.ldlibs) -lm
endef
# rules for every configuration (cheap); SC_CFGS says which ones are built
SC_ALL_CFGS := $(sort $(SC_CFGS) $(COPROC_CFGS))
$(foreach c,$(SC_ALL_CFGS),$(eval $(call sc_model,$(c))))

# The monitors' self-test needs no model.
$(SC_BUILD)/common/sc_monitor_test: sim/systemc/sc_monitor_test.cpp sim/systemc/sc_axi.h \
    sim/systemc/sc_check.h
	@mkdir -p $(@D)
	$(SC_CXX) $(SC_CXXFLAGS) $< -o $@ -lsystemc

# ---------------------------------------------------------------- targets
# `make test` builds SC_CFGS; one that fails to build turns into
# failing tests with the reason (sim/systemc/run_test.sh), the others still
# run.  The run-time is built first, on its own, so that parallel builds do
# not race for it; its failure is logged like a model's.
.PHONY: systemc systemc-test systemc-vlrt systemc-build-common bench-systemc \
        $(addprefix systemc-build-,$(SC_ALL_CFGS))
systemc: $(SC_BUILD)/common/sc_monitor_test $(foreach c,$(SC_CFGS),$(addprefix $(SC_BUILD)/$(c)/,$(SC_PROGS))) ## build the SystemC test bench and TLM example of every configuration (SC_CFGS)
systemc: | deps

systemc-test: $(BUILD)/lib/libkref.a $(foreach c,$(SC_CFGS),$(BUILD)/rtl/$(c)/$(c).f)
	+@$(SIM_MAKE) systemc-vlrt
	+@if echo '$(MAKEFLAGS)' | grep -q -- '-j\|jobserver'; then j=; else j=-j$(SIM_JOBS); fi; \
	  $(SIM_MAKE) $$j systemc-build-common $(addprefix systemc-build-,$(SC_CFGS))

systemc-vlrt:
	+@mkdir -p $(SC_BUILD)/vlrt; \
	$(SIM_MAKE) $(SC_BUILD)/vlrt/libvlrt.a >$(SC_BUILD)/vlrt.log 2>&1 || \
	  echo "systemc: the SystemC run-time FAILED to build (the SystemC tests will fail): see $(SC_BUILD)/vlrt.log" >&2

systemc-build-common:
	+@mkdir -p $(SC_BUILD)/common; \
	$(SIM_MAKE) $(SC_BUILD)/common/sc_monitor_test >$(SC_BUILD)/common/build.log 2>&1 || \
	  echo "systemc: the monitors' self-test FAILED to build: see $(SC_BUILD)/common/build.log" >&2

$(addprefix systemc-build-,$(SC_ALL_CFGS)): systemc-build-%:
	+@mkdir -p $(SC_BUILD)/$*; t0=$$(date +%s); \
	if $(SIM_MAKE) $(addprefix $(SC_BUILD)/$*/,$(SC_PROGS)) >$(SC_BUILD)/$*/build.log 2>&1; then \
	  echo "systemc: $* built in $$(( $$(date +%s) - t0 )) s"; \
	else rm -f $(addprefix $(SC_BUILD)/$*/,$(SC_PROGS)); \
	  echo "systemc: $* FAILED to build (its tests will fail): see $(SC_BUILD)/$*/build.log" >&2; fi

test: systemc-test

# The SystemC side of `make bench`: one table per configuration (shape,
# weight format, cycles, M cycles/s); the C side is build/sim/<c>/tb_coproc bench.
SC_BENCH_CFGS ?= all
bench-systemc: $(foreach c,$(SC_BENCH_CFGS),$(addprefix $(SC_BUILD)/$(c)/,$(SC_PROGS))) ## SystemC model speed: tiny-llama layer shapes back to back, cycles and M cycles/s (SC_BENCH_CFGS)
	@set -o pipefail; export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1; for c in $(SC_BENCH_CFGS); do \
	  $(SC_BUILD)/$$c/tb_sc bench | grep -v '^seed\|^PASS\|^axil:\|cycles in' || exit 1; \
	  $(SC_BUILD)/$$c/tlm_example bench | grep '^#' || exit 1; done
