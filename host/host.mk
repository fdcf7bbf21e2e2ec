# host/host.mk - the model runner: build/bin/run_model and its asan twin,
# and the SHA-256 unit test's dependencies.  Included by the top Makefile;
# uses its CC, CFLAGS, LDLIBS, SANFLAGS, BUILD, MODEL and MODEL_DIR, and its
# c_variant pattern rule to compile host/*.c into <root>/obj/host/.

HOST_HDRS      := $(wildcard host/*.h)
RUN_MODEL_OBJS := host/run_model.o host/model.o host/sha256.o

define host_variant # $(1)=object/bin root, $(2)=extra flags (as c_variant)
$(1)/bin/run_model: $(addprefix $(1)/obj/,$(RUN_MODEL_OBJS))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $(2) $$^ -o $$@ $$(LDLIBS)
$(addprefix $(1)/obj/,$(RUN_MODEL_OBJS)): $$(HOST_HDRS)
# tests/unit/test_sha256.c (built by c_variant's test_% rule, which links
# only libkref.a) compiles host/sha256.c in itself; rebuild it when that changes.
$(1)/obj/tests/unit/test_sha256.o: host/sha256.c host/sha256.h
endef
$(eval $(call host_variant,$(BUILD),))
$(eval $(call host_variant,$(BUILD)/asan,$(SANFLAGS)))

# `make test` builds the runner too: tests/model/*.sh run both variants.
build-tests: $(BUILD)/bin/run_model
build-tests-asan: $(BUILD)/asan/bin/run_model

STEPS   ?= 64
BACKEND ?= fp32
.PHONY: run-model
run-model: $(BUILD)/bin/run_model ## generate text with MODEL=tiny-llama on the host runner (BACKEND=fp32 STEPS=64)
	@if [ "$(MODEL)" != tiny-llama ]; then \
	  echo "run-model: MODEL=$(MODEL) is not supported; the runner knows MODEL=tiny-llama" >&2; exit 2; fi
	$(BUILD)/bin/run_model --model-dir "$(MODEL_DIR)" --steps $(STEPS) --backend $(BACKEND)

# The stream packer (docs/protocol.md) and its unit test, which links it.
define packer_variant # $(1)=object/bin root
$(1)/bin/test_packer: $(1)/obj/tests/unit/test_packer.o $(1)/obj/host/packer.o $(1)/lib/libkref.a
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $(2) $$^ -o $$@ $$(LDLIBS)
$(1)/obj/host/packer.o $(1)/obj/tests/unit/test_packer.o: host/packer.h
endef
$(eval $(call packer_variant,$(BUILD),))
$(eval $(call packer_variant,$(BUILD)/asan,$(SANFLAGS)))
