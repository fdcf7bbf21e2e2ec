# Makefile - every entry point of the project.  `make help` lists them.
#
# Layout: kernels_ref/ (bit-exact reference, a C library), rtl_gen/ (Verilog
# generator), sim/ (co-simulation), host/ (driver), tests/ (one runner),
# constraints/ (flow scripts), docs/.  Everything built goes to build/.

SHELL := /bin/bash
.DEFAULT_GOAL := help

BUILD   := build
CC      := gcc
CFLAGS  := -std=c11 -O2 -g -Wall -Wextra -Werror -Ikernels_ref
LDLIBS  := -lm
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
MODEL   ?= tiny-llama
MODEL_DIR ?= ../shared/models/tiny-llama

# ---------------------------------------------------------------- deps
# tool-or-file:debian-package; installed only when missing.
DEPS := verilator:verilator iverilog:iverilog yosys:yosys sta:opensta \
        gtkwave:gtkwave nextpnr-ice40:nextpnr-ice40 icepack:fpga-icestorm \
        gnuplot:gnuplot-nox xvfb-run:xvfb fusermount3:fuse3 g++:g++ \
        /usr/include/systemc.h:libsystemc-dev \
        /usr/include/fuse3/fuse.h:libfuse3-dev \
        /usr/share/qflow/tech/osu018/osu018_stdcells.lib:qflow-tech-osu018
# Oracle packages for the numerics tests (PyPI), in a virtualenv under build/.
PY_ORACLES := numpy ml_dtypes==0.6.0 softposit==0.3.4.4
VENV := $(BUILD)/venv

.PHONY: deps
deps: ## install missing Debian packages (apt-get) and the Python oracles
	@missing=""; for d in $(DEPS); do t=$${d%%:*}; p=$${d##*:}; \
	  if [[ $$t == /* ]]; then [ -e "$$t" ] || missing="$$missing $$p"; \
	  else command -v "$$t" >/dev/null || missing="$$missing $$p"; fi; done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "deps: need root to apt-get install$$missing" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	    || { echo "deps: apt-get install$$missing failed" >&2; exit 1; }; \
	fi
	@$(MAKE) --no-print-directory $(VENV)/.stamp

# The oracles are optional: when PyPI cannot be reached the oracle tests
# skip with the reason recorded here instead of passing.
$(VENV)/.stamp:
	@mkdir -p $(BUILD); rm -f $(VENV)/UNAVAILABLE
	@echo "deps: creating $(VENV) with $(PY_ORACLES)"
	@if python3 -m venv $(VENV) >$(BUILD)/venv.log 2>&1 && \
	   $(VENV)/bin/pip install -q $(PY_ORACLES) >>$(BUILD)/venv.log 2>&1; then \
	  touch $@; \
	else mkdir -p $(VENV); echo "pip install $(PY_ORACLES) failed (see $(BUILD)/venv.log)" > $(VENV)/UNAVAILABLE; \
	  touch $@; echo "deps: oracle packages unavailable; oracle tests will be skipped" >&2; fi

# ---------------------------------------------------------------- C builds
# Two variants: build/ (optimized) and build/asan/ (AddressSanitizer+UBSan).
KREF_LIB_SRC := $(filter-out kernels_ref/kref.c,$(wildcard kernels_ref/*.c))
UNIT_SRC     := $(wildcard tests/unit/test_*.c)
HDRS         := $(wildcard kernels_ref/*.h kernels_ref/*.def tests/unit/*.h)

define c_variant # $(1)=object/bin root, $(2)=extra flags
$(1)/obj/%.o: %.c $$(HDRS)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $(2) -c $$< -o $$@
$(1)/lib/libkref.a: $$(patsubst %.c,$(1)/obj/%.o,$$(KREF_LIB_SRC))
	@mkdir -p $$(@D)
	ar rcs $$@ $$^
$(1)/bin/kref: $(1)/obj/kernels_ref/kref.o $(1)/lib/libkref.a
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $(2) $$^ -o $$@ $$(LDLIBS)
$(1)/bin/test_%: $(1)/obj/tests/unit/test_%.o $(1)/lib/libkref.a
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $(2) $$^ -o $$@ $$(LDLIBS)
endef
$(eval $(call c_variant,$(BUILD),))
$(eval $(call c_variant,$(BUILD)/asan,$(SANFLAGS)))

UNIT_BINS = $(patsubst tests/unit/%.c,$(1)/bin/%,$(UNIT_SRC)) $(1)/bin/kref

.PHONY: kref
kref: $(BUILD)/bin/kref ## build the reference library and its CLI (build/bin/kref)

.PHONY: build-tests build-tests-asan
build-tests: $(call UNIT_BINS,$(BUILD))
build-tests-asan: $(call UNIT_BINS,$(BUILD)/asan)

# Per-directory rules: the generator and the co-simulation.
-include rtl_gen/rtl_gen.mk
-include sim/sim.mk
-include sim/vip/vip.mk
-include sim/coproc.mk
-include sim/wave/wave.mk
-include host/host.mk
-include constraints/synth.mk
-include sim/systemc/systemc.mk

# Every user-facing target installs what it needs first (order-only, so a
# satisfied `deps` never forces a rebuild).
USER_TARGETS := kref build-tests build-tests-asan build-rtl rtl rtl-check golden \
                sim-blocks sim-trace sim-wave sim-mutants run-model sim-coproc bench
$(USER_TARGETS): | deps

# ---------------------------------------------------------------- tests
.PHONY: test test-asan
test: deps build-tests build-tests-asan ## run the whole test suite (includes one sanitizer pass)
	@python3 tests/run.py --asan

test-asan: deps build-tests-asan ## run only the C tests under AddressSanitizer + UBSan
	@python3 tests/run.py --only-asan

# ---------------------------------------------------------------- model
.PHONY: sim
sim: deps ## run MODEL=tiny-llama with every matrix-vector product on the simulated co-processor (BACKEND=sim|emu, STEPS, WFMT, AFMT; host/host.mk)
	@$(MAKE) --no-print-directory host-sim

# ---------------------------------------------------------------- misc
# Keep intermediate objects (make would delete and rebuild them each run).
.SECONDARY:

.PHONY: clean help
clean: ## remove build/
	rm -rf $(BUILD)

help: ## list the targets
	@echo "Targets:"; grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
	  sed -E 's/^([a-zA-Z0-9_-]+):.*## (.*)/  \1\t\2/' | expand -t 20
	@echo "Variables: MODEL=$(MODEL) MODEL_DIR=$(MODEL_DIR)"
