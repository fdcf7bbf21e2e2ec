/*
 * sim/vip/vip.h - the core of the AXI verification IP: one per-cycle
 * scheduler (vip_env) that every driver and monitor of vip_axil.h and
 * vip_axis.h plugs into, per-agent random streams, what every monitor
 * shares (vip_mon: arming on reset, the sampled-edge check, violation
 * counts and the summary's rule list), and the summary.
 *
 * Header-only, like tb.h: the failures it records must land in the test
 * bench's own check.h counters, so it has to be in the test bench's
 * translation unit.
 *
 * One cycle is vip_tick(e), and it is the only way a test bench using the
 * VIP should move the clock (it calls tb.h's tick()):
 *
 *   1. user hooks (vip_add_hook) run: they may set inputs, queue beats,
 *      start non-blocking register accesses; they must not call blocking ones
 *   2. every driver drives its inputs for the coming edge (VALID, payload,
 *      READY), and the reset port is driven from vip_set_reset/vip_reset
 *   3. tb_eval(): combinational outputs settle with these inputs
 *   4. every driver and monitor samples: a handshake happens at the coming
 *      edge iff VALID and READY are both high *now*, after settling (so a
 *      READY that depends combinationally on an input is seen right)
 *   5. tick(): the rising edge; the monitors (registered with
 *      tb_add_monitor) check the rules for that edge and report failures
 *      with its cycle number (t->cycle after the edge)
 *
 * A handshake "at cycle N" means at the edge that makes t->cycle == N.
 * A monitor that finds an edge it did not sample (the clock moved with a bare
 * tick()) reports that as a violation rather than guessing.
 *
 * Randomness: every agent has its own xorshift stream seeded from the test
 * seed (TEST_SEED, tb.h) and its kind and port prefix, so a replay with the
 * same seed is exact and the test bench's own rnd64() calls do not shift the
 * VIP's choices.
 */
#ifndef SIM_VIP_H
#define SIM_VIP_H

#include <stdarg.h>
#include <stdbool.h>

#include "tb.h"

#define VIP_MAX_AGENTS 16
#define VIP_MAX_HOOKS 8
#define VIP_MAX_MONS 8

typedef struct vip_env vip_env;
typedef void (*vip_agent_fn)(void *ctx);
typedef void (*vip_hook_fn)(vip_env *e, void *ctx);
/* Prints one summary line, returns the monitor's violation count. */
typedef uint64_t (*vip_summary_fn)(void *ctx);

struct vip_env {
    tb *t;
    const char *rst_name; /* reset port (NULL: none)                        */
    int p_rst;            /* its handle, -1 if none                          */
    bool rst_low;         /* active low                                      */
    bool rst;             /* reset asserted at the coming edge                */
    bool rst_prev;        /* reset was asserted at the previous edge          */
    bool started;         /* a reset edge has been seen (or there is no reset) */
    bool in_tick;         /* inside vip_tick: blocking calls are refused      */
    int nagents;
    struct {
        vip_agent_fn drive, sample; /* either may be NULL */
        void *ctx;
    } ag[VIP_MAX_AGENTS];
    int nhooks;
    struct {
        vip_hook_fn fn;
        void *ctx;
    } hook[VIP_MAX_HOOKS];
    int nmons;
    struct {
        vip_summary_fn fn;
        void *ctx;
    } mon[VIP_MAX_MONS];
};

/* A configuration error of the test bench (not a DUT failure): the final
 * FAIL line says what, and the program stops. */
static inline void vip_die(const vip_env *e, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("FAIL %s: vip: %s\n", e && e->t ? e->t->name : check_name, msg);
    exit(1);
}

/* Record a rule violation: "[tag] ..." with the cycle (TB_CHECK). */
#define VIP_FAIL(t, tag, ...)                                                             \
    do {                                                                                  \
        char vm_[280];                                                                    \
        snprintf(vm_, sizeof vm_, __VA_ARGS__);                                           \
        TB_CHECK(t, 0, "[%s] %s", tag, vm_);                                              \
    } while (0)

/* ---------------------------------------------------------------- random */

typedef struct {
    uint64_t s;
} vip_rng;

/* splitmix64 of (seed, name): independent streams per agent. */
static inline void vip_rng_seed(vip_rng *r, uint64_t seed, const char *kind, const char *name) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const char *p = kind; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ull;
    for (const char *p = name; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ull;
    uint64_t z = seed + h + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    r->s = z ? z : 1;
}
static inline uint64_t vip_rand(vip_rng *r) { /* xorshift64* */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}
/* 0 .. n-1 (0 when n <= 0). */
static inline int vip_rand_below(vip_rng *r, int n) {
    return n > 0 ? (int)(vip_rand(r) % (uint64_t)n) : 0;
}
/* true with probability p (0: never, 1: always). */
static inline bool vip_chance(vip_rng *r, double p) {
    if (p <= 0)
        return false;
    if (p >= 1)
        return true;
    return (double)(vip_rand(r) >> 11) * (1.0 / 9007199254740992.0) < p;
}

/* ---------------------------------------------------------------- ports */

/* The port prefix+name: required ones abort with the model's port list when
 * missing (vsim_port_req), optional ones give -1. */
static inline int vip_port(const char *prefix, const char *name, bool required) {
    char full[128];
    snprintf(full, sizeof full, "%s%s", prefix, name);
    return required ? vsim_port_req(full) : vsim_port(full);
}

/* ---------------------------------------------------------------- env */

/* reset_port: the DUT's synchronous reset (NULL: none), active_low for
 * aresetn.  The reset starts deasserted; see vip_reset. */
static inline void vip_env_init(vip_env *e, tb *t, const char *reset_port, bool active_low) {
    memset(e, 0, sizeof *e);
    e->t = t;
    e->rst_name = reset_port;
    e->p_rst = reset_port ? tb_port(reset_port) : -1;
    e->rst_low = active_low;
    e->started = e->p_rst < 0;
}

/* Drivers stay quiet (every VALID and READY low) until the first reset edge,
 * whose DUT state is random before it, and during reset and the cycle after
 * it (AXI: VALID may rise only after an edge with the reset released). */
static inline bool vip_quiet(const vip_env *e) { return !e->started || e->rst || e->rst_prev; }

/* Used by the agents' init functions. */
static inline void vip_add_agent(vip_env *e, vip_agent_fn drive, vip_agent_fn sample, void *ctx) {
    if (e->nagents == VIP_MAX_AGENTS)
        vip_die(e, "more than %d drivers and monitors on one vip_env", VIP_MAX_AGENTS);
    e->ag[e->nagents].drive = drive;
    e->ag[e->nagents].sample = sample;
    e->ag[e->nagents].ctx = ctx;
    e->nagents++;
}
static inline void vip_add_summary(vip_env *e, vip_summary_fn fn, void *ctx) {
    if (e->nmons == VIP_MAX_MONS)
        vip_die(e, "more than %d monitors on one vip_env", VIP_MAX_MONS);
    e->mon[e->nmons].fn = fn;
    e->mon[e->nmons].ctx = ctx;
    e->nmons++;
}

/* A user hook runs at the start of every cycle (step 1 above), also inside
 * blocking register accesses: the place for a test bench's own per-cycle
 * work (feeding a source, checking a sink, counting). */
static inline void vip_add_hook(vip_env *e, vip_hook_fn fn, void *ctx) {
    if (e->nhooks == VIP_MAX_HOOKS)
        vip_die(e, "more than %d hooks on one vip_env", VIP_MAX_HOOKS);
    e->hook[e->nhooks].fn = fn;
    e->hook[e->nhooks].ctx = ctx;
    e->nhooks++;
}

/* One clock cycle (the five steps above). */
static inline void vip_tick(vip_env *e) {
    if (e->in_tick)
        vip_die(e, "vip_tick called from inside a vip hook (a blocking call in a hook?)");
    e->in_tick = true;
    for (int i = 0; i < e->nhooks; i++)
        e->hook[i].fn(e, e->hook[i].ctx);
    for (int i = 0; i < e->nagents; i++)
        if (e->ag[i].drive)
            e->ag[i].drive(e->ag[i].ctx);
    if (e->p_rst >= 0)
        tb_set(e->t, e->p_rst, e->rst != e->rst_low);
    tb_eval(e->t);
    for (int i = 0; i < e->nagents; i++)
        if (e->ag[i].sample)
            e->ag[i].sample(e->ag[i].ctx);
    tick(e->t);
    e->rst_prev = e->rst;
    e->started |= e->rst;
    e->in_tick = false;
}

static inline void vip_run(vip_env *e, int cycles) {
    for (int i = 0; i < cycles; i++)
        vip_tick(e);
}

/* Assert (true) or release the reset from the next edge on. */
static inline void vip_set_reset(vip_env *e, bool asserted) {
    if (e->p_rst < 0)
        vip_die(e, "vip_set_reset: the env has no reset port");
    e->rst = asserted;
}

/* Hold the reset for `cycles` edges (>= 1), then release it.  Drivers keep
 * every VALID low during reset and in the first cycle after it; queued
 * stream beats stay queued, a register access in flight ends AXIL_ABORTED. */
static inline void vip_reset(vip_env *e, int cycles) {
    vip_set_reset(e, true);
    vip_run(e, cycles < 1 ? 1 : cycles);
    vip_set_reset(e, false);
}

/* Tick until cond(ctx) holds (checked before each cycle); false and a
 * failure naming `what` after max_cycles. */
static inline bool vip_wait(vip_env *e, bool (*cond)(void *), void *ctx, int max_cycles,
                            const char *what) {
    for (int i = 0; i < max_cycles; i++) {
        if (cond(ctx))
            return true;
        vip_tick(e);
    }
    if (cond(ctx))
        return true;
    TB_CHECK(e->t, 0, "[vip.wait] %s: still not done after %d cycles", what, max_cycles);
    return false;
}

/* Print every monitor's summary line; returns the total number of rule
 * violations (0 expected; each one has already failed the test). */
static inline uint64_t vip_summary(vip_env *e) {
    uint64_t v = 0;
    for (int i = 0; i < e->nmons; i++)
        v += e->mon[i].fn(e->mon[i].ctx);
    printf("vip: %" PRIu64 " cycles, %" PRIu64 " protocol violation(s)\n", e->t->cycle, v);
    return v;
}

/* ---------------------------------------------------------------- monitors */

/* What every passive monitor (vip_axil.h, vip_axis.h) shares: its name, the
 * env's reset (checking starts at the first reset edge, or at once without
 * a reset port), the check that the sample it reads was taken before this
 * edge, and the violation counts its summary line ends with. */
#define VIP_MON_MAX_RULES 32
typedef struct vip_mon {
    vip_env *e;
    const char *kind;   /* "axil monitor" */
    const char *prefix; /* port prefix    */
    bool armed;         /* a reset edge has been seen: checking */
    bool unsampled_told;
    int nrules, rule_unsampled, rule_no_reset;
    const char *(*rule_name)(int rule);
    uint64_t viol[VIP_MON_MAX_RULES], violations;
} vip_mon;

static inline void vip_mon_init(vip_mon *b, vip_env *e, const char *kind, const char *prefix, int nrules,
                                const char *(*rule_name)(int), int rule_unsampled, int rule_no_reset) {
    if (nrules > VIP_MON_MAX_RULES)
        vip_die(e, "%s %s: %d rules, at most %d", kind, prefix, nrules, VIP_MON_MAX_RULES);
    memset(b, 0, sizeof *b);
    b->e = e;
    b->kind = kind;
    b->prefix = prefix;
    b->armed = e->p_rst < 0;
    b->nrules = nrules;
    b->rule_name = rule_name;
    b->rule_unsampled = rule_unsampled;
    b->rule_no_reset = rule_no_reset;
}

/* Whether the env's reset is asserted now (for the pre-edge sample). */
static inline bool vip_mon_in_reset(const vip_mon *b) {
    const vip_env *e = b->e;
    return e->p_rst >= 0 && (bool)(tb_get(e->t, e->p_rst) & 1) != e->rst_low;
}

/* Count a violation of `rule` and fail the test with "[rule] kind prefix: ...". */
static inline void vip_mon_violation(vip_mon *b, int rule, const char *fmt, ...) {
    char msg[240];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    b->viol[rule]++;
    b->violations++;
    VIP_FAIL(b->e->t, b->rule_name(rule), "%s %s: %s", b->kind, b->prefix, msg);
}

/* Whether the sample taken at cycle `at` (`ok`: one was taken) belongs to
 * the edge being checked.  If not, the monitor must forget its previous
 * sample; the first time after arming this is a violation that says how to
 * fix the bench. */
static inline bool vip_mon_sampled(vip_mon *b, bool ok, uint64_t at) {
    tb *t = b->e->t;
    if (ok && at + 1 == t->cycle)
        return true;
    if (!b->unsampled_told && b->armed) {
        vip_mon_violation(b, b->rule_unsampled,
                          "edge %" PRIu64 " was not sampled: move the clock with vip_tick(), "
                          "not tick(), while VIP monitors are attached", t->cycle);
        b->unsampled_told = true;
    }
    return false;
}

/* The summary's start (a monitor that never saw a reset checked nothing:
 * a violation) ... */
static inline void vip_mon_summary_begin(vip_mon *b) {
    if (!b->armed && b->e->p_rst >= 0)
        vip_mon_violation(b, b->rule_no_reset, "never saw a reset edge: nothing was checked");
}
/* ... and its end: "; N violation(s)" and the count per rule broken. */
static inline uint64_t vip_mon_summary_end(const vip_mon *b) {
    printf("; %" PRIu64 " violation(s)", b->violations);
    for (int r = 0; r < b->nrules; r++)
        if (b->viol[r])
            printf(" %s %" PRIu64, b->rule_name(r), b->viol[r]);
    printf("\n");
    return b->violations;
}

#endif
