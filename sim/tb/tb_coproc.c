/*
 * sim/tb/tb_coproc.c - transaction-level co-simulation of the AXI
 * co-processor <prefix>coproc against kernels_ref (issue 5).
 *
 *   tb_coproc regs     ID, VERSION and the capability words equal the header
 *   tb_coproc jobs     random jobs of every enabled format pair, ideal stream
 *                      (TVALID and TREADY high): every row and flag equal to
 *                      engine_dot(), every job's cycle count equal to the
 *                      cycle model (host/packer.c npe_job_timing)
 *
 * Environment: TEST_SEED (replay), COPROC_JOBS (jobs of `jobs`).
 * Plusargs: +trace[=file.fst] (model built with tracing), and Verilator's.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdbool.h>
#include <stdlib.h>

#include "engine.h"
#include "packer.h"
#include "tb.h"

#ifndef NPE_PARAMS_H
#error "compile with -DNPE_PARAMS_H='\"build/rtl/<cfg>/<cfg>_params.h\"'"
#endif
#include NPE_PARAMS_H

#ifndef NPE_CFG
#define NPE_CFG "npe"
#endif

#define W NPE_STREAM_W
#define BEAT_BYTES (W / 8)
#define BEAT_WORDS32 (W / 32)
#define MX_BLOCK 32

/* ------------------------------------------------------------ ports */
typedef struct {
    int awaddr, awprot, awvalid, awready, wdata, wstrb, wvalid, wready, bresp, bvalid, bready;
    int araddr, arprot, arvalid, arready, rdata, rresp, rvalid, rready;
    int s_tdata, s_tkeep, s_tlast, s_tvalid, s_tready;
    int m_tdata, m_tkeep, m_tlast, m_tvalid, m_tready;
    int aresetn, irq;
} ports;
static ports P;

static void ports_init(void) {
    P.awaddr = tb_port("s_axil_awaddr");
    P.awprot = tb_port("s_axil_awprot");
    P.awvalid = tb_port("s_axil_awvalid");
    P.awready = tb_port("s_axil_awready");
    P.wdata = tb_port("s_axil_wdata");
    P.wstrb = tb_port("s_axil_wstrb");
    P.wvalid = tb_port("s_axil_wvalid");
    P.wready = tb_port("s_axil_wready");
    P.bresp = tb_port("s_axil_bresp");
    P.bvalid = tb_port("s_axil_bvalid");
    P.bready = tb_port("s_axil_bready");
    P.araddr = tb_port("s_axil_araddr");
    P.arprot = tb_port("s_axil_arprot");
    P.arvalid = tb_port("s_axil_arvalid");
    P.arready = tb_port("s_axil_arready");
    P.rdata = tb_port("s_axil_rdata");
    P.rresp = tb_port("s_axil_rresp");
    P.rvalid = tb_port("s_axil_rvalid");
    P.rready = tb_port("s_axil_rready");
    P.s_tdata = tb_port("s_axis_tdata");
    P.s_tkeep = tb_port("s_axis_tkeep");
    P.s_tlast = tb_port("s_axis_tlast");
    P.s_tvalid = tb_port("s_axis_tvalid");
    P.s_tready = tb_port("s_axis_tready");
    P.m_tdata = tb_port("m_axis_tdata");
    P.m_tkeep = tb_port("m_axis_tkeep");
    P.m_tlast = tb_port("m_axis_tlast");
    P.m_tvalid = tb_port("m_axis_tvalid");
    P.m_tready = tb_port("m_axis_tready");
    P.aresetn = tb_port("aresetn");
    P.irq = tb_port("irq");
}

static const npe_geom GEOM = {.stream_w = NPE_STREAM_W, .lanes = NPE_LANES, .units = NPE_J,
                              .acc_w = NPE_ACC_W, .ovp_first_high = NPE_OVP_FIRST_HIGH,
                              .latency = NPE_COPROC_LATENCY, .result_depth = NPE_RESULT_DEPTH};
static const engine_cfg ECFG = {.acc_w = NPE_ACC_W, .acc_lsb = NPE_ACC_LSB, .k_max = NPE_K_MAX,
                                .subunits = NPE_J};

static void reset(tb *t) {
    tb_set(t, P.aresetn, 0);
    tb_set(t, P.awvalid, 0);
    tb_set(t, P.wvalid, 0);
    tb_set(t, P.arvalid, 0);
    tb_set(t, P.bready, 1);
    tb_set(t, P.rready, 1);
    tb_set(t, P.s_tvalid, 0);
    tb_set(t, P.m_tready, 1);
    uint32_t keep[TB_WORDS];
    memset(keep, 0xFF, sizeof keep);
    tb_set_words(t, P.s_tkeep, keep);
    for (int i = 0; i < 4; i++)
        tick(t);
    tb_set(t, P.aresetn, 1);
    tick(t);
}

/* ------------------------------------------------------------ AXI4-Lite (simple) */
static void axil_write(tb *t, uint32_t addr, uint32_t data) {
    tb_set(t, P.awaddr, addr);
    tb_set(t, P.awvalid, 1);
    tb_set(t, P.wdata, data);
    tb_set(t, P.wstrb, 0xF);
    tb_set(t, P.wvalid, 1);
    int aw = 0, w = 0;
    for (int i = 0; i < 100 && !(aw && w); i++) {
        int awr = (int)tb_get(t, P.awready), wr = (int)tb_get(t, P.wready);
        tick(t);
        if (!aw && awr) {
            aw = 1;
            tb_set(t, P.awvalid, 0);
        }
        if (!w && wr) {
            w = 1;
            tb_set(t, P.wvalid, 0);
        }
    }
    for (int i = 0; i < 100; i++) {
        int b = (int)tb_get(t, P.bvalid);
        tick(t);
        if (b)
            return;
    }
    TB_CHECK(t, 0, "AXI4-Lite write 0x%03x: no response", addr);
}

static uint32_t axil_read(tb *t, uint32_t addr) {
    tb_set(t, P.araddr, addr);
    tb_set(t, P.arvalid, 1);
    for (int i = 0; i < 100; i++) {
        int r = (int)tb_get(t, P.arready);
        tick(t);
        if (r)
            break;
    }
    tb_set(t, P.arvalid, 0);
    for (int i = 0; i < 100; i++) {
        if (tb_get(t, P.rvalid)) {
            uint32_t v = (uint32_t)tb_get(t, P.rdata);
            tick(t);
            return v;
        }
        tick(t);
    }
    TB_CHECK(t, 0, "AXI4-Lite read 0x%03x: no response", addr);
    return 0;
}

/* ------------------------------------------------------------ jobs */
typedef struct {
    npe_job j;
    uint16_t *w, *a;
    uint8_t *ws, *as;
    wide *exp;
    unsigned *eflags;
} job_data;

static int fmt_bits(fmt_id f) { return fmt_get(f)->bits; }
static int fmt_mx(fmt_id f) { return fmt_get(f)->block > 0; }

static uint16_t rnd_code(fmt_id f) { return (uint16_t)(rnd64() & ((1u << fmt_bits(f)) - 1)); }

static void job_make(job_data *d, fmt_id wf, fmt_id af, int rows, int cols) {
    memset(d, 0, sizeof *d);
    int wn = npe_row_codes(wf, cols), an = npe_row_codes(af, cols), nblk = (cols + 31) / 32;
    d->w = calloc((size_t)rows * (size_t)wn, sizeof *d->w);
    d->a = calloc((size_t)an, sizeof *d->a);
    d->exp = calloc((size_t)rows, sizeof *d->exp);
    d->eflags = calloc((size_t)rows, sizeof *d->eflags);
    for (int i = 0; i < rows * wn; i++)
        d->w[i] = rnd_code(wf);
    for (int i = 0; i < an; i++)
        d->a[i] = rnd_code(af);
    if (fmt_mx(wf)) {
        d->ws = malloc((size_t)rows * (size_t)nblk);
        for (int i = 0; i < rows * nblk; i++)
            d->ws[i] = (uint8_t)(117 + rnd64() % 20);
    }
    if (fmt_mx(af)) {
        d->as = malloc((size_t)nblk);
        for (int i = 0; i < nblk; i++)
            d->as[i] = (uint8_t)(117 + rnd64() % 20);
    }
    d->j = (npe_job){.rows = rows, .cols = cols, .wf = wf, .af = af, .scales_inline = 1,
                     .w = d->w, .a = d->a, .wscale = d->ws, .ascale = d->as};
    /* kernels_ref: the K + pad codes of an OVP row of odd K (packer.h) */
    size_t k = (size_t)(wn > an ? wn : an);
    uint16_t *wrow = calloc(k, sizeof *wrow), *arow = calloc(k, sizeof *arow);
    for (int r = 0; r < rows; r++) {
        memset(wrow, 0, k * sizeof *wrow);
        memset(arow, 0, k * sizeof *arow);
        memcpy(wrow, d->w + (size_t)r * (size_t)wn, (size_t)wn * sizeof *wrow);
        memcpy(arow, d->a, (size_t)an * sizeof *arow);
        d->eflags[r] = engine_dot(&ECFG, wf, af, wrow, arow, (size_t)cols,
                                  d->ws ? d->ws + (size_t)r * (size_t)nblk : NULL, d->as,
                                  &d->exp[r]);
    }
    free(wrow);
    free(arow);
}

static void job_free(job_data *d) {
    free(d->w);
    free(d->a);
    free(d->ws);
    free(d->as);
    free(d->exp);
    free(d->eflags);
}

static void set_beat(tb *t, int port, const uint8_t *bytes) {
    uint32_t w[TB_WORDS] = {0};
    for (int i = 0; i < BEAT_BYTES; i++)
        w[i / 4] |= (uint32_t)bytes[i] << (8 * (i % 4));
    tb_set_words(t, port, w);
}

/* Run one job with an ideal stream; check its results and cycle count. */
static void run_job(tb *t, job_data *d) {
    const npe_job *j = &d->j;
    size_t nin = npe_job_beats(&GEOM, j), nout = npe_result_beats(&GEOM, j->rows);
    uint8_t *in = malloc(nin * BEAT_BYTES), *out = calloc(nout, BEAT_BYTES);
    TB_CHECK(t, npe_pack_job(&GEOM, j, in, nin * BEAT_BYTES) == nin, "pack");
    axil_write(t, NPE_REG_ROWS, (uint32_t)j->rows);
    axil_write(t, NPE_REG_COLS, (uint32_t)j->cols);
    axil_write(t, NPE_REG_FMT, (uint32_t)j->wf | (uint32_t)j->af << 8);
    axil_write(t, NPE_REG_SCALE_MODE, (uint32_t)j->scales_inline);
    axil_write(t, NPE_REG_CTRL, NPE_CTRL_AP_START);
    size_t ni = 0, no = 0;
    uint64_t first_in = 0, last_out = 0;
    int keep_ok = 1, last_ok = 1;
    for (uint64_t guard = 0; no < nout && guard < 100000 + 4 * (nin + nout); guard++) {
        if (ni < nin) {
            set_beat(t, P.s_tdata, in + ni * BEAT_BYTES);
            tb_set(t, P.s_tlast, ni + 1 == nin);
            tb_set(t, P.s_tvalid, 1);
        } else {
            tb_set(t, P.s_tvalid, 0);
        }
        int in_fire = ni < nin && tb_get(t, P.s_tready);
        int out_fire = (int)tb_get(t, P.m_tvalid);
        if (out_fire) {
            uint32_t wd[TB_WORDS];
            tb_get_words(t, P.m_tdata, wd);
            for (int i = 0; i < BEAT_BYTES; i++)
                out[no * BEAT_BYTES + (size_t)i] = (uint8_t)(wd[i / 4] >> (8 * (i % 4)));
            uint32_t kp[TB_WORDS];
            tb_get_words(t, P.m_tkeep, kp);
            int nkeep = no + 1 == nout ? npe_result_last_keep(&GEOM, j->rows) : BEAT_BYTES;
            for (int i = 0; i < BEAT_BYTES; i++)
                if ((int)((kp[i / 32] >> (i % 32)) & 1) != (i < nkeep))
                    keep_ok = 0;
            if ((int)tb_get(t, P.m_tlast) != (no + 1 == nout))
                last_ok = 0;
        }
        tick(t);
        if (in_fire) {
            if (!ni)
                first_in = t->cycle;
            ni++;
        }
        if (out_fire) {
            no++;
            last_out = t->cycle;
        }
    }
    tb_set(t, P.s_tvalid, 0);
    TB_CHECK(t, ni == nin && no == nout, "job %dx%d %s x %s: %zu/%zu beats in, %zu/%zu out",
             j->rows, j->cols, fmt_get(j->wf)->name, fmt_get(j->af)->name, ni, nin, no, nout);
    TB_CHECK(t, keep_ok, "job %dx%d: TKEEP wrong", j->rows, j->cols);
    TB_CHECK(t, last_ok, "job %dx%d: TLAST wrong", j->rows, j->cols);
    wide *acc = calloc((size_t)j->rows, sizeof *acc);
    uint32_t *st = calloc((size_t)j->rows, sizeof *st);
    npe_unpack_results(&GEOM, out, j->rows, acc, st);
    for (int r = 0; r < j->rows; r++) {
        if (wide_cmp(acc[r], d->exp[r]) || st[r] != d->eflags[r]) {
            char g[80], e[80];
            wide_to_hex(acc[r], NPE_ACC_W, g, sizeof g);
            wide_to_hex(d->exp[r], NPE_ACC_W, e, sizeof e);
            TB_CHECK(t, 0, "job %dx%d %s x %s row %d: got %s flags %x, expected %s flags %x",
                     j->rows, j->cols, fmt_get(j->wf)->name, fmt_get(j->af)->name, r, g, st[r],
                     e, d->eflags[r]);
            break;
        }
    }
    npe_timing tm;
    if (npe_job_timing(&GEOM, j, &tm) == 0 && ni == nin && no == nout)
        TB_CHECK_EQ(t, last_out - first_in + 1, tm.cycles, "job %dx%d %s x %s cycles", j->rows,
                    j->cols, fmt_get(j->wf)->name, fmt_get(j->af)->name);
    free(acc);
    free(st);
    free(in);
    free(out);
}

/* ------------------------------------------------------------ tests */
static void test_regs(tb *t) {
    TB_CHECK_EQ(t, axil_read(t, NPE_REG_ID), NPE_ID_VALUE, "ID");
    TB_CHECK_EQ(t, axil_read(t, NPE_REG_VERSION), NPE_VERSION_VALUE, "VERSION");
    TB_CHECK_EQ(t, axil_read(t, NPE_REG_CAP_WFMT), NPE_WFMT_MASK, "CAP_WFMT");
    TB_CHECK_EQ(t, axil_read(t, NPE_REG_CAP_AFMT), NPE_AFMT_MASK, "CAP_AFMT");
    TB_CHECK_EQ(t, axil_read(t, NPE_REG_CAP_GEOM),
                (uint32_t)NPE_STREAM_W << 16 | NPE_J << 8 | NPE_LANES, "CAP_GEOM");
    TB_CHECK_EQ(t, axil_read(t, NPE_REG_CAP_KMAX), NPE_K_MAX, "CAP_KMAX");
    TB_CHECK_EQ(t, axil_read(t, NPE_REG_RESULT_WORDS), NPE_RW, "RESULT_WORDS");
    TB_CHECK_EQ(t, axil_read(t, NPE_REG_CTRL) & NPE_CTRL_AP_IDLE, NPE_CTRL_AP_IDLE, "AP_IDLE");
}

static void test_jobs(tb *t) {
    int njobs = getenv("COPROC_JOBS") ? atoi(getenv("COPROC_JOBS")) : 200;
    fmt_id ws[FMT_COUNT], as[FMT_COUNT];
    int nw = 0, na = 0;
    for (int f = 0; f < FMT_COUNT; f++) {
        if (NPE_WFMT_MASK & (1u << f))
            ws[nw++] = (fmt_id)f;
        if (NPE_AFMT_MASK & (1u << f))
            as[na++] = (fmt_id)f;
    }
    for (int n = 0; n < njobs && !check_failures; n++) {
        fmt_id wf = ws[rnd64() % (unsigned)nw], af = as[rnd64() % (unsigned)na];
        int e = fmt_bits(wf) > fmt_bits(af) ? fmt_bits(wf) : fmt_bits(af);
        if ((fmt_get(wf)->family == FAM_OVP || fmt_get(af)->family == FAM_OVP) && e == 16) {
            n--;
            continue;
        }
        /* a quarter of the jobs have short rows (K <= 2 steps) and many row
         * groups: output-bound, so the result-slot credits are exercised */
        int s = NPE_J * (16 / e), shortrow = rnd64() % 4 == 0;
        int rows = 1 + (int)(rnd64() % (unsigned)((shortrow ? 8 : 3) * NPE_LANES + 2));
        int kmax = shortrow ? 2 * s : NPE_K_MAX < 200 ? NPE_K_MAX : 200;
        if (kmax > NPE_K_MAX)
            kmax = NPE_K_MAX;
        int cols = 1 + (int)(rnd64() % (unsigned)kmax);
        job_data d;
        job_make(&d, wf, af, rows, cols);
        run_job(t, &d);
        job_free(&d);
    }
    printf("%d jobs\n", njobs);
}

int main(int argc, char **argv) {
    const char *test = argc > 1 ? argv[1] : "";
    static const struct {
        const char *name;
        void (*fn)(tb *);
    } tests[] = {{"regs", test_regs}, {"jobs", test_jobs}};
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (strcmp(test, tests[i].name))
            continue;
        tb t;
        char name[64], trace[128];
        snprintf(name, sizeof name, "coproc_%s_%s", NPE_CFG, test);
        snprintf(trace, sizeof trace, "build/sim/%s/coproc_%s.fst", NPE_CFG, test);
        tb_open(&t, name, argc, argv, trace);
        ports_init();
        reset(&t);
        tests[i].fn(&t);
        return tb_close(&t);
    }
    fprintf(stderr, "usage: tb_coproc regs|jobs  (TEST_SEED=<n> replays a seed)\n");
    return 2;
}
