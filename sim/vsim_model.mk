# sim/vsim_model.mk - appended to a Verilated model's own makefile to turn
# it into one static library a C test bench links against:
#
#   make -C <obj dir> -f V<top>.mk -f <abs path>/sim/vsim_model.mk \
#        VSIM_DIR=<abs path>/sim OPT_FAST=-O3 libvsim.a
#
# libvsim.a = the model's objects + the shim (sim/vsim.cpp compiled for this
# model with Verilator's own flags), so the shim needs no per-model code: the
# class comes from VM_PREFIX and the port table from $(VM_PREFIX)_ports.inc
# (sim/vsim_gen.py ports, run by sim.mk).
# vlrt.a = Verilator's run-time objects (verilated.o, ...): identical for all
# models built with the same Verilator flags, so sim.mk builds it once.
# vsim.ldlibs = the link flags the run-time needs (-pthread, -lz for FST).

VSIM_DIR ?= $(error VSIM_DIR (the absolute path of sim/) is not set)
VSIM_DEFS := -DVSIM_TOP=$(VM_PREFIX) -DVSIM_PORTS='"$(VM_PREFIX)_ports.inc"' \
             $(if $(filter 1,$(VM_TRACE)),-DVSIM_TRACE)

vsim.o: $(VSIM_DIR)/vsim.cpp $(VSIM_DIR)/vsim.h $(VM_PREFIX)_ports.inc $(VM_PREFIX).h
	$(OBJCACHE) $(CXX) $(CXXFLAGS) $(CPPFLAGS) $(OPT_FAST) -I$(VSIM_DIR) $(VSIM_DEFS) -c -o $@ $<

libvsim.a: $(VK_OBJS) vsim.o
	rm -f $@
	$(AR) rcs $@ $^

vlrt.a: $(VK_GLOBAL_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

vsim.ldlibs: $(VM_PREFIX).mk
	echo "$(LDFLAGS) $(LDLIBS)" > $@
