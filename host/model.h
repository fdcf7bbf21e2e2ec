/*
 * host/model.h - the Llama-2 model runner (llama2.c legacy "v0" checkpoints,
 * stories260K for MODEL=tiny-llama) with pluggable matrix-vector products.
 *
 * Every product with a weight matrix (wq, wk, wv, wo, w1, w2, w3 and the
 * classifier) goes through a matvec backend, so that the same forward pass
 * runs in FP32 (matvec_fp32, the reference) or on the co-processor.  The
 * rest of the network (RMSNorm, RoPE, attention over the KV cache, SiLU,
 * residuals, softmax) stays in FP32 on the host.
 *
 * A backend sees a matvec_job per call.  Jobs are built once per model: one
 * per weight matrix, numbered 0..n_jobs-1, and the forward pass always passes
 * the same job pointer for the same matrix.  A backend can therefore
 * quantize every matrix once when it is opened (iterate over model.jobs) or
 * lazily on first use (cache indexed by job->id), and afterwards only stream
 * the prepared weights and the activation vector.
 */
#ifndef HOST_MODEL_H
#define HOST_MODEL_H

#include <stddef.h>
#include <stdint.h>

/* The files of MODEL=tiny-llama and where they come from (see
 * ../shared/models/tiny-llama/NOTICE.md). */
#define MODEL_CHECKPOINT_FILE "stories260K.bin"
#define MODEL_TOKENIZER_FILE "tok512.bin"
#define MODEL_SUMS_FILE "SHA256SUMS"
#define MODEL_ORIGIN                                                            \
    "Andrej Karpathy's tinyllamas model repository (huggingface.co/karpathy/" \
    "tinyllamas), folder stories260K"
#define MODEL_DIR_DEFAULT "../shared/models/tiny-llama"

/* llama2.c's tokenizer: token 1 is BOS (<s>); generation stops when the
 * model samples it again. */
#define TOKEN_BOS 1

/* The 7 int32 fields of the v0 header, in file order. */
typedef struct {
    int dim;               /* transformer width (residual stream)             */
    int hidden_dim;        /* FFN width                                       */
    int n_layers;          /* transformer blocks                              */
    int n_heads;           /* query heads; head_size = dim / n_heads          */
    int n_kv_heads;        /* key/value heads (grouped-query attention)       */
    int vocab_size;        /* tokens (the file's sign is taken off, see below) */
    int seq_len;           /* longest sequence (KV cache length)              */
    int shared_classifier; /* 1: the file's vocab_size was positive and the
                              classifier is token_embedding; 0: wcls follows  */
} model_config;

/* The tensors, pointing into model.params.  Matrices are row-major
 * (rows, cols) with out = W @ x, x of length cols. */
typedef struct {
    const float *token_embedding; /* (vocab_size, dim)                       */
    const float *rms_att;         /* (n_layers, dim)                         */
    const float *wq;              /* (n_layers, dim, dim)                    */
    const float *wk;              /* (n_layers, kv_dim, dim)                 */
    const float *wv;              /* (n_layers, kv_dim, dim)                 */
    const float *wo;              /* (n_layers, dim, dim)                    */
    const float *rms_ffn;         /* (n_layers, dim)                         */
    const float *w1;              /* (n_layers, hidden_dim, dim) gate        */
    const float *w2;              /* (n_layers, dim, hidden_dim) down        */
    const float *w3;              /* (n_layers, hidden_dim, dim) up          */
    const float *rms_final;       /* (dim,)                                  */
    const float *wcls;            /* (vocab_size, dim); = token_embedding
                                     when the classifier is shared          */
} model_weights;

/* The weight matrices a matvec job can name, in per-layer order. */
typedef enum {
    WEIGHT_WQ,
    WEIGHT_WK,
    WEIGHT_WV,
    WEIGHT_WO,
    WEIGHT_W1,
    WEIGHT_W2,
    WEIGHT_W3,
    WEIGHT_PER_LAYER, /* count of the per-layer matrices above */
    WEIGHT_CLS = WEIGHT_PER_LAYER,
} weight_kind;

/* One weight matrix and the product out = w @ x that uses it. */
typedef struct {
    int id;           /* index in model.jobs, 0..n_jobs-1: a cache key        */
    weight_kind kind; /* which matrix of the layer (WEIGHT_CLS: classifier)   */
    const char *name; /* "wq", "wk", "wv", "wo", "w1", "w2", "w3", "wcls"     */
    int layer;        /* 0..n_layers-1; -1 for the classifier                 */
    int rows;         /* length of out                                        */
    int cols;         /* length of x (the dot-product length)                 */
    const float *w;   /* (rows, cols) row-major FP32 weights                  */
} matvec_job;

/* out[r] = sum_c job->w[r * cols + c] * x[c] for r < rows.  x and out never
 * overlap.  Returns 0, or nonzero on a failure (the forward pass stops and
 * reports the job). */
typedef int (*matvec_fn)(void *ctx, const matvec_job *job, const float *x, float *out);

typedef struct {
    const char *name; /* "fp32", ... (the --backend name)                    */
    matvec_fn matvec; /* the product                                         */
    void *ctx;        /* backend state, passed to matvec                     */
    /* Optional (may be NULL): why the last matvec failed, for the message
     * model_forward returns. */
    const char *(*error)(void *ctx);
} matvec_backend;

/* The FP32 reference backend: a plain row-by-row dot product, accumulated in
 * float in column order.  ctx is unused (may be NULL). */
int matvec_fp32(void *ctx, const matvec_job *job, const float *x, float *out);

/* Activations of one forward pass, and the KV cache. */
typedef struct {
    float *x;           /* (dim,) residual stream                            */
    float *xb;          /* (dim,) normalized input / attention output        */
    float *xb2;         /* (dim,) output of wo and w2                        */
    float *hb;          /* (hidden_dim,) w1 output, then the gated product   */
    float *hb2;         /* (hidden_dim,) w3 output                           */
    float *q;           /* (dim,) query                                      */
    float *att;         /* (n_heads, seq_len) attention weights              */
    float *logits;      /* (vocab_size,) classifier output                   */
    float *key_cache;   /* (n_layers, seq_len, kv_dim)                       */
    float *value_cache; /* (n_layers, seq_len, kv_dim)                       */
} run_state;

typedef struct {
    model_config config;   /* the header                                     */
    model_weights weights; /* the tensors (into params)                      */
    float *params;         /* (n_params,) every float of the checkpoint      */
    size_t n_params;       /* floats after the header                        */
    matvec_job *jobs;      /* (n_jobs,) layer-major: wq wk wv wo w1 w2 w3 of
                              layer 0, ..., then the classifier            */
    int n_jobs;            /* 7 * n_layers + 1                               */
    run_state state;       /* buffers of the forward pass                    */
} model;

typedef struct {
    char **vocab;         /* (vocab_size,) NUL-terminated token strings      */
    float *scores;        /* (vocab_size,) BPE merge scores                  */
    int vocab_size;       /* tokens (from the checkpoint)                    */
    int max_token_length; /* longest token in bytes (from the file)          */
    char byte_piece[256][2]; /* (256, 2) each byte as a 1-char string, for
                                the byte-fallback tokens <0x00>..<0xFF>   */
} tokenizer;

/* Error reporting: functions that can fail return 0 on success and -1 on
 * failure, with a complete message (file, what, what to do) in err. */

/* Checks that dir holds the checkpoint and the tokenizer (a missing file
 * fails with where to get it and where to put it), reads both, verifies them
 * against dir/SHA256SUMS (or, when that file is absent, against the
 * published checksums built in here, with a note on stderr), and builds m
 * and t from the verified bytes. */
int load_model_dir(const char *dir, model *m, tokenizer *t, char *err, size_t errlen);

/* The pieces, for tests and other front ends.  build_model parses a
 * checkpoint image (name is used in messages only); build_tokenizer parses
 * a tokenizer image for vocab_size tokens. */
int build_model(model *m, const char *name, const uint8_t *data, size_t size, char *err,
                size_t errlen);
void free_model(model *m);
/* A second, independent instance of src (its own weights copy, jobs and run
 * state), e.g. to run a reference backend beside the main one. */
int copy_model(model *dst, const model *src, char *err, size_t errlen);
int build_tokenizer(tokenizer *t, const char *name, const uint8_t *data, size_t size,
                    int vocab_size, char *err, size_t errlen);
void free_tokenizer(tokenizer *t);

/* Checks data against the SHA-256 listed for file_name in dir/SHA256SUMS;
 * a mismatch names the file and both hashes. */
int verify_checksum(const char *dir, const char *file_name, const uint8_t *data, size_t size,
                    char *err, size_t errlen);

/* The job of one weight matrix (layer ignored for WEIGHT_CLS). */
const matvec_job *model_job(const model *m, int layer, weight_kind kind);

/* Runs token at position pos (0 <= pos < seq_len; the KV cache must hold
 * positions 0..pos-1 of the same sequence) and leaves the next-token logits
 * in m->state.logits.  Returns -1 with a message naming the job if the
 * backend fails. */
int model_forward(model *m, const matvec_backend *be, int token, int pos, char *err,
                  size_t errlen);

/* Greedy sampling: the index of the largest logit, the lowest index on ties;
 * NaNs are never chosen (returns -1 if all n are NaN). */
int sample_argmax(const float *logits, int n);

/* The text of token following prev: the leading space of a word is dropped
 * after BOS, and byte-fallback tokens <0xHH> become that byte.  *len gets
 * the length (a byte piece may be "\0" of length 1). */
const char *tokenizer_decode(const tokenizer *t, int prev, int token, size_t *len);

#endif
