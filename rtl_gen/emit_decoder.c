/*
 * rtl_gen/emit_decoder.c - one decoder module per group of identically
 * decoded formats.  Each produces the canonical (neg, exp, sig) triple of
 * kernels_ref (formats.h; the family codecs' file headers are the contract):
 *     value = (-1)^out_neg * out_sig * 2^(out_expb + EXP_LO)
 * The exponent leaves as out_expb = exp - EXP_LO (unsigned, EXP_LO = the
 * format's smallest exponent, or 0 if that is larger) so that the datapath
 * never does signed arithmetic; zero is {0, 0 - EXP_LO, 0}.  Formats with a
 * constant exponent (INT) have no out_expb port.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtl_gen.h"

/* Ports shared by the plain and the pair decoders; suffix "" or "0"/"1". */
static int out_ports(v_port *pt, int np, const dec_group *d, const char *sfx, const char *what) {
    pt[np++] = (v_port){"output", "", S("out_neg%s", sfx), S("%s: sign (0 for zero)", what)};
    if (d->expb_w)
        pt[np++] = (v_port){"output", S("%d", d->expb_w), S("out_expb%s", sfx),
                            S("%s: exponent - (%d)", what, d->exp_lo)};
    pt[np++] = (v_port){"output", S("%d", d->sig_w), S("out_sig%s", sfx),
                        S("%s: integer significand", what)};
    return np;
}

/* ---- INT: two's complement, sig = |v|, exp = 0 */
static void body_int(emitter *e, const dec_group *d) {
    int b = d->bits;
    em_printf(e, "assign out_neg = in_code[%d];\n", b - 1);
    em_printf(e, "assign out_sig = in_code[%d] ? (~in_code + %s) : in_code;\n", b - 1,
              v_const(b, 1));
}

/* ---- FP4 E2M1 (OCP MX v1.0 sec. 5.3.3): s e(2) m; sig = (e != 0)*2 + m,
 * exp = max(e, 1) - 2; both zero codes decode to the canonical zero. */
static void body_fp4(emitter *e, const dec_group *d) {
    int w = d->expb_w;
    v_wire(e, 1, "zero", "(in_code[2:0] == 3'd0)");
    v_wire(e, 2, "e_eff", "(in_code[2:1] == 2'd0) ? 2'd1 : in_code[2:1]");
    em_printf(e, "assign out_neg  = in_code[3] & ~zero;\n");
    em_printf(e, "assign out_expb = zero ? %s : %s + %s;\n", v_const_mod(w, -d->exp_lo),
              v_zext("e_eff", 2, w), v_const_mod(w, -2 - d->exp_lo));
    em_printf(e, "assign out_sig  = {|in_code[2:1], in_code[0]};\n");
}

/* ---- Posit(n, es): negate negative codes, count the regime run as leading
 * zeros of the bits after it (inverted when the run is of ones), shift the
 * exponent and fraction bits up to the top, F = n - 3 - es fraction bits:
 *     sig = 1.f (F+1 bits),  exp = k * 2^es + e - F. */
static void body_posit(emitter *e, const dec_group *d) {
    const fmt_traits *t = fmt_get(d->fmt);
    int n = t->bits, es = t->posit_es, F = n - 3 - es, w = d->expb_w;
    int ywid = n - 2, lzw = bits_for(ywid), kw = w - es;
    if (F < 0 || kw < lzw) {
        fprintf(stderr, "rtl_gen: internal error: posit(%d,%d) decoder widths\n", n, es);
        exit(1);
    }
    em_printf(e, "// zero or NaR\n");
    v_wire(e, 1, "zn", S("(in_code[%d:0] == %s)", n - 2, v_const(n - 1, 0)));
    em_printf(e, "assign out_nar = in_code[%d] & zn;\n", n - 1);
    em_printf(e, "assign out_neg = in_code[%d] & ~zn;\n", n - 1);
    em_printf(e, "// |code| without its sign bit, then the regime: a run of r's\n");
    v_wire(e, n - 1, "x",
           S("in_code[%d] ? (~in_code[%d:0] + %s) : in_code[%d:0]", n - 1, n - 2,
             v_const(n - 1, 1), n - 2));
    v_wire(e, 1, "r", S("x[%d]", n - 2));
    v_wire(e, ywid, "y", S("x[%d:0] ^ %s", n - 3, v_rep("r", ywid)));
    em_printf(e, "// run length - 1 = leading zeros of y\n");
    em_printf(e, "wire %slz =", v_range(lzw));
    for (int i = ywid - 1; i >= 0; i--)
        em_printf(e, "%sy[%d] ? %s :", i == ywid - 1 ? " " : "\n    ", i, v_const(lzw, ywid - 1 - i));
    em_printf(e, "\n    %s;\n", v_const(lzw, ywid));
    em_printf(e, "// exponent and fraction bits after the regime and its terminator\n");
    v_wire(e, n - 3, "rest", S("x[%d:0] << lz", n - 4));
    em_printf(e, "// k = r ? lz : -lz - 1\n");
    v_wire(e, kw, "kx", S("%s ^ %s", v_zext("lz", lzw, kw), v_rep("~r", kw)));
    const char *ke = es ? S("{kx, %s}", v_slice("rest", n - 3, n - 4, n - 3 - es)) : "kx";
    em_printf(e, "assign out_expb = zn ? %s : %s + %s;\n", v_const_mod(w, -d->exp_lo), ke,
              v_const_mod(w, -F - d->exp_lo));
    if (F)
        em_printf(e, "assign out_sig  = zn ? %s : {1'b1, %s};\n", v_const(F + 1, 0),
                  v_slice("rest", n - 3, F - 1, 0));
    else
        em_printf(e, "assign out_sig  = ~zn;\n");
}

/* ---- OVP pair (OliVe, ISCA 2023): the victim marker 10..0 decodes to zero
 * and makes its partner an outlier [sign | e(2) | m] with sig = 2^mbits + m,
 * exp = e + bias; otherwise both are normals (INT, or flint4 whose table is
 * read from kernels_ref so it is written down once). */
static void ovp_normal_value(emitter *e, const dec_group *d, int i) {
    const fmt_traits *t = fmt_get(d->fmt);
    int b = d->bits, w = d->expb_w;
    const char *c = S("in_code%d", i);
    if (t->ovp_normal == OVP_NORMAL_FLINT) {
        int sig[8], ex[8];
        for (int m = 0; m < 8; m++) {
            decoded d0, d1;
            ovp_decode_pair(t, (uint16_t)m, 0, &d0, &d1);
            sig[m] = (int)d0.sig;
            ex[m] = d0.exp;
        }
        em_printf(e, "// flint4 normal: sign-magnitude, magnitude table from kernels_ref\n");
        v_wire(e, 1, S("n%d_neg", i), S("%s[3] & (%s[2:0] != 3'd0)", c, c));
        em_printf(e, "wire %sn%d_sig =", v_range(d->sig_w), i);
        for (int m = 0; m < 7; m++)
            em_printf(e, "\n    (%s[2:0] == 3'd%d) ? %s :", c, m, v_const(d->sig_w, sig[m]));
        em_printf(e, "\n    %s;\n", v_const(d->sig_w, sig[7]));
        em_printf(e, "wire %sn%d_expb =", v_range(w), i);
        for (int m = 0; m < 7; m++)
            em_printf(e, "\n    (%s[2:0] == 3'd%d) ? %s :", c, m, v_const(w, ex[m] - d->exp_lo));
        em_printf(e, "\n    %s;\n", v_const(w, ex[7] - d->exp_lo));
    } else {
        em_printf(e, "// INT normal: two's complement (the marker never takes this path)\n");
        v_wire(e, 1, S("n%d_neg", i), S("%s[%d]", c, b - 1));
        v_wire(e, d->sig_w, S("n%d_sig", i),
               v_zext(S("(%s[%d] ? (~%s[%d:0] + %s) : %s[%d:0])", c, b - 1, c, b - 2,
                        v_const(b - 1, 1), c, b - 2),
                      b - 1, d->sig_w));
    }
}

static void body_ovp(emitter *e, const dec_group *d) {
    const fmt_traits *t = fmt_get(d->fmt);
    int b = d->bits, w = d->expb_w, mb = t->ovp_mbits;
    int flint = t->ovp_normal == OVP_NORMAL_FLINT;
    for (int i = 0; i < 2; i++)
        v_wire(e, 1, S("vic%d", i), S("(in_code%d == %s)", i, v_const(b, 1ll << (b - 1))));
    for (int i = 0; i < 2; i++) {
        const char *c = S("in_code%d", i);
        v_section(e, S("element %d", i));
        ovp_normal_value(e, d, i);
        em_printf(e, "// outlier: partner is the victim marker\n");
        v_wire(e, 1, S("o%d", i), S("vic%d & ~vic%d", 1 - i, i));
        v_wire(e, w, S("o%d_expb", i),
               S("%s + %s", v_zext(S("%s[%d:%d]", c, b - 2, mb), 2, w),
                 v_const(w, t->ovp_bias - d->exp_lo)));
        v_wire(e, d->sig_w, S("o%d_sig", i),
               v_zext(S("{1'b1, %s[%d:0]}", c, mb - 1), mb + 1, d->sig_w));
        em_printf(e, "assign out_neg%d  = ~vic%d & (o%d ? %s[%d] : n%d_neg);\n", i, i, i, c, b - 1, i);
        em_printf(e, "assign out_sig%d  = vic%d ? %s : o%d ? o%d_sig : n%d_sig;\n", i, i,
                  v_const(d->sig_w, 0), i, i, i);
        em_printf(e, "assign out_expb%d = vic%d ? %s : o%d ? o%d_expb : %s;\n", i, i,
                  v_const(w, -d->exp_lo), i, i,
                  flint ? S("n%d_expb", i) : v_const(w, -d->exp_lo));
    }
}

void emit_decoder(emitter *e, const arch *a, int group) {
    const dec_group *d = &a->grp[group];
    const fmt_traits *t = fmt_get(d->fmt);
    char fl[256];
    cfg_fmt_list(d->fmts, fl, sizeof fl);
    const char *detail = S(
        "Decodes %s (%s): %d-bit code%s -> canonical (neg, exp, sig) of kernels_ref,\n"
        "value = (-1)^neg * sig * 2^exp, exp = out_expb + (%d), sig < 2^%d, exp in %d..%d.\n"
        "Zero (and %s) decodes to neg 0, exp 0, sig 0.  Combinational.",
        fl, t->source, d->bits, d->pair ? " pairs (elements 2k, 2k+1)" : "", d->exp_lo, d->sig_w,
        d->exp_lo, d->exp_hi,
        d->fam == FAM_POSIT ? "NaR, which also raises out_nar"
        : d->fam == FAM_FP4 ? "-0"
        : d->fam == FAM_OVP ? "the victim marker" : "nothing else");
    v_file_begin(e, S("%s.v", d->mod), S("decoder for %s", fl), detail);
    v_port pt[16];
    int np = 0;
    if (d->pair) {
        pt[np++] = (v_port){"input", S("%d", d->bits), "in_code0", "code of element 2k"};
        pt[np++] = (v_port){"input", S("%d", d->bits), "in_code1", "code of element 2k+1"};
        np = out_ports(pt, np, d, "0", "element 2k");
        np = out_ports(pt, np, d, "1", "element 2k+1");
    } else {
        pt[np++] = (v_port){"input", S("%d", d->bits), "in_code", "element code"};
        np = out_ports(pt, np, d, "", "element");
        if (d->nar)
            pt[np++] = (v_port){"output", "", "out_nar", "the code is NaR (decodes to zero)"};
    }
    v_module_begin(e, d->mod, NULL, 0, pt, np);
    switch (d->fam) {
    case FAM_INT:
        body_int(e, d);
        break;
    case FAM_FP4:
        body_fp4(e, d);
        break;
    case FAM_POSIT:
        body_posit(e, d);
        break;
    case FAM_OVP:
        body_ovp(e, d);
        break;
    }
    v_module_end(e);
    v_file_end(e);
}
