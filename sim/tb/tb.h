/*
 * sim/tb/tb.h - the generic C test-bench harness over the vsim shim.
 *
 * Header-only (like tests/unit/check.h, whose PASS/FAIL/SKIP conventions it
 * uses), so one test-bench source file includes it and stays one
 * translation unit.  What it gives every test bench:
 *
 *   tb_open()    the seed (TEST_SEED, printed), the model with random reset
 *                values seeded from it, +trace[=file] -> FST waveform
 *   tick()       the ONLY place the clock moves: one rising edge, then every
 *                registered monitor samples the outputs of that cycle
 *   TB_CHECK*()  failures print got/expected with the cycle number
 *   tb_close()   the final "PASS name" / "FAIL name: first failure" line
 *
 * Ports are looked up once by name (tb_port) and driven/sampled as 32-bit
 * word arrays, so any port width up to VSIM_MAX_BITS works the same way.
 */
#ifndef SIM_TB_H
#define SIM_TB_H

#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 199309L
#error "define _POSIX_C_SOURCE >= 199309L before any #include (clock_gettime)"
#endif
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "vsim.h"

#define TB_MAX_MONITORS 8
#define TB_WORDS VSIM_WORDS(VSIM_MAX_BITS)

typedef struct tb tb;
/* A monitor runs after every rising edge (passive: it only reads outputs). */
typedef void (*tb_monitor_fn)(tb *t, void *ctx);

struct tb {
    vsim *m;
    const char *name; /* test name, as in tests/tests.list */
    uint64_t seed;
    uint64_t cycle;   /* rising edges so far */
    double t_start;   /* wall clock at tb_open */
    double t_sim;     /* seconds spent inside the model (vsim_tick) */
    int nmon;
    struct {
        tb_monitor_fn fn;
        void *ctx;
    } mon[TB_MAX_MONITORS];
};

static inline double tb_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Open the model.  `name` is the test's name (PASS/FAIL line), trace_path
 * the FST file a bare +trace writes.  Exits 1 (FAIL) if the model cannot be
 * built, e.g. +trace on a model compiled without tracing. */
static inline void tb_open(tb *t, const char *name, int argc, char **argv,
                           const char *trace_path) {
    memset(t, 0, sizeof *t);
    t->name = check_name = name;
    t->seed = check_seed();
    /* The random reset values follow the test seed, so a replay with
     * TEST_SEED reproduces the initial state too (Verilator wants an int). */
    char seedarg[64];
    snprintf(seedarg, sizeof seedarg, "+verilator+seed+%u", (unsigned)(t->seed % 2147483647u) + 1);
    char *args[64];
    int n = 0;
    args[n++] = seedarg;
    for (int i = 1; i < argc && n < 63; i++)
        args[n++] = argv[i];
    t->m = vsim_create(n, args, trace_path);
    if (!t->m) {
        printf("FAIL %s: cannot create the model %s\n", name, vsim_model());
        exit(1);
    }
    if (vsim_traced(t->m))
        printf("tracing to %s\n", vsim_trace_path(t->m));
    t->t_start = tb_now();
}

static inline void tb_add_monitor(tb *t, tb_monitor_fn fn, void *ctx) {
    if (t->nmon == TB_MAX_MONITORS) {
        fprintf(stderr, "tb: more than %d monitors\n", TB_MAX_MONITORS);
        abort();
    }
    t->mon[t->nmon].fn = fn;
    t->mon[t->nmon].ctx = ctx;
    t->nmon++;
}

/* The one place the clock moves.  Inputs set before the call are sampled at
 * this rising edge; afterwards t->cycle counts it and the monitors see the
 * outputs it produced. */
static inline void tick(tb *t) {
    double t0 = tb_now();
    vsim_tick(t->m);
    t->t_sim += tb_now() - t0;
    t->cycle++;
    for (int i = 0; i < t->nmon; i++)
        t->mon[i].fn(t, t->mon[i].ctx);
}

/* Port handles and word-array access. */
static inline int tb_port(const char *name) { return vsim_port_req(name); }
static inline int tb_port_width(int p) { return vsim_port_width(p); }
static inline void tb_set(tb *t, int p, uint64_t v) { vsim_set_u64(t->m, p, v); }
static inline void tb_set_words(tb *t, int p, const uint32_t *w) { vsim_set(t->m, p, w); }
static inline uint64_t tb_get(tb *t, int p) { return vsim_get_u64(t->m, p); }
static inline void tb_get_words(tb *t, int p, uint32_t *w) { vsim_get(t->m, p, w); }
/* Settle combinational outputs after setting inputs (no clock edge). */
static inline void tb_eval(tb *t) { vsim_eval(t->m); }

/* Bit fields of word arrays (little-endian words, bit 0 = LSB of word 0). */
static inline void bits_put(uint32_t *w, int lo, int n, uint64_t v) {
    for (int i = 0; i < n; i++) {
        int b = lo + i;
        uint32_t m = 1u << (b % 32);
        if ((v >> i) & 1)
            w[b / 32] |= m;
        else
            w[b / 32] &= ~m;
    }
}
static inline uint64_t bits_get(const uint32_t *w, int lo, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n && i < 64; i++) {
        int b = lo + i;
        v |= (uint64_t)((w[b / 32] >> (b % 32)) & 1) << i;
    }
    return v;
}
/* Copy n bits starting at bit lo of src into dst (from bit 0), zero above. */
static inline void bits_slice(uint32_t *dst, const uint32_t *src, int lo, int n) {
    memset(dst, 0, (size_t)VSIM_WORDS(n) * sizeof *dst);
    for (int i = 0; i < n; i++) {
        int b = lo + i;
        if ((src[b / 32] >> (b % 32)) & 1)
            dst[i / 32] |= 1u << (i % 32);
    }
}
/* Hex of the low n bits of a word array, most significant digit first. */
static inline const char *bits_hex(const uint32_t *w, int n, char *buf, size_t len) {
    int digits = (n + 3) / 4;
    size_t k = 0;
    for (int d = digits - 1; d >= 0 && k + 1 < len; d--) {
        int v = (int)bits_get(w, 4 * d, 4 * d + 4 <= n ? 4 : n - 4 * d);
        buf[k++] = "0123456789abcdef"[v];
    }
    buf[k] = 0;
    return buf;
}

/* Checks that name the cycle.  TB_CHECK(t, cond, fmt, ...) records a failure;
 * TB_CHECK_EQ(t, got, expected, fmt, ...) prints both values in hex. */
#define TB_CHECK(t, cond, ...)                                                           \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            char m_[300];                                                                \
            snprintf(m_, sizeof m_, __VA_ARGS__);                                        \
            check_fail(__FILE__, __LINE__, "cycle %" PRIu64 ": %s", (t)->cycle, m_);     \
        }                                                                                \
    } while (0)
#define TB_CHECK_EQ(t, got, exp, ...)                                                    \
    do {                                                                                 \
        unsigned long long g_ = (unsigned long long)(got), e_ = (unsigned long long)(exp); \
        if (g_ != e_) {                                                                  \
            char m_[300];                                                                \
            snprintf(m_, sizeof m_, __VA_ARGS__);                                        \
            check_fail(__FILE__, __LINE__, "cycle %" PRIu64 ": %s: got 0x%llx, expected 0x%llx", \
                       (t)->cycle, m_, g_, e_);                                          \
        }                                                                                \
    } while (0)

/* Print the cycle statistics, close the model, print the final line and
 * return the exit code (0 PASS, 1 FAIL). */
static inline int tb_close(tb *t) {
    double wall = tb_now() - t->t_start;
    if (t->cycle)
        printf("%s: %" PRIu64 " cycles in %.2f s inside the model (%.2f M cycles/s), %.2f s wall\n",
               t->name, t->cycle, t->t_sim,
               t->t_sim > 0 ? (double)t->cycle / t->t_sim / 1e6 : 0.0, wall);
    else
        printf("%s: %.2f s wall\n", t->name, wall);
    vsim_destroy(t->m);
    t->m = NULL;
    return check_done();
}

#endif
