/*
 * tests/unit/test_host_dev.c - host/npe_dev.c's protocol handling, on a
 * scripted transport (a register file and a result packet chosen by each
 * case), so that the failures the co-processor tests cannot provoke from
 * the host are covered: a device that is not an NPE (ID), a device that is
 * not the configuration the host was told about (CAP registers), a job that
 * ends with a protocol error (its cause named and STATUS cleared so the
 * device stays usable), a result packet of the wrong length, a transport
 * error, and the register sequence of one job (docs/protocol.md section 5),
 * unchanged job registers not written again unless a job failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "check.h"
#include "hwcfg.h"
#include "npe_dev.h"
#include "npe_regs.h"

typedef struct {
    uint32_t regs[0x400];
    uint32_t status_after_job; /* STATUS once the stream has run          */
    size_t result_bytes;       /* what the stream returns                 */
    int stream_fails;
    /* what the host did */
    uint32_t writes[64][2];
    int nwrites;
    size_t sent;
    int closed;
} fake;

static int f_rd(void *h, uint32_t a, uint32_t *v, char *err, size_t n) {
    (void)err;
    (void)n;
    *v = ((fake *)h)->regs[a / 4];
    return 0;
}
static int f_wr(void *h, uint32_t a, uint32_t v, char *err, size_t n) {
    (void)err;
    (void)n;
    fake *f = h;
    if (f->nwrites < 64) {
        f->writes[f->nwrites][0] = a;
        f->writes[f->nwrites++][1] = v;
    }
    if (a == NPE_REG_STATUS)
        f->regs[a / 4] &= ~v; /* W1C */
    else
        f->regs[a / 4] = v;
    return 0;
}
static int f_stream(void *h, const uint8_t *in, size_t in_bytes, uint8_t *out, size_t cap,
                    size_t *got, char *err, size_t n) {
    fake *f = h;
    (void)in;
    if (f->stream_fails) {
        snprintf(err, n, "scripted transport failure");
        return -1;
    }
    f->sent = in_bytes;
    size_t r = f->result_bytes < cap ? f->result_bytes : cap;
    memset(out, 0, cap);
    /* row k's words at 5k (RW 5; the 6-row jobs below need no group padding,
     * see main): accumulator k + 1, status word 0 */
    for (size_t k = 0; 20 * k < r; k++)
        out[20 * k] = (uint8_t)(k + 1);
    *got = f->result_bytes;
    f->regs[NPE_REG_STATUS / 4] = f->status_after_job;
    return 0;
}
static void f_close(void *h) { ((fake *)h)->closed = 1; }
static const npe_transport T = {.name = "fake", .reg_read = f_rd, .reg_write = f_wr,
                                .stream = f_stream, .close = f_close};

/* A device like the `all` configuration: 4 lanes, 64-bit stream, 126-bit
 * accumulator (RW 5), LSB 2^-56, K_MAX 4096, every format. */
static void make_device(fake *f) {
    memset(f, 0, sizeof *f);
    f->regs[NPE_REG_ID / 4] = NPE_ID_VALUE;
    f->regs[NPE_REG_CAP_WFMT / 4] = f->regs[NPE_REG_CAP_AFMT / 4] = 0x7FF;
    f->regs[NPE_REG_CAP_GEOM / 4] = 64u << 16 | 1u << 8 | 4u;
    f->regs[NPE_REG_CAP_ACC / 4] = (uint32_t)(-56 & 0xFFFF) << 16 | 126u;
    f->regs[NPE_REG_CAP_KMAX / 4] = 4096;
    f->regs[NPE_REG_CAP_MISC / 4] = 2u << 24 | 6u << 8 | 5u;
}

static npe_hwcfg expect_all(void) {
    uint32_t cap[6] = {0x7FF, 0x7FF, 64u << 16 | 1u << 8 | 4u,
                       (uint32_t)(-56 & 0xFFFF) << 16 | 126u, 4096, 2u << 24 | 6u << 8 | 5u};
    npe_hwcfg c;
    char err[256];
    hwcfg_from_caps(cap, &c, err, sizeof err);
    snprintf(c.name, sizeof c.name, "all");
    return c;
}

int main(void) {
    check_name = "test_host_dev";
    char err[1024];
    npe_hwcfg all = expect_all();
    fake f;
    npe_dev d;

    /* not an NPE */
    make_device(&f);
    f.regs[0] = 0xDEADBEEF;
    CHECK(npe_dev_open(&d, &T, &f, &all, err, sizeof err) != 0 && strstr(err, "0xdeadbeef") &&
              strstr(err, "not an NPE co-processor") && f.closed,
          "wrong ID: %s (closed %d)", err, f.closed);

    /* another configuration */
    make_device(&f);
    f.regs[NPE_REG_CAP_KMAX / 4] = 1024;
    CHECK(npe_dev_open(&d, &T, &f, &all, err, sizeof err) != 0 &&
              strstr(err, "not configuration 'all': K_MAX is 4096 in its header, 1024 on the device"),
          "K_MAX mismatch: %s", err);

    /* a good device; one job: the registers in order, then STATUS */
    make_device(&f);
    f.regs[NPE_REG_STATUS / 4] = NPE_STATUS_INEXACT; /* left over from before */
    CHECK(npe_dev_open(&d, &T, &f, &all, err, sizeof err) == 0, "open: %s", err);
    CHECK(f.regs[NPE_REG_STATUS / 4] == 0, "open clears STATUS");
    uint16_t w[6 * 3] = {0}, a[3] = {0};
    npe_job j = {.rows = 6, .cols = 3, .wf = FMT_INT8, .af = FMT_INT8, .w = w, .a = a};
    /* 6 rows, RW 5: group 0 = 4 rows = 20 words = 10 beats, group 1 = 2
     * rows = 10 words = 5 beats, the last one full: 15 beats of 8 bytes */
    f.result_bytes = 15 * 8;
    f.nwrites = 0;
    wide acc[6];
    uint32_t st[6];
    CHECK(npe_dev_run(&d, &j, acc, st, err, sizeof err) == 0, "job: %s", err);
    const uint32_t seq[][2] = {{NPE_REG_ROWS, 6}, {NPE_REG_COLS, 3},
                               {NPE_REG_FMT, FMT_INT8 << NPE_FMT_W_SHIFT | FMT_INT8 << NPE_FMT_A_SHIFT},
                               {NPE_REG_SCALE_MODE, 0}, {NPE_REG_CTRL, NPE_CTRL_AP_START}};
    for (int i = 0; i < 5; i++)
        CHECK(i < f.nwrites && f.writes[i][0] == seq[i][0] && f.writes[i][1] == seq[i][1],
              "job register write %d: 0x%03x = 0x%x, expected 0x%03x = 0x%x", i,
              i < f.nwrites ? f.writes[i][0] : 0, i < f.nwrites ? f.writes[i][1] : 0, seq[i][0],
              seq[i][1]);
    CHECK(f.sent == (1 + 2 * 2) * 8, "input bytes %zu: 1 activation beat + 2 groups x 2 steps", f.sent);
    for (int r = 0; r < 6; r++)
        CHECK(wide_cmp(acc[r], wide_from_i64(r + 1)) == 0 && st[r] == 0, "row %d unpacked", r);

    /* the same job again: the job registers hold their values, only AP_START */
    f.nwrites = 0;
    CHECK(npe_dev_run(&d, &j, acc, st, err, sizeof err) == 0, "job again: %s", err);
    CHECK(f.nwrites == 1 && f.writes[0][0] == NPE_REG_CTRL, "job again: %d writes, first 0x%03x",
          f.nwrites, f.writes[0][0]);

    /* a protocol error: named, and cleared */
    f.status_after_job = NPE_STATUS_ERROR | NPE_CAUSE_EARLY_TLAST << NPE_STATUS_CAUSE_SHIFT;
    CHECK(npe_dev_run(&d, &j, acc, st, err, sizeof err) != 0 && strstr(err, "EARLY_TLAST") &&
              strstr(err, "protocol error 3"),
          "error cause named: %s", err);
    CHECK(f.regs[NPE_REG_STATUS / 4] == 0, "STATUS cleared after the error: 0x%x",
          f.regs[NPE_REG_STATUS / 4]);

    /* sticky flags are cleared after a good job too */
    f.status_after_job = NPE_STATUS_INEXACT | NPE_STATUS_OVERFLOW;
    f.nwrites = 0;
    CHECK(npe_dev_run(&d, &j, acc, st, err, sizeof err) == 0, "flags only: %s", err);
    CHECK(f.nwrites >= 5 && f.writes[0][0] == NPE_REG_ROWS,
          "after an error every job register is written again");
    CHECK(f.regs[NPE_REG_STATUS / 4] == 0, "sticky flags cleared");
    f.status_after_job = 0;

    /* a result packet of the wrong length */
    f.result_bytes = 14 * 8;
    CHECK(npe_dev_run(&d, &j, acc, st, err, sizeof err) != 0 && strstr(err, "112 bytes") &&
              strstr(err, "returns 120"),
          "short result packet: %s", err);
    f.result_bytes = 15 * 8;

    /* refused before the device sees it */
    npe_job bad = j;
    bad.wf = FMT_OVP4;
    bad.af = FMT_INT16;
    f.nwrites = 0;
    CHECK(npe_dev_run(&d, &bad, acc, st, err, sizeof err) != 0 && strstr(err, "16-bit") &&
              f.nwrites == 0,
          "ovp4 x int16 refused on the host: %s", err);
    bad = j;
    bad.cols = 5000;
    CHECK(npe_dev_run(&d, &bad, acc, st, err, sizeof err) != 0 && strstr(err, "K_MAX 4096"),
          "cols > K_MAX refused: %s", err);

    /* the transport's own failure is passed on */
    f.stream_fails = 1;
    CHECK(npe_dev_run(&d, &j, acc, st, err, sizeof err) != 0 &&
              strstr(err, "scripted transport failure"),
          "transport failure: %s", err);
    npe_dev_close(&d);
    CHECK(f.closed, "close closes the transport");
    return check_done();
}
