// constraints/power_tb.v - Icarus test bench of the power flow: drives one MAC
// lane (the RTL npe_lane, or its mapped OSU 180 nm netlist with the same
// ports) with the cycles of a workload file from constraints/power_stim.c,
// checks every row's result against the file of expected results, and dumps
// the signals named in the include file power_dump.vh (written by
// constraints/power.py) over the measured window into a VCD.
//
// Plusargs: +stim=FILE +expect=FILE +vcd=FILE.  Macros: J, ACC_W (the lane's
// widths), PERIOD (clock period in ns; only the gate-level run with cell delays
// needs it longer than the critical path).
//
// Inputs change at the rising edge, like a register's outputs, so in a
// zero-delay simulation every net changes at most once per cycle; results
// are checked at the falling edge.
// Prints "POWER_TB WINDOW start=<ps> cycles=<n>" and, at the end,
// "POWER_TB DONE rows=<n> mismatches=<n>"; a mismatch prints the row.
`timescale 1ns / 1ps
`default_nettype none

module power_tb;
`ifndef J
    `define J 1
`endif
`ifndef ACC_W
    `define ACC_W 28
`endif
`ifndef PERIOD
    `define PERIOD 10.0
`endif
    localparam W = 16 * `J;

    reg clk = 1'b0;
    reg rst = 1'b1;
    reg [3:0] wfmt = 4'd0, afmt = 4'd0;
    reg in_valid = 1'b0, in_first = 1'b0, in_last = 1'b0, in_blk_last = 1'b0;
    reg [W-1:0] w_data = {W{1'b0}}, a_data = {W{1'b0}};
    reg [7:0] w_scale = 8'd0, a_scale = 8'd0;
    wire out_valid;
    wire [`ACC_W-1:0] out_acc;
    wire [3:0] out_flags;

    npe_lane dut (
        .clk(clk), .rst(rst), .wfmt(wfmt), .afmt(afmt),
        .in_valid(in_valid), .in_first(in_first), .in_last(in_last), .in_blk_last(in_blk_last),
        .w_data(w_data), .a_data(a_data), .w_scale(w_scale), .a_scale(a_scale),
        .out_valid(out_valid), .out_acc(out_acc), .out_flags(out_flags)
    );

    always #(`PERIOD / 2.0) clk <= ~clk;

    reg [1023:0] stim_path, expect_path, vcd_path;
    integer fs, fe;
    integer rows = 0, mismatches = 0, cycles = 0;
    reg running = 1'b0, done = 1'b0, measuring = 1'b0;
    reg f_m, f_v, f_f, f_l, f_b;
    reg [3:0] f_wf, f_af;
    reg [W-1:0] f_w, f_a;
    reg [7:0] f_ws, f_as;
    reg [`ACC_W-1:0] e_acc;
    reg [3:0] e_flags;

    // the stimulus: one line of the file per rising edge, applied like a
    // register's outputs; the VCD starts with the first measured cycle
    always @(posedge clk) begin
        if (running && !done) begin
            if ($feof(fs)) begin
                done <= 1'b1;
            end else if ($fscanf(fs, "%h %h %h %h %h %h %h %h %h %h %h\n", f_m, f_v, f_f, f_l, f_b, f_wf,
                                 f_af, f_w, f_a, f_ws, f_as) != 11) begin
                $display("POWER_TB ERROR: %0s: malformed line after cycle %0d", stim_path, cycles);
                $finish;
            end else begin
                if (f_m && !measuring) begin
                    $display("POWER_TB WINDOW start=%0d", $rtoi($realtime * 1000.0));
                    $dumpfile(vcd_path);
`include "power_dump.vh"
                end
                measuring <= measuring | f_m;
                cycles <= cycles + {31'd0, measuring | f_m};
                in_valid <= f_v;
                in_first <= f_f;
                in_last <= f_l;
                in_blk_last <= f_b;
                wfmt <= f_wf;
                afmt <= f_af;
                w_data <= f_w;
                a_data <= f_a;
                w_scale <= f_ws;
                a_scale <= f_as;
            end
        end
    end

    // the monitor, half a period after each edge (the cells' delays have
    // settled): every out_valid is the next row of the expected file
    always @(negedge clk) begin
        if (!rst && out_valid === 1'b1) begin
            if ($fscanf(fe, "%h %h\n", e_acc, e_flags) != 2) begin
                $display("POWER_TB MISMATCH row %0d: more results than expected rows", rows);
                mismatches <= mismatches + 1;
            end else if (out_acc !== e_acc || out_flags !== e_flags) begin
                if (mismatches < 5)
                    $display("POWER_TB MISMATCH row %0d: acc %h flags %h, expected %h %h",
                             rows, out_acc, out_flags, e_acc, e_flags);
                mismatches <= mismatches + 1;
            end
            rows <= rows + 1;
        end else if (!rst && out_valid !== 1'b0) begin
            $display("POWER_TB MISMATCH: out_valid is %b at %0t", out_valid, $time);
            mismatches <= mismatches + 1;
        end
    end

    initial begin
        if (!$value$plusargs("stim=%s", stim_path) || !$value$plusargs("expect=%s", expect_path) ||
            !$value$plusargs("vcd=%s", vcd_path)) begin
            $display("POWER_TB ERROR: need +stim=FILE +expect=FILE +vcd=FILE");
            $finish;
        end
        fs = $fopen(stim_path, "r");
        fe = $fopen(expect_path, "r");
        if (fs == 0 || fe == 0) begin
            $display("POWER_TB ERROR: cannot open %0s or %0s", stim_path, expect_path);
            $finish;
        end
        repeat (4) @(posedge clk);
        @(negedge clk);
        rst = 1'b0;
        running = 1'b1;
        wait (done);
        @(posedge clk);
        $dumpoff;
        @(negedge clk);
        $display("POWER_TB DONE rows=%0d mismatches=%0d cycles=%0d", rows, mismatches, cycles);
        $finish;
    end
endmodule
`default_nettype wire
