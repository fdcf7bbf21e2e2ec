/*
 * host/run_model.c - the model runner's command line: greedy text generation
 * with tiny-llama (stories260K), every matrix-vector product on a chosen
 * matvec backend.  Text goes to stdout; progress, timing and errors go to
 * stderr.  `run_model --help` lists the options.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, isatty */

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backends.h"
#include "dev_xdma.h"
#include "model.h"

#define STEPS_DEFAULT 64
#define ERR_LEN 4096

/* ------------------------------------------------------------ options */

#ifndef HOST_SIM_CFG
#define HOST_SIM_CFG "all" /* the default configuration (host/host.mk) */
#endif
#define COMPARE_MAX 4

typedef struct {
    const char *model_dir;   /* directory of the checkpoint, tokenizer, sums */
    int steps;               /* most tokens to generate                      */
    const char *backend;     /* backend name                                 */
    double temperature;      /* 0 = greedy (the only mode implemented)       */
    const char *dump_tokens; /* file for the sampled token ids, or NULL      */
    const char *dump_logits; /* file for every position's logits, or NULL    */
    const char *compare[COMPARE_MAX]; /* backends run beside, same tokens */
    int n_compare;
    hb_opts hb;              /* --config, --wfmt, --afmt, --xdma, --emu      */
} options;

static void usage(FILE *f) {
    fprintf(f,
            "usage: run_model [options]\n"
            "Generates text with tiny-llama (%s) from the BOS token, greedily;\n"
            "every matrix-vector product runs on the chosen backend.  The text goes to\n"
            "stdout, progress and timing to stderr.\n"
            "\n"
            "  --model-dir DIR     directory with %s, %s and %s\n"
            "                      (default: $MODEL_DIR, else %s,\n"
            "                      relative to the current directory: the repository root)\n"
            "  --steps N           generate at most N tokens (default %d, at most seq_len);\n"
            "                      generation also stops when the model samples BOS\n"
            "  --backend NAME      matvec backend: %s (default fp32)\n",
            MODEL_CHECKPOINT_FILE, MODEL_CHECKPOINT_FILE, MODEL_TOKENIZER_FILE, MODEL_SUMS_FILE,
            MODEL_DIR_DEFAULT, STEPS_DEFAULT, hb_names());
    hb_help(f, "                        ");
    fprintf(f,
            "  --wfmt F, --afmt F  weight / activation format of the quantized backends (default\n"
            "                      %s x %s); any format of the configuration: %s\n"
            "                      (weights: a float scale per row, or MX block scales;\n"
            "                      activations: one float scale per vector, or MX)\n"
            "  --config C          co-processor configuration: a name (its header\n"
            "                      build/rtl/C/C_params.h, from `make rtl`) or a header path\n"
            "                      (default %s); the device must match it\n"
            "  --xdma PREFIX       device files of the xdma backend (default %s:\n"
            "                      PREFIX_user, PREFIX_h2c_0, PREFIX_c2h_0)\n"
            "  --emu PATH          the XDMA emulator of the emu backend (default\n"
            "                      build/host/<config>/xdma_emu)\n"
            "  --sim-trace FILE    sim backend: write an FST waveform of the co-processor\n"
            "                      (the traced runner build/host/<config>-trace/run_model)\n"
            "  --compare LIST      also run these backends (comma-separated, e.g. ref,fp32)\n"
            "                      on the same tokens and report how often their greedy\n"
            "                      choice agrees, whether their logits are bit-identical, and\n"
            "                      the logits' difference\n"
            "  --temperature T     sampling temperature; only 0 (greedy: argmax, the lowest\n"
            "                      token id on ties) is implemented\n"
            "  --prompt-bos        start from the BOS token (%d); the default and, for now,\n"
            "                      the only prompt\n"
            "  --dump-tokens FILE  write every sampled token id to FILE, one per line, in\n"
            "                      order, including the final BOS when the model stops\n"
            "  --dump-logits FILE  write every position's logits to FILE (vocab_size float32,\n"
            "                      little-endian, per position)\n"
            "  --help              this text\n"
            "\n"
            "The model files are checked against SHA256SUMS before use.  Exit status: 0 on\n"
            "success, 1 on a runtime error, 2 on a usage error.\n",
            fmt_get(QB_DEFAULT_WFMT)->name, fmt_get(QB_DEFAULT_AFMT)->name, fmt_all_names(),
            HOST_SIM_CFG, XDMA_PREFIX_DEFAULT, TOKEN_BOS);
}

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "run_model: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nrun_model: see run_model --help\n");
    return 2;
}

static int known_backend(const char *name) {
    char list[64];
    snprintf(list, sizeof list, ", %s,", hb_names());
    char key[40];
    snprintf(key, sizeof key, " %s,", name);
    return strlen(name) < 16 && !strchr(name, ',') && strstr(list, key) != NULL;
}

/* Returns -1 to continue, or an exit status. */
static int parse_options(int argc, char **argv, options *o) {
    const char *env_dir = getenv("MODEL_DIR");
    *o = (options){.model_dir = env_dir && *env_dir ? env_dir : MODEL_DIR_DEFAULT,
                   .steps = STEPS_DEFAULT,
                   .backend = "fp32",
                   .temperature = 0.0,
                   .hb = {.config = HOST_SIM_CFG, .wfmt = QB_DEFAULT_WFMT,
                          .afmt = QB_DEFAULT_AFMT}};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--prompt-bos") == 0)
            continue;
        /* options with a value: "--opt VALUE" or "--opt=VALUE" */
        static const char *with_value[] = {"--model-dir", "--steps",   "--backend", "--temperature",
                                           "--dump-tokens", "--wfmt",  "--afmt",    "--config",
                                           "--xdma",      "--emu",     "--compare", "--dump-logits",
                                           "--sim-trace"};
        const char *val = NULL;
        int which = -1;
        for (int k = 0; k < (int)(sizeof with_value / sizeof with_value[0]); k++) {
            size_t n = strlen(with_value[k]);
            if (strncmp(a, with_value[k], n) == 0 && (a[n] == '\0' || a[n] == '=')) {
                which = k;
                if (a[n] == '=')
                    val = a + n + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                else
                    return usage_error("%s needs a value", a);
                break;
            }
        }
        if (which < 0)
            return usage_error("unknown option '%s'", a);
        char *end, why[512];
        switch (which) {
        case 0:
            o->model_dir = val;
            break;
        case 1: {
            errno = 0;
            long n = strtol(val, &end, 10);
            if (errno || *end || end == val || n < 1 || n > INT32_MAX)
                return usage_error("--steps '%s': expected a positive integer", val);
            o->steps = (int)n;
            break;
        }
        case 2:
            o->backend = val;
            break;
        case 3:
            errno = 0;
            o->temperature = strtod(val, &end);
            if (errno || *end || end == val || !(o->temperature >= 0.0))
                return usage_error("--temperature '%s': expected a number >= 0", val);
            if (o->temperature != 0.0)
                return usage_error("--temperature %s: only greedy decoding (--temperature 0) is "
                                   "implemented",
                                   val);
            break;
        case 4:
            o->dump_tokens = val;
            break;
        case 5:
        case 6: {
            int f = qb_parse_fmt(val, why, sizeof why);
            if (f < 0) {
                fprintf(stderr, "run_model: %s %s\n", a, why);
                return 2;
            }
            *(which == 5 ? &o->hb.wfmt : &o->hb.afmt) = f;
            break;
        }
        case 7:
            o->hb.config = val;
            break;
        case 8:
            o->hb.xdma = val;
            break;
        case 9:
            o->hb.emu_bin = val;
            break;
        case 10: {
            static char buf[256];
            snprintf(buf, sizeof buf, "%s", val);
            o->n_compare = 0;
            for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
                if (!known_backend(t))
                    return usage_error("--compare: unknown backend '%s'", t);
                if (o->n_compare == COMPARE_MAX)
                    return usage_error("--compare %s: at most 4 backends", val);
                o->compare[o->n_compare++] = t;
            }
            break;
        }
        case 11:
            o->dump_logits = val;
            break;
        case 12:
            o->hb.sim_trace = val;
            break;
        }
    }
    return -1;
}

/* ------------------------------------------------------------ comparison */

/* A backend run beside the main one on its own copy of the model, fed the
 * main run's tokens (so its KV cache holds its own values for the same
 * text).  Its greedy choice is compared with the main run's at every
 * position: until the first disagreement, its own greedy text would have
 * been the same. */
typedef struct {
    const char *name;
    host_backend hb;
    model m;
    int open;
    int positions, agree, identical, first_disagree; /* -1: none yet */
    double max_abs, sum_sq;
    uint64_t n_values;
} shadow;

static void compare_step(shadow *s, const float *main_logits, int main_next, int n) {
    const float *l = s->m.state.logits;
    s->positions++;
    if (sample_argmax(l, n) == main_next)
        s->agree++;
    else if (s->first_disagree < 0)
        s->first_disagree = s->positions - 1;
    if (memcmp(l, main_logits, (size_t)n * sizeof *l) == 0)
        s->identical++;
    for (int i = 0; i < n; i++) {
        double d = fabs((double)l[i] - (double)main_logits[i]);
        if (d > s->max_abs || d != d)
            s->max_abs = d;
        s->sum_sq += d * d;
    }
    s->n_values += (uint64_t)n;
}

static void compare_report(const shadow *s, const char *main_name) {
    char prefix[96];
    if (s->first_disagree < 0)
        snprintf(prefix, sizeof prefix, "the greedy texts are identical");
    else
        snprintf(prefix, sizeof prefix, "the greedy texts agree for the first %d tokens",
                 s->first_disagree);
    fprintf(stderr,
            "run_model: %s vs %s: %d/%d greedy tokens agree (same inputs), %s; logits "
            "bit-identical at %d/%d positions, max |diff| %.3g, RMS %.3g\n",
            main_name, s->name, s->agree, s->positions, prefix, s->identical, s->positions,
            s->max_abs, s->n_values ? sqrt(s->sum_sq / (double)s->n_values) : 0.0);
}

/* ------------------------------------------------------------ main */

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Prints a piece unless it is a lone unprintable byte (a byte-fallback
 * token of a control code), which would garble the terminal. */
static void print_piece(const char *piece, size_t len) {
    if (len == 1 && !isprint((unsigned char)piece[0]) && !isspace((unsigned char)piece[0]))
        return;
    fwrite(piece, 1, len, stdout);
}

static void close_all(host_backend *be, shadow *sh, int n_sh, FILE *dump, FILE *dlog,
                      tokenizer *tok, model *m) {
    for (int i = 0; i < n_sh; i++) {
        if (sh[i].open)
            hb_close(&sh[i].hb);
        if (sh[i].m.params)
            free_model(&sh[i].m);
    }
    hb_close(be);
    if (dump)
        fclose(dump);
    if (dlog)
        fclose(dlog);
    free_tokenizer(tok);
    free_model(m);
}

int main(int argc, char **argv) {
    options opt;
    int rc = parse_options(argc, argv, &opt);
    if (rc >= 0)
        return rc;
    if (!known_backend(opt.backend)) {
        fprintf(stderr, "run_model: unknown backend '%s'; available: %s\n", opt.backend,
                hb_names());
        return 2;
    }

    static char err[ERR_LEN];
    model m;
    tokenizer tok;
    if (load_model_dir(opt.model_dir, &m, &tok, err, sizeof err)) {
        fprintf(stderr, "run_model: %s\n", err);
        return 1;
    }
    const model_config *c = &m.config;
    int steps = opt.steps;
    if (steps > c->seq_len) {
        fprintf(stderr, "run_model: --steps %d exceeds the context (seq_len %d); using %d\n",
                steps, c->seq_len, c->seq_len);
        steps = c->seq_len;
    }
    uint64_t macs_per_token = 0;
    for (int j = 0; j < m.n_jobs; j++)
        macs_per_token += (uint64_t)m.jobs[j].rows * (uint64_t)m.jobs[j].cols;
    fprintf(stderr,
            "run_model: %s: dim %d, hidden_dim %d, n_layers %d, n_heads %d, n_kv_heads %d, "
            "vocab_size %d, seq_len %d (%zu parameters, checksums ok)\n",
            MODEL_CHECKPOINT_FILE, c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads,
            c->vocab_size, c->seq_len, m.n_params);

    host_backend be;
    shadow sh[COMPARE_MAX];
    memset(&be, 0, sizeof be);
    memset(sh, 0, sizeof sh);
    FILE *dump = NULL, *dlog = NULL;
    if (opt.dump_tokens && !(dump = fopen(opt.dump_tokens, "w"))) {
        fprintf(stderr, "run_model: cannot write --dump-tokens %s: %s\n", opt.dump_tokens,
                strerror(errno));
        close_all(&be, sh, 0, dump, dlog, &tok, &m);
        return 1;
    }
    if (opt.dump_logits && !(dlog = fopen(opt.dump_logits, "wb"))) {
        fprintf(stderr, "run_model: cannot write --dump-logits %s: %s\n", opt.dump_logits,
                strerror(errno));
        close_all(&be, sh, 0, dump, dlog, &tok, &m);
        return 1;
    }
    double t_open = now_seconds();
    if (hb_open(&be, opt.backend, &m, &opt.hb, err, sizeof err)) {
        fprintf(stderr, "run_model: backend %s: %s\n", opt.backend, err);
        close_all(&be, sh, 0, dump, dlog, &tok, &m);
        return 1;
    }
    for (int i = 0; i < opt.n_compare; i++) {
        sh[i].name = opt.compare[i];
        sh[i].first_disagree = -1;
        if (copy_model(&sh[i].m, &m, err, sizeof err) ||
            hb_open(&sh[i].hb, sh[i].name, &sh[i].m, &opt.hb, err, sizeof err)) {
            fprintf(stderr, "run_model: --compare %s: %s\n", sh[i].name, err);
            close_all(&be, sh, i + 1, dump, dlog, &tok, &m);
            return 1;
        }
        sh[i].open = 1;
    }
    char desc[256] = "";
    if (be.qb) {
        hwcfg_describe(&be.hw, desc, sizeof desc);
        fprintf(stderr, "run_model: %s x %s on %s (weights quantized in %.2f s)\n",
                fmt_get((fmt_id)opt.hb.wfmt)->name, fmt_get((fmt_id)opt.hb.afmt)->name, desc,
                now_seconds() - t_open);
    }
    fprintf(stderr, "run_model: backend %s, %d matvec jobs/token, %llu MACs/token, greedy, "
                    "up to %d tokens from BOS\n",
            be.mv.name, m.n_jobs, (unsigned long long)macs_per_token, steps);

    int progress = isatty(STDERR_FILENO), flush_text = isatty(STDOUT_FILENO);
    int token = TOKEN_BOS, generated = 0, stopped_at_bos = 0;
    rc = 0;
    double t0 = now_seconds(), t_shadow = 0;
    uint64_t cyc0 = hb_sim_cycles(&be);
    for (int pos = 0; pos < steps && rc == 0; pos++) {
        if (model_forward(&m, &be.mv, token, pos, err, sizeof err)) {
            fprintf(stderr, "\nrun_model: %s\n", err);
            rc = 1;
            break;
        }
        int next = sample_argmax(m.state.logits, c->vocab_size);
        if (next < 0 || !isfinite(m.state.logits[next])) {
            fprintf(stderr, "\nrun_model: backend %s produced non-finite logits at position %d\n",
                    be.mv.name, pos);
            rc = 1;
            break;
        }
        double ts = now_seconds();
        for (int i = 0; i < opt.n_compare; i++) {
            if (model_forward(&sh[i].m, &sh[i].hb.mv, token, pos, err, sizeof err)) {
                fprintf(stderr, "\nrun_model: --compare %s: %s\n", sh[i].name, err);
                rc = 1;
                break;
            }
            compare_step(&sh[i], m.state.logits, next, c->vocab_size);
        }
        t_shadow += now_seconds() - ts;
        if (dlog && fwrite(m.state.logits, sizeof(float), (size_t)c->vocab_size, dlog) !=
                        (size_t)c->vocab_size) {
            fprintf(stderr, "\nrun_model: writing --dump-logits %s failed\n", opt.dump_logits);
            rc = 1;
        }
        generated++;
        if (dump)
            fprintf(dump, "%d\n", next);
        if (next == TOKEN_BOS) {
            stopped_at_bos = 1;
            break;
        }
        size_t len;
        const char *piece = tokenizer_decode(&tok, token, next, &len);
        print_piece(piece, len);
        if (flush_text)
            fflush(stdout);
        if (progress && generated % 16 == 0)
            fprintf(stderr, "\rrun_model: %d/%d tokens", generated, steps);
        else if (!progress && generated % 16 == 0 && steps >= 32)
            fprintf(stderr, "run_model: %d/%d tokens (%.1f s)\n", generated, steps,
                    now_seconds() - t0);
        token = next;
    }
    double dt = now_seconds() - t0 - t_shadow;
    printf("\n");
    fflush(stdout);
    if (progress)
        fprintf(stderr, "\r");
    /* generated counts forward passes (= sampled tokens, a final BOS
     * included); the text has one token fewer when the model stopped. */
    if (rc == 0) {
        fprintf(stderr,
                "run_model: %d forward passes in %.3f s: %.1f tokens/s, %.1f M MAC/s (backend "
                "%s); %d text tokens, %s\n",
                generated, dt, dt > 0 ? generated / dt : 0.0,
                dt > 0 ? (double)macs_per_token * generated / dt / 1e6 : 0.0, be.mv.name,
                generated - stopped_at_bos,
                stopped_at_bos ? "then the model sampled BOS (end of text)"
                               : "stopped by --steps");
        hb_report(&be, stderr, generated);
        uint64_t cyc = hb_sim_cycles(&be) - cyc0;
        if (cyc && dt > 0)
            fprintf(stderr, "run_model: %.2f M simulated cycles/s\n", (double)cyc / dt / 1e6);
        for (int i = 0; i < opt.n_compare; i++)
            compare_report(&sh[i], be.mv.name);
    }
    if (dump && fclose(dump) != 0) {
        fprintf(stderr, "run_model: writing --dump-tokens %s failed: %s\n", opt.dump_tokens,
                strerror(errno));
        rc = 1;
    }
    dump = NULL;
    if (dlog && fclose(dlog) != 0) {
        fprintf(stderr, "run_model: writing --dump-logits %s failed: %s\n", opt.dump_logits,
                strerror(errno));
        rc = 1;
    }
    dlog = NULL;
    close_all(&be, sh, opt.n_compare, dump, dlog, &tok, &m);
    return rc;
}
