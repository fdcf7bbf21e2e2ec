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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtl_gen.h"

static const char *e_sig(int b) { return S("e%d", E_OF_BIT(b)); }

/* "e4 | e8" for an EBIT mask. */
static const char *e_any(unsigned m) {
    const char *r = "";
    for (int b = 0; b < 3; b++)
        if (m & (1u << b))
            r = S("%s%s%s", r, *r ? " | " : "", e_sig(b));
    return __builtin_popcount(m) > 1 ? S("(%s)", r) : r;
}

/* "(wfmt == 4'd3) | (wfmt == 4'd4)": the format port holds one of m. */
static const char *is_expr(fmt_mask m, const char *port) {
    const char *r = "";
    for (int f = 0; f < FMT_COUNT; f++)
        if (m & FMT_BIT(f))
            r = S("%s%s(%s == 4'd%d)", r, *r ? " | " : "", port, f);
    return __builtin_popcount(m) > 1 ? S("(%s)", r) : r;
}

/* "4'd3, 4'd4": case items of a format set. */
static const char *case_items(fmt_mask m) {
    const char *r = "";
    for (int f = 0; f < FMT_COUNT; f++)
        if (m & FMT_BIT(f))
            r = S("%s%s4'd%d", r, *r ? ", " : "", f);
    return r;
}

/* Names inside decode(): the formats and the codes of a side. */
static const char *side_port(int s) { return s == SIDE_W ? "w_fmt" : "a_fmt"; }

/* A decoder instance's enable: its group's format is selected and the
 * element width is one its outputs serve (isolation gates its codes). */
static const char *inst_enable(const arch *a, const dec_inst *x) {
    const dec_group *g = &a->grp[x->group];
    const char *is = is_expr(g->side_fmts[x->side], side_port(x->side));
    unsigned need = x->emask & g->e_reach[x->side];
    if (need == g->e_reach[x->side])
        return is;
    return S("%s & %s", is, e_any(need));
}

/* Element-width signals e4/e8/e16 that some select or enable reads. */
static unsigned needed_e(const arch *a) {
    unsigned need = a->split ? EBIT(16) : 0; /* the view select */
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

/* Local declarations and statements of the decode function, built in order. */
typedef struct {
    emitter decl, body;
} fnb;
static void fn_var(fnb *f, int w, const char *name) { em_printf(&f->decl, "reg %s%s;\n", v_range(w), name); }

/* The runtime pair's element width: E = 16 if either format is 16-bit,
 * else 8 if either is 8-bit, else 4 (e4/e8/e16 as needed). */
static void element_width(fnb *f, const arch *a) {
    unsigned need = needed_e(a);
    int use_b[3] = {0};
    if (need & EBIT(16))
        use_b[2] = 1;
    if (need & EBIT(8))
        use_b[1] = use_b[2] = 1;
    if (need & EBIT(4))
        use_b[0] = 1;
    const char *cls[2][3];
    for (int s = 0; s < 2; s++)
        for (int b = 0; b < 3; b++) {
            cls[s][b] = NULL;
            fmt_mask m = 0;
            for (int g = 0; g < a->ngrp; g++) {
                const dec_group *d = &a->grp[g];
                if (d->side_fmts[s] && d->e_reach[s] && EBIT(d->bits) == 1u << b)
                    m |= d->side_fmts[s];
            }
            if (!m || !use_b[b])
                continue;
            cls[s][b] = S("%c_b%d", s == SIDE_W ? 'w' : 'a', E_OF_BIT(b));
            fn_var(f, 1, cls[s][b]);
            em_printf(&f->body, "%s = %s;\n", cls[s][b], is_expr(m, side_port(s)));
        }
    const char *any[3];
    for (int b = 0; b < 3; b++)
        any[b] = cls[0][b] && cls[1][b] ? S("(%s | %s)", cls[0][b], cls[1][b])
                 : cls[0][b]           ? cls[0][b]
                                       : cls[1][b];
    if (need & EBIT(16)) {
        fn_var(f, 1, "e16");
        em_printf(&f->body, "e16 = %s;\n", any[2]);
    }
    if (need & EBIT(8)) {
        fn_var(f, 1, "e8");
        em_printf(&f->body, "e8 = %s;\n", any[2] ? S("%s & ~%s", any[1], any[2]) : any[1]);
    }
    if (need & EBIT(4)) {
        fn_var(f, 1, "e4");
        em_printf(&f->body, "e4 = %s & %s;\n", cls[0][0], cls[1][0]);
    }
}

/* decode() takes only the code bits some decoder reads (a.used), packed:
 * the width, the call argument, and where field [off +: bits] lands. */
static int used_w(const arch *a, int s) { return __builtin_popcount(a->used[s]); }
static const char *data_port(int s) { return s == SIDE_W ? "w_data" : "a_data"; }
/* The maximal runs of bits of side s's 16-bit port that some decoder reads
 * (read = 1) or that none reads (read = 0), as slices, MSB first, into out;
 * returns their number. */
static int used_runs(const arch *a, int s, int read, const char **out) {
    int n = 0;
    for (int b = 15; b >= 0; b--) {
        if ((int)((a->used[s] >> b) & 1u) != read)
            continue;
        int lo = b;
        while (lo > 0 && (int)((a->used[s] >> (lo - 1)) & 1u) == read)
            lo--;
        out[n++] = v_slice(data_port(s), 16, b, lo);
        b = lo;
    }
    return n;
}
static const char *used_arg(const arch *a, int s) {
    const char *runs[16], *r = "";
    int n = used_runs(a, s, 1, runs);
    for (int i = 0; i < n; i++)
        r = S("%s%s%s", r, i ? ", " : "", runs[i]);
    return n > 1 ? S("{%s}", r) : r;
}
static const char *used_field(const arch *a, int s, int off, int bits) {
    int pos = __builtin_popcount(a->used[s] & ((1u << off) - 1));
    return v_slice(s == SIDE_W ? "w_code" : "a_code", used_w(a, s), pos + bits - 1, pos);
}

/* Does slot i's side s read a posit (has a NaR output)? */
static int slot_has_nar(const arch *a, int i, int s) {
    const slot_plan *sl = &a->slot[i];
    int has = 0;
    for (int k = 0; k < sl->nterm[s]; k++)
        has |= a->grp[a->inst[sl->term[s][k].inst].group].nar;
    return has;
}

/* Slot i's fields of side s from element elem of decoder result val. */
static void slot_fields(emitter *b, const arch *a, int i, int s, const dec_group *d, const char *val,
                        int elem) {
    const slot_plan *sl = &a->slot[i];
    char sc = s == SIDE_W ? 'w' : 'a';
    int sw = sl->sig_w[s], xw = sl->expo_w[s];
    em_printf(b, "s%d%c_neg = %s;\n", i, sc, dec_fn_field(d, val, elem, 'n'));
    em_printf(b, "s%d%c_sig = %s;\n", i, sc, v_zext(dec_fn_field(d, val, elem, 's'), d->sig_w, sw));
    if (xw) {
        int off = d->exp_lo - sl->exp_lo[s];
        const char *v = d->expb_w ? v_zext(dec_fn_field(d, val, elem, 'e'), d->expb_w, xw) : NULL;
        em_printf(b, "s%d%c_expo = %s;\n", i, sc, v ? (off ? S("%s + %s", v, v_const(xw, off)) : v) : v_const(xw, off));
    }
    if (d->nar)
        em_printf(b, "s%d%c_nar = %s;\n", i, sc, dec_fn_field(d, val, elem, 'r'));
}

/* One side: a case on its format runs the decoder instances of the format's
 * group (each under the element widths its outputs serve) and hands each
 * slot its element. */
static void side_decode(fnb *f, const arch *a, int s) {
    const rtl_cfg *c = a->cfg;
    char sc = s == SIDE_W ? 'w' : 'a';
    const char *wd = S("%c_dec", sc);
    emitter *b = &f->body;
    int rw = 0;
    for (int i = 0; i < a->ninst; i++)
        if (a->inst[i].side == s)
            rw = imax(rw, dec_fn_width(&a->grp[a->inst[i].group]));
    em_printf(b, "// %s: the element of every slot\n", s == SIDE_W ? "weights" : "activations");
    if (rw) {
        fn_var(f, rw, wd);
        em_printf(b, "%s = %s;\n", wd, v_const(rw, 0));
    }
    for (int i = 0; i < a->nslots; i++) {
        const slot_plan *sl = &a->slot[i];
        fn_var(f, 1, S("s%d%c_neg", i, sc));
        fn_var(f, sl->sig_w[s], S("s%d%c_sig", i, sc));
        em_printf(b, "s%d%c_neg = 1'b0;\ns%d%c_sig = %s;\n", i, sc, i, sc, v_const(sl->sig_w[s], 0));
        if (sl->expo_w[s]) {
            fn_var(f, sl->expo_w[s], S("s%d%c_expo", i, sc));
            em_printf(b, "s%d%c_expo = %s;\n", i, sc, v_const(sl->expo_w[s], 0));
        }
        if (slot_has_nar(a, i, s)) {
            fn_var(f, 1, S("s%d%c_nar", i, sc));
            em_printf(b, "s%d%c_nar = 1'b0;\n", i, sc);
        }
    }
    em_printf(b, "case (%s)\n", side_port(s));
    em_indent(b);
    for (int g = 0; g < a->ngrp; g++) {
        const dec_group *d = &a->grp[g];
        int any = 0;
        for (int x = 0; x < a->ninst; x++)
            any |= a->inst[x].side == s && a->inst[x].group == g;
        if (!any)
            continue;
        em_printf(b, "%s: begin  // %s\n", case_items(d->side_fmts[s]), d->fmtname);
        em_indent(b);
        for (int xi = 0; xi < a->ninst; xi++) {
            const dec_inst *x = &a->inst[xi];
            if (x->side != s || x->group != g)
                continue;
            unsigned reach = d->e_reach[s], m = x->emask & reach;
            const char *icond = m == reach ? NULL : e_any(m);
            if (icond) {
                em_printf(b, "if (%s) begin\n", icond);
                em_indent(b);
            }
            const char *args = "";
            for (int q = 0; q < (d->pair ? 2 : 1); q++) {
                const char *field = used_field(a, s, x->off[q], d->bits);
                if (c->isolate)
                    field = S("(%s & %s)", field, v_rep(S("(%s)", inst_enable(a, x)), d->bits));
                args = S("%s%s%s", args, q ? ", " : "", field);
            }
            em_printf(b, "%s = %s;  // %s\n", wd, v_zext(S("%s(%s)", dec_fn_name(d), args), dec_fn_width(d), rw),
                      x->stem);
            for (int i = 0; i < a->nslots; i++)
                for (int k = 0; k < a->slot[i].nterm[s]; k++) {
                    const slot_term *t = &a->slot[i].term[s][k];
                    if (t->inst != xi)
                        continue;
                    unsigned tm = t->ebits & reach;
                    const char *tcond = tm == m ? NULL : e_any(tm);
                    if (tcond) {
                        em_printf(b, "if (%s) begin\n", tcond);
                        em_indent(b);
                    }
                    slot_fields(b, a, i, s, d, wd, t->elem);
                    if (tcond) {
                        em_dedent(b);
                        em_printf(b, "end\n");
                    }
                }
            if (icond) {
                em_dedent(b);
                em_printf(b, "end\n");
            }
        }
        em_dedent(b);
        em_printf(b, "end\n");
    }
    em_printf(b, "default: ;\n");
    em_dedent(b);
    em_printf(b, "endcase\n");
}

/* The decode stage as one function of the format pair and the codes: every
 * slot's operands.  Only the branch of the runtime format runs in a
 * simulator; synthesis builds every decoder instance (shared between slots
 * where an instance serves several) behind the selects. */
static void decode_function(emitter *e, const arch *a, const pipe_sig *ps, int nps, int rw) {
    fnb f;
    em_init(&f.decl);
    em_init(&f.body);
    element_width(&f, a);
    if (a->unit_mx) {
        fmt_mask m[2] = {a->mx_fmts[0], a->mx_fmts[1]};
        const char *mx = m[0] && m[1] ? S("%s | %s", is_expr(m[0], "w_fmt"), is_expr(m[1], "a_fmt"))
                         : m[0]     ? is_expr(m[0], "w_fmt")
                                    : is_expr(m[1], "a_fmt");
        fn_var(&f, 1, "mx_d");
        em_printf(&f.body, "// MX pair (a block-scaled operand): products stay exact for the block sum\n");
        em_printf(&f.body, "mx_d = %s;\n", mx);
    }
    const char *nar_any = "";
    side_decode(&f, a, SIDE_W);
    side_decode(&f, a, SIDE_A);
    em_printf(&f.body, "// per slot: the product's sign and exponent offset\n");
    for (int i = 0; i < a->nslots; i++) {
        const slot_plan *sl = &a->slot[i];
        fn_var(&f, 1, S("s%d_neg_d", i));
        em_printf(&f.body, "s%d_neg_d = s%dw_neg ^ s%da_neg;\n", i, i, i);
        if (sl->rb) {
            /* modulo 2^rb: the views read sh mod 2^rb */
            const char *sum = "";
            for (int s = 0; s < 2; s++)
                if (sl->expo_w[s]) {
                    const char *x = S("s%d%c_expo", i, s ? 'a' : 'w');
                    sum = S("%s%s%s", sum, *sum ? " + " : "",
                            sl->expo_w[s] >= sl->rb ? v_slice(x, sl->expo_w[s], sl->rb - 1, 0)
                                                     : v_zext(x, sl->expo_w[s], sl->rb));
                }
            fn_var(&f, sl->rb, S("s%d_sh_d", i));
            em_printf(&f.body, "s%d_sh_d = %s;\n", i, sum);
        }
        for (int s = 0; s < 2; s++) {
            if (slot_has_nar(a, i, s))
                nar_any = S("%s%ss%d%c_nar", nar_any, *nar_any ? " | " : "", i, s ? 'a' : 'w');
        }
    }
    fn_var(&f, 1, "nar_d");
    em_printf(&f.body, "nar_d = %s;\n", *nar_any ? nar_any : "1'b0");
    const char *ret = "";
    for (int i = 0; i < nps; i++)
        ret = S("%s%s%s", ret, i ? ", " : "", ps[i].in);
    em_printf(&f.body, "decode = {%s};\n", ret);

    em_printf(e, "function %sdecode;\n", v_range(rw));
    em_indent(e);
    em_printf(e, "input [3:0] w_fmt;\ninput [3:0] a_fmt;\ninput %sw_code;  // the code bits a decoder reads\n"
                 "input %sa_code;\n", v_range(used_w(a, SIDE_W)), v_range(used_w(a, SIDE_A)));
    em_printf(e, "%s", f.decl.buf);
    em_printf(e, "begin\n");
    em_indent(e);
    em_printf(e, "%s", f.body.buf);
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "endfunction\n");
    em_free(&f.decl);
    em_free(&f.body);
}

static const char *vname(int vw) { return vw == VIEW_W ? "w" : "n"; }

/* Slot i's multiplier and signed product (negated at product width, so the
 * shifts below move a two's complement value: no wide negation). */
/* |m| < 2^w: the product bound of the widest view (at most the multiplier's
 * full width) */
static int slot_m_w(const slot_plan *sl) {
    int w = 0;
    for (int vw = 0; vw < 2; vw++)
        if (sl->v[vw].present)
            w = imax(w, imin(sl->v[vw].mw, sl->v[vw].tw));
    return imin(w, sl->mw);
}

static void slot_product(emitter *e, const arch *a, int i) {
    const slot_plan *sl = &a->slot[i];
    int w = slot_m_w(sl);
    if (w < sl->sig_w[0] || w < sl->sig_w[1]) {
        fprintf(stderr, "rtl_gen: internal error: slot %d product bound below its operands\n", i);
        exit(1);
    }
    v_section(e, S("slot %d: multiply, negate (signed product), align per view", i));
    em_printf(e, "// sig %d x %d bits, |product| < 2^%d\n", sl->sig_w[0], sl->sig_w[1], w);
    v_wire(e, w, S("s%d_m", i),
           S("%s * %s", v_zext(S("s%dw_sig_m", i), sl->sig_w[0], w), v_zext(S("s%da_sig_m", i), sl->sig_w[1], w)));
    v_wire(e, w + 1, S("s%d_ms", i), S("s%d_neg_m ? -{1'b0, s%d_m} : {1'b0, s%d_m}", i, i, i));
}

/* Where a view's statements go: wires of the module, or the locals and
 * statements of the view's function (k->f set). */
typedef struct {
    emitter *e;
    fnb *f;
} sink;
static void sk_wire(sink *k, int w, const char *name, const char *expr) {
    if (k->f) {
        fn_var(k->f, w, name);
        em_printf(&k->f->body, "%s = %s;\n", name, expr);
    } else {
        v_wire(k->e, w, name, expr);
    }
}
static void sk_wire_cb(void *k, int w, const char *name, const char *expr) { sk_wire(k, w, name, expr); }
static void sk_comment(sink *k, const char *text) { em_printf(k->f ? &k->f->body : k->e, "// %s\n", text); }

/* View vw of slot i: t = ms << (e - lo) (signed, |t| < 2^tw), then the
 * value at the view's base: non-MX floored at ACC_LSB (arithmetic shift:
 * toward minus infinity; dropped bits -> INEXACT) and clamped (OVERFLOW);
 * MX exact.  Declares s<i><v>_v (width pw) and its flag wires. */
static void slot_view_value(sink *k, const arch *a, int i, int vw, const char *ms, int msw, const char *shm,
                            int shw, const char *mxn, const char *e16n) {
    const slot_plan *sl = &a->slot[i];
    const slot_view *v = &sl->v[vw];
    const rtl_cfg *c = a->cfg;
    const char *p = S("s%d%s", i, vname(vw));
    int base = a->vbase[vw];
    sk_comment(k, S("slot %d: |t| < 2^%d, t's LSB 2^%d, exponent offset 0..%d%s", i, v->tw, v->lo, v->hi - v->lo,
                    v->mx ? "; MX pairs use it" : ""));
    /* ms is already at the view's width (|m| < 2^tw): the callers cut it */
    if (a->split && c->isolate && i == 0) { /* the other view's shifter holds still */
        sk_wire(k, msw, S("%s_in", p), S("%s & %s", ms, v_rep(vw == VIEW_W ? e16n : S("~%s", e16n), msw)));
        ms = S("%s_in", p);
    }
    const char *t = S("%s_t", p);
    if (v->rb) {
        const char *sh = shm;
        if (v->rb < shw)
            sh = v_slice(sh, shw, v->rb - 1, 0);
        if (v->c) { /* (sh - c) mod 2^rb: exact for this view's pairs */
            sk_wire(k, v->rb, S("%s_sh", p), S("%s - %s", sh, v_const_mod(v->rb, v->c)));
            sh = S("%s_sh", p);
        }
        sk_wire(k, v->tw + 1, t, S("%s << %s", v_sext(ms, msw, v->tw + 1), sh));
    } else {
        sk_wire(k, v->tw + 1, t, v_sext(ms, msw, v->tw + 1));
    }
    /* non-MX value */
    const char *vn = t;
    int vnw = v->tw + 1;
    if (v->n_drop) {
        sk_comment(k, S("at ACC_LSB: floor, %d dropped bits (INEXACT)", v->n_drop));
        sk_wire(k, 1, S("%s_inexact", p), S("|%s", v_slice(t, v->tw + 1, imin(v->n_drop, v->tw + 1) - 1, 0)));
        vnw = imax(v->tw + 1 - v->n_drop, 1);
        vn = S("%s_fl", p);
        sk_wire(k, vnw, vn, v->n_drop <= v->tw ? v_slice(t, v->tw + 1, v->tw, v->n_drop) : v_slice(t, v->tw + 1, v->tw, v->tw));
    }
    if (v->n_clamp) {
        int aw = c->acc_w;
        if (!v->n_drop && v->lo > c->acc_lsb) { /* to ACC_LSB units first */
            int sh = v->lo - c->acc_lsb;
            sk_wire(k, vnw + sh, S("%s_al", p), S("{%s, %s}", vn, v_const(sh, 0)));
            vn = S("%s_al", p), vnw += sh;
        }
        sk_comment(k, S("clamp to the %d-bit accumulator (OVERFLOW)", aw));
        sk_wire(k, vnw - aw + 1, S("%s_hi", p), v_slice(vn, vnw, vnw - 1, aw - 1));
        sk_wire(k, 1, S("%s_overflow", p), S("~(&%s_hi) & (|%s_hi)", p, p));
        sk_wire(k, aw, S("%s_cl", p),
               S("%s_overflow ? (%s ? %s : %s) : %s", p, v_slice(vn, vnw, vnw - 1, vnw - 1), v_smin(aw), v_smax(aw),
                 v_slice(vn, vnw, aw - 1, 0)));
        vn = S("%s_cl", p), vnw = aw;
    }
    /* at the view's base */
    if (v->n_lsb > base) {
        sk_wire(k, vnw + v->n_lsb - base, S("%s_xn", p), S("{%s, %s}", vn, v_const(v->n_lsb - base, 0)));
        vn = S("%s_xn", p), vnw += v->n_lsb - base;
    }
    const char *x = v_sext(vn, vnw, v->pw);
    if (v->b_sep) {
        sk_comment(k, S("MX: exact at 2^%d, unclamped", v->b_lsb));
        int bw = v->b_w;
        const char *vb = v->b_drop ? v_slice(t, v->tw + 1, v->tw, imin(v->b_drop, v->tw)) : t;
        sk_wire(k, bw, S("%s_vb", p), vb);
        vb = S("%s_vb", p);
        if (v->b_lsb > base) {
            sk_wire(k, bw + v->b_lsb - base, S("%s_xb", p), S("{%s, %s}", vb, v_const(v->b_lsb - base, 0)));
            vb = S("%s_xb", p), bw += v->b_lsb - base;
        }
        const char *xb = v_sext(vb, bw, v->pw);
        sk_wire(k, v->pw, S("%s_v", p), S("%s ? %s : %s", mxn, xb, x));
    } else {
        sk_wire(k, v->pw, S("%s_v", p), x);
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
    const char *un[32];
    int nu = 0;
    for (int s = 0; s < 2; s++)
        nu += used_runs(a, s, 0, un + nu);
    v_unused(e, "data", un, nu);

    /* the decode stage's outputs, in the order decode() returns them */
    pipe_sig ps[8 * NSLOTS + 4];
    int nps = 0, rw = 0;
    for (int i = 0; i < a->nslots; i++) {
        const slot_plan *sl = &a->slot[i];
        ps[nps++] = (pipe_sig){S("s%d_neg_d", i), S("s%d_neg_m", i), 1};
        if (sl->rb)
            ps[nps++] = (pipe_sig){S("s%d_sh_d", i), S("s%d_sh_m", i), sl->rb};
        ps[nps++] = (pipe_sig){S("s%dw_sig", i), S("s%dw_sig_m", i), sl->sig_w[0]};
        ps[nps++] = (pipe_sig){S("s%da_sig", i), S("s%da_sig_m", i), sl->sig_w[1]};
    }
    ps[nps++] = (pipe_sig){"nar_d", "nar_m", 1};
    if (a->unit_mx)
        ps[nps++] = (pipe_sig){"mx_d", "mx", 1};
    if (a->split)
        ps[nps++] = (pipe_sig){"e16", "e16_m", 1};
    for (int i = 0; i < nps; i++)
        rw += ps[i].width;

    v_section(e, c->isolate ? "decoders (the npe_dec_* modules wrap the same functions); operand "
                              "isolation: a decoder the pair does not use sees code 0"
                            : "decoders (the npe_dec_* modules wrap the same functions)");
    for (int g = 0; g < a->ngrp; g++) {
        int used = 0;
        for (int i = 0; i < a->ninst; i++)
            used |= a->inst[i].group == g;
        if (used)
            emit_decoder_function(e, a, g);
    }
    v_section(e, "decode: every slot's operands for the runtime format pair (a case per slot and "
                 "side\n// selects the decoder of the format's group)");
    decode_function(e, a, ps, nps, rw);
    /* one vector (a simulator calls the function once), then its fields */
    v_section(e, dec ? "decoded-operand register (pipeline stage \"dec\")" : "no register after the decoders");
    if (dec) {
        em_printf(e, "reg  %sdec_q;\n", v_range(rw));
        em_printf(e, "always @(posedge clk) begin\n");
        em_indent(e);
        em_printf(e, "if (dec_ce)\n");
        em_indent(e);
        em_printf(e, "dec_q <= decode(wfmt, afmt, %s, %s);\n", used_arg(a, SIDE_W), used_arg(a, SIDE_A));
        em_dedent(e);
        em_dedent(e);
        em_printf(e, "end\n");
    } else {
        v_wire(e, rw, "dec_q", S("decode(wfmt, afmt, %s, %s)", used_arg(a, SIDE_W), used_arg(a, SIDE_A)));
    }
    for (int i = 0, hi = rw - 1; i < nps; hi -= ps[i].width, i++)
        v_wire(e, ps[i].width, ps[i].out, v_slice("dec_q", rw, hi, hi - ps[i].width + 1));

    for (int i = 0; i < a->nslots; i++)
        slot_product(e, a, i);
    /* the views: with two, each is a function and only the pair's runs (a
     * simulator skips the other; synthesis builds both behind the select) */
    const char *vsum[2] = {NULL, NULL}, *vinex[2] = {NULL, NULL}, *vovf[2] = {NULL, NULL};
    int any_in = a->unit_inexact, any_ov = a->unit_overflow; /* some view floors / clamps (arch.c) */
    int vrw = a->unit_w + any_in + any_ov;
    for (int vw = 0; vw < 2; vw++) {
        int n = 0, any_mx = 0;
        for (int i = 0; i < a->nslots; i++)
            if (a->slot[i].v[vw].present)
                n++, any_mx |= a->slot[i].v[vw].b_sep;
        if (!n)
            continue;
        v_section(e, vw == VIEW_W ? "view w: the 16-bit pairs' product (slot 0), at 2^ACC_LSB"
                                  : S("view n: %s, exact sum at 2^%d",
                                      a->split ? "the pairs of 4- and 8-bit formats" : "every pair", a->vbase[vw]));
        fnb f;
        sink k = {e, NULL};
        const char *inputs = "", *args = "";
        if (a->split) {
            em_init(&f.decl);
            em_init(&f.body);
            k.f = &f;
        }
        const char *terms[NSLOTS], *inex = "", *ovf = "";
        int widths[NSLOTS];
        n = 0;
        for (int i = 0; i < a->nslots; i++) {
            const slot_plan *sl = &a->slot[i];
            const slot_view *v = &sl->v[vw];
            if (!v->present)
                continue;
            const char *ms = S("s%d_ms", i), *sh = S("s%d_sh_m", i);
            int msw = slot_m_w(sl) + 1, shw = sl->rb;
            if (a->split) { /* the function takes the product bits the view reads */
                int vms = imin(msw, imin(v->mw, v->tw) + 1);
                ms = S("ms%d", i), sh = S("sh%d", i);
                inputs = S("%sinput %s%s;\n", inputs, v_range(vms), ms);
                args = S("%s%s%s", args, *args ? ", " : "", vms < msw ? v_slice(S("s%d_ms", i), msw, vms - 1, 0)
                                                                        : S("s%d_ms", i));
                msw = vms;
                if (v->rb) { /* the view reads sh mod 2^rb */
                    inputs = S("%sinput %s%s;\n", inputs, v_range(v->rb), sh);
                    args = S("%s, %s", args, v->rb < sl->rb ? v_slice(S("s%d_sh_m", i), sl->rb, v->rb - 1, 0)
                                                             : S("s%d_sh_m", i));
                    shw = v->rb;
                }
            }
            slot_view_value(&k, a, i, vw, ms, msw, sh, shw, a->split ? "mx_in" : "mx", a->split ? "e16_in" : "e16_m");
            terms[n] = S("s%d%s_v", i, vname(vw));
            widths[n++] = v->pw;
            if (v->n_drop)
                inex = S("%s%ss%d%s_inexact", inex, *inex ? " | " : "", i, vname(vw));
            if (v->n_clamp)
                ovf = S("%s%ss%d%s_overflow", ovf, *ovf ? " | " : "", i, vname(vw));
        }
        /* exact sum: a balanced tree, one bit wider per level */
        int tw;
        const char *root = v_sum_tree_to(sk_wire_cb, &k, S("%s_sum", vname(vw)), terms, widths, n, &tw);
        int base = a->vbase[vw] - a->blk_lsb;
        const char *o = S("%s_out", vname(vw));
        sk_wire(&k, tw + base, o, base ? S("{%s, %s}", root, v_const(base, 0)) : root);
        const char *sum = v_sext(o, tw + base, a->unit_w);
        if (!a->split) {
            vsum[vw] = sum;
            vinex[vw] = *inex ? inex : NULL;
            vovf[vw] = *ovf ? ovf : NULL;
            continue;
        }
        /* the view's function: {overflow, inexact, sum} (the flags any view has) */
        const char *ret = S("%s%s%s", any_ov ? S("%s, ", *ovf ? S("(%s)", ovf) : "1'b0") : "",
                            any_in ? S("%s, ", *inex ? S("(%s)", inex) : "1'b0") : "", sum);
        if (any_mx) {
            inputs = S("%sinput mx_in;\n", inputs);
            args = S("%s, mx", args);
        }
        if (a->cfg->isolate && a->slot[0].v[vw].present) { /* slot 0's input gate */
            inputs = S("%sinput e16_in;\n", inputs);
            args = S("%s, e16_m", args);
        }
        em_printf(e, "// returns {%s%ssum}\n", any_ov ? "overflow, " : "", any_in ? "inexact, " : "");
        em_printf(e, "function %sview_%s;\n", v_range(vrw), vname(vw));
        em_indent(e);
        em_printf(e, "%s%s", inputs, f.decl.buf);
        em_printf(e, "begin\n");
        em_indent(e);
        em_printf(e, "%s", f.body.buf);
        em_printf(e, "view_%s = {%s};\n", vname(vw), ret);
        em_dedent(e);
        em_printf(e, "end\n");
        em_dedent(e);
        em_printf(e, "endfunction\n");
        em_free(&f.decl);
        em_free(&f.body);
        vsum[vw] = args; /* the call's arguments */
    }
    v_section(e, "the unit's sum (units of 2^BLK_LSB) and flags");
    const char *fl_in = "1'b0", *fl_ov = "1'b0";
    if (a->split) {
        em_printf(e, "reg  %sview_r;  // {%s%ssum} of the pair's view\n", v_range(vrw), any_ov ? "overflow, " : "",
                  any_in ? "inexact, " : "");
        /* (default first, then each call under its condition: Verilator turns
         * an if/else of two assignments into a ?: and would call both) */
        em_printf(e, "always @* begin\n");
        em_indent(e);
        em_printf(e, "view_r = %s;\n", v_const(vrw, 0));
        em_printf(e, "if (e16_m)\n");
        em_indent(e);
        em_printf(e, "view_r = view_w(%s);\n", vsum[VIEW_W]);
        em_dedent(e);
        em_printf(e, "if (~e16_m)\n");
        em_indent(e);
        em_printf(e, "view_r = view_n(%s);\n", vsum[VIEW_N]);
        em_dedent(e);
        em_dedent(e);
        em_printf(e, "end\n");
        v_wire(e, a->unit_w, "sum_d", v_slice("view_r", vrw, a->unit_w - 1, 0));
        if (any_in)
            fl_in = v_slice("view_r", vrw, a->unit_w, a->unit_w);
        if (any_ov)
            fl_ov = v_slice("view_r", vrw, vrw - 1, vrw - 1);
    } else {
        v_wire(e, a->unit_w, "sum_d", vsum[VIEW_N]);
        if (vinex[VIEW_N])
            fl_in = S("(%s)", vinex[VIEW_N]);
        if (vovf[VIEW_N])
            fl_ov = S("(%s)", vovf[VIEW_N]);
    }
    const char *mxm = a->unit_mx ? "~mx & " : "";
    v_wire(e, 1, "inexact_d", any_in ? S("%s%s", mxm, fl_in) : "1'b0");
    v_wire(e, 1, "overflow_d", any_ov ? S("%s%s", mxm, fl_ov) : "1'b0");
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
