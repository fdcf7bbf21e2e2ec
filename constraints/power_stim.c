/*
 * constraints/power_stim.c - the power flow's workload: GEMV jobs of the
 * tiny-llama layer shapes with the real stories260K weights, quantized by
 * kernels_ref, as the cycle-by-cycle input of one MAC lane
 * (docs/architecture.md section 4), plus the results the lane must produce.
 *
 * Weights: the checkpoint's float tensors, loaded (and checked against
 * SHA256SUMS) by host/model.c, quantized per row by quant_matrix.
 * Activations: the input vector each matrix really sees, captured from the
 * FP32 forward pass of host/model.c (greedy generation from BOS; the vector
 * at position --pos), quantized per tensor.  The default matrices are the
 * five shapes of stories260K: wq 64x64, wk 32x64, w1 172x64, w2 64x172 and
 * the classifier 512x64.
 *
 * Output (read by constraints/power_tb.v):
 *   --stim FILE    one line per clock cycle, hex fields
 *                  "M V F L B wfmt afmt w_data a_data w_scale a_scale":
 *                  M = 1 on the measured cycles, V F L B = in_valid,
 *                  in_first, in_last, in_blk_last.  The first row is sent
 *                  twice: the first time as a warm-up (datapath registers
 *                  hold X until the first steps load them), unmeasured; the
 *                  window then runs from the workload's first step through
 *                  the cycle its last result leaves the lane.
 *   --expect FILE  one line per row in stream order: the accumulator
 *                  (ACC_W bits, hex) and the flags, from engine_dot
 * and a one-line JSON summary on stdout (MACs, cycles, shapes, formats).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "model.h"
#include "quant.h"

#define MX_BLOCK 32   /* OCP MX v1.0: elements per E8M0 scale */
#define ERR_LEN 4096
#define MAX_MATS 16

typedef struct {
    const char *model_dir;
    int layer, pos, rows; /* rows per matrix (0: all), evenly spaced */
    const char *matrices;
    fmt_id wf, af;
    int j, acc_w, acc_lsb, k_max, latency, ovp_first_high;
    const char *stim, *expect;
} options;

static void usage(FILE *f) {
    fprintf(f,
            "usage: power_stim --wfmt F --afmt F --j J --acc-w W --acc-lsb L --latency N\n"
            "                  --stim FILE --expect FILE [options]\n"
            "Writes the power flow's workload for one MAC lane: GEMV jobs of tiny-llama's\n"
            "matrices with the real stories260K weights (quantized per row by kernels_ref)\n"
            "and the activations of an FP32 forward pass (quantized per tensor), one line\n"
            "per clock cycle (docs/architecture.md section 4), and each row's expected\n"
            "accumulator and flags (kernels_ref engine_dot).  Prints a JSON summary.\n"
            "\n"
            "  --model-dir DIR     stories260K.bin, tok512.bin, SHA256SUMS (default %s)\n"
            "  --matrices LIST     comma list of wq,wk,wv,wo,w1,w2,w3,wcls (default\n"
            "                      wq,wk,w1,w2,wcls: the shapes 64x64 32x64 172x64 64x172 512x64)\n"
            "  --layer L           transformer block of the per-layer matrices (default 0)\n"
            "  --pos P             activations of position P of greedy generation (default 3)\n"
            "  --rows N            rows per matrix, evenly spaced (default 0 = all)\n"
            "  --wfmt F, --afmt F  weight and activation formats (%s)\n"
            "  --j J               16-bit units per lane (the configuration's NPE_J)\n"
            "  --acc-w W, --acc-lsb L, --k-max K, --latency N   the lane's parameters\n"
            "  --ovp-first-high 0|1  OVP nibble order of the configuration (default 0)\n"
            "  --stim FILE, --expect FILE   outputs (written to FILE.tmp, then renamed)\n"
            "  --help              this text\n",
            MODEL_DIR_DEFAULT, fmt_all_names());
}

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "power_stim: error: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static int int_arg(const char *opt, const char *v, int lo, int hi) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || *end || x < lo || x > hi)
        die("%s %s: expected an integer in %d..%d", opt, v, lo, hi);
    return (int)x;
}

static fmt_id fmt_arg(const char *opt, const char *v) {
    int f = fmt_by_name(v);
    if (f < 0)
        die("%s %s: unknown format (formats: %s)", opt, v, fmt_all_names());
    return (fmt_id)f;
}

static void parse(options *o, int argc, char **argv) {
    *o = (options){.model_dir = MODEL_DIR_DEFAULT, .pos = 3, .matrices = "wq,wk,w1,w2,wcls",
                   .wf = -1, .af = -1, .j = 0, .acc_w = 0, .acc_lsb = 1000, .k_max = 4096,
                   .latency = -1};
    if (getenv("MODEL_DIR") && *getenv("MODEL_DIR"))
        o->model_dir = getenv("MODEL_DIR");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        }
        if (i + 1 >= argc)
            die("%s needs a value (see --help)", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--model-dir")) o->model_dir = v;
        else if (!strcmp(a, "--matrices")) o->matrices = v;
        else if (!strcmp(a, "--layer")) o->layer = int_arg(a, v, 0, 1000);
        else if (!strcmp(a, "--pos")) o->pos = int_arg(a, v, 0, 100000);
        else if (!strcmp(a, "--rows")) o->rows = int_arg(a, v, 0, 1 << 20);
        else if (!strcmp(a, "--wfmt")) o->wf = fmt_arg(a, v);
        else if (!strcmp(a, "--afmt")) o->af = fmt_arg(a, v);
        else if (!strcmp(a, "--j")) o->j = int_arg(a, v, 1, 32);
        else if (!strcmp(a, "--acc-w")) o->acc_w = int_arg(a, v, 2, WIDE_BITS - 8);
        else if (!strcmp(a, "--acc-lsb")) o->acc_lsb = int_arg(a, v, -150, 150);
        else if (!strcmp(a, "--k-max")) o->k_max = int_arg(a, v, 1, 65536);
        else if (!strcmp(a, "--latency")) o->latency = int_arg(a, v, 1, 64);
        else if (!strcmp(a, "--ovp-first-high")) o->ovp_first_high = int_arg(a, v, 0, 1);
        else if (!strcmp(a, "--stim")) o->stim = v;
        else if (!strcmp(a, "--expect")) o->expect = v;
        else die("unknown option %s (see --help)", a);
    }
    if ((int)o->wf < 0 || (int)o->af < 0 || !o->j || !o->acc_w || o->acc_lsb == 1000 ||
        o->latency < 0 || !o->stim || !o->expect)
        die("--wfmt, --afmt, --j, --acc-w, --acc-lsb, --latency, --stim and --expect are "
            "required (see --help)");
}

/* ------------------------------------------------------------ activations */

/* A matvec backend that computes in FP32 and keeps a copy of the input
 * vector of every job while `capture` is set. */
typedef struct {
    int capture;
    float **x; /* (n_jobs,) captured inputs, NULL until seen */
} capture_ctx;

static int capture_matvec(void *ctx, const matvec_job *job, const float *x, float *out) {
    capture_ctx *c = ctx;
    if (c->capture) {
        free(c->x[job->id]);
        c->x[job->id] = malloc((size_t)job->cols * sizeof(float));
        if (!c->x[job->id])
            return -1;
        memcpy(c->x[job->id], x, (size_t)job->cols * sizeof(float));
    }
    return matvec_fp32(NULL, job, x, out);
}

/* Greedy generation from BOS up to position pos; the inputs of every job at
 * that position are captured. */
static void capture_activations(model *m, int pos, capture_ctx *c) {
    char err[ERR_LEN];
    if (pos >= m->config.seq_len)
        die("--pos %d: the model's context is %d positions", pos, m->config.seq_len);
    c->x = calloc((size_t)m->n_jobs, sizeof *c->x);
    if (!c->x)
        die("out of memory");
    matvec_backend be = {.name = "capture", .matvec = capture_matvec, .ctx = c};
    int token = TOKEN_BOS;
    for (int p = 0; p <= pos; p++) {
        c->capture = p == pos;
        if (model_forward(m, &be, token, p, err, sizeof err))
            die("forward pass at position %d: %s", p, err);
        token = sample_argmax(m->state.logits, m->config.vocab_size);
    }
}

/* ------------------------------------------------------------ the lane */

typedef struct {
    FILE *stim, *expect;
    const options *o;
    engine_cfg cfg;
    int acc_hex; /* hex digits of ACC_W */
    long steps, measured_cycles, rows;
    int measuring; /* the M column: set from the workload's first step on */
} lane_out;

static int fbits(fmt_id f) { return fmt_get(f)->bits; }
static int is_ovp(fmt_id f) { return fmt_get(f)->family == FAM_OVP; }
static int is_mx(fmt_id f) { return fmt_get(f)->block > 0; }

/* Field of step element i (docs/architecture.md section 4): in order, except
 * that an OVP pair's first element is in the upper field with first-high. */
static int field_of(const options *o, fmt_id f, int i) {
    return is_ovp(f) && o->ovp_first_high ? i ^ 1 : i;
}

/* Sets bits [off, off+n) of a little-endian word array. */
static void bits_put(uint32_t *w, int off, int n, uint32_t v) {
    for (int b = 0; b < n; b++) {
        int p = off + b;
        w[p / 32] = (w[p / 32] & ~(1u << (p % 32))) | (((v >> b) & 1u) << (p % 32));
    }
}

static void hex_words(FILE *f, const uint32_t *w, int bits) {
    int digits = (bits + 3) / 4;
    for (int d = digits - 1; d >= 0; d--)
        fprintf(f, "%x", (w[d / 8] >> (4 * (d % 8))) & 15u);
}

/* One clock cycle of the stream. */
static void cycle(lane_out *l, int valid, int first, int last, int blk_last, const uint32_t *w,
                  const uint32_t *a, unsigned ws, unsigned as) {
    const options *o = l->o;
    fprintf(l->stim, "%x %x %x %x %x %x %x ", l->measuring, valid, first, last, blk_last,
            (unsigned)o->wf, (unsigned)o->af);
    hex_words(l->stim, w, 16 * o->j);
    fputc(' ', l->stim);
    hex_words(l->stim, a, 16 * o->j);
    fprintf(l->stim, " %02x %02x\n", ws & 255u, as & 255u);
    l->measured_cycles += l->measuring;
    l->steps += valid;
}

/* The code completing an odd OVP row (docs/architecture.md section 4). */
static uint16_t pad_code(fmt_id f, const uint16_t *codes, size_t k) {
    uint16_t vm = is_ovp(f) ? ovp_victim_code(fmt_get(f)) : 0;
    return is_ovp(f) && k % 2 && codes[k - 1] == vm ? vm : 0;
}

/* Streams one row (codes w and a of k elements, k+1 for odd OVP rows) and
 * writes its expected result. */
static void send_row(lane_out *l, const uint16_t *w, const uint16_t *a, size_t k,
                     const uint8_t *wsc, const uint8_t *asc) {
    const options *o = l->o;
    fmt_id wf = o->wf, af = o->af;
    int E = fbits(wf) > fbits(af) ? fbits(wf) : fbits(af);
    int S = engine_step(&l->cfg, wf, af);
    wide acc;
    unsigned flags = engine_dot(&l->cfg, wf, af, w, a, k, is_mx(wf) ? wsc : NULL,
                                is_mx(af) ? asc : NULL, &acc);
    char hex[80];
    wide_to_hex(acc, o->acc_w, hex, sizeof hex);
    fprintf(l->expect, "%s %x\n", hex, flags);
    size_t steps = (k + (size_t)S - 1) / (size_t)S;
    for (size_t s = 0; s < steps; s++) {
        uint32_t wd[16] = {0}, ad[16] = {0};
        size_t e0 = s * (size_t)S, e1 = e0 + (size_t)S < k ? e0 + (size_t)S : k;
        for (size_t e = e0; e < e1; e++) {
            int i = (int)(e - e0);
            bits_put(wd, field_of(o, wf, i) * E, E, w[e]);
            bits_put(ad, field_of(o, af, i) * E, E, a[e]);
        }
        int last = e1 == k;
        if (last && k % 2 && (int)(k - e0) < S) { /* odd row: the pad completes the pair */
            int i = (int)(k - e0);
            bits_put(wd, field_of(o, wf, i) * E, E, pad_code(wf, w, k));
            bits_put(ad, field_of(o, af, i) * E, E, pad_code(af, a, k));
        }
        int blk_last = last || e1 % MX_BLOCK == 0;
        size_t b = (e1 - 1) / MX_BLOCK;
        cycle(l, 1, s == 0, last, blk_last, wd, ad, blk_last && wsc ? wsc[b] : E8M0_BIAS,
              blk_last && asc ? asc[b] : E8M0_BIAS);
    }
    l->rows++;
}

static const char *kind_names[] = {"wq", "wk", "wv", "wo", "w1", "w2", "w3", "wcls"};

static const matvec_job *find_matrix(const model *m, const char *name, int layer) {
    for (int k = 0; k <= WEIGHT_CLS; k++)
        if (!strcmp(name, kind_names[k]))
            return model_job(m, layer, (weight_kind)k);
    die("--matrices: unknown matrix %s (known: wq,wk,wv,wo,w1,w2,w3,wcls)", name);
    return NULL;
}

static FILE *open_tmp(const char *path, char *tmp, size_t n) {
    snprintf(tmp, n, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        die("cannot write %s: %s", tmp, strerror(errno));
    return f;
}

static void close_rename(FILE *f, const char *tmp, const char *path) {
    if (ferror(f) | fclose(f))
        die("writing %s failed", tmp);
    if (rename(tmp, path))
        die("cannot rename %s to %s: %s", tmp, path, strerror(errno));
}

int main(int argc, char **argv) {
    options o;
    parse(&o, argc, argv);
    fmt_id wf = o.wf, af = o.af;
    if ((is_ovp(wf) && fbits(af) == 16) || (is_ovp(af) && fbits(wf) == 16))
        die("%s x %s: an OVP pair cannot meet a 16-bit operand (docs/protocol.md section 1)",
            fmt_get(wf)->name, fmt_get(af)->name);
    engine_cfg cfg = {.acc_w = o.acc_w, .acc_lsb = o.acc_lsb, .k_max = o.k_max, .subunits = o.j};
    int S = engine_step(&cfg, wf, af);
    if ((is_mx(wf) || is_mx(af)) && MX_BLOCK % S)
        die("%s x %s: %d elements per step do not divide the MX block of %d", fmt_get(wf)->name,
            fmt_get(af)->name, S, MX_BLOCK);

    model m;
    tokenizer tok;
    char err[ERR_LEN];
    if (load_model_dir(o.model_dir, &m, &tok, err, sizeof err))
        die("%s", err);
    capture_ctx cap = {0};
    capture_activations(&m, o.pos, &cap);

    char stim_tmp[4200], exp_tmp[4200];
    lane_out l = {.o = &o, .cfg = cfg};
    l.stim = open_tmp(o.stim, stim_tmp, sizeof stim_tmp);
    l.expect = open_tmp(o.expect, exp_tmp, sizeof exp_tmp);

    char list[256], json_mats[2048] = "";
    snprintf(list, sizeof list, "%s", o.matrices);
    quant_opts wopt = quant_opts_default, aopt = quant_opts_default;
    wopt.per_row = 1;
    long macs = 0, rows_total = 0;
    int first_row = 1;
    for (char *save, *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        const matvec_job *job = find_matrix(&m, name, o.layer);
        int R = job->rows, K = job->cols;
        if (K > o.k_max)
            die("%s is %d x %d: rows longer than K_MAX %d", name, R, K, o.k_max);
        if (!cap.x[job->id])
            die("no activations were captured for %s", name);
        int rs = quant_row_codes(wf, K);
        uint16_t *wc = malloc(quant_codes_size(wf, R, K) * sizeof *wc);
        float *wsf = malloc((quant_scales_size(wf, R, &wopt) + 1) * sizeof *wsf);
        uint8_t *wbs = malloc(quant_block_scales_size(wf, R, K) + 1);
        uint16_t *ac = malloc(quant_codes_size(af, 1, K) * sizeof *ac);
        float asf[1];
        uint8_t *abs_ = malloc(quant_block_scales_size(af, 1, K) + 1);
        if (!wc || !wsf || !wbs || !ac || !abs_)
            die("out of memory");
        if (quant_matrix(wf, job->w, R, K, &wopt, wc, wsf, wbs) ||
            quant_matrix(af, cap.x[job->id], 1, K, &aopt, ac, asf, abs_))
            die("quantizing %s failed (message above)", name);
        int n = o.rows && o.rows < R ? o.rows : R;
        int nblk = (K + MX_BLOCK - 1) / MX_BLOCK;
        for (int i = 0; i < n; i++) {
            int r = (int)((long)i * R / n);
            /* the first row is streamed twice: once as the unmeasured warm-up */
            for (int rep = 0; rep < (first_row ? 2 : 1); rep++) {
                l.measuring = !first_row || rep == 1;
                send_row(&l, wc + (size_t)r * rs, ac, (size_t)K,
                         is_mx(wf) ? wbs + (size_t)r * nblk : NULL, is_mx(af) ? abs_ : NULL);
            }
            first_row = 0;
        }
        macs += (long)n * K;
        rows_total += n;
        size_t used = strlen(json_mats);
        snprintf(json_mats + used, sizeof json_mats - used,
                 "%s{\"name\": \"%s\", \"layer\": %d, \"rows\": %d, \"cols\": %d, \"rows_used\": %d}",
                 used ? ", " : "", name, job->layer, R, K, n);
        free(wc);
        free(wsf);
        free(wbs);
        free(ac);
        free(abs_);
    }
    /* drain: the last result leaves LATENCY edges after the last step */
    uint32_t zero[16] = {0};
    for (int i = 0; i < o.latency + 2; i++)
        cycle(&l, 0, 0, 0, 0, zero, zero, 0, 0);
    close_rename(l.stim, stim_tmp, o.stim);
    close_rename(l.expect, exp_tmp, o.expect);
    /* macs and rows: the measured workload (the warm-up row is not in them) */
    printf("{\"wfmt\": \"%s\", \"afmt\": \"%s\", \"macs\": %ld, \"rows\": %ld, "
           "\"rows_streamed\": %ld, \"steps\": %ld, \"measured_cycles\": %ld, "
           "\"elems_per_step\": %d, \"layer\": %d, \"pos\": %d, \"matrices\": [%s]}\n",
           fmt_get(wf)->name, fmt_get(af)->name, macs, rows_total, l.rows, l.steps,
           l.measured_cycles, S, o.layer, o.pos, json_mats);
    for (int i = 0; i < m.n_jobs; i++)
        free(cap.x[i]);
    free(cap.x);
    free_tokenizer(&tok);
    free_model(&m);
    return 0;
}
