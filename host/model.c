/*
 * host/model.c - loading, checking and running a llama2.c v0 checkpoint.
 *
 * The network is the Llama-2 decoder (Touvron et al. 2023): per layer,
 *   x += wo @ attention(RoPE(wq @ rmsnorm(x)), RoPE(wk @ .), wv @ .)
 *   x += w2 @ (silu(w1 @ rmsnorm(x)) * (w3 @ rmsnorm(x)))
 * then logits = wcls @ rmsnorm(x).  Attention is grouped-query: query head h
 * reads key/value head h / (n_heads / n_kv_heads).  RoPE rotates adjacent
 * pairs (the layout llama2.c's export writes).
 */
#define _XOPEN_SOURCE 700 /* realpath, getcwd */

#include "model.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"

#define HEADER_FIELDS 7
#define HEADER_BYTES (HEADER_FIELDS * 4)
/* Upper bound for every header field: keeps all size arithmetic far from
 * overflow; the exact file-length check then bounds the allocations. */
#define FIELD_MAX (1 << 20)
#define RMS_EPS 1e-5f       /* Llama-2's RMSNorm epsilon (params.json norm_eps) */
#define ROPE_THETA 10000.0f /* RoPE base (Su et al. 2021, RoFormer, theta_i)   */
#define TOKEN_TEXT_MAX 4096 /* refuse tokenizers with longer tokens          */

/* The published checksums (../shared/models/tiny-llama/SHA256SUMS), used
 * only when the model directory has no SHA256SUMS of its own, e.g. after a
 * fresh download from the origin. */
static const struct {
    const char *file, *sha256;
} published[] = {
    {MODEL_CHECKPOINT_FILE, "b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696"},
    {MODEL_TOKENIZER_FILE, "037cb335abb25d1fa9e8ecae30ed2a3a8ace9302862ebcdc05d51a6bbb10c312"},
};

static const char *weight_names[] = {"wq", "wk", "wv", "wo", "w1", "w2", "w3", "wcls"};

static int fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ------------------------------------------------------------ files */

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static int32_t le_i32(const uint8_t *p) {
    uint32_t u = le32(p);
    int32_t v;
    memcpy(&v, &u, sizeof v);
    return v;
}
static float le_f32(const uint8_t *p) {
    uint32_t u = le32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static int hex_digit(char ch) {
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* dir + "/" + name into a fresh string (caller frees). */
static char *join_path(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* The absolute form of dir for messages (dir itself if that fails). */
static void absolute_dir(const char *dir, char *out, size_t n) {
    char *r = realpath(dir, NULL);
    if (r) {
        snprintf(out, n, "%s", r);
        free(r);
        return;
    }
    char cwd[1024];
    if (dir[0] != '/' && getcwd(cwd, sizeof cwd))
        snprintf(out, n, "%s/%s", cwd, dir);
    else
        snprintf(out, n, "%s", dir);
}

/* Reads path into a fresh buffer (caller frees) with a NUL after the last
 * byte, so that text files can be parsed in place. */
static int read_whole_file(const char *path, uint8_t **data, size_t *size, char *err,
                           size_t errlen) {
    *data = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, "cannot open %s: %s", path, strerror(errno));
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return fail(err, errlen, "cannot determine the size of %s: %s", path, strerror(errno));
    }
    uint8_t *buf = malloc((size_t)n + 1);
    if (!buf) {
        fclose(f);
        return fail(err, errlen, "out of memory reading %s (%ld bytes)", path, n);
    }
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        int e = ferror(f) ? errno : 0;
        fclose(f);
        free(buf);
        return fail(err, errlen, "cannot read %s: %s", path, e ? strerror(e) : "file shrank");
    }
    fclose(f);
    buf[n] = 0;
    *data = buf;
    *size = (size_t)n;
    return 0;
}

/* Finds file_name in a sha256sum-format listing ("<64 hex> <space or *>name").
 * Returns 1 and the lowercase hash, or 0. */
static int sums_lookup(const char *sums, const char *file_name, char hex[SHA256_HEX_SIZE]) {
    size_t name_len = strlen(file_name);
    for (const char *line = sums; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len && line[len - 1] == '\r')
            len--;
        int ok = len >= 66; /* 64 hex digits, a separator, a name */
        for (int i = 0; ok && i < 64; i++)
            ok = hex_digit(line[i]) >= 0;
        if (ok) {
            const char *name = line + 64;
            size_t rest = len - 64;
            while (rest && (*name == ' ' || *name == '\t'))
                name++, rest--;
            if (rest && *name == '*') /* sha256sum's binary-mode marker */
                name++, rest--;
            if (rest == name_len && memcmp(name, file_name, name_len) == 0) {
                for (int i = 0; i < 64; i++)
                    hex[i] = "0123456789abcdef"[hex_digit(line[i])];
                hex[64] = '\0';
                return 1;
            }
        }
        if (!end)
            break;
        line = end + 1;
    }
    return 0;
}

int verify_checksum(const char *dir, const char *file_name, const uint8_t *data, size_t size,
                    char *err, size_t errlen) {
    char expected[SHA256_HEX_SIZE], actual[SHA256_HEX_SIZE], source[1100];
    uint8_t digest[SHA256_DIGEST_SIZE];
    char *sums_path = join_path(dir, MODEL_SUMS_FILE);
    if (!sums_path)
        return fail(err, errlen, "out of memory");
    FILE *probe = fopen(sums_path, "rb");
    if (probe) {
        fclose(probe);
        uint8_t *sums;
        size_t sums_size;
        if (read_whole_file(sums_path, &sums, &sums_size, err, errlen)) {
            free(sums_path);
            return -1;
        }
        int found = sums_lookup((const char *)sums, file_name, expected);
        free(sums);
        if (!found) {
            fail(err, errlen,
                 "%s lists no checksum for %s: add its published SHA-256 line (see NOTICE.md "
                 "beside the model files)",
                 sums_path, file_name);
            free(sums_path);
            return -1;
        }
        snprintf(source, sizeof source, "%s", sums_path);
    } else if (errno == ENOENT) {
        int found = 0;
        for (size_t i = 0; i < sizeof published / sizeof published[0]; i++)
            if (strcmp(published[i].file, file_name) == 0) {
                snprintf(expected, sizeof expected, "%s", published[i].sha256);
                found = 1;
            }
        if (!found) {
            fail(err, errlen, "no %s and no published checksum for %s: cannot verify it",
                 sums_path, file_name);
            free(sums_path);
            return -1;
        }
        fprintf(stderr, "note: no %s; checking %s against the published checksum built in\n",
                sums_path, file_name);
        snprintf(source, sizeof source, "the published checksum built into run_model");
    } else {
        fail(err, errlen, "cannot open %s: %s", sums_path, strerror(errno));
        free(sums_path);
        return -1;
    }
    free(sums_path);

    sha256(data, size, digest);
    sha256_hex(digest, actual);
    if (strcmp(actual, expected) != 0)
        return fail(err, errlen,
                    "%s/%s: SHA-256 mismatch, refusing to use it\n"
                    "  expected %s (%s)\n"
                    "  actual   %s\n"
                    "  This is not the published file%s. Get the original from %s.",
                    dir, file_name, expected, source, actual,
                    strcmp(file_name, MODEL_CHECKPOINT_FILE) == 0
                        ? " (a transposed look-alike with the same size and header circulates "
                          "and produces garbage)"
                        : "",
                    MODEL_ORIGIN);
    return 0;
}

/* ------------------------------------------------------------ checkpoint */

static void free_run_state(run_state *s) {
    free(s->x);
    free(s->xb);
    free(s->xb2);
    free(s->hb);
    free(s->hb2);
    free(s->q);
    free(s->att);
    free(s->logits);
    free(s->key_cache);
    free(s->value_cache);
    memset(s, 0, sizeof *s);
}

static int build_run_state(run_state *s, const model_config *c) {
    size_t kv_dim = (size_t)c->dim / c->n_heads * c->n_kv_heads;
    size_t cache = (size_t)c->n_layers * c->seq_len * kv_dim;
    s->x = calloc((size_t)c->dim, sizeof(float));
    s->xb = calloc((size_t)c->dim, sizeof(float));
    s->xb2 = calloc((size_t)c->dim, sizeof(float));
    s->hb = calloc((size_t)c->hidden_dim, sizeof(float));
    s->hb2 = calloc((size_t)c->hidden_dim, sizeof(float));
    s->q = calloc((size_t)c->dim, sizeof(float));
    s->att = calloc((size_t)c->n_heads * c->seq_len, sizeof(float));
    s->logits = calloc((size_t)c->vocab_size, sizeof(float));
    s->key_cache = calloc(cache, sizeof(float));
    s->value_cache = calloc(cache, sizeof(float));
    if (!s->x || !s->xb || !s->xb2 || !s->hb || !s->hb2 || !s->q || !s->att || !s->logits ||
        !s->key_cache || !s->value_cache) {
        free_run_state(s);
        return -1;
    }
    return 0;
}

static int check_config(const model_config *c, int raw_vocab, const char *name, char *err,
                        size_t errlen) {
    const struct {
        const char *field;
        int value;
    } f[] = {{"dim", c->dim},          {"hidden_dim", c->hidden_dim}, {"n_layers", c->n_layers},
             {"n_heads", c->n_heads},  {"n_kv_heads", c->n_kv_heads}, {"vocab_size", raw_vocab},
             {"seq_len", c->seq_len}};
    for (int i = 0; i < HEADER_FIELDS; i++) {
        int v = f[i].value;
        int ok = i == 5 ? v != 0 && v != INT32_MIN && abs(v) <= FIELD_MAX : v > 0 && v <= FIELD_MAX;
        if (!ok)
            return fail(err, errlen,
                        "%s: header field %d (%s) = %d is out of range (1..%d%s): not a llama2.c "
                        "v0 checkpoint",
                        name, i, f[i].field, v, FIELD_MAX, i == 5 ? ", either sign" : "");
    }
    if (c->n_kv_heads > c->n_heads || c->n_heads % c->n_kv_heads)
        return fail(err, errlen, "%s: header n_kv_heads %d must divide n_heads %d", name,
                    c->n_kv_heads, c->n_heads);
    if (c->dim % c->n_heads || (c->dim / c->n_heads) % 2)
        return fail(err, errlen,
                    "%s: header dim %d must be n_heads %d times an even head size (RoPE rotates "
                    "pairs)",
                    name, c->dim, c->n_heads);
    return 0;
}

int build_model(model *m, const char *name, const uint8_t *data, size_t size, char *err,
                size_t errlen) {
    memset(m, 0, sizeof *m);
    if (size >= 4 && memcmp(data, "ak42", 4) == 0)
        return fail(err, errlen,
                    "%s: starts with the magic \"ak42\" of llama2.c's versioned export (v1/v2); "
                    "only the legacy v0 format (export.py --version 0) is supported",
                    name);
    if (size < HEADER_BYTES)
        return fail(err, errlen, "%s: %zu bytes, shorter than the %d-byte v0 header", name, size,
                    HEADER_BYTES);
    model_config *c = &m->config;
    c->dim = le_i32(data);
    c->hidden_dim = le_i32(data + 4);
    c->n_layers = le_i32(data + 8);
    c->n_heads = le_i32(data + 12);
    c->n_kv_heads = le_i32(data + 16);
    int raw_vocab = le_i32(data + 20);
    c->seq_len = le_i32(data + 24);
    c->vocab_size = raw_vocab < 0 ? -raw_vocab : raw_vocab;
    c->shared_classifier = raw_vocab > 0;
    if (check_config(c, raw_vocab, name, err, errlen))
        return -1;

    /* Tensor sizes in file order (uint64: no overflow with FIELD_MAX). */
    uint64_t L = (uint64_t)c->n_layers, dim = (uint64_t)c->dim, hid = (uint64_t)c->hidden_dim;
    uint64_t head_size = dim / (uint64_t)c->n_heads;
    uint64_t kv_dim = head_size * (uint64_t)c->n_kv_heads;
    uint64_t vocab = (uint64_t)c->vocab_size;
    const uint64_t sizes[] = {
        vocab * dim,                          /* token_embedding */
        L * dim,                              /* rms_att */
        L * dim * dim,                        /* wq */
        L * kv_dim * dim,                     /* wk */
        L * kv_dim * dim,                     /* wv */
        L * dim * dim,                        /* wo */
        L * dim,                              /* rms_ffn */
        L * hid * dim,                        /* w1 */
        L * dim * hid,                        /* w2 */
        L * hid * dim,                        /* w3 */
        dim,                                  /* rms_final */
        (uint64_t)c->seq_len * head_size / 2, /* freq_cis_real (not used) */
        (uint64_t)c->seq_len * head_size / 2, /* freq_cis_imag (not used) */
        c->shared_classifier ? 0 : vocab * dim, /* wcls */
    };
    uint64_t total = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        total += sizes[i];
    uint64_t want = HEADER_BYTES + 4 * total;
    if ((uint64_t)size != want)
        return fail(err, errlen,
                    "%s: the header (dim %d, hidden_dim %d, n_layers %d, n_heads %d, n_kv_heads "
                    "%d, vocab_size %d, seq_len %d) needs %llu bytes (%d header + %llu float32), "
                    "but the file has %zu bytes (%s by %llu): truncated or not a llama2.c v0 "
                    "checkpoint",
                    name, c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads,
                    raw_vocab, c->seq_len, (unsigned long long)want, HEADER_BYTES,
                    (unsigned long long)total, size, (uint64_t)size < want ? "short" : "long",
                    (unsigned long long)((uint64_t)size < want ? want - size : size - want));

    m->n_params = (size_t)total;
    m->params = malloc(m->n_params * sizeof(float));
    if (!m->params)
        return fail(err, errlen, "%s: out of memory for %zu floats", name, m->n_params);
    for (size_t i = 0; i < m->n_params; i++)
        m->params[i] = le_f32(data + HEADER_BYTES + 4 * i);

    const float *p = m->params;
    const float **dst[] = {&m->weights.token_embedding, &m->weights.rms_att, &m->weights.wq,
                           &m->weights.wk,  &m->weights.wv,      &m->weights.wo,
                           &m->weights.rms_ffn, &m->weights.w1,  &m->weights.w2,
                           &m->weights.w3,  &m->weights.rms_final};
    for (size_t i = 0; i < sizeof dst / sizeof dst[0]; i++) {
        *dst[i] = p;
        p += sizes[i];
    }
    p += sizes[11] + sizes[12]; /* RoPE tables: recomputed in rope() */
    m->weights.wcls = c->shared_classifier ? m->weights.token_embedding : p;

    /* One job per weight matrix. */
    m->n_jobs = WEIGHT_PER_LAYER * c->n_layers + 1;
    m->jobs = calloc((size_t)m->n_jobs, sizeof *m->jobs);
    if (!m->jobs) {
        free_model(m);
        return fail(err, errlen, "%s: out of memory", name);
    }
    const model_weights *w = &m->weights;
    for (int l = 0; l < c->n_layers; l++) {
        const struct {
            const float *base;
            uint64_t rows, cols;
        } mat[WEIGHT_PER_LAYER] = {
            {w->wq, dim, dim}, {w->wk, kv_dim, dim}, {w->wv, kv_dim, dim}, {w->wo, dim, dim},
            {w->w1, hid, dim}, {w->w2, dim, hid},    {w->w3, hid, dim},
        };
        for (int k = 0; k < WEIGHT_PER_LAYER; k++) {
            matvec_job *j = &m->jobs[l * WEIGHT_PER_LAYER + k];
            j->id = l * WEIGHT_PER_LAYER + k;
            j->kind = (weight_kind)k;
            j->name = weight_names[k];
            j->layer = l;
            j->rows = (int)mat[k].rows;
            j->cols = (int)mat[k].cols;
            j->w = mat[k].base + (uint64_t)l * mat[k].rows * mat[k].cols;
        }
    }
    matvec_job *cls = &m->jobs[m->n_jobs - 1];
    *cls = (matvec_job){.id = m->n_jobs - 1, .kind = WEIGHT_CLS, .name = weight_names[WEIGHT_CLS],
                        .layer = -1, .rows = c->vocab_size, .cols = c->dim, .w = w->wcls};

    if (build_run_state(&m->state, c)) {
        free_model(m);
        return fail(err, errlen, "%s: out of memory for the activations and KV cache", name);
    }
    return 0;
}

void free_model(model *m) {
    free_run_state(&m->state);
    free(m->jobs);
    free(m->params);
    memset(m, 0, sizeof *m);
}

int copy_model(model *dst, const model *src, char *err, size_t errlen) {
    memset(dst, 0, sizeof *dst);
    dst->config = src->config;
    dst->n_params = src->n_params;
    dst->n_jobs = src->n_jobs;
    dst->params = malloc(src->n_params * sizeof(float));
    dst->jobs = calloc((size_t)src->n_jobs, sizeof *dst->jobs);
    if (!dst->params || !dst->jobs || build_run_state(&dst->state, &src->config)) {
        free_model(dst);
        return fail(err, errlen, "out of memory copying the model");
    }
    memcpy(dst->params, src->params, src->n_params * sizeof(float));
    /* Every tensor pointer moves by the same offset into the new copy. */
#define REBASE(ptr) ((ptr) ? dst->params + ((ptr) - src->params) : NULL)
    const model_weights *s = &src->weights;
    model_weights *d = &dst->weights;
    d->token_embedding = REBASE(s->token_embedding);
    d->rms_att = REBASE(s->rms_att);
    d->wq = REBASE(s->wq);
    d->wk = REBASE(s->wk);
    d->wv = REBASE(s->wv);
    d->wo = REBASE(s->wo);
    d->rms_ffn = REBASE(s->rms_ffn);
    d->w1 = REBASE(s->w1);
    d->w2 = REBASE(s->w2);
    d->w3 = REBASE(s->w3);
    d->rms_final = REBASE(s->rms_final);
    d->wcls = REBASE(s->wcls);
    for (int i = 0; i < src->n_jobs; i++) {
        dst->jobs[i] = src->jobs[i];
        dst->jobs[i].w = REBASE(src->jobs[i].w);
    }
#undef REBASE
    return 0;
}

const matvec_job *model_job(const model *m, int layer, weight_kind kind) {
    if (kind == WEIGHT_CLS)
        return &m->jobs[m->n_jobs - 1];
    return &m->jobs[layer * WEIGHT_PER_LAYER + kind];
}

/* ------------------------------------------------------------ tokenizer */

int build_tokenizer(tokenizer *t, const char *name, const uint8_t *data, size_t size,
                    int vocab_size, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    for (int b = 0; b < 256; b++) {
        t->byte_piece[b][0] = (char)b;
        t->byte_piece[b][1] = '\0';
    }
    if (size < 4)
        return fail(err, errlen, "%s: %zu bytes, too short for a llama2.c tokenizer", name, size);
    t->max_token_length = le_i32(data);
    if (t->max_token_length <= 0 || t->max_token_length > TOKEN_TEXT_MAX)
        return fail(err, errlen, "%s: max_token_length %d is out of range (1..%d)", name,
                    t->max_token_length, TOKEN_TEXT_MAX);
    t->vocab_size = vocab_size;
    t->vocab = calloc((size_t)vocab_size, sizeof *t->vocab);
    t->scores = calloc((size_t)vocab_size, sizeof *t->scores);
    if (!t->vocab || !t->scores) {
        free_tokenizer(t);
        return fail(err, errlen, "%s: out of memory", name);
    }
    size_t off = 4;
    for (int i = 0; i < vocab_size; i++) {
        if (size - off < 8) {
            free_tokenizer(t);
            return fail(err, errlen,
                        "%s: ends in token %d of %d (offset %zu): truncated, or the tokenizer "
                        "does not match the checkpoint's vocab_size %d",
                        name, i, vocab_size, off, vocab_size);
        }
        t->scores[i] = le_f32(data + off);
        int len = le_i32(data + off + 4);
        off += 8;
        if (len < 0 || len > t->max_token_length || (size_t)len > size - off) {
            fail(err, errlen,
                 "%s: token %d at offset %zu has length %d (max_token_length %d, %zu bytes "
                 "left): corrupt tokenizer",
                 name, i, off - 8, len, t->max_token_length, size - off);
            free_tokenizer(t);
            return -1;
        }
        t->vocab[i] = malloc((size_t)len + 1);
        if (!t->vocab[i]) {
            free_tokenizer(t);
            return fail(err, errlen, "%s: out of memory", name);
        }
        memcpy(t->vocab[i], data + off, (size_t)len);
        t->vocab[i][len] = '\0';
        off += (size_t)len;
    }
    if (off != size) {
        free_tokenizer(t);
        return fail(err, errlen,
                    "%s: %zu bytes follow token %d: the tokenizer does not match the checkpoint's "
                    "vocab_size %d",
                    name, size - off, vocab_size - 1, vocab_size);
    }
    return 0;
}

void free_tokenizer(tokenizer *t) {
    if (t->vocab)
        for (int i = 0; i < t->vocab_size; i++)
            free(t->vocab[i]);
    free(t->vocab);
    free(t->scores);
    memset(t, 0, sizeof *t);
}

const char *tokenizer_decode(const tokenizer *t, int prev, int token, size_t *len) {
    const char *piece = t->vocab[token];
    /* SentencePiece marks word starts with a space; the first word of a
     * text has none to print. */
    if (prev == TOKEN_BOS && piece[0] == ' ')
        piece++;
    /* byte fallback: the tokens "<0x00>".."<0xFF>" stand for one raw byte */
    if (strlen(piece) == 6 && memcmp(piece, "<0x", 3) == 0 && piece[5] == '>') {
        int hi = hex_digit(piece[3]), lo = hex_digit(piece[4]);
        if (hi >= 0 && lo >= 0) {
            *len = 1;
            return t->byte_piece[hi * 16 + lo];
        }
    }
    *len = strlen(piece);
    return piece;
}

/* ------------------------------------------------------------ loading */

int load_model_dir(const char *dir, model *m, tokenizer *t, char *err, size_t errlen) {
    memset(m, 0, sizeof *m);
    memset(t, 0, sizeof *t);
    const char *names[2] = {MODEL_CHECKPOINT_FILE, MODEL_TOKENIZER_FILE};
    char *paths[2] = {join_path(dir, names[0]), join_path(dir, names[1])};
    uint8_t *data[2] = {NULL, NULL};
    size_t size[2] = {0, 0};
    int rc = -1;
    if (!paths[0] || !paths[1]) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(paths[i], "rb");
        if (f) {
            fclose(f);
            continue;
        }
        int e = errno;
        char abs_dir[1100];
        absolute_dir(dir, abs_dir, sizeof abs_dir);
        if (e == ENOENT)
            fail(err, errlen,
                 "model file %s not found.\n"
                 "  The tiny-llama weights are not part of this repository. Download %s and %s "
                 "from %s (revision 0bd21da, MIT license) and put them in\n"
                 "    %s\n"
                 "  (they are checked against %s there, or against the published checksums "
                 "built into run_model if it has none), or point --model-dir (make: "
                 "MODEL_DIR=) at the directory that holds them.",
                 paths[i], MODEL_CHECKPOINT_FILE, MODEL_TOKENIZER_FILE, MODEL_ORIGIN, abs_dir,
                 MODEL_SUMS_FILE);
        else
            fail(err, errlen, "cannot open model file %s: %s", paths[i], strerror(e));
        goto out;
    }
    for (int i = 0; i < 2; i++) {
        if (read_whole_file(paths[i], &data[i], &size[i], err, errlen))
            goto out;
        if (verify_checksum(dir, names[i], data[i], size[i], err, errlen))
            goto out;
    }
    if (build_model(m, paths[0], data[0], size[0], err, errlen))
        goto out;
    if (build_tokenizer(t, paths[1], data[1], size[1], m->config.vocab_size, err, errlen)) {
        free_model(m);
        goto out;
    }
    rc = 0;
out:
    for (int i = 0; i < 2; i++) {
        free(paths[i]);
        free(data[i]);
    }
    return rc;
}

/* ------------------------------------------------------------ forward pass */

/* The order of the additions is fixed (column 0 first) and -std=c11 keeps
 * GCC from contracting a*b+c into FMAs, so the reference tokens do not
 * depend on the optimization level. */
int matvec_fp32(void *ctx, const matvec_job *job, const float *x, float *out) {
    (void)ctx;
    for (int r = 0; r < job->rows; r++) {
        const float *row = job->w + (size_t)r * job->cols;
        float sum = 0.0f;
        for (int c = 0; c < job->cols; c++)
            sum += row[c] * x[c];
        out[r] = sum;
    }
    return 0;
}

/* out = x / rms(x) * weight, rms(x) = sqrt(mean(x^2) + eps) (RMSNorm, Zhang
 * and Sennrich 2019).  out may be x. */
static void rmsnorm(float *out, const float *x, const float *weight, int n) {
    float ss = 0.0f;
    for (int i = 0; i < n; i++)
        ss += x[i] * x[i];
    float inv = 1.0f / sqrtf(ss / (float)n + RMS_EPS);
    for (int i = 0; i < n; i++)
        out[i] = weight[i] * (inv * x[i]);
}

/* Rotates each adjacent pair (v[2i], v[2i+1]) of every head_size-long head
 * in v (length n) by pos * theta_i, theta_i = ROPE_THETA^(-2i / head_size). */
static void rope(float *v, int n, int head_size, int pos) {
    for (int j = 0; j < n; j += 2) {
        int i2 = j % head_size; /* 2i within the head */
        float freq = 1.0f / powf(ROPE_THETA, (float)i2 / (float)head_size);
        float angle = (float)pos * freq;
        float cs = cosf(angle), sn = sinf(angle);
        float a = v[j], b = v[j + 1];
        v[j] = a * cs - b * sn;
        v[j + 1] = a * sn + b * cs;
    }
}

/* In-place softmax of x[0..n-1], shifted by the maximum for range. */
static void softmax(float *x, int n) {
    float max = x[0];
    for (int i = 1; i < n; i++)
        if (x[i] > max)
            max = x[i];
    float sum = 0.0f;
    for (int i = 0; i < n; i++) {
        x[i] = expf(x[i] - max);
        sum += x[i];
    }
    for (int i = 0; i < n; i++)
        x[i] /= sum;
}

static int run_matvec(const matvec_backend *be, const matvec_job *job, const float *x,
                      float *out, int pos, char *err, size_t errlen) {
    if (be->matvec(be->ctx, job, x, out) == 0)
        return 0;
    const char *why = be->error ? be->error(be->ctx) : NULL;
    if (job->layer < 0)
        return fail(err, errlen, "backend %s failed on %s (%d x %d) at position %d%s%s",
                    be->name, job->name, job->rows, job->cols, pos, why && *why ? ": " : "",
                    why ? why : "");
    return fail(err, errlen, "backend %s failed on layer %d %s (%d x %d) at position %d%s%s",
                be->name, job->layer, job->name, job->rows, job->cols, pos,
                why && *why ? ": " : "", why ? why : "");
}

int model_forward(model *m, const matvec_backend *be, int token, int pos, char *err,
                  size_t errlen) {
    const model_config *c = &m->config;
    const model_weights *w = &m->weights;
    run_state *s = &m->state;
    if (token < 0 || token >= c->vocab_size)
        return fail(err, errlen, "token %d is outside the vocabulary (0..%d)", token,
                    c->vocab_size - 1);
    if (pos < 0 || pos >= c->seq_len)
        return fail(err, errlen, "position %d is outside the context (0..%d)", pos,
                    c->seq_len - 1);
    int dim = c->dim, hid = c->hidden_dim;
    int head_size = dim / c->n_heads;
    int kv_dim = head_size * c->n_kv_heads;
    int group = c->n_heads / c->n_kv_heads; /* query heads per key/value head */
    float scale = 1.0f / sqrtf((float)head_size);

    memcpy(s->x, w->token_embedding + (size_t)token * dim, (size_t)dim * sizeof(float));
    for (int l = 0; l < c->n_layers; l++) {
        size_t layer_cache = (size_t)l * c->seq_len * kv_dim;
        float *k = s->key_cache + layer_cache + (size_t)pos * kv_dim;
        float *v = s->value_cache + layer_cache + (size_t)pos * kv_dim;

        /* attention block */
        rmsnorm(s->xb, s->x, w->rms_att + (size_t)l * dim, dim);
        if (run_matvec(be, model_job(m, l, WEIGHT_WQ), s->xb, s->q, pos, err, errlen) ||
            run_matvec(be, model_job(m, l, WEIGHT_WK), s->xb, k, pos, err, errlen) ||
            run_matvec(be, model_job(m, l, WEIGHT_WV), s->xb, v, pos, err, errlen))
            return -1;
        rope(s->q, dim, head_size, pos);
        rope(k, kv_dim, head_size, pos);
        for (int h = 0; h < c->n_heads; h++) {
            const float *q = s->q + h * head_size;
            float *att = s->att + (size_t)h * c->seq_len;
            size_t kv_off = (size_t)(h / group) * head_size;
            for (int t = 0; t <= pos; t++) {
                const float *kt = s->key_cache + layer_cache + (size_t)t * kv_dim + kv_off;
                float dot = 0.0f;
                for (int i = 0; i < head_size; i++)
                    dot += q[i] * kt[i];
                att[t] = dot * scale;
            }
            softmax(att, pos + 1);
            float *out = s->xb + h * head_size;
            memset(out, 0, (size_t)head_size * sizeof(float));
            for (int t = 0; t <= pos; t++) {
                const float *vt = s->value_cache + layer_cache + (size_t)t * kv_dim + kv_off;
                for (int i = 0; i < head_size; i++)
                    out[i] += att[t] * vt[i];
            }
        }
        if (run_matvec(be, model_job(m, l, WEIGHT_WO), s->xb, s->xb2, pos, err, errlen))
            return -1;
        for (int i = 0; i < dim; i++)
            s->x[i] += s->xb2[i];

        /* feed-forward block: SwiGLU (Shazeer 2020, "GLU Variants") */
        rmsnorm(s->xb, s->x, w->rms_ffn + (size_t)l * dim, dim);
        if (run_matvec(be, model_job(m, l, WEIGHT_W1), s->xb, s->hb, pos, err, errlen) ||
            run_matvec(be, model_job(m, l, WEIGHT_W3), s->xb, s->hb2, pos, err, errlen))
            return -1;
        for (int i = 0; i < hid; i++) {
            float g = s->hb[i];
            s->hb[i] = g / (1.0f + expf(-g)) * s->hb2[i]; /* silu(g) * up */
        }
        if (run_matvec(be, model_job(m, l, WEIGHT_W2), s->hb, s->xb2, pos, err, errlen))
            return -1;
        for (int i = 0; i < dim; i++)
            s->x[i] += s->xb2[i];
    }
    rmsnorm(s->x, s->x, w->rms_final, dim);
    return run_matvec(be, model_job(m, 0, WEIGHT_CLS), s->x, s->logits, pos, err, errlen);
}

int sample_argmax(const float *logits, int n) {
    int best = -1;
    for (int i = 0; i < n; i++)
        if (!isnan(logits[i]) && (best < 0 || logits[i] > logits[best]))
            best = i; /* strict >: the lowest index wins a tie */
    return best;
}
