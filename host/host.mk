# host/host.mk - the host side: the model runner, its backends and the XDMA
# emulator.  Included by the top Makefile after sim/coproc.mk; uses its CC,
# CFLAGS, LDLIBS, SANFLAGS, BUILD, MODEL and MODEL_DIR, its c_variant pattern
# rule (host/*.c -> <root>/obj/host/*.o), and coproc.mk's coproc_lib.
#
#   build/bin/run_model (+ build/asan/)  backends fp32, ref, xdma, emu
#   build/host/<c>/run_model             the same plus sim: linked with the
#                                        Verilated co-processor of configuration <c>
#   build/host/<c>/xdma_emu              the XDMA emulator (FUSE) around that model
#   build/host/<c>-trace/...             the same with FST tracing (--sim-trace FILE)
#   build/bin/accuracy                   the accuracy table (docs/accuracy.md)
#
# The register map comes from the default configuration's generated header
# (NPE_PARAMS_H; the map is the same for every configuration), the geometry
# of a co-processor at run time (its CAP registers, or --config's header).

HOST_CFG    ?= all
HOST_PARAMS := $(BUILD)/rtl/$(HOST_CFG)/$(HOST_CFG)_params.h
HOST_RTL    := $(BUILD)/rtl/$(HOST_CFG)/$(HOST_CFG).f# rtl_gen's rule: stands for the directory
HOST_HDRS   := $(wildcard host/*.h)
HOST_UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_host_*.c))
HOST_CORE   := model sha256 hwcfg qbackend npe_dev dev_xdma packer
RUN_MODEL_OBJS := $(addprefix host/,$(addsuffix .o,run_model backends $(HOST_CORE)))
HOST_SIM_OBJS  := $(addprefix host/,$(addsuffix .o,$(HOST_CORE) coproc_pins dev_sim))
HOST_REG_FLAGS := -DNPE_PARAMS_H='"$(abspath $(HOST_PARAMS))"'
HOST_LDLIBS    := $(LDLIBS) -pthread
FUSE_CFLAGS     = $(shell pkg-config --cflags fuse3 2>/dev/null || echo -I/usr/include/fuse3)
FUSE_LIBS       = $(shell pkg-config --libs fuse3 2>/dev/null || echo -lfuse3 -lpthread)

define host_variant # $(1)=object/bin root, $(2)=extra flags (as c_variant)
$(1)/bin/run_model: $(addprefix $(1)/obj/,$(RUN_MODEL_OBJS)) $(1)/lib/libkref.a
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $(2) $$^ -o $$@ $$(HOST_LDLIBS)
$(1)/bin/accuracy: $(addprefix $(1)/obj/host/,accuracy.o model.o sha256.o hwcfg.o qbackend.o packer.o) \
    $(1)/lib/libkref.a
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $(2) $$^ -o $$@ $$(HOST_LDLIBS)
# the stream packer's unit test links the packer (c_variant's test_% links libkref.a only)
$(1)/bin/test_packer: $(1)/obj/tests/unit/test_packer.o $(1)/obj/host/packer.o $(1)/lib/libkref.a
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $(2) $$^ -o $$@ $$(LDLIBS)
$(1)/obj/host/packer.o $(1)/obj/tests/unit/test_packer.o: host/packer.h
$(1)/bin/test_host_%: $(1)/obj/tests/unit/test_host_%.o \
    $(addprefix $(1)/obj/host/,model.o sha256.o hwcfg.o qbackend.o npe_dev.o packer.o) $(1)/lib/libkref.a
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $(2) $$^ -o $$@ $$(HOST_LDLIBS)
$(addprefix $(1)/obj/,$(RUN_MODEL_OBJS) host/accuracy.o host/coproc_pins.o host/dev_sim.o \
    host/xdma_emu.o): $$(HOST_HDRS)
$(1)/obj/host/npe_dev.o $(1)/obj/host/backends.o: $(HOST_RTL)
$(1)/obj/host/npe_dev.o $(1)/obj/host/backends.o: CFLAGS += $(HOST_REG_FLAGS)
$(1)/obj/host/coproc_pins.o $(1)/obj/host/dev_sim.o: CFLAGS += -Isim
$(1)/obj/host/coproc_pins.o $(1)/obj/host/dev_sim.o: sim/vsim.h
$(1)/obj/host/xdma_emu.o: CFLAGS += -Isim $$(FUSE_CFLAGS)
$(1)/obj/tests/unit/test_host_%.o: CFLAGS += -Ihost $(HOST_REG_FLAGS)
# explicit targets: prerequisites on a recipe-less pattern rule would be ignored,
# and a fresh clone must generate the header before compiling these
$(addprefix $(1)/obj/tests/unit/,$(addsuffix .o,$(HOST_UNIT_TESTS))): $$(HOST_HDRS) $(HOST_RTL)
# tests/unit/test_sha256.c (built by c_variant's test_% rule, which links
# only libkref.a) compiles host/sha256.c in itself; rebuild it when that changes.
$(1)/obj/tests/unit/test_sha256.o: host/sha256.c host/sha256.h
endef
$(eval $(call host_variant,$(BUILD),))
$(eval $(call host_variant,$(BUILD)/asan,$(SANFLAGS)))

# ---------------------------------------------------------------- with a co-processor model
# Per configuration <c>: run_model with the sim backend, and the emulator.
# run_model.c and backends.c are compiled again with the sim backend in.
define host_sim_cfg # $(1)=config, $(2)=variant suffix ("" or -trace: FST tracing compiled in)
$(BUILD)/host/$(1)$(2)/obj/%.o: host/%.c $$(HOST_HDRS) $(HOST_RTL) $(BUILD)/rtl/$(1)/$(1).f
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -Isim $(HOST_REG_FLAGS) -DHOST_WITH_SIM -DHOST_SIM_CFG='"$(1)"' -c $$< -o $$@
$(BUILD)/host/$(1)$(2)/run_model: $(BUILD)/host/$(1)$(2)/obj/run_model.o \
    $(BUILD)/host/$(1)$(2)/obj/backends.o $(addprefix $(BUILD)/obj/,$(HOST_SIM_OBJS)) \
    $(call coproc_lib,$(1),$(2)) $(SIM_BUILD)/vlrt$(2)/libvlrt.a $(BUILD)/lib/libkref.a
	g++ -o $$@ $$(filter %.o %.a,$$^) $$$$(cat $(SIM_BUILD)/vlrt$(2)/vsim.ldlibs) $(HOST_LDLIBS)
$(BUILD)/host/$(1)$(2)/xdma_emu: $(BUILD)/obj/host/xdma_emu.o $(BUILD)/obj/host/coproc_pins.o \
    $(call coproc_lib,$(1),$(2)) $(SIM_BUILD)/vlrt$(2)/libvlrt.a
	@mkdir -p $$(@D)
	g++ -o $$@ $$(filter %.o %.a,$$^) $$$$(cat $(SIM_BUILD)/vlrt$(2)/vsim.ldlibs) $$(FUSE_LIBS) -pthread
endef
$(foreach c,$(COPROC_CFGS),$(eval $(call host_sim_cfg,$(c),)))
$(foreach c,$(COPROC_CFGS),$(eval $(call host_sim_cfg,$(c),-trace)))

HOST_SIM_BIN := $(BUILD)/host/$(HOST_CFG)/run_model
HOST_EMU_BIN := $(BUILD)/host/$(HOST_CFG)/xdma_emu

# `make test` builds the runners too: tests/model/*.sh run them.
build-tests: $(BUILD)/bin/run_model $(BUILD)/bin/accuracy
build-tests-asan: $(BUILD)/asan/bin/run_model $(BUILD)/asan/bin/accuracy

# The end-to-end tests need the default configuration's runner and
# emulator; a build failure becomes their failure (with the log's name), not
# the end of `make test`.
.PHONY: host-sim-test
host-sim-test: $(BUILD)/lib/libkref.a $(BUILD)/rtl/$(HOST_CFG)/$(HOST_CFG).f
	+@mkdir -p $(BUILD)/host; t0=$$(date +%s); \
	if $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) $(HOST_SIM_BIN) $(HOST_EMU_BIN) \
	     >$(BUILD)/host/build.log 2>&1; then \
	  echo "host: run_model and xdma_emu of $(HOST_CFG) built in $$(( $$(date +%s) - t0 )) s"; \
	else rm -f $(HOST_SIM_BIN) $(HOST_EMU_BIN); \
	  echo "host: run_model/xdma_emu of $(HOST_CFG) FAILED to build (their tests will fail): see $(BUILD)/host/build.log" >&2; fi
	+@for c in $(filter-out $(HOST_CFG),$(COPROC_CFGS)); do \
	  $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) $(BUILD)/host/$$c/run_model \
	    >$(BUILD)/host/build-$$c.log 2>&1 || { rm -f $(BUILD)/host/$$c/run_model; \
	    echo "host: run_model of $$c FAILED to build: see $(BUILD)/host/build-$$c.log" >&2; }; done
test: host-sim-test

STEPS   ?= 64
BACKEND ?= fp32
WFMT    ?= int8
AFMT    ?= int8
.PHONY: run-model
run-model: $(BUILD)/bin/run_model ## generate text with MODEL=tiny-llama on the host runner (BACKEND=fp32|ref STEPS=64)
	@if [ "$(MODEL)" != tiny-llama ]; then \
	  echo "run-model: MODEL=$(MODEL) is not supported; the runner knows MODEL=tiny-llama" >&2; exit 2; fi
	$(BUILD)/bin/run_model --model-dir "$(MODEL_DIR)" --steps $(STEPS) --backend $(BACKEND) \
	  --wfmt $(WFMT) --afmt $(AFMT)

# make sim (top Makefile): MODEL=tiny-llama on the simulated co-processor of
# HOST_CFG, BACKEND=sim (in-process, the default) or emu (through the XDMA
# emulator), compared token by token with the ref path and with FP32.
SIM_RUN_BACKEND = $(if $(filter command line environment,$(origin BACKEND)),$(BACKEND),sim)
.PHONY: host-sim
host-sim:
	@if [ "$(MODEL)" != tiny-llama ]; then \
	  echo "make sim: MODEL=$(MODEL) is not supported: the one model is MODEL=tiny-llama (stories260K, read from MODEL_DIR=$(MODEL_DIR))" >&2; exit 2; fi
	@case "$(SIM_RUN_BACKEND)" in sim|emu) ;; *) \
	  echo "make sim: BACKEND=$(SIM_RUN_BACKEND) is not a simulated co-processor; use BACKEND=sim (default) or BACKEND=emu (make run-model runs fp32/ref)" >&2; exit 2;; esac
	@for f in stories260K.bin tok512.bin; do [ -f "$(MODEL_DIR)/$$f" ] || { \
	  $(MAKE) --no-print-directory $(BUILD)/bin/run_model >/dev/null && \
	  $(BUILD)/bin/run_model --model-dir "$(MODEL_DIR)" --steps 1 >/dev/null; exit 1; }; done
	@echo "make sim: building the co-processor of configuration $(HOST_CFG) and the runner (first time: a few minutes)"
	@$(MAKE) --no-print-directory $(HOST_SIM_BIN) $(if $(filter emu,$(SIM_RUN_BACKEND)),$(HOST_EMU_BIN)) \
	  >$(BUILD)/host-sim-build.log 2>&1 || { tail -30 $(BUILD)/host-sim-build.log; \
	  echo "make sim: the build failed; the whole log is $(BUILD)/host-sim-build.log" >&2; exit 1; }
	$(HOST_SIM_BIN) --model-dir "$(MODEL_DIR)" --config $(HOST_CFG) --steps $(STEPS) \
	  --backend $(SIM_RUN_BACKEND) --wfmt $(WFMT) --afmt $(AFMT) --compare ref,fp32

# The accuracy table (DESIGN.md section 6): every format pair's agreement
# with FP32 on the ref path, written to docs/accuracy.md.
ACC_STEPS ?= 64
.PHONY: accuracy
accuracy: $(BUILD)/bin/accuracy $(HOST_RTL) ## per format pair: greedy agreement with FP32, logits error, SQNR per matrix -> docs/accuracy.md (ACC_STEPS=64)
	$(BUILD)/bin/accuracy --model-dir "$(MODEL_DIR)" --config $(HOST_CFG) --steps $(ACC_STEPS) \
	  --out docs/accuracy.md
accuracy: | deps
