# sim/coproc.mk - Verilator co-simulation of the AXI co-processor
# <prefix>coproc (included by the top Makefile after sim/sim.mk, whose
# Verilator flags, run-time library and helpers it reuses).
#
# Per configuration <c> (RTL from rtl_gen in build/rtl/<c>/):
#   build/sim/<c>/coproc/Vnpe_coproc.h   the Verilated co-processor (top = the generated module)
#   build/sim/<c>/coproc/libvsim.a       model + shim (sim/vsim.cpp): what C links against,
#                                        the test bench here and host/'s sim backend alike
#   build/sim/<c>/tb_coproc              the C test bench (sim/tb/tb_coproc.c)
#   build/sim/<c>/coproc.log             the build's output
# build/sim/<c>-trace/coproc/ and tb_coproc are the same with FST tracing.

COPROC_CFGS  ?= all int fp4mx posit ovp
COPROC_VTOP  := --top-module npe_coproc --prefix Vnpe_coproc
COPROC_TB_SRC := sim/tb/tb_coproc.c sim/tb/tb.h sim/vsim.h tests/unit/check.h host/packer.c \
                 host/packer.h $(wildcard sim/vip/*.h) $(wildcard kernels_ref/*.h)

# The library of one configuration's co-processor model.
coproc_lib = $(SIM_BUILD)/$(1)$(2)/coproc/libvsim.a

define coproc_model # $(1)=config, $(2)=variant suffix, $(3)=extra verilator flags
$(SIM_BUILD)/$(1)$(2)/coproc/Vnpe_coproc.h: $(BUILD)/rtl/$(1)/$(1).f
	@mkdir -p $$(@D)
	$(VERILATOR) $(SIM_VFLAGS) $(COPROC_VTOP) $(3) -Mdir $$(@D) -F $(BUILD)/rtl/$(1)/$(1).f
	@touch $$@
$(SIM_BUILD)/$(1)$(2)/coproc/Vnpe_coproc_ports.inc: $(SIM_BUILD)/$(1)$(2)/coproc/Vnpe_coproc.h sim/vsim_gen.py
	python3 sim/vsim_gen.py ports $$< --clock aclk -o $$@
$(call coproc_lib,$(1),$(2)): $(SIM_BUILD)/$(1)$(2)/coproc/Vnpe_coproc_ports.inc \
    sim/vsim.cpp sim/vsim.h sim/vsim_model.mk
	$$(MAKE) --no-print-directory -C $$(@D) -f Vnpe_coproc.mk $(SIM_VMAKE) \
	  VSIM_DIR=$(SIM_ABS) -f $(SIM_ABS)/vsim_model.mk libvsim.a
$(SIM_BUILD)/$(1)$(2)/tb_coproc: $(COPROC_TB_SRC) $(call coproc_lib,$(1),$(2)) \
    $(SIM_BUILD)/vlrt$(2)/libvlrt.a $(BUILD)/lib/libkref.a
	$(CC) $(SIM_TB_CFLAGS) -Ihost -Isim/vip -DNPE_PARAMS_H='"$(abspath $(BUILD)/rtl/$(1)/$(1)_params.h)"' \
	  -DNPE_CFG='"$(1)"' -c sim/tb/tb_coproc.c -o $$@.o
	$(CC) $(SIM_TB_CFLAGS) -Ihost -c host/packer.c -o $$@.packer.o
	g++ -o $$@ $$@.o $$@.packer.o $(call coproc_lib,$(1),$(2)) $(SIM_BUILD)/vlrt$(2)/libvlrt.a \
	  $(BUILD)/lib/libkref.a $$$$(cat $(SIM_BUILD)/vlrt$(2)/vsim.ldlibs) -lm
endef
$(foreach c,$(COPROC_CFGS),$(eval $(call coproc_model,$(c),,)))
$(foreach c,$(COPROC_CFGS),$(eval $(call coproc_model,$(c),-trace,--trace-fst)))

# `make test` builds every configuration's test bench; one that fails to
# build turns into failing tests with the reason (sim/run_block_test.sh).
.PHONY: sim-coproc sim-coproc-test $(addprefix sim-coproc-build-,$(COPROC_CFGS))
sim-coproc: $(foreach c,$(COPROC_CFGS),$(SIM_BUILD)/$(c)/tb_coproc) ## build the co-processor test bench of every configuration (COPROC_CFGS)

sim-coproc-test: $(BUILD)/lib/libkref.a $(foreach c,$(COPROC_CFGS),$(BUILD)/rtl/$(c)/$(c).f)
	+@if echo '$(MAKEFLAGS)' | grep -q -- '-j\|jobserver'; then j=; else j=-j$(SIM_JOBS); fi; \
	  $(SIM_MAKE) $$j $(addprefix sim-coproc-build-,$(COPROC_CFGS))

$(addprefix sim-coproc-build-,$(COPROC_CFGS)): sim-coproc-build-%: $(SIM_BUILD)/vlrt/libvlrt.a
	+@mkdir -p $(SIM_BUILD)/$*; t0=$$(date +%s); \
	if $(SIM_MAKE) $(SIM_BUILD)/$*/tb_coproc >$(SIM_BUILD)/$*/coproc.log 2>&1; then \
	  echo "sim: $* co-processor built in $$(( $$(date +%s) - t0 )) s"; \
	else rm -f $(SIM_BUILD)/$*/tb_coproc; \
	  echo "sim: $* co-processor FAILED to build (its tests will fail): see $(SIM_BUILD)/$*/coproc.log" >&2; fi

test: sim-coproc-test

# ---------------------------------------------------------------- bench
# `make bench`: for each BENCH_CFGS configuration, the tiny-llama layer
# shapes x weight formats through the co-processor (cycles, weight-bandwidth
# bound, utilization; sim/tb/tb_coproc.c `bench`) and the bare model's
# simulated cycles/s (`speed`), then the SystemC side (sim/systemc/, target
# bench-systemc) when it exists.  Tables go to build/reports/bench/ too;
# docs/bench.md holds the measured figures.
BENCH_CFGS ?= all int fp4mx
BENCH_DIR  := $(BUILD)/reports/bench
.PHONY: bench
bench: $(foreach c,$(BENCH_CFGS),$(SIM_BUILD)/$(c)/tb_coproc) ## benchmarks: GEMV cycles vs the weight-bandwidth bound per tiny-llama shape and format, simulated cycles/s (C and SystemC)
	@mkdir -p $(BENCH_DIR)
	@set -o pipefail; for c in $(BENCH_CFGS); do \
	  echo "== $$c: co-processor, tiny-llama layer shapes (C test bench on the VIP, ideal stream)"; \
	  $(SIM_BUILD)/$$c/tb_coproc bench | grep -vE '^(axil|axis|vip)' | tee $(BENCH_DIR)/$$c.txt || exit 1; \
	  $(SIM_BUILD)/$$c/tb_coproc speed | grep '^speed' | tee -a $(BENCH_DIR)/$$c.txt || exit 1; \
	done
	@if $(MAKE) -n bench-systemc >/dev/null 2>&1; then \
	  echo "== SystemC (sim/systemc/)"; $(MAKE) --no-print-directory bench-systemc | tee $(BENCH_DIR)/systemc.txt; \
	else echo "== SystemC: no bench-systemc target (sim/systemc/ not built)"; fi
	@python3 sim/bench_md.py $(BENCH_DIR) > $(BENCH_DIR)/bench.md
	@echo "bench: tables in $(BENCH_DIR)/ (Markdown: $(BENCH_DIR)/bench.md; docs/bench.md quotes it)"
