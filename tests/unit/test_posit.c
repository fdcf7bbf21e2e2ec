/*
 * tests/unit/test_posit.c - the posit(n, es) codec of kernels_ref/fmt_posit.c
 * against oracles written here, differently:
 *
 *  1. ref_value(): an independent decoder.  It walks the code as a string of
 *     '0'/'1' characters and evaluates the 2022 Posit Standard's closed form
 *     of a posit's value (written there for es = 2, where 2^es = 4)
 *         value = ((1 - 3s) + f) * 2^((1 - 2s) * (2^es * r + e + s))
 *     on the RAW fields: no two's complement of negative codes, which is how
 *     the codec under test works.  Computed in long double (exact: at most
 *     17-bit significands and exponents within +-2^9).
 *  2. Quantization oracle A (bracketing): the positive values of posit(n,es)
 *     sorted; x lies between adjacent codes c and c+1.  Rounding the bit
 *     string of x to n bits rounds up iff the string after the first n bits
 *     is above 1000..., i.e. iff x is above the value whose string is
 *     "c then 1 then zeros" = the (n+1)-bit posit code 2c+1 (decoding pads
 *     cut-off bits with zeros, and posit values grow with the bit string).
 *     So: x < v(2c+1) gives c, x > gives c+1, equality gives the even one of
 *     c, c+1; outside [minpos, maxpos] saturate.  Pure value comparisons,
 *     nothing about regimes or guard bits.
 *  3. Quantization oracle B (integer RNE on extended codes): every value of
 *     posit(m, es), m > n, is exactly the bit string of its m-bit code C
 *     followed by zeros, so rounding it to n bits is rounding the integer
 *     |C| by m - n bits to nearest/even, then saturating 0 -> minpos and
 *     2^(n-1) -> maxpos.  Integer arithmetic only.
 * Plus: exhaustive round trips, monotonicity, nesting, extremes, flags and the
 * hand-computed known answers of tests/vectors/posit_known.hex.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "check.h"
#include "formats.h"

#define VECTORS "tests/vectors/posit_known.hex"

/* ------------------------------------------------------------ oracle 1 */

/* The code as text, MSB first. */
static void to_text(int n, uint32_t code, char *s) {
    for (int i = 0; i < n; i++)
        s[i] = (code >> (n - 1 - i)) & 1u ? '1' : '0';
    s[n] = 0;
}

/* Value of an n-bit posit code (any n <= 31), *nar set for NaR. */
static long double ref_value(int n, int es, uint32_t code, int *nar) {
    char s[40];
    to_text(n, code, s);
    *nar = s[0] == '1' && strchr(s + 1, '1') == NULL;
    if (*nar || strchr(s, '1') == NULL)
        return 0.0L;
    int sign = s[0] == '1';
    const char *p = s + 1;
    char run = *p;
    int len = 0;
    while (*p == run) {
        len++;
        p++;
    }
    if (*p)
        p++; /* the regime terminator */
    int r = run == '1' ? len - 1 : -len;
    int e = 0;
    for (int i = 0; i < es; i++) {
        e = 2 * e + (*p == '1'); /* a bit past the end reads as 0 */
        if (*p)
            p++;
    }
    long double f = 0.0L, w = 0.5L;
    for (; *p; p++, w /= 2)
        if (*p == '1')
            f += w;
    int scale = (1 - 2 * sign) * ((1 << es) * r + e + sign);
    return ldexpl((1 - 3 * sign) + f, scale);
}

static long double ref_value_nn(int n, int es, uint32_t code) {
    int nar;
    return ref_value(n, es, code, &nar);
}

/* ------------------------------------------------------------ helpers */

static uint32_t neg_code(int n, uint32_t c) { return (0u - c) & ((1u << n) - 1); }

static int max_frac_bits(int n, int es) { return n - 3 - es > 0 ? n - 3 - es : 0; }

static long double dec_value(int n, int es, uint32_t code, unsigned *fl) {
    decoded d;
    *fl = posit_decode(n, es, code, &d);
    return (long double)decoded_to_double(d);
}

/* ------------------------------------------------------------ decode */

static void test_decode_vs_ref(void) {
    long checked = 0;
    for (int n = 2; n <= 16; n++)
        for (int es = 0; es <= 3; es++) {
            int F = max_frac_bits(n, es);
            for (uint32_t c = 0; c < 1u << n; c++) {
                decoded d;
                unsigned fl = posit_decode(n, es, c, &d);
                int nar;
                long double want = ref_value(n, es, c, &nar);
                long double got = (long double)decoded_to_double(d);
                CHECK(fl == (nar ? FLAG_NAR : 0u), "posit(%d,%d) 0x%x flags %u", n, es, c, fl);
                CHECK(got == want, "posit(%d,%d) 0x%x decodes to %La, ref %La", n, es, c, got,
                      want);
                if (want == 0) /* zero and NaR: the canonical {0, 0, 0} */
                    CHECK(d.neg == 0 && d.exp == 0 && d.sig == 0, "posit(%d,%d) 0x%x not {0,0,0}",
                          n, es, c);
                else /* canonical: sig has exactly F + 1 bits, hidden bit at F */
                    CHECK(d.sig >> F == 1 && d.neg == (int)(c >> (n - 1)),
                          "posit(%d,%d) 0x%x sig 0x%x neg %d (F=%d)", n, es, c, d.sig, d.neg, F);
                checked++;
            }
        }
    printf("decode vs independent decoder: %ld codes\n", checked);
}

/* Codes as signed integers -(2^(n-1)-1) .. 2^(n-1)-1 give increasing values. */
static void test_monotonic(void) {
    for (int n = 2; n <= 16; n++)
        for (int es = 0; es <= 3; es++) {
            int32_t half = 1 << (n - 1);
            unsigned fl;
            long double prev = dec_value(n, es, (uint32_t)(half + 1), &fl);
            for (int32_t i = -half + 2; i < half; i++) {
                uint32_t c = (uint32_t)i & ((1u << n) - 1);
                long double v = dec_value(n, es, c, &fl);
                CHECK(v > prev && fl == 0, "posit(%d,%d): code %d (0x%x) = %La not above %La", n,
                      es, (int)i, c, v, prev);
                prev = v;
            }
        }
}

/* Posit(n,es) code c equals posit(16,es) code c << (16-n): a posit is a
 * prefix of its longer versions (Gustafson & Yonemoto 2017). */
static void test_nesting(void) {
    for (uint32_t c = 0; c < 16; c++) { /* the case the design names */
        unsigned f4, f16;
        long double v4 = dec_value(4, 1, c, &f4), v16 = dec_value(16, 1, c << 12, &f16);
        CHECK(v4 == v16 && f4 == f16, "posit(4,1) 0x%x = %La, posit(16,1) 0x%x = %La", c, v4,
              c << 12, v16);
    }
    for (int n = 2; n < 16; n++)
        for (int es = 0; es <= 3; es++)
            for (uint32_t c = 0; c < 1u << n; c++) {
                unsigned fa, fb;
                long double a = dec_value(n, es, c, &fa), b = dec_value(16, es, c << (16 - n), &fb);
                CHECK(a == b && fa == fb, "nesting posit(%d,%d) 0x%x", n, es, c);
            }
}

/* ------------------------------------------------------------ round trip */

static void test_round_trip(void) {
    for (int n = 2; n <= 16; n++)
        for (int es = 0; es <= 3; es++)
            for (uint32_t c = 0; c < 1u << n; c++) {
                unsigned fl = 0, dfl;
                double v = (double)dec_value(n, es, c, &dfl);
                if (dfl & FLAG_NAR)
                    v = NAN;
                uint32_t back = posit_quantize(n, es, v, &fl);
                CHECK_EQ_U(back, c, "posit(%d,%d) round trip of 0x%x (%a)", n, es, c, v);
                CHECK(fl == dfl, "posit(%d,%d) 0x%x quantize flags %u", n, es, c, fl);
            }
}

/* ------------------------------------------------------------ oracle A */

static long oracle_a_count;

typedef struct {
    int n, es;
    uint32_t maxpos;
    long double val[1u << 15]; /* val[c]: positive code c          */
    long double mid[1u << 15]; /* mid[c]: string midpoint c..c+1   */
} table;

static void build_table(table *t, int n, int es) {
    t->n = n;
    t->es = es;
    t->maxpos = (1u << (n - 1)) - 1;
    for (uint32_t c = 1; c <= t->maxpos; c++) {
        t->val[c] = ref_value_nn(n, es, c);
        t->mid[c] = c < t->maxpos ? ref_value_nn(n + 1, es, 2 * c + 1) : INFINITY;
        /* the oracle's own premises: sorted values, midpoints between them */
        CHECK(c == 1 || t->val[c] > t->val[c - 1], "oracle: posit(%d,%d) unsorted at %u", n, es, c);
        CHECK(c == 1 || (t->mid[c - 1] > t->val[c - 1] && t->mid[c - 1] < t->val[c]),
              "oracle: posit(%d,%d) midpoint %u outside its interval", n, es, c - 1);
    }
}

static uint32_t oracle_a(const table *t, double x) {
    if (isnan(x) || isinf(x))
        return t->maxpos + 1; /* NaR */
    if (x == 0)
        return 0;
    long double a = fabsl((long double)x);
    uint32_t c;
    if (a <= t->val[1]) {
        c = 1;
    } else if (a >= t->val[t->maxpos]) {
        c = t->maxpos;
    } else {
        uint32_t lo = 1, hi = t->maxpos; /* val[lo] <= a < val[hi] */
        while (hi - lo > 1) {
            uint32_t m = (lo + hi) / 2;
            if (t->val[m] <= a)
                lo = m;
            else
                hi = m;
        }
        if (a < t->mid[lo])
            c = lo;
        else if (a > t->mid[lo])
            c = lo + 1;
        else
            c = lo % 2 ? lo + 1 : lo;
    }
    return x < 0 ? neg_code(t->n, c) : c;
}

static void check_a(const table *t, double x, const char *what) {
    uint32_t got = posit_quantize(t->n, t->es, x, NULL), want = oracle_a(t, x);
    oracle_a_count++;
    CHECK_EQ_U(got, want, "posit(%d,%d) quantize(%a) [%s]", t->n, t->es, x, what);
    CHECK(x == 0 || isnan(x) || isinf(x) || (got != 0 && got != t->maxpos + 1),
          "posit(%d,%d) quantize(%a) gave 0 or NaR", t->n, t->es, x);
}

/* x and its neighbours, both signs. */
static void check_a_around(const table *t, double x, const char *what) {
    double xs[3] = {nextafter(x, 0), x, nextafter(x, INFINITY)};
    for (int i = 0; i < 3; i++) {
        check_a(t, xs[i], what);
        check_a(t, -xs[i], what);
    }
}

/* A random double, log-uniform from 2^(lo) to 2^(hi), random sign. */
static double random_double(int lo, int hi) {
    double m = 1.0 + (double)(rnd64() >> 12) / 4503599627370496.0; /* [1, 2), 52 bits */
    double x = ldexp(m, lo + (int)rnd_below((uint32_t)(hi - lo + 1)));
    return rnd64() & 1 ? -x : x;
}

static double random_bits_double(void) {
    uint64_t u = rnd64();
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static void test_oracle_a_format(table *t, int n, int es) {
    build_table(t, n, es);
    int top = (n - 2) * (1 << es); /* log2(maxpos) */
    for (uint32_t c = 1; c <= t->maxpos; c++) {
        check_a_around(t, (double)t->val[c], "code value");
        if (c == t->maxpos)
            break;
        long double am = (t->val[c] + t->val[c + 1]) / 2; /* arithmetic midpoint */
        CHECK((long double)(double)am == am, "arithmetic midpoint not a double");
        check_a_around(t, (double)am, "arithmetic midpoint");
        check_a_around(t, (double)t->mid[c], "bit-string midpoint");
    }
    for (int i = 0; i < 20000; i++)
        check_a(t, random_double(-top - 12, top + 12), "random log-uniform");
    for (int i = 0; i < 2000; i++)
        check_a(t, random_bits_double(), "random bits");
    const double extremes[] = {DBL_MAX, DBL_MIN, DBL_TRUE_MIN, 1e300, 1e-300, INFINITY, NAN, 0.0,
                               (double)t->val[t->maxpos] * 2, (double)t->val[1] / 2};
    for (size_t i = 0; i < sizeof extremes / sizeof *extremes; i++)
        check_a_around(t, extremes[i], "extreme");
}

static void test_oracle_a(void) {
    static table t;
    for (int n = 2; n <= 16; n++)
        for (int es = 0; es <= 3; es++)
            test_oracle_a_format(&t, n, es);
    printf("quantize vs bracketing oracle: %ld values\n", oracle_a_count);
}

/* ------------------------------------------------------------ oracle B */

/* Round the m-bit code C to n bits, nearest/even on the integer, saturating. */
static uint32_t oracle_b(int m, int n, uint32_t C) {
    int neg = (int)(C >> (m - 1));
    uint32_t a = neg ? neg_code(m, C) : C;
    int drop = m - n;
    uint32_t q = a >> drop, rem = a & ((1u << drop) - 1), half = 1u << (drop - 1);
    if (rem > half || (rem == half && (q & 1)))
        q++;
    if (q == 0)
        q = 1; /* never 0: minpos */
    if (q == 1u << (n - 1))
        q--; /* never NaR: maxpos */
    return neg ? neg_code(n, q) : q;
}

static void test_oracle_b(void) {
    long count = 0;
    for (int n = 2; n < 16; n++)
        for (int es = 0; es <= 3; es++)
            for (uint32_t C = 1; C < 1u << 16; C++) {
                if (C == 1u << 15)
                    continue; /* NaR */
                double x = (double)ref_value_nn(16, es, C);
                uint32_t got = posit_quantize(n, es, x, NULL);
                CHECK_EQ_U(got, oracle_b(16, n, C), "posit(%d,%d) quantize(%a = posit16 0x%x)", n,
                           es, x, C);
                count++;
            }
    printf("quantize vs integer RNE of 16-bit codes: %ld values\n", count);
}

/* ------------------------------------------------------------ extremes */

static void test_extremes(void) {
    /* maxpos = useed^(n-2), minpos = its inverse (Gustafson & Yonemoto 2017) */
    const struct {
        int n, es;
        double maxpos;
    } ex[] = {{4, 1, 16.0}, {8, 0, 64.0}, {16, 1, 268435456.0}};
    for (size_t i = 0; i < 3; i++) {
        int n = ex[i].n, es = ex[i].es;
        uint32_t mx = (1u << (n - 1)) - 1;
        unsigned fl;
        CHECK(dec_value(n, es, mx, &fl) == ex[i].maxpos, "posit(%d,%d) maxpos", n, es);
        CHECK(dec_value(n, es, 1, &fl) == 1 / ex[i].maxpos, "posit(%d,%d) minpos", n, es);
        CHECK(dec_value(n, es, mx + 2, &fl) == -ex[i].maxpos, "posit(%d,%d) -maxpos", n, es);
        CHECK(dec_value(n, es, (1u << n) - 1, &fl) == -1 / ex[i].maxpos, "posit(%d,%d) -minpos",
              n, es);
        const double big[] = {ex[i].maxpos, ex[i].maxpos * 1.5, ex[i].maxpos * 4, 1e300, DBL_MAX};
        const double tiny[] = {1 / ex[i].maxpos, 0.75 / ex[i].maxpos, 0.25 / ex[i].maxpos,
                               1e-300, DBL_TRUE_MIN};
        for (int j = 0; j < 5; j++) {
            CHECK_EQ_U(posit_quantize(n, es, big[j], NULL), mx, "posit(%d,%d) q(%a)", n, es,
                       big[j]);
            CHECK_EQ_U(posit_quantize(n, es, -big[j], NULL), mx + 2, "posit(%d,%d) q(-%a)", n, es,
                       big[j]);
            CHECK_EQ_U(posit_quantize(n, es, tiny[j], NULL), 1, "posit(%d,%d) q(%a)", n, es,
                       tiny[j]);
            CHECK_EQ_U(posit_quantize(n, es, -tiny[j], NULL), (1u << n) - 1,
                       "posit(%d,%d) q(-%a)", n, es, tiny[j]);
        }
    }
    unsigned fl = 0;
    CHECK_EQ_U(posit_quantize(8, 0, -0.0, &fl), 0, "-0 gives 0%s", "");
    CHECK_EQ_U(posit_quantize(8, 0, 1.0, &fl), 0x40, "1.0 gives 0x40%s", "");
    CHECK(fl == 0, "no flag for ordinary values, got %u", fl);
    CHECK_EQ_U(posit_quantize(8, 0, -INFINITY, &fl), 0x80, "-Inf gives NaR%s", "");
    CHECK(fl == FLAG_NAR, "-Inf sets FLAG_NAR, got %u", fl);
    CHECK_EQ_U(posit_quantize(16, 1, NAN, NULL), 0x8000, "NaN with NULL flags%s", "");
}

/* ------------------------------------------------------------ vectors */

/* Check one known-answer line: quantize always; decode when marked exact. */
static void check_vector(int lineno, const char *name, double x, uint32_t code, int exact) {
    int id = fmt_by_name(name);
    CHECK(id >= 0 && fmt_get((fmt_id)id)->family == FAM_POSIT, VECTORS ":%d: bad format %s",
          lineno, name);
    if (id < 0 || fmt_get((fmt_id)id)->family != FAM_POSIT)
        return;
    const fmt_traits *t = fmt_get((fmt_id)id);
    unsigned fl = 0;
    CHECK_EQ_U(posit_quantize(t->bits, t->posit_es, x, &fl), code, VECTORS ":%d: quantize(%a)",
               lineno, x);
    CHECK(fl == (isnan(x) || isinf(x) ? FLAG_NAR : 0u), VECTORS ":%d: flags %u", lineno, fl);
    if (!exact)
        return;
    long double v = dec_value(t->bits, t->posit_es, code, &fl);
    if (isnan(x))
        CHECK(fl == FLAG_NAR && v == 0, VECTORS ":%d: decode of NaR", lineno);
    else
        CHECK(fl == 0 && v == (long double)x, VECTORS ":%d: decode(0x%x) = %La, expected %a",
              lineno, code, v, x);
}

static void test_vectors(void) {
    FILE *f = fopen(VECTORS, "r");
    CHECK(f != NULL, "cannot open %s (run from the repository root)", VECTORS);
    if (!f)
        return;
    char line[256];
    int lineno = 0, count = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char name[32], val[64], hex[16], mark[16] = "";
        int got = sscanf(line, " %31s %63s %15s %15s", name, val, hex, mark);
        if (got <= 0 || name[0] == '#')
            continue;
        char *e1, *e2;
        double x = strtod(val, &e1);
        unsigned long code = strtoul(hex, &e2, 16);
        CHECK(got >= 3 && !*e1 && !*e2 && (got == 3 || !strcmp(mark, "exact")),
              VECTORS ":%d: malformed line", lineno);
        if (got >= 3)
            check_vector(lineno, name, x, (uint32_t)code, !strcmp(mark, "exact"));
        count++;
    }
    fclose(f);
    CHECK(count >= 60, VECTORS ": only %d vectors", count);
    printf("known-answer vectors: %d\n", count);
}

int main(void) {
    check_name = "test_posit";
    check_seed();
    test_decode_vs_ref();
    test_monotonic();
    test_nesting();
    test_round_trip();
    test_oracle_a();
    test_oracle_b();
    test_extremes();
    test_vectors();
    return check_done();
}
