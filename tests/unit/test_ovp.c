/*
 * tests/unit/test_ovp.c - the OliVe outlier-victim pair codec of
 * kernels_ref/fmt_ovp.c (OliVe, ISCA 2023, sec. 3) against oracles written
 * here, differently:
 *
 *  1. A table-driven reference decoder: value tables of the normal codes
 *     (int4 and flint4 literally, int8 by sign extension) and of the outlier
 *     codes (ovp4 / ovp4f literally; ovp8 built like a float grid: start at
 *     128, step 4, double the step every 32 entries), and the rule "exactly
 *     one marker: it is 0, the other code is an outlier".  The canonical
 *     triples are checked as: int normals (|v|, 0); flint normals a literal
 *     table; outliers the unique (sig, exp) with 2^mb <= sig < 2^(mb+1).
 *     Every pair of codes: 256 (ovp4, ovp4f) and 65536 (ovp8).
 *  2. A brute-force reference quantizer: per element, the nearest normal and
 *     the nearest outlier by DISTANCE over the value tables (ties: even
 *     magnitude code / even m), "wants outlier" iff strictly closer, then
 *     the pair rule and policy.  Checked on literal cases, every tie, random
 *     and grid inputs, both policies.
 *  3. Round trip: every canonical pair re-quantizes to itself under both
 *     policies; the non-canonical pairs are exactly (M,M), (M,0), (0,M), and
 *     re-quantize to the literal pairs listed below.
 *  4. OliVe Figure 1 (tests/vectors/olive_fig1.hex): quantize, pack
 *     first-high, compare bytes; unpack and decode; the first-low order by
 *     swapping the file's nibbles.
 *  5. Products: every decoded element of every ovp4 pair times every int4
 *     code and every element of every ovp4 pair; ovp4f x int4 / fp4 / ovp4;
 *     every element of every ovp8 pair times every int8 and int4 code - the
 *     datapath (s1^s2, e1+e2, i1*i2) equals the product of reference values
 *     (long double, exact).
 * Random inputs take their seed from $TEST_SEED.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "check.h"
#include "formats.h"
#include "quant.h"

#if LDBL_MANT_DIG < 64
#error "the brute-force distances below need a long double with >= 64 significand bits"
#endif

#define FIG1 "tests/vectors/olive_fig1.hex"

/* ------------------------------------------------------------ reference */

typedef struct {
    fmt_id id;
    int bits;
    uint32_t marker;
    int mb;          /* outlier mantissa bits */
    int nmag;        /* number of normal magnitude codes */
    double nval[8 + 128]; /* normal magnitude by magnitude code (int: = code) */
    double oval[128];     /* outlier magnitude by e<<mb|m            */
    int flint;
} ref_fmt;

static ref_fmt R4, R4F, R8;

static void ref_init(void) {
    static const double int4_out[8] = {8, 12, 16, 24, 32, 48, 64, 96};       /* bias 2 */
    static const double flint_out[8] = {16, 24, 32, 48, 64, 96, 128, 192};  /* bias 3 */
    static const double flint_mag[8] = {0, 1, 2, 3, 4, 6, 8, 16};           /* ANT */

    R4 = (ref_fmt){.id = FMT_OVP4, .bits = 4, .marker = 0x8, .mb = 1, .nmag = 8};
    for (int k = 0; k < 8; k++) {
        R4.nval[k] = k;
        R4.oval[k] = int4_out[k];
    }
    R4F = (ref_fmt){.id = FMT_OVP4F, .bits = 4, .marker = 0x8, .mb = 1, .nmag = 8, .flint = 1};
    for (int k = 0; k < 8; k++) {
        R4F.nval[k] = flint_mag[k];
        R4F.oval[k] = flint_out[k];
    }
    R8 = (ref_fmt){.id = FMT_OVP8, .bits = 8, .marker = 0x80, .mb = 5, .nmag = 128};
    double v = 128, step = 4;
    for (int k = 0; k < 128; k++) {
        R8.nval[k] = k;
        R8.oval[k] = v;
        v += step;
        if (k % 32 == 31)
            step *= 2;
    }
    CHECK(R8.oval[1] == 132 && R8.oval[127] == 2016 && R8.oval[32] == 256,
          "ovp8 outlier table: %g %g %g", R8.oval[1], R8.oval[127], R8.oval[32]);
}

/* Value of a normal code. */
static long double ref_normal(const ref_fmt *r, uint32_t c) {
    if (r->flint) {
        long double m = r->nval[c & 7];
        return (c & 8) ? -m : m;
    }
    return (c & r->marker) ? (long double)c - 2.0L * r->marker : (long double)c;
}

static long double ref_outlier(const ref_fmt *r, uint32_t c) {
    long double m = r->oval[c & (r->marker - 1)];
    return (c & r->marker) ? -m : m;
}

/* Reference decode of a pair into values. */
static void ref_pair(const ref_fmt *r, uint32_t c0, uint32_t c1, long double *v0,
                     long double *v1) {
    int m0 = c0 == r->marker, m1 = c1 == r->marker;
    if (!m0 && !m1) {
        *v0 = ref_normal(r, c0);
        *v1 = ref_normal(r, c1);
    } else if (m0 && m1) {
        *v0 = *v1 = 0;
    } else if (m0) {
        *v0 = 0;
        *v1 = ref_outlier(r, c1);
    } else {
        *v0 = ref_outlier(r, c0);
        *v1 = 0;
    }
}

static long double dec_value(decoded d) {
    long double v = ldexpl((long double)d.sig, d.exp);
    return d.neg ? -v : v;
}

/* Canonical triple rules (see the header comment). */
static int canonical_triple(const ref_fmt *r, decoded d, long double want, int is_outlier,
                            uint32_t code) {
    if (dec_value(d) != want)
        return 0;
    if (want == 0)
        return d.neg == 0 && d.sig == 0 && d.exp == 0;
    if (d.neg != (want < 0))
        return 0;
    if (is_outlier)
        return d.sig >= (1u << r->mb) && d.sig < (2u << r->mb);
    if (r->flint) {
        static const uint32_t fs[8] = {0, 1, 2, 3, 2, 3, 2, 2};
        static const int fe[8] = {0, 0, 0, 0, 1, 1, 2, 3};
        return d.sig == fs[code & 7] && d.exp == fe[code & 7];
    }
    return d.exp == 0;
}

/* ------------------------------------------------------------ decode */

static void test_decode(const ref_fmt *r) {
    const fmt_traits *t = fmt_get(r->id);
    uint32_t n = 1u << r->bits;
    CHECK(ovp_victim_code(t) == r->marker, "%s marker", t->name);
    for (uint32_t c0 = 0; c0 < n; c0++)
        for (uint32_t c1 = 0; c1 < n; c1++) {
            decoded d[2];
            memset(d, 0x5A, sizeof d);
            unsigned fl = ovp_decode_pair(t, (uint16_t)c0, (uint16_t)c1, &d[0], &d[1]);
            long double v0, v1;
            ref_pair(r, c0, c1, &v0, &v1);
            int out0 = c1 == r->marker && c0 != r->marker;
            int out1 = c0 == r->marker && c1 != r->marker;
            if (fl != 0 || !canonical_triple(r, d[0], v0, out0, c0) ||
                !canonical_triple(r, d[1], v1, out1, c1))
                check_fail(__FILE__, __LINE__,
                           "%s pair (0x%x, 0x%x): got {%d,%d,%u} {%d,%d,%u} flags %u, "
                           "expected values %Lg %Lg",
                           t->name, c0, c1, d[0].neg, d[0].exp, d[0].sig, d[1].neg, d[1].exp,
                           d[1].sig, fl, v0, v1);
            /* and through the registry */
            uint16_t cc[2] = {(uint16_t)c0, (uint16_t)c1};
            decoded e[2];
            fmt_decode_vec(r->id, cc, 2, e);
            if (memcmp(&e[0], &d[0], sizeof(decoded)) || memcmp(&e[1], &d[1], sizeof(decoded)))
                check_fail(__FILE__, __LINE__, "%s (0x%x, 0x%x): fmt_decode_vec differs",
                           t->name, c0, c1);
        }
}

/* ------------------------------------------------------------ quantizer oracle */

/* Nearest entry of tab[lo..hi] to a (>= 0, finite) by distance; ties to the
 * even index. */
static int brute_nearest(const double *tab, int lo, int hi, long double a) {
    int best = lo;
    long double bd = INFINITY;
    for (int k = lo; k <= hi; k++) {
        long double d = fabsl(a - (long double)tab[k]);
        if (d < bd || (d == bd && !(k & 1))) {
            bd = d;
            best = k;
        }
    }
    return best;
}

typedef struct {
    uint32_t ncode, ocode;
    int wants;
    long double absx;
} ref_cand;

static ref_cand ref_candidate(const ref_fmt *r, double x) {
    ref_cand c;
    long double a = isnan(x) ? 0.0L : fabsl((long double)x);
    int neg = !isnan(x) && x < 0;
    int nhi = r->flint ? 7 : (int)r->marker - 1, ohi = (int)r->marker - 1;
    int nk, ok;
    c.absx = a;
    if (isinf(x)) { /* saturation: everything at its largest, an outlier */
        nk = nhi;
        ok = ohi;
        c.wants = 1;
    } else {
        nk = brute_nearest(r->nval, 0, nhi, a);
        ok = brute_nearest(r->oval, 1, ohi, a); /* index 0 (e = m = 0) excluded */
        c.wants = fabsl(a - (long double)r->oval[ok]) < fabsl(a - (long double)r->nval[nk]);
    }
    /* codes: +0 for a zero magnitude; flint sign-magnitude; int two's complement */
    if (nk == 0)
        c.ncode = 0;
    else if (r->flint)
        c.ncode = (neg ? 8u : 0u) | (uint32_t)nk;
    else
        c.ncode = neg ? 2 * r->marker - (uint32_t)nk : (uint32_t)nk;
    c.ocode = (neg ? r->marker : 0u) | (uint32_t)ok;
    return c;
}

static void ref_quantize(const ref_fmt *r, double x0, double x1, ovp_policy p, uint32_t *c0,
                         uint32_t *c1) {
    ref_cand a = ref_candidate(r, x0), b = ref_candidate(r, x1);
    int keep = -1;
    if (a.wants && b.wants) {
        if (p == OVP_KEEP_LEFT)
            keep = 0;
        else
            keep = b.absx > a.absx ? 1 : 0; /* larger |x|, tie: left */
    } else if (a.wants) {
        keep = 0;
    } else if (b.wants) {
        keep = 1;
    }
    if (keep < 0) {
        *c0 = a.ncode;
        *c1 = b.ncode;
    } else if (keep == 0) {
        *c0 = a.ocode;
        *c1 = r->marker;
    } else {
        *c0 = r->marker;
        *c1 = b.ocode;
    }
}

static long n_quant;

static void q_check(const ref_fmt *r, double x0, double x1, ovp_policy p, uint32_t w0,
                    uint32_t w1, const char *what) {
    uint16_t g0 = 0xFFFF, g1 = 0xFFFF;
    ovp_quantize_pair(fmt_get(r->id), x0, x1, p, &g0, &g1);
    n_quant++;
    if (g0 != w0 || g1 != w1)
        check_fail(__FILE__, __LINE__,
                   "%s quantize %s (%.17g, %.17g) policy %s: got (0x%x, 0x%x), expected "
                   "(0x%x, 0x%x)",
                   fmt_get(r->id)->name, what, x0, x1, p == OVP_KEEP_LEFT ? "left" : "larger",
                   g0, g1, w0, w1);
}

/* Check against the brute force, both policies. */
static void q_brute(const ref_fmt *r, double x0, double x1, const char *what) {
    for (int p = 0; p < 2; p++) {
        uint32_t w0, w1;
        ref_quantize(r, x0, x1, (ovp_policy)p, &w0, &w1);
        q_check(r, x0, x1, (ovp_policy)p, w0, w1, what);
    }
}

/* Literal cases worked out by hand (also checks the brute force itself). */
static void q_lit(const ref_fmt *r, double x0, double x1, ovp_policy p, uint32_t w0,
                  uint32_t w1) {
    uint32_t b0, b1;
    ref_quantize(r, x0, x1, p, &b0, &b1);
    CHECK(b0 == w0 && b1 == w1, "brute force (%g, %g) gives (0x%x, 0x%x), literal (0x%x, 0x%x)",
          x0, x1, b0, b1, w0, w1);
    q_check(r, x0, x1, p, w0, w1, "literal");
}

static void test_quantize_literals(void) {
    const ovp_policy L = OVP_KEEP_LARGER, F = OVP_KEEP_LEFT;
    double up95 = nextafter(9.5, INFINITY);
    /* ovp4: normals -7..7, outliers 12 16 24 32 48 64 96 (k = 1..7) */
    q_lit(&R4, 1.5, 2.5, L, 0x2, 0x2);      /* RNE: 2, 2 */
    q_lit(&R4, -0.4, -0.5, L, 0x0, 0x0);    /* +0, never the marker */
    q_lit(&R4, -7.6, 7.5, L, 0x9, 0x7);     /* saturate the normal: nearer than 12 */
    q_lit(&R4, 9.5, 0, L, 0x7, 0x0);        /* |9.5-7| = |9.5-12|: not strictly closer */
    q_lit(&R4, up95, 0, L, 0x1, 0x8);       /* just above: outlier 12 */
    q_lit(&R4, 0, -10, L, 0x8, 0x9);        /* 8 is never produced: 12 */
    q_lit(&R4, 14, 3, L, 0x2, 0x8);         /* tie 12|16 -> even m: 16 */
    q_lit(&R4, 20, 3, L, 0x2, 0x8);         /* tie 16|24 -> 16 */
    q_lit(&R4, 28, 3, L, 0x4, 0x8);         /* tie 24|32 across a binade -> 32 */
    q_lit(&R4, 1e9, 3, L, 0x7, 0x8);        /* saturate at 96 */
    q_lit(&R4, 3, -INFINITY, L, 0x8, 0xF);  /* -Inf saturates */
    q_lit(&R4, NAN, 5, L, 0x0, 0x5);        /* NaN counts as 0 */
    /* both want to be outliers: the policies */
    q_lit(&R4, 20, -50, L, 0x8, 0xD);       /* larger |x|: -50 -> -48 (e2 m1) */
    q_lit(&R4, 20, -50, F, 0x2, 0x8);       /* left: 20 -> 16 */
    q_lit(&R4, 50, 49, L, 0x5, 0x8);        /* both -> 48; larger is the left */
    q_lit(&R4, 49, 50, L, 0x8, 0x5);        /* ... is the right */
    q_lit(&R4, 49, 50, F, 0x5, 0x8);
    q_lit(&R4, -30, 30, L, 0xC, 0x8);       /* |x| tie: the left */
    q_lit(&R4, INFINITY, -INFINITY, L, 0x7, 0x8);
    /* ovp4f: flint normals 0 1 2 3 4 6 8 16, outliers 24 .. 192 */
    q_lit(&R4F, 0.5, -0.5, L, 0x0, 0x0);    /* tie 0|1 -> code 0, never -0 = marker */
    q_lit(&R4F, 1.5, 2.5, L, 0x2, 0x2);     /* ties -> even magnitude code 2 (value 2) */
    q_lit(&R4F, 3.5, -5, L, 0x4, 0xC);      /* 3|4 -> 4 (code 4); 4|6 -> 4 (code 4) */
    q_lit(&R4F, 7, -12, L, 0x6, 0xE);       /* 6|8 -> 8 (code 6); 8|16 -> 8 (code 6) */
    q_lit(&R4F, 20, 0, L, 0x7, 0x0);        /* 16 vs 24: tie, stays normal 16 */
    q_lit(&R4F, nextafter(20, 99), 0, L, 0x1, 0x8); /* outlier 24 */
    q_lit(&R4F, -200, 0, L, 0xF, 0x8);      /* saturate at 192 */
    q_lit(&R4F, 28, 1, L, 0x2, 0x8);        /* tie 24|32 -> 32 (m even) */
    /* ovp8: normals -127..127, outliers 132 .. 2016 */
    q_lit(&R8, 127.5, -127.5, L, 0x7F, 0x81); /* saturated normals */
    q_lit(&R8, 129.5, 0, L, 0x7F, 0x00);    /* 127 vs 132: tie, normal */
    q_lit(&R8, 130, 0, L, 0x01, 0x80);      /* outlier 132 */
    q_lit(&R8, 0, 134, L, 0x80, 0x02);      /* tie 132|136 -> 136 (m = 2) */
    q_lit(&R8, -2100, 0, L, 0xFF, 0x80);
    q_lit(&R8, -126.5, 2.5, L, 0x82, 0x02); /* RNE: -126, 2 */
}

static double rnd_unit(void) { return (double)(rnd64() >> 11) / 9007199254740992.0; }

static void test_quantize_brute(const ref_fmt *r) {
    double omax = r->oval[r->marker - 1];
    /* every tie: between normals, between outliers, normal vs outlier, and
     * the neighbouring doubles, against every one of a few partners */
    double pts[600];
    int np = 0;
    int nhi = r->flint ? 7 : (int)r->marker - 1;
    for (int k = 0; k < nhi; k++)
        pts[np++] = (r->nval[k] + r->nval[k + 1]) / 2;
    for (int k = 0; k + 1 < (int)r->marker; k++)
        pts[np++] = (r->oval[k] + r->oval[k + 1]) / 2;
    pts[np++] = (r->nval[nhi] + r->oval[1]) / 2;
    pts[np++] = (r->nval[nhi] + r->oval[0]) / 2;
    const double partners[] = {0, 1, -3.5, r->nval[nhi], r->oval[1], -r->oval[3], omax,
                               -omax * 2, NAN, INFINITY};
    for (int i = 0; i < np; i++)
        for (int s = 0; s < 2; s++) {
            double m = s ? -pts[i] : pts[i];
            double nb[3] = {nextafter(m, -INFINITY), m, nextafter(m, INFINITY)};
            for (int k = 0; k < 3; k++)
                for (size_t j = 0; j < sizeof partners / sizeof partners[0]; j++) {
                    q_brute(r, nb[k], partners[j], "tie");
                    q_brute(r, partners[j], nb[k], "tie");
                }
        }
    /* random: uniform up to 1.2x the largest outlier, log-uniform, and on
     * the half grid (normal ties) up to the outliers' range */
    for (int i = 0; i < 200000; i++) {
        double x0 = (2 * rnd_unit() - 1) * omax * 1.2, x1 = (2 * rnd_unit() - 1) * omax * 1.2;
        q_brute(r, x0, x1, "random");
        double l0 = ldexp(1 + rnd_unit(), (int)rnd_below(20) - 6) * (rnd64() & 1 ? -1 : 1);
        double l1 = ldexp(1 + rnd_unit(), (int)rnd_below(20) - 6) * (rnd64() & 1 ? -1 : 1);
        q_brute(r, l0, l1, "random log-uniform");
        double g0 = ((double)rnd_below((uint32_t)(4 * omax + 1)) - 2 * omax) / 2;
        double g1 = ((double)rnd_below((uint32_t)(4 * omax + 1)) - 2 * omax) / 2;
        q_brute(r, g0, g1, "random half grid");
    }
}

/* ------------------------------------------------------------ round trip */

static void test_round_trip(const ref_fmt *r) {
    const fmt_traits *t = fmt_get(r->id);
    uint32_t n = 1u << r->bits, M = r->marker;
    /* the re-quantization of the non-canonical pairs, worked out by hand:
     * (M, M) -> (0, 0); (M, 0) decodes to (0, 2^mb << bias), whose nearest
     * representation is the largest normal (ovp4: 8 -> 7, ovp4f: 16 is the
     * flint normal 0x7, ovp8: 128 -> 127) */
    uint32_t top = r->bits == 8 ? 0x7F : 0x7;
    int noncanon = 0, canon = 0;
    for (uint32_t c0 = 0; c0 < n; c0++)
        for (uint32_t c1 = 0; c1 < n; c1++) {
            long double v0, v1;
            ref_pair(r, c0, c1, &v0, &v1);
            int is_nc = (c0 == M && c1 == M) || (c0 == M && c1 == 0) || (c0 == 0 && c1 == M);
            uint32_t w0 = c0, w1 = c1;
            if (c0 == M && c1 == M)
                w0 = w1 = 0;
            else if (c0 == M && c1 == 0)
                w0 = 0, w1 = top;
            else if (c0 == 0 && c1 == M)
                w0 = top, w1 = 0;
            for (int p = 0; p < 2; p++) {
                uint16_t g0, g1;
                ovp_quantize_pair(t, (double)v0, (double)v1, (ovp_policy)p, &g0, &g1);
                n_quant++;
                if (g0 != w0 || g1 != w1)
                    check_fail(__FILE__, __LINE__,
                               "%s %s pair (0x%x, 0x%x) = (%Lg, %Lg) re-quantizes to "
                               "(0x%x, 0x%x), expected (0x%x, 0x%x)",
                               t->name, is_nc ? "non-canonical" : "canonical", c0, c1, v0, v1,
                               g0, g1, w0, w1);
            }
            noncanon += is_nc;
            canon += !is_nc;
        }
    CHECK(noncanon == 3 && canon == (int)(n * n) - 3, "%s: %d canonical, %d not", t->name,
          canon, noncanon);
}

/* ------------------------------------------------------------ figure 1 */

static void test_fig1(void) {
    FILE *f = fopen(FIG1, "r");
    if (!f) {
        check_fail(__FILE__, __LINE__, "cannot open %s (run from the repository root)", FIG1);
        return;
    }
    char line[1024], fmt[32] = "", order[32] = "";
    double in[64], dec[64];
    unsigned out[64];
    int nin = 0, nout = 0, ndec = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        int used;
        if (!strncmp(line, "format ", 7))
            sscanf(line + 7, "%31s", fmt);
        else if (!strncmp(line, "order ", 6))
            sscanf(line + 6, "%31s", order);
        else if (!strncmp(line, "in ", 3))
            for (p = line + 3; nin < 64 && sscanf(p, "%lf%n", &in[nin], &used) == 1; p += used)
                nin++;
        else if (!strncmp(line, "out ", 4))
            for (p = line + 4; nout < 64 && sscanf(p, "%x%n", &out[nout], &used) == 1; p += used)
                nout++;
        else if (!strncmp(line, "dec ", 4))
            for (p = line + 4; ndec < 64 && sscanf(p, "%lf%n", &dec[ndec], &used) == 1; p += used)
                ndec++;
    }
    fclose(f);
    CHECK(!strcmp(fmt, "ovp4") && !strcmp(order, "first-high") && nin == 12 && nout == 6 &&
              ndec == 12,
          "%s: unexpected contents (format '%s', order '%s', %d in, %d out, %d dec)", FIG1, fmt,
          order, nin, nout, ndec);
    if (nin != 12 || nout != 6 || ndec != 12)
        return;
    const fmt_traits *t = fmt_get(FMT_OVP4);
    for (int p = 0; p < 2; p++) { /* no pair has two outliers: both policies agree */
        uint16_t codes[12];
        uint8_t bytes[6];
        for (int i = 0; i < 12; i += 2)
            ovp_quantize_pair(t, in[i], in[i + 1], (ovp_policy)p, &codes[i], &codes[i + 1]);
        memset(bytes, 0xEE, sizeof bytes);
        quant_pack_codes(t->id, codes, 12, OVP_FIRST_HIGH, bytes);
        for (int i = 0; i < 6; i++)
            CHECK_EQ_U(bytes[i], out[i], "Figure 1 byte %d (policy %d)", i, p);
    }
    /* decode the paper's bytes */
    uint8_t b[6], sw[6];
    for (int i = 0; i < 6; i++) {
        b[i] = (uint8_t)out[i];
        sw[i] = (uint8_t)((out[i] << 4 | out[i] >> 4) & 0xFF); /* the other nibble order */
    }
    uint16_t c[12], c2[12], c3[12];
    decoded d[12];
    quant_unpack_codes(t->id, b, 12, OVP_FIRST_HIGH, c);
    CHECK(fmt_decode_vec(FMT_OVP4, c, 12, d) == 0, "Figure 1: decode flags");
    for (int i = 0; i < 12; i++)
        CHECK(dec_value(d[i]) == dec[i], "Figure 1 element %d decodes to %Lg, expected %g", i,
              dec_value(d[i]), dec[i]);
    /* first-low: the same codes come from the nibble-swapped bytes */
    quant_unpack_codes(t->id, sw, 12, OVP_FIRST_LOW, c2);
    for (int i = 0; i < 12; i++)
        CHECK_EQ_U(c2[i], c[i], "Figure 1 first-low unpack, element %d", i);
    uint8_t b2[6];
    quant_pack_codes(t->id, c, 12, OVP_FIRST_LOW, b2);
    for (int i = 0; i < 6; i++)
        CHECK_EQ_U(b2[i], sw[i], "Figure 1 first-low pack, byte %d", i);
    quant_unpack_codes(t->id, b2, 12, OVP_FIRST_HIGH, c3); /* the wrong order swaps each pair */
    for (int i = 0; i < 12; i++)
        CHECK_EQ_U(c3[i], c[i ^ 1], "Figure 1 read in the wrong order, element %d", i);
}

static void test_packing(void) {
    const fmt_traits *t4 = fmt_get(FMT_OVP4), *t8 = fmt_get(FMT_OVP8);
    uint16_t c[5] = {0x1, 0x2, 0xA, 0xF, 0x7}, u[5];
    uint8_t b[3];
    memset(b, 0xEE, sizeof b);
    quant_pack_codes(t4->id, c, 5, OVP_FIRST_HIGH, b);
    CHECK(b[0] == 0x12 && b[1] == 0xAF && b[2] == 0x70, "pack first-high: %02x %02x %02x", b[0],
          b[1], b[2]);
    quant_pack_codes(t4->id, c, 5, OVP_FIRST_LOW, b);
    CHECK(b[0] == 0x21 && b[1] == 0xFA && b[2] == 0x07, "pack first-low: %02x %02x %02x", b[0],
          b[1], b[2]);
    for (int o = 0; o < 2; o++)
        for (int rep = 0; rep < 1000; rep++) {
            uint16_t x[64], y[64];
            uint8_t bb[64];
            size_t n = 2 + 2 * rnd_below(31);
            const fmt_traits *t = rep & 1 ? t8 : t4;
            for (size_t i = 0; i < n; i++)
                x[i] = (uint16_t)rnd_below(1u << t->bits);
            quant_pack_codes(t->id, x, n, (ovp_nibble_order)o, bb);
            quant_unpack_codes(t->id, bb, n, (ovp_nibble_order)o, y);
            for (size_t i = 0; i < n; i++)
                CHECK_EQ_U(y[i], x[i], "%s pack/unpack order %d element %zu", t->name, o, i);
            if (t == t8)
                for (size_t i = 0; i < n; i++)
                    CHECK_EQ_U(bb[i], x[i], "ovp8 packs one code per byte, element %zu", i);
        }
    quant_unpack_codes(t4->id, (const uint8_t[]){0xC3}, 2, OVP_FIRST_HIGH, u);
    CHECK(u[0] == 0xC && u[1] == 0x3, "unpack first-high 0xC3: %x %x", u[0], u[1]);
    quant_unpack_codes(t4->id, (const uint8_t[]){0xC3}, 2, OVP_FIRST_LOW, u);
    CHECK(u[0] == 0x3 && u[1] == 0xC, "unpack first-low 0xC3: %x %x", u[0], u[1]);
}

/* ------------------------------------------------------------ products */

/* Every element of every pair of format a, with its reference value. */
typedef struct {
    decoded d;
    long double v;
} elem;

static int pair_elems(const ref_fmt *r, elem *e) {
    const fmt_traits *t = fmt_get(r->id);
    int n = 0;
    for (uint32_t c0 = 0; c0 < (1u << r->bits); c0++)
        for (uint32_t c1 = 0; c1 < (1u << r->bits); c1++) {
            long double v[2];
            ovp_decode_pair(t, (uint16_t)c0, (uint16_t)c1, &e[n].d, &e[n + 1].d);
            ref_pair(r, c0, c1, &v[0], &v[1]);
            e[n].v = v[0];
            e[n + 1].v = v[1];
            n += 2;
        }
    return n;
}

/* Elements of a plain format, reference values written here: int by sign
 * extension, fp4 from the OCP table (0.5 * {0,1,2,3,4,6,8,12}). */
static int plain_elems(fmt_id f, elem *e) {
    static const double fp4_half_units[8] = {0, 1, 2, 3, 4, 6, 8, 12};
    const fmt_traits *t = fmt_get(f);
    int n = 1 << t->bits;
    for (int c = 0; c < n; c++) {
        fmt_decode(f, (uint16_t)c, &e[c].d);
        if (t->family == FAM_FP4)
            e[c].v = (c & 8 ? -0.5L : 0.5L) * fp4_half_units[c & 7];
        else
            e[c].v = c >= n / 2 ? c - n : c;
    }
    return n;
}

static long products(const elem *a, int na, const elem *b, int nb, const char *what) {
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++) {
            uint64_t sig = (uint64_t)a[i].d.sig * b[j].d.sig;
            long double got = ldexpl((long double)sig, a[i].d.exp + b[j].d.exp);
            if (a[i].d.neg ^ b[j].d.neg)
                got = -got;
            long double want = a[i].v * b[j].v;
            if (got != want)
                check_fail(__FILE__, __LINE__, "%s: element %d x %d: datapath %Lg, expected %Lg",
                           what, i, j, got, want);
        }
    return (long)na * nb;
}

static void test_products(void) {
    static elem o4[512], o4f[512], o8[131072], i4[16], i8[256], f4[16];
    int n4 = pair_elems(&R4, o4), n4f = pair_elems(&R4F, o4f), n8 = pair_elems(&R8, o8);
    plain_elems(FMT_INT4, i4);
    plain_elems(FMT_INT8, i8);
    plain_elems(FMT_FP4, f4);
    long n = 0;
    n += products(o4, n4, i4, 16, "ovp4 x int4");
    n += products(o4, n4, o4, n4, "ovp4 x ovp4");
    n += products(o4f, n4f, i4, 16, "ovp4f x int4");
    n += products(o4f, n4f, f4, 16, "ovp4f x fp4");
    n += products(o4f, n4f, o4, n4, "ovp4f x ovp4");
    n += products(o8, n8, i8, 256, "ovp8 x int8");
    n += products(o8, n8, i4, 16, "ovp8 x int4");
    printf("products: %ld element pairs exact\n", n);
}

static void test_registry(void) {
    /* facts of DESIGN.md sec. 3 the registry derives by scanning the decoder */
    const struct {
        fmt_id f;
        double max_abs;
        int sig_bits;
    } facts[] = {{FMT_OVP4, 96, 3}, {FMT_OVP4F, 192, 2}, {FMT_OVP8, 2016, 7}};
    for (int i = 0; i < 3; i++) {
        const fmt_traits *t = fmt_get(facts[i].f);
        CHECK(t->max_abs == facts[i].max_abs && t->sig_bits == facts[i].sig_bits &&
                  t->min_pos == 1 && t->lsb_log2 == 0,
              "%s: max_abs %g sig_bits %d min_pos %g lsb %d", t->name, t->max_abs, t->sig_bits,
              t->min_pos, t->lsb_log2);
    }
}

int main(void) {
    check_name = "test_ovp";
    check_seed();
    ref_init();
    test_registry();
    test_decode(&R4);
    test_decode(&R4F);
    test_decode(&R8);
    printf("decode: %d pairs\n", 256 + 256 + 65536);
    test_round_trip(&R4);
    test_round_trip(&R4F);
    test_round_trip(&R8);
    printf("round trip: every pair, both policies; 3 non-canonical pairs per format\n");
    test_quantize_literals();
    test_quantize_brute(&R4);
    test_quantize_brute(&R4F);
    test_quantize_brute(&R8);
    printf("quantize: %ld pairs\n", n_quant);
    test_fig1();
    test_packing();
    test_products();
    return check_done();
}
