/*
 * tests/unit/test_int_fp4.c - the INT4/8/16 and FP4 E2M1 codecs of
 * kernels_ref/fmt_int.c and fmt_fp4.c against oracles written here:
 *
 *  - INT values by sign extension written as a comparison ("a code at or
 *    above 2^(b-1) is code - 2^b"), FP4 values from the OCP MX v1.0
 *    sec. 5.3.3 table in tests/vectors/ocp_fp4_values.hex (written by hand);
 *    the canonical triples of DESIGN.md sec. 3 as literal tables;
 *  - exhaustive decode and round trip of every INT4, INT8, INT16 and FP4
 *    code (FP4 0x8 = -0 is the one non-canonical code: it decodes to
 *    {0,0,0} and re-quantizes to 0x0);
 *  - products: every pair of codes of {INT4, INT8, FP4} (INT8 x INT8 =
 *    65536 pairs) and INT16 x {INT4, FP4, INT8} multiply exactly in the
 *    decoded form (s1^s2, e1+e2, i1*i2) = the product of the reference
 *    values in long double (exact: at most 32 significant bits);
 *  - quantization by brute force: the nearest of ALL code values by
 *    distance, ties to the even code (INT: even value; FP4: even mantissa =
 *    even code), saturation; every midpoint and its neighbouring doubles,
 *    extremes, NaN, -0, random values (seeded, $TEST_SEED).
 */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "check.h"
#include "formats.h"

#if LDBL_MANT_DIG < 64
#error "the brute-force distances below need a long double with >= 64 significand bits"
#endif

#define FP4_VECTORS "tests/vectors/ocp_fp4_values.hex"

/* ------------------------------------------------------------ references */

/* INT: two's complement by comparison, not by the decoder's bit trick. */
static long ref_int(int bits, uint32_t code) {
    long half = 1L << (bits - 1);
    return (long)code >= half ? (long)code - 2 * half : (long)code;
}

static long double fp4_val[16];
static int fp4_loaded;

static void load_fp4_table(void) {
    FILE *f = fopen(FP4_VECTORS, "r");
    if (!f) {
        check_fail(__FILE__, __LINE__, "cannot open %s (run from the repository root)",
                   FP4_VECTORS);
        return;
    }
    char line[256];
    int seen[16] = {0}, n = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned code;
        double v;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%x %lf", &code, &v) != 2 || code > 15) {
            check_fail(__FILE__, __LINE__, "%s: bad line: %s", FP4_VECTORS, line);
            continue;
        }
        fp4_val[code] = v;
        seen[code]++;
        n++;
    }
    fclose(f);
    for (int c = 0; c < 16; c++)
        CHECK(seen[c] == 1, "%s: code 0x%x appears %d times", FP4_VECTORS, c, seen[c]);
    CHECK(n == 16, "%s: %d entries, expected 16", FP4_VECTORS, n);
    /* A few literal facts of the spec, so a damaged table file is noticed. */
    CHECK(fp4_val[7] == 6.0L && fp4_val[1] == 0.5L && fp4_val[2] == 1.0L &&
              fp4_val[0xF] == -6.0L && fp4_val[8] == 0.0L && signbit(fp4_val[8]),
          "%s does not match OCP MX v1.0 sec. 5.3.3 (max 6, min subnormal 0.5, -0)",
          FP4_VECTORS);
    fp4_loaded = 1;
}

/* The canonical FP4 triples of DESIGN.md sec. 3 (magnitude code -> sig, exp). */
static const uint32_t fp4_sig[8] = {0, 1, 2, 3, 2, 3, 2, 3};
static const int fp4_exp[8] = {0, -1, -1, -1, 0, 0, 1, 1};

/* Reference value of a code of one of the formats tested here. */
static long double ref_value(fmt_id f, uint32_t code) {
    switch (f) {
    case FMT_INT4:
        return (long double)ref_int(4, code);
    case FMT_INT8:
        return (long double)ref_int(8, code);
    case FMT_INT16:
        return (long double)ref_int(16, code);
    case FMT_FP4:
    case FMT_MXFP4:
        return fp4_val[code];
    default:
        abort();
    }
}

static long double dec_value(decoded d) {
    long double v = ldexpl((long double)d.sig, d.exp);
    return d.neg ? -v : v;
}

/* ------------------------------------------------------------ decode */

static void test_int_decode(fmt_id f, int bits) {
    const fmt_traits *t = fmt_get(f);
    CHECK(t->bits == bits && t->family == FAM_INT, "%s: registry row", t->name);
    for (uint32_t c = 0; c < (1u << bits); c++) {
        long v = ref_int(bits, c);
        decoded d, d2;
        memset(&d, 0x5A, sizeof d);
        unsigned fl = fmt_decode(f, (uint16_t)c, &d);
        int_decode(t, (uint16_t)c, &d2);
        CHECK(fl == 0, "%s 0x%x: flags %u", t->name, c, fl);
        CHECK(d.neg == (v < 0) && d.exp == 0 && d.sig == (uint32_t)labs(v),
              "%s 0x%x: got {%d,%d,%u}, expected {%d,0,%ld}", t->name, c, d.neg, d.exp, d.sig,
              v < 0, labs(v));
        CHECK(d2.neg == d.neg && d2.exp == d.exp && d2.sig == d.sig,
              "%s 0x%x: int_decode and fmt_decode differ", t->name, c);
        /* round trip: the full two's complement range, so every code */
        uint16_t q = fmt_quantize(f, (double)v, NULL);
        CHECK_EQ_U(q, c, "%s round trip of %ld", t->name, v);
    }
}

static void test_fp4_decode(fmt_id f) {
    const fmt_traits *t = fmt_get(f);
    CHECK(t->bits == 4 && t->family == FAM_FP4, "%s: registry row", t->name);
    for (uint32_t c = 0; c < 16; c++) {
        decoded d;
        memset(&d, 0x5A, sizeof d);
        unsigned fl = fmt_decode(f, (uint16_t)c, &d);
        long double want = fp4_val[c];
        uint32_t mc = c & 7;
        int wneg = want < 0; /* -0 is not negative: zero is {0,0,0} */
        CHECK(fl == 0, "%s 0x%x: flags %u", t->name, c, fl);
        CHECK(dec_value(d) == want, "%s 0x%x: value %Lg, expected %Lg (OCP table)", t->name,
              c, dec_value(d), want);
        CHECK(d.neg == wneg && d.sig == fp4_sig[mc] && d.exp == fp4_exp[mc],
              "%s 0x%x: got {%d,%d,%u}, expected canonical {%d,%d,%u}", t->name, c, d.neg,
              d.exp, d.sig, wneg, fp4_exp[mc], fp4_sig[mc]);
        uint16_t q = fmt_quantize(f, (double)want, NULL);
        /* 0x8 (-0) is the one non-canonical code: it comes back as 0x0. */
        CHECK_EQ_U(q, c == 8 ? 0 : c, "%s round trip of code 0x%x (%Lg)", t->name, c, want);
    }
    /* fp4_decode directly, too (the registry forwards to it). */
    for (uint32_t c = 0; c < 16; c++) {
        decoded a, b;
        fp4_decode((uint16_t)c, &a);
        fmt_decode(f, (uint16_t)c, &b);
        CHECK(a.neg == b.neg && a.exp == b.exp && a.sig == b.sig, "fp4_decode 0x%x", c);
        CHECK(fp4_quantize((double)fp4_val[c]) == (c == 8 ? 0 : c), "fp4_quantize 0x%x", c);
    }
}

/* ------------------------------------------------------------ products */

static long products(fmt_id fa, fmt_id fb) {
    const fmt_traits *ta = fmt_get(fa), *tb = fmt_get(fb);
    uint32_t na = 1u << ta->bits, nb = 1u << tb->bits;
    decoded *db = malloc(nb * sizeof *db);
    long double *vb = malloc(nb * sizeof *vb);
    for (uint32_t j = 0; j < nb; j++) {
        fmt_decode(fb, (uint16_t)j, &db[j]);
        vb[j] = ref_value(fb, j);
    }
    long n = 0;
    for (uint32_t i = 0; i < na; i++) {
        decoded da;
        fmt_decode(fa, (uint16_t)i, &da);
        long double va = ref_value(fa, i);
        for (uint32_t j = 0; j < nb; j++) {
            /* the datapath: (s1^s2, e1+e2, i1*i2) */
            uint64_t sig = (uint64_t)da.sig * db[j].sig;
            int e = da.exp + db[j].exp, neg = da.neg ^ db[j].neg;
            long double got = ldexpl((long double)sig, e);
            if (neg)
                got = -got;
            long double want = va * vb[j]; /* exact: <= 32 significant bits */
            if (got != want)
                check_fail(__FILE__, __LINE__, "%s 0x%x * %s 0x%x: datapath %Lg, expected %Lg",
                           ta->name, i, tb->name, j, got, want);
            n++;
        }
    }
    free(db);
    free(vb);
    return n;
}

/* ------------------------------------------------------------ quantize */

/* Brute force: the nearest of all code values by distance; ties to the even
 * code among the magnitude codes (INT: the even value, whose two's
 * complement code is even too; FP4: the even mantissa bit = code LSB);
 * beyond the largest magnitude: saturate.  Returns the code. */
static uint32_t brute_int(int bits, double x) {
    if (isnan(x))
        return 0;
    uint32_t best = 0;
    long double bd = INFINITY;
    for (uint32_t c = 0; c < (1u << bits); c++) {
        long v = ref_int(bits, c);
        long double d = fabsl((long double)x - (long double)v);
        if (d < bd || (d == bd && (v & 1) == 0)) {
            bd = d;
            best = c;
        }
    }
    return best;
}

static uint32_t brute_fp4(double x) {
    if (isnan(x))
        return 0;
    long double a = fabsl((long double)x);
    uint32_t best = 0;
    if (a > 6.0L) {
        best = 7; /* saturation (far beyond 6 the distances would all round alike) */
    } else {
        long double bd = INFINITY;
        for (uint32_t c = 0; c < 8; c++) {
            long double d = fabsl(a - fp4_val[c]);
            if (d < bd || (d == bd && (c & 1) == 0)) {
                bd = d;
                best = c;
            }
        }
    }
    if (best == 0)
        return 0; /* never -0 */
    return x < 0 ? best | 8 : best;
}

static uint32_t expect_int16(double x) {
    /* INT16 is too wide for brute force per value: nearbyint() in the
     * default round-to-nearest-even mode (checked in main), then clamp. */
    if (isnan(x))
        return 0;
    double r = nearbyint(x);
    if (r < -32768)
        r = -32768;
    if (r > 32767)
        r = 32767;
    return (uint32_t)(long)r & 0xFFFFu;
}

static long n_quant;

static void q_int(fmt_id f, double x, uint32_t want, const char *what) {
    uint16_t got = fmt_quantize(f, x, NULL);
    n_quant++;
    CHECK_EQ_U(got, want, "%s quantize %s x=%.17g (%a)", fmt_get(f)->name, what, x, x);
}

/* Both neighbours of x as doubles, and x. */
static void around(double x, double out[3]) {
    out[0] = nextafter(x, -INFINITY);
    out[1] = x;
    out[2] = nextafter(x, INFINITY);
}

static void test_int_quantize(fmt_id f, int bits) {
    long lo = -(1L << (bits - 1)), hi = (1L << (bits - 1)) - 1;
    uint32_t mask = (1u << bits) - 1u;
#define EXPECT(x) (bits == 16 ? expect_int16(x) : brute_int(bits, x))
    /* every midpoint k + 1/2: the even neighbour, written out, and the
     * brute force; and its neighbouring doubles */
    for (long k = lo; k < hi; k++) {
        double m = (double)k + 0.5;
        long even = (k % 2 == 0) ? k : k + 1;
        q_int(f, m, (uint32_t)even & mask, "midpoint (ties to even)");
        double nb[3];
        around(m, nb);
        q_int(f, nb[0], (uint32_t)k & mask, "below midpoint");
        q_int(f, nb[2], (uint32_t)(k + 1) & mask, "above midpoint");
        if (bits < 16)
            q_int(f, m, brute_int(bits, m), "midpoint (brute force)");
    }
    /* saturation: beyond the range, including the half-way points that
     * rounding alone would send out of range */
    const double above[] = {0.5, 0.75, 1, 1.5, 100, 1e10, 1e300, DBL_MAX, INFINITY};
    for (size_t i = 0; i < sizeof above / sizeof above[0]; i++) {
        q_int(f, (double)hi + above[i], (uint32_t)hi & mask, "saturate high");
        q_int(f, (double)lo - above[i], (uint32_t)lo & mask, "saturate low");
    }
    q_int(f, nextafter((double)hi + 0.5, 0), (uint32_t)hi & mask, "just below hi + 1/2");
    q_int(f, nextafter((double)lo - 0.5, 0), (uint32_t)lo & mask, "just above lo - 1/2");
    /* zero, -0, tiny, NaN */
    q_int(f, 0.0, 0, "zero");
    q_int(f, -0.0, 0, "-0");
    q_int(f, -0.5, 0, "-0.5 (tie to 0)");
    q_int(f, 0.5, 0, "0.5 (tie to 0)");
    q_int(f, -1.5, (uint32_t)-2 & mask, "-1.5 (tie to -2)");
    q_int(f, -2.5, (uint32_t)-2 & mask, "-2.5 (tie to -2)");
    q_int(f, 5e-324, 0, "denormal");
    q_int(f, -5e-324, 0, "-denormal");
    q_int(f, NAN, 0, "NaN");
    q_int(f, -NAN, 0, "-NaN");
    /* random: uniform over the range and a little beyond, and on the
     * quarter grid (which holds every tie) */
    double span = (double)(hi - lo) + 6;
    for (int i = 0; i < 100000; i++) {
        double x = (double)lo - 3 + span * ((double)(rnd64() >> 11) / 9007199254740992.0);
        q_int(f, x, EXPECT(x), "random");
        double y = (double)((long)rnd_below((uint32_t)(4 * (hi - lo) + 24)) + 4 * lo - 12) / 4;
        q_int(f, y, EXPECT(y), "random quarter grid");
    }
#undef EXPECT
}

static void q_fp4(fmt_id f, double x, uint32_t want, const char *what) {
    uint16_t got = fmt_quantize(f, x, NULL);
    n_quant++;
    CHECK_EQ_U(got, want, "%s quantize %s x=%.17g (%a)", fmt_get(f)->name, what, x, x);
}

static void test_fp4_quantize(fmt_id f) {
    /* The midpoints between adjacent magnitudes and the code each ties to,
     * written out by hand: the neighbour with the even mantissa bit. */
    static const struct {
        double x;
        uint32_t code;
    } ties[] = {{0.25, 0x0}, {0.75, 0x2}, {1.25, 0x2}, {1.75, 0x4},
                {2.5, 0x4},  {3.5, 0x6},  {5.0, 0x6}};
    for (size_t i = 0; i < sizeof ties / sizeof ties[0]; i++) {
        double x = ties[i].x, nb[3];
        q_fp4(f, x, ties[i].code, "tie (literal)");
        q_fp4(f, -x, ties[i].code ? ties[i].code | 8 : 0, "negative tie (literal)");
        CHECK(brute_fp4(x) == ties[i].code, "brute force disagrees with the literal tie %g", x);
        around(x, nb);
        for (int k = 0; k < 3; k++) {
            q_fp4(f, nb[k], brute_fp4(nb[k]), "around a tie");
            q_fp4(f, -nb[k], brute_fp4(-nb[k]), "around a negative tie");
        }
    }
    /* every midpoint of the table (computed from the table, so a change of
     * the table cannot hide one), with neighbours */
    for (uint32_t c = 0; c < 7; c++) {
        double m = (double)((fp4_val[c] + fp4_val[c + 1]) / 2), nb[3];
        around(m, nb);
        for (int k = 0; k < 3; k++) {
            q_fp4(f, nb[k], brute_fp4(nb[k]), "midpoint");
            q_fp4(f, -nb[k], brute_fp4(-nb[k]), "negative midpoint");
        }
        /* the tie lands on the even code, whatever the brute force says */
        uint32_t even = (c & 1) ? c + 1 : c;
        q_fp4(f, m, even, "midpoint -> even code");
    }
    /* saturation (ml_dtypes float4_e2m1fn also saturates) */
    const double big[] = {6.0, 6.5, 7.0, 8.0, 1e10, 1e300, DBL_MAX, INFINITY};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        q_fp4(f, big[i], 0x7, "saturate");
        q_fp4(f, -big[i], 0xF, "saturate negative");
    }
    q_fp4(f, nextafter(6.0, 0), 0x7, "just below 6");
    q_fp4(f, nextafter(5.0, 0), 0x6, "just below 5");
    /* zero and tiny: never -0 */
    const double tiny[] = {0.0, 5e-324, 1e-300, 1e-10, 0.1, 0.25, nextafter(0.25, 0)};
    for (size_t i = 0; i < sizeof tiny / sizeof tiny[0]; i++) {
        q_fp4(f, tiny[i], 0x0, "tiny");
        q_fp4(f, -tiny[i], 0x0, "negative tiny -> +0, never 0x8");
    }
    q_fp4(f, nextafter(0.25, 1), 0x1, "just above 0.25");
    q_fp4(f, -nextafter(0.25, 1), 0x9, "just below -0.25");
    q_fp4(f, NAN, 0x0, "NaN");
    q_fp4(f, -NAN, 0x0, "-NaN");
    /* random: uniform in [-8, 8], on the 1/8 grid (holds every tie), and
     * log-uniform over many binades */
    for (int i = 0; i < 200000; i++) {
        double x = 16.0 * ((double)(rnd64() >> 11) / 9007199254740992.0) - 8.0;
        q_fp4(f, x, brute_fp4(x), "random");
        double g = ((double)rnd_below(129) - 64.0) / 8.0;
        q_fp4(f, g, brute_fp4(g), "random 1/8 grid");
        double l = ldexp(1.0 + (double)(rnd64() >> 12) / 4503599627370496.0,
                         (int)rnd_below(80) - 60);
        if (rnd64() & 1)
            l = -l;
        q_fp4(f, l, brute_fp4(l), "random log-uniform");
    }
}

/* ------------------------------------------------------------ main */

int main(void) {
    check_name = "test_int_fp4";
    check_seed();
    if (fegetround() != FE_TONEAREST)
        check_fail(__FILE__, __LINE__, "rounding mode is not FE_TONEAREST");
    load_fp4_table();
    if (!fp4_loaded)
        return check_done();

    test_int_decode(FMT_INT4, 4);
    test_int_decode(FMT_INT8, 8);
    test_int_decode(FMT_INT16, 16);
    test_fp4_decode(FMT_FP4);
    test_fp4_decode(FMT_MXFP4);
    printf("decode + round trip: %d codes (int4, int8, int16, fp4, mxfp4)\n",
           16 + 256 + 65536 + 16 + 16);

    const fmt_id small[] = {FMT_INT4, FMT_INT8, FMT_FP4};
    long np = 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            np += products(small[i], small[j]);
    np += products(FMT_INT16, FMT_INT4);
    np += products(FMT_FP4, FMT_INT16);
    np += products(FMT_INT16, FMT_INT8);
    printf("products: %ld code pairs exact\n", np);

    test_int_quantize(FMT_INT4, 4);
    test_int_quantize(FMT_INT8, 8);
    test_int_quantize(FMT_INT16, 16);
    test_fp4_quantize(FMT_FP4);
    test_fp4_quantize(FMT_MXFP4);
    printf("quantize: %ld values\n", n_quant);
    return check_done();
}
