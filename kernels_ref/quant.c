/*
 * kernels_ref/quant.c - tensor quantizers (rules in quant.h).  Everything
 * element-level goes through the scalar codecs of formats.h; this file only
 * chooses scales and lays out the codes.
 */
#include "quant.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const quant_opts quant_opts_default = {.per_row = 0, .policy = OVP_KEEP_LARGER, .ovp_scale = 0};

static int is_mx(const fmt_traits *t) { return t->block > 0; }

static int valid_fmt(fmt_id f) { return (unsigned)f < FMT_COUNT; }

/* ---------------------------------------------------------------- sizes */

int quant_row_codes(fmt_id f, int cols) {
    if (!valid_fmt(f) || cols <= 0)
        return 0;
    return fmt_get(f)->family == FAM_OVP ? cols + (cols & 1) : cols;
}

size_t quant_codes_size(fmt_id f, int rows, int cols) {
    if (rows <= 0)
        return 0;
    return (size_t)rows * (size_t)quant_row_codes(f, cols);
}

size_t quant_scales_size(fmt_id f, int rows, const quant_opts *o) {
    if (!valid_fmt(f) || rows <= 0 || is_mx(fmt_get(f)))
        return 0;
    if (!o)
        o = &quant_opts_default;
    return o->per_row ? (size_t)rows : 1;
}

static int blocks_per_row(const fmt_traits *t, int cols) {
    return (cols + t->block - 1) / t->block;
}

size_t quant_block_scales_size(fmt_id f, int rows, int cols) {
    if (!valid_fmt(f) || rows <= 0 || cols <= 0 || !is_mx(fmt_get(f)))
        return 0;
    return (size_t)rows * (size_t)blocks_per_row(fmt_get(f), cols);
}

/* ---------------------------------------------------------------- helpers */

/* A positive double as a positive float scale: rounded to nearest, raised to
 * the smallest positive float if it would underflow, capped at FLT_MAX. */
static float to_scale(double s) {
    if (!(s > 0))
        return 1.0f;
    if (s >= FLT_MAX)
        return FLT_MAX;
    float f = (float)s;
    return f > 0 ? f : FLT_TRUE_MIN;
}

static double amax_of(const float *x, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double a = fabs((double)x[i]);
        if (a > m)
            m = a;
    }
    return m;
}

/* The elements sharing scale number g: a row (per_row) or the whole tensor. */
typedef struct {
    int row0, nrows;
} group;

static group group_of(int g, int rows, int per_row) {
    group r = {per_row ? g : 0, per_row ? 1 : rows};
    return r;
}

/* ---------------------------------------------------------------- INT, FP4, posit */

static int int_qmax(const fmt_traits *t) { return (1 << (t->bits - 1)) - 1; }

static float scale_int(const fmt_traits *t, const float *x, size_t n) {
    double amax = amax_of(x, n);
    return amax > 0 ? to_scale(amax / int_qmax(t)) : 1.0f;
}

static float scale_fp4(const fmt_traits *t, const float *x, size_t n) {
    double amax = amax_of(x, n);
    return amax > 0 ? to_scale(amax / t->max_abs) : 1.0f;
}

static float scale_posit(const float *x, size_t n) {
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (double)x[i] * (double)x[i];
    double rms = sqrt(ss / (double)n);
    if (!(rms > 0))
        return 1.0f;
    double k = nearbyint(log2(rms));
    if (k < FLT_MIN_EXP - 1)
        k = FLT_MIN_EXP - 1; /* -126 */
    if (k > FLT_MAX_EXP - 1)
        k = FLT_MAX_EXP - 1; /* 127 */
    return (float)ldexp(1.0, (int)k);
}

/* One element of a scaled (non-MX, non-OVP) format. */
static uint16_t quant_elem(const fmt_traits *t, double x, float scale) {
    double v = x / (double)scale;
    if (t->family == FAM_INT) {
        double q = int_qmax(t);
        if (v > q)
            v = q;
        if (v < -q)
            v = -q;
    }
    return fmt_quantize(t->id, v, NULL);
}

/* ---------------------------------------------------------------- OVP */

/* Largest normal magnitude of an OVP format, derived from its decoder: the
 * pair (c, 0) is two normals for every c but the victim marker. */
static double ovp_max_normal(const fmt_traits *t) {
    static double cache[FMT_COUNT];
    if (cache[t->id] > 0)
        return cache[t->id];
    double m = 0;
    for (uint32_t c = 0; c < (1u << t->bits); c++) {
        if (c == ovp_victim_code(t))
            continue;
        decoded d0, d1;
        ovp_decode_pair(t, (uint16_t)c, 0, &d0, &d1);
        double v = fabs(decoded_to_double(d0));
        if (v > m)
            m = v;
    }
    cache[t->id] = m;
    return m;
}

static double ovp_decode_value(const fmt_traits *t, uint16_t c0, uint16_t c1, int which,
                               unsigned *flags) {
    decoded d0, d1;
    *flags |= ovp_decode_pair(t, c0, c1, &d0, &d1);
    return decoded_to_double(which ? d1 : d0);
}

/* Code one row (cols elements, padded to even) with scale s; if out is
 * non-NULL store the codes, else return the sum of squared errors of the
 * dequantized values rounded to float, exactly as dequant_matrix gives them
 * (the padding element is not counted). */
static double ovp_row(const fmt_traits *t, const float *x, int cols, float s, ovp_policy p,
                      uint16_t *out) {
    double sse = 0;
    for (int j = 0; j < cols; j += 2) {
        double x0 = x[j], x1 = j + 1 < cols ? (double)x[j + 1] : 0.0;
        uint16_t c0, c1;
        ovp_quantize_pair(t, x0 / (double)s, x1 / (double)s, p, &c0, &c1);
        if (out) {
            out[j] = c0;
            out[j + 1] = c1;
        } else {
            decoded d0, d1;
            ovp_decode_pair(t, c0, c1, &d0, &d1);
            double e0 = (double)(float)(decoded_to_double(d0) * (double)s) - x0;
            double e1 = (double)(float)(decoded_to_double(d1) * (double)s) - x1;
            sse += e0 * e0 + (j + 1 < cols ? e1 * e1 : 0.0);
        }
    }
    return sse;
}

static float scale_ovp(const fmt_traits *t, const float *x, int nrows, int cols,
                       const quant_opts *o) {
    if (o->ovp_scale > 0)
        return to_scale(o->ovp_scale);
    double amax = amax_of(x, (size_t)nrows * (size_t)cols);
    if (!(amax > 0))
        return 1.0f;
    double lo = amax / t->max_abs, hi = amax / ovp_max_normal(t);
    float best = 0;
    double best_sse = INFINITY;
    for (int i = 0; i < QUANT_OVP_CANDIDATES; i++) {
        double s = i == 0 ? lo
                   : i == QUANT_OVP_CANDIDATES - 1
                       ? hi
                       : lo * pow(hi / lo, (double)i / (QUANT_OVP_CANDIDATES - 1));
        float sf = to_scale(s);
        double sse = 0;
        for (int r = 0; r < nrows; r++)
            sse += ovp_row(t, x + (size_t)r * cols, cols, sf, o->policy, NULL);
        if (sse < best_sse) {
            best_sse = sse;
            best = sf;
        }
    }
    return best;
}

/* ---------------------------------------------------------------- MX */

/* OCP MX v1.0 sec. 6.3: shared_exp = floor(log2(amax)) - emax_elem, clamped
 * to the E8M0 range; all-zero block -> -127. */
static int mx_shared_exp(const fmt_traits *t, const float *x, int n) {
    double amax = amax_of(x, (size_t)n);
    if (!(amax > 0))
        return -E8M0_BIAS;
    int emax_elem = ilogb(t->max_abs); /* FP4 E2M1: ilogb(6) = 2 */
    int e = ilogb(amax) - emax_elem;   /* ilogb = floor(log2), exact */
    if (e < -E8M0_BIAS)
        e = -E8M0_BIAS;
    if (e > E8M0_BIAS)
        e = E8M0_BIAS;
    return e;
}

/* ---------------------------------------------------------------- API */

static int check_args(const char *fn, fmt_id f, const void *in, int rows, int cols,
                      const quant_opts *o, const void *codes, const void *scales,
                      const void *block_scales) {
    const char *why = NULL;
    if (!valid_fmt(f))
        why = "unknown format";
    else if (rows <= 0 || cols <= 0)
        why = "rows and cols must be positive";
    else if (cols > INT32_MAX - 1 || (size_t)rows > SIZE_MAX / 8 / ((size_t)cols + 1))
        why = "matrix too large";
    else if (!in || !codes)
        why = "NULL data pointer";
    else if (is_mx(fmt_get(f)) && !block_scales)
        why = "MX formats need block_scales";
    else if (!is_mx(fmt_get(f)) && !scales)
        why = "this format needs scales";
    else if (o->per_row != 0 && o->per_row != 1)
        why = "per_row must be 0 or 1";
    else if (o->policy != OVP_KEEP_LARGER && o->policy != OVP_KEEP_LEFT)
        why = "unknown OVP policy";
    else if (!(o->ovp_scale >= 0) || isinf(o->ovp_scale))
        why = "ovp_scale must be finite and >= 0";
    if (why) {
        fprintf(stderr, "kernels_ref: %s(%s, %d x %d): %s\n", fn,
                valid_fmt(f) ? fmt_get(f)->name : "?", rows, cols, why);
        return QUANT_EINVAL;
    }
    return 0;
}

int quant_matrix(fmt_id f, const float *x, int rows, int cols, const quant_opts *o,
                 uint16_t *codes, float *scales, uint8_t *block_scales) {
    if (!o)
        o = &quant_opts_default;
    int rc = check_args("quant_matrix", f, x, rows, cols, o, codes, scales, block_scales);
    if (rc)
        return rc;
    const fmt_traits *t = fmt_get(f);
    size_t n = (size_t)rows * (size_t)cols;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) {
            fprintf(stderr,
                    "kernels_ref: quant_matrix(%s): non-finite input %g at row %zu col %zu\n",
                    t->name, (double)x[i], i / (size_t)cols, i % (size_t)cols);
            return QUANT_ENONFINITE;
        }

    if (is_mx(t)) {
        int nb = blocks_per_row(t, cols);
        for (int r = 0; r < rows; r++)
            for (int b = 0; b < nb; b++) {
                int j0 = b * t->block, len = cols - j0 < t->block ? cols - j0 : t->block;
                const float *xb = x + (size_t)r * cols + j0;
                int se = mx_shared_exp(t, xb, len);
                block_scales[(size_t)r * nb + b] = (uint8_t)(se + E8M0_BIAS);
                for (int j = 0; j < len; j++) /* x * 2^-se is exact in double */
                    codes[(size_t)r * cols + j0 + j] = fmt_quantize(f, ldexp(xb[j], -se), NULL);
            }
        return 0;
    }

    int stride = quant_row_codes(f, cols);
    int ngroups = o->per_row ? rows : 1;
    for (int g = 0; g < ngroups; g++) {
        group gr = group_of(g, rows, o->per_row);
        const float *xg = x + (size_t)gr.row0 * cols;
        size_t ng = (size_t)gr.nrows * cols;
        float s = 1.0f;
        switch (t->family) {
        case FAM_INT:
            s = scale_int(t, xg, ng);
            break;
        case FAM_FP4:
            s = scale_fp4(t, xg, ng);
            break;
        case FAM_POSIT:
            s = scale_posit(xg, ng);
            break;
        case FAM_OVP:
            s = scale_ovp(t, xg, gr.nrows, cols, o);
            break;
        }
        scales[g] = s;
        for (int r = gr.row0; r < gr.row0 + gr.nrows; r++) {
            const float *xr = x + (size_t)r * cols;
            uint16_t *cr = codes + (size_t)r * stride;
            if (t->family == FAM_OVP)
                ovp_row(t, xr, cols, s, o->policy, cr);
            else
                for (int j = 0; j < cols; j++)
                    cr[j] = quant_elem(t, xr[j], s);
        }
    }
    return 0;
}

int dequant_matrix(fmt_id f, const uint16_t *codes, int rows, int cols, const quant_opts *o,
                   const float *scales, const uint8_t *block_scales, float *y) {
    if (!o)
        o = &quant_opts_default;
    int rc = check_args("dequant_matrix", f, codes, rows, cols, o, y, scales, block_scales);
    if (rc)
        return rc;
    const fmt_traits *t = fmt_get(f);
    for (size_t i = 0; i < quant_codes_size(f, rows, cols); i++)
        if (codes[i] >> t->bits) {
            fprintf(stderr, "kernels_ref: dequant_matrix(%s): code 0x%x at %zu is wider than %d bits\n",
                    t->name, codes[i], i, t->bits);
            return QUANT_EINVAL;
        }
    unsigned flags = 0;
    int stride = quant_row_codes(f, cols);
    int nb = is_mx(t) ? blocks_per_row(t, cols) : 0;
    for (int r = 0; r < rows; r++) {
        const uint16_t *cr = codes + (size_t)r * stride;
        float *yr = y + (size_t)r * cols;
        double s = is_mx(t) ? 1.0 : (double)scales[o->per_row ? r : 0];
        for (int j = 0; j < cols; j++) {
            double v;
            if (t->family == FAM_OVP) {
                int j0 = j & ~1;
                v = ovp_decode_value(t, cr[j0], cr[j0 + 1], j & 1, &flags) * s;
            } else {
                decoded d;
                unsigned fl = fmt_decode(f, cr[j], &d);
                flags |= fl;
                v = fl & FLAG_NAR ? NAN : decoded_to_double(d);
                if (is_mx(t)) {
                    uint8_t bs = block_scales[(size_t)r * nb + j / t->block];
                    if (bs == E8M0_NAN) {
                        flags |= FLAG_NAN_SCALE;
                        v = NAN;
                    } else {
                        v = ldexp(v, (int)bs - E8M0_BIAS);
                    }
                } else {
                    v *= s;
                }
            }
            yr[j] = (float)v;
        }
    }
    return (int)flags;
}

void quant_compare(const float *x, const float *y, size_t n, quant_err *e) {
    double se = 0, sx = 0, mx = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)y[i] - (double)x[i];
        se += d * d;
        sx += (double)x[i] * (double)x[i];
        if (fabs(d) > mx || d != d)
            mx = fabs(d);
    }
    e->mse = n ? se / (double)n : 0;
    e->signal = n ? sx / (double)n : 0;
    e->max_abs_err = mx;
    e->sqnr_db = e->mse > 0 ? 10 * log10(e->signal / e->mse) : INFINITY;
}

int quant_error(fmt_id f, const float *x, int rows, int cols, const quant_opts *o,
                quant_err *e) {
    if (!o)
        o = &quant_opts_default;
    float dummy_s = 0;
    uint8_t dummy_b = 0;
    int rc = check_args("quant_error", f, x, rows, cols, o, x, &dummy_s, &dummy_b);
    if (rc)
        return rc;
    size_t nc = quant_codes_size(f, rows, cols), ns = quant_scales_size(f, rows, o),
           nb = quant_block_scales_size(f, rows, cols), n = (size_t)rows * cols;
    uint16_t *codes = malloc(nc * sizeof *codes);
    float *scales = malloc((ns ? ns : 1) * sizeof *scales);
    uint8_t *bs = malloc(nb ? nb : 1);
    float *y = malloc(n * sizeof *y);
    if (!codes || !scales || !bs || !y) {
        fprintf(stderr, "kernels_ref: quant_error: out of memory\n");
        rc = QUANT_EINVAL;
    } else {
        rc = quant_matrix(f, x, rows, cols, o, codes, scales, bs);
        if (!rc) {
            int fl = dequant_matrix(f, codes, rows, cols, o, scales, bs, y);
            rc = fl < 0 ? fl : 0;
        }
        if (!rc)
            quant_compare(x, y, n, e);
    }
    free(codes);
    free(scales);
    free(bs);
    free(y);
    return rc;
}

double quant_mse(fmt_id f, const float *x, int rows, int cols, const quant_opts *o) {
    quant_err e;
    return quant_error(f, x, rows, cols, o, &e) ? NAN : e.mse;
}

/* ---------------------------------------------------------------- packing */

size_t quant_packed_size(fmt_id f, size_t n) {
    int bits = fmt_get(f)->bits;
    return bits <= 4 ? (n + 1) / 2 : bits <= 8 ? n : 2 * n;
}

size_t quant_pack_codes(fmt_id f, const uint16_t *codes, size_t n, ovp_nibble_order order,
                        uint8_t *out) {
    int bits = fmt_get(f)->bits;
    size_t nbytes = quant_packed_size(f, n);
    if (bits <= 4) {
        int sh0 = order == OVP_FIRST_HIGH ? 4 : 0;
        for (size_t i = 0; i < nbytes; i++) {
            unsigned a = codes[2 * i] & 0xF, b = 2 * i + 1 < n ? codes[2 * i + 1] & 0xF : 0;
            out[i] = (uint8_t)(a << sh0 | b << (4 - sh0));
        }
    } else if (bits <= 8) {
        for (size_t i = 0; i < n; i++)
            out[i] = (uint8_t)codes[i];
    } else {
        for (size_t i = 0; i < n; i++) {
            out[2 * i] = (uint8_t)(codes[i] & 0xFF);
            out[2 * i + 1] = (uint8_t)(codes[i] >> 8);
        }
    }
    return nbytes;
}

void quant_unpack_codes(fmt_id f, const uint8_t *in, size_t n, ovp_nibble_order order,
                        uint16_t *codes) {
    int bits = fmt_get(f)->bits;
    if (bits <= 4) {
        int sh0 = order == OVP_FIRST_HIGH ? 4 : 0;
        for (size_t i = 0; i < n; i++)
            codes[i] = (uint16_t)((in[i / 2] >> (i % 2 ? 4 - sh0 : sh0)) & 0xF);
    } else if (bits <= 8) {
        for (size_t i = 0; i < n; i++)
            codes[i] = in[i];
    } else {
        for (size_t i = 0; i < n; i++)
            codes[i] = (uint16_t)(in[2 * i] | in[2 * i + 1] << 8);
    }
}
