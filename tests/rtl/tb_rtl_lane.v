// tests/rtl/tb_rtl_lane.v - Icarus smoke test of one generated lane
// (tests/rtl/check_rtl.sh sim): drives stim.txt one line per clock, checks
// every out_valid pulse against exp.txt (acc, flags) and its cycle against
// LATENCY, and fails on X/Z on the outputs after reset.  `LANE is the lane's
// module name (prefix + "lane").
`default_nettype none

module tb_rtl_lane #(
    parameter J       = 1,   // units per lane
    parameter ACC_W   = 32,  // accumulator bits
    parameter LATENCY = 2    // register stages (the C header's LATENCY)
);
    reg               clk = 1'b0, rst = 1'b1;
    reg  [3:0]        wfmt = 4'd0, afmt = 4'd0;
    reg               in_valid = 1'b0, in_first = 1'b0, in_last = 1'b0, in_blk_last = 1'b0;
    reg  [16*J-1:0]   w_data = 0, a_data = 0;
    reg  [7:0]        w_scale = 8'd0, a_scale = 8'd0;
    wire              out_valid;
    wire [ACC_W-1:0]  out_acc;
    wire [3:0]        out_flags;

    `LANE u_lane (
        .clk(clk), .rst(rst), .wfmt(wfmt), .afmt(afmt), .in_valid(in_valid),
        .in_first(in_first), .in_last(in_last), .in_blk_last(in_blk_last),
        .w_data(w_data), .a_data(a_data), .w_scale(w_scale), .a_scale(a_scale),
        .out_valid(out_valid), .out_acc(out_acc), .out_flags(out_flags)
    );

    integer fs, fe, r, cyc, errs, nrows, qh, qt;
    integer due [0:1023];
    reg [31:0] f0, f1, f2, f3, f4, f5;
    reg [16*J-1:0] f6, f7;
    reg [7:0] f8, f9;
    reg [ACC_W-1:0] e_acc;
    reg [3:0] e_flags;

    task tick;
        begin
            #5 clk = 1'b1;
            #5 clk = 1'b0;
        end
    endtask

    initial begin
        fs = $fopen("stim.txt", "r");
        fe = $fopen("exp.txt", "r");
        if (fs == 0 || fe == 0) begin
            $display("FAIL tb_rtl_lane: cannot open stim.txt/exp.txt");
            $finish;
        end
        errs = 0; nrows = 0; cyc = 0; qh = 0; qt = 0;
        tick; tick;
        rst = 1'b0;
        while (!$feof(fs) || qh != qt) begin
            if (!$feof(fs)) begin
                r = $fscanf(fs, "%h %h %h %h %h %h %h %h %h %h\n", f0, f1, f2, f3, f4, f5, f6, f7, f8, f9);
                in_valid = f0[0]; in_first = f1[0]; in_last = f2[0]; in_blk_last = f3[0];
                wfmt = f4[3:0]; afmt = f5[3:0]; w_data = f6; a_data = f7; w_scale = f8; a_scale = f9;
            end else begin
                in_valid = 1'b0;
            end
            #5 clk = 1'b1;
            cyc = cyc + 1;
            if (in_valid && in_last) begin
                due[qt % 1024] = cyc + LATENCY - 1;
                qt = qt + 1;
            end
            #1;
            if (out_valid !== 1'b0 && out_valid !== 1'b1) begin
                errs = errs + 1;
                if (errs <= 10) $display("cycle %0d: out_valid is %b", cyc, out_valid);
            end else if (out_valid) begin
                if (qh == qt || due[qh % 1024] != cyc) begin
                    errs = errs + 1;
                    if (errs <= 10) $display("cycle %0d: out_valid not expected now", cyc);
                end
                if (qh != qt) qh = qh + 1;
                r = $fscanf(fe, "%h %h\n", e_acc, e_flags);
                nrows = nrows + 1;
                if (out_acc !== e_acc || out_flags !== e_flags) begin
                    errs = errs + 1;
                    if (errs <= 10)
                        $display("row %0d cycle %0d: mismatch: got acc %h flags %h, expected %h %h",
                                 nrows, cyc, out_acc, out_flags, e_acc, e_flags);
                end
            end else if (qh != qt && due[qh % 1024] == cyc) begin
                errs = errs + 1;
                if (errs <= 10) $display("cycle %0d: out_valid missing", cyc);
                qh = qh + 1;
            end
            #4 clk = 1'b0;
        end
        if (errs == 0)
            $display("PASS tb_rtl_lane: %0d rows, %0d cycles", nrows, cyc);
        else
            $display("FAIL tb_rtl_lane: %0d error(s) in %0d rows", errs, nrows);
        $finish;
    end
endmodule

`default_nettype wire
