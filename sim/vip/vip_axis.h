/*
 * sim/vip/vip_axis.h - AXI4-Stream source, sink and passive monitor
 * (ports <prefix>tdata, tkeep, tlast, tvalid, tready; TDATA any multiple of
 * 8 bits up to 1024; TKEEP and TLAST optional: absent TKEEP means all
 * bytes, absent TLAST means no packets).
 *
 * Source: sends a queue of beats, one per handshake, holding each beat
 *   (VALID and payload) until TREADY.  Knobs: `gap` = probability that a
 *   cycle with a beat queued presents nothing (random TVALID gaps; 0 = a beat
 *   every cycle it can), `garbage` = random TDATA/TKEEP/TLAST while TVALID is
 *   low.  axis_source_push (one beat), axis_source_push_packet (bytes ->
 *   beats, TKEEP of the last beat a contiguous run from byte 0).
 * Sink: drives TREADY low with probability `stall` per cycle (0 = always
 *   ready) and collects every accepted beat with the cycle of its handshake;
 *   axis_sink_count / axis_sink_peek / axis_sink_pop read them in order
 *   (`collect` = false only counts them).
 * Both advance in vip_tick (vip.h), so they run during blocking register
 * accesses too.
 *
 * Monitor (passive, own port handles, registered with tb_add_monitor):
 *   axis.tvalid_drop  TVALID fell before the handshake
 *   axis.payload      TDATA, TKEEP or TLAST changed before the handshake
 *   axis.tkeep        an accepted beat breaks the monitor's TKEEP rule:
 *                       AXIS_KEEP_ANY    no rule (sparse/null bytes allowed)
 *                       AXIS_KEEP_ALL    all ones on every beat
 *                       AXIS_KEEP_PACKED all ones except on a TLAST beat,
 *                                        whose TKEEP is a non-empty run of
 *                                        ones from byte 0 (this project's
 *                                        streams, docs/protocol.md 2-3)
 *   axis.reset        TVALID high in a cycle after a reset edge (during reset
 *                     and in the first cycle after it)
 *   axis.no_reset     (summary) never saw a reset: nothing was checked
 *   axis.unsampled    the clock moved without vip_tick
 * It counts beats, packets, bytes, stall cycles (TVALID && !TREADY) and idle
 * cycles (!TVALID); axis_monitor_summary prints them.
 */
#ifndef SIM_VIP_AXIS_H
#define SIM_VIP_AXIS_H

#include "vip.h"

#define AXIS_MAX_BITS 1024
#define AXIS_WORDS (AXIS_MAX_BITS / 32)       /* TDATA words   */
#define AXIS_KEEP_WORDS (AXIS_MAX_BITS / 256) /* TKEEP words   */

typedef struct {
    uint32_t data[AXIS_WORDS];     /* TDATA, word 0 = bits 31:0, zero above the width */
    uint32_t keep[AXIS_KEEP_WORDS]; /* TKEEP, bit i = byte i                      */
    bool last;                     /* TLAST                                       */
    uint64_t cycle;                /* sink: cycle of the handshake (t->cycle after the edge) */
} axis_beat;

/* Fill a beat's TKEEP with its first n bytes (n = width/8: all). */
static inline void axis_keep_bytes(axis_beat *b, int n) {
    memset(b->keep, 0, sizeof b->keep);
    for (int i = 0; i < n; i++)
        b->keep[i / 32] |= 1u << (i % 32);
}

/* Byte i of a stream beat is TDATA bits [8i +: 8] (AXI4-Stream byte order),
 * so beats convert to and from byte arrays (e.g. host/packer.h's). */
static inline void axis_bytes_to_words(uint32_t *w, const uint8_t *bytes, int n) {
    memset(w, 0, (size_t)VSIM_WORDS(8 * n) * sizeof *w);
    for (int i = 0; i < n; i++)
        w[i / 4] |= (uint32_t)bytes[i] << (8 * (i % 4));
}
static inline void axis_beat_bytes(const axis_beat *b, uint8_t *out, int n) {
    for (int i = 0; i < n; i++)
        out[i] = (uint8_t)(b->data[i / 4] >> (8 * (i % 4)));
}

/* Same data (within `bits`), keep (within bits/8) and last. */
static inline bool axis_beat_equal(const axis_beat *a, const axis_beat *b, int bits) {
    for (int i = 0; i < bits; i += 32) {
        uint32_t m = bits - i >= 32 ? ~0u : (1u << (bits - i)) - 1;
        if ((a->data[i / 32] ^ b->data[i / 32]) & m)
            return false;
    }
    for (int i = 0; i < bits / 8; i++)
        if (((a->keep[i / 32] ^ b->keep[i / 32]) >> (i % 32)) & 1)
            return false;
    return a->last == b->last;
}

/* "data 0x.. keep 0x.. last N" (long data is shortened to its low 64 bits). */
static inline const char *axis_beat_str(const axis_beat *b, int bits, char *buf, size_t len) {
    char d[20], k[36];
    bits_hex(b->data, bits < 64 ? bits : 64, d, sizeof d);
    bits_hex(b->keep, bits / 8 < 128 ? bits / 8 : 128, k, sizeof k);
    snprintf(buf, len, "data %s0x%s keep 0x%s last %d", bits > 64 ? "(low 64) " : "", d, k, b->last);
    return buf;
}

/* ---------------------------------------------------------------- queue */

typedef struct {
    axis_beat *b;
    size_t cap, head, n; /* ring buffer, cap a power of two */
} axis_queue;

static inline void axis_queue_push(axis_queue *q, const axis_beat *b) {
    if (q->n == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 64;
        axis_beat *nb = malloc(cap * sizeof *nb);
        if (!nb) {
            fprintf(stderr, "vip: out of memory (%zu stream beats)\n", cap);
            abort();
        }
        for (size_t i = 0; i < q->n; i++)
            nb[i] = q->b[(q->head + i) & (q->cap - 1)];
        free(q->b);
        q->b = nb;
        q->cap = cap;
        q->head = 0;
    }
    q->b[(q->head + q->n) & (q->cap - 1)] = *b;
    q->n++;
}
static inline axis_beat *axis_queue_at(const axis_queue *q, size_t i) {
    return i < q->n ? &q->b[(q->head + i) & (q->cap - 1)] : NULL;
}
static inline bool axis_queue_pop(axis_queue *q, axis_beat *out) {
    if (!q->n)
        return false;
    if (out)
        *out = q->b[q->head];
    q->head = (q->head + 1) & (q->cap - 1);
    q->n--;
    return true;
}
static inline void axis_queue_free(axis_queue *q) {
    free(q->b);
    memset(q, 0, sizeof *q);
}

/* Ports of one stream interface. */
typedef struct {
    int tdata, tkeep, tlast, tvalid, tready; /* -1: absent (tkeep, tlast) */
    int bits;                                /* TDATA width               */
} axis_ports;

static inline void axis_ports_find(axis_ports *p, const vip_env *e, const char *prefix,
                                   const char *who) {
    p->tdata = vip_port(prefix, "tdata", true);
    p->tkeep = vip_port(prefix, "tkeep", false);
    p->tlast = vip_port(prefix, "tlast", false);
    p->tvalid = vip_port(prefix, "tvalid", true);
    p->tready = vip_port(prefix, "tready", true);
    p->bits = tb_port_width(p->tdata);
    if (p->bits % 8 || p->bits > AXIS_MAX_BITS)
        vip_die(e, "%s %s: TDATA is %d bits; must be a multiple of 8, at most %d", who, prefix,
                p->bits, AXIS_MAX_BITS);
    if (p->tkeep >= 0 && tb_port_width(p->tkeep) != p->bits / 8)
        vip_die(e, "%s %s: TKEEP is %d bits, TDATA/8 = %d", who, prefix, tb_port_width(p->tkeep),
                p->bits / 8);
}

/* Read the payload now on the ports (TKEEP all ones if absent). */
static inline void axis_ports_read(const axis_ports *p, tb *t, axis_beat *b) {
    memset(b, 0, sizeof *b);
    tb_get_words(t, p->tdata, b->data);
    if (p->tkeep >= 0)
        tb_get_words(t, p->tkeep, b->keep);
    else
        axis_keep_bytes(b, p->bits / 8);
    b->last = p->tlast >= 0 && (tb_get(t, p->tlast) & 1);
}

/* ================================================================ source */

typedef struct axis_source {
    vip_env *e;
    const char *prefix;
    double gap;   /* knob: P(no beat presented in a cycle that could), default 0.2 */
    bool garbage; /* knob: random payload while TVALID is low, default true    */
    axis_ports p;
    vip_rng rng;
    axis_queue q; /* beats not yet accepted; the front one may be on the bus */
    bool on;      /* the front beat is presented (TVALID high) this cycle     */
    bool held;    /* the front beat has been presented and not yet accepted  */
    uint64_t beats, packets, gaps; /* accepted beats, TLAST beats, gap cycles */
    uint64_t last_cycle;           /* cycle of the latest handshake           */
} axis_source;

static inline void axis_source_drive(void *ctx);
static inline void axis_source_sample(void *ctx);

static inline void axis_source_init(axis_source *s, vip_env *e, const char *prefix) {
    memset(s, 0, sizeof *s);
    s->e = e;
    s->prefix = prefix;
    s->gap = 0.2;
    s->garbage = true;
    axis_ports_find(&s->p, e, prefix, "axis source");
    vip_rng_seed(&s->rng, e->t->seed, "axis_source", prefix);
    vip_add_agent(e, axis_source_drive, axis_source_sample, s);
}

static inline void axis_source_free(axis_source *s) { axis_queue_free(&s->q); }

/* Queue one beat: data = TDATA words (bits above the width ignored), keep =
 * TKEEP words (NULL: all ones). */
static inline void axis_source_push(axis_source *s, const uint32_t *data, const uint32_t *keep,
                                    bool last) {
    axis_beat b;
    memset(&b, 0, sizeof b);
    memcpy(b.data, data, (size_t)VSIM_WORDS(s->p.bits) * sizeof *data);
    if (keep)
        memcpy(b.keep, keep, (size_t)VSIM_WORDS(s->p.bits / 8) * sizeof *keep);
    else
        axis_keep_bytes(&b, s->p.bits / 8);
    b.last = last;
    axis_queue_push(&s->q, &b);
}

/* Queue n > 0 bytes as one packet: byte i at bits [8i +: 8] of the stream,
 * TLAST and a TKEEP run from byte 0 on the last beat. */
static inline void axis_source_push_packet(axis_source *s, const uint8_t *bytes, size_t n) {
    size_t nb = (size_t)s->p.bits / 8;
    for (size_t off = 0; off < n; off += nb) {
        axis_beat b;
        memset(&b, 0, sizeof b);
        size_t k = n - off < nb ? n - off : nb;
        axis_bytes_to_words(b.data, bytes + off, (int)k);
        axis_keep_bytes(&b, (int)k);
        b.last = off + nb >= n;
        axis_queue_push(&s->q, &b);
    }
}

/* Beats queued and not yet accepted (including the one on the bus). */
static inline size_t axis_source_pending(const axis_source *s) { return s->q.n; }
/* For vip_wait(e, axis_source_idle_cond, src, ...): every queued beat sent. */
static inline bool axis_source_idle_cond(void *ctx) { return ((axis_source *)ctx)->q.n == 0; }

static inline void axis_source_drive(void *ctx) {
    axis_source *s = ctx;
    tb *t = s->e->t;
    bool in_reset = vip_quiet(s->e);
    if (in_reset)
        s->held = false; /* a reset cancels the presentation, not the beat */
    s->on = false;
    if (!in_reset && s->q.n) {
        if (s->held || !vip_chance(&s->rng, s->gap))
            s->on = true;
        else
            s->gaps++;
    }
    if (s->on) {
        const axis_beat *b = axis_queue_at(&s->q, 0);
        tb_set_words(t, s->p.tdata, b->data);
        if (s->p.tkeep >= 0)
            tb_set_words(t, s->p.tkeep, b->keep);
        if (s->p.tlast >= 0)
            tb_set(t, s->p.tlast, b->last);
        s->held = true;
    } else if (s->garbage) {
        uint32_t w[AXIS_WORDS];
        for (int i = 0; i < AXIS_WORDS; i++)
            w[i] = (uint32_t)vip_rand(&s->rng);
        tb_set_words(t, s->p.tdata, w);
        if (s->p.tkeep >= 0)
            tb_set_words(t, s->p.tkeep, w + 1);
        if (s->p.tlast >= 0)
            tb_set(t, s->p.tlast, w[2] & 1);
    }
    tb_set(t, s->p.tvalid, s->on);
}

static inline void axis_source_sample(void *ctx) {
    axis_source *s = ctx;
    if (!s->on || !(tb_get(s->e->t, s->p.tready) & 1))
        return;
    s->packets += axis_queue_at(&s->q, 0)->last;
    axis_queue_pop(&s->q, NULL);
    s->held = false;
    s->last_cycle = s->e->t->cycle + 1;
    s->beats++;
}

/* ================================================================ sink */

typedef struct axis_sink {
    vip_env *e;
    const char *prefix;
    double stall; /* knob: P(TREADY low in a cycle), default 0.2; 0 = always ready */
    bool collect; /* knob: keep accepted beats for axis_sink_pop (default true);
                     false only counts them (long benchmarks: no memory growth) */
    axis_ports p;
    vip_rng rng;
    axis_queue q;  /* accepted beats, oldest first */
    bool ready;    /* TREADY driven this cycle */
    uint64_t beats, packets;
} axis_sink;

static inline void axis_sink_drive(void *ctx);
static inline void axis_sink_sample(void *ctx);

static inline void axis_sink_init(axis_sink *k, vip_env *e, const char *prefix) {
    memset(k, 0, sizeof *k);
    k->e = e;
    k->prefix = prefix;
    k->stall = 0.2;
    k->collect = true;
    axis_ports_find(&k->p, e, prefix, "axis sink");
    vip_rng_seed(&k->rng, e->t->seed, "axis_sink", prefix);
    vip_add_agent(e, axis_sink_drive, axis_sink_sample, k);
}

static inline void axis_sink_free(axis_sink *k) { axis_queue_free(&k->q); }
/* Collected beats not yet popped. */
static inline size_t axis_sink_count(const axis_sink *k) { return k->q.n; }
/* The i-th oldest collected beat (NULL if i >= count). */
static inline const axis_beat *axis_sink_peek(const axis_sink *k, size_t i) {
    return axis_queue_at(&k->q, i);
}
static inline bool axis_sink_pop(axis_sink *k, axis_beat *out) { return axis_queue_pop(&k->q, out); }

static inline void axis_sink_drive(void *ctx) {
    axis_sink *k = ctx;
    k->ready = k->e->started && !vip_chance(&k->rng, k->stall);
    tb_set(k->e->t, k->p.tready, k->ready);
}

static inline void axis_sink_sample(void *ctx) {
    axis_sink *k = ctx;
    tb *t = k->e->t;
    if (k->e->rst || !k->ready || !(tb_get(t, k->p.tvalid) & 1))
        return;
    axis_beat b;
    axis_ports_read(&k->p, t, &b);
    b.cycle = t->cycle + 1;
    if (k->collect)
        axis_queue_push(&k->q, &b);
    k->beats++;
    k->packets += b.last;
}

/* ================================================================ monitor */

typedef enum { AXIS_KEEP_ANY, AXIS_KEEP_ALL, AXIS_KEEP_PACKED } axis_keep_rule;

enum {
    AXIS_RULE_TVALID_DROP,
    AXIS_RULE_PAYLOAD,
    AXIS_RULE_TKEEP,
    AXIS_RULE_RESET,
    AXIS_RULE_NO_RESET,
    AXIS_RULE_UNSAMPLED,
    AXIS_NRULES
};

static inline const char *axis_rule_name(int r) {
    static const char *const n[AXIS_NRULES] = {"axis.tvalid_drop", "axis.payload", "axis.tkeep",
                                               "axis.reset",       "axis.no_reset", "axis.unsampled"};
    return r >= 0 && r < AXIS_NRULES ? n[r] : "axis.?";
}

typedef struct {
    bool ok, rst, v, r;
    uint64_t at;
    axis_beat b;
} axis_snap;

typedef struct axis_monitor {
    vip_mon mon; /* name, reset, sampling, violation counts (vip.h) */
    axis_keep_rule keep_rule;
    axis_ports p;
    axis_snap cur, prev;
    /* statistics */
    uint64_t beats, packets, bytes, stalls, idles;
} axis_monitor;

static inline void axis_monitor_sample(void *ctx);
static inline void axis_monitor_check(tb *t, void *ctx);
static inline uint64_t axis_monitor_summary(void *ctx);

/* Watch the stream ports <prefix>* under TKEEP rule `keep_rule` (no
 * default: the rule is a property of the stream). */
static inline void axis_monitor_init(axis_monitor *m, vip_env *e, const char *prefix,
                                     axis_keep_rule keep_rule) {
    memset(m, 0, sizeof *m);
    vip_mon_init(&m->mon, e, "axis monitor", prefix, AXIS_NRULES, axis_rule_name, AXIS_RULE_UNSAMPLED,
                 AXIS_RULE_NO_RESET);
    m->keep_rule = keep_rule;
    axis_ports_find(&m->p, e, prefix, "axis monitor");
    vip_add_agent(e, NULL, axis_monitor_sample, m);
    vip_add_summary(e, axis_monitor_summary, m);
    tb_add_monitor(e->t, axis_monitor_check, m);
}

static inline void axis_monitor_sample(void *ctx) {
    axis_monitor *m = ctx;
    tb *t = m->mon.e->t;
    axis_snap *s = &m->cur;
    s->ok = true;
    s->at = t->cycle;
    s->rst = vip_mon_in_reset(&m->mon);
    s->v = tb_get(t, m->p.tvalid) & 1;
    s->r = tb_get(t, m->p.tready) & 1;
    axis_ports_read(&m->p, t, &s->b);
}

#define axis_violation(m, ...) vip_mon_violation(&(m)->mon, __VA_ARGS__)

/* Number of leading ones of TKEEP, and whether the rest is all zeros. */
static inline int axis_keep_run(const axis_beat *b, int nbytes, bool *contiguous) {
    int run = 0;
    while (run < nbytes && ((b->keep[run / 32] >> (run % 32)) & 1))
        run++;
    *contiguous = true;
    for (int i = run; i < nbytes; i++)
        if ((b->keep[i / 32] >> (i % 32)) & 1)
            *contiguous = false;
    return run;
}

static inline void axis_monitor_check(tb *t, void *ctx) {
    axis_monitor *m = ctx;
    (void)t; /* the edge's cycle is read by vip_mon_sampled */
    if (!vip_mon_sampled(&m->mon, m->cur.ok, m->cur.at)) {
        m->prev.ok = false;
        return;
    }
    axis_snap *s = &m->cur, *p = &m->prev;
    bool pok = p->ok && p->at + 1 == s->at;
    int bits = m->p.bits, nbytes = bits / 8;
    char a[200], b[200];
    if (!m->mon.armed) {
        m->mon.armed = s->rst;
    } else if (pok && p->rst && s->v) {
        axis_violation(m, AXIS_RULE_RESET, "TVALID high in the cycle after a reset edge");
    } else if (!s->rst) {
        if (pok && !p->rst && p->v && !p->r) {
            if (!s->v)
                axis_violation(m, AXIS_RULE_TVALID_DROP, "TVALID fell before the handshake (%s)",
                               axis_beat_str(&p->b, bits, a, sizeof a));
            else if (!axis_beat_equal(&p->b, &s->b, bits))
                axis_violation(m, AXIS_RULE_PAYLOAD, "payload changed before the handshake: %s -> %s",
                               axis_beat_str(&p->b, bits, a, sizeof a),
                               axis_beat_str(&s->b, bits, b, sizeof b));
        }
        if (s->v && s->r) {
            bool contiguous;
            int run = axis_keep_run(&s->b, nbytes, &contiguous);
            bool ok = m->keep_rule == AXIS_KEEP_ANY ||
                      (m->keep_rule == AXIS_KEEP_ALL && run == nbytes) ||
                      (m->keep_rule == AXIS_KEEP_PACKED &&
                       (s->b.last ? run > 0 && contiguous : run == nbytes));
            if (!ok)
                axis_violation(m, AXIS_RULE_TKEEP,
                               "beat %" PRIu64 " (%s) breaks the TKEEP rule: %s", m->beats,
                               axis_beat_str(&s->b, bits, a, sizeof a),
                               m->keep_rule == AXIS_KEEP_ALL ? "all ones on every beat"
                                                             : "all ones, except a TLAST beat's: a "
                                                               "non-empty run of ones from byte 0");
            m->beats++;
            m->packets += s->b.last;
            for (int i = 0; i < nbytes; i++)
                m->bytes += (s->b.keep[i / 32] >> (i % 32)) & 1;
        }
        if (s->v && !s->r)
            m->stalls++;
        if (!s->v)
            m->idles++;
    }
    *p = *s;
    s->ok = false;
}

static inline uint64_t axis_monitor_summary(void *ctx) {
    axis_monitor *m = ctx;
    vip_mon_summary_begin(&m->mon);
    printf("axis monitor %s: %" PRIu64 " beats, %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64
           " stall cycles, %" PRIu64 " idle cycles",
           m->mon.prefix, m->beats, m->packets, m->bytes, m->stalls, m->idles);
    return vip_mon_summary_end(&m->mon);
}

#endif
