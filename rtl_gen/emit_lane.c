/*
 * rtl_gen/emit_lane.c - one MAC lane: J units, the adder tree of the step,
 * (MX) the exact block sum and its scale shift, and the saturating
 * accumulator with the row's sticky flags.  The arithmetic is exactly
 * kernels_ref/engine.h: per-product floor and clamp (in the units), an exact
 * step sum, acc = clamp(acc + step); for MX pairs an exact block sum B,
 * then clamp(floor(B * 2^(BLK_LSB + (sw-127) + (sa-127) - ACC_LSB))) added
 * once per block.  Valid bits travel with the data; there is no stall.
 */
#include <string.h>

#include "rtl_gen.h"

/* A 4-bit flag vector from expressions for INEXACT, OVERFLOW, NAR, NAN_SCALE
 * (NULL = 0), placed at the FLAG_* bit positions of formats.h. */
static const char *flags4(const arch *a, const char *inexact, const char *overflow,
                          const char *nar, const char *nan) {
    const char *f[4] = {inexact, overflow, nar, nan}, *bit[4];
    for (int i = 0; i < 4; i++)
        bit[a->flag_bit[i]] = f[i] ? f[i] : "1'b0";
    return S("{%s, %s, %s, %s}", bit[3], bit[2], bit[1], bit[0]);
}

/* Stage signals: name stem (without stage letter) and width. */
typedef struct {
    const char *stem;
    int width;
} ctl_sig;

/* Carry control signals from stage letter `from` to `to`. */
static void ctl_stage(emitter *e, int registered, char from, char to, const ctl_sig *c, int n,
                      const char *title) {
    v_section(e, title);
    v_pipe_valid(e, registered, S("%c_valid", from), S("%c_valid", to));
    pipe_sig ps[16];
    for (int i = 0; i < n; i++)
        ps[i] = (pipe_sig){S("%c_%s", from, c[i].stem), S("%c_%s", to, c[i].stem), c[i].width};
    v_pipe(e, registered, S("%c_valid", from), ps, n);
}

static void scale_inputs(emitter *e, const arch *a) {
    const char *sname[2] = {"wfmt", "afmt"}, *scale[2] = {"i_w_scale", "i_a_scale"};
    v_section(e, "MX: block mode and the scale shift, computed when the step enters");
    const char *eff[2];
    const char *nan = "";
    for (int s = 0; s < 2; s++) {
        if (!a->mx_fmts[s]) {
            eff[s] = S("8'd%d", E8M0_BIAS);
            continue;
        }
        const char *is = S("i_%c_mx", s ? 'a' : 'w');
        em_printf(e, "wire %s =", is);
        int first = 1;
        for (int f = 0; f < FMT_COUNT; f++)
            if (a->mx_fmts[s] & FMT_BIT(f)) {
                em_printf(e, "%s(i_%s == 4'd%d)", first ? " " : " | ", sname[s], f);
                first = 0;
            }
        em_printf(e, ";\n");
        eff[s] = S("(%s ? %s : 8'd%d)", is, scale[s], E8M0_BIAS);
        nan = S("%s%s(%s & (%s == 8'd%d))", nan, *nan ? " | " : "", is, scale[s], E8M0_NAN);
    }
    const char *mx = a->mx_fmts[0] && a->mx_fmts[1] ? "i_w_mx | i_a_mx"
                     : a->mx_fmts[0]                 ? "i_w_mx"
                                                     : "i_a_mx";
    v_wire(e, 1, "i_mx", mx);
    em_printf(e, "// E8M0 0x%02X is NaN: the block counts as zero and raises NAN_SCALE\n", E8M0_NAN);
    v_wire(e, 1, "i_nan", nan);
    int w = a->sc_amt_w;
    em_printf(e, "// shift = (BLK_LSB - ACC_LSB) + (ws - %d) + (as - %d) = ws + as + (%d), clipped to\n"
                 "// the window %d..%d (beyond it every nonzero block saturates or floors to 0/-1);\n"
                 "// amt = shift - (%d)\n",
              E8M0_BIAS, E8M0_BIAS, a->blk_lsb - a->cfg->acc_lsb - 2 * E8M0_BIAS, a->sc_lo, a->sc_hi,
              a->sc_lo);
    int rw = a->sc_amt_rw;
    v_wire(e, w, "i_sb", S("%s + %s", v_zext(eff[0], 8, w), v_zext(eff[1], 8, w)));
    /* inside the window the amount fits rw bits: add modulo 2^rw */
    const char *sb = rw < w ? v_slice("i_sb", w, rw - 1, 0) : "i_sb";
    const char *v = a->sc_off ? S("%s + %s", sb, v_const_mod(rw, a->sc_off)) : sb;
    v_wire(e, rw, "i_sbo", v);
    const char *amt = "i_sbo";
    int maxsb = 2 * (E8M0_NAN - 1);
    if (maxsb + a->sc_off > a->sc_max_amt)
        amt = S("(i_sb > %s) ? %s : %s", v_const(w, a->sc_max_amt - a->sc_off),
                v_const(rw, a->sc_max_amt), amt);
    if (a->sc_off < 0)
        amt = S("(i_sb < %s) ? %s : %s", v_const(w, -a->sc_off), v_const(rw, 0), amt);
    v_wire(e, rw, "i_amt", amt);
}

static void block_stage(emitter *e, const arch *a) {
    int bw = a->blk_w, aw = a->sc_amt_rw;
    v_section(e, "MX block sum (mandatory stage in MX configurations): a non-MX step is a "
                 "block of its own");
    v_wire(e, 1, "t_close", "t_last | t_blkend | ~t_mx");
    em_printf(e, "reg  b_open;   // b_sum holds an unfinished block\n");
    em_printf(e, "reg  b_valid;  // b_sum holds a finished block\n");
    em_printf(e, "reg  %sb_sum;\n", v_range(bw));
    em_printf(e, "reg  b_first, b_last, b_mx, b_nan;\n");
    em_printf(e, "reg  %sb_amt;\n", v_range(aw));
    em_printf(e, "reg  [3:0] b_flags;\n");
    v_wire(e, 1, "b_cont", "b_open & ~t_first");
    em_printf(e, "always @(posedge clk) begin\n");
    em_indent(e);
    em_printf(e, "if (rst) begin\n");
    em_indent(e);
    em_printf(e, "b_open  <= 1'b0;\nb_valid <= 1'b0;\n");
    em_dedent(e);
    em_printf(e, "end else begin\n");
    em_indent(e);
    em_printf(e, "b_valid <= t_valid & t_close;\n");
    em_printf(e, "if (t_valid)\n");
    em_indent(e);
    em_printf(e, "b_open <= ~t_close;\n");
    em_dedent(e);
    em_dedent(e);
    em_printf(e, "end\n");
    em_printf(e, "if (t_valid) begin\n");
    em_indent(e);
    int mb = a->mxb_w;
    if (bw > mb) {
        /* only an MX block adds up (and it fits in MXB_W bits); a non-MX step
         * is a block of its own: the bits above pass through */
        em_printf(e, "b_sum[%d:0] <= (b_cont ? b_sum[%d:0] : %s) + t_sum[%d:0];\n", mb - 1, mb - 1,
                  v_const(mb, 0), mb - 1);
        em_printf(e, "b_sum[%d:%d] <= %s;\n", bw - 1, mb, v_slice("t_sum", a->sum_w, bw - 1, mb));
    } else {
        em_printf(e, "b_sum   <= (b_cont ? b_sum : %s) + %s;\n", v_const(bw, 0),
                  v_sext("t_sum", a->sum_w, bw));
    }
    em_printf(e, "b_first <= t_first | (b_cont & b_first);\n");
    em_printf(e, "b_flags <= (b_cont ? b_flags : 4'd0) | t_flags;\n");
    em_printf(e, "b_last  <= t_last;\nb_mx    <= t_mx;\nb_nan   <= t_nan;\nb_amt   <= t_amt;\n");
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "end\n");

    v_section(e, "MX scale: floor(B * 2^shift) by an arithmetic shift, clamp");
    int xw = a->sc_x_w, accw = a->cfg->acc_w, ipw = a->sc_ip_w;
    const char *bm = "b_sum";
    if (mb < bw) {
        v_wire(e, mb, "b_mxsum", S("b_sum[%d:0]", mb - 1));
        bm = "b_mxsum";
    }
    /* a function, called only when a scaled block closes: a simulator skips
     * the wide shift on every other cycle (and for non-MX pairs) */
    int rw = a->sc_v_w + (a->sc_frac != 0) + a->sc_clamp;
    const char *ret = S("%s%sv", a->sc_clamp ? "overflow, " : "", a->sc_frac ? "inexact, " : "");
    em_printf(e, "// returns {%s}\n", ret);
    em_printf(e, "function %sscale;\n", v_range(rw));
    em_indent(e);
    em_printf(e, "input %sb;\ninput %samt;\n", v_range(mb), v_range(aw));
    em_printf(e, "reg %sx;\n", v_range(xw));
    if (a->sc_frac)
        em_printf(e, "reg inexact;\n");
    em_printf(e, "reg %sip;\n", v_range(ipw));
    if (a->sc_clamp)
        em_printf(e, "reg %shi;\nreg overflow;\n", v_range(ipw - accw + 1));
    em_printf(e, "reg %sv;\n", v_range(a->sc_v_w));
    em_printf(e, "begin\n");
    em_indent(e);
    em_printf(e, "x = %s << amt;\n", v_sext("b", mb, xw));
    if (a->sc_frac) {
        em_printf(e, "inexact = |x[%d:0];\n", a->sc_frac - 1);
        em_printf(e, "ip = x[%d:%d];\n", xw - 1, a->sc_frac);
    } else if (a->sc_lo > 0) {
        em_printf(e, "ip = {x, %s};\n", v_const(a->sc_lo, 0));
    } else {
        em_printf(e, "ip = x;\n");
    }
    if (a->sc_clamp) {
        em_printf(e, "hi = ip[%d:%d];\n", ipw - 1, accw - 1);
        em_printf(e, "overflow = ~(&hi) & (|hi);\n");
        em_printf(e, "v = overflow ? (ip[%d] ? %s : %s) : ip[%d:0];\n", ipw - 1, v_smin(accw), v_smax(accw),
                  accw - 1);
    } else {
        em_printf(e, "v = ip;\n");
    }
    em_printf(e, "scale = {%s};\n", ret);
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "endfunction\n");
    em_printf(e, "// E8M0 NaN: the block counts as zero; a block that does not close is not read\n");
    em_printf(e, "reg  %ssc_r;\n", v_range(rw));
    /* (default first, then the call under its condition: Verilator turns an
     * if/else of two assignments into a ?: and would then always call it) */
    em_printf(e, "always @* begin\n");
    em_indent(e);
    em_printf(e, "sc_r = %s;\n", v_const(rw, 0));
    em_printf(e, "if (b_valid & b_mx & ~b_nan)\n");
    em_indent(e);
    em_printf(e, "sc_r = scale(%s, b_amt);\n", bm);
    em_dedent(e);
    em_dedent(e);
    em_printf(e, "end\n");
    v_wire(e, a->sc_v_w, "sc_v", v_slice("sc_r", rw, a->sc_v_w - 1, 0));
    if (a->sc_frac)
        v_wire(e, 1, "sc_inexact", v_slice("sc_r", rw, a->sc_v_w, a->sc_v_w));
    if (a->sc_clamp)
        v_wire(e, 1, "sc_overflow", v_slice("sc_r", rw, rw - 1, rw - 1));
    /* a non-MX step sum is a whole number at ACC_LSB: drop the k zero bits */
    const char *bn = a->k ? v_slice("b_sum", bw, bw - 1, a->k) : "b_sum";
    v_wire(e, a->x_w, "b_val", S("b_mx ? %s : %s", v_sext("sc_v", a->sc_v_w, a->x_w), v_sext(bn, bw - a->k, a->x_w)));
    v_wire(e, 4, "b_flags_x",
           S("b_flags | %s", flags4(a, a->sc_frac ? "sc_inexact" : NULL, a->sc_clamp ? "sc_overflow" : NULL, NULL,
                                    "b_mx & b_nan")));
    ctl_sig xs[4] = {{"val", a->x_w}, {"flags_x", 4}, {"first", 1}, {"last", 1}};
    /* rename for the stage helper: b_val -> x_val, b_flags_x -> x_flags_x ... */
    ctl_stage(e, arch_has_stage(a, PIPE_SCALE), 'b', 'x', xs, 4,
              arch_has_stage(a, PIPE_SCALE) ? "scaled-block register (pipeline stage \"scale\")"
                                            : "no register after the scale shift");
}

void emit_lane(emitter *e, const arch *a) {
    const rtl_cfg *c = a->cfg;
    int in = arch_has_stage(a, PIPE_IN), dec = arch_has_stage(a, PIPE_DEC),
        prod = arch_has_stage(a, PIPE_PROD), sum = arch_has_stage(a, PIPE_SUM);
    const char *detail = S(
        "J = %d units of 16 bits; per in_valid cycle one step of J*P elements (unit u takes\n"
        "w_data/a_data[16u +: 16], unit 0 holds the first elements).  in_first starts the row\n"
        "(accumulator and sticky flags from 0); in_last ends it: out_valid pulses once, LATENCY =\n"
        "%d rising edges after the one that samples the in_last step (counting that edge as 1),\n"
        "with out_acc (two's complement, LSB 2^%d) and out_flags (FLAG_* of formats.h).%s\n"
        "No stall: every stage advances each cycle; rows may follow back to back.\n"
        "Elements beyond a row are code 0; an OVP pair whose real element is the victim marker\n"
        "is completed with the marker (a 0 next to it would decode as an outlier).",
        c->j, a->latency, c->acc_lsb,
        a->has_mx ? S("\nMX pairs: in_blk_last marks the step closing a block of %d elements (and the\n"
                      "row's last step closes its partial block); w_scale/a_scale (E8M0) come with it.",
                      a->mx_block)
                  : "");
    v_file_begin(e, S("%s.v", a->mod_lane), "one MAC lane of the SIMD engine", detail);
    v_param pr[3] = {{"J", c->j, "16-bit MAC units (fixed by rtl_gen: regenerate to change)"},
                     {"ACC_W", c->acc_w, "accumulator bits (fixed by rtl_gen)"},
                     {"ACC_LSB", c->acc_lsb, "log2 of the accumulator LSB weight (fixed by rtl_gen)"}};
    v_port pt[] = {
        V_LANE_CTRL_PORTS,
        {"input", "16*J", "w_data", "weights: unit u at [16u +: 16]"},
        {"input", "16*J", "a_data", "activations: unit u at [16u +: 16]"},
        {"input", "8", "w_scale", "(MX) weight block scale, E8M0, with in_blk_last"},
        {"input", "8", "a_scale", "(MX) activation block scale, E8M0, with in_blk_last"},
        {"output", "", "out_valid", "one-cycle pulse: the row's result"},
        {"output", "ACC_W", "out_acc", "accumulator (valid with out_valid)"},
        {"output", "4", "out_flags", "sticky flags of the row (valid with out_valid)"},
    };
    v_module_begin(e, a->mod_lane, pr, 3, pt, (int)(sizeof pt / sizeof pt[0]));
    v_guard(e, a->mod_lane, "g_bad_j", S("J != %d", c->j), S("J_must_be_%d", c->j),
            S("parameter J = %%0d, but this lane was generated for J = %d; regenerate with "
              "rtl_gen --stream-width/--lanes", c->j), "J");
    v_guard(e, a->mod_lane, "g_bad_acc_w", S("ACC_W != %d", c->acc_w), S("ACC_W_must_be_%d", c->acc_w),
            S("parameter ACC_W = %%0d, but this lane was generated for ACC_W = %d; regenerate "
              "with rtl_gen --acc-w", c->acc_w), "ACC_W");
    v_guard(e, a->mod_lane, "g_bad_acc_lsb", S("ACC_LSB != %d", c->acc_lsb), S("ACC_LSB_must_be_%s%d", c->acc_lsb < 0 ? "minus_" : "", c->acc_lsb < 0 ? -c->acc_lsb : c->acc_lsb),
            S("parameter ACC_LSB = %%0d, but this lane was generated for ACC_LSB = %d; "
              "regenerate with rtl_gen --acc-lsb", c->acc_lsb), "ACC_LSB");

    int wmx = a->mx_fmts[0] != 0, amx = a->mx_fmts[1] != 0;
    const char *un[4];
    int nu = 0;
    if (!a->has_mx)
        un[nu++] = "in_blk_last";
    if (!wmx)
        un[nu++] = "w_scale";
    if (!amx)
        un[nu++] = "a_scale";
    if (nu)
        v_section(e, "inputs this configuration does not read");
    v_unused(e, "inputs", un, nu);

    /* ---- stage i: lane inputs, optionally registered */
    v_section(e, in ? "input register (pipeline stage \"in\")" : "inputs");
    v_pipe_valid(e, in, "in_valid", "i_valid");
    pipe_sig ps[12];
    int n = 0;
    ps[n++] = (pipe_sig){"in_first", "i_first", 1};
    ps[n++] = (pipe_sig){"in_last", "i_last", 1};
    if (a->has_mx)
        ps[n++] = (pipe_sig){"in_blk_last", "i_blkend", 1};
    ps[n++] = (pipe_sig){"wfmt", "i_wfmt", 4};
    ps[n++] = (pipe_sig){"afmt", "i_afmt", 4};
    ps[n++] = (pipe_sig){"w_data", "i_w_data", 16 * c->j};
    ps[n++] = (pipe_sig){"a_data", "i_a_data", 16 * c->j};
    if (wmx)
        ps[n++] = (pipe_sig){"w_scale", "i_w_scale", 8};
    if (amx)
        ps[n++] = (pipe_sig){"a_scale", "i_a_scale", 8};
    v_pipe(e, in, "in_valid", ps, n);

    ctl_sig ctl[8];
    int nc = 0;
    ctl[nc++] = (ctl_sig){"first", 1};
    ctl[nc++] = (ctl_sig){"last", 1};
    if (a->has_mx) {
        scale_inputs(e, a);
        ctl[nc++] = (ctl_sig){"blkend", 1};
        ctl[nc++] = (ctl_sig){"mx", 1};
        ctl[nc++] = (ctl_sig){"nan", 1};
        ctl[nc++] = (ctl_sig){"amt", a->sc_amt_rw};
    }

    /* ---- units */
    v_section(e, S("%d MAC unit(s)", c->j));
    const char *terms[64];
    int widths[64];
    const char *inex = "", *ovf = "", *nar = "";
    for (int u = 0; u < c->j; u++) {
        em_printf(e, "wire %su%d_sum;\n", v_range(a->unit_w), u);
        em_printf(e, "wire u%d_inexact, u%d_overflow, u%d_nar;\n", u, u, u);
        em_printf(e, "%s u_unit%d (\n", a->mod_unit, u);
        em_indent(e);
        if (dec || prod)
            em_printf(e, ".clk(clk),\n");
        if (dec)
            em_printf(e, ".dec_ce(i_valid),\n");
        if (prod)
            em_printf(e, ".prod_ce(d_valid),\n");
        em_printf(e, ".wfmt(i_wfmt),\n.afmt(i_afmt),\n");
        em_printf(e, ".w_data(i_w_data[%d:%d]),\n.a_data(i_a_data[%d:%d]),\n", 16 * u + 15, 16 * u,
                  16 * u + 15, 16 * u);
        em_printf(e, ".out_sum(u%d_sum),\n.out_inexact(u%d_inexact),\n.out_overflow(u%d_overflow),\n"
                     ".out_nar(u%d_nar)\n", u, u, u, u);
        em_dedent(e);
        em_printf(e, ");\n");
        terms[u] = S("u%d_sum", u);
        widths[u] = a->unit_w;
        const char *sep = u ? " | " : "";
        inex = S("%s%su%d_inexact", inex, sep, u);
        ovf = S("%s%su%d_overflow", ovf, sep, u);
        nar = S("%s%su%d_nar", nar, sep, u);
    }
    ctl_stage(e, dec, 'i', 'd', ctl, nc,
              dec ? "control beside the units' decoded-operand register" : "control (no \"dec\" stage)");
    ctl_stage(e, prod, 'd', 'p', ctl, nc,
              prod ? "control beside the units' product-sum register" : "control (no \"prod\" stage)");

    /* ---- adder tree */
    v_section(e, "step sum: exact adder tree over the units");
    int w;
    const char *root = v_sum_tree(e, "tree", terms, widths, c->j, &w);
    v_wire(e, a->sum_w, "p_sum", root);
    v_wire(e, 4, "p_flags", flags4(a, S("%s", inex), S("%s", ovf), S("%s", nar), NULL));
    ctl_sig ts[12];
    int nt = 0;
    ts[nt++] = (ctl_sig){"sum", a->sum_w};
    ts[nt++] = (ctl_sig){"flags", 4};
    for (int i = 0; i < nc; i++)
        ts[nt++] = ctl[i];
    ctl_stage(e, sum, 'p', 't', ts, nt,
              sum ? "step-sum register (pipeline stage \"sum\")" : "no register after the adder tree");

    if (a->has_mx) {
        block_stage(e, a);
    } else {
        v_section(e, "to the accumulator");
        v_wire(e, 1, "x_valid", "t_valid");
        v_wire(e, a->x_w, "x_val", "t_sum");
        v_wire(e, 4, "x_flags_x", "t_flags");
        v_wire(e, 1, "x_first", "t_first");
        v_wire(e, 1, "x_last", "t_last");
    }

    /* ---- accumulator */
    int aw = c->acc_w, saw = a->acc_add_w;
    v_section(e, "accumulator: acc = clamp(acc + value), sticky flags per row");
    em_printf(e, "reg  %sacc_reg;\n", v_range(aw));
    em_printf(e, "reg  [3:0] flags_reg;\n");
    em_printf(e, "reg  out_valid_reg;\n");
    v_wire(e, saw, "acc_sum",
           S("(x_first ? %s : %s) + %s", v_const(saw, 0), v_sext("acc_reg", aw, saw),
             v_sext("x_val", a->x_w, saw)));
    v_wire(e, saw - aw + 1, "acc_hi", S("acc_sum[%d:%d]", saw - 1, aw - 1));
    v_wire(e, 1, "acc_overflow", "~(&acc_hi) & (|acc_hi)");
    v_wire(e, aw, "acc_next",
           S("acc_overflow ? (acc_sum[%d] ? %s : %s) : acc_sum[%d:0]", saw - 1, v_smin(aw),
             v_smax(aw), aw - 1));
    v_wire(e, 4, "flags_next",
           S("(x_first ? 4'd0 : flags_reg) | x_flags_x | %s",
             flags4(a, NULL, "acc_overflow", NULL, NULL)));
    em_printf(e, "always @(posedge clk) begin\n");
    em_indent(e);
    em_printf(e, "if (rst) begin\n");
    em_indent(e);
    em_printf(e, "acc_reg       <= %s;\nflags_reg     <= 4'd0;\nout_valid_reg <= 1'b0;\n",
              v_const(aw, 0));
    em_dedent(e);
    em_printf(e, "end else begin\n");
    em_indent(e);
    em_printf(e, "out_valid_reg <= x_valid & x_last;\n");
    em_printf(e, "if (x_valid) begin\n");
    em_indent(e);
    em_printf(e, "acc_reg   <= acc_next;\nflags_reg <= flags_next;\n");
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "end\n");
    em_printf(e, "assign out_valid = out_valid_reg;\n");
    em_printf(e, "assign out_acc   = acc_reg;\n");
    em_printf(e, "assign out_flags = flags_reg;\n");
    v_module_end(e);
    v_file_end(e);
}
