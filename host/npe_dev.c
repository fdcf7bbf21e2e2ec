/* host/npe_dev.c - see npe_dev.h. */
#define _POSIX_C_SOURCE 200809L /* posix_memalign */

#include "npe_dev.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npe_regs.h"

#define BUF_ALIGN 4096 /* XDMA stream transfers want aligned buffers (cdev_sgdma.c) */

static int fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

const char *npe_cause_name(unsigned cause) {
    switch (cause) {
    case NPE_CAUSE_FORMAT:
        return "FORMAT (format not enabled or pair unsupported)";
    case NPE_CAUSE_SHAPE:
        return "SHAPE (ROWS or COLS 0, or COLS > K_MAX)";
    case NPE_CAUSE_EARLY_TLAST:
        return "EARLY_TLAST (TLAST before the job's last beat)";
    case NPE_CAUSE_MISSING_TLAST:
        return "MISSING_TLAST (no TLAST on the job's last beat)";
    case NPE_CAUSE_NAN_SCALE:
        return "NAN_SCALE (an E8M0 NaN block scale)";
    default:
        return "unknown cause";
    }
}

static int rd(npe_dev *d, uint32_t a, uint32_t *v, char *err, size_t n) {
    return d->t.reg_read(d->h, a, v, err, n);
}
static int wr(npe_dev *d, uint32_t a, uint32_t v, char *err, size_t n) {
    return d->t.reg_write(d->h, a, v, err, n);
}

static int grow(uint8_t **buf, size_t *cap, size_t need) {
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : BUF_ALIGN;
    while (c < need)
        c *= 2;
    void *p;
    if (posix_memalign(&p, BUF_ALIGN, c))
        return -1;
    free(*buf);
    *buf = p;
    *cap = c;
    return 0;
}

void npe_dev_close(npe_dev *d) {
    if (d->h && d->t.close)
        d->t.close(d->h);
    d->h = NULL;
    free(d->in);
    free(d->out);
    d->in = d->out = NULL;
    d->in_cap = d->out_cap = 0;
}

int npe_dev_open(npe_dev *d, const npe_transport *t, void *h, const npe_hwcfg *expect,
                 char *err, size_t errlen) {
    memset(d, 0, sizeof *d);
    d->t = *t;
    d->h = h;
    uint32_t id, cap[6];
    char e2[512];
    if (rd(d, NPE_REG_ID, &id, e2, sizeof e2)) {
        fail(err, errlen, "%s: reading the ID register: %s", t->name, e2);
        goto bad;
    }
    if (id != NPE_ID_VALUE) {
        fail(err, errlen,
             "%s: register 0x%03x (ID) reads 0x%08x, expected 0x%08x (\"NPE1\"): this is not an "
             "NPE co-processor (wrong device, or the FPGA is not programmed with it)",
             t->name, NPE_REG_ID, id, NPE_ID_VALUE);
        goto bad;
    }
    const uint32_t cap_regs[6] = {NPE_REG_CAP_WFMT, NPE_REG_CAP_AFMT, NPE_REG_CAP_GEOM,
                                  NPE_REG_CAP_ACC,  NPE_REG_CAP_KMAX, NPE_REG_CAP_MISC};
    if (rd(d, NPE_REG_VERSION, &d->version, e2, sizeof e2))
        goto io;
    for (int i = 0; i < 6; i++)
        if (rd(d, cap_regs[i], &cap[i], e2, sizeof e2))
            goto io;
    if (hwcfg_from_caps(cap, &d->hw, e2, sizeof e2)) {
        fail(err, errlen, "%s: capability registers: %s", t->name, e2);
        goto bad;
    }
    if (expect) {
        if (hwcfg_check_same(expect, &d->hw, e2, sizeof e2)) {
            fail(err, errlen, "%s: %s", t->name, e2);
            goto bad;
        }
        snprintf(d->hw.name, sizeof d->hw.name, "%s", expect->name);
        d->hw.ovp_keep_left = expect->ovp_keep_left;
    }
    /* A clean start: no sticky status or interrupt left from before, and
     * counters from zero. */
    if (wr(d, NPE_REG_STATUS, 0xFFFFFFFFu, e2, sizeof e2) ||
        wr(d, NPE_REG_ISR, 0xFFFFFFFFu, e2, sizeof e2) ||
        wr(d, NPE_REG_PERF_CTRL, 1, e2, sizeof e2))
        goto io;
    return 0;
io:
    fail(err, errlen, "%s: %s", t->name, e2);
bad:
    npe_dev_close(d);
    return -1;
}

int npe_dev_counter(npe_dev *d, uint32_t reg_lo, uint64_t *v, char *err, size_t errlen) {
    uint32_t lo, hi; /* reading _LO latches _HI (docs/protocol.md section 4) */
    if (rd(d, reg_lo, &lo, err, errlen) || rd(d, reg_lo + 4, &hi, err, errlen))
        return -1;
    *v = (uint64_t)hi << 32 | lo;
    return 0;
}

int npe_dev_run(void *ctx, const npe_job *j, wide *acc, uint32_t *status, char *err,
                size_t errlen) {
    npe_dev *d = ctx;
    const npe_geom *g = &d->hw.geom;
    char why[512];
    if (!hwcfg_pair_ok(&d->hw, j->wf, j->af, why, sizeof why))
        return fail(err, errlen, "%s", why);
    if (j->cols > d->hw.k_max)
        return fail(err, errlen, "cols %d exceed the device's K_MAX %d", j->cols, d->hw.k_max);
    size_t bb = (size_t)g->stream_w / 8;
    size_t nin = npe_job_beats(g, j), nout = npe_result_beats(g, j->rows);
    if (!nin || !nout)
        return fail(err, errlen, "malformed job (%d x %d)", j->rows, j->cols);
    if (grow(&d->in, &d->in_cap, nin * bb) || grow(&d->out, &d->out_cap, nout * bb))
        return fail(err, errlen, "out of memory for a %zu-beat job", nin);
    if (npe_pack_job(g, j, d->in, d->in_cap) != nin)
        return fail(err, errlen, "packing the job failed (see stderr)");
    uint64_t c0 = d->t.cycles ? d->t.cycles(d->h) : 0;
    const uint32_t regs[4] = {NPE_REG_ROWS, NPE_REG_COLS, NPE_REG_FMT, NPE_REG_SCALE_MODE};
    const uint32_t vals[4] = {(uint32_t)j->rows, (uint32_t)j->cols,
                              (uint32_t)j->wf << NPE_FMT_W_SHIFT |
                                  (uint32_t)j->af << NPE_FMT_A_SHIFT,
                              j->scales_inline ? 1u : 0u};
    int valid = d->job_regs_valid;
    d->job_regs_valid = 0; /* until this job went through */
    for (int i = 0; i < 4; i++)
        if (!valid || d->job_regs[i] != vals[i]) {
            if (wr(d, regs[i], vals[i], err, errlen))
                return -1;
            d->job_regs[i] = vals[i];
        }
    if (wr(d, NPE_REG_CTRL, NPE_CTRL_AP_START, err, errlen))
        return -1;
    size_t got = 0;
    if (d->t.stream(d->h, d->in, nin * bb, d->out, nout * bb, &got, err, errlen))
        return -1;
    uint32_t st;
    if (rd(d, NPE_REG_STATUS, &st, err, errlen))
        return -1;
    if (st & NPE_STATUS_ERROR) {
        unsigned cause = (st >> NPE_STATUS_CAUSE_SHIFT) & 0xFFu;
        wr(d, NPE_REG_STATUS, 0xFFFFFFFFu, why, sizeof why); /* leave it ready */
        return fail(err, errlen,
                    "the co-processor ended the job (%d x %d, %s x %s) with protocol error %u: %s",
                    j->rows, j->cols, fmt_get(j->wf)->name, fmt_get(j->af)->name, cause,
                    npe_cause_name(cause));
    }
    if (st && wr(d, NPE_REG_STATUS, st, err, errlen)) /* W1C the sticky flags */
        return -1;
    /* The result packet: every beat whole but the last, which keeps its
     * non-pad words only (TKEEP). */
    size_t want = (nout - 1) * bb + (size_t)npe_result_last_keep(g, j->rows);
    if (got != want)
        return fail(err, errlen,
                    "the result packet has %zu bytes; a %d-row job returns %zu (%zu beats of %zu "
                    "bytes, the last one with %d)",
                    got, j->rows, want, nout, bb, npe_result_last_keep(g, j->rows));
    memset(d->out + got, 0, nout * bb - got);
    npe_unpack_results(g, d->out, j->rows, acc, status);
    d->job_regs_valid = 1;
    d->stats.jobs++;
    d->stats.beats_in += nin;
    d->stats.result_bytes += got;
    if (d->t.cycles)
        d->stats.cycles += d->t.cycles(d->h) - c0;
    return 0;
}
