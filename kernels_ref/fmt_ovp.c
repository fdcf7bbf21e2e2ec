/*
 * kernels_ref/fmt_ovp.c - OliVe outlier-victim pair (OVP) codec:
 * C. Guo et al., "OliVe: Accelerating Large Language Models via
 * Hardware-friendly Outlier-Victim Pair Quantization", ISCA 2023
 * (arXiv:2304.07493), sec. 3; flint4 normals from C. Guo et al., "ANT:
 * Exploiting Adaptive Numerical Data Type for Low-bit Deep Neural Network
 * Quantization", MICRO 2022.
 *
 * Elements come in pairs (2k, 2k+1) of b-bit codes (b = 4 or 8).  The victim
 * marker is M = 1 << (b-1) (1000 / 0x80).  Per formats.def a format has a
 * normal type (int or flint), outlier mantissa bits mb and bias.
 *
 * Canonical decoded form (a contract with the RTL decoders, DESIGN.md sec. 3;
 * value = (-1)^neg * sig * 2^exp, in units of the normal LSB):
 *   pair (c0, c1), neither code M: both NORMAL
 *     int   (ovp4, ovp8): two's complement v in -7..7 / -127..127,
 *                         neg = v < 0, sig = |v|, exp = 0
 *     flint (ovp4f): sign-magnitude s | mc(3); mc -> (sig, exp):
 *                    0 (0,0)  1 (1,0)  2 (2,0)  3 (3,0)
 *                    4 (2,1)  6 (3,1)  8 (2,2)  16 (2,3)   (value: sig, exp)
 *                    i.e. mc 0..7 = 0, 1, 2, 3, 4, 6, 8, 16; neg = s
 *   exactly one code M: it is the VICTIM, {0, 0, 0}; the other code is the
 *     OUTLIER, "abfloat" s | e(2) | m(mb):
 *                    neg = s, sig = 2^mb + m, exp = e + bias
 *     ovp4  (mb 1, bias 2): 12, 16, 24, 32, 48, 64, 96
 *     ovp4f (mb 1, bias 3): 24, 32, 48, 64, 96, 128, 192
 *     ovp8  (mb 5, bias 2): 132 .. 2016
 *   both codes M: two zeros.
 * Zero is always {0, 0, 0}.
 *
 * Non-canonical pairs (decode fine, never produced by ovp_quantize_pair),
 * exactly three per format:
 *   (M, M)         -> 0, 0          the quantizer writes (0, 0)
 *   (M, 0), (0, M) -> 0, +2^mb << bias (8 / 16 / 128): the outlier with
 *                     e = m = 0, which the quantizer never picks because
 *                     with the sign set the same code is the marker itself
 *                     (for ovp4f the value 16 is a normal, code 0x7).
 * Every other pair is canonical and re-quantizes to itself under both
 * policies.  (The normals -8 / -128 and flint -0 do not exist: their code
 * is M.)
 *
 * Pair quantization (inputs in units of the normal LSB): for each element
 *   normal candidate  = nearest normal magnitude (int: RNE, saturate at
 *                       2^(b-1)-1; flint: nearest of the 8 magnitudes, ties
 *                       to the even magnitude code)
 *   outlier candidate = nearest abfloat magnitude with (e, m) != (0, 0),
 *                       ties to even m, saturating at the largest
 * and the element wants to be an outlier iff |x - outlier| < |x - normal|
 * (strictly).  No element: two normals.  One: outlier + victim.  Two: the
 * policy keeps the larger |x| (OVP_KEEP_LARGER, the paper; tie: the left) or
 * element 0 (OVP_KEEP_LEFT, the reference code); the other is the victim.
 * A normal that rounds to magnitude 0 is +0 (code 0, never M).  NaN counts
 * as 0 (DESIGN.md: NaN quantizes to 0 outside the posits); +-Inf saturates.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "formats.h"

/* flint4 magnitude codes (ANT, MICRO 2022): value and canonical triple. */
static const double flint_mag[8] = {0, 1, 2, 3, 4, 6, 8, 16};
static const uint8_t flint_sig[8] = {0, 1, 2, 3, 2, 3, 2, 2};
static const uint8_t flint_exp[8] = {0, 0, 0, 0, 1, 1, 2, 3};

static void check_ovp(const fmt_traits *t) {
    /* The abfloat layout s | e(2) | m(mb) must fill the code exactly. */
    if (t->family != FAM_OVP || 1 + 2 + t->ovp_mbits != t->bits ||
        (t->ovp_normal == OVP_NORMAL_FLINT && t->bits != 4)) {
        fprintf(stderr, "kernels_ref: %s is not a valid OVP format\n", t->name);
        abort();
    }
}

static void decode_normal(const fmt_traits *t, uint32_t c, decoded *d) {
    uint32_t sbit = 1u << (t->bits - 1);
    if (t->ovp_normal == OVP_NORMAL_FLINT) {
        uint32_t mc = c & 7u;
        d->sig = flint_sig[mc];
        d->exp = flint_exp[mc];
        d->neg = mc ? (int)((c & sbit) != 0) : 0;
    } else {
        int32_t v = (int32_t)c - (int32_t)((c & sbit) << 1); /* two's complement */
        d->neg = v < 0;
        d->sig = (uint32_t)(v < 0 ? -v : v);
        d->exp = 0;
    }
}

static void decode_outlier(const fmt_traits *t, uint32_t c, decoded *d) {
    uint32_t mb = (uint32_t)t->ovp_mbits;
    uint32_t m = c & ((1u << mb) - 1u), e = (c >> mb) & 3u;
    d->neg = (int)((c >> (t->bits - 1)) & 1u);
    d->sig = (1u << mb) + m;
    d->exp = (int)e + t->ovp_bias;
}

static const decoded zero = {0, 0, 0};

unsigned ovp_decode_pair(const fmt_traits *t, uint16_t c0, uint16_t c1, decoded *d0,
                         decoded *d1) {
    check_ovp(t);
    uint32_t mk = ovp_victim_code(t);
    int v0 = c0 == mk, v1 = c1 == mk;
    if (!v0 && !v1) {
        decode_normal(t, c0, d0);
        decode_normal(t, c1, d1);
    } else if (v0 && v1) {
        *d0 = zero;
        *d1 = zero;
    } else if (v0) {
        *d0 = zero;
        decode_outlier(t, c1, d1);
    } else {
        decode_outlier(t, c0, d0);
        *d1 = zero;
    }
    return 0;
}

/* ------------------------------------------------------------ quantizer */

/* Magnitude of outlier index k = e << mb | m (sign excluded), exact. */
static double outlier_mag(const fmt_traits *t, uint32_t k) {
    uint32_t mb = (uint32_t)t->ovp_mbits;
    uint32_t m = k & ((1u << mb) - 1u), e = k >> mb;
    return ldexp((double)((1u << mb) + m), (int)e + t->ovp_bias);
}

static double normal_mag(const fmt_traits *t, uint32_t k) {
    return t->ovp_normal == OVP_NORMAL_FLINT ? flint_mag[k] : (double)k;
}

/* Index in [lo, hi] of the magnitude nearest to a >= 0, for a magnitude
 * table mag(k) strictly increasing in k; ties to the even index; a outside
 * the table saturates.  Ties are decided exactly: the tables hold small
 * integers, so the midpoint (mag(i) + mag(i+1)) / 2 is exact and compared
 * with a directly instead of comparing two rounded distances. */
static uint32_t nearest(const fmt_traits *t, double (*mag)(const fmt_traits *, uint32_t),
                        uint32_t lo, uint32_t hi, double a) {
    if (a <= mag(t, lo))
        return lo;
    if (a >= mag(t, hi))
        return hi;
    /* binary search: mag(l) <= a < mag(h), h = l + 1 at the end */
    uint32_t l = lo, h = hi;
    while (h - l > 1) {
        uint32_t mid = l + (h - l) / 2;
        if (mag(t, mid) <= a)
            l = mid;
        else
            h = mid;
    }
    double half = (mag(t, l) + mag(t, h)) / 2;
    if (a < half)
        return l;
    if (a > half)
        return h;
    return (l & 1u) ? h : l;
}

typedef struct {
    uint32_t normal_k;  /* magnitude index of the normal candidate       */
    uint32_t outlier_k; /* e << mb | m of the outlier candidate          */
    int wants_outlier;
    int neg;
    double absx; /* |x| for the keep-larger policy (NaN -> 0) */
} cand;

static cand candidates(const fmt_traits *t, double x) {
    cand c;
    double a = isnan(x) ? 0.0 : fabs(x);
    uint32_t nmax = t->ovp_normal == OVP_NORMAL_FLINT ? 7u : (1u << (t->bits - 1)) - 1u;
    uint32_t omax = (4u << t->ovp_mbits) - 1u;
    c.neg = !isnan(x) && x < 0;
    c.absx = a;
    /* int normals: mag(k) = k, so nearest() is round-half-even. */
    c.normal_k = nearest(t, normal_mag, 0, nmax, a);
    /* k = 0 (e = m = 0) is excluded: with the sign set it is the marker.
     * Within one e the tie is between m and m+1, across a binade between
     * m = max (odd) and m = 0 of e+1: "ties to even index" = "ties to even m". */
    c.outlier_k = nearest(t, outlier_mag, 1, omax, a);
    /* Every outlier magnitude exceeds every normal one (12 > 7, 24 > 16,
     * 132 > 127), so |a - o| < |a - n| (strictly) iff a > (n + o) / 2: for
     * a <= n it is false and a <= n < (n+o)/2; for a >= o it is true; in
     * between it is the midpoint test.  The midpoint is exact (integers),
     * while comparing two rounded differences could invent or hide a tie.
     * Saturation: a = Inf is above every midpoint, so it becomes an outlier. */
    double n = normal_mag(t, c.normal_k), o = outlier_mag(t, c.outlier_k);
    c.wants_outlier = a > (n + o) / 2;
    return c;
}

static uint16_t normal_code(const fmt_traits *t, const cand *c) {
    uint32_t k = c->normal_k;
    if (k == 0)
        return 0; /* never -0: for flint that would be the marker */
    if (t->ovp_normal == OVP_NORMAL_FLINT)
        return (uint16_t)(c->neg ? (8u | k) : k);
    uint32_t mask = (1u << t->bits) - 1u;
    return (uint16_t)((c->neg ? (0u - k) : k) & mask);
}

static uint16_t outlier_code(const fmt_traits *t, const cand *c) {
    return (uint16_t)((c->neg ? ovp_victim_code(t) : 0u) | c->outlier_k);
}

void ovp_quantize_pair(const fmt_traits *t, double x0, double x1, ovp_policy p,
                       uint16_t *c0, uint16_t *c1) {
    check_ovp(t);
    cand a = candidates(t, x0), b = candidates(t, x1);
    uint16_t mk = ovp_victim_code(t);
    int keep; /* -1: no outlier, 0 or 1: the element kept as outlier */
    if (a.wants_outlier && b.wants_outlier)
        keep = p == OVP_KEEP_LEFT ? 0 : (b.absx > a.absx ? 1 : 0);
    else if (a.wants_outlier)
        keep = 0;
    else if (b.wants_outlier)
        keep = 1;
    else
        keep = -1;
    if (keep < 0) {
        *c0 = normal_code(t, &a);
        *c1 = normal_code(t, &b);
    } else if (keep == 0) {
        *c0 = outlier_code(t, &a);
        *c1 = mk;
    } else {
        *c0 = mk;
        *c1 = outlier_code(t, &b);
    }
}

