// sim/npe_tb_top.v - the co-simulation top of one rtl_gen configuration.
//
// Puts the SIMD engine and the decode probe side by side so that a single
// model build per configuration serves every block test (the model builds
// dominate the test time).  Ports are the blocks' own, prefixed by
// block: eng_* (npe_engine), dp_* (npe_decode_probe).  The widths are
// parameters that sim/sim.mk sets with -G from the configuration's C header,
// so a mismatch with the generated modules stops Verilator (WIDTH).
`default_nettype none

module npe_tb_top #(
    parameter LANES = 1,   // MAC lanes
    parameter J = 1,       // 16-bit MAC units per lane
    parameter ACC_W = 32,  // accumulator bits
    parameter EXP_W = 8,   // decode probe: exponent bits (signed)
    parameter SIG_W = 16   // decode probe: significand bits
) (
    input  wire                   clk,
    input  wire                   rst,
    // npe_engine
    input  wire [3:0]             eng_wfmt,
    input  wire [3:0]             eng_afmt,
    input  wire                   eng_in_valid,
    input  wire                   eng_in_first,
    input  wire                   eng_in_last,
    input  wire                   eng_in_blk_last,
    input  wire [16*J*LANES-1:0]  eng_w_data,
    input  wire [16*J-1:0]        eng_a_data,
    input  wire [8*LANES-1:0]     eng_w_scale,
    input  wire [7:0]             eng_a_scale,
    output wire                   eng_out_valid,
    output wire [LANES*ACC_W-1:0] eng_out_acc,
    output wire [4*LANES-1:0]     eng_out_flags,
    // npe_decode_probe (combinational)
    input  wire [3:0]             dp_fmt,
    input  wire [15:0]            dp_c0,
    input  wire [15:0]            dp_c1,
    output wire                   dp_neg0,
    output wire [EXP_W-1:0]       dp_exp0,
    output wire [SIG_W-1:0]       dp_sig0,
    output wire                   dp_neg1,
    output wire [EXP_W-1:0]       dp_exp1,
    output wire [SIG_W-1:0]       dp_sig1,
    output wire [3:0]             dp_flags
);

    npe_engine #(
        .LANES(LANES),
        .J(J),
        .ACC_W(ACC_W)
    ) u_engine (
        .clk(clk),
        .rst(rst),
        .wfmt(eng_wfmt),
        .afmt(eng_afmt),
        .in_valid(eng_in_valid),
        .in_first(eng_in_first),
        .in_last(eng_in_last),
        .in_blk_last(eng_in_blk_last),
        .w_data(eng_w_data),
        .a_data(eng_a_data),
        .w_scale(eng_w_scale),
        .a_scale(eng_a_scale),
        .out_valid(eng_out_valid),
        .out_acc(eng_out_acc),
        .out_flags(eng_out_flags)
    );

    npe_decode_probe u_probe (
        .fmt(dp_fmt),
        .c0(dp_c0),
        .c1(dp_c1),
        .d0_neg(dp_neg0),
        .d0_exp(dp_exp0),
        .d0_sig(dp_sig0),
        .d1_neg(dp_neg1),
        .d1_exp(dp_exp1),
        .d1_sig(dp_sig1),
        .flags(dp_flags)
    );

endmodule

`default_nettype wire
