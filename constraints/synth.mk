# constraints/synth.mk - synthesis, timing, power, iCE40 and sweep reports
# (included by the top Makefile; docs/reports.md describes the flows).
#
#   make synth CONFIG=<c> [TOP=<module>]   Xilinx xcup/xc7 + OSU 180 nm + OpenSTA per top
#   make power CONFIG=<c>                  activity-based power of the lane, isolation on and off
#   make ice40 [ICE40_CONFIG=<c>]          synth_ice40 + nextpnr-ice40 (UP5K) of the lane and engine
#   make sweep                             many configurations, plots in build/reports/sweep/
#   make synth|power CONFIG=<new name> GEN="<rtl_gen options>"   an ad-hoc configuration
# Everything lands in build/reports/<c>/ (report.json + report.md merge the parts).
# <c> is a configuration of rtl_gen/configs/ (RTL in build/rtl/<c>/) or one
# defined below by SYNTH_GEN_<c> (RTL in build/synth-rtl/<c>/).

REPORTS   := $(BUILD)/reports
SYNTH_RTL := $(BUILD)/synth-rtl
CONFIG    ?= all
TOP       ?=
SYNTH_PY  := constraints/synth.py constraints/flow.py
POWER_PY  := constraints/power.py constraints/flow.py constraints/netlist.py constraints/liberty.py \
             constraints/vcd.py constraints/power_tb.v

# Configurations generated here (rtl_gen options; --name and --out are added).
#  ice40: the small iCE40 design: 4-bit and 8-bit integers and FP4, four lanes x J=1.
SYNTH_GEN_ice40 := --lanes 4 --stream-width 64 --wfmts int4,int8,fp4 --afmts int4,int8,fp4
# GEN="<rtl_gen options>" on the command line defines configuration CONFIG
# from them (a new name: the configurations of rtl_gen/configs/ are files).
ifneq ($(strip $(GEN)),)
ifneq ($(filter $(CONFIG),$(RTL_CFGS))$(SYNTH_GEN_$(CONFIG)),)
$(error GEN= defines a new configuration, but CONFIG=$(CONFIG) exists (rtl_gen/configs/ or SYNTH_GEN_$(CONFIG) in constraints/synth.mk): name it, e.g. CONFIG=my_lane)
endif
SYNTH_GEN_$(CONFIG) := $(GEN)
endif

# $(call cfg_rtl,<c>): the RTL directory of configuration <c>.
cfg_rtl = $(if $(wildcard rtl_gen/configs/$(1).cfg),$(BUILD)/rtl/$(1),$(SYNTH_RTL)/$(1))
# $(call cfg_gen,<c>): rtl_gen options of <c> (a config file or SYNTH_GEN_<c>).
cfg_gen = $(if $(wildcard rtl_gen/configs/$(1).cfg),--config rtl_gen/configs/$(1).cfg,$(SYNTH_GEN_$(1)))

# <c>.opts holds the options the RTL was generated with and changes only
# when they do, so a new GEN= regenerates the RTL (and with it the reports).
define synth_gen_cfg # $(1)=config name
$(SYNTH_RTL)/$(1).opts: FORCE
	@mkdir -p $$(@D); echo '$(SYNTH_GEN_$(1))' | cmp -s - $$@ 2>/dev/null || echo '$(SYNTH_GEN_$(1))' > $$@
$(SYNTH_RTL)/$(1)/$(1).f: $(BUILD)/bin/rtl_gen constraints/synth.mk $(SYNTH_RTL)/$(1).opts
	$(BUILD)/bin/rtl_gen $(SYNTH_GEN_$(1)) --name $(1) --out $(SYNTH_RTL)/$(1)
endef
.PHONY: FORCE
FORCE:
$(foreach c,$(patsubst SYNTH_GEN_%,%,$(filter SYNTH_GEN_%,$(.VARIABLES))),$(eval $(call synth_gen_cfg,$(c))))

# The isolation-off twin of every configuration, for `make power`.
define synth_noiso_cfg # $(1)=config name
$(SYNTH_RTL)/$(1)_noiso/$(1)_noiso.f: $(BUILD)/bin/rtl_gen constraints/synth.mk $(wildcard rtl_gen/configs/$(1).cfg) \
    $(if $(SYNTH_GEN_$(1)),$(SYNTH_RTL)/$(1).opts)
	$(BUILD)/bin/rtl_gen $(call cfg_gen,$(1)) --isolate off --name $(1)_noiso --out $(SYNTH_RTL)/$(1)_noiso
endef
$(foreach c,$(RTL_CFGS) $(patsubst SYNTH_GEN_%,%,$(filter SYNTH_GEN_%,$(.VARIABLES))),$(eval $(call synth_noiso_cfg,$(c))))

# Configuration checks and one top's synthesis, skipped when its report is
# newer than the RTL and the flow scripts.
define check_cfg
	@if [ ! -f rtl_gen/configs/$(1).cfg ] && [ -z "$(SYNTH_GEN_$(1))" ]; then \
	  echo "$(2): no configuration '$(1)': expected rtl_gen/configs/$(1).cfg, SYNTH_GEN_$(1) in constraints/synth.mk, or GEN=\"<rtl_gen options>\" to define it" >&2; exit 2; fi
endef
# $(call synth_one,<rtl dir>,<top>,<out dir>,<extra synth.py flags>)
define synth_one
	@r=$(3)/report.json; f=$(1)/$$(basename $(1)).f; \
	if [ -f $$r ] && [ $$r -nt $$f ] && [ $$r -nt constraints/synth.py ] && [ $$r -nt constraints/flow.py ]; then \
	  echo "synth: $(3) is up to date"; \
	else python3 constraints/synth.py --rtl $(1) --top $(2) --out $(3) $(4) > $(3).log 2>&1 \
	  || { tail -20 $(3).log >&2; echo "synth: $(2) of $(1) FAILED (log: $(3).log)" >&2; exit 1; }; \
	  echo "synth: $(3)/report.md"; fi
endef

.PHONY: synth power ice40 sweep
synth: | deps ## area (Xilinx xcup/xc7, OSU 180 nm) and Fmax (OpenSTA): CONFIG=<c> [TOP=npe_lane|npe_engine|npe_coproc] [GEN="<rtl_gen options>"]
	$(call check_cfg,$(CONFIG),synth)
	@$(MAKE) --no-print-directory $(call cfg_rtl,$(CONFIG))/$(CONFIG).f
	@mkdir -p $(REPORTS)/$(CONFIG)
	@tops="$(or $(TOP),npe_lane npe_engine $(if $(wildcard $(call cfg_rtl,$(CONFIG))/npe_coproc.v),npe_coproc))"; \
	for t in $$tops; do $(MAKE) --no-print-directory synth-top SYNTH_R=$(call cfg_rtl,$(CONFIG)) \
	  SYNTH_T=$$t SYNTH_O=$(REPORTS)/$(CONFIG)/$$t || exit 1; done
	python3 constraints/report.py --dir $(REPORTS)/$(CONFIG) --require synth \
	  $(if $(TOP),--tops "$$(echo $(TOP) | tr ' ' ,)") > /dev/null
	@echo "synth: $(REPORTS)/$(CONFIG)/report.md"

.PHONY: synth-top
synth-top:
	$(call synth_one,$(SYNTH_R),$(SYNTH_T),$(SYNTH_O),$(SYNTH_F))

# ---------------------------------------------------------------- power
# The workload generator links the model runner's loader (host/model.c); an
# optimized and a sanitizer build, like the other C programs (c_variant).
define power_stim_variant # $(1)=object/bin root, $(2)=extra flags
$(1)/bin/power_stim: $(1)/obj/constraints/power_stim.o $(1)/obj/host/model.o $(1)/obj/host/sha256.o \
    $(1)/lib/libkref.a
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $(2) $$^ -o $$@ $$(LDLIBS)
$(1)/obj/constraints/power_stim.o: CFLAGS += -Ihost
$(1)/obj/constraints/power_stim.o: $$(HOST_HDRS)
endef
$(eval $(call power_stim_variant,$(BUILD),))
$(eval $(call power_stim_variant,$(BUILD)/asan,$(SANFLAGS)))
# `make test` runs the workload generator and a small power flow (tests/synth/)
build-tests: $(BUILD)/bin/power_stim
build-tests-asan: $(BUILD)/asan/bin/power_stim

POWER_PAIRS ?= int4:int8,int8:int8,fp4:fp4,mxfp4:mxfp4,posit8_0:posit8_0,ovp4:ovp4,ovp8:int8,int16:int16,posit16_1:posit16_1
POWER_ROWS  ?= 0
POWER_REF   ?= auto
POWER_GLITCH_ROWS ?= 8
POWER_FLAGS  = --stim-bin $(BUILD)/bin/power_stim --pairs $(POWER_PAIRS) --rows $(POWER_ROWS) \
               --glitch-rows $(POWER_GLITCH_ROWS) --model-dir $(MODEL_DIR)

power: | deps ## activity-based power per format (tiny-llama workload, OSU 180 nm, isolation on/off): CONFIG=<c> [GEN="<rtl_gen options>"]
	$(call check_cfg,$(CONFIG),power)
	@$(MAKE) --no-print-directory $(BUILD)/bin/power_stim $(call cfg_rtl,$(CONFIG))/$(CONFIG).f \
	  $(SYNTH_RTL)/$(CONFIG)_noiso/$(CONFIG)_noiso.f
	@mkdir -p $(REPORTS)/$(CONFIG)
	@$(MAKE) --no-print-directory synth-top SYNTH_R=$(call cfg_rtl,$(CONFIG)) SYNTH_T=npe_lane \
	  SYNTH_O=$(REPORTS)/$(CONFIG)/npe_lane
	@$(MAKE) --no-print-directory synth-top SYNTH_R=$(SYNTH_RTL)/$(CONFIG)_noiso SYNTH_T=npe_lane \
	  SYNTH_O=$(REPORTS)/$(CONFIG)/noiso_lane SYNTH_F=--skip-xilinx
	python3 constraints/power.py --rtl $(call cfg_rtl,$(CONFIG)) --synth $(REPORTS)/$(CONFIG)/npe_lane \
	  --out $(REPORTS)/$(CONFIG)/power $(POWER_FLAGS) --reference $(POWER_REF) > /dev/null
	python3 constraints/power.py --rtl $(SYNTH_RTL)/$(CONFIG)_noiso --synth $(REPORTS)/$(CONFIG)/noiso_lane \
	  --out $(REPORTS)/$(CONFIG)/power_noiso $(POWER_FLAGS) --reference none > /dev/null
	python3 constraints/report.py --dir $(REPORTS)/$(CONFIG) --require power > /dev/null
	@echo "power: $(REPORTS)/$(CONFIG)/report.md"

# ---------------------------------------------------------------- iCE40
ICE40_CONFIG ?= ice40
ice40: | deps ## Yosys synth_ice40 -dsp + nextpnr-ice40 (UP5K SG48) of ICE40_CONFIG's lane and engine
	$(call check_cfg,$(ICE40_CONFIG),ice40)
	@$(MAKE) --no-print-directory $(call cfg_rtl,$(ICE40_CONFIG))/$(ICE40_CONFIG).f
	@mkdir -p $(REPORTS)/$(ICE40_CONFIG)
	@for t in npe_lane npe_engine; do o=$(REPORTS)/$(ICE40_CONFIG)/ice40_$$t; \
	  python3 constraints/ice40.py --rtl $(call cfg_rtl,$(ICE40_CONFIG)) --top $$t --out $$o > $$o.log 2>&1 \
	  || { tail -20 $$o.log >&2; echo "ice40: $$t FAILED (log: $$o.log)" >&2; exit 1; }; \
	  echo "ice40: $$o/ice40.md"; done
	python3 constraints/report.py --dir $(REPORTS)/$(ICE40_CONFIG) --require ice40 > /dev/null
	@echo "ice40: $(REPORTS)/$(ICE40_CONFIG)/report.md"

# ---------------------------------------------------------------- sweep
sweep: | deps ## synthesize a set of configurations and plot them (build/reports/sweep/; long: run with nice)
	@$(MAKE) --no-print-directory $(BUILD)/bin/rtl_gen $(BUILD)/bin/power_stim
	python3 constraints/sweep.py --out $(REPORTS)/sweep --rtl-gen $(BUILD)/bin/rtl_gen \
	  --stim-bin $(BUILD)/bin/power_stim --model-dir $(MODEL_DIR)
