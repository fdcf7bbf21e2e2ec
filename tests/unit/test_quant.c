/*
 * tests/unit/test_quant.c - the tensor quantizers of kernels_ref/quant.c.
 *
 * Every rule of quant.h is recomputed here independently (own FP4 table,
 * own two's complement decoding, frexp instead of ilogb for the MX shared
 * exponent, an exhaustive sorted posit value list for the posit grid) and
 * checked on seeded random matrices of odd shapes, plus hand-computed known
 * answers: the OCP MX shared exponent (OCP MX v1.0 sec. 6.3) and the OliVe
 * Figure 1 vector (DESIGN.md sec. 3).
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "check.h"
#include "formats.h"
#include "quant.h"

static const int SHAPES[][2] = {{1, 1}, {3, 33}, {7, 65}, {172, 64}, {2, 31}, {4, 2}, {1, 97}};
#define NSHAPES ((int)(sizeof SHAPES / sizeof SHAPES[0]))
#define MAXN (172 * 66)

/* ------------------------------------------------------------ random data */

static double uni(void) { return ((double)(rnd64() >> 11) + 0.5) * 0x1p-53; }
static double gauss(void) { return sqrt(-2 * log(uni())) * cos(6.283185307179586 * uni()); }

/* kind 0: gaussian; 1: gaussian with ~2% outliers x20..x100 (LLM-like);
 * 2: uniform; 3: gaussian with exact zeros and rows of very different size */
static void fill(float *x, int rows, int cols, int kind) {
    double mag = ldexp(1.0, (int)rnd_below(24) - 12);
    for (int r = 0; r < rows; r++) {
        double rm = kind == 3 ? ldexp(1.0, (int)rnd_below(16) - 8) : 1.0;
        for (int j = 0; j < cols; j++) {
            double v = kind == 2 ? 2 * uni() - 1 : gauss();
            if (kind == 1 && rnd_below(50) == 0)
                v *= 20 + 80 * uni();
            if (kind == 3 && rnd_below(8) == 0)
                v = 0;
            x[(size_t)r * cols + j] = (float)(v * mag * rm);
        }
    }
}

static double amax_rows(const float *x, int r0, int nr, int cols) {
    double m = 0;
    for (size_t i = (size_t)r0 * cols; i < (size_t)(r0 + nr) * cols; i++)
        m = fmax(m, fabs((double)x[i]));
    return m;
}

/* ------------------------------------------------------------ independent FP4 */

static const double FP4V[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};

/* Nearest FP4 magnitude index, ties to the even mantissa (even index), saturating at 6. */
static int fp4_index(double a) {
    if (a >= 6)
        return 7;
    int best = 0;
    for (int i = 1; i < 8; i++) {
        double d = fabs(FP4V[i] - a), db = fabs(FP4V[best] - a);
        if (d < db || (d == db && i % 2 == 0))
            best = i;
    }
    return best;
}
static uint16_t fp4_code_of(double v) {
    int i = fp4_index(fabs(v));
    return (uint16_t)(i == 0 ? 0 : (v < 0 ? 8 : 0) | i);
}
static double fp4_value(uint16_t c) { return (c & 8 ? -1 : 1) * FP4V[c & 7]; }
/* Half the FP4 spacing at magnitude a <= 6. */
static double fp4_half_gap(double a) { return a < 2 ? 0.25 : a < 4 ? 0.5 : 1.0; }

static void make_opts(quant_opts *o, int per_row) {
    *o = quant_opts_default;
    o->per_row = per_row;
}

/* ------------------------------------------------------------ INT */

static int int_value(uint16_t c, int bits) { return c >> (bits - 1) ? (int)c - (1 << bits) : (int)c; }

static void test_int(void) {
    static float x[MAXN], y[MAXN], scales[200];
    static uint16_t codes[MAXN];
    const fmt_id fs[] = {FMT_INT4, FMT_INT8, FMT_INT16};
    for (int fi = 0; fi < 3; fi++) {
        const fmt_traits *t = fmt_get(fs[fi]);
        int qmax = (1 << (t->bits - 1)) - 1;
        for (int sh = 0; sh < NSHAPES; sh++)
            for (int per_row = 0; per_row < 2; per_row++)
                for (int kind = 0; kind < 4; kind++) {
                    int rows = SHAPES[sh][0], cols = SHAPES[sh][1];
                    quant_opts o;
                    make_opts(&o, per_row);
                    fill(x, rows, cols, kind);
                    int rc = quant_matrix(t->id, x, rows, cols, &o, codes, scales, NULL);
                    CHECK(rc == 0, "%s quant rc %d", t->name, rc);
                    CHECK(dequant_matrix(t->id, codes, rows, cols, &o, scales, NULL, y) == 0,
                          "%s dequant flags", t->name);
                    for (int r = 0; r < rows; r++) {
                        int g = per_row ? r : 0;
                        double am = per_row ? amax_rows(x, r, 1, cols) : amax_rows(x, 0, rows, cols);
                        float s_exp = am > 0 ? (float)(am / qmax) : 1.0f;
                        CHECK(scales[g] == s_exp, "%s scale %a, expected %a", t->name,
                              (double)scales[g], (double)s_exp);
                        double s = scales[g];
                        for (int j = 0; j < cols; j++) {
                            size_t i = (size_t)r * cols + j;
                            uint16_t c = codes[i];
                            CHECK(c >> t->bits == 0, "%s code 0x%x too wide", t->name, c);
                            int q = int_value(c, t->bits);
                            CHECK(q >= -qmax && q <= qmax, "%s code %d outside symmetric range",
                                  t->name, q);
                            double v = x[i] / s;
                            double qe = fmin(fmax(nearbyint(v), -qmax), qmax);
                            CHECK(q == (int)qe, "%s x=%a s=%a: code %d expected %d", t->name,
                                  (double)x[i], s, q, (int)qe);
                            double err = fabs((double)y[i] - x[i]);
                            double tol = s / 2 + (fabs(x[i]) + fabs(y[i])) * 0x1p-23;
                            CHECK(err <= tol, "%s x=%a: |err| %g > scale/2 %g", t->name,
                                  (double)x[i], err, s / 2);
                            CHECK(y[i] == (float)(q * s), "%s dequant", t->name);
                        }
                    }
                }
        /* Known answers with scale 1 (amax 7 for int4 -> 7/7): round half to
         * even 2.5 -> 2, -3.5 -> -4, 0.5 -> 0, 1.5 -> 2; -7 -> 0x9 (int4). */
        if (t->bits == 4) {
            const float kx[] = {7, 2.5f, -3.5f, 0.5f, -7, -0.5f, 1.5f};
            const uint16_t kc[] = {0x7, 0x2, 0xC, 0x0, 0x9, 0x0, 0x2};
            CHECK(quant_matrix(t->id, kx, 1, 7, NULL, codes, scales, NULL) == 0, "int4 KAT");
            CHECK(scales[0] == 1.0f, "int4 KAT scale %g", (double)scales[0]);
            for (int j = 0; j < 7; j++)
                CHECK_EQ_U(codes[j], kc[j], "int4 KAT x=%g", (double)kx[j]);
        }
        /* A negative amax gives -qmax, never the asymmetric -qmax-1 code. */
        const float neg[] = {-1, 1, -1, -0.25f};
        CHECK(quant_matrix(t->id, neg, 1, 4, NULL, codes, scales, NULL) == 0, "neg");
        CHECK_EQ_U(codes[0], (1u << t->bits) - qmax, "%s -amax code", t->name);
        CHECK(codes[0] != 1u << (t->bits - 1), "%s emitted -qmax-1", t->name);
        /* All zero: scale 1, codes 0. */
        const float z[5] = {0, -0.0f, 0, 0, 0};
        CHECK(quant_matrix(t->id, z, 1, 5, NULL, codes, scales, NULL) == 0, "zero");
        CHECK(scales[0] == 1.0f, "%s zero scale %g", t->name, (double)scales[0]);
        for (int j = 0; j < 5; j++)
            CHECK_EQ_U(codes[j], 0, "%s zero code %d", t->name, j);
    }
}

/* Per-row vs per-tensor scales on rows of very different magnitude. */
static void test_per_row(void) {
    enum { R = 5, C = 37 };
    float x[R * C], scales[R + 1];
    uint16_t codes[R * (C + 1)];
    for (int r = 0; r < R; r++)
        for (int j = 0; j < C; j++)
            x[r * C + j] = (float)(gauss() * pow(10, r - 2));
    const fmt_id fs[] = {FMT_INT4, FMT_INT8, FMT_FP4, FMT_POSIT8, FMT_OVP4};
    for (int fi = 0; fi < 5; fi++) {
        fmt_id f = fs[fi];
        quant_opts pr, pt;
        make_opts(&pr, 1);
        make_opts(&pt, 0);
        CHECK(quant_scales_size(f, R, &pr) == R && quant_scales_size(f, R, &pt) == 1,
              "%s scales sizes", fmt_get(f)->name);
        for (int i = 0; i <= R; i++)
            scales[i] = -1;
        CHECK(quant_matrix(f, x, R, C, &pt, codes, scales, NULL) == 0, "per-tensor");
        CHECK(scales[0] > 0 && scales[1] == -1, "%s per-tensor wrote %g %g", fmt_get(f)->name,
              (double)scales[0], (double)scales[1]);
        CHECK(quant_matrix(f, x, R, C, &pr, codes, scales, NULL) == 0, "per-row");
        for (int r = 0; r < R; r++) {
            /* a row's per-row scale is the per-tensor scale of that row alone */
            float s1;
            uint16_t c1[C + 1];
            CHECK(quant_matrix(f, x + r * C, 1, C, &pt, c1, &s1, NULL) == 0, "row alone");
            CHECK(scales[r] == s1, "%s row %d scale %g, alone %g", fmt_get(f)->name, r,
                  (double)scales[r], (double)s1);
        }
        CHECK(scales[R] == -1, "%s per-row wrote past the rows", fmt_get(f)->name);
        double e_row = quant_mse(f, x, R, C, &pr), e_ten = quant_mse(f, x, R, C, &pt);
        /* the per-tensor scale crushes the small rows, per-row does not */
        double e_small_row = quant_mse(f, x, 1, C, &pr), e_small_ten;
        {
            float y[R * C], s[R];
            uint16_t c[R * (C + 1)];
            quant_err qe;
            quant_matrix(f, x, R, C, &pt, c, s, NULL);
            dequant_matrix(f, c, R, C, &pt, s, NULL, y);
            quant_compare(x, y, C, &qe); /* row 0 (the smallest) only */
            e_small_ten = qe.mse;
        }
        CHECK(e_row <= e_ten, "%s per-row mse %g > per-tensor %g", fmt_get(f)->name, e_row, e_ten);
        CHECK(e_small_row < e_small_ten, "%s small row: per-row %g !< per-tensor %g",
              fmt_get(f)->name, e_small_row, e_small_ten);
    }
}

/* ------------------------------------------------------------ FP4 (plain) */

static void test_fp4(void) {
    static float x[MAXN], y[MAXN], scales[200];
    static uint16_t codes[MAXN];
    for (int sh = 0; sh < NSHAPES; sh++)
        for (int per_row = 0; per_row < 2; per_row++)
            for (int kind = 0; kind < 4; kind++) {
                int rows = SHAPES[sh][0], cols = SHAPES[sh][1];
                quant_opts o;
                make_opts(&o, per_row);
                fill(x, rows, cols, kind);
                CHECK(quant_matrix(FMT_FP4, x, rows, cols, &o, codes, scales, NULL) == 0, "fp4");
                CHECK(dequant_matrix(FMT_FP4, codes, rows, cols, &o, scales, NULL, y) == 0, "fp4 dq");
                for (int r = 0; r < rows; r++) {
                    double am = per_row ? amax_rows(x, r, 1, cols) : amax_rows(x, 0, rows, cols);
                    float se = am > 0 ? (float)(am / 6) : 1.0f;
                    double s = scales[per_row ? r : 0];
                    CHECK(s == se, "fp4 scale %a expected %a", s, (double)se);
                    for (int j = 0; j < cols; j++) {
                        size_t i = (size_t)r * cols + j;
                        double v = x[i] / s;
                        CHECK_EQ_U(codes[i], fp4_code_of(v), "fp4 x=%a s=%a", (double)x[i], s);
                        double err = fabs((double)y[i] - x[i]);
                        double a = fmin(fabs(v), 6);
                        double tol = fp4_half_gap(a) * s + (fabs(x[i]) + 6 * s) * 0x1p-23;
                        CHECK(err <= tol, "fp4 x=%a: err %g > %g", (double)x[i], err, tol);
                    }
                }
            }
}

/* ------------------------------------------------------------ posit */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_posit(void) {
    static float x[MAXN], y[MAXN], scales[200];
    static uint16_t codes[MAXN];
    static double grid[65536];
    const fmt_id fs[] = {FMT_POSIT4, FMT_POSIT8, FMT_POSIT16};
    for (int fi = 0; fi < 3; fi++) {
        const fmt_traits *t = fmt_get(fs[fi]);
        uint32_t nar = 1u << (t->bits - 1);
        int ng = 0;
        for (uint32_t c = 0; c < (1u << t->bits); c++) {
            if (c == nar)
                continue;
            decoded d;
            fmt_decode(t->id, (uint16_t)c, &d);
            grid[ng++] = decoded_to_double(d);
        }
        qsort(grid, (size_t)ng, sizeof grid[0], cmp_double);
        for (int sh = 0; sh < NSHAPES; sh++)
            for (int per_row = 0; per_row < 2; per_row++)
                for (int kind = 0; kind < 4; kind++) {
                    int rows = SHAPES[sh][0], cols = SHAPES[sh][1];
                    quant_opts o;
                    make_opts(&o, per_row);
                    fill(x, rows, cols, kind);
                    CHECK(quant_matrix(t->id, x, rows, cols, &o, codes, scales, NULL) == 0, "posit");
                    CHECK(dequant_matrix(t->id, codes, rows, cols, &o, scales, NULL, y) == 0,
                          "posit dq");
                    for (int g = 0; g < (per_row ? rows : 1); g++) {
                        /* scale = 2^round(log2 rms): with rms = m 2^E, m in [0.5, 1),
                         * round(log2 rms) = E if m >= sqrt(1/2) else E - 1 */
                        int r0 = per_row ? g : 0, nr = per_row ? 1 : rows;
                        long double ss = 0;
                        for (size_t i = (size_t)r0 * cols; i < (size_t)(r0 + nr) * cols; i++)
                            ss += (long double)x[i] * x[i];
                        double rms = (double)sqrtl(ss / ((long double)nr * cols)), se = 1;
                        if (rms > 0) {
                            int E;
                            double m = frexp(rms, &E);
                            se = ldexp(1, m >= sqrt(0.5) ? E : E - 1);
                        }
                        CHECK(scales[g] == se, "%s scale %a, expected %a (rms %g)", t->name,
                              (double)scales[g], se, rms);
                    }
                    for (int r = 0; r < rows; r++) {
                        double s = scales[per_row ? r : 0];
                        for (int j = 0; j < cols; j++) {
                            size_t i = (size_t)r * cols + j;
                            double v = x[i] / s;
                            CHECK(x[i] == 0 || (codes[i] != 0 && codes[i] != nar),
                                  "%s nonzero x=%a gave code 0x%x", t->name, (double)x[i], codes[i]);
                            decoded d;
                            fmt_decode(t->id, codes[i], &d);
                            double q = decoded_to_double(d);
                            CHECK(y[i] == (float)(q * s), "%s dequant", t->name);
                            /* q is one of the two grid neighbours of v (saturating) */
                            int lo = 0, hi = ng - 1;
                            while (hi - lo > 1) {
                                int mid = (lo + hi) / 2;
                                if (grid[mid] <= v)
                                    lo = mid;
                                else
                                    hi = mid;
                            }
                            double gl = grid[lo], gh = grid[hi];
                            if (v <= grid[0] || v >= grid[ng - 1])
                                CHECK(q == (v <= grid[0] ? grid[0] : grid[ng - 1]),
                                      "%s saturation", t->name);
                            else if (v == 0)
                                CHECK(q == 0, "%s zero", t->name);
                            else if (v > 0 && gl == 0)
                                CHECK(q == gh, "%s below minpos -> minpos", t->name);
                            else if (v < 0 && gh == 0)
                                CHECK(q == gl, "%s above -minpos -> -minpos", t->name);
                            else
                                CHECK(q == gl || q == gh, "%s v=%a -> %a not in [%a, %a]",
                                      t->name, v, q, gl, gh);
                            /* With full regime and exponent fields (posit8_0 and
                             * posit16_1 for 2^-4 <= |v| <= 2^4) bit-string rounding is
                             * nearest in value: half a grid step. */
                            if (t->bits >= 8 && fabs(v) >= 0x1p-4 && fabs(v) <= 0x1p4)
                                CHECK(fabs(q - v) <= (gh - gl) / 2, "%s v=%a -> %a: more than "
                                      "half a step of [%a, %a]", t->name, v, q, gl, gh);
                        }
                    }
                }
    }
    /* rms = 0 gives scale 1; the dequant reports NaR as NaN with FLAG_NAR. */
    float z[3] = {0, 0, 0}, s, yy[3];
    uint16_t c[3];
    CHECK(quant_matrix(FMT_POSIT8, z, 1, 3, NULL, c, &s, NULL) == 0 && s == 1.0f, "posit zero");
    c[1] = 0x80;
    int fl = dequant_matrix(FMT_POSIT8, c, 1, 3, NULL, &s, NULL, yy);
    CHECK(fl == FLAG_NAR && isnan(yy[1]) && yy[0] == 0, "NaR dequant: flags %d", fl);
}

/* ------------------------------------------------------------ MX */

/* Independent MX rule: shared_exp = floor(log2(amax)) - 2 via frexp. */
static int mx_se_ref(const float *x, int n) {
    double am = 0;
    for (int i = 0; i < n; i++)
        am = fmax(am, fabs((double)x[i]));
    if (am == 0)
        return -127;
    int E;
    frexp(am, &E); /* am = m 2^E, m in [0.5, 1): floor(log2 am) = E - 1 */
    int se = E - 1 - 2;
    return se < -127 ? -127 : se > 127 ? 127 : se;
}

static void check_mx(const float *x, int rows, int cols, const char *what) {
    static uint16_t codes[MAXN];
    static uint8_t bs[MAXN];
    static float y[MAXN];
    float sentinel = 12345.0f;
    int nb = (cols + 31) / 32;
    CHECK(quant_block_scales_size(FMT_MXFP4, rows, cols) == (size_t)rows * nb, "bs size");
    CHECK(quant_matrix(FMT_MXFP4, x, rows, cols, NULL, codes, &sentinel, bs) == 0, "mx %s", what);
    CHECK(sentinel == 12345.0f, "mx touched scales[]");
    CHECK(dequant_matrix(FMT_MXFP4, codes, rows, cols, NULL, NULL, bs, y) == 0, "mx dq %s", what);
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < nb; b++) {
            int j0 = b * 32, len = cols - j0 < 32 ? cols - j0 : 32;
            const float *xb = x + (size_t)r * cols + j0;
            int se = mx_se_ref(xb, len);
            CHECK_EQ_U(bs[(size_t)r * nb + b], se + 127, "%s row %d block %d scale", what, r, b);
            for (int j = 0; j < len; j++) {
                size_t i = (size_t)r * cols + j0 + j;
                double v = ldexp(x[i], -se);
                CHECK_EQ_U(codes[i], fp4_code_of(v), "%s x=%a (v=%g)", what, (double)x[i], v);
                double err = fabs((double)y[i] - x[i]);
                CHECK((double)y[i] == ldexp(fp4_value(codes[i]), se), "%s dequant", what);
                if (fabs(v) <= 6) {
                    CHECK(err <= ldexp(fp4_half_gap(fabs(v)), se), "%s x=%a err %g", what,
                          (double)x[i], err);
                } else {
                    /* saturation: floor(log2) puts the block max in [4, 8) */
                    CHECK(fabs(v) < 8 && err == ldexp(fabs(v) - 6, se), "%s saturated x=%a", what,
                          (double)x[i]);
                }
            }
        }
}

static void test_mx(void) {
    static float x[MAXN];
    for (int sh = 0; sh < NSHAPES; sh++)
        for (int kind = 0; kind < 4; kind++) {
            int rows = SHAPES[sh][0], cols = SHAPES[sh][1];
            fill(x, rows, cols, kind);
            /* zero out some whole blocks */
            for (int r = 0; r < rows; r++)
                if (rnd_below(4) == 0)
                    for (int j = 0; j < cols && j < 32; j++)
                        x[(size_t)r * cols + j] = 0;
            check_mx(x, rows, cols, "random");
        }
    /* extreme magnitudes: tiny (clamped at -127) and huge blocks */
    for (int i = 0; i < 64; i++)
        x[i] = (float)(gauss() * (i < 32 ? 0x1p-140 : 0x1p120));
    check_mx(x, 1, 64, "extremes");

    /* Known answers, one crafted block each (cols = 9 * 32 + 1, rows = 1):
     * b0 amax 1.0: floor(log2 1) = 0, 0 - 2 = -2 -> code 125; elements x * 4:
     *    1 -> 4 (0x6); 0.3 -> 1.2 -> 1 (0x2); -0.1 -> -0.4 -> -0.5 (0x9);
     *    0.0625 -> 0.25, tie of 0 and 0.5 -> even 0 (0x0).
     * b1 amax 6.0: floor(log2 6) = 2 -> 0 -> code 127; 6 (0x7), -6 (0xF).
     * b2 amax 7.0: still floor(log2 7) = 2 -> code 127; 7 saturates to 6 (0x7);
     *    -5, tie of 4 and 6 -> even mantissa 4 (0xE); 5 -> 4 (0x6);
     *    3.5, tie of 3 and 4 -> 4 (0x6).
     * b3 amax 8.0: floor(log2 8) = 3 -> 1 -> code 128; 8/2 = 4 (0x6); 1/2 = 0.5 (0x1).
     * b4 amax 0.75: floor(log2 0.75) = -1 -> -3 -> code 124; 0.75 * 8 = 6 (0x7).
     * b5 all zero: shared_exp -127 -> code 0, elements 0.
     * b6 amax 2^-128 (a float subnormal): -128 - 2 = -130, clamped to -127 ->
     *    code 0; 2^-128 / 2^-127 = 0.5 (0x1); 2^-130 -> 0.125 -> 0 (0x0).
     * b7 amax 2^127: 127 - 2 = 125 -> code 252; 2^127 -> 4 (0x6); -2^126 -> -2 (0xC).
     * b8 only -0.0 and 0: an all-zero block, code 0, elements 0x0 (never -0).
     * b9 (partial, 1 element) 1.5 * 2^-10: floor = -10 -> -12 -> code 115; 6 (0x7). */
    enum { KC = 9 * 32 + 1 };
    float kx[KC];
    memset(kx, 0, sizeof kx);
    const float b0[] = {1.0f, 0.3f, -0.1f, 0.0625f}, b2[] = {7, -5, 5, 3.5f};
    memcpy(kx, b0, sizeof b0);
    kx[32] = 6, kx[33] = -6;
    memcpy(kx + 64, b2, sizeof b2);
    kx[96] = 8, kx[97] = 1;
    kx[128] = 0.75f;
    kx[192] = 0x1p-128f, kx[193] = 0x1p-130f;
    kx[224] = 0x1p127f, kx[225] = -0x1p126f;
    kx[256] = -0.0f;
    kx[288] = 0x1.8p-10f;
    const uint8_t kbs[10] = {125, 127, 127, 128, 124, 0, 0, 252, 0, 115};
    const struct {
        int i;
        uint16_t c;
    } kcode[] = {{0, 0x6},   {1, 0x2},   {2, 0x9},   {3, 0x0},   {32, 0x7},  {33, 0xF},
                 {64, 0x7},  {65, 0xE},  {66, 0x6},  {67, 0x6},  {96, 0x6},  {97, 0x1},
                 {128, 0x7}, {160, 0x0}, {192, 0x1}, {193, 0x0}, {224, 0x6}, {225, 0xC},
                 {256, 0x0}, {288, 0x7}};
    uint16_t codes[KC];
    uint8_t bs[10];
    float y[KC];
    CHECK(quant_matrix(FMT_MXFP4, kx, 1, KC, NULL, codes, NULL, bs) == 0, "mx KAT");
    for (int b = 0; b < 10; b++)
        CHECK_EQ_U(bs[b], kbs[b], "MX KAT block %d scale", b);
    for (size_t k = 0; k < sizeof kcode / sizeof kcode[0]; k++)
        CHECK_EQ_U(codes[kcode[k].i], kcode[k].c, "MX KAT element %d (x=%a)", kcode[k].i,
                   (double)kx[kcode[k].i]);
    check_mx(kx, 1, KC, "KAT");
    /* a NaN block scale (0xFF) is reported, never used */
    bs[3] = E8M0_NAN;
    int fl = dequant_matrix(FMT_MXFP4, codes, 1, KC, NULL, NULL, bs, y);
    CHECK(fl == FLAG_NAN_SCALE, "NaN scale flags %d", fl);
    CHECK(isnan(y[96]) && isnan(y[127]) && y[0] == 1.0f && !isnan(y[128]), "NaN scale block");
}

/* ------------------------------------------------------------ OVP */

static double ovp_max_normal_ref(fmt_id f) {
    return f == FMT_OVP4 ? 7 : f == FMT_OVP4F ? 16 : 127;
}

/* Half the grid step of the normals at magnitude a (int: 0.5; flint4:
 * 0,1,2,3,4,6,8,16). */
static double ovp_normal_half_gap(fmt_id f, double a) {
    if (f != FMT_OVP4F)
        return 0.5;
    return a <= 4 ? 0.5 : a <= 8 ? 1 : 4;
}

static void test_ovp_fig1(void) {
    /* OliVe Figure 1 (DESIGN.md sec. 3): int4 normals, forced scale 1. */
    const float in[12] = {1.5f, 2.6f, -5.2f, -98, 17.6f, 4.2f, 7.1f, -6.8f, 1.2f, 6.3f, 30.7f, 5.9f};
    const uint8_t want[6] = {0x23, 0x8F, 0x28, 0x79, 0x16, 0x48};
    quant_opts o = quant_opts_default;
    o.ovp_scale = 1.0;
    uint16_t codes[12], back[12];
    float s = 0;
    uint8_t bytes[6];
    CHECK(quant_matrix(FMT_OVP4, in, 1, 12, &o, codes, &s, NULL) == 0, "fig1");
    CHECK(s == 1.0f, "fig1 scale %g", (double)s);
    CHECK(quant_pack_codes(FMT_OVP4, codes, 12, OVP_FIRST_HIGH, bytes) == 6, "fig1 pack size");
    for (int i = 0; i < 6; i++)
        CHECK_EQ_U(bytes[i], want[i], "OliVe Fig. 1 byte %d", i);
    quant_unpack_codes(FMT_OVP4, bytes, 12, OVP_FIRST_HIGH, back);
    CHECK(memcmp(back, codes, sizeof codes) == 0, "fig1 unpack");
    /* the other nibble order swaps the nibbles of each byte */
    CHECK(quant_pack_codes(FMT_OVP4, codes, 12, OVP_FIRST_LOW, bytes) == 6, "pack low");
    for (int i = 0; i < 6; i++)
        CHECK_EQ_U(bytes[i], (uint8_t)(want[i] >> 4 | want[i] << 4), "first-low byte %d", i);
    quant_unpack_codes(FMT_OVP4, bytes, 12, OVP_FIRST_LOW, back);
    CHECK(memcmp(back, codes, sizeof codes) == 0, "first-low unpack");
    /* dequantized: 2 3 | 0 -96 | 16 0 | 7 -7 | 1 6 | 32 0 */
    const float dq[12] = {2, 3, 0, -96, 16, 0, 7, -7, 1, 6, 32, 0};
    float y[12];
    CHECK(dequant_matrix(FMT_OVP4, codes, 1, 12, &o, &s, NULL, y) == 0, "fig1 dq");
    for (int i = 0; i < 12; i++)
        CHECK(y[i] == dq[i], "fig1 dequant %d: %g expected %g", i, (double)y[i], (double)dq[i]);
}

static void test_ovp_policy(void) {
    /* Both elements want to be outliers (scale 1, ovp4): 21 (nearest normal 7,
     * nearest outlier 24) and -60 (normal -7, outlier -64).
     *   keep larger: -60 stays: (victim 0x8, -64 = 1|11|0 = 0xE)
     *   keep left:    21 stays: (24 = 0|01|1 = 0x3, victim 0x8)
     * With the larger one on the left both policies agree. */
    const float a[4] = {21, -60, -60, 21};
    quant_opts o = quant_opts_default;
    o.ovp_scale = 1;
    uint16_t cl[4], cf[4];
    float s;
    o.policy = OVP_KEEP_LARGER;
    CHECK(quant_matrix(FMT_OVP4, a, 1, 4, &o, cl, &s, NULL) == 0, "policy");
    o.policy = OVP_KEEP_LEFT;
    CHECK(quant_matrix(FMT_OVP4, a, 1, 4, &o, cf, &s, NULL) == 0, "policy");
    CHECK_EQ_U(cl[0], 0x8, "keep larger c0%s", "");
    CHECK_EQ_U(cl[1], 0xE, "keep larger c1%s", "");
    CHECK_EQ_U(cf[0], 0x3, "keep left c0%s", "");
    CHECK_EQ_U(cf[1], 0x8, "keep left c1%s", "");
    CHECK(cl[2] == 0xE && cl[3] == 0x8 && cf[2] == 0xE && cf[3] == 0x8, "larger on the left");
    /* on random data with outliers the two policies must differ somewhere for
     * every OVP format, and each equals the scalar pair codec */
    static float x[64 * 64];
    static uint16_t c1[64 * 64], c2[64 * 64];
    for (int f = FMT_OVP4; f <= FMT_OVP8; f++) {
        const fmt_traits *t = fmt_get((fmt_id)f);
        fill(x, 64, 64, 1);
        /* at scale amax / (max_outlier / 4), pairs (0.5 amax, -0.9 amax) are two
         * outliers (12 and -21.6 for ovp4, beyond every normal) with the larger
         * on the right, where the policies must disagree */
        double am = amax_rows(x, 0, 64, 64);
        for (int i = 0; i < 64 * 64; i += 128) {
            x[i] = (float)(0.5 * am);
            x[i + 1] = (float)(-0.9 * am);
        }
        float s1, s2;
        quant_opts p = quant_opts_default;
        p.ovp_scale = am / t->max_abs * 4;
        p.policy = OVP_KEEP_LARGER;
        quant_matrix(t->id, x, 64, 64, &p, c1, &s1, NULL);
        p.policy = OVP_KEEP_LEFT;
        quant_matrix(t->id, x, 64, 64, &p, c2, &s2, NULL);
        int diff = 0;
        for (int i = 0; i < 64 * 64; i += 2) {
            uint16_t e0, e1;
            ovp_quantize_pair(t, x[i] / (double)s2, x[i + 1] / (double)s2, OVP_KEEP_LEFT, &e0, &e1);
            CHECK(c2[i] == e0 && c2[i + 1] == e1, "%s pair %d vs codec", t->name, i);
            diff += c1[i] != c2[i] || c1[i + 1] != c2[i + 1];
        }
        CHECK(s1 == s2 && diff > 0, "%s: policies never differed", t->name);
    }
}

static void test_ovp_random(void) {
    static float x[MAXN], y[MAXN], scales[200];
    static uint16_t codes[MAXN + 200];
    for (int f = FMT_OVP4; f <= FMT_OVP8; f++) {
        const fmt_traits *t = fmt_get((fmt_id)f);
        uint16_t mk = ovp_victim_code(t);
        for (int sh = 0; sh < NSHAPES; sh++)
            for (int per_row = 0; per_row < 2; per_row++)
                for (int kind = 0; kind < 4; kind++) {
                    int rows = SHAPES[sh][0], cols = SHAPES[sh][1];
                    int stride = cols + (cols & 1);
                    CHECK(quant_row_codes(t->id, cols) == stride, "ovp stride");
                    quant_opts o;
                    make_opts(&o, per_row);
                    fill(x, rows, cols, kind);
                    for (size_t i = 0; i < quant_codes_size(t->id, rows, cols); i++)
                        codes[i] = 0xFFFF;
                    CHECK(quant_matrix(t->id, x, rows, cols, &o, codes, scales, NULL) == 0, "ovp");
                    CHECK(dequant_matrix(t->id, codes, rows, cols, &o, scales, NULL, y) == 0, "ovp dq");
                    for (int r = 0; r < rows; r++) {
                        double s = scales[per_row ? r : 0];
                        const uint16_t *cr = codes + (size_t)r * stride;
                        for (int j = 0; j < cols; j += 2) {
                            double x0 = x[(size_t)r * cols + j];
                            double x1 = j + 1 < cols ? (double)x[(size_t)r * cols + j + 1] : 0.0;
                            uint16_t e0, e1;
                            ovp_quantize_pair(t, x0 / s, x1 / s, o.policy, &e0, &e1);
                            CHECK(cr[j] == e0 && cr[j + 1] == e1, "%s row %d pair %d: %x %x vs %x %x",
                                  t->name, r, j, cr[j], cr[j + 1], e0, e1);
                            decoded d0, d1;
                            ovp_decode_pair(t, cr[j], cr[j + 1], &d0, &d1);
                            CHECK(y[(size_t)r * cols + j] == (float)(decoded_to_double(d0) * s),
                                  "%s dequant", t->name);
                            if (j + 1 < cols)
                                CHECK(y[(size_t)r * cols + j + 1] ==
                                          (float)(decoded_to_double(d1) * s),
                                      "%s dequant", t->name);
                            else /* padding: a 0 element, or the victim of the last one */
                                CHECK(cr[j + 1] == 0 || cr[j + 1] == mk, "%s padding code %x",
                                      t->name, cr[j + 1]);
                        }
                    }
                    /* the search never loses to its two endpoint scales */
                    if (!per_row) {
                        double am = amax_rows(x, 0, rows, cols);
                        double m_s = quant_mse(t->id, x, rows, cols, &o);
                        quant_opts e = o;
                        e.ovp_scale = am / t->max_abs;
                        double m_lo = quant_mse(t->id, x, rows, cols, &e);
                        e.ovp_scale = am / ovp_max_normal_ref(t->id);
                        double m_hi = quant_mse(t->id, x, rows, cols, &e);
                        CHECK(m_s <= m_lo * (1 + 1e-9) && m_s <= m_hi * (1 + 1e-9),
                              "%s search mse %g vs endpoints %g %g", t->name, m_s, m_lo, m_hi);
                        /* at the hi endpoint amax is the largest normal: no outliers,
                         * every error within half a normal step */
                        uint16_t *c2 = codes;
                        float s2;
                        quant_matrix(t->id, x, rows, cols, &e, c2, &s2, NULL);
                        dequant_matrix(t->id, c2, rows, cols, &e, &s2, NULL, y);
                        for (int r = 0; r < rows; r++)
                            for (int j = 0; j < cols; j++) {
                                size_t i = (size_t)r * cols + j;
                                CHECK(c2[(size_t)r * stride + j] != mk,
                                      "%s outlier at the all-normal scale", t->name);
                                double v = x[i] / (double)s2;
                                double tol = ovp_normal_half_gap(t->id, fabs(v)) * s2 +
                                             (fabs(x[i]) + fabs(y[i])) * 0x1p-23;
                                CHECK(fabs((double)y[i] - x[i]) <= tol, "%s normal err %g > %g",
                                      t->name, fabs((double)y[i] - x[i]), tol);
                            }
                    }
                }
        /* deterministic, forced scale honoured, amax 0 -> scale 1 */
        fill(x, 7, 65, 1);
        float sa, sb;
        quant_matrix(t->id, x, 7, 65, NULL, codes, &sa, NULL);
        quant_matrix(t->id, x, 7, 65, NULL, codes + 7 * 66, &sb, NULL);
        CHECK(sa == sb && !memcmp(codes, codes + 7 * 66, 7 * 66 * sizeof codes[0]),
              "%s search not deterministic", t->name);
        quant_opts fo = quant_opts_default;
        fo.ovp_scale = 0.375;
        quant_matrix(t->id, x, 7, 65, &fo, codes, &sa, NULL);
        CHECK(sa == 0.375f, "%s forced scale %g", t->name, (double)sa);
        float z[3] = {0, -0.0f, 0};
        quant_matrix(t->id, z, 1, 3, NULL, codes, &sa, NULL);
        dequant_matrix(t->id, codes, 1, 3, NULL, &sa, NULL, y);
        CHECK(sa == 1.0f && y[0] == 0 && y[1] == 0 && y[2] == 0, "%s zeros", t->name);
    }
}

/* Per-row OVP search: each row's scale equals the search on that row alone. */
static void test_ovp_per_row(void) {
    enum { R = 6, C = 41 };
    float x[R * C], scales[R], s1;
    uint16_t codes[R * (C + 1)], c1[C + 1];
    fill(x, R, C, 3);
    quant_opts o;
    make_opts(&o, 1);
    for (int f = FMT_OVP4; f <= FMT_OVP8; f++) {
        CHECK(quant_matrix((fmt_id)f, x, R, C, &o, codes, scales, NULL) == 0, "ovp per row");
        for (int r = 0; r < R; r++) {
            CHECK(quant_matrix((fmt_id)f, x + r * C, 1, C, NULL, c1, &s1, NULL) == 0, "row");
            CHECK(s1 == scales[r] && !memcmp(c1, codes + r * (C + 1), sizeof c1),
                  "%s row %d per-row search", fmt_get((fmt_id)f)->name, r);
        }
    }
}

/* ------------------------------------------------------------ errors, packing */

static void test_errors(void) {
    float x[6] = {1, 2, 3, 4, 5, 6}, s[2] = {-1, -1}, y[6];
    uint16_t c[8] = {0xAAAA, 0xAAAA, 0xAAAA, 0xAAAA, 0xAAAA, 0xAAAA, 0xAAAA, 0xAAAA};
    uint8_t bs[2] = {0xAA, 0xAA};
    printf("(the following error messages are expected)\n");
    fflush(stdout);
    for (int f = 0; f < FMT_COUNT; f++) {
        for (int bad = 0; bad < 3; bad++) {
            float xb[6];
            memcpy(xb, x, sizeof x);
            xb[4] = bad == 0 ? NAN : bad == 1 ? INFINITY : -INFINITY;
            int rc = quant_matrix((fmt_id)f, xb, 2, 3, NULL, c, s, bs);
            CHECK(rc == QUANT_ENONFINITE, "%s non-finite input rc %d", fmt_get((fmt_id)f)->name, rc);
        }
        CHECK(c[0] == 0xAAAA && c[7] == 0xAAAA && s[0] == -1 && bs[0] == 0xAA,
              "%s wrote output on error", fmt_get((fmt_id)f)->name);
    }
    quant_opts o = quant_opts_default;
    CHECK(quant_matrix(FMT_INT8, x, 0, 3, NULL, c, s, NULL) == QUANT_EINVAL, "rows 0");
    CHECK(quant_matrix(FMT_INT8, x, 2, -1, NULL, c, s, NULL) == QUANT_EINVAL, "cols < 0");
    CHECK(quant_matrix(FMT_INT8, NULL, 2, 3, NULL, c, s, NULL) == QUANT_EINVAL, "x NULL");
    CHECK(quant_matrix(FMT_INT8, x, 2, 3, NULL, NULL, s, NULL) == QUANT_EINVAL, "codes NULL");
    CHECK(quant_matrix(FMT_INT8, x, 2, 3, NULL, c, NULL, NULL) == QUANT_EINVAL, "scales NULL");
    CHECK(quant_matrix(FMT_MXFP4, x, 2, 3, NULL, c, s, NULL) == QUANT_EINVAL, "bs NULL");
    CHECK(quant_matrix((fmt_id)FMT_COUNT, x, 2, 3, NULL, c, s, bs) == QUANT_EINVAL, "bad fmt");
    o.ovp_scale = -1;
    CHECK(quant_matrix(FMT_OVP4, x, 2, 3, &o, c, s, NULL) == QUANT_EINVAL, "negative scale");
    o.ovp_scale = NAN;
    CHECK(quant_matrix(FMT_OVP4, x, 2, 3, &o, c, s, NULL) == QUANT_EINVAL, "NaN scale");
    o = quant_opts_default;
    o.policy = (ovp_policy)7;
    CHECK(quant_matrix(FMT_OVP4, x, 2, 3, &o, c, s, NULL) == QUANT_EINVAL, "bad policy");
    CHECK(c[0] == 0xAAAA && s[0] == -1, "wrote output on bad arguments");
    CHECK(isnan(quant_mse(FMT_INT4, x, 0, 1, NULL)), "quant_mse error -> NaN");
    uint16_t wide[2] = {0x10, 0};
    s[0] = 1;
    CHECK(dequant_matrix(FMT_INT4, wide, 1, 2, NULL, s, NULL, y) == QUANT_EINVAL, "wide code");
    printf("(end of expected error messages)\n");
}

static void test_pack(void) {
    for (int f = 0; f < FMT_COUNT; f++) {
        const fmt_traits *t = fmt_get((fmt_id)f);
        for (int n = 1; n <= 9; n++)
            for (int ord = 0; ord < 2; ord++) {
                uint16_t c[9], back[9];
                uint8_t bytes[18];
                for (int i = 0; i < n; i++)
                    c[i] = (uint16_t)(rnd64() & ((1u << t->bits) - 1));
                size_t nb = quant_pack_codes(t->id, c, (size_t)n, (ovp_nibble_order)ord, bytes);
                size_t want = t->bits == 4 ? (size_t)(n + 1) / 2 : t->bits == 8 ? (size_t)n : 2 * (size_t)n;
                CHECK(nb == want && quant_packed_size(t->id, (size_t)n) == want, "%s pack size",
                      t->name);
                quant_unpack_codes(t->id, bytes, (size_t)n, (ovp_nibble_order)ord, back);
                CHECK(!memcmp(c, back, (size_t)n * sizeof c[0]), "%s n=%d order %d round trip",
                      t->name, n, ord);
                if (t->bits == 4 && n % 2)
                    CHECK((bytes[nb - 1] & (ord == OVP_FIRST_HIGH ? 0x0F : 0xF0)) == 0,
                          "%s odd pack padding", t->name);
                if (t->bits == 16)
                    CHECK(bytes[0] == (c[0] & 0xFF) && bytes[1] == c[0] >> 8, "little-endian");
            }
    }
}

/* quant_compare / quant_error on a known case. */
static void test_stats(void) {
    const float x[4] = {1, -1, 2, 0}, y[4] = {1, -0.5f, 2.5f, 0};
    quant_err e;
    quant_compare(x, y, 4, &e);
    CHECK(e.mse == 0.125 && e.max_abs_err == 0.5 && e.signal == 1.5, "compare %g %g %g", e.mse,
          e.max_abs_err, e.signal);
    CHECK(fabs(e.sqnr_db - 10 * log10(12.0)) < 1e-12, "sqnr %g", e.sqnr_db);
    const float k[4] = {7, -7, 3, 1}; /* int4, scale 1: exact */
    CHECK(quant_error(FMT_INT4, k, 2, 2, NULL, &e) == 0 && e.mse == 0 && isinf(e.sqnr_db),
          "exact int4");
}

int main(void) {
    check_name = "test_quant";
    check_seed();
    test_int();
    test_per_row();
    test_fp4();
    test_posit();
    test_mx();
    test_ovp_fig1();
    test_ovp_policy();
    test_ovp_random();
    test_ovp_per_row();
    test_errors();
    test_pack();
    test_stats();
    return check_done();
}
