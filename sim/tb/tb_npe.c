/*
 * sim/tb/tb_npe.c - block-level co-simulation of one rtl_gen configuration
 * against kernels_ref (issue 4): the format decoders through the decode
 * probe, and the lanes through the SIMD engine, every result and flag
 * compared with engine_dot() and every output checked at its exact cycle.
 *
 *   tb_npe decode   every enabled format: all 4-/8-bit codes (OVP: all pairs),
 *                   16-bit: edges + 100k random codes; (neg, exp, sig) and
 *                   flags equal to fmt_decode / fmt_decode_vec
 *   tb_npe pairs4   every enabled 4-bit x 4-bit format pair: every pair of
 *                   element pairs (w0,w1) x (a0,a1), i.e. all 2^16 code
 *                   combinations, packed into one-step rows
 *   tb_npe pairs8   every enabled format pair with an 8-bit operand (and the
 *                   other 4 or 8 bits): all code pairs (w, a), each with a
 *                   random OVP-style partner element, in one-step rows
 *   tb_npe dots     every enabled format pair: random dot products of random
 *                   lengths 1..K_MAX (odd, partial steps, K_MAX itself),
 *                   back to back, random idle gaps, special codes (NaR,
 *                   victim markers, extremes), MX with random/NaN scales;
 *                   then rows of random format pairs back to back
 *   tb_npe speed    simulated cycles/s of the engine, no checking
 *
 * Plusargs: +trace[=file.fst] (model built with tracing), and Verilator's.
 * Environment: TEST_SEED (replay), SIM_PRODUCTS and SIM_ROWS (budget and
 * minimum rows per pair of `dots`),
 * SIM_RANDOM16 (random codes per 16-bit format in `decode`),
 * SIM_SPEED_CYCLES (cycles of `speed`).
 *
 * Steps are packed as docs/architecture.md section 4 specifies (fields,
 * OVP nibble order, padding of the last step).
 *
 * Clocking convention (tb.h): inputs are set, then tick().  A row's result
 * is due LATENCY ticks after the tick that samples its in_last step: the
 * monitor expects out_valid exactly then and never at any other cycle.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdbool.h>
#include <stdlib.h>

#include "engine.h"
#include "npe_params.h"
#include "tb.h"

#ifndef NPE_CFG
#define NPE_CFG "npe"
#endif

#define LANES P_LANES
#define J P_J
#define LANE_BITS (16 * J)       /* weight bits per lane per cycle     */
#define ACC_W P_ACC_W
#define K_MAX P_K_MAX
#define LATENCY P_LATENCY
#define MX_BLOCK 32              /* OCP MX v1.0: 32 elements per scale */
#define QN 64                    /* rows in flight (>= LATENCY + 1)     */
#define NBLK_MAX ((K_MAX + MX_BLOCK - 1) / MX_BLOCK)

#if LATENCY + 2 > QN
#error "raise QN above LATENCY"
#endif

/* ------------------------------------------------------------ formats */

static int fbits(fmt_id f) { return fmt_get(f)->bits; }
static bool is_ovp(fmt_id f) { return fmt_get(f)->family == FAM_OVP; }
static bool is_posit(fmt_id f) { return fmt_get(f)->family == FAM_POSIT; }
static bool is_mx(fmt_id f) { return fmt_get(f)->block > 0; }
static const char *fname(fmt_id f) { return fmt_get(f)->name; }
static uint16_t fmask(fmt_id f) { return (uint16_t)((1u << fbits(f)) - 1); }
static uint16_t top_code(fmt_id f) { return (uint16_t)(1u << (fbits(f) - 1)); }
static bool enabled_w(int f) { return (P_WMASK >> f) & 1; }
static bool enabled_a(int f) { return (P_AMASK >> f) & 1; }

/* An OVP pair next to a 16-bit operand would straddle two units: the
 * engine does not support it (docs/protocol.md section 1). */
static bool pair_supported(fmt_id w, fmt_id a) {
    return !(is_ovp(w) && fbits(a) == 16) && !(is_ovp(a) && fbits(w) == 16);
}

/* rtl_gen's PAIR_MASK_<w> (the pairs the engine computes), by format id. */
static uint32_t header_pair_mask(fmt_id w) {
    static const uint32_t m[FMT_COUNT] = {
#define FMT(id, name, fam, bits, blk, es, on, mb, bias, src) P_PAIR_MASK_##id,
#include "formats.def"
#undef FMT
    };
    return m[w];
}

/* The rule above and the header must agree for every enabled weight format. */
static void check_pair_masks(tb *t) {
    for (int w = 0; w < FMT_COUNT; w++) {
        if (!enabled_w(w))
            continue;
        uint32_t mine = 0;
        for (int a = 0; a < FMT_COUNT; a++)
            if (enabled_a(a) && pair_supported((fmt_id)w, (fmt_id)a))
                mine |= 1u << a;
        TB_CHECK_EQ(t, header_pair_mask((fmt_id)w), mine,
                    "PAIR_MASK_%s of the configuration header vs. the supported-pair rule",
                    fname((fmt_id)w));
    }
}

/* ------------------------------------------------------------ the DUT */

typedef struct {
    int rst, wfmt, afmt, in_valid, in_first, in_last, in_blk_last;
    int w_data, a_data, w_scale, a_scale;
    int out_valid, out_acc, out_flags;
} eng_ports;

/* One row: what is driven and what must come back. */
typedef struct {
    fmt_id wf, af;
    size_t k;
    uint16_t w[LANES][K_MAX + 1]; /* weight codes per lane              */
    uint16_t a[K_MAX + 1];        /* activation codes (shared)          */
    uint8_t ws[LANES][NBLK_MAX];  /* E8M0 weight scales (MX weights)    */
    uint8_t as[NBLK_MAX];         /* E8M0 activation scales (MX acts)   */
    wide acc[LANES];              /* engine_dot's accumulator per lane  */
    unsigned flags[LANES];        /* and its flags                      */
    uint64_t id;
    uint64_t due; /* cycle at which out_valid must show this row */
} row;

typedef struct {
    tb t;
    eng_ports p;
    engine_cfg cfg;
    row *q;              /* ring of rows in flight, QN entries          */
    uint64_t head, tail; /* q[head % QN] is the next result due         */
    bool monitor_on;
    uint64_t rows, steps, gaps, bad_rows;
    uint64_t flag_rows[4]; /* rows (lane results) raising each flag    */
    bool checking;       /* false in `speed`: results are not compared  */
} npe;

static void eng_ports_find(eng_ports *p) {
    p->rst = tb_port("rst");
    p->wfmt = tb_port("eng_wfmt");
    p->afmt = tb_port("eng_afmt");
    p->in_valid = tb_port("eng_in_valid");
    p->in_first = tb_port("eng_in_first");
    p->in_last = tb_port("eng_in_last");
    p->in_blk_last = tb_port("eng_in_blk_last");
    p->w_data = tb_port("eng_w_data");
    p->a_data = tb_port("eng_a_data");
    p->w_scale = tb_port("eng_w_scale");
    p->a_scale = tb_port("eng_a_scale");
    p->out_valid = tb_port("eng_out_valid");
    p->out_acc = tb_port("eng_out_acc");
    p->out_flags = tb_port("eng_out_flags");
}

static void print_codes(const char *what, const uint16_t *c, size_t k) {
    fprintf(stderr, "    %s:", what);
    for (size_t i = 0; i < k; i++) {
        if (k > 64 && i == 32) {
            fprintf(stderr, " ...");
            i = k - 32;
        }
        fprintf(stderr, " %x", c[i]);
    }
    fprintf(stderr, "\n");
}

/* Compare every lane of the result on the outputs with row r. */
static void check_row(npe *n, const row *r) {
    uint32_t accw[TB_WORDS], got[TB_WORDS], exp[TB_WORDS];
    tb_get_words(&n->t, n->p.out_acc, accw);
    uint64_t flags = tb_get(&n->t, n->p.out_flags);
    bool bad = false;
    for (int l = 0; l < LANES; l++) {
        char gh[80], eh[80];
        bits_slice(got, accw, l * ACC_W, ACC_W);
        memset(exp, 0, sizeof exp);
        for (int i = 0; i < VSIM_WORDS(ACC_W); i++)
            exp[i] = wide_word32(r->acc[l], i);
        if (ACC_W % 32)
            exp[VSIM_WORDS(ACC_W) - 1] &= (1u << (ACC_W % 32)) - 1;
        unsigned gf = (unsigned)(flags >> (4 * l)) & 15;
        for (int b = 0; b < 4; b++)
            n->flag_rows[b] += (r->flags[l] >> b) & 1;
        if (memcmp(got, exp, (size_t)VSIM_WORDS(ACC_W) * 4) || gf != r->flags[l]) {
            TB_CHECK(&n->t, 0,
                     "row %" PRIu64 " lane %d (%s x %s, k=%zu): acc got 0x%s flags 0x%x, "
                     "expected acc 0x%s flags 0x%x",
                     r->id, l, fname(r->wf), fname(r->af), r->k,
                     bits_hex(got, ACC_W, gh, sizeof gh), gf, bits_hex(exp, ACC_W, eh, sizeof eh),
                     r->flags[l]);
            if (n->bad_rows < 3) {
                print_codes("w", r->w[l], r->k);
                print_codes("a", r->a, r->k);
            }
            bad = true;
        }
    }
    n->bad_rows += bad;
}

/* The passive monitor: after every rising edge, out_valid must be high
 * exactly when a row is due, and that row's results must match. */
static void npe_monitor(tb *t, void *ctx) {
    npe *n = ctx;
    if (!n->monitor_on)
        return;
    bool v = tb_get(t, n->p.out_valid) & 1;
    row *r = n->head != n->tail ? &n->q[n->head % QN] : NULL;
    if (r && r->due == t->cycle) {
        TB_CHECK(t, v, "row %" PRIu64 " (%s x %s, k=%zu): out_valid low, result due now", r->id,
                 fname(r->wf), fname(r->af), r->k);
        if (v && n->checking)
            check_row(n, r);
        n->head++;
    } else {
        TB_CHECK(t, !v, "out_valid high but no result due (next due: %s %" PRIu64 ")",
                 r ? "cycle" : "none", r ? r->due : 0);
    }
}

static void npe_open(npe *n, const char *test, int argc, char **argv) {
    static char name[96], trace[160];
    snprintf(name, sizeof name, "sim_%s_%s", NPE_CFG, test);
    snprintf(trace, sizeof trace, "build/sim/%s/%s.fst", NPE_CFG, test);
    memset(n, 0, sizeof *n);
    n->q = calloc(QN, sizeof *n->q);
    if (!n->q)
        abort();
    tb_open(&n->t, name, argc, argv, trace);
    eng_ports_find(&n->p);
    check_pair_masks(&n->t);
    n->cfg = (engine_cfg){.acc_w = P_ACC_W, .acc_lsb = P_ACC_LSB, .k_max = P_K_MAX, .subunits = J};
    n->checking = true;
    printf("%s: config %s: LANES %d, J %d, STREAM_W %d, ACC_W %d, ACC_LSB %d, K_MAX %d, "
           "LATENCY %d, weights 0x%x, activations 0x%x\n",
           name, NPE_CFG, LANES, J, P_STREAM_W, P_ACC_W, P_ACC_LSB, P_K_MAX, LATENCY,
           (unsigned)P_WMASK, (unsigned)P_AMASK);
}

/* Random values on every data/control input except in_valid (held low):
 * the engine must ignore them. */
static void drive_garbage(npe *n) {
    uint32_t w[TB_WORDS];
    for (int i = 0; i < TB_WORDS; i++)
        w[i] = (uint32_t)rnd64();
    tb_set(&n->t, n->p.in_valid, 0);
    tb_set(&n->t, n->p.in_first, rnd64() & 1);
    tb_set(&n->t, n->p.in_last, rnd64() & 1);
    tb_set(&n->t, n->p.in_blk_last, rnd64() & 1);
    tb_set_words(&n->t, n->p.w_data, w);
    tb_set_words(&n->t, n->p.a_data, w + 3);
    tb_set_words(&n->t, n->p.w_scale, w + 1);
    tb_set(&n->t, n->p.a_scale, rnd64());
}

static void idle(npe *n, int cycles) {
    for (int i = 0; i < cycles; i++) {
        drive_garbage(n);
        tick(&n->t);
    }
}

/* Synchronous reset with garbage on the inputs; the monitor starts after
 * the first reset edge (before it the outputs hold random reset values). */
static void npe_reset(npe *n) {
    tb_set(&n->t, n->p.rst, 1);
    idle(n, 1);
    n->monitor_on = true;
    idle(n, 3);
    tb_set(&n->t, n->p.rst, 0);
}

/* Idle until every row in flight has come back. */
static void drain(npe *n) {
    for (int i = 0; n->head != n->tail; i++) {
        if (i > LATENCY + 2) {
            TB_CHECK(&n->t, 0, "%" PRIu64 " result(s) never came", n->tail - n->head);
            n->head = n->tail;
            break;
        }
        idle(n, 1);
    }
}

static void set_formats(npe *n, fmt_id wf, fmt_id af) {
    drain(n);
    tb_set(&n->t, n->p.wfmt, wf);
    tb_set(&n->t, n->p.afmt, af);
    idle(n, 2);
}

static int step_elems(fmt_id wf, fmt_id af) { return engine_step(&(engine_cfg){.subunits = J}, wf, af); }

/* The row in the next free queue slot, to be filled and then sent. */
static row *row_new(npe *n, fmt_id wf, fmt_id af, size_t k) {
    if (n->tail - n->head >= QN) {
        fprintf(stderr, "tb_npe: row queue overflow\n");
        abort();
    }
    row *r = &n->q[n->tail % QN];
    r->wf = wf;
    r->af = af;
    r->k = k;
    memset(r->a, 0, (k + 1) * sizeof r->a[0]);
    for (int l = 0; l < LANES; l++)
        memset(r->w[l], 0, (k + 1) * sizeof r->w[l][0]);
    memset(r->as, E8M0_BIAS, sizeof r->as);
    memset(r->ws, E8M0_BIAS, sizeof r->ws);
    return r;
}

/* The E-bit field of a step word that holds element i of the step
 * (docs/protocol.md section 1): in order, except that with the OVP nibble
 * order "first-high" an OVP pair's first element is in the upper field. */
static int field_of(fmt_id f, int i) { return is_ovp(f) && P_OVP_FIRST_HIGH ? i ^ 1 : i; }

/* The code of the element beyond an odd row (docs/architecture.md section
 * 4): 0, except that an OVP pair whose real element is the victim marker is
 * completed with the marker (a 0 beside it would decode as an outlier, which
 * kernels_ref never counts but the lane would multiply). */
static uint16_t pad_code(fmt_id f, const uint16_t *codes, size_t k) {
    uint16_t vm = is_ovp(f) ? ovp_victim_code(fmt_get(f)) : 0;
    return is_ovp(f) && k % 2 && codes[k - 1] == vm ? vm : 0;
}

/* Compute the expected results, then stream the row, one step per cycle
 * (with idle gaps when gap_pct > 0).  The formats are driven with every
 * step (held through gaps): they may change from one row to the next. */
static void send_row(npe *n, row *r, int gap_pct) {
    int E = fbits(r->wf) > fbits(r->af) ? fbits(r->wf) : fbits(r->af);
    int S = step_elems(r->wf, r->af);
    size_t steps = (r->k + (size_t)S - 1) / (size_t)S;
    r->id = n->rows++;
    /* an odd OVP row carries its pad code (docs/protocol.md section 1) */
    r->a[r->k] = pad_code(r->af, r->a, r->k);
    for (int l = 0; l < LANES; l++)
        r->w[l][r->k] = pad_code(r->wf, r->w[l], r->k);
    if (n->checking)
        for (int l = 0; l < LANES; l++)
            r->flags[l] = engine_dot(&n->cfg, r->wf, r->af, r->w[l], r->a, r->k,
                                     is_mx(r->wf) ? r->ws[l] : NULL, is_mx(r->af) ? r->as : NULL,
                                     &r->acc[l]);
    for (size_t s = 0; s < steps; s++) {
        while (gap_pct && (int)rnd_below(100) < gap_pct) {
            idle(n, 1);
            n->gaps++;
        }
        uint32_t w[TB_WORDS] = {0}, a[TB_WORDS] = {0}, ws[TB_WORDS] = {0};
        size_t e0 = s * (size_t)S, e1 = e0 + (size_t)S < r->k ? e0 + (size_t)S : r->k;
        for (size_t e = e0; e < e1; e++) {
            int i = (int)(e - e0), wo = field_of(r->wf, i) * E, ao = field_of(r->af, i) * E;
            bits_put(a, ao, E, r->a[e]);
            for (int l = 0; l < LANES; l++)
                bits_put(w, l * LANE_BITS + wo, E, r->w[l][e]);
        }
        bool last = e1 == r->k;
        if (last && r->k % 2) { /* odd row: the pad completes the last pair */
            int i = (int)(r->k - e0), wo = field_of(r->wf, i) * E, ao = field_of(r->af, i) * E;
            if (i < S) {
                bits_put(a, ao, E, pad_code(r->af, r->a, r->k));
                for (int l = 0; l < LANES; l++)
                    bits_put(w, l * LANE_BITS + wo, E, pad_code(r->wf, r->w[l], r->k));
            }
        }
        /* A block ends in this step (MX: the lane needs S | 32, see
         * check_mx_step), or the row does. */
        bool blk_last = last || e1 % MX_BLOCK == 0;
        size_t b = (e1 - 1) / MX_BLOCK;
        for (int l = 0; l < LANES; l++)
            bits_put(ws, 8 * l, 8, blk_last ? r->ws[l][b] : (uint8_t)rnd64());
        tb_set_words(&n->t, n->p.w_data, w);
        tb_set_words(&n->t, n->p.a_data, a);
        tb_set_words(&n->t, n->p.w_scale, ws);
        tb_set(&n->t, n->p.a_scale, blk_last ? r->as[b] : (uint8_t)rnd64());
        tb_set(&n->t, n->p.wfmt, r->wf);
        tb_set(&n->t, n->p.afmt, r->af);
        tb_set(&n->t, n->p.in_valid, 1);
        tb_set(&n->t, n->p.in_first, s == 0);
        tb_set(&n->t, n->p.in_last, last);
        tb_set(&n->t, n->p.in_blk_last, blk_last);
        if (last) {
            r->due = n->t.cycle + LATENCY;
            n->tail++;
        }
        tick(&n->t);
        n->steps++;
    }
}

/* MX rows put one scale per lane on a step, so blocks must not straddle
 * steps: S must divide 32 (rtl_gen guarantees it for MX configurations). */
static bool check_mx_step(npe *n, fmt_id wf, fmt_id af) {
    int S = step_elems(wf, af);
    if ((is_mx(wf) || is_mx(af)) && MX_BLOCK % S) {
        TB_CHECK(&n->t, 0, "%s x %s: %d elements per step do not divide the MX block of %d",
                 fname(wf), fname(af), S, MX_BLOCK);
        return false;
    }
    return true;
}

static void npe_summary(npe *n, const char *what) {
    printf("%s: %s: %" PRIu64 " rows x %d lanes, %" PRIu64 " steps, %" PRIu64
           " idle gaps; lane results with INEXACT %" PRIu64 ", OVERFLOW %" PRIu64
           ", NAR %" PRIu64 ", NAN_SCALE %" PRIu64 "\n",
           n->t.name, what, n->rows, LANES, n->steps, n->gaps, n->flag_rows[0], n->flag_rows[1],
           n->flag_rows[2], n->flag_rows[3]);
}

static int npe_close(npe *n) {
    drain(n);
    idle(n, LATENCY + 2); /* nothing more may come out */
    int rc = tb_close(&n->t);
    free(n->q);
    return rc;
}

/* ------------------------------------------------------------ codes */

/* A code of format f; `special` codes (0, NaR, the OVP victim marker, the
 * extremes) with probability special_pct. */
static uint16_t code_of(fmt_id f, int special_pct, bool allow_nar) {
    uint16_t c;
    if ((int)rnd_below(100) < special_pct) {
        uint16_t m = fmask(f), t = top_code(f);
        uint16_t sp[] = {0, t, (uint16_t)(t - 1), (uint16_t)(t + 1), m, 1, (uint16_t)(m >> 1)};
        c = sp[rnd_below(sizeof sp / sizeof sp[0])];
    } else {
        c = (uint16_t)(rnd64() & fmask(f));
    }
    if (!allow_nar && is_posit(f) && c == top_code(f))
        c = 0;
    return c;
}

/* Magnitude order of a code's decoded value (for picking large ones). */
static double code_mag(fmt_id f, uint16_t c0, uint16_t c1) {
    decoded d[2];
    uint16_t c[2] = {c0, c1};
    fmt_decode_vec(f, c, is_ovp(f) ? 2 : 1, d);
    return decoded_to_double(d[0]) < 0 ? -decoded_to_double(d[0]) : decoded_to_double(d[0]);
}

/* Fill codes[0..k) of format f in one of several styles:
 *   0 uniform, 1 no NaR, 2 specials-rich, 3 large magnitudes, 4 large and
 *   non-negative (so that products add up: overflow), 5 sparse (mostly 0). */
static void fill_codes(fmt_id f, uint16_t *codes, size_t k, int style) {
    for (size_t i = 0; i < k; i++) {
        switch (style) {
        case 0:
            codes[i] = code_of(f, 0, true);
            break;
        case 1:
            codes[i] = code_of(f, 5, false);
            break;
        case 2:
            codes[i] = code_of(f, 30, true);
            break;
        case 3:
        case 4: {
            /* best of 8 draws by magnitude; OVP: as the outlier of a pair */
            uint16_t best = 0;
            double bm = -1;
            for (int d = 0; d < 8; d++) {
                uint16_t c = code_of(f, 0, false);
                if (style == 4 && f != FMT_FP4 && f != FMT_MXFP4)
                    c &= (uint16_t)(fmask(f) >> 1); /* sign bit clear: >= 0 */
                if (style == 4 && (f == FMT_FP4 || f == FMT_MXFP4))
                    c &= 7;
                double m = code_mag(f, c, is_ovp(f) ? ovp_victim_code(fmt_get(f)) : 0);
                if (m > bm) {
                    bm = m;
                    best = c;
                }
            }
            codes[i] = best;
            break;
        }
        default:
            codes[i] = rnd_below(4) ? 0 : code_of(f, 10, true);
            break;
        }
    }
    if (is_ovp(f)) {
        /* Victim markers: in large styles every pair is (outlier, victim);
         * otherwise a quarter of the pairs get one. */
        uint16_t vm = ovp_victim_code(fmt_get(f));
        for (size_t i = 0; i + 1 < k; i += 2) {
            if (style == 3 || style == 4) {
                if (rnd64() & 1) {
                    codes[i + 1] = codes[i];
                    codes[i] = vm;
                } else {
                    codes[i + 1] = vm;
                }
            } else if (rnd_below(4) == 0) {
                codes[i + (rnd64() & 1)] = vm;
            }
        }
    }
}

static void fill_scales(uint8_t *s, size_t nblk, int style) {
    for (size_t b = 0; b < nblk; b++) {
        int v;
        switch (style) {
        case 0: /* near 2^0 */
            v = E8M0_BIAS - 4 + (int)rnd_below(9);
            break;
        case 1: /* anywhere, NaN excluded */
            v = (int)rnd_below(255);
            break;
        case 2: { /* the ends of the range */
            static const int ends[] = {0, 1, 2, 252, 253, 254};
            v = ends[rnd_below(6)];
            break;
        }
        default: /* near 2^0 with NaN blocks */
            v = rnd_below(8) ? E8M0_BIAS - 4 + (int)rnd_below(9) : E8M0_NAN;
            break;
        }
        s[b] = (uint8_t)v;
    }
}

/* ------------------------------------------------------------ tests */

/* SKIP line for a test that has nothing to check in this configuration. */
static int skip_test(const char *test, const char *why) {
    static char name[96];
    snprintf(name, sizeof name, "sim_%s_%s", NPE_CFG, test);
    check_name = name;
    return check_skip(why);
}


/* Format pairs of the configuration, filtered by operand widths. */
typedef bool (*pair_filter)(fmt_id wf, fmt_id af);

static int for_pairs(pair_filter keep, fmt_id *wfs, fmt_id *afs) {
    int n = 0;
    for (int w = 0; w < FMT_COUNT; w++)
        for (int a = 0; a < FMT_COUNT; a++)
            if (enabled_w(w) && enabled_a(a) && pair_supported((fmt_id)w, (fmt_id)a) &&
                keep((fmt_id)w, (fmt_id)a)) {
                wfs[n] = (fmt_id)w;
                afs[n] = (fmt_id)a;
                n++;
            }
    return n;
}

static bool pair_4x4(fmt_id w, fmt_id a) { return fbits(w) == 4 && fbits(a) == 4; }
static bool pair_8(fmt_id w, fmt_id a) {
    int bw = fbits(w), ba = fbits(a);
    return (bw == 8 && ba <= 8) || (ba == 8 && bw <= 8);
}
static bool pair_any(fmt_id w, fmt_id a) { return (void)w, (void)a, true; }

/* pairs4: all 2^16 combinations (w0, w1, a0, a1) of two adjacent element
 * pairs (so OVP pairs see every victim/outlier case).  A slot is one
 * element pair; a step holds S/2 slots.  Activations are shared by the
 * lanes, so slot j of activation pair A gives lane l weight pair
 * j * LANES + l. */
static int test_pairs4(int argc, char **argv) {
    fmt_id wfs[FMT_COUNT * FMT_COUNT], afs[FMT_COUNT * FMT_COUNT];
    int np = for_pairs(pair_4x4, wfs, afs);
    if (!np)
        return skip_test("pairs4", "no enabled 4-bit x 4-bit format pair");
    npe n;
    npe_open(&n, "pairs4", argc, argv);
    tb_add_monitor(&n.t, npe_monitor, &n);
    npe_reset(&n);
    int per_a = (256 + LANES - 1) / LANES; /* slots per activation pair */
    for (int p = 0; p < np; p++) {
        fmt_id wf = wfs[p], af = afs[p];
        if (!check_mx_step(&n, wf, af))
            continue;
        set_formats(&n, wf, af);
        int S = step_elems(wf, af), spr = S / 2; /* slots per row */
        int nslots = 256 * per_a;
        uint64_t rows0 = n.rows;
        for (int s0 = 0; s0 < nslots; s0 += spr) {
            row *r = row_new(&n, wf, af, (size_t)S);
            for (int j = 0; j < spr; j++) {
                int slot = (s0 + j) % nslots, A = slot / per_a, jw = slot % per_a;
                r->a[2 * j] = (uint16_t)(A >> 4);
                r->a[2 * j + 1] = (uint16_t)(A & 15);
                for (int l = 0; l < LANES; l++) {
                    int W = (jw * LANES + l) % 256;
                    r->w[l][2 * j] = (uint16_t)(W >> 4);
                    r->w[l][2 * j + 1] = (uint16_t)(W & 15);
                }
            }
            send_row(&n, r, 0);
        }
        printf("%s x %s: %d code combinations, %" PRIu64 " one-step rows\n", fname(wf),
               fname(af), 65536, n.rows - rows0);
    }
    npe_summary(&n, "pairs4");
    return npe_close(&n);
}

/* pairs8: every code pair (w, a) of format pairs with an 8-bit operand.
 * Each slot (element pair) carries the enumerated pair in one element
 * (alternating position) and a random partner in the other; OVP partners
 * are the victim marker a third of the time, so enumerated OVP codes are
 * seen as normals and as outliers. */
static uint16_t partner(fmt_id f) {
    if (is_ovp(f) && rnd_below(3) == 0)
        return ovp_victim_code(fmt_get(f));
    return code_of(f, 10, true);
}

static int test_pairs8(int argc, char **argv) {
    fmt_id wfs[FMT_COUNT * FMT_COUNT], afs[FMT_COUNT * FMT_COUNT];
    int np = for_pairs(pair_8, wfs, afs);
    if (!np)
        return skip_test("pairs8", "no enabled format pair with an 8-bit operand");
    npe n;
    npe_open(&n, "pairs8", argc, argv);
    tb_add_monitor(&n.t, npe_monitor, &n);
    npe_reset(&n);
    for (int p = 0; p < np; p++) {
        fmt_id wf = wfs[p], af = afs[p];
        if (!check_mx_step(&n, wf, af))
            continue;
        set_formats(&n, wf, af);
        int S = step_elems(wf, af), spr = S / 2;
        int nw = 1 << fbits(wf), na = 1 << fbits(af), per_a = (nw + LANES - 1) / LANES;
        int nslots = na * per_a;
        uint64_t rows0 = n.rows;
        for (int s0 = 0; s0 < nslots; s0 += spr) {
            row *r = row_new(&n, wf, af, (size_t)S);
            for (int j = 0; j < spr; j++) {
                int slot = (s0 + j) % nslots, A = slot / per_a, jw = slot % per_a;
                int pos = (A + jw) & 1; /* element of the pair holding the code */
                r->a[2 * j + pos] = (uint16_t)A;
                r->a[2 * j + !pos] = partner(af);
                for (int l = 0; l < LANES; l++) {
                    r->w[l][2 * j + pos] = (uint16_t)((jw * LANES + l) % nw);
                    r->w[l][2 * j + !pos] = partner(wf);
                }
            }
            send_row(&n, r, 0);
        }
        printf("%s x %s: %d code pairs, %" PRIu64 " one-step rows\n", fname(wf), fname(af),
               nw * na, n.rows - rows0);
    }
    npe_summary(&n, "pairs8");
    return npe_close(&n);
}

/* A random row length: short ones (partial steps), odd ones, up to K_MAX. */
static size_t rand_len(int S, size_t cap) {
    size_t k;
    switch (rnd_below(8)) {
    case 0:
    case 1:
        k = 1 + rnd_below((uint32_t)(3 * S));
        break;
    case 2:
    case 3:
        k = 1 + 2 * rnd_below((K_MAX + 1) / 2); /* odd */
        break;
    default:
        k = 1 + rnd_below(K_MAX < 256 ? K_MAX : 256);
        break;
    }
    k = k > cap ? cap : k;
    return k > K_MAX ? K_MAX : k < 1 ? 1 : k;
}

static int env_int(const char *name, int dflt) {
    const char *s = getenv(name);
    return s && *s ? atoi(s) : dflt;
}

/* Lengths every pair gets first: one element, partial and whole steps, MX
 * block edges, K_MAX. */
static size_t fixed_len(int i, int S) {
    const size_t l[] = {1, 2, 3, (size_t)S - 1, (size_t)S + 1, 2 * (size_t)S + 1, 31, 33, 65,
                        K_MAX, K_MAX - 1};
    return i < (int)(sizeof l / sizeof l[0]) ? l[i] : 0;
}

/* Fill a row of k random elements (both operands, every lane, the scales)
 * and send it. */
static void random_row(npe *n, fmt_id wf, fmt_id af, size_t k) {
    size_t nblk = (k + MX_BLOCK - 1) / MX_BLOCK;
    row *r = row_new(n, wf, af, k);
    /* Same style for both operands most of the time, so that "large
     * non-negative" rows really add up. */
    int sa = (int)rnd_below(6), sw = rnd_below(4) ? sa : (int)rnd_below(6);
    fill_codes(af, r->a, k, sa);
    for (int l = 0; l < LANES; l++)
        fill_codes(wf, r->w[l], k, sw);
    int ss = (int)rnd_below(4);
    fill_scales(r->as, nblk, ss);
    for (int l = 0; l < LANES; l++)
        fill_scales(r->ws[l], nblk, ss);
    send_row(n, r, rnd_below(6) == 0 ? 25 : 0);
}

/* dots: kernels_ref's engine_dot is a deliberately plain oracle (about 2 us
 * per product), so the test has a budget of lane-products (SIM_PRODUCTS,
 * default 10M, about 25 s of reference time).  Nine tenths are shared by the
 * format pairs, one pair after the other: each gets the fixed lengths, then
 * random rows, at least SIM_ROWS.  The last tenth goes to rows of random
 * format pairs back to back: the formats change from one row to the next
 * while the previous rows are still in the pipeline. */
static int test_dots(int argc, char **argv) {
    npe n;
    npe_open(&n, "dots", argc, argv);
    tb_add_monitor(&n.t, npe_monitor, &n);
    npe_reset(&n);
    int min_rows = env_int("SIM_ROWS", 24);
    double budget = (double)env_int("SIM_PRODUCTS", 10000000);
    fmt_id wfs[FMT_COUNT * FMT_COUNT], afs[FMT_COUNT * FMT_COUNT];
    int np = for_pairs(pair_any, wfs, afs);
    size_t per_pair = (size_t)(0.9 * budget / np / LANES); /* elements per lane */
    for (int p = 0; p < np; p++) {
        fmt_id wf = wfs[p], af = afs[p];
        if (!check_mx_step(&n, wf, af))
            continue;
        set_formats(&n, wf, af);
        int S = step_elems(wf, af);
        uint64_t steps0 = n.steps, rows0 = n.rows;
        size_t used = 0;
        for (int i = 0; i < min_rows || used < per_pair; i++) {
            size_t k = fixed_len(i, S);
            if (k == 0 || k > K_MAX)
                k = rand_len(S, used < per_pair ? per_pair - used : 3 * (size_t)S);
            used += k;
            random_row(&n, wf, af, k);
        }
        printf("%s x %s: %" PRIu64 " rows, %zu elements per lane, %" PRIu64 " steps\n",
               fname(wf), fname(af), n.rows - rows0, used, n.steps - steps0);
    }
    uint64_t rows0 = n.rows, switches = 0;
    fmt_id pw = wfs[0], pa = afs[0];
    for (size_t used = 0; used < (size_t)(0.1 * budget / LANES);) {
        int p = (int)rnd_below((uint32_t)np);
        if (!check_mx_step(&n, wfs[p], afs[p]))
            break;
        size_t k = rand_len(step_elems(wfs[p], afs[p]), 300);
        switches += wfs[p] != pw || afs[p] != pa;
        pw = wfs[p];
        pa = afs[p];
        used += k;
        random_row(&n, wfs[p], afs[p], k);
    }
    printf("mixed: %" PRIu64 " rows of random format pairs back to back, %" PRIu64
           " format changes\n", n.rows - rows0, switches);
    npe_summary(&n, "dots");
    return npe_close(&n);
}

/* speed: back-to-back rows of K_MAX elements of the first enabled pair,
 * inputs from a table of random steps; only the cycle timing is checked. */
static int test_speed(int argc, char **argv) {
    npe n;
    npe_open(&n, "speed", argc, argv);
    tb_add_monitor(&n.t, npe_monitor, &n);
    n.checking = false;
    npe_reset(&n);
    fmt_id wfs[FMT_COUNT * FMT_COUNT], afs[FMT_COUNT * FMT_COUNT];
    for_pairs(pair_any, wfs, afs);
    set_formats(&n, wfs[0], afs[0]);
    uint64_t cycles = (uint64_t)env_int("SIM_SPEED_CYCLES", 2000000);
    int S = step_elems(wfs[0], afs[0]);
    uint64_t steps_per_row = (K_MAX + (uint64_t)S - 1) / (uint64_t)S;
    enum { NT = 256 };
    static uint32_t wt[NT][TB_WORDS], at[NT][TB_WORDS];
    for (int i = 0; i < NT; i++)
        for (int w = 0; w < TB_WORDS; w++) {
            wt[i][w] = (uint32_t)rnd64();
            at[i][w] = (uint32_t)rnd64();
        }
    double t0 = tb_now();
    uint64_t c0 = n.t.cycle;
    for (uint64_t c = 0; c < cycles; c++) {
        uint64_t s = c % steps_per_row;
        tb_set_words(&n.t, n.p.w_data, wt[c % NT]);
        tb_set_words(&n.t, n.p.a_data, at[c % NT]);
        tb_set(&n.t, n.p.in_valid, 1);
        tb_set(&n.t, n.p.in_first, s == 0);
        tb_set(&n.t, n.p.in_last, s == steps_per_row - 1);
        tb_set(&n.t, n.p.in_blk_last, 1);
        if (s == steps_per_row - 1) {
            row *r = &n.q[n.tail % QN];
            r->id = n.rows++;
            r->wf = wfs[0];
            r->af = afs[0];
            r->k = K_MAX;
            r->due = n.t.cycle + LATENCY;
            n.tail++;
        }
        tick(&n.t);
    }
    double dt = tb_now() - t0;
    printf("%s: %s x %s, %" PRIu64 " cycles in %.3f s: %.2f M cycles/s (test bench included), "
           "%.2f M cycles/s inside the model\n",
           n.t.name, fname(wfs[0]), fname(afs[0]), n.t.cycle - c0, dt,
           (double)(n.t.cycle - c0) / dt / 1e6, (double)n.t.cycle / n.t.t_sim / 1e6);
    return npe_close(&n);
}

/* ------------------------------------------------------------ decoders */

typedef struct {
    int fmt, c0, c1;
    int neg[2], exp[2], sig[2];
    int flags;
} probe_ports;

static int64_t sext(uint64_t v, int w) {
    return w >= 64 ? (int64_t)v : (int64_t)(v << (64 - w)) >> (64 - w);
}

typedef struct {
    tb *t;
    probe_ports p;
    uint64_t checked, bad;
} probe;

/* Decode (c0, c1) in format f on the probe and compare with kernels_ref.
 * Non-OVP formats decode each code on its own; OVP decodes the pair. */
static void probe_one(probe *pr, fmt_id f, uint16_t c0, uint16_t c1) {
    tb *t = pr->t;
    tb_set(t, pr->p.fmt, f);
    tb_set(t, pr->p.c0, c0);
    tb_set(t, pr->p.c1, c1);
    tb_eval(t);
    decoded d[2];
    uint16_t c[2] = {c0, c1};
    unsigned ef = fmt_decode_vec(f, c, 2, d);
    unsigned gf = (unsigned)tb_get(t, pr->p.flags);
    bool bad = gf != ef;
    for (int e = 0; e < 2; e++) {
        int gn = (int)tb_get(t, pr->p.neg[e]);
        int64_t gx = sext(tb_get(t, pr->p.exp[e]), tb_port_width(pr->p.exp[e]));
        uint64_t gs = tb_get(t, pr->p.sig[e]);
        if (gn != d[e].neg || gx != d[e].exp || gs != d[e].sig) {
            bad = true;
            TB_CHECK(t, 0,
                     "%s codes (0x%x, 0x%x) element %d: got (neg %d, exp %" PRId64
                     ", sig 0x%" PRIx64 "), expected (neg %d, exp %d, sig 0x%x)",
                     fname(f), c0, c1, e, gn, gx, gs, d[e].neg, d[e].exp, d[e].sig);
        }
    }
    TB_CHECK(t, gf == ef, "%s codes (0x%x, 0x%x): flags got 0x%x, expected 0x%x", fname(f), c0,
             c1, gf, ef);
    pr->checked++;
    pr->bad += bad;
}

static int test_decode(int argc, char **argv) {
    tb t;
    static char name[96];
    snprintf(name, sizeof name, "sim_%s_decode", NPE_CFG);
    char trace[160];
    snprintf(trace, sizeof trace, "build/sim/%s/decode.fst", NPE_CFG);
    tb_open(&t, name, argc, argv, trace);
    probe pr = {.t = &t};
    pr.p.fmt = tb_port("dp_fmt");
    pr.p.c0 = tb_port("dp_c0");
    pr.p.c1 = tb_port("dp_c1");
    pr.p.neg[0] = tb_port("dp_neg0");
    pr.p.exp[0] = tb_port("dp_exp0");
    pr.p.sig[0] = tb_port("dp_sig0");
    pr.p.neg[1] = tb_port("dp_neg1");
    pr.p.exp[1] = tb_port("dp_exp1");
    pr.p.sig[1] = tb_port("dp_sig1");
    pr.p.flags = tb_port("dp_flags");
    int n16 = env_int("SIM_RANDOM16", 100000);
    for (int fi = 0; fi < FMT_COUNT; fi++) {
        fmt_id f = (fmt_id)fi;
        if (!enabled_w(fi) && !enabled_a(fi))
            continue;
        uint64_t before = pr.checked;
        uint32_t nc = 1u << fbits(f);
        if (is_ovp(f)) { /* every pair */
            for (uint32_t c0 = 0; c0 < nc; c0++)
                for (uint32_t c1 = 0; c1 < nc; c1++)
                    probe_one(&pr, f, (uint16_t)c0, (uint16_t)c1);
        } else if (fbits(f) <= 8) { /* every code, in both elements */
            for (uint32_t c = 0; c < nc; c++)
                probe_one(&pr, f, (uint16_t)c, (uint16_t)((c * 37 + 11) & (nc - 1)));
        } else { /* 16 bits: edges (<= 2 bits set or clear), then random */
            for (int i = -1; i < 16; i++)
                for (int j = i; j < 16; j++) {
                    uint16_t e = (uint16_t)((i >= 0 ? 1u << i : 0) | (j >= 0 ? 1u << j : 0));
                    probe_one(&pr, f, e, (uint16_t)~e);
                    probe_one(&pr, f, (uint16_t)(e ^ 0x8000), (uint16_t)(~e ^ 0x8000));
                }
            for (int i = 0; i < n16; i++)
                probe_one(&pr, f, (uint16_t)rnd64(), (uint16_t)rnd64());
        }
        printf("%s: %" PRIu64 " code pairs decoded\n", fname(f), pr.checked - before);
    }
    printf("%s: %" PRIu64 " probes, %" PRIu64 " wrong\n", name, pr.checked, pr.bad);
    return tb_close(&t);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *test = argc > 1 ? argv[1] : "";
    if (!strcmp(test, "decode"))
        return test_decode(argc, argv);
    if (!strcmp(test, "pairs4"))
        return test_pairs4(argc, argv);
    if (!strcmp(test, "pairs8"))
        return test_pairs8(argc, argv);
    if (!strcmp(test, "dots"))
        return test_dots(argc, argv);
    if (!strcmp(test, "speed"))
        return test_speed(argc, argv);
    fprintf(stderr, "usage: %s decode|pairs4|pairs8|dots|speed [+trace[=file.fst]]\n"
                    "  (configuration %s; see sim/README.md)\n",
            argv[0], NPE_CFG);
    return 2;
}
