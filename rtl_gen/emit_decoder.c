/*
 * rtl_gen/emit_decoder.c - one decoder module per group of identically
 * decoded formats.  Each produces the canonical (neg, exp, sig) triple of
 * kernels_ref (formats.h; the family codecs' file headers are the contract):
 *     value = (-1)^out_neg * out_sig * 2^(out_expb + EXP_LO)
 * The exponent leaves as out_expb = exp - EXP_LO (unsigned, EXP_LO = the
 * format's smallest exponent, or 0 if that is larger) so that the datapath
 * never does signed arithmetic; zero is {0, 0 - EXP_LO, 0}.  Formats with a
 * constant exponent (INT) have no out_expb port.  The logic is written once
 * and printed twice: as wires in the module, as a Verilog function
 * (emit_decoder_function) in the unit (docs/architecture.md section 3).
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

/* ------------------------------------------------------------ body text
 * A decoder's logic is written once, as a list of named values in order.
 * The decoder module prints them as wires (what the decode probe tests, and
 * cheap for a simulator in a continuous context); the unit prints them as a
 * Verilog function that it calls inside its decode process, where only the
 * branch of the runtime format runs (a simulator evaluates the taken branch
 * only; synthesis builds the same logic). */
typedef struct {
    emitter decl;  /* function form: local reg declarations           */
    emitter body;  /* function form: blocking assignments, in order   */
    emitter wires; /* module form: the same values as wires           */
} fbody;

/* A local variable (a wire of the module form): declared, then assigned. */
static void fb_var(fbody *f, int w, const char *name, const char *expr) {
    em_printf(&f->decl, "reg %s%s;\n", v_range(w), name);
    em_printf(&f->body, "%s = %s;\n", name, expr);
    v_wire(&f->wires, w, name, expr);
}
static void fb_comment(fbody *f, const char *text) {
    em_printf(&f->body, "// %s\n", text);
    em_printf(&f->wires, "// %s\n", text);
}

/* Output fields, most significant first: single {nar, neg, expb, sig},
 * pair {neg1, expb1, sig1, neg0, expb0, sig0}; absent fields are left out. */
typedef struct {
    const char *name;
    int w;
} fld;
static int fields(const dec_group *d, fld *f) {
    int n = 0;
    if (d->pair) {
        for (int k = 1; k >= 0; k--) {
            f[n++] = (fld){S("neg%d", k), 1};
            if (d->expb_w)
                f[n++] = (fld){S("expb%d", k), d->expb_w};
            f[n++] = (fld){S("sig%d", k), d->sig_w};
        }
    } else {
        if (d->nar)
            f[n++] = (fld){"nar", 1};
        f[n++] = (fld){"neg", 1};
        if (d->expb_w)
            f[n++] = (fld){"expb", d->expb_w};
        f[n++] = (fld){"sig", d->sig_w};
    }
    return n;
}

const char *dec_fn_name(const dec_group *d) { return S("dec_%s", d->fmtname); }

int dec_fn_width(const dec_group *d) {
    fld f[8];
    int n = fields(d, f), w = 0;
    for (int i = 0; i < n; i++)
        w += f[i].w;
    return w;
}

const char *dec_fn_field(const dec_group *d, const char *val, int elem, char field) {
    fld f[8];
    int n = fields(d, f), hi = dec_fn_width(d) - 1;
    const char *want = S("%s%s", field == 'n' ? "neg" : field == 'e' ? "expb" : field == 's' ? "sig" : "nar",
                         d->pair ? S("%d", elem) : "");
    for (int i = 0; i < n; i++) {
        if (!strcmp(f[i].name, want))
            return v_slice(val, dec_fn_width(d), hi, hi - f[i].w + 1);
        hi -= f[i].w;
    }
    fprintf(stderr, "rtl_gen: internal error: decoder %s has no field %s\n", d->fmtname, want);
    exit(1);
}

/* ---- INT: two's complement, sig = |v|, exp = 0 */
static void body_int(fbody *f, const dec_group *d) {
    int b = d->bits;
    fb_var(f, 1, "neg", S("code[%d]", b - 1));
    fb_var(f, d->sig_w, "sig", S("code[%d] ? (~code + %s) : code", b - 1, v_const(b, 1)));
}

/* ---- FP4 E2M1 (OCP MX v1.0 sec. 5.3.3): s e(2) m; sig = (e != 0)*2 + m,
 * exp = max(e, 1) - 2; both zero codes decode to the canonical zero. */
static void body_fp4(fbody *f, const dec_group *d) {
    int w = d->expb_w;
    fb_var(f, 1, "zero", "(code[2:0] == 3'd0)");
    fb_var(f, 2, "e_eff", "(code[2:1] == 2'd0) ? 2'd1 : code[2:1]");
    fb_var(f, 1, "neg", "code[3] & ~zero");
    fb_var(f, w, "expb", S("zero ? %s : %s + %s", v_const_mod(w, -d->exp_lo), v_zext("e_eff", 2, w),
                                v_const_mod(w, -2 - d->exp_lo)));
    fb_var(f, d->sig_w, "sig", "{|code[2:1], code[0]}");
}

/* ---- Posit(n, es): negate negative codes, count the regime run as leading
 * zeros of the bits after it (inverted when the run is of ones), shift the
 * exponent and fraction bits up to the top, F = n - 3 - es fraction bits:
 *     sig = 1.f (F+1 bits),  exp = k * 2^es + e - F. */
static void body_posit(fbody *f, const dec_group *d) {
    const fmt_traits *t = fmt_get(d->fmt);
    int n = t->bits, es = t->posit_es, F = n - 3 - es, w = d->expb_w;
    int ywid = n - 2, lzw = bits_for(ywid), kw = w - es;
    if (F < 0 || kw < lzw) {
        fprintf(stderr, "rtl_gen: internal error: posit(%d,%d) decoder widths\n", n, es);
        exit(1);
    }
    fb_comment(f, "zero or NaR");
    fb_var(f, 1, "zn", S("(code[%d:0] == %s)", n - 2, v_const(n - 1, 0)));
    fb_var(f, 1, "nar", S("code[%d] & zn", n - 1));
    fb_var(f, 1, "neg", S("code[%d] & ~zn", n - 1));
    fb_comment(f, "|code| without its sign bit, then the regime: a run of r's");
    fb_var(f, n - 1, "x",
           S("code[%d] ? (~code[%d:0] + %s) : code[%d:0]", n - 1, n - 2, v_const(n - 1, 1), n - 2));
    fb_var(f, 1, "r", S("x[%d]", n - 2));
    fb_var(f, ywid, "y", S("x[%d:0] ^ %s", n - 3, v_rep("r", ywid)));
    fb_comment(f, "run length - 1 = leading zeros of y");
    const char *lz = "";
    for (int i = ywid - 1; i >= 0; i--)
        lz = S("%s%sy[%d] ? %s :", lz, i == ywid - 1 ? "" : "\n    ", i, v_const(lzw, ywid - 1 - i));
    fb_var(f, lzw, "lz", S("%s\n    %s", lz, v_const(lzw, ywid)));
    fb_comment(f, "exponent and fraction bits after the regime and its terminator");
    fb_var(f, n - 3, "rest", S("x[%d:0] << lz", n - 4));
    fb_comment(f, "k = r ? lz : -lz - 1");
    fb_var(f, kw, "kx", S("%s ^ %s", v_zext("lz", lzw, kw), v_rep("~r", kw)));
    const char *ke = es ? S("{kx, %s}", v_slice("rest", n - 3, n - 4, n - 3 - es)) : "kx";
    fb_var(f, w, "expb", S("zn ? %s : %s + %s", v_const_mod(w, -d->exp_lo), ke, v_const_mod(w, -F - d->exp_lo)));
    if (F)
        fb_var(f, F + 1, "sig", S("zn ? %s : {1'b1, %s}", v_const(F + 1, 0), v_slice("rest", n - 3, F - 1, 0)));
    else
        fb_var(f, 1, "sig", "~zn");
}

/* ---- OVP pair (OliVe, ISCA 2023): the victim marker 10..0 decodes to zero
 * and makes its partner an outlier [sign | e(2) | m] with sig = 2^mbits + m,
 * exp = e + bias; otherwise both are normals (INT, or flint4 whose table is
 * read from kernels_ref so it is written down once). */
static void ovp_normal_value(fbody *f, const dec_group *d, int i) {
    const fmt_traits *t = fmt_get(d->fmt);
    int b = d->bits, w = d->expb_w;
    const char *c = S("code%d", i);
    if (t->ovp_normal == OVP_NORMAL_FLINT) {
        int sig[8], ex[8];
        for (int m = 0; m < 8; m++) {
            decoded d0, d1;
            ovp_decode_pair(t, (uint16_t)m, 0, &d0, &d1);
            sig[m] = (int)d0.sig;
            ex[m] = d0.exp;
        }
        fb_comment(f, "flint4 normal: sign-magnitude, magnitude table from kernels_ref");
        fb_var(f, 1, S("n%d_neg", i), S("%s[3] & (%s[2:0] != 3'd0)", c, c));
        const char *sv = "", *xv = "";
        for (int m = 0; m < 7; m++) {
            const char *nl = m ? "\n    " : "";
            sv = S("%s%s(%s[2:0] == 3'd%d) ? %s :", sv, nl, c, m, v_const(d->sig_w, sig[m]));
            xv = S("%s%s(%s[2:0] == 3'd%d) ? %s :", xv, nl, c, m, v_const(w, ex[m] - d->exp_lo));
        }
        fb_var(f, d->sig_w, S("n%d_sig", i), S("%s\n    %s", sv, v_const(d->sig_w, sig[7])));
        fb_var(f, w, S("n%d_expb", i), S("%s\n    %s", xv, v_const(w, ex[7] - d->exp_lo)));
    } else {
        fb_comment(f, "INT normal: two's complement (the marker never takes this path)");
        fb_var(f, 1, S("n%d_neg", i), S("%s[%d]", c, b - 1));
        fb_var(f, d->sig_w, S("n%d_sig", i),
               v_zext(S("(%s[%d] ? (~%s[%d:0] + %s) : %s[%d:0])", c, b - 1, c, b - 2, v_const(b - 1, 1), c,
                        b - 2),
                      b - 1, d->sig_w));
    }
}

static void body_ovp(fbody *f, const dec_group *d) {
    const fmt_traits *t = fmt_get(d->fmt);
    int b = d->bits, w = d->expb_w, mb = t->ovp_mbits;
    int flint = t->ovp_normal == OVP_NORMAL_FLINT;
    for (int i = 0; i < 2; i++)
        fb_var(f, 1, S("vic%d", i), S("(code%d == %s)", i, v_const(b, 1ll << (b - 1))));
    for (int i = 0; i < 2; i++) {
        const char *c = S("code%d", i);
        fb_comment(f, S("element %d", i));
        ovp_normal_value(f, d, i);
        fb_comment(f, "outlier: partner is the victim marker");
        fb_var(f, 1, S("o%d", i), S("vic%d & ~vic%d", 1 - i, i));
        fb_var(f, w, S("o%d_expb", i),
               S("%s + %s", v_zext(S("%s[%d:%d]", c, b - 2, mb), 2, w), v_const(w, t->ovp_bias - d->exp_lo)));
        fb_var(f, d->sig_w, S("o%d_sig", i), v_zext(S("{1'b1, %s[%d:0]}", c, mb - 1), mb + 1, d->sig_w));
        fb_var(f, 1, S("neg%d", i), S("~vic%d & (o%d ? %s[%d] : n%d_neg)", i, i, c, b - 1, i));
        fb_var(f, d->sig_w, S("sig%d", i), S("vic%d ? %s : o%d ? o%d_sig : n%d_sig", i, v_const(d->sig_w, 0), i, i, i));
        fb_var(f, w, S("expb%d", i),
               S("vic%d ? %s : o%d ? o%d_expb : %s", i, v_const(w, -d->exp_lo), i, i,
                 flint ? S("n%d_expb", i) : v_const(w, -d->exp_lo)));
    }
}

static void build_body(fbody *f, const dec_group *d) {
    em_init(&f->decl);
    em_init(&f->body);
    em_init(&f->wires);
    switch (d->fam) {
    case FAM_INT:
        body_int(f, d);
        break;
    case FAM_FP4:
        body_fp4(f, d);
        break;
    case FAM_POSIT:
        body_posit(f, d);
        break;
    case FAM_OVP:
        body_ovp(f, d);
        break;
    }
}

static void free_body(fbody *f) {
    em_free(&f->decl);
    em_free(&f->body);
    em_free(&f->wires);
}

void emit_decoder_function(emitter *e, const arch *a, int group) {
    const dec_group *d = &a->grp[group];
    fbody f;
    build_body(&f, d);
    fld fl[8];
    int nf = fields(d, fl);
    const char *ret = "";
    for (int i = 0; i < nf; i++)
        ret = S("%s%s%s", ret, i ? ", " : "", fl[i].name);
    em_printf(e, "// %s (the body of %s): returns {%s}\n", d->fmtname, d->mod, ret);
    em_printf(e, "function %s%s;\n", v_range(dec_fn_width(d)), dec_fn_name(d));
    em_indent(e);
    if (d->pair)
        em_printf(e, "input %scode0;\ninput %scode1;\n", v_range(d->bits), v_range(d->bits));
    else
        em_printf(e, "input %scode;\n", v_range(d->bits));
    em_printf(e, "%s", f.decl.buf);
    em_printf(e, "begin\n");
    em_indent(e);
    em_printf(e, "%s", f.body.buf);
    em_printf(e, "%s = {%s};\n", dec_fn_name(d), ret);
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "endfunction\n");
    free_body(&f);
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
    fbody f;
    build_body(&f, d);
    if (d->pair) {
        v_wire(e, d->bits, "code0", "in_code0");
        v_wire(e, d->bits, "code1", "in_code1");
    } else {
        v_wire(e, d->bits, "code", "in_code");
    }
    em_printf(e, "%s", f.wires.buf);
    fld fo[8];
    int nf = fields(d, fo);
    for (int i = 0; i < nf; i++)
        em_printf(e, "assign out_%s = %s;\n", fo[i].name, fo[i].name);
    free_body(&f);
    v_module_end(e);
    v_file_end(e);
}
