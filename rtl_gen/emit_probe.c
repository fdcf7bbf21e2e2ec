/*
 * rtl_gen/emit_probe.c - the decode probe: every enabled format's decoder
 * (the same modules the units instantiate) behind a runtime format select,
 * for exhaustive decoder tests.  Elements 0 and 1 take codes c0 and c1 (an
 * OVP pair: c0 = element 2k, c1 = element 2k+1, no nibble-order swap; other
 * formats decode c1 independently); outputs are kernels_ref's canonical
 * triples at the common widths SIG_W and EXP_W (signed), flags the OR of
 * both elements' (fmt_decode_vec).  A format id that is not enabled gives
 * zeros.  Combinational.
 */
#include "rtl_gen.h"

void emit_probe(emitter *e, const arch *a) {
    const char *detail = S(
        "Inputs fmt (format id), c0, c1 (codes in the low bits); outputs d<i>_neg, d<i>_exp\n"
        "(signed, %d bits), d<i>_sig (%d bits) and flags (FLAG_NAR at bit %d), exactly as the\n"
        "units' decoders produce them.  For tests only: not part of the engine.",
        a->exp_w, a->sig_w, a->flag_bit[2]);
    v_file_begin(e, S("%s.v", a->mod_probe), "decoder test probe", detail);
    v_port pt[] = {
        {"input", "4", "fmt", "format id (kernels_ref/formats.def order)"},
        {"input", "16", "c0", "code of element 0"},
        {"input", "16", "c1", "code of element 1"},
        {"output", "", "d0_neg", "element 0: sign"},
        {"output", S("%d", a->exp_w), "d0_exp", "element 0: exponent (two's complement)"},
        {"output", S("%d", a->sig_w), "d0_sig", "element 0: significand"},
        {"output", "", "d1_neg", "element 1: sign"},
        {"output", S("%d", a->exp_w), "d1_exp", "element 1: exponent (two's complement)"},
        {"output", S("%d", a->sig_w), "d1_sig", "element 1: significand"},
        {"output", "4", "flags", "FLAG_* of both elements, ORed"},
    };
    v_module_begin(e, a->mod_probe, NULL, 0, pt, (int)(sizeof pt / sizeof pt[0]));
    int maxbits = 0;
    for (int g = 0; g < a->ngrp; g++)
        maxbits = imax(maxbits, a->grp[g].bits);
    const char *un[32];
    int nu = 0;
    if (maxbits < 16) {
        un[nu++] = v_slice("c0", 16, 15, maxbits);
        un[nu++] = v_slice("c1", 16, 15, maxbits);
    }
    v_unused(e, "codes", un, nu);
    const char *neg[2] = {"", ""}, *ex[2] = {"", ""}, *sig[2] = {"", ""}, *nar = "";
    for (int g = 0; g < a->ngrp; g++) {
        const dec_group *d = &a->grp[g];
        v_section(e, d->fmtname);
        em_printf(e, "wire is_%s =", d->fmtname);
        int first = 1;
        for (int f = 0; f < FMT_COUNT; f++)
            if (d->fmts & FMT_BIT(f)) {
                em_printf(e, "%s(fmt == 4'd%d)", first ? " " : " | ", f);
                first = 0;
            }
        em_printf(e, ";\n");
        for (int i = 0; i < 2; i++) {
            const char *st = S("%s_%d", d->fmtname, i);
            em_printf(e, "wire %s_neg;\n", st);
            if (d->expb_w)
                em_printf(e, "wire %s%s_expb;\n", v_range(d->expb_w), st);
            em_printf(e, "wire %s%s_sig;\n", v_range(d->sig_w), st);
            if (d->nar)
                em_printf(e, "wire %s_nar;\n", st);
        }
        for (int i = 0; i < (d->pair ? 1 : 2); i++) {
            em_printf(e, "%s u_%s%s (\n", d->mod, d->fmtname, d->pair ? "" : S("_%d", i));
            em_indent(e);
            const char *conn[16];
            int nc = 0;
            if (d->pair) {
                conn[nc++] = S(".in_code0(c0[%d:0])", d->bits - 1);
                conn[nc++] = S(".in_code1(c1[%d:0])", d->bits - 1);
            } else {
                conn[nc++] = S(".in_code(c%d[%d:0])", i, d->bits - 1);
            }
            for (int k = 0; k < (d->pair ? 2 : 1); k++) {
                int el = d->pair ? k : i;
                const char *ps = d->pair ? S("%d", k) : "";
                const char *st = S("%s_%d", d->fmtname, el);
                conn[nc++] = S(".out_neg%s(%s_neg)", ps, st);
                if (d->expb_w)
                    conn[nc++] = S(".out_expb%s(%s_expb)", ps, st);
                conn[nc++] = S(".out_sig%s(%s_sig)", ps, st);
            }
            if (d->nar)
                conn[nc++] = S(".out_nar(%s_%d_nar)", d->fmtname, i);
            for (int k = 0; k < nc; k++)
                em_printf(e, "%s%s\n", conn[k], k + 1 < nc ? "," : "");
            em_dedent(e);
            em_printf(e, ");\n");
        }
        const char *is = S("is_%s", d->fmtname);
        for (int i = 0; i < 2; i++) {
            const char *st = S("%s_%d", d->fmtname, i);
            const char *sep = *neg[i] ? " | " : "";
            neg[i] = S("%s%s(%s & %s_neg)", neg[i], sep, is, st);
            sig[i] = S("%s%s(%s & %s)", sig[i], sep, v_rep(is, a->sig_w),
                       v_zext(S("%s_sig", st), d->sig_w, a->sig_w));
            const char *x = NULL;
            if (d->expb_w)
                x = d->exp_lo ? S("(%s + %s)", v_zext(S("%s_expb", st), d->expb_w, a->exp_w),
                                  v_const_mod(a->exp_w, d->exp_lo))
                              : v_zext(S("%s_expb", st), d->expb_w, a->exp_w);
            else if (d->exp_lo)
                x = v_const_mod(a->exp_w, d->exp_lo);
            if (x)
                ex[i] = S("%s%s(%s & %s)", ex[i], *ex[i] ? " | " : "", v_rep(is, a->exp_w), x);
            if (d->nar)
                nar = S("%s%s(%s & %s_nar)", nar, *nar ? " | " : "", is, st);
        }
    }
    v_section(e, "outputs");
    for (int i = 0; i < 2; i++) {
        em_printf(e, "assign d%d_neg = %s;\n", i, neg[i]);
        em_printf(e, "assign d%d_exp = %s;\n", i, *ex[i] ? ex[i] : v_const(a->exp_w, 0));
        em_printf(e, "assign d%d_sig = %s;\n", i, sig[i]);
    }
    const char *f[4] = {"1'b0", "1'b0", "1'b0", "1'b0"};
    f[a->flag_bit[2]] = *nar ? S("(%s)", nar) : "1'b0";
    em_printf(e, "assign flags = {%s, %s, %s, %s};\n", f[3], f[2], f[1], f[0]);
    v_module_end(e);
    v_file_end(e);
}
