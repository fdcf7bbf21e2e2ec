/*
 * tests/unit/test_host_qmatvec.c - the quantized matvec path of host/ (the
 * `ref` backend: host/qbackend.c over kernels_ref's engine_dot) against
 * computations that do not use it:
 *
 *  1. qb_acc_value (raw accumulator -> double) on values whose correctly
 *     rounded result is known by hand (ties to even at 2^53, 128-bit values,
 *     negative numbers, the LSB weight).
 *  2. For every weight x activation pair of an all-formats configuration
 *     (4 lanes, 64-bit stream, the derived exact accumulator, as rtl_gen's
 *     `all`): random matrices of odd shapes, heavy-tailed values.  Each
 *     output must agree with sum_c deq(w)[r][c] * deq(a)[c] computed in
 *     double from the dequantized operands (quant.h's dequant_matrix, with
 *     the quantizer options the backend documents: per-row weight scales,
 *     one activation scale).  The accumulator is exact for these (docs/
 *     numerics.md section 3: no INEXACT flag may appear), so the only
 *     differences are roundings outside it, bounded by TOL_REL below.
 *  3. INT x INT: the raw accumulator equals the exact integer sum of the
 *     code products (int64), row by row.
 *  4. hwcfg: a generated-style header parsed back; CAP registers decoded;
 *     a mismatch between the two named; pairs refused with the reason.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hwcfg.h"
#include "qbackend.h"

/* Error bound relative to sum_c |w_c * a_c| (dequantized): the dequantized
 * operands are floats (each within 2^-24 relative of the values the codes
 * and scales stand for, so a product within 2^-23), the double sum adds
 * n * 2^-53, the output is rounded to float (2^-24 of |out| <= the sum).
 * 2^-21 covers all three with margin for n <= 256. */
#define TOL_REL 0x1p-21

static npe_hwcfg all_cfg(void) {
    npe_hwcfg c = {.geom = {.stream_w = 64, .lanes = 4, .units = 1}, .k_max = 4096};
    snprintf(c.name, sizeof c.name, "test-all");
    fmt_mask all = (fmt_mask)((1u << FMT_COUNT) - 1);
    c.wfmts = c.afmts = all;
    int w, l;
    engine_default_acc(all, all, c.k_max, &w, &l);
    c.geom.acc_w = w;
    c.acc_lsb = l;
    for (int i = 0; i < FMT_COUNT; i++)
        for (int j = 0; j < FMT_COUNT; j++) {
            int ovp16 = (fmt_get((fmt_id)i)->family == FAM_OVP && fmt_get((fmt_id)j)->bits == 16) ||
                        (fmt_get((fmt_id)j)->family == FAM_OVP && fmt_get((fmt_id)i)->bits == 16);
            if (!ovp16)
                c.pairs[i] |= FMT_BIT(j);
        }
    return c;
}

/* ---------------------------------------------------------------- 1 */

static wide w_shl(int64_t v, int n) { return wide_shl(wide_from_i64(v), n, NULL); }

static void acc_value_cases(void) {
    struct {
        wide acc;
        int lsb;
        double want;
        const char *what;
    } k[] = {
        {wide_from_i64(0), -56, 0.0, "zero"},
        {wide_from_i64(3), -2, 0.75, "3 * 2^-2"},
        {wide_from_i64(-5), 4, -80.0, "-5 * 2^4"},
        {wide_from_i64((1ll << 53) + 1), 0, 0x1p53, "2^53 + 1 ties to even (down)"},
        {wide_from_i64((1ll << 53) + 3), 0, 0x1p53 + 4, "2^53 + 3 ties to even (up)"},
        {wide_from_i64(-((1ll << 53) + 3)), 0, -(0x1p53 + 4), "negative tie"},
        {wide_add(w_shl(1, 100), wide_from_i64(1)), 0, 0x1p100, "2^100 + 1 rounds down"},
        /* 2^100 + 2^47 is exactly halfway between 2^100 and 2^100 + 2^48:
         * even is 2^100; one more unit far below breaks the tie upward */
        {wide_add(w_shl(1, 100), w_shl(1, 47)), 0, 0x1p100, "2^100 + 2^47: tie to even"},
        {wide_add(wide_add(w_shl(1, 100), w_shl(1, 47)), wide_from_i64(1)), 0,
         0x1p100 + 0x1p48, "2^100 + 2^47 + 1: sticky breaks the tie"},
        {wide_neg(w_shl(3, 120)), -56, -3 * 0x1p64, "-3 * 2^120 * 2^-56"},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        double got = qb_acc_value(k[i].acc, k[i].lsb);
        CHECK(got == k[i].want, "qb_acc_value %s: got %.17g, expected %.17g", k[i].what, got,
              k[i].want);
    }
}

/* ---------------------------------------------------------------- 2, 3 */

/* Engine wrapper that keeps the raw accumulators of the last job. */
typedef struct {
    npe_hwcfg *hw;
    wide acc[512];
    uint32_t st[512];
    int rows;
} capture;

static int capture_run(void *ctx, const npe_job *j, wide *acc, uint32_t *status, char *err,
                       size_t n) {
    capture *c = ctx;
    int rc = qengine_ref_run(c->hw, j, acc, status, err, n);
    c->rows = j->rows;
    memcpy(c->acc, acc, (size_t)j->rows * sizeof *acc);
    memcpy(c->st, status, (size_t)j->rows * sizeof *status);
    return rc;
}

/* Heavy-tailed values: mostly N(0,1)-like, sometimes 20x (outliers for OVP). */
static float rnd_value(void) {
    double u = ((double)rnd_below(1u << 30) + 0.5) / (double)(1u << 30);
    double v = ((double)rnd_below(1u << 30) + 0.5) / (double)(1u << 30);
    double g = sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
    if (rnd_below(50) == 0)
        g *= 20;
    return (float)(g * 0.05);
}

static const int shapes[][2] = {{7, 37}, {5, 33}, {13, 64}, {3, 172}, {9, 1}, {4, 2}, {11, 65}};
#define N_SHAPES ((int)(sizeof shapes / sizeof shapes[0]))

static void matvec_pairs(void) {
    npe_hwcfg hw = all_cfg();
    /* a model of just the jobs (the backend needs nothing else) */
    model m;
    memset(&m, 0, sizeof m);
    m.n_jobs = N_SHAPES;
    matvec_job jobs[N_SHAPES];
    float *wbuf[N_SHAPES];
    for (int i = 0; i < N_SHAPES; i++) {
        int r = shapes[i][0], c = shapes[i][1];
        wbuf[i] = malloc((size_t)r * c * sizeof(float));
        for (int k = 0; k < r * c; k++)
            wbuf[i][k] = rnd_value();
        jobs[i] = (matvec_job){.id = i, .kind = WEIGHT_WQ, .name = "t", .layer = 0, .rows = r,
                               .cols = c, .w = wbuf[i]};
    }
    m.jobs = jobs;
    capture cap = {.hw = &hw};
    qengine eng = {.name = "ref", .run = capture_run, .ctx = &cap};
    int pairs = 0, exact_rows = 0;
    double worst = 0;
    for (int wf = 0; wf < FMT_COUNT; wf++)
        for (int af = 0; af < FMT_COUNT; af++) {
            char why[256];
            if (!hwcfg_pair_ok(&hw, (fmt_id)wf, (fmt_id)af, why, sizeof why))
                continue;
            qbackend *qb;
            char err[1024];
            if (qbackend_open(&qb, &m, &hw, (fmt_id)wf, (fmt_id)af, eng, err, sizeof err)) {
                CHECK(0, "%s x %s: open: %s", fmt_get((fmt_id)wf)->name,
                      fmt_get((fmt_id)af)->name, err);
                continue;
            }
            pairs++;
            ovp_policy pol = OVP_KEEP_LARGER;
            quant_opts wo = {.per_row = 1, .policy = pol}, ao = {.per_row = 0, .policy = pol};
            for (int i = 0; i < N_SHAPES; i++) {
                int R = shapes[i][0], K = shapes[i][1];
                float x[256], out[64], dx[256];
                for (int k = 0; k < K; k++)
                    x[k] = rnd_value() * 10;
                if (qbackend_matvec(qb, &jobs[i], x, out)) {
                    CHECK(0, "%s x %s %dx%d: %s", fmt_get((fmt_id)wf)->name,
                          fmt_get((fmt_id)af)->name, R, K, qbackend_error(qb));
                    continue;
                }
                /* the independent computation */
                size_t nc = quant_codes_size((fmt_id)wf, R, K);
                uint16_t *wc = malloc(nc * sizeof *wc), ac[258];
                float *ws = malloc((size_t)R * sizeof *ws), as = 1, *dw = malloc((size_t)R * K * 4);
                uint8_t *wb = malloc((size_t)R * 8 + 8), ab[16];
                quant_matrix((fmt_id)wf, wbuf[i], R, K, &wo, wc, ws, wb);
                dequant_matrix((fmt_id)wf, wc, R, K, &wo, ws, wb, dw);
                quant_matrix((fmt_id)af, x, 1, K, &ao, ac, &as, ab);
                dequant_matrix((fmt_id)af, ac, 1, K, &ao, &as, ab, dx);
                for (int r = 0; r < R; r++) {
                    double s = 0, mag = 0;
                    for (int k = 0; k < K; k++) {
                        s += (double)dw[r * K + k] * (double)dx[k];
                        mag += fabs((double)dw[r * K + k] * (double)dx[k]);
                    }
                    double d = fabs((double)out[r] - s);
                    CHECK(!(cap.st[r] & (FLAG_INEXACT | FLAG_OVERFLOW)),
                          "%s x %s %dx%d row %d: flags 0x%x on an exact accumulator",
                          fmt_get((fmt_id)wf)->name, fmt_get((fmt_id)af)->name, R, K, r,
                          cap.st[r]);
                    CHECK(d <= TOL_REL * mag + 1e-30,
                          "%s x %s %dx%d row %d: out %.9g, double from dequantized %.9g "
                          "(|diff| %.3g > %.3g)",
                          fmt_get((fmt_id)wf)->name, fmt_get((fmt_id)af)->name, R, K, r,
                          (double)out[r], s, d, TOL_REL * mag);
                    if (mag > 0 && d / mag > worst)
                        worst = d / mag;
                    /* 3: integer pairs, exact integer sum of the codes */
                    if (fmt_get((fmt_id)wf)->family == FAM_INT &&
                        fmt_get((fmt_id)af)->family == FAM_INT) {
                        int64_t sum = 0;
                        for (int k = 0; k < K; k++) {
                            decoded a, b;
                            fmt_decode((fmt_id)wf, wc[r * K + k], &a);
                            fmt_decode((fmt_id)af, ac[k], &b);
                            int64_t p = (int64_t)a.sig * b.sig;
                            sum += a.neg != b.neg ? -p : p;
                        }
                        wide want = wide_shl(wide_from_i64(sum), -hw.acc_lsb, NULL);
                        CHECK(wide_cmp(cap.acc[r], want) == 0,
                              "%s x %s %dx%d row %d: accumulator != exact integer sum %lld * "
                              "2^%d",
                              fmt_get((fmt_id)wf)->name, fmt_get((fmt_id)af)->name, R, K, r,
                              (long long)sum, -hw.acc_lsb);
                        exact_rows++;
                    }
                }
                free(wc);
                free(ws);
                free(dw);
                free(wb);
            }
            qbackend_close(qb);
        }
    printf("%d format pairs x %d shapes; worst |out - double| / sum|w*a| = %.3g (bound %.3g); "
           "%d integer rows exact\n",
           pairs, N_SHAPES, worst, TOL_REL, exact_rows);
    CHECK(pairs == 11 * 11 - 2 * 3 * 2, "pairs of the all-formats configuration: %d", pairs);
    for (int i = 0; i < N_SHAPES; i++)
        free(wbuf[i]);
}

/* ---------------------------------------------------------------- 4 */

static void hwcfg_cases(void) {
    char path[] = "/tmp/test_host_hwcfg.XXXXXX"; /* has a '/': taken as a path */
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "w");
    fprintf(f, "#define NPE_CONFIG_NAME \"t\"   /* name */\n"
               "#define NPE_LANES 2\n#define NPE_STREAM_W 128\n#define NPE_J 4\n"
               "#define NPE_K_MAX 1024\n#define NPE_ACC_W 44 /* bits */\n#define NPE_ACC_LSB (-4)\n"
               "#define NPE_WFMT_MASK 0x103u\n#define NPE_AFMT_MASK 0x7u\n"
               "#define NPE_OVP_FIRST_HIGH 1\n#define NPE_OVP_KEEP_LEFT 1\n"
               "#define NPE_COPROC_LATENCY 6\n#define NPE_RESULT_DEPTH 2\n"
               "#define NPE_FMT_OVP4 8\n#define NPE_PAIR_MASK_OVP4 0x3u\n");
    fclose(f);
    npe_hwcfg c;
    char err[512];
    CHECK(hwcfg_load_params(path, &c, err, sizeof err) == 0, "parse: %s", err);
    CHECK(!strcmp(c.name, "t") && c.geom.lanes == 2 && c.geom.stream_w == 128 &&
              c.geom.units == 4 && c.k_max == 1024 && c.geom.acc_w == 44 && c.acc_lsb == -4 &&
              c.wfmts == 0x103 && c.afmts == 0x7 && c.geom.ovp_first_high == 1 &&
              c.ovp_keep_left == 1 && c.geom.latency == 6 && c.geom.result_depth == 2,
          "parsed fields");
    CHECK(c.pairs[FMT_OVP4] == 0x3, "OVP4 pairs from NPE_PAIR_MASK_OVP4: 0x%x", c.pairs[FMT_OVP4]);
    CHECK(c.pairs[FMT_INT4] == 0x7, "INT4 pairs (no mask given: the protocol rule): 0x%x",
          c.pairs[FMT_INT4]);
    char why[256];
    CHECK(!hwcfg_pair_ok(&c, FMT_OVP4, FMT_INT16, why, sizeof why) && strstr(why, "16-bit"),
          "ovp4 x int16 refused: %s", why);
    CHECK(!hwcfg_pair_ok(&c, FMT_FP4, FMT_INT4, why, sizeof why) && strstr(why, "no fp4 weights"),
          "fp4 weights refused: %s", why);
    /* the same hardware from CAP registers (protocol.md section 4 fields) */
    uint32_t cap[6] = {0x103, 0x7, 128u << 16 | 4u << 8 | 2u, (uint32_t)(-4 & 0xFFFF) << 16 | 44u,
                       1024, 2u << 24 | 1u << 16 | 6u << 8 | 3u};
    npe_hwcfg d;
    CHECK(hwcfg_from_caps(cap, &d, err, sizeof err) == 0, "caps: %s", err);
    CHECK(hwcfg_check_same(&c, &d, err, sizeof err) == 0, "same hardware: %s", err);
    cap[3] = (uint32_t)(-4 & 0xFFFF) << 16 | 40u;
    CHECK(hwcfg_from_caps(cap, &d, err, sizeof err) == 0, "caps ACC_W 40: %s", err);
    CHECK(hwcfg_check_same(&c, &d, err, sizeof err) != 0 && strstr(err, "ACC_W is 44"),
          "ACC_W mismatch named: %s", err);
    cap[5] = 7; /* RW 7 for a 40-bit accumulator */
    CHECK(hwcfg_from_caps(cap, &d, err, sizeof err) != 0 && strstr(err, "RW 7"),
          "inconsistent RW refused: %s", err);
    /* a header without a needed macro */
    f = fopen(path, "w");
    fprintf(f, "#define NPE_LANES 2\n");
    fclose(f);
    CHECK(hwcfg_load_params(path, &c, err, sizeof err) != 0 && strstr(err, "NPE_STREAM_W"),
          "missing macro named: %s", err);
    unlink(path);
    CHECK(hwcfg_load_params("no-such-config", &c, err, sizeof err) != 0 &&
              strstr(err, "build/rtl/no-such-config/no-such-config_params.h") &&
              strstr(err, "make rtl"),
          "missing configuration: %s", err);
}

int main(void) {
    check_name = "test_host_qmatvec";
    check_seed();
    acc_value_cases();
    hwcfg_cases();
    matvec_pairs();
    return check_done();
}
