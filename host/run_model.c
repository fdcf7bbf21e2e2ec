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

#include "model.h"

#define STEPS_DEFAULT 64
#define ERR_LEN 4096

/* ------------------------------------------------------------ backends */

/* A backend is opened once the model is loaded, so it can prepare every
 * weight matrix (m->jobs) before the first token, and closed at the end.
 * New backends (sim, emu, xdma) are one row of the table below. */
typedef struct {
    const char *name; /* --backend value                                    */
    const char *help; /* one line for --help                                */
    int (*open)(matvec_backend *be, const model *m, char *err, size_t errlen);
    void (*close)(matvec_backend *be);
} backend_entry;

static int open_fp32(matvec_backend *be, const model *m, char *err, size_t errlen) {
    (void)m;
    (void)err;
    (void)errlen;
    *be = (matvec_backend){.name = "fp32", .matvec = matvec_fp32, .ctx = NULL};
    return 0;
}
static void close_fp32(matvec_backend *be) { (void)be; }

static const backend_entry backends[] = {
    {"fp32", "FP32 on the host (the reference path)", open_fp32, close_fp32},
};
#define N_BACKENDS ((int)(sizeof backends / sizeof backends[0]))

static void backend_names(char *out, size_t n) {
    out[0] = '\0';
    for (int i = 0; i < N_BACKENDS; i++) {
        size_t used = strlen(out);
        snprintf(out + used, n - used, "%s%s", i ? ", " : "", backends[i].name);
    }
}

/* ------------------------------------------------------------ options */

typedef struct {
    const char *model_dir;   /* directory of the checkpoint, tokenizer, sums */
    int steps;               /* most tokens to generate                      */
    const char *backend;     /* backend name                                 */
    double temperature;      /* 0 = greedy (the only mode implemented)       */
    const char *dump_tokens; /* file for the sampled token ids, or NULL      */
} options;

static void usage(FILE *f) {
    char names[256];
    backend_names(names, sizeof names);
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
            MODEL_DIR_DEFAULT, STEPS_DEFAULT, names);
    for (int i = 0; i < N_BACKENDS; i++)
        fprintf(f, "                        %-6s %s\n", backends[i].name, backends[i].help);
    fprintf(f,
            "  --temperature T     sampling temperature; only 0 (greedy: argmax, the lowest\n"
            "                      token id on ties) is implemented\n"
            "  --prompt-bos        start from the BOS token (%d); the default and, for now,\n"
            "                      the only prompt\n"
            "  --dump-tokens FILE  write every sampled token id to FILE, one per line, in\n"
            "                      order, including the final BOS when the model stops\n"
            "  --help              this text\n"
            "\n"
            "The model files are checked against SHA256SUMS before use.  Exit status: 0 on\n"
            "success, 1 on a runtime error, 2 on a usage error.\n",
            TOKEN_BOS);
}

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "run_model: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nrun_model: see run_model --help\n");
    return 2;
}

/* Returns -1 to continue, or an exit status. */
static int parse_options(int argc, char **argv, options *o) {
    const char *env_dir = getenv("MODEL_DIR");
    *o = (options){.model_dir = env_dir && *env_dir ? env_dir : MODEL_DIR_DEFAULT,
                   .steps = STEPS_DEFAULT,
                   .backend = "fp32",
                   .temperature = 0.0,
                   .dump_tokens = NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--prompt-bos") == 0)
            continue;
        /* options with a value: "--opt VALUE" or "--opt=VALUE" */
        static const char *with_value[] = {"--model-dir", "--steps", "--backend", "--temperature",
                                           "--dump-tokens"};
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
        char *end;
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
        }
    }
    return -1;
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

int main(int argc, char **argv) {
    options opt;
    int rc = parse_options(argc, argv, &opt);
    if (rc >= 0)
        return rc;

    const backend_entry *entry = NULL;
    for (int i = 0; i < N_BACKENDS; i++)
        if (strcmp(backends[i].name, opt.backend) == 0)
            entry = &backends[i];
    if (!entry) {
        char names[256];
        backend_names(names, sizeof names);
        fprintf(stderr, "run_model: unknown backend '%s'; available: %s\n", opt.backend, names);
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

    FILE *dump = NULL;
    if (opt.dump_tokens && !(dump = fopen(opt.dump_tokens, "w"))) {
        fprintf(stderr, "run_model: cannot write --dump-tokens %s: %s\n", opt.dump_tokens,
                strerror(errno));
        free_tokenizer(&tok);
        free_model(&m);
        return 1;
    }
    matvec_backend be;
    if (entry->open(&be, &m, err, sizeof err)) {
        fprintf(stderr, "run_model: backend %s: %s\n", entry->name, err);
        if (dump)
            fclose(dump);
        free_tokenizer(&tok);
        free_model(&m);
        return 1;
    }
    fprintf(stderr, "run_model: backend %s, %d matvec jobs/token, %llu MACs/token, greedy, "
                    "up to %d tokens from BOS\n",
            be.name, m.n_jobs, (unsigned long long)macs_per_token, steps);

    int progress = isatty(STDERR_FILENO), flush_text = isatty(STDOUT_FILENO);
    int token = TOKEN_BOS, generated = 0, stopped_at_bos = 0;
    rc = 0;
    double t0 = now_seconds();
    for (int pos = 0; pos < steps; pos++) {
        if (model_forward(&m, &be, token, pos, err, sizeof err)) {
            fprintf(stderr, "\nrun_model: %s\n", err);
            rc = 1;
            break;
        }
        int next = sample_argmax(m.state.logits, c->vocab_size);
        if (next < 0 || !isfinite(m.state.logits[next])) {
            fprintf(stderr, "\nrun_model: backend %s produced non-finite logits at position %d\n",
                    be.name, pos);
            rc = 1;
            break;
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
        token = next;
    }
    double dt = now_seconds() - t0;
    printf("\n");
    fflush(stdout);
    if (progress)
        fprintf(stderr, "\r");
    /* generated counts forward passes (= sampled tokens, a final BOS
     * included); the text has one token fewer when the model stopped. */
    if (rc == 0)
        fprintf(stderr,
                "run_model: %d forward passes in %.3f s: %.1f tokens/s, %.1f M MAC/s (backend "
                "%s); %d text tokens, %s\n",
                generated, dt, dt > 0 ? generated / dt : 0.0,
                dt > 0 ? (double)macs_per_token * generated / dt / 1e6 : 0.0, be.name,
                generated - stopped_at_bos,
                stopped_at_bos ? "then the model sampled BOS (end of text)"
                               : "stopped by --steps");
    if (dump && fclose(dump) != 0) {
        fprintf(stderr, "run_model: writing --dump-tokens %s failed: %s\n", opt.dump_tokens,
                strerror(errno));
        rc = 1;
    }
    entry->close(&be);
    free_tokenizer(&tok);
    free_model(&m);
    return rc;
}
