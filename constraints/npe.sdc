# constraints/npe.sdc - timing constraints for OpenSTA on the mapped OSU 180 nm
# netlist.  The clock port is clk (engine, lane) or aclk (co-processor); the
# flow substitutes it.  10 ns is a starting point: Fmax is computed from the
# worst slack (Fmax = 1 / (period - slack)), so the period only needs to be
# in the right range.  I/O delays of 0 treat ports as ideal registers.
create_clock -name clk -period 10.0 [get_ports {CLOCK_PORT}]
set_input_delay 0.0 -clock clk [delete_from_list [all_inputs] [get_ports {CLOCK_PORT}]]
set_output_delay 0.0 -clock clk [all_outputs]
