# sim/vip/vip.mk - the AXI verification IP's self-test (included by the top
# Makefile after sim/sim.mk, whose Verilator run-time and settings it uses;
# see sim/README.md, "AXI verification IP").
#
# Models of the fixtures (sim/vip/fixtures/), each with the VIP's self-test
# bench sim/vip/tb_vip.c:
#   build/vip/fix/    vip_fix_top, 1024-bit stream (the widest the VIP takes)
#   build/vip/bank/   vip_bank_top: every broken variant in one model, 40-bit
#                     stream (not a multiple of 32: the word-masking paths)
#   build/vip/<m>/obj/    the Verilated model + shim (libvsim.a)
#   build/vip/<m>/tb_vip  the test bench (C part built with ASan + UBSan; it is
#                         also compiled without them once, because -O2 alone
#                         warns about things the sanitized build does not)
#   build/vip/<m>/build.log
# The VIP itself is header-only (sim/vip/*.h): a test bench that uses it
# needs only -Isim/vip next to tb.h's include paths.

VIP_BUILD := $(BUILD)/vip
VIP_FIXTURES := sim/vip/fixtures/vip_axil_regs.v sim/vip/fixtures/vip_axis_fifo.v \
                sim/vip/fixtures/vip_fix_top.v
VIP_HDRS := sim/vip/vip.h sim/vip/vip_axil.h sim/vip/vip_axis.h sim/tb/tb.h sim/vsim.h \
            tests/unit/check.h
VIP_MODELS := fix bank
VIP_TOP_fix    := vip_fix_top
VIP_SRC_fix    := $(VIP_FIXTURES)
VIP_GFLAGS_fix := -GDATA_W=1024
VIP_TOP_bank   := vip_bank_top
VIP_SRC_bank   := $(VIP_FIXTURES) sim/vip/fixtures/vip_bank_top.v
# As sim.mk (random reset values), plus -Wall: the fixtures are lint-clean.
# The models are tiny and run briefly: -O1 builds faster than -O3 gains.
VIP_VFLAGS := --cc --x-assign unique --x-initial unique -Wall
VIP_VMAKE  := OPT_FAST=-O1 OPT_SLOW=-O1 OPT_GLOBAL=-O1
VIP_TB_CFLAGS := $(CFLAGS) $(SANFLAGS) -D_POSIX_C_SOURCE=200809L -Isim -Isim/tb -Isim/vip -Itests/unit

define vip_model # $(1)=model
$(VIP_BUILD)/$(1)/obj/V$(VIP_TOP_$(1)).h: $(VIP_SRC_$(1)) sim/vip/vip.mk
	@mkdir -p $$(@D)
	$(VERILATOR) $(VIP_VFLAGS) --top-module $(VIP_TOP_$(1)) --prefix V$(VIP_TOP_$(1)) \
	  $(VIP_GFLAGS_$(1)) -Mdir $$(@D) $(VIP_SRC_$(1))
	@touch $$@
$(VIP_BUILD)/$(1)/obj/V$(VIP_TOP_$(1))_ports.inc: $(VIP_BUILD)/$(1)/obj/V$(VIP_TOP_$(1)).h sim/vsim_gen.py
	python3 sim/vsim_gen.py ports $$< --clock aclk -o $$@
$(VIP_BUILD)/$(1)/obj/libvsim.a: $(VIP_BUILD)/$(1)/obj/V$(VIP_TOP_$(1))_ports.inc \
    sim/vsim.cpp sim/vsim.h sim/vsim_model.mk
	$$(MAKE) --no-print-directory -C $$(@D) -f V$(VIP_TOP_$(1)).mk $(VIP_VMAKE) \
	  VSIM_DIR=$(SIM_ABS) -f $(SIM_ABS)/vsim_model.mk libvsim.a
$(VIP_BUILD)/$(1)/tb_vip: sim/vip/tb_vip.c $(VIP_HDRS) $(VIP_BUILD)/$(1)/obj/libvsim.a \
    $(SIM_BUILD)/vlrt/libvlrt.a
	$(CC) $(CFLAGS) -D_POSIX_C_SOURCE=200809L -Isim -Isim/tb -Isim/vip -Itests/unit \
	  -c sim/vip/tb_vip.c -o /dev/null
	$(CC) $(VIP_TB_CFLAGS) -c sim/vip/tb_vip.c -o $$@.o
	g++ $(SANFLAGS) -o $$@ $$@.o $(VIP_BUILD)/$(1)/obj/libvsim.a $(SIM_BUILD)/vlrt/libvlrt.a \
	  $$$$(cat $(SIM_BUILD)/vlrt/vsim.ldlibs)
endef
$(foreach m,$(VIP_MODELS),$(eval $(call vip_model,$(m))))

# `make test` must not stop when a fixture model fails to build: its tests
# then fail with the reason (sim/vip/run_test.sh).  The shared run-time is
# built here, in the calling make, as sim.mk does.
.PHONY: vip vip-test-build vip-test $(addprefix vip-build-,$(VIP_MODELS))
vip: $(foreach m,$(VIP_MODELS),$(VIP_BUILD)/$(m)/tb_vip) ## build the AXI verification IP's self-test (fixture models + tb_vip)

vip-test-build: $(SIM_BUILD)/vlrt/libvlrt.a
	+@if echo '$(MAKEFLAGS)' | grep -q -- '-j\|jobserver'; then j=; else j=-j$(SIM_JOBS); fi; \
	  $(SIM_MAKE) $$j $(addprefix vip-build-,$(VIP_MODELS))

$(addprefix vip-build-,$(VIP_MODELS)): vip-build-%:
	+@mkdir -p $(VIP_BUILD)/$*; t0=$$(date +%s); \
	if $(SIM_MAKE) $(VIP_BUILD)/$*/tb_vip >$(VIP_BUILD)/$*/build.log 2>&1; then \
	  echo "vip: $* built in $$(( $$(date +%s) - t0 )) s"; \
	else rm -f $(VIP_BUILD)/$*/tb_vip; \
	  echo "vip: $* FAILED to build (its tests will fail): see $(VIP_BUILD)/$*/build.log" >&2; fi

test: vip-test-build

vip-test: vip-test-build ## run the AXI verification IP's self-tests (tests.list: vip_*)
	@python3 tests/run.py -k vip_

vip vip-test-build: | deps
