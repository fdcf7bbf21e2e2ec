/*
 * rtl_gen/arch.c - derive the engine's structure and every width from the
 * configuration and kernels_ref's format traits (see arch.h and
 * docs/architecture.md for the reasoning behind each number).
 */
#include "arch.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "emit.h"

int fmt_is_mx(fmt_id f) { return fmt_get(f)->block > 0; }

int arch_has_stage(const arch *a, pipe_stage s) { return (a->cfg->pipe >> s) & 1u; }

static int same_decoder(const fmt_traits *x, const fmt_traits *y) {
    return x->family == y->family && x->bits == y->bits && x->posit_es == y->posit_es &&
           x->ovp_normal == y->ovp_normal && x->ovp_mbits == y->ovp_mbits &&
           x->ovp_bias == y->ovp_bias;
}

/* Check kernels_ref's derived traits against the structure the RTL decoder
 * of the family assumes, so a codec change cannot silently break the RTL. */
static int check_family(const dec_group *g, const fmt_traits *t, char *err, size_t n) {
    int sig = -1, lo = 0, hi = 0;
    switch (g->fam) {
    case FAM_INT:
        sig = t->bits;
        break;
    case FAM_FP4:
        sig = 2, lo = -1, hi = 1;
        break;
    case FAM_POSIT: {
        int F = t->bits - 3 - t->posit_es > 0 ? t->bits - 3 - t->posit_es : 0;
        int kmax = (t->bits - 2) << t->posit_es;
        sig = F + 1, lo = -kmax - F, hi = kmax - F;
        break;
    }
    case FAM_OVP: {
        int nsig = t->ovp_normal == OVP_NORMAL_FLINT ? 2 : t->bits - 1;
        int osig = t->ovp_mbits + 1;
        sig = nsig > osig ? nsig : osig;
        lo = 0;
        hi = 3 + t->ovp_bias;
        if (t->ovp_normal == OVP_NORMAL_FLINT && t->bits != 4)
            return cfg_fail(err, n, "format %s: flint normals exist only for 4-bit codes", t->name);
        if (1 + 2 + t->ovp_mbits != t->bits)
            return cfg_fail(err, n, "format %s: outlier [sign|e(2)|m(%d)] does not fill %d bits",
                        t->name, t->ovp_mbits, t->bits);
        break;
    }
    }
    if (t->sig_bits != sig || t->exp_min != lo || t->exp_max != hi)
        return cfg_fail(err, n,
                    "format %s: kernels_ref derives sig_bits %d, exp %d..%d but the RTL decoder "
                    "model of its family gives %d, %d..%d (rtl_gen/arch.c check_family)",
                    t->name, t->sig_bits, t->exp_min, t->exp_max, sig, lo, hi);
    return 0;
}

/* Bits of the magnitude of a nonnegative double integer bound (x < 2^b). */
static int dbits(double x) {
    if (x < 1)
        return 0;
    int e;
    frexp(x, &e);
    return e;
}

static int find_inst(const arch *a, int side, int g, int pair_e, int off0) {
    for (int i = 0; i < a->ninst; i++) {
        const dec_inst *d = &a->inst[i];
        if (d->side != side || d->group != g || d->pair_e != pair_e)
            continue;
        if (pair_e ? (d->off[0] == off0 || d->off[1] == off0) : d->off[0] == off0)
            return i;
    }
    return -1;
}

int arch_build(arch *a, const rtl_cfg *c, char *err, size_t n) {
    memset(a, 0, sizeof *a);
    a->cfg = c;
    const char *p = c->prefix;
    a->mod_unit = vid(S("%sunit", p));
    a->mod_lane = vid(S("%slane", p));
    a->mod_engine = vid(S("%sengine", p));
    a->mod_probe = vid(S("%sdecode_probe", p));
    a->mod_coproc = vid(S("%scoproc", p));
    a->flag_bit[0] = __builtin_ctz(FLAG_INEXACT);
    a->flag_bit[1] = __builtin_ctz(FLAG_OVERFLOW);
    a->flag_bit[2] = __builtin_ctz(FLAG_NAR);
    a->flag_bit[3] = __builtin_ctz(FLAG_NAN_SCALE);
    for (int i = 0; i < 4; i++)
        if (a->flag_bit[i] > 3)
            return cfg_fail(err, n, "formats.h: FLAG_* bit %d does not fit the 4-bit flag ports",
                        a->flag_bit[i]);

    /* Decoder groups, registry order. */
    fmt_mask side_mask[2] = {c->wfmts, c->afmts};
    for (int f = 0; f < FMT_COUNT; f++) {
        if (!((c->wfmts | c->afmts) & FMT_BIT(f)))
            continue;
        const fmt_traits *t = fmt_get((fmt_id)f);
        int g;
        for (g = 0; g < a->ngrp; g++)
            if (same_decoder(fmt_get(a->grp[g].fmt), t))
                break;
        dec_group *d = &a->grp[g];
        if (g == a->ngrp) {
            a->ngrp++;
            d->fmt = (fmt_id)f;
            d->fmtname = vid(t->name);
            d->mod = vid(S("%sdec_%s", p, t->name));
            d->fam = t->family;
            d->bits = t->bits;
            d->pair = t->family == FAM_OVP;
            d->nar = t->family == FAM_POSIT;
            d->sig_w = t->sig_bits;
            d->exp_lo = t->exp_min < 0 ? t->exp_min : 0;
            d->exp_hi = t->exp_max > 0 ? t->exp_max : 0;
            d->expb_w = bits_for(d->exp_hi - d->exp_lo);
            if (check_family(d, t, err, n))
                return -1;
        }
        d->fmts |= FMT_BIT(f);
        for (int s = 0; s < 2; s++)
            if (side_mask[s] & FMT_BIT(f))
                d->side_fmts[s] |= FMT_BIT(f);
    }
    int grp_of[FMT_COUNT];
    for (int f = 0; f < FMT_COUNT; f++) {
        grp_of[f] = -1;
        for (int g = 0; g < a->ngrp; g++)
            if (a->grp[g].fmts & FMT_BIT(f))
                grp_of[f] = g;
    }

    /* Supported pairs, element widths, MX facts. */
    double mx_maxprod = 0;
    int have_lmx = 0;
    for (int w = 0; w < FMT_COUNT; w++) {
        if (!(c->wfmts & FMT_BIT(w)))
            continue;
        for (int af = 0; af < FMT_COUNT; af++) {
            if (!(c->afmts & FMT_BIT(af)))
                continue;
            const fmt_traits *tw = fmt_get((fmt_id)w), *ta = fmt_get((fmt_id)af);
            int e = tw->bits > ta->bits ? tw->bits : ta->bits;
            if ((tw->family == FAM_OVP || ta->family == FAM_OVP) && e == 16)
                continue;
            a->pair_ok[w] |= FMT_BIT(af);
            a->e_reach |= EBIT(e);
            a->grp[grp_of[w]].e_reach[SIDE_W] |= EBIT(e);
            a->grp[grp_of[af]].e_reach[SIDE_A] |= EBIT(e);
            if (tw->block || ta->block) {
                int u = tw->lsb_log2 + ta->lsb_log2;
                if (!have_lmx || u < a->l_mx)
                    a->l_mx = u;
                have_lmx = 1;
                if (tw->max_abs * ta->max_abs > mx_maxprod)
                    mx_maxprod = tw->max_abs * ta->max_abs;
                a->mx_block = tw->block ? tw->block : ta->block;
            }
        }
    }
    for (int f = 0; f < FMT_COUNT; f++)
        for (int s = 0; s < 2; s++)
            if ((side_mask[s] & FMT_BIT(f)) && fmt_is_mx((fmt_id)f))
                a->mx_fmts[s] |= FMT_BIT(f);
    a->has_mx = have_lmx;

    /* Decoder instances.  A plain decoder sits at every bit offset where an
     * element starts for some reachable E; a pair decoder per (E, pair). */
    for (int s = 0; s < 2; s++)
        for (int g = 0; g < a->ngrp; g++) {
            dec_group *d = &a->grp[g];
            if (!d->side_fmts[s] || !d->e_reach[s])
                continue;
            char sc = s == SIDE_W ? 'w' : 'a';
            if (d->pair) {
                for (int b = 0; b < 3; b++) {
                    if (!(d->e_reach[s] & (1u << b)))
                        continue;
                    int e = E_OF_BIT(b);
                    for (int k = 0; k < 16 / (2 * e); k++) {
                        dec_inst *x = &a->inst[a->ninst++];
                        x->side = s;
                        x->group = g;
                        x->pair_e = e;
                        x->off[0] = 2 * k * e;
                        x->off[1] = (2 * k + 1) * e;
                        if (c->ovp_first_high) {
                            x->off[0] = (2 * k + 1) * e;
                            x->off[1] = 2 * k * e;
                        }
                        x->emask = EBIT(e);
                        x->stem = vid(S("%c_%s_e%d_k%d", sc, d->fmtname, e, k));
                        for (int i = 0; i < 2; i++)
                            a->used[s] |= ((1u << d->bits) - 1) << x->off[i];
                    }
                }
            } else {
                for (int off = 0; off < 16; off += d->bits) {
                    unsigned em = 0;
                    for (int b = 0; b < 3; b++)
                        if ((d->e_reach[s] & (1u << b)) && off % E_OF_BIT(b) == 0)
                            em |= 1u << b;
                    if (!em)
                        continue;
                    dec_inst *x = &a->inst[a->ninst++];
                    x->side = s;
                    x->group = g;
                    x->off[0] = off;
                    x->emask = em;
                    x->stem = vid(S("%c_%s_p%d", sc, d->fmtname, off));
                    a->used[s] |= ((1u << d->bits) - 1) << off;
                }
            }
            if (a->ninst > MAX_INST - 8)
                return cfg_fail(err, n, "internal error: too many decoder instances");
        }

    /* Slots: slot i carries element i of every pair with P = 16/E > i. */
    for (int i = 0; i < NSLOTS; i++) {
        slot_plan *sl = &a->slot[i];
        for (int s = 0; s < 2; s++) {
            int first = 1;
            for (int g = 0; g < a->ngrp; g++) {
                dec_group *d = &a->grp[g];
                if (!d->side_fmts[s])
                    continue;
                for (int b = 0; b < 3; b++) {
                    int e = E_OF_BIT(b);
                    if (!(d->e_reach[s] & (1u << b)) || 16 / e <= i)
                        continue;
                    int ii = d->pair ? find_inst(a, s, g, e, i * e) : find_inst(a, s, g, 0, i * e);
                    if (ii < 0)
                        return cfg_fail(err, n, "internal error: no decoder for slot %d", i);
                    int elem = d->pair ? i % 2 : 0; /* logical element 2k or 2k+1 */
                    slot_term *t = NULL;
                    for (int k = 0; k < sl->nterm[s]; k++)
                        if (sl->term[s][k].inst == ii && sl->term[s][k].elem == elem)
                            t = &sl->term[s][k]; /* same decoder output for another E */
                    if (!t) {
                        t = &sl->term[s][sl->nterm[s]++];
                        t->inst = ii;
                        t->elem = elem;
                    }
                    t->ebits |= 1u << b;
                    if (first || d->sig_w > sl->sig_w[s])
                        sl->sig_w[s] = d->sig_w;
                    if (first || d->exp_lo < sl->exp_lo[s])
                        sl->exp_lo[s] = d->exp_lo;
                    if (first || d->exp_hi > sl->exp_hi[s])
                        sl->exp_hi[s] = d->exp_hi;
                    first = 0;
                }
            }
        }
        sl->present = sl->nterm[0] && sl->nterm[1];
        if (!sl->present)
            break;
        a->nslots = i + 1;
        for (int s = 0; s < 2; s++)
            sl->expo_w[s] = bits_for(sl->exp_hi[s] - sl->exp_lo[s]);
        sl->mw = sl->sig_w[0] + sl->sig_w[1];
        sl->emin = sl->exp_lo[0] + sl->exp_lo[1];
    }

    /* Views: slot 0 splits into VIEW_N (pairs with E <= 8) and VIEW_W (E = 16)
     * when both exist, so that the narrow products are aligned and summed at
     * their own small widths; every other slot has VIEW_N only.  Each view's
     * exponent range, product width and magnitude bound come from its pairs. */
    a->blk_lsb = a->has_mx && a->l_mx < c->acc_lsb ? a->l_mx : c->acc_lsb;
    a->k = c->acc_lsb - a->blk_lsb;
    int have_e16 = (a->e_reach & EBIT(16)) != 0, have_n = (a->e_reach & (EBIT(4) | EBIT(8))) != 0;
    a->split = have_e16 && have_n;
    double vmax[NSLOTS][2] = {{0}};
    for (int w = 0; w < FMT_COUNT; w++)
        for (int af = 0; af < FMT_COUNT; af++) {
            if (!(a->pair_ok[w] & FMT_BIT(af)))
                continue;
            const fmt_traits *tw = fmt_get((fmt_id)w), *ta = fmt_get((fmt_id)af);
            const dec_group *gw = &a->grp[grp_of[w]], *ga = &a->grp[grp_of[af]];
            int e = tw->bits > ta->bits ? tw->bits : ta->bits;
            int vw = a->split && e == 16 ? VIEW_W : VIEW_N;
            for (int i = 0; i < 16 / e && i < a->nslots; i++) {
                slot_view *v = &a->slot[i].v[vw];
                int lo = gw->exp_lo + ga->exp_lo, hi = gw->exp_hi + ga->exp_hi;
                int mw = gw->sig_w + ga->sig_w;
                if (!v->present || lo < v->lo)
                    v->lo = lo;
                if (!v->present || hi > v->hi)
                    v->hi = hi;
                v->mw = v->present ? imax(v->mw, mw) : mw;
                v->present = 1;
                v->mx |= tw->block || ta->block;
                if (tw->max_abs * ta->max_abs > vmax[i][vw])
                    vmax[i][vw] = tw->max_abs * ta->max_abs;
            }
        }
    for (int vw = 0; vw < 2; vw++) {
        int base = 0, have = 0, clamp = 0;
        for (int i = 0; i < a->nslots; i++) {
            slot_view *v = &a->slot[i].v[vw];
            if (!v->present)
                continue;
            slot_plan *sl = &a->slot[i];
            v->c = v->lo - sl->emin;
            v->rb = bits_for(v->hi - v->lo);
            v->tw = dbits(ldexp(vmax[i][vw], -v->lo));
            if (v->tw < 1)
                v->tw = 1;
            /* non-MX: floor at ACC_LSB (arithmetic shift of the signed t),
             * clamp at the accumulator's range */
            int L = c->acc_lsb;
            v->n_drop = L > v->lo ? L - v->lo : 0;
            v->n_lsb = v->n_drop ? L : v->lo;
            int wl = v->tw + 1 + (v->n_drop ? 0 : v->lo - L) - v->n_drop; /* signed width at L */
            if (wl < 1)
                wl = 1;
            v->n_clamp = wl > c->acc_w;
            if (v->n_clamp)
                v->n_lsb = L, v->n_w = c->acc_w;
            else
                v->n_w = imax(v->tw + 1 - v->n_drop, 1);
            /* MX: exact at max(lo, BLK_LSB), unclamped (dropped bits are zero:
             * BLK_LSB is at or below every MX pair's smallest product bit, so
             * with BLK_LSB = ACC_LSB and no clamp it is the non-MX value) */
            v->b_sep = v->mx && (v->n_clamp || (v->n_drop && a->k > 0));
            if (v->b_sep) {
                v->b_drop = a->blk_lsb > v->lo ? a->blk_lsb - v->lo : 0;
                v->b_lsb = v->lo + v->b_drop;
                v->b_w = imax(v->tw + 1 - v->b_drop, 1);
                a->unit_mx = 1;
            }
            if (v->n_drop)
                a->unit_inexact = 1;
            if (v->n_clamp)
                a->unit_overflow = 1, clamp = 1;
            int l = v->b_sep ? imin(v->n_lsb, v->b_lsb) : v->n_lsb;
            if (!have || l < base)
                base = l;
            have = 1;
        }
        if (!have)
            continue;
        if (clamp && base > c->acc_lsb) /* a clamped value is a whole number at ACC_LSB */
            base = c->acc_lsb;
        a->vbase[vw] = base;
        int pws[NSLOTS], n = 0;
        for (int i = 0; i < a->nslots; i++) {
            slot_view *v = &a->slot[i].v[vw];
            if (!v->present)
                continue;
            v->pw = v->n_w + v->n_lsb - base;
            if (v->b_sep)
                v->pw = imax(v->pw, v->b_w + v->b_lsb - base);
            pws[n++] = v->pw;
        }
        a->vsum_w[vw] = sum_tree_width(pws, n);
        a->unit_w = imax(a->unit_w, a->vsum_w[vw] + base - a->blk_lsb);
    }
    /* the registered shift amount: each view reads its low rb bits (sh - c
     * modulo 2^rb), so the widest view's rb is enough */
    for (int i = 0; i < a->nslots; i++) {
        slot_plan *sl = &a->slot[i];
        sl->rb = 0;
        for (int vw = 0; vw < 2; vw++)
            if (sl->v[vw].present)
                sl->rb = imax(sl->rb, sl->v[vw].rb);
    }
    int uw[64];
    for (int u = 0; u < c->j; u++)
        uw[u] = a->unit_w;
    a->sum_w = sum_tree_width(uw, c->j);

    /* MX block sums and the scale shift window. */
    a->x_w = a->sum_w;
    if (a->has_mx) {
        a->mxb_w = dbits(a->mx_block * ldexp(mx_maxprod, -a->blk_lsb)) + 1;
        a->blk_w = imax(a->mxb_w, a->sum_w);
        int c0 = a->blk_lsb - c->acc_lsb;
        int shmin = c0 - 2 * E8M0_BIAS, shmax = c0 + 2 * (E8M0_NAN - 1 - E8M0_BIAS);
        a->sc_lo = imax(shmin, -a->mxb_w);
        a->sc_hi = imax(imin(shmax, c->acc_w), a->sc_lo);
        a->sc_off = shmin - a->sc_lo;
        a->sc_max_amt = a->sc_hi - a->sc_lo;
        /* amt = clip(ws + as + sc_off, 0, sc_max_amt), computed without
         * truncation: wide enough for every intermediate value */
        a->sc_amt_w = bits_for(2 * (E8M0_NAN - 1) + (a->sc_off < 0 ? -a->sc_off : a->sc_off) +
                               a->sc_max_amt) + 1;
        a->sc_amt_rw = imax(bits_for(a->sc_max_amt), 1);
        a->sc_x_w = a->mxb_w + a->sc_max_amt + 1;
        a->sc_ip_w = a->sc_x_w + a->sc_lo;
        a->sc_frac = a->sc_lo < 0 ? -a->sc_lo : 0;
        a->sc_clamp = a->sc_ip_w > c->acc_w;
        a->sc_v_w = a->sc_clamp ? c->acc_w : a->sc_ip_w;
        a->x_w = imax(a->blk_w - a->k, a->sc_v_w); /* non-MX: b_sum >>> k, exact */
    }
    a->acc_add_w = imax(c->acc_w, a->x_w) + 1;

    a->latency = 1 + a->has_mx;
    for (int s = 0; s < PIPE_COUNT; s++)
        a->latency += arch_has_stage(a, (pipe_stage)s);

    /* Common decoded widths (the decode probe's ports). */
    for (int g = 0; g < a->ngrp; g++) {
        const dec_group *d = &a->grp[g];
        a->sig_w = imax(a->sig_w, d->sig_w);
        if (!g || d->exp_lo < a->exp_lo)
            a->exp_lo = d->exp_lo;
        if (!g || d->exp_hi > a->exp_hi)
            a->exp_hi = d->exp_hi;
    }
    a->exp_w = 1;
    while (-(1ll << (a->exp_w - 1)) > a->exp_lo || (1ll << (a->exp_w - 1)) - 1 < a->exp_hi)
        a->exp_w++;
    arch_coproc(a);
    return 0;
}
