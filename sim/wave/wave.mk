# sim/wave/wave.mk - waveforms of the AXI co-processor (issue 5).  Included
# by the top Makefile after sim/coproc.mk, whose traced builds
# (build/sim/<c>-trace/tb_coproc, Verilator --trace-fst) it runs.
#
#   make wave TEST=jobs COPROC_JOBS=3     re-run one tb_coproc test with FST
#                                         tracing and open it in GTKWave
#   make wave-png TEST=jobs               the same view rendered headless
#                                         (xvfb-run) to PNG, for the docs
#
# TEST: a tb_coproc test (WAVE_TESTS; default jobs), WAVE_CFG: the
# configuration (default all), TEST_SEED: the seed (default WAVE_SEED),
# COPROC_JOBS: jobs of `jobs` (default WAVE_JOBS).  Outputs, per <c>_<test>:
#   build/waves/<c>_<test>.fst    the trace (a failing test is traced too:
#                                 that is when a waveform is wanted)
#   build/waves/<c>_<test>.log    the test's output
#   build/waves/<c>_<test>.gtkw   the view (sim/wave/gtkw_gen.py, from the
#                                 trace): groups AXI4-Lite, s_axis in, m_axis
#                                 out, control, engine / lane 0; zoomed to the
#                                 first job; *_st/_fmt/_cause.txt name filters
#   build/waves/<c>_<test>.png    (wave-png) copied to WAVE_DOC_PNG
# Without $DISPLAY, `make wave` prints the files and the command to open
# them instead of starting GTKWave.  `make test` builds the traced model of
# WAVE_TEST_CFG (its failure fails the wave_view test with the reason) and
# runs sim/wave/wave_test.sh.

WAVE_CFG   ?= all
WAVE_TESTS := regs jobs b2b errors irq bench
# sim/sim.mk gives TEST a default for its own tests; only a TEST the user
# set (command line or environment) names a tb_coproc test here.
WAVE_TEST  := $(if $(filter command line environment,$(origin TEST)),$(TEST),jobs)
# Seed 13: the first job of `jobs` is short (11 rows x 8 columns of posit4_1
# x mxfp4 in all), so the docs' picture shows one whole job.
WAVE_SEED  ?= 13
WAVE_JOBS  ?= 8
WAVE_DIR   := $(BUILD)/waves
WAVE_BIN    = $(SIM_BUILD)/$(WAVE_CFG)-trace/tb_coproc
WAVE_BASE   = $(WAVE_DIR)/$(WAVE_CFG)_$(WAVE_TEST)
WAVE_DOC_PNG ?= docs/img/$(if $(filter all_jobs,$(WAVE_CFG)_$(WAVE_TEST)),wave_coproc,wave_$(WAVE_CFG)_$(WAVE_TEST)).png
# The headless screen: larger than the view's [size] (gtkw_gen.py WIN_W, WIN_H).
WAVE_SCREEN := 1700x2300x24
WAVE_TIMEOUT ?= 120

ifneq ($(filter wave wave-png wave-run,$(MAKECMDGOALS)),)
ifeq ($(filter $(WAVE_CFG),$(COPROC_CFGS)),)
$(error WAVE_CFG=$(WAVE_CFG) has no co-processor model; use one of: $(COPROC_CFGS))
endif
ifeq ($(filter $(WAVE_TEST),$(WAVE_TESTS)),)
$(error TEST=$(WAVE_TEST) is not a tb_coproc test; use one of: $(WAVE_TESTS) (e.g. make wave TEST=jobs COPROC_JOBS=3))
endif
endif

.PHONY: wave wave-png wave-run wave-test-build
wave-run: | deps

# Trace one test (written to a temporary name, renamed when complete) and
# generate its view.  A failing test still gets its waveform.
wave-run: $(WAVE_BIN)
	@mkdir -p $(WAVE_DIR)
	@rm -f $(WAVE_BASE).tmp.fst
	@seed=$${TEST_SEED:-$(WAVE_SEED)}; jobs=$${COPROC_JOBS:-$(WAVE_JOBS)}; \
	echo "wave: $(WAVE_CFG) $(WAVE_TEST) (TEST_SEED=$$seed COPROC_JOBS=$$jobs) -> $(WAVE_BASE).fst"; \
	if TEST_SEED=$$seed COPROC_JOBS=$$jobs $(WAVE_BIN) $(WAVE_TEST) +trace=$(WAVE_BASE).tmp.fst \
	     >$(WAVE_BASE).log 2>&1; then tail -n 1 $(WAVE_BASE).log; \
	else echo "wave: the test FAILED (the trace shows it): $$(tail -n 1 $(WAVE_BASE).log); see $(WAVE_BASE).log"; fi
	@if [ ! -s $(WAVE_BASE).tmp.fst ]; then \
	  echo "wave: $(WAVE_BIN) wrote no trace (see $(WAVE_BASE).log)" >&2; exit 1; fi
	@mv $(WAVE_BASE).tmp.fst $(WAVE_BASE).fst
	@python3 sim/wave/gtkw_gen.py gen $(WAVE_BASE).fst -o $(WAVE_BASE).gtkw \
	  --params $(BUILD)/rtl/$(WAVE_CFG)/$(WAVE_CFG)_params.h

wave: wave-run ## re-run one co-processor test with FST tracing and open it in GTKWave (TEST=jobs COPROC_JOBS=3 WAVE_CFG=all)
	@if [ -z "$$DISPLAY" ]; then \
	  echo "wave: no DISPLAY, so GTKWave is not started.  The trace and its view:"; \
	  echo "  $(WAVE_BASE).fst"; echo "  $(WAVE_BASE).gtkw"; \
	  echo "open them where there is a display (from $(CURDIR)) with"; \
	  echo "  gtkwave -S sim/wave/view.tcl $(WAVE_BASE).fst $(WAVE_BASE).gtkw"; \
	  echo "or render the view here: make wave-png TEST=$(WAVE_TEST) WAVE_CFG=$(WAVE_CFG)"; \
	else echo "wave: gtkwave -S sim/wave/view.tcl $(WAVE_BASE).fst $(WAVE_BASE).gtkw"; \
	  gtkwave -S sim/wave/view.tcl $(WAVE_BASE).fst $(WAVE_BASE).gtkw; fi

wave-png: wave-run ## render the `make wave` view headless (xvfb) to build/waves/<cfg>_<test>.png and docs/img/
	@command -v xvfb-run >/dev/null || { echo "wave-png: xvfb-run not found (make deps installs xvfb)" >&2; exit 1; }
	@rm -f $(WAVE_BASE).tmp.png
	@WAVE_PNG=$(abspath $(WAVE_BASE).tmp.png) timeout $(WAVE_TIMEOUT) xvfb-run -a -s "-screen 0 $(WAVE_SCREEN)" \
	  gtkwave -S sim/wave/view.tcl $(WAVE_BASE).fst $(WAVE_BASE).gtkw >$(WAVE_BASE).png.log 2>&1; \
	rc=$$?; if [ ! -s $(WAVE_BASE).tmp.png ]; then \
	  echo "wave-png: GTKWave wrote no PNG (exit $$rc; see $(WAVE_BASE).png.log)" >&2; exit 1; fi; \
	grep '^view.tcl' $(WAVE_BASE).png.log
	@mv $(WAVE_BASE).tmp.png $(WAVE_BASE).png
	@mkdir -p $(dir $(WAVE_DOC_PNG))
	@cp $(WAVE_BASE).png $(WAVE_DOC_PNG).tmp && mv $(WAVE_DOC_PNG).tmp $(WAVE_DOC_PNG)
	@echo "wave-png: $(WAVE_BASE).png, copied to $(WAVE_DOC_PNG)"

# ---------------------------------------------------------------- make test
# The wave_view test (sim/wave/wave_test.sh) traces one short test of this
# configuration (the smallest model: about 15 s to build).  A build failure
# fails that test with the reason instead of stopping `make test`.
WAVE_TEST_CFG := int
wave-test-build: $(BUILD)/lib/libkref.a $(BUILD)/rtl/$(WAVE_TEST_CFG)/$(WAVE_TEST_CFG).f
	+@mkdir -p $(WAVE_DIR); t0=$$(date +%s); \
	if $(SIM_MAKE) $(SIM_BUILD)/$(WAVE_TEST_CFG)-trace/tb_coproc >$(WAVE_DIR)/test-build.log 2>&1; then \
	  echo "wave: traced $(WAVE_TEST_CFG) co-processor built in $$(( $$(date +%s) - t0 )) s"; \
	else rm -f $(SIM_BUILD)/$(WAVE_TEST_CFG)-trace/tb_coproc; \
	  echo "wave: traced $(WAVE_TEST_CFG) co-processor FAILED to build (wave_view will fail): see $(WAVE_DIR)/test-build.log" >&2; fi

test: wave-test-build
