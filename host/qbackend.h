/*
 * host/qbackend.h - the quantized matvec backend family of run_model.
 *
 * One backend per (weight format, activation format) pair on one
 * co-processor configuration (npe_hwcfg).  What it does, in the order of
 * DESIGN.md section 3:
 *
 *   open:    every weight matrix of the model is quantized once with
 *            kernels_ref/quant.h: float scales per row for the formats that
 *            have them (INT, FP4, posit, OVP; OVP with its MSE-searched
 *            scale per row), E8M0 block scales inline for MX;
 *   matvec:  the activation vector is quantized (one float scale for the
 *            vector, or MX block scales), the job (codes + block scales,
 *            docs/protocol.md) goes to a raw-accumulator engine, and each
 *            row's accumulator becomes
 *                out[r] = acc[r] * 2^ACC_LSB * wscale[r] * ascale
 *            (MX operands have no float scale: their block scales were
 *            applied by the engine as exponent adds).
 *
 * The engine is what differs between the backends: `ref` computes the rows
 * with kernels_ref's engine_dot (the bit-exact model of the lanes), `sim`,
 * `emu` and `xdma` run the job on a co-processor (npe_dev).  Everything
 * else, including the float conversion above, is this one file, so the
 * backends agree bit for bit exactly when their accumulators do.
 */
#ifndef HOST_QBACKEND_H
#define HOST_QBACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "hwcfg.h"
#include "model.h"
#include "packer.h"
#include "quant.h"
#include "wide.h"

/* Computes every row's raw accumulator and status word (the
 * docs/protocol.md section 3 status: FLAG_* bits, NPE_ROW_NOT_COMPUTED) of
 * a job.  Returns 0, or -1 with a message in err. */
typedef struct {
    const char *name; /* "ref", "sim", ...                                  */
    int (*run)(void *ctx, const npe_job *job, wide *acc, uint32_t *status, char *err,
               size_t errlen);
    void *ctx;
} qengine;

/* The ref engine: kernels_ref engine_dot per row with hwcfg_engine(hw).
 * ctx is the npe_hwcfg (not copied: keep it alive). */
int qengine_ref_run(void *ctx, const npe_job *job, wide *acc, uint32_t *status, char *err,
                    size_t errlen);

/* Default formats of --wfmt/--afmt. */
#define QB_DEFAULT_WFMT FMT_INT8
#define QB_DEFAULT_AFMT FMT_INT8

typedef struct qbackend qbackend;

/* Counters of a run, for the summary lines. */
typedef struct {
    uint64_t jobs;          /* matvec calls                                  */
    uint64_t rows;          /* result rows                                   */
    uint64_t macs;          /* rows * cols                                   */
    uint64_t rows_inexact;  /* rows with FLAG_INEXACT (bits below ACC_LSB dropped) */
    uint64_t rows_overflow; /* rows with FLAG_OVERFLOW (saturated)           */
    uint64_t rows_special;  /* rows with FLAG_NAR or FLAG_NAN_SCALE          */
} qb_stats;

/* Quantizes every matrix of m (m->jobs) for wf x af on hw.  Fails (with
 * the reason) if hw does not compute the pair or a matrix is longer than
 * K_MAX.  The backend keeps pointers to m's weights and to hw. */
int qbackend_open(qbackend **out, const model *m, const npe_hwcfg *hw, fmt_id wf, fmt_id af,
                  qengine eng, char *err, size_t errlen);
void qbackend_close(qbackend *qb);

/* The matvec_fn of model.h (ctx = the qbackend) and its error text. */
int qbackend_matvec(void *ctx, const matvec_job *job, const float *x, float *out);
const char *qbackend_error(void *ctx);

/* A matvec_backend for model_forward that uses qb. */
matvec_backend qbackend_as_matvec(qbackend *qb, const char *name);

const qb_stats *qbackend_stats(const qbackend *qb);
/* Quantization error of weight matrix job_id (dequantized vs FP32). */
const quant_err *qbackend_weight_error(const qbackend *qb, int job_id);
fmt_id qbackend_wfmt(const qbackend *qb);
fmt_id qbackend_afmt(const qbackend *qb);

/* The accumulator's value acc * 2^acc_lsb as a double, correctly rounded
 * (ties to even) for every width up to WIDE_BITS. */
double qb_acc_value(wide acc, int acc_lsb);

/* "--wfmt"/"--afmt" value -> format, or -1 with the list of names in why. */
int qb_parse_fmt(const char *name, char *why, size_t n);

#endif
