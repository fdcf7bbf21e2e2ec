/*
 * rtl_gen/emit_unit.c - the 16-bit SIMD MAC unit: decoders for the enabled
 * formats, per-slot operand selection by the runtime format pair, one
 * multiplier per slot, the shift to the accumulator's fixed point with floor
 * and clamp, and the exact sum of the unit's products.
 *
 * Slot i carries element i of the pair: P = 16/E elements per unit, E =
 * max(bits(wfmt), bits(afmt)).  Slot 0 serves every pair (its multiplier is
 * sized for the widest significands), slot 1 pairs of <= 8-bit formats,
 * slots 2-3 pairs of 4-bit formats; slots no enabled pair uses are not
 * generated.  docs/architecture.md explains the sharing.
 */
#include <string.h>

#include "rtl_gen.h"

static const char *side_is(const arch *a, int s, int g) {
    return S("%c_is_%s", s == SIDE_W ? 'w' : 'a', a->grp[g].fmtname);
}

static const char *e_sig(int b) { return S("e%d", E_OF_BIT(b)); }

/* "e4 | e8" for an EBIT mask. */
static const char *e_any(unsigned m) {
    const char *r = "";
    for (int b = 0; b < 3; b++)
        if (m & (1u << b))
            r = S("%s%s%s", r, *r ? " | " : "", e_sig(b));
    return __builtin_popcount(m) > 1 ? S("(%s)", r) : r;
}

/* "sel" of a slot term: the side's format is in the group and the element
 * width is one the term serves (the E test is dropped when the term serves
 * every E the group meets). */
static const char *term_sel(const arch *a, int s, const slot_term *t) {
    const dec_inst *x = &a->inst[t->inst];
    const dec_group *g = &a->grp[x->group];
    const char *is = side_is(a, s, x->group);
    if ((t->ebits & g->e_reach[s]) == g->e_reach[s])
        return is;
    return S("(%s & %s)", is, e_any(t->ebits));
}

/* Element-width signals e4/e8/e16 that some select or enable reads. */
static unsigned needed_e(const arch *a) {
    unsigned need = 0;
    for (int i = 0; i < a->nslots; i++)
        for (int s = 0; s < 2; s++)
            for (int k = 0; k < a->slot[i].nterm[s]; k++) {
                const slot_term *t = &a->slot[i].term[s][k];
                const dec_group *g = &a->grp[a->inst[t->inst].group];
                if ((t->ebits & g->e_reach[s]) != g->e_reach[s])
                    need |= t->ebits;
            }
    if (a->cfg->isolate)
        for (int i = 0; i < a->ninst; i++) {
            const dec_inst *x = &a->inst[i];
            unsigned reach = a->grp[x->group].e_reach[x->side], m = x->emask & reach;
            if (m != reach)
                need |= m;
        }
    return need;
}

static void format_select(emitter *e, const arch *a) {
    v_section(e, "runtime format pair: one-hot decoder-group selects and the element width E");
    const char *sname[2] = {"wfmt", "afmt"};
    int have_b[2][3] = {{0}};
    for (int s = 0; s < 2; s++)
        for (int g = 0; g < a->ngrp; g++) {
            const dec_group *d = &a->grp[g];
            if (!d->side_fmts[s] || !d->e_reach[s])
                continue;
            em_printf(e, "wire %s =", side_is(a, s, g));
            int first = 1;
            for (int f = 0; f < FMT_COUNT; f++)
                if (d->side_fmts[s] & FMT_BIT(f)) {
                    em_printf(e, "%s(%s == 4'd%d)", first ? " " : " | ", sname[s], f);
                    first = 0;
                }
            em_printf(e, ";  // %s\n", d->fmtname);
            have_b[s][__builtin_ctz(EBIT(d->bits))] = 1;
        }
    /* E = 16 if either operand is 16-bit, else 8 if either is 8-bit, else 4 */
    unsigned need = needed_e(a);
    int use_b[2][3] = {{0}};
    if (need & EBIT(16))
        use_b[0][2] = use_b[1][2] = 1;
    if (need & EBIT(8))
        use_b[0][1] = use_b[1][1] = use_b[0][2] = use_b[1][2] = 1;
    if (need & EBIT(4))
        use_b[0][0] = use_b[1][0] = 1;
    const char *cls[2][3];
    for (int s = 0; s < 2; s++)
        for (int b = 0; b < 3; b++) {
            cls[s][b] = NULL;
            if (!have_b[s][b] || !use_b[s][b])
                continue;
            cls[s][b] = S("%c_b%d", s == SIDE_W ? 'w' : 'a', E_OF_BIT(b));
            em_printf(e, "wire %s =", cls[s][b]);
            int first = 1;
            for (int g = 0; g < a->ngrp; g++) {
                const dec_group *d = &a->grp[g];
                if (d->side_fmts[s] && d->e_reach[s] && EBIT(d->bits) == 1u << b) {
                    em_printf(e, "%s%s", first ? " " : " | ", side_is(a, s, g));
                    first = 0;
                }
            }
            em_printf(e, ";\n");
        }
    const char *any[3];
    for (int b = 0; b < 3; b++)
        any[b] = cls[0][b] && cls[1][b] ? S("(%s | %s)", cls[0][b], cls[1][b])
                 : cls[0][b]           ? cls[0][b]
                                       : cls[1][b];
    if (need & EBIT(16))
        v_wire(e, 1, "e16", any[2]);
    if (need & EBIT(8))
        v_wire(e, 1, "e8", any[2] ? S("%s & ~%s", any[1], any[2]) : any[1]);
    if (need & EBIT(4))
        v_wire(e, 1, "e4", S("%s & %s", cls[0][0], cls[1][0]));
    if (a->unit_mx) {
        em_printf(e, "// MX pair (a block-scaled operand): products stay exact for the block sum\n");
        em_printf(e, "wire mx_d =");
        int first = 1;
        for (int s = 0; s < 2; s++)
            for (int f = 0; f < FMT_COUNT; f++)
                if (a->mx_fmts[s] & FMT_BIT(f)) {
                    em_printf(e, "%s(%s == 4'd%d)", first ? " " : " | ", sname[s], f);
                    first = 0;
                }
        em_printf(e, ";\n");
    }
}

/* The E signals a decoder instance's enable needs (empty: always). */
static const char *inst_enable(const arch *a, const dec_inst *x) {
    const dec_group *g = &a->grp[x->group];
    const char *is = side_is(a, x->side, x->group);
    unsigned need = x->emask & g->e_reach[x->side];
    if (need == g->e_reach[x->side])
        return is;
    return S("%s & %s", is, e_any(need));
}

static void decoders(emitter *e, const arch *a) {
    const rtl_cfg *c = a->cfg;
    v_section(e, c->isolate
                     ? "decoders (operand isolation: a decoder the pair does not use sees code 0)"
                     : "decoders");
    for (int i = 0; i < a->ninst; i++) {
        const dec_inst *x = &a->inst[i];
        const dec_group *g = &a->grp[x->group];
        const char *data = x->side == SIDE_W ? "w_data" : "a_data";
        const char *st = x->stem;
        int ncode = g->pair ? 2 : 1;
        if (c->isolate)
            v_wire(e, 1, S("%s_en", st), inst_enable(a, x));
        for (int k = 0; k < ncode; k++) {
            const char *field = S("%s[%d:%d]", data, x->off[k] + g->bits - 1, x->off[k]);
            const char *nm = g->pair ? S("%s_code%d", st, k) : S("%s_code", st);
            v_wire(e, g->bits, nm,
                   c->isolate ? S("%s & %s", v_rep(S("%s_en", st), g->bits), field) : field);
        }
        const char *sfx[2] = {g->pair ? "0" : "", "1"};
        for (int k = 0; k < ncode; k++) {
            em_printf(e, "wire %s_neg%s;\n", st, sfx[k]);
            if (g->expb_w)
                em_printf(e, "wire %s%s_expb%s;\n", v_range(g->expb_w), st, sfx[k]);
            em_printf(e, "wire %s%s_sig%s;\n", v_range(g->sig_w), st, sfx[k]);
        }
        if (g->nar)
            em_printf(e, "wire %s_nar;\n", st);
        em_printf(e, "%s u_%s (\n", g->mod, st);
        em_indent(e);
        const char *conn[16];
        int nc = 0;
        for (int k = 0; k < ncode; k++)
            conn[nc++] = g->pair ? S(".in_code%d(%s_code%d)", k, st, k) : S(".in_code(%s_code)", st);
        for (int k = 0; k < ncode; k++) {
            conn[nc++] = S(".out_neg%s(%s_neg%s)", sfx[k], st, sfx[k]);
            if (g->expb_w)
                conn[nc++] = S(".out_expb%s(%s_expb%s)", sfx[k], st, sfx[k]);
            conn[nc++] = S(".out_sig%s(%s_sig%s)", sfx[k], st, sfx[k]);
        }
        if (g->nar)
            conn[nc++] = S(".out_nar(%s_nar)", st);
        for (int k = 0; k < nc; k++)
            em_printf(e, "%s%s\n", conn[k], k + 1 < nc ? "," : "");
        em_dedent(e);
        em_printf(e, ");\n");
    }
}

/* AND-OR select of one operand field over a slot side's terms. */
static void operand(emitter *e, const arch *a, int i, int s) {
    const slot_plan *sl = &a->slot[i];
    char sc = s == SIDE_W ? 'w' : 'a';
    const char *neg = "", *sig = "", *expo = "", *nar = "";
    for (int k = 0; k < sl->nterm[s]; k++) {
        const slot_term *t = &sl->term[s][k];
        const dec_inst *x = &a->inst[t->inst];
        const dec_group *g = &a->grp[x->group];
        const char *sel = S("s%d%c_sel%d", i, sc, k);
        const char *sfx = g->pair ? S("%d", t->elem) : "";
        v_wire(e, 1, sel, term_sel(a, s, t));
        const char *sep = k ? " | " : "";
        neg = S("%s%s(%s & %s_neg%s)", neg, sep, sel, x->stem, sfx);
        sig = S("%s%s(%s & %s)", sig, sep, v_rep(sel, sl->sig_w[s]),
                v_zext(S("%s_sig%s", x->stem, sfx), g->sig_w, sl->sig_w[s]));
        if (sl->expo_w[s]) {
            int w = sl->expo_w[s], off = g->exp_lo - sl->exp_lo[s];
            const char *v = g->expb_w
                                ? (off ? S("(%s + %s)", v_zext(S("%s_expb%s", x->stem, sfx), g->expb_w, w),
                                           v_const(w, off))
                                       : v_zext(S("%s_expb%s", x->stem, sfx), g->expb_w, w))
                                : v_const(w, off);
            expo = S("%s%s(%s & %s)", expo, sep, v_rep(sel, w), v);
        }
        if (g->nar)
            nar = S("%s%s(%s & %s_nar)", nar, *nar ? " | " : "", sel, x->stem);
    }
    v_wire(e, 1, S("s%d%c_neg", i, sc), neg);
    v_wire(e, sl->sig_w[s], S("s%d%c_sig", i, sc), sig);
    if (sl->expo_w[s])
        v_wire(e, sl->expo_w[s], S("s%d%c_expo", i, sc), expo);
    if (*nar)
        v_wire(e, 1, S("s%d%c_nar", i, sc), nar);
}

/* floor(+-t * 2^shift) as an (int_w+1)-bit two's complement value. */
static void fixed_point(emitter *e, const char *t, int tw, int int_w, int frac, int shift,
                        const char *neg, const char *out, const char *sticky) {
    const char *mag;
    if (frac)
        mag = int_w ? S("%s[%d:%d]", t, tw - 1, frac) : NULL;
    else if (shift > 0)
        mag = S("{%s, %s}", t, v_const(shift, 0));
    else
        mag = t;
    if (sticky && frac)
        v_wire(e, 1, sticky, S("|%s[%d:0]", t, frac - 1));
    if (!mag) {
        v_wire(e, 1, out, sticky && frac ? S("%s & %s", neg, sticky) : "1'b0");
        return;
    }
    v_wire(e, int_w, S("%s_mag", out), mag);
    const char *pos = S("{1'b0, %s_mag}", out);
    const char *inc = sticky && frac ? S("{%s, ~%s}", v_const(int_w, 0), sticky) : v_const(int_w + 1, 1);
    v_wire(e, int_w + 1, out, S("%s ? (~%s + %s) : %s", neg, pos, inc, pos));
}

static void slot_product(emitter *e, const arch *a, int i) {
    const slot_plan *sl = &a->slot[i];
    const rtl_cfg *c = a->cfg;
    int aw = c->acc_w;
    v_section(e, S("slot %d: multiply, shift to the accumulator's fixed point, floor, clamp", i));
    em_printf(e, "// |product| = s%d_m * 2^(s%d_sh + (%d)): sig %d x %d bits, exponent offset 0..%d\n",
              i, i, sl->emin, sl->sig_w[0], sl->sig_w[1], sl->r);
    v_wire(e, sl->mw, S("s%d_m", i),
           S("%s * %s", v_zext(S("s%dw_sig_m", i), sl->sig_w[0], sl->mw),
             v_zext(S("s%da_sig_m", i), sl->sig_w[1], sl->mw)));
    const char *t = S("s%d_t", i);
    if (sl->r)
        v_wire(e, sl->tw, t, S("%s << s%d_sh_m", v_zext(S("s%d_m", i), sl->mw, sl->tw), i));
    else
        v_wire(e, sl->tw, t, S("s%d_m", i));
    /* at ACC_LSB */
    int shn = sl->emin - c->acc_lsb;
    em_printf(e, "// at ACC_LSB (2^%d): %d integer bits%s\n", c->acc_lsb, sl->n_int_w,
              sl->n_frac ? S(", %d dropped bits (floor; INEXACT)", sl->n_frac) : "");
    fixed_point(e, t, sl->tw, sl->n_int_w, sl->n_frac, shn, S("s%d_neg_m", i), S("s%d_svn", i),
                sl->n_frac ? S("s%d_inexact", i) : NULL);
    const char *vn = S("s%d_svn", i);
    int svn_w = sl->n_int_w + 1;
    if (sl->n_clamp) {
        int hw = svn_w - aw + 1;
        v_wire(e, hw, S("s%d_hi", i), S("s%d_svn[%d:%d]", i, svn_w - 1, aw - 1));
        v_wire(e, 1, S("s%d_overflow", i), S("~(&s%d_hi) & (|s%d_hi)", i, i));
        v_wire(e, aw, S("s%d_vn", i),
               S("s%d_overflow ? (s%d_svn[%d] ? %s : %s) : s%d_svn[%d:0]", i, i, svn_w - 1,
                 v_smin(aw), v_smax(aw), i, aw - 1));
        vn = S("s%d_vn", i);
    }
    const char *v = S("s%d_v", i);
    if (sl->mx && sl->b_sep) {
        em_printf(e, "// MX: exact at BLK_LSB (2^%d)\n", a->blk_lsb);
        fixed_point(e, t, sl->tw, sl->b_int_w, sl->b_frac, sl->emin - a->blk_lsb, S("s%d_neg_m", i),
                    S("s%d_svb", i), NULL);
        v_wire(e, sl->pw, v,
               S("mx ? %s : %s", v_sext(S("s%d_svb", i), sl->b_int_w + 1, sl->pw),
                 v_sext(vn, sl->n_v_w, sl->pw)));
    } else if (sl->mx && sl->n_clamp) {
        em_printf(e, "// MX: exact (no clamp) for the block sum\n");
        v_wire(e, sl->pw, v,
               S("mx ? %s : %s", v_sext(S("s%d_svn", i), svn_w, sl->pw), v_sext(vn, sl->n_v_w, sl->pw)));
    } else {
        v_wire(e, sl->pw, v, v_sext(vn, sl->n_v_w, sl->pw));
    }
}

void emit_unit(emitter *e, const arch *a) {
    const rtl_cfg *c = a->cfg;
    int dec = arch_has_stage(a, PIPE_DEC), prod = arch_has_stage(a, PIPE_PROD);
    const char *detail = S(
        "Per cycle: 16 bits of weight codes x 16 bits of activation codes -> P = 16/E products\n"
        "(E = max(bits(wfmt), bits(afmt)) in {4, 8, 16}; element i of the unit in bits\n"
        "[i*E +: E], each code in the low bits of its field%s), summed exactly.\n"
        "out_sum is in units of 2^ACC_LSB = 2^%d, each product floored (INEXACT) and clamped to\n"
        "the %d-bit accumulator range (OVERFLOW)%s.  An OVP format paired with a 16-bit format\n"
        "is unsupported: its products are zero.  Latency: %d register stage(s).",
        c->ovp_first_high ? "; OVP pairs: element 2k in the upper field" : "", c->acc_lsb, c->acc_w,
        a->has_mx ? S("; for MX pairs the products are exact in units of\n2^BLK_LSB = 2^%d (block sum)",
                      a->blk_lsb)
                  : "",
        dec + prod);
    v_file_begin(e, S("%s.v", a->mod_unit), "16-bit SIMD MAC unit", detail);
    v_port pt[16];
    int np = 0;
    if (dec || prod)
        pt[np++] = (v_port){"input", "", "clk", "clock"};
    if (dec)
        pt[np++] = (v_port){"input", "", "dec_ce", "load the decoded operands (input step valid)"};
    if (prod)
        pt[np++] = (v_port){"input", "", "prod_ce", "load the product sum (its step valid)"};
    pt[np++] = (v_port){"input", "4", "wfmt", "weight format id (kernels_ref/formats.def order)"};
    pt[np++] = (v_port){"input", "4", "afmt", "activation format id"};
    pt[np++] = (v_port){"input", "16", "w_data", "weight codes, element i at [i*E +: E]"};
    pt[np++] = (v_port){"input", "16", "a_data", "activation codes, element i at [i*E +: E]"};
    pt[np++] = (v_port){"output", S("%d", a->unit_w), "out_sum", "exact sum of the products (two's complement)"};
    pt[np++] = (v_port){"output", "", "out_inexact", "a product dropped nonzero bits below ACC_LSB"};
    pt[np++] = (v_port){"output", "", "out_overflow", "a product was clamped to the accumulator range"};
    pt[np++] = (v_port){"output", "", "out_nar", "an operand used by the pair is a posit NaR"};
    v_module_begin(e, a->mod_unit, NULL, 0, pt, np);

    /* bits no decoder reads */
    const char *un[40];
    int nu = 0;
    for (int s = 0; s < 2; s++)
        for (int b = 15; b >= 0; b--) {
            if ((a->used[s] >> b) & 1u)
                continue;
            int lo = b;
            while (lo > 0 && !((a->used[s] >> (lo - 1)) & 1u))
                lo--;
            un[nu++] = v_slice(s == SIDE_W ? "w_data" : "a_data", 16, b, lo);
            b = lo;
        }
    v_unused(e, "data", un, nu);

    format_select(e, a);
    decoders(e, a);

    v_section(e, "slot operands: AND-OR select of the decoder outputs by the format pair");
    pipe_sig ps[8 * NSLOTS + 4];
    int nps = 0;
    const char *nar_any = "";
    for (int i = 0; i < a->nslots; i++) {
        const slot_plan *sl = &a->slot[i];
        em_printf(e, "// slot %d\n", i);
        operand(e, a, i, SIDE_W);
        operand(e, a, i, SIDE_A);
        v_wire(e, 1, S("s%d_neg_d", i), S("s%dw_neg ^ s%da_neg", i, i));
        if (sl->rb) {
            const char *sum = "";
            for (int s = 0; s < 2; s++)
                if (sl->expo_w[s])
                    sum = S("%s%s%s", sum, *sum ? " + " : "",
                            v_zext(S("s%d%c_expo", i, s ? 'a' : 'w'), sl->expo_w[s], sl->rb));
            v_wire(e, sl->rb, S("s%d_sh_d", i), sum);
        }
        for (int s = 0; s < 2; s++) {
            int has_nar = 0;
            for (int k = 0; k < sl->nterm[s]; k++)
                has_nar |= a->grp[a->inst[sl->term[s][k].inst].group].nar;
            if (has_nar)
                nar_any = S("%s%ss%d%c_nar", nar_any, *nar_any ? " | " : "", i, s ? 'a' : 'w');
        }
        ps[nps++] = (pipe_sig){S("s%d_neg_d", i), S("s%d_neg_m", i), 1};
        if (sl->rb)
            ps[nps++] = (pipe_sig){S("s%d_sh_d", i), S("s%d_sh_m", i), sl->rb};
        ps[nps++] = (pipe_sig){S("s%dw_sig", i), S("s%dw_sig_m", i), sl->sig_w[0]};
        ps[nps++] = (pipe_sig){S("s%da_sig", i), S("s%da_sig_m", i), sl->sig_w[1]};
    }
    v_wire(e, 1, "nar_d", *nar_any ? nar_any : "1'b0");
    ps[nps++] = (pipe_sig){"nar_d", "nar_m", 1};
    if (a->unit_mx)
        ps[nps++] = (pipe_sig){"mx_d", "mx", 1};
    v_section(e, dec ? "decoded-operand register (pipeline stage \"dec\")" : "no register after the decoders");
    v_pipe(e, dec, "dec_ce", ps, nps);

    const char *terms[NSLOTS];
    int widths[NSLOTS];
    const char *inex = "", *ovf = "";
    for (int i = 0; i < a->nslots; i++) {
        slot_product(e, a, i);
        terms[i] = S("s%d_v", i);
        widths[i] = a->slot[i].pw;
        if (a->slot[i].n_frac)
            inex = S("%s%ss%d_inexact", inex, *inex ? " | " : "", i);
        if (a->slot[i].n_clamp)
            ovf = S("%s%ss%d_overflow", ovf, *ovf ? " | " : "", i);
    }
    v_section(e, "exact sum of the slots");
    int w;
    const char *root = v_sum_tree(e, "sum", terms, widths, a->nslots, &w);
    v_wire(e, a->unit_w, "sum_d", root);
    const char *mxm = a->unit_mx ? "~mx & " : "";
    v_wire(e, 1, "inexact_d", *inex ? S("%s(%s)", mxm, inex) : "1'b0");
    v_wire(e, 1, "overflow_d", *ovf ? S("%s(%s)", mxm, ovf) : "1'b0");
    v_section(e, prod ? "product-sum register (pipeline stage \"prod\")" : "no register after the products");
    pipe_sig po[4] = {{"sum_d", "sum_q", a->unit_w},
                      {"inexact_d", "inexact_q", 1},
                      {"overflow_d", "overflow_q", 1},
                      {"nar_m", "nar_q", 1}};
    v_pipe(e, prod, "prod_ce", po, 4);
    em_printf(e, "assign out_sum      = sum_q;\n");
    em_printf(e, "assign out_inexact  = inexact_q;\n");
    em_printf(e, "assign out_overflow = overflow_q;\n");
    em_printf(e, "assign out_nar      = nar_q;\n");
    v_module_end(e);
    v_file_end(e);
}
