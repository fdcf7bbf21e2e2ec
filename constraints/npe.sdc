# constraints/npe.sdc - timing constraints for OpenSTA on the mapped OSU 180 nm
# netlist.  The flow substitutes {CLOCK_PORT} (clk for the engine and lane,
# aclk for the co-processor) and {PERIOD} (ns).  Fmax is computed from the
# worst slack (Fmax = 1 / (period - slack)), so the period only needs to be in
# the right range; the power flow sets it to 1/Fmax.  I/O delays of 0 treat
# ports as ideal registers.
create_clock -name clk -period {PERIOD} [get_ports {CLOCK_PORT}]
set_input_delay 0.0 -clock clk [delete_from_list [all_inputs] [get_ports {CLOCK_PORT}]]
set_output_delay 0.0 -clock clk [all_outputs]
