# rtl_gen/rtl_gen.mk - the Verilog generator (included by the top Makefile).
#
#   make build-rtl            build/bin/rtl_gen
#   make rtl                  generate every configuration rtl_gen/configs/<c>.cfg into build/rtl/<c>/
#   make rtl-check            lint (Verilator, Icarus) and synthesize (Yosys) every configuration
#   make golden               regenerate the committed reference RTL rtl_gen/golden/all/
#
# The generator links kernels_ref (build/lib/libkref.a): the formats and the
# accumulator defaults come from the same registry as the reference model.

RTL_GEN_SRC    := $(wildcard rtl_gen/*.c)
RTL_GEN_HDR    := $(wildcard rtl_gen/*.h) $(wildcard kernels_ref/*.h kernels_ref/*.def)
RTL_GEN_OBJ    := $(patsubst %.c,$(BUILD)/obj/%.o,$(RTL_GEN_SRC))
RTL_CFGS       := $(patsubst rtl_gen/configs/%.cfg,%,$(wildcard rtl_gen/configs/*.cfg))
RTL_GOLDEN_CFG := all
RTL_GOLDEN_DIR := rtl_gen/golden/$(RTL_GOLDEN_CFG)

$(RTL_GEN_OBJ): $(RTL_GEN_HDR)

$(BUILD)/bin/rtl_gen: $(RTL_GEN_OBJ) $(BUILD)/lib/libkref.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

# One rule per configuration; <c>.f stands for the whole output directory.
define rtl_config
$(BUILD)/rtl/$(1)/$(1).f: $(BUILD)/bin/rtl_gen rtl_gen/configs/$(1).cfg
	$(BUILD)/bin/rtl_gen --config rtl_gen/configs/$(1).cfg --out $(BUILD)/rtl/$(1)
endef
$(foreach c,$(RTL_CFGS),$(eval $(call rtl_config,$(c))))

.PHONY: build-rtl rtl rtl-check golden
build-rtl: $(BUILD)/bin/rtl_gen ## build the Verilog generator (build/bin/rtl_gen; --help lists its parameters)

rtl: $(foreach c,$(RTL_CFGS),$(BUILD)/rtl/$(c)/$(c).f) ## generate every configuration (rtl_gen/configs/*.cfg) into build/rtl/<c>/

rtl-check: $(BUILD)/bin/rtl_gen ## lint (verilator -Wall, iverilog -Wall) and synthesize (yosys) every configuration
	@for c in $(RTL_CFGS); do for k in lint synth; do \
	  tests/rtl/check_rtl.sh $$k $$c || exit 1; done; done

golden: $(BUILD)/bin/rtl_gen ## regenerate the committed reference RTL rtl_gen/golden/all/ (review the diff!)
	rm -rf $(RTL_GOLDEN_DIR).new
	$(BUILD)/bin/rtl_gen --config rtl_gen/configs/$(RTL_GOLDEN_CFG).cfg --out $(RTL_GOLDEN_DIR).new
	rm -rf $(RTL_GOLDEN_DIR) && mv $(RTL_GOLDEN_DIR).new $(RTL_GOLDEN_DIR)
	@echo "golden: $(RTL_GOLDEN_DIR) regenerated; review it with git diff $(RTL_GOLDEN_DIR)"

# The tests of tests/rtl/ need the generator; the co-simulation needs the RTL.
test: build-rtl rtl

# The stimulus generator of the Icarus smoke test (tests/rtl/check_rtl.sh sim).
$(BUILD)/bin/rtl_vectors: $(BUILD)/obj/tests/rtl/rtl_vectors.o $(BUILD)/lib/libkref.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)
build-rtl: $(BUILD)/bin/rtl_vectors
