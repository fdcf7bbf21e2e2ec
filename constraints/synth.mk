# constraints/synth.mk - synthesis and timing reports (included by the top
# Makefile).  make synth CONFIG=<cfg> TOP=<module> writes
# build/reports/<cfg>/<module>/report.{json,md}; see constraints/synth.py.
CONFIG ?= int
TOP    ?= npe_engine

.PHONY: synth
synth: | deps ## area (Xilinx xcup/xc7, OSU 180 nm) and Fmax (OpenSTA): CONFIG=<rtl_gen/configs name> TOP=npe_engine|npe_lane
	@[ -f rtl_gen/configs/$(CONFIG).cfg ] || { echo "synth: no configuration rtl_gen/configs/$(CONFIG).cfg" >&2; exit 2; }
	@$(MAKE) --no-print-directory $(BUILD)/rtl/$(CONFIG)/$(CONFIG).f
	python3 constraints/synth.py --rtl $(BUILD)/rtl/$(CONFIG) --top $(TOP) --out $(BUILD)/reports/$(CONFIG)/$(TOP)
