/*
 * tests/unit/test_engine.c - the accumulator contract of engine.h, checked
 * against an independent oracle: products and sums in __int128 with floor
 * done by integer division (not shifts) and clamping by comparison.  Valid
 * while the accumulator and every intermediate fit in 127 bits, which holds
 * for every default accumulator here (the widest, posit16 x posit16 with
 * K_MAX 4096, is 126 bits).
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "engine.h"

typedef __int128 i128;

static i128 pow2(int n) { return (i128)1 << n; }

/* floor(n * 2^sh) for any sh, with inexact and "huge" detection. */
static i128 floor_scale(i128 n, int sh, int *inexact, int *huge) {
    if (n == 0)
        return 0;
    if (sh >= 0) {
        i128 m = n < 0 ? -n : n;
        if (sh >= 126 || m >= pow2(126 - sh)) {
            *huge = 1;
            return n < 0 ? -pow2(126) : pow2(126);
        }
        return n * pow2(sh);
    }
    if (-sh >= 126) {
        *inexact = 1;
        return n < 0 ? -1 : 0;
    }
    i128 d = pow2(-sh), q = n / d;
    if (n % d) {
        *inexact = 1;
        if (n < 0)
            q -= 1;
    }
    return q;
}

static i128 clamp(i128 v, int w, unsigned *flags) {
    i128 lo = -pow2(w - 1), hi = pow2(w - 1) - 1;
    if (v < lo || v > hi) {
        *flags |= FLAG_OVERFLOW;
        return v < lo ? lo : hi;
    }
    return v;
}

static i128 signed_sig(decoded d) { return d.neg ? -(i128)d.sig : (i128)d.sig; }

/* The oracle dot product: same contract, different arithmetic. */
static unsigned oracle_dot(const engine_cfg *c, fmt_id wf, fmt_id af, const uint16_t *w,
                           const uint16_t *a, size_t k, const uint8_t *ws, const uint8_t *as,
                           i128 *out) {
    static decoded dw[70000], da[70000];
    static uint16_t pw[70000], pa[70000];
    /* An odd OVP row carries its pad code at index k, and the lane
     * multiplies it (a non-OVP partner's element k is a zero code). */
    int wo = fmt_get(wf)->family == FAM_OVP, ao = fmt_get(af)->family == FAM_OVP;
    size_t kk = (wo || ao) ? k + (k % 2) : k;
    memcpy(pw, w, k * 2);
    memcpy(pa, a, k * 2);
    pw[k] = wo ? w[k] : 0;
    pa[k] = ao ? a[k] : 0;
    unsigned flags = fmt_decode_vec(wf, pw, kk, dw) | fmt_decode_vec(af, pa, kk, da);
    k = kk;
    int bw = fmt_get(wf)->bits, ba = fmt_get(af)->bits;
    size_t step = (size_t)c->subunits * (size_t)(16 / (bw > ba ? bw : ba));
    i128 acc = 0;
    if (!ws && !as) {
        for (size_t s = 0; s < k; s += step) {
            i128 sum = 0;
            for (size_t i = s; i < s + step && i < k; i++) {
                int inexact = 0, huge = 0;
                i128 q = floor_scale(signed_sig(dw[i]) * (i128)da[i].sig * (da[i].neg ? -1 : 1),
                                     dw[i].exp + da[i].exp - c->acc_lsb, &inexact, &huge);
                if (inexact)
                    flags |= FLAG_INEXACT;
                sum += clamp(q, c->acc_w, &flags);
            }
            acc = clamp(acc + sum, c->acc_w, &flags);
        }
    } else {
        for (size_t b = 0; b * 32 < k; b++) {
            /* exact block sum in units of 2^-64 (all products here are
             * multiples of 2^-60 and below 2^40) */
            i128 sum = 0;
            for (size_t i = b * 32; i < b * 32 + 32 && i < k; i++) {
                int e = dw[i].exp + da[i].exp + 64;
                sum += signed_sig(dw[i]) * (i128)da[i].sig * (da[i].neg ? -1 : 1) * pow2(e);
            }
            int sw = ws ? ws[b] : 127, sa = as ? as[b] : 127;
            if (sw == 0xFF || sa == 0xFF) {
                flags |= FLAG_NAN_SCALE;
                continue;
            }
            int inexact = 0, huge = 0;
            i128 q = floor_scale(sum, -64 + (sw - 127) + (sa - 127) - c->acc_lsb, &inexact, &huge);
            if (inexact)
                flags |= FLAG_INEXACT;
            acc = clamp(acc + clamp(q, c->acc_w, &flags), c->acc_w, &flags);
        }
    }
    *out = acc;
    return flags;
}

static i128 wide_to_i128(wide v) {
    return (i128)(((unsigned __int128)v.w[1] << 64) | v.w[0]);
}

static int compare(const engine_cfg *c, fmt_id wf, fmt_id af, const uint16_t *w,
                   const uint16_t *a, size_t k, const uint8_t *ws, const uint8_t *as,
                   const char *what) {
    wide acc;
    i128 exp;
    unsigned f = engine_dot(c, wf, af, w, a, k, ws, as, &acc);
    unsigned ef = oracle_dot(c, wf, af, w, a, k, ws, as, &exp);
    i128 got = wide_to_i128(acc);
    if (got != exp || f != ef) {
        CHECK(0, "%s %s x %s k=%zu acc_w=%d lsb=%d J=%d: got %.6Lg flags %u, expected %.6Lg flags %u",
              what, fmt_get(wf)->name, fmt_get(af)->name, k, c->acc_w, c->acc_lsb, c->subunits,
              (long double)got, f, (long double)exp, ef);
        return 0;
    }
    return 1;
}

/* Hand-derived defaults (docs/numerics.md, "Default accumulator"). */
static void test_defaults(void) {
    static const struct {
        fmt_id w, a;
        int k, acc_w, acc_lsb;
        const char *why;
    } kat[] = {
        {FMT_INT8, FMT_INT8, 4096, 28, 0, "(-128)^2 * 4096 = 2^26 -> 27 bits + sign"},
        {FMT_INT4, FMT_INT4, 1, 8, 0, "(-8)^2 = 64 -> 7 bits + sign"},
        {FMT_FP4, FMT_FP4, 32, 14, -2, "6*6*32 / 2^-2 = 4608 -> 13 bits + sign"},
        {FMT_POSIT16, FMT_POSIT16, 4096, 126, -56, "2^56 * 2^12 / 2^-56 = 2^124 -> 125 + sign"},
        {FMT_POSIT8, FMT_POSIT8, 1024, 36, -12, "2^12 * 2^10 / 2^-12 = 2^34 -> 35 + sign"},
        {FMT_OVP4, FMT_INT4, 256, 19, 0, "96 * 8 * 256 = 196608 -> 18 bits + sign"},
        {FMT_OVP8, FMT_OVP8, 1, 23, 0, "2016^2 = 4064256 -> 22 bits + sign"},
        {FMT_POSIT4, FMT_FP4, 16, 17, -5, "16*6*16 / 2^(-4-1) = 49152 -> 16 bits + sign"},
    };
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        int w = 0, l = 0;
        engine_default_acc(FMT_BIT(kat[i].w), FMT_BIT(kat[i].a), kat[i].k, &w, &l);
        int want_w = kat[i].acc_w;
        CHECK(w == want_w && l == kat[i].acc_lsb, "default acc %s x %s k=%d: got w=%d lsb=%d, "
              "expected w=%d lsb=%d (%s)", fmt_get(kat[i].w)->name, fmt_get(kat[i].a)->name,
              kat[i].k, w, l, want_w, kat[i].acc_lsb, kat[i].why);
    }
    int w, l;
    CHECK(engine_default_acc(0, FMT_BIT(FMT_INT4), 16, &w, &l) == -1, "empty mask refused");
}

/* The code of the largest (negative: the most negative) value of a scalar
 * format, found by scanning its decoder. */
static uint16_t extreme_code(fmt_id f, int negative, double *value) {
    const fmt_traits *t = fmt_get(f);
    uint16_t best = 0;
    double bv = 0;
    for (uint32_t c = 0; c < (1u << t->bits); c++) {
        decoded d;
        fmt_decode(f, (uint16_t)c, &d);
        double v = decoded_to_double(d);
        if (negative ? v < bv : v > bv) {
            bv = v;
            best = (uint16_t)c;
        }
    }
    *value = bv;
    return best;
}

/* The extremes: K_MAX products of the largest magnitudes are exact with the
 * derived defaults, for every pair of scalar formats. */
static void test_extremes(void) {
    enum { K = 4096 };
    static uint16_t w[K], a[K];
    for (int wf = 0; wf < FMT_COUNT; wf++)
        for (int af = 0; af < FMT_COUNT; af++) {
            const fmt_traits *tw = fmt_get((fmt_id)wf), *ta = fmt_get((fmt_id)af);
            if (tw->family == FAM_OVP || ta->family == FAM_OVP || tw->block || ta->block)
                continue;
            engine_cfg c = {.k_max = K, .subunits = 1};
            engine_default_acc(FMT_BIT(wf), FMT_BIT(af), K, &c.acc_w, &c.acc_lsb);
            for (int sign = 0; sign < 4; sign++) {
                double vw, va;
                uint16_t cw = extreme_code((fmt_id)wf, sign & 1, &vw);
                uint16_t ca = extreme_code((fmt_id)af, (sign >> 1) & 1, &va);
                for (int i = 0; i < K; i++) {
                    w[i] = cw;
                    a[i] = ca;
                }
                wide acc;
                unsigned f = engine_dot(&c, (fmt_id)wf, (fmt_id)af, w, a, K, NULL, NULL, &acc);
                long double want = (long double)K * vw * va;
                long double got = ldexpl(wide_to_ld(acc), c.acc_lsb);
                CHECK(f == 0 && got == want, "extreme %s x %s sign %d: got %Lg flags %u, want %Lg",
                      tw->name, ta->name, sign, got, f, want);
                /* and the sum is right at the edge: within a factor 2 of the range */
                CHECK(fabsl(want) * 2 >= ldexpl(1, c.acc_w - 2 + c.acc_lsb),
                      "default acc for %s x %s is wider than needed", tw->name, ta->name);
            }
        }
}

/* OVP extremes: pairs (max outlier, victim) against the partner's max. */
static void test_ovp_extremes(void) {
    enum { K = 1024 };
    static uint16_t w[K], a[K];
    const fmt_id ovp[] = {FMT_OVP4, FMT_OVP4F, FMT_OVP8};
    for (size_t o = 0; o < 3; o++) {
        const fmt_traits *t = fmt_get(ovp[o]);
        uint16_t victim = ovp_victim_code(t);
        uint16_t outmax = (uint16_t)((1u << (t->bits - 1)) - 1); /* sign 0, e, m all ones */
        engine_cfg c = {.k_max = K, .subunits = 1};
        engine_default_acc(FMT_BIT(ovp[o]), FMT_BIT(ovp[o]), K, &c.acc_w, &c.acc_lsb);
        for (int i = 0; i < K; i++) {
            w[i] = (i % 2) ? victim : outmax;
            a[i] = (i % 2) ? victim : outmax;
        }
        wide acc;
        unsigned f = engine_dot(&c, ovp[o], ovp[o], w, a, K, NULL, NULL, &acc);
        long double got = ldexpl(wide_to_ld(acc), c.acc_lsb);
        long double want = (long double)(K / 2) * t->max_abs * t->max_abs;
        CHECK(f == 0 && got == want, "ovp extreme %s: got %Lg flags %u want %Lg", t->name, got, f,
              want);
    }
}

static uint16_t rnd_code(fmt_id f) {
    uint16_t c = (uint16_t)rnd_below(1u << fmt_get(f)->bits);
    return c;
}

/* Random jobs against the oracle, with random (often narrow) accumulators so
 * OVERFLOW and INEXACT trip in both directions. */
static void test_random(void) {
    static uint16_t w[700], a[700];
    static uint8_t ws[40], as[40];
    int n = 0, with_flags = 0;
    for (int it = 0; it < 20000; it++) {
        fmt_id wf = (fmt_id)rnd_below(FMT_COUNT), af = (fmt_id)rnd_below(FMT_COUNT);
        size_t k = 1 + rnd_below(it % 10 == 0 ? 640 : 70);
        engine_cfg c = {.k_max = 65536, .subunits = 1 << rnd_below(3)};
        if (rnd_below(3) == 0) {
            engine_default_acc(FMT_BIT(wf), FMT_BIT(af), 640, &c.acc_w, &c.acc_lsb);
        } else {
            c.acc_w = 2 + (int)rnd_below(60);
            c.acc_lsb = -40 + (int)rnd_below(50);
        }
        for (size_t i = 0; i <= k; i++) { /* k+1: an odd OVP row's pad code */
            w[i] = rnd_code(wf);
            a[i] = rnd_code(af);
        }
        int mx = fmt_get(wf)->block || fmt_get(af)->block;
        for (size_t b = 0; b < 40; b++) {
            ws[b] = (uint8_t)(127 - 12 + rnd_below(25));
            as[b] = (uint8_t)(127 - 12 + rnd_below(25));
            if (rnd_below(50) == 0)
                ws[b] = 0xFF;
        }
        if (mx && c.acc_lsb < -30)
            c.acc_lsb = -30; /* keep the oracle's block shift in range */
        const uint8_t *pws = fmt_get(wf)->block ? ws : NULL;
        const uint8_t *pas = fmt_get(af)->block ? as : NULL;
        compare(&c, wf, af, w, a, k, pws, pas, "random");
        wide acc;
        if (engine_dot(&c, wf, af, w, a, k, pws, pas, &acc))
            with_flags++;
        n++;
    }
    printf("random: %d jobs, %d raised a flag\n", n, with_flags);
    CHECK(with_flags > 1000 && with_flags < n - 1000, "random jobs should mix flagged and clean "
          "results: %d of %d flagged", with_flags, n);
}

/* Hand-made flag cases (independent arithmetic in the comments). */
static void test_flags_by_hand(void) {
    engine_cfg c = {.acc_w = 8, .acc_lsb = 0, .k_max = 16, .subunits = 1};
    uint16_t seven[3] = {7, 7, 7}; /* INT4 7 */
    wide acc;
    /* 49 + 49 = 98 <= 127: exact */
    CHECK(engine_dot(&c, FMT_INT4, FMT_INT4, seven, seven, 2, NULL, NULL, &acc) == 0 &&
              wide_to_i128(acc) == 98, "49+49");
    /* one step of 4 products holds all three: 147 > 127 saturates */
    CHECK(engine_dot(&c, FMT_INT4, FMT_INT4, seven, seven, 3, NULL, NULL, &acc) ==
                  FLAG_OVERFLOW && wide_to_i128(acc) == 127, "49*3 saturates to 127");
    /* FP4 0.5 (code 1) * 0.5 = 0.25 with LSB 2^-1: floor(0.5) = 0, inexact;
     * -0.5 (code 9) * 0.5 = -0.25: floor(-0.5) = -1, inexact */
    engine_cfg f = {.acc_w = 8, .acc_lsb = -1, .k_max = 16, .subunits = 1};
    uint16_t h = 1, nh = 9;
    CHECK(engine_dot(&f, FMT_FP4, FMT_FP4, &h, &h, 1, NULL, NULL, &acc) == FLAG_INEXACT &&
              wide_to_i128(acc) == 0, "0.25 truncates to 0");
    CHECK(engine_dot(&f, FMT_FP4, FMT_FP4, &nh, &h, 1, NULL, NULL, &acc) == FLAG_INEXACT &&
              wide_to_i128(acc) == -1, "-0.25 floors to -1 LSB");
    /* per-product clamp then step sum: 6*6 = 36 in LSB 2^-1 is 72; acc_w 7
     * clamps each product to 63 (OVERFLOW), then 63 + (-72 -> -64) = -1 */
    engine_cfg g = {.acc_w = 7, .acc_lsb = -1, .k_max = 16, .subunits = 1};
    uint16_t ww[2] = {7, 7}, aa[2] = {7, 0xF}; /* 6*6, 6*-6 */
    CHECK(engine_dot(&g, FMT_FP4, FMT_FP4, ww, aa, 2, NULL, NULL, &acc) == FLAG_OVERFLOW &&
              wide_to_i128(acc) == -1, "per-product clamp: got %d", (int)wide_to_i128(acc));
    /* MX: a block of one 1.0*1.0 (codes 2) with scales 2^-3 and 2^1 is 2^-2;
     * with LSB 2^-1 it floors to 0 and is inexact */
    uint16_t one = 2;
    uint8_t s1 = 124, s2 = 128, nan = 0xFF;
    CHECK(engine_dot(&f, FMT_MXFP4, FMT_MXFP4, &one, &one, 1, &s1, &s2, &acc) == FLAG_INEXACT &&
              wide_to_i128(acc) == 0, "MX 2^-2 truncates");
    CHECK(engine_dot(&f, FMT_MXFP4, FMT_MXFP4, &one, &one, 1, &nan, &s2, &acc) ==
                  FLAG_NAN_SCALE && wide_to_i128(acc) == 0, "NaN scale flags, block counts 0");
    /* MX scale 2^+100 overflows any 8-bit accumulator */
    uint8_t big = 227;
    CHECK(engine_dot(&f, FMT_MXFP4, FMT_MXFP4, &one, &one, 1, &big, &s2, &acc) ==
                  FLAG_OVERFLOW && wide_to_i128(acc) == 127, "huge scale saturates");
    /* posit NaR (0x80) counts as zero and raises FLAG_NAR */
    uint16_t nar = 0x80, p1 = 0x40; /* posit8 1.0 */
    engine_cfg p = {.acc_w = 40, .acc_lsb = -12, .k_max = 16, .subunits = 1};
    uint16_t pw[2] = {nar, p1}, pa[2] = {p1, p1};
    CHECK(engine_dot(&p, FMT_POSIT8, FMT_POSIT8, pw, pa, 2, NULL, NULL, &acc) == FLAG_NAR &&
              wide_to_i128(acc) == 4096, "NaR*1 + 1*1 = 1.0 = 4096 LSBs, NaR flagged");
}


/* Every distinct decoded value of a 4- or 8-bit format (OVP: of every
 * pair), so "every pair of codes" reduces to every pair of values. */
static size_t value_set(fmt_id f, decoded *out, size_t cap) {
    const fmt_traits *t = fmt_get(f);
    uint32_t n = 1u << t->bits;
    size_t m = 0;
    for (uint32_t c0 = 0; c0 < n; c0++)
        for (uint32_t c1 = 0; c1 < (t->family == FAM_OVP ? n : 1); c1++) {
            decoded d[2];
            uint16_t c[2] = {(uint16_t)c0, (uint16_t)c1};
            if (t->family == FAM_OVP)
                fmt_decode_vec(f, c, 2, d);
            else
                fmt_decode(f, (uint16_t)c0, &d[0]), d[1] = d[0];
            for (int e = 0; e < 2; e++) {
                size_t j = 0;
                while (j < m && memcmp(&out[j], &d[e], sizeof d[e]) != 0)
                    j++;
                if (j == m && m < cap)
                    out[m++] = d[e];
            }
        }
    return m;
}

/* Every pair of values of every pair of 4- and 8-bit formats goes through
 * the engine's product path exactly: q * 2^lsb equals the product of the
 * two values (each proven against its format's own oracle) in long double,
 * which holds these products exactly (at most 16 significant bits). */
static void test_all_products(void) {
    static decoded vw[4096], va[4096];
    long n = 0;
    for (int wf = 0; wf < FMT_COUNT; wf++)
        for (int af = 0; af < FMT_COUNT; af++) {
            if (fmt_get((fmt_id)wf)->bits > 8 || fmt_get((fmt_id)af)->bits > 8)
                continue;
            size_t nw = value_set((fmt_id)wf, vw, 4096), na = value_set((fmt_id)af, va, 4096);
            engine_cfg c = {.acc_w = 200, .k_max = 1, .subunits = 1,
                            .acc_lsb = fmt_get((fmt_id)wf)->lsb_log2 + fmt_get((fmt_id)af)->lsb_log2};
            for (size_t i = 0; i < nw; i++)
                for (size_t j = 0; j < na; j++) {
                    wide q;
                    unsigned f = engine_product(&c, vw[i], va[j], &q);
                    long double want = (long double)decoded_to_double(vw[i]) *
                                       (long double)decoded_to_double(va[j]);
                    long double got = ldexpl(wide_to_ld(q), c.acc_lsb);
                    CHECK(f == 0 && got == want, "%s x %s: %Lg * %Lg gave %Lg flags %u",
                          fmt_get((fmt_id)wf)->name, fmt_get((fmt_id)af)->name,
                          (long double)decoded_to_double(vw[i]),
                          (long double)decoded_to_double(va[j]), got, f);
                    n++;
                }
        }
    printf("products: %ld value pairs of 4-/8-bit formats exact\n", n);
}

int main(void) {
    check_name = "test_engine";
    check_seed();
    test_defaults();
    test_flags_by_hand();
    test_all_products();
    test_extremes();
    test_ovp_extremes();
    test_random();
    return check_done();
}
