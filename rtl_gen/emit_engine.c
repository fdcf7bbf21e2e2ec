/*
 * rtl_gen/emit_engine.c - the SIMD engine: LANES lanes sharing the
 * activations, the formats and the step control; lane l owns weight bits
 * [16*J*l +: 16*J], its weight block scale and its accumulator.
 */
#include "rtl_gen.h"

void emit_engine(emitter *e, const arch *a) {
    const rtl_cfg *c = a->cfg;
    const char *detail = S(
        "STREAM_W = 16*J*LANES weight bits per step (%d as generated), J = %d units per lane.\n"
        "All lanes run in lockstep on the same control; out_valid is the AND of the lanes' (they\n"
        "are equal; a difference would show as a missing result).  Lane l's result is\n"
        "out_acc[ACC_W*l +: ACC_W] and out_flags[4*l +: 4].  Timing as in %s.",
        c->stream_w, c->j, a->mod_lane);
    v_file_begin(e, S("%s.v", a->mod_engine), "the SIMD MAC engine", detail);
    v_param pr[3] = {{"LANES", c->lanes, S("MAC lanes, 1..%d (may be overridden)", CFG_LANES_MAX)},
                     {"J", c->j, "16-bit MAC units per lane (fixed by rtl_gen)"},
                     {"ACC_W", c->acc_w, "accumulator bits (fixed by rtl_gen)"}};
    v_port pt[] = {
        V_LANE_CTRL_PORTS,
        {"input", "16*J*LANES", "w_data", "weights: lane l at [16*J*l +: 16*J]"},
        {"input", "16*J", "a_data", "activations, shared by all lanes"},
        {"input", "8*LANES", "w_scale", "(MX) weight block scales: lane l at [8l +: 8]"},
        {"input", "8", "a_scale", "(MX) activation block scale, shared"},
        {"output", "", "out_valid", "one-cycle pulse: every lane's row result"},
        {"output", "LANES*ACC_W", "out_acc", "lane l at [ACC_W*l +: ACC_W]"},
        {"output", "4*LANES", "out_flags", "lane l at [4l +: 4]"},
    };
    v_module_begin(e, a->mod_engine, pr, 3, pt, (int)(sizeof pt / sizeof pt[0]));
    v_guard(e, a->mod_engine, "g_bad_lanes", S("LANES < 1 || LANES > %d", CFG_LANES_MAX), S("LANES_outside_1_to_%d", CFG_LANES_MAX),
            S("parameter LANES = %%0d is outside 1..%d", CFG_LANES_MAX), "LANES");
    v_guard(e, a->mod_engine, "g_bad_j", S("J != %d", c->j), S("J_must_be_%d", c->j),
            S("parameter J = %%0d, but the lanes were generated for J = %d; regenerate with "
              "rtl_gen --stream-width/--lanes", c->j), "J");
    v_guard(e, a->mod_engine, "g_bad_acc_w", S("ACC_W != %d", c->acc_w), S("ACC_W_must_be_%d", c->acc_w),
            S("parameter ACC_W = %%0d, but the lanes were generated for ACC_W = %d; regenerate "
              "with rtl_gen --acc-w", c->acc_w), "ACC_W");
    em_printf(e, "\nwire [LANES-1:0] lane_valid;\n\n");
    em_printf(e, "genvar l;\ngenerate\n");
    em_indent(e);
    em_printf(e, "for (l = 0; l < LANES; l = l + 1) begin : g_lane\n");
    em_indent(e);
    em_printf(e, "%s #(\n", a->mod_lane);
    em_indent(e);
    em_printf(e, ".J(J),\n.ACC_W(ACC_W)\n");
    em_dedent(e);
    em_printf(e, ") u_lane (\n");
    em_indent(e);
    em_printf(e,
              ".clk(clk),\n.rst(rst),\n.wfmt(wfmt),\n.afmt(afmt),\n.in_valid(in_valid),\n"
              ".in_first(in_first),\n.in_last(in_last),\n.in_blk_last(in_blk_last),\n"
              ".w_data(w_data[16*J*l +: 16*J]),\n.a_data(a_data),\n.w_scale(w_scale[8*l +: 8]),\n"
              ".a_scale(a_scale),\n.out_valid(lane_valid[l]),\n"
              ".out_acc(out_acc[ACC_W*l +: ACC_W]),\n.out_flags(out_flags[4*l +: 4])\n");
    em_dedent(e);
    em_printf(e, ");\n");
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "endgenerate\n\n");
    em_printf(e, "assign out_valid = &lane_valid;\n");
    v_module_end(e);
    v_file_end(e);
}
