/*
 * kernels_ref/engine.c - the bit-exact dot product of one MAC lane.  The
 * semantics are stated in engine.h and derived in docs/numerics.md.
 */
#include "engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Limits of the model (checked, not assumed): the accumulator plus the
 * guard bits of a step sum must fit in a wide. */
#define ACC_W_MAX (WIDE_BITS - 8)
#define ACC_LSB_LIMIT 150

static void check_cfg(const engine_cfg *c) {
    if (c->acc_w < 2 || c->acc_w > ACC_W_MAX || c->acc_lsb < -ACC_LSB_LIMIT ||
        c->acc_lsb > ACC_LSB_LIMIT || c->subunits < 1 || c->k_max < 1) {
        fprintf(stderr,
                "kernels_ref: bad engine_cfg acc_w=%d (2..%d) acc_lsb=%d (+-%d) subunits=%d "
                "k_max=%d\n",
                c->acc_w, ACC_W_MAX, c->acc_lsb, ACC_LSB_LIMIT, c->subunits, c->k_max);
        abort();
    }
}

int engine_default_acc(fmt_mask wfmts, fmt_mask afmts, int k_max, int *acc_w, int *acc_lsb) {
    int have = 0, lsb = 0;
    double maxprod = 0;
    for (int w = 0; w < FMT_COUNT; w++) {
        if (!(wfmts & FMT_BIT(w)))
            continue;
        for (int a = 0; a < FMT_COUNT; a++) {
            if (!(afmts & FMT_BIT(a)))
                continue;
            const fmt_traits *tw = fmt_get((fmt_id)w), *ta = fmt_get((fmt_id)a);
            int l = tw->lsb_log2 + ta->lsb_log2;
            if (!have || l < lsb)
                lsb = l;
            /* products of powers of two and small integers: exact in double */
            if (tw->max_abs * ta->max_abs > maxprod)
                maxprod = tw->max_abs * ta->max_abs;
            have = 1;
        }
    }
    if (!have || k_max < 1)
        return -1;
    /* T = k_max * maxprod / 2^lsb is an integer; T < 2^e with frexp's e,
     * so e magnitude bits plus a sign bit hold +-T. */
    int e;
    frexp((double)k_max * ldexp(maxprod, -lsb), &e);
    if (e + 1 > ACC_W_MAX)
        return -1;
    *acc_w = e + 1;
    *acc_lsb = lsb;
    return 0;
}

int engine_elems_per_unit(fmt_id wf, fmt_id af) {
    int bw = fmt_get(wf)->bits, ba = fmt_get(af)->bits;
    return 16 / (bw > ba ? bw : ba);
}

int engine_step(const engine_cfg *cfg, fmt_id wf, fmt_id af) {
    return cfg->subunits * engine_elems_per_unit(wf, af);
}

static int bit_length(wide v) {
    if (wide_is_neg(v))
        v = wide_neg(v);
    for (int i = WIDE_BITS - 1; i >= 0; i--)
        if (wide_bit(v, i))
            return i + 1;
    return 0;
}

/* clamp(floor(v * 2^shift)) to the accumulator range, raising INEXACT when
 * bits are dropped and OVERFLOW when it saturates.  Any shift is allowed
 * (MX scale shifts span +-508). */
static wide scale_clamp(const engine_cfg *c, wide v, int shift, unsigned *flags) {
    int inexact = 0, clamped = 0;
    if (wide_is_zero(v))
        return v;
    if (shift >= 0) {
        /* 2^(len-1) <= |v|: if len + shift > acc_w then |v * 2^shift| >= 2^acc_w,
         * beyond either end of the range, and too wide to shift safely. */
        if (bit_length(v) + shift > c->acc_w) {
            *flags |= FLAG_OVERFLOW;
            return wide_is_neg(v) ? wide_min_of(c->acc_w) : wide_max_of(c->acc_w);
        }
        v = wide_shl(v, shift, NULL);
    } else {
        v = wide_sar(v, -shift, &inexact);
    }
    v = wide_clamp(v, c->acc_w, &clamped);
    if (inexact)
        *flags |= FLAG_INEXACT;
    if (clamped)
        *flags |= FLAG_OVERFLOW;
    return v;
}

static wide product_sig(decoded w, decoded a) {
    wide v = wide_from_u64((uint64_t)w.sig * a.sig);
    return (w.neg ^ a.neg) ? wide_neg(v) : v;
}

unsigned engine_product(const engine_cfg *cfg, decoded w, decoded a, wide *q) {
    check_cfg(cfg);
    int inexact = 0;
    wide v = product_sig(w, a);
    int shift = w.exp + a.exp - cfg->acc_lsb;
    *q = shift >= 0 ? wide_shl(v, shift, NULL) : wide_sar(v, -shift, &inexact);
    return inexact ? FLAG_INEXACT : 0;
}

/* Decode a row of format f.  An OVP row of odd length k carries k+1 codes
 * (the pair encoder's pad code completes the last pair); a non-OVP operand
 * beside it gets a zero code at k.  Returns the decoded length. */
static size_t decode_row(fmt_id f, const uint16_t *codes, size_t k, size_t kk, decoded *out,
                         unsigned *flags) {
    if (fmt_get(f)->family == FAM_OVP) {
        *flags |= fmt_decode_vec(f, codes, kk, out);
    } else {
        *flags |= fmt_decode_vec(f, codes, k, out);
        if (kk > k)
            out[k] = (decoded){0, 0, 0};
    }
    return kk;
}

static wide acc_add(const engine_cfg *c, wide acc, wide s, unsigned *flags) {
    int clamped = 0;
    acc = wide_clamp(wide_add(acc, s), c->acc_w, &clamped);
    if (clamped)
        *flags |= FLAG_OVERFLOW;
    return acc;
}

static unsigned dot_plain(const engine_cfg *c, fmt_id wf, fmt_id af, const decoded *w,
                          const decoded *a, size_t k, wide *acc) {
    unsigned flags = 0;
    size_t step = (size_t)engine_step(c, wf, af);
    for (size_t s = 0; s < k; s += step) {
        wide sum = wide_from_u64(0);
        for (size_t i = s; i < s + step && i < k; i++) {
            int shift = w[i].exp + a[i].exp - c->acc_lsb;
            sum = wide_add(sum, scale_clamp(c, product_sig(w[i], a[i]), shift, &flags));
        }
        *acc = acc_add(c, *acc, sum, &flags);
    }
    return flags;
}

#define MX_BLOCK 32 /* OCP MX v1.0: k = 32 elements share one scale */

static unsigned dot_mx(const engine_cfg *c, fmt_id wf, fmt_id af, const decoded *w,
                       const decoded *a, size_t k, const uint8_t *wscale,
                       const uint8_t *ascale, wide *acc) {
    unsigned flags = 0;
    /* Block sums are exact integers in units of the smallest product bit. */
    int unit = fmt_get(wf)->lsb_log2 + fmt_get(af)->lsb_log2;
    for (size_t b = 0; b * MX_BLOCK < k; b++) {
        wide sum = wide_from_u64(0);
        for (size_t i = b * MX_BLOCK; i < (b + 1) * MX_BLOCK && i < k; i++) {
            int inexact = 0, sh = w[i].exp + a[i].exp - unit;
            wide p = product_sig(w[i], a[i]);
            sum = wide_add(sum, sh >= 0 ? wide_shl(p, sh, NULL) : wide_sar(p, -sh, &inexact));
            if (inexact) { /* unit is the format pair's smallest bit weight */
                fprintf(stderr, "kernels_ref: internal error: inexact MX product\n");
                abort();
            }
        }
        int ws = wscale ? wscale[b] : E8M0_BIAS, as = ascale ? ascale[b] : E8M0_BIAS;
        if (ws == E8M0_NAN || as == E8M0_NAN) {
            flags |= FLAG_NAN_SCALE;
            continue;
        }
        int shift = unit + (ws - E8M0_BIAS) + (as - E8M0_BIAS) - c->acc_lsb;
        *acc = acc_add(c, *acc, scale_clamp(c, sum, shift, &flags), &flags);
    }
    return flags;
}

unsigned engine_dot(const engine_cfg *cfg, fmt_id wf, fmt_id af, const uint16_t *w,
                    const uint16_t *a, size_t k, const uint8_t *wscale, const uint8_t *ascale,
                    wide *acc) {
    check_cfg(cfg);
    const fmt_traits *tw = fmt_get(wf), *ta = fmt_get(af);
    if ((wscale != NULL) != (tw->block > 0) || (ascale != NULL) != (ta->block > 0)) {
        fprintf(stderr, "kernels_ref: engine_dot: scales must be given exactly for MX operands\n");
        abort();
    }
    int ovp = tw->family == FAM_OVP || ta->family == FAM_OVP;
    size_t kk = ovp && k % 2 ? k + 1 : k; /* products the lane computes */
    decoded *dw = malloc((kk + 1) * sizeof *dw), *da = malloc((kk + 1) * sizeof *da);
    if (!dw || !da)
        abort();
    unsigned flags = 0;
    decode_row(wf, w, k, kk, dw, &flags);
    decode_row(af, a, k, kk, da, &flags);
    k = kk;
    *acc = wide_from_u64(0);
    if (tw->block || ta->block)
        flags |= dot_mx(cfg, wf, af, dw, da, k, wscale, ascale, acc);
    else
        flags |= dot_plain(cfg, wf, af, dw, da, k, acc);
    free(dw);
    free(da);
    return flags;
}
