/* host/qbackend.c - see qbackend.h. */
#include "qbackend.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MX_BLOCK 32 /* OCP MX v1.0: elements per E8M0 scale */

/* One weight matrix, quantized once. */
typedef struct {
    uint16_t *codes;  /* (rows, stride) element codes                     */
    float *scales;    /* (rows,) per-row float scales; NULL for MX        */
    uint8_t *bscales; /* (rows, nblk) E8M0 block scales; NULL unless MX   */
    quant_err err;    /* dequantized vs FP32                              */
} qmat;

struct qbackend {
    const model *m;
    const npe_hwcfg *hw;
    fmt_id wf, af;
    int w_mx, a_mx;
    quant_opts wopts, aopts;
    qengine eng;
    qmat *mats;        /* (m->n_jobs,)                                     */
    int max_rows, max_cols;
    uint16_t *acodes;  /* per-call activation codes                        */
    uint8_t *ablk;     /* per-call activation block scales (MX)           */
    wide *acc;         /* (max_rows,)                                      */
    uint32_t *status;  /* (max_rows,)                                      */
    qb_stats stats;
    char err[2048];
};

static int fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int is_mx(fmt_id f) { return fmt_get(f)->block > 0; }

int qb_parse_fmt(const char *name, char *why, size_t n) {
    int f = fmt_by_name(name);
    if (f < 0)
        snprintf(why, n, "unknown format '%s'; formats: %s", name, fmt_all_names());
    return f;
}

/* ------------------------------------------------------------ value conversion */

double qb_acc_value(wide acc, int acc_lsb) {
    if (wide_is_zero(acc))
        return 0.0;
    int neg = wide_is_neg(acc);
    wide m = neg ? wide_neg(acc) : acc;
    int b = 0; /* bit length of |acc| */
    for (int i = WIDE_BITS - 1; i >= 0; i--)
        if (wide_bit(m, i)) {
            b = i + 1;
            break;
        }
    double v;
    if (b <= 64) {
        v = ldexp((double)m.w[0], acc_lsb); /* one rounding: uint64 -> double */
    } else {
        /* Keep the top 64 bits and fold every dropped bit into bit 0 (a
         * sticky bit below the 11 bits that the 53-bit conversion rounds
         * away), so the single uint64 -> double rounding is still correct. */
        int inexact = 0;
        wide t = wide_sar(m, b - 64, &inexact);
        uint64_t top = t.w[0] | (uint64_t)(inexact != 0);
        v = ldexp((double)top, b - 64 + acc_lsb);
    }
    return neg ? -v : v;
}

/* ------------------------------------------------------------ the ref engine */

int qengine_ref_run(void *ctx, const npe_job *j, wide *acc, uint32_t *status, char *err,
                    size_t errlen) {
    const npe_hwcfg *hw = ctx;
    engine_cfg ec = hwcfg_engine(hw);
    if (j->cols > hw->k_max)
        return fail(err, errlen, "cols %d exceed K_MAX %d", j->cols, hw->k_max);
    int stride = npe_row_codes(j->wf, j->cols), nblk = (j->cols + MX_BLOCK - 1) / MX_BLOCK;
    for (int r = 0; r < j->rows; r++)
        status[r] = engine_dot(&ec, j->wf, j->af, j->w + (size_t)r * (size_t)stride, j->a,
                               (size_t)j->cols,
                               is_mx(j->wf) ? j->wscale + (size_t)r * (size_t)nblk : NULL,
                               is_mx(j->af) ? j->ascale : NULL, &acc[r]);
    return 0;
}

/* ------------------------------------------------------------ open / close */

static void free_mats(qbackend *qb) {
    if (!qb->mats)
        return;
    for (int i = 0; i < qb->m->n_jobs; i++) {
        free(qb->mats[i].codes);
        free(qb->mats[i].scales);
        free(qb->mats[i].bscales);
    }
    free(qb->mats);
    qb->mats = NULL;
}

void qbackend_close(qbackend *qb) {
    if (!qb)
        return;
    free_mats(qb);
    free(qb->acodes);
    free(qb->ablk);
    free(qb->acc);
    free(qb->status);
    free(qb);
}

static int quantize_matrix(qbackend *qb, const matvec_job *j, qmat *q, char *err,
                           size_t errlen) {
    size_t nc = quant_codes_size(qb->wf, j->rows, j->cols);
    size_t ns = quant_scales_size(qb->wf, j->rows, &qb->wopts);
    size_t nb = quant_block_scales_size(qb->wf, j->rows, j->cols);
    size_t n = (size_t)j->rows * (size_t)j->cols;
    q->codes = malloc(nc * sizeof *q->codes);
    q->scales = ns ? malloc(ns * sizeof *q->scales) : NULL;
    q->bscales = nb ? malloc(nb) : NULL;
    float *y = malloc(n * sizeof *y);
    if (!q->codes || (ns && !q->scales) || (nb && !q->bscales) || !y) {
        free(y);
        return fail(err, errlen, "out of memory quantizing %s", j->name);
    }
    int rc = quant_matrix(qb->wf, j->w, j->rows, j->cols, &qb->wopts, q->codes, q->scales,
                          q->bscales);
    if (rc == 0)
        rc = dequant_matrix(qb->wf, q->codes, j->rows, j->cols, &qb->wopts, q->scales,
                            q->bscales, y) < 0;
    if (rc) {
        free(y);
        return fail(err, errlen, "quantizing %s (layer %d, %d x %d) to %s failed (see stderr)",
                    j->name, j->layer, j->rows, j->cols, fmt_get(qb->wf)->name);
    }
    quant_compare(j->w, y, n, &q->err);
    free(y);
    return 0;
}

int qbackend_open(qbackend **out, const model *m, const npe_hwcfg *hw, fmt_id wf, fmt_id af,
                  qengine eng, char *err, size_t errlen) {
    *out = NULL;
    char why[512];
    if (!hwcfg_pair_ok(hw, wf, af, why, sizeof why))
        return fail(err, errlen, "%s", why);
    qbackend *qb = calloc(1, sizeof *qb);
    if (!qb)
        return fail(err, errlen, "out of memory");
    qb->m = m;
    qb->hw = hw;
    qb->wf = wf;
    qb->af = af;
    qb->w_mx = is_mx(wf);
    qb->a_mx = is_mx(af);
    qb->eng = eng;
    ovp_policy pol = hw->ovp_keep_left ? OVP_KEEP_LEFT : OVP_KEEP_LARGER;
    qb->wopts = (quant_opts){.per_row = 1, .policy = pol, .ovp_scale = 0};
    qb->aopts = (quant_opts){.per_row = 0, .policy = pol, .ovp_scale = 0};
    qb->mats = calloc((size_t)m->n_jobs, sizeof *qb->mats);
    if (!qb->mats) {
        qbackend_close(qb);
        return fail(err, errlen, "out of memory");
    }
    for (int i = 0; i < m->n_jobs; i++) {
        const matvec_job *j = &m->jobs[i];
        if (j->cols > hw->k_max) {
            fail(err, errlen, "%s (layer %d) has %d columns, more than K_MAX %d of '%s'",
                 j->name, j->layer, j->cols, hw->k_max, hw->name);
            qbackend_close(qb);
            return -1;
        }
        if (j->rows > qb->max_rows)
            qb->max_rows = j->rows;
        if (j->cols > qb->max_cols)
            qb->max_cols = j->cols;
        if (quantize_matrix(qb, j, &qb->mats[i], err, errlen)) {
            qbackend_close(qb);
            return -1;
        }
    }
    qb->acodes = malloc(((size_t)qb->max_cols + 2) * sizeof *qb->acodes);
    qb->ablk = malloc((size_t)qb->max_cols / MX_BLOCK + 2);
    qb->acc = malloc((size_t)qb->max_rows * sizeof *qb->acc);
    qb->status = malloc((size_t)qb->max_rows * sizeof *qb->status);
    if (!qb->acodes || !qb->ablk || !qb->acc || !qb->status) {
        qbackend_close(qb);
        return fail(err, errlen, "out of memory");
    }
    *out = qb;
    return 0;
}

/* ------------------------------------------------------------ matvec */

const char *qbackend_error(void *ctx) { return ((qbackend *)ctx)->err; }

int qbackend_matvec(void *ctx, const matvec_job *job, const float *x, float *out) {
    qbackend *qb = ctx;
    qb->err[0] = '\0';
    if (job->id < 0 || job->id >= qb->m->n_jobs || &qb->m->jobs[job->id] != job)
        return fail(qb->err, sizeof qb->err, "job %d is not a job of the model this backend "
                                             "was opened for", job->id);
    const qmat *q = &qb->mats[job->id];
    float ascale = 1.0f;
    if (quant_matrix(qb->af, x, 1, job->cols, &qb->aopts, qb->acodes, &ascale, qb->ablk))
        return fail(qb->err, sizeof qb->err,
                    "quantizing the activations of %s to %s failed (non-finite input? see "
                    "stderr)",
                    job->name, fmt_get(qb->af)->name);
    npe_job nj = {.rows = job->rows, .cols = job->cols, .wf = qb->wf, .af = qb->af,
                  .scales_inline = 1, .w = q->codes, .a = qb->acodes,
                  .wscale = qb->w_mx ? q->bscales : NULL, .ascale = qb->a_mx ? qb->ablk : NULL};
    if (qb->eng.run(qb->eng.ctx, &nj, qb->acc, qb->status, qb->err, sizeof qb->err))
        return -1;
    double as = qb->a_mx ? 1.0 : (double)ascale;
    qb->stats.jobs++;
    qb->stats.rows += (uint64_t)job->rows;
    qb->stats.macs += (uint64_t)job->rows * (uint64_t)job->cols;
    for (int r = 0; r < job->rows; r++) {
        uint32_t st = qb->status[r];
        if (st & NPE_ROW_NOT_COMPUTED)
            return fail(qb->err, sizeof qb->err,
                        "%s: row %d came back not computed (status 0x%x): the co-processor "
                        "reported a protocol error for this job",
                        qb->eng.name, r, st);
        if (st & FLAG_INEXACT)
            qb->stats.rows_inexact++;
        if (st & FLAG_OVERFLOW)
            qb->stats.rows_overflow++;
        if (st & (FLAG_NAR | FLAG_NAN_SCALE))
            qb->stats.rows_special++;
        double ws = qb->w_mx ? 1.0 : (double)q->scales[r];
        out[r] = (float)(qb_acc_value(qb->acc[r], qb->hw->acc_lsb) * ws * as);
    }
    return 0;
}

matvec_backend qbackend_as_matvec(qbackend *qb, const char *name) {
    return (matvec_backend){.name = name, .matvec = qbackend_matvec, .ctx = qb,
                            .error = qbackend_error};
}

const qb_stats *qbackend_stats(const qbackend *qb) { return &qb->stats; }
const quant_err *qbackend_weight_error(const qbackend *qb, int id) { return &qb->mats[id].err; }
fmt_id qbackend_wfmt(const qbackend *qb) { return qb->wf; }
fmt_id qbackend_afmt(const qbackend *qb) { return qb->af; }
