/*
 * sim/vip/vip_axil.h - AXI4-Lite master driver and passive monitor
 * (32-bit data, address width from the model, ports <prefix>awaddr ...
 * <prefix>rready, e.g. prefix "s_axil_" as in docs/protocol.md section 0).
 *
 * Master: one transaction at a time.
 *   axil_write / axil_read      blocking: run vip_tick() until the response
 *                               (streams and hooks keep running meanwhile)
 *   axil_start_write/_read,     non-blocking, for hooks and per-cycle state
 *   axil_busy, axil_result      machines of the test bench
 * A blocking call first lets a transaction started with axil_start_* finish
 * (its result is then replaced).
 * Every call returns the response code (AXIL_OKAY ... AXIL_DECERR), or
 * AXIL_TIMEOUT (no response within `timeout` cycles: the test fails with a
 * message naming the address and the cycle) or AXIL_ABORTED (a reset came).
 *
 * Randomized by default (per-agent stream of the test seed, vip.h):
 *   order      AW before W, W before AW, or both in the same cycle (random
 *              per write unless forced)
 *   skew_max   the later of AWVALID/WVALID rises 1..skew_max cycles after
 *              the earlier one (0: always together)
 *   idle_max   0..idle_max idle cycles before each transaction
 *   ready_max  BREADY/RREADY: half of the transactions hold READY high from
 *              the start, the others raise it only after VALID has waited
 *              1..ready_max cycles (0: READY high from the start, always)
 *   garbage    random AWADDR/WDATA/WSTRB/ARADDR while their VALID is low,
 *              random BREADY/RREADY when no transaction is in flight
 * axil_master_ideal() turns all of it off (back-to-back, no stalls).
 *
 * Monitor (passive, independent of the master: its own port handles,
 * registered with tb_add_monitor), checks at every edge:
 *   axil.<ch>_drop     a VALID (AW, W, AR, B, R) fell before its handshake
 *   axil.<ch>_payload  its payload changed before the handshake (AWADDR,
 *                      AWPROT, WDATA, WSTRB, ARADDR, ARPROT, BRESP, RDATA, RRESP)
 *   axil.b_early       BVALID while the write's AW or W handshake is missing
 *   axil.b_extra       BVALID with no write outstanding (more B than writes)
 *   axil.r_no_ar       RVALID with no read address accepted (more R than AR)
 *   axil.reset         any VALID high in a cycle after a reset edge (during
 *                      reset and in the first cycle after it)
 *   axil.no_reset      (summary) the monitor never saw a reset: it checked nothing
 *   axil.unsampled     the clock moved without vip_tick (an edge not sampled)
 * Before the first reset edge the outputs are random reset values, so
 * checking starts there.  It counts writes by AW/W order, reads, and the
 * cycles each channel waited for READY; axil_monitor_summary prints them.
 */
#ifndef SIM_VIP_AXIL_H
#define SIM_VIP_AXIL_H

#include "vip.h"

enum {
    AXIL_OKAY = 0,
    AXIL_EXOKAY = 1,
    AXIL_SLVERR = 2,
    AXIL_DECERR = 3,
    AXIL_TIMEOUT = -1,
    AXIL_ABORTED = -2,
};

static inline const char *axil_resp_name(int r) {
    switch (r) {
    case AXIL_OKAY: return "OKAY";
    case AXIL_EXOKAY: return "EXOKAY";
    case AXIL_SLVERR: return "SLVERR";
    case AXIL_DECERR: return "DECERR";
    case AXIL_TIMEOUT: return "TIMEOUT";
    case AXIL_ABORTED: return "ABORTED";
    default: return "?";
    }
}

typedef enum {
    AXIL_ORDER_RANDOM = 0,
    AXIL_ORDER_AW_FIRST,
    AXIL_ORDER_W_FIRST,
    AXIL_ORDER_TOGETHER,
} axil_order;

/* Channel indices (monitor tables). */
enum { AXIL_AW, AXIL_W, AXIL_B, AXIL_AR, AXIL_R, AXIL_NCH };

/* ================================================================ master */

typedef struct axil_master {
    vip_env *e;
    const char *prefix;
    /* knobs: defaults set by axil_master_init, change them any time */
    axil_order order; /* AW/W order of writes (AXIL_ORDER_RANDOM)            */
    int skew_max;     /* 3 */
    int idle_max;     /* 2 */
    int ready_max;    /* 3 */
    int timeout;      /* 1000 cycles from a transaction's start */
    bool garbage;     /* true */
    uint32_t prot;    /* AWPROT/ARPROT value (0) */
    /* ports */
    int p_awaddr, p_awprot, p_awvalid, p_awready, p_wdata, p_wstrb, p_wvalid, p_wready;
    int p_bresp, p_bvalid, p_bready, p_araddr, p_arprot, p_arvalid, p_arready;
    int p_rdata, p_rresp, p_rvalid, p_rready;
    int addr_w;
    vip_rng rng;
    /* the transaction in flight */
    struct {
        bool busy, write;
        uint32_t addr, data, strb;
        int aw_at, w_at, ar_at;   /* cycle (since start) its VALID rises */
        int ready_after;          /* -1: READY from the start; n: after n cycles of VALID */
        int valid_seen;           /* cycles the response VALID was seen without READY */
        int age;                  /* cycles since start */
        uint64_t start;           /* t->cycle at start */
        bool aw_done, w_done, ar_done, resp_done;
        bool aw_on, w_on, ar_on, ready_on; /* driven in this cycle */
    } x;
    int resp;        /* of the last finished transaction */
    uint32_t rdata;  /* of the last finished read */
    /* statistics */
    uint64_t writes, reads, timeouts, aborted, spurious; /* spurious: responses taken while idle */
} axil_master;

static inline void axil_master_drive(void *ctx);
static inline void axil_master_sample(void *ctx);

static inline void axil_master_init(axil_master *m, vip_env *e, const char *prefix) {
    memset(m, 0, sizeof *m);
    m->e = e;
    m->prefix = prefix;
    m->order = AXIL_ORDER_RANDOM;
    m->skew_max = 3;
    m->idle_max = 2;
    m->ready_max = 3;
    m->timeout = 1000;
    m->garbage = true;
    m->p_awaddr = vip_port(prefix, "awaddr", true);
    m->p_awprot = vip_port(prefix, "awprot", false);
    m->p_awvalid = vip_port(prefix, "awvalid", true);
    m->p_awready = vip_port(prefix, "awready", true);
    m->p_wdata = vip_port(prefix, "wdata", true);
    m->p_wstrb = vip_port(prefix, "wstrb", false);
    m->p_wvalid = vip_port(prefix, "wvalid", true);
    m->p_wready = vip_port(prefix, "wready", true);
    m->p_bresp = vip_port(prefix, "bresp", true);
    m->p_bvalid = vip_port(prefix, "bvalid", true);
    m->p_bready = vip_port(prefix, "bready", true);
    m->p_araddr = vip_port(prefix, "araddr", true);
    m->p_arprot = vip_port(prefix, "arprot", false);
    m->p_arvalid = vip_port(prefix, "arvalid", true);
    m->p_arready = vip_port(prefix, "arready", true);
    m->p_rdata = vip_port(prefix, "rdata", true);
    m->p_rresp = vip_port(prefix, "rresp", true);
    m->p_rvalid = vip_port(prefix, "rvalid", true);
    m->p_rready = vip_port(prefix, "rready", true);
    m->addr_w = tb_port_width(m->p_awaddr);
    if (tb_port_width(m->p_wdata) != 32 || tb_port_width(m->p_rdata) != 32)
        vip_die(e, "axil master %s: WDATA/RDATA must be 32 bits (are %d/%d)", prefix,
                tb_port_width(m->p_wdata), tb_port_width(m->p_rdata));
    if (m->addr_w > 32 || tb_port_width(m->p_araddr) != m->addr_w)
        vip_die(e, "axil master %s: AWADDR/ARADDR must have one width <= 32 (are %d/%d)", prefix,
                m->addr_w, tb_port_width(m->p_araddr));
    vip_rng_seed(&m->rng, e->t->seed, "axil_master", prefix);
    vip_add_agent(e, axil_master_drive, axil_master_sample, m);
}

/* No randomization: VALIDs together at once, READY always high, no idle. */
static inline void axil_master_ideal(axil_master *m) {
    m->order = AXIL_ORDER_TOGETHER;
    m->skew_max = 0;
    m->idle_max = 0;
    m->ready_max = 0;
}

static inline bool axil_busy(const axil_master *m) { return m->x.busy; }

/* Response of the last finished transaction (and its read data). */
static inline int axil_result(const axil_master *m, uint32_t *rdata) {
    if (rdata)
        *rdata = m->rdata;
    return m->resp;
}

static inline void axil_begin(axil_master *m, bool write, uint32_t addr) {
    memset(&m->x, 0, sizeof m->x);
    m->x.busy = true;
    m->x.write = write;
    m->x.addr = addr & (uint32_t)((1ull << m->addr_w) - 1);
    m->x.start = m->e->t->cycle;
    int idle = vip_rand_below(&m->rng, m->idle_max + 1);
    m->x.ar_at = idle;
    if (write) {
        axil_order o = m->order;
        if (o == AXIL_ORDER_RANDOM)
            o = (axil_order)(AXIL_ORDER_AW_FIRST + vip_rand_below(&m->rng, 3));
        int skew = m->skew_max > 0 ? 1 + vip_rand_below(&m->rng, m->skew_max) : 0;
        m->x.aw_at = idle + (o == AXIL_ORDER_W_FIRST ? skew : 0);
        m->x.w_at = idle + (o == AXIL_ORDER_AW_FIRST ? skew : 0);
    }
    m->x.ready_after = -1;
    if (m->ready_max > 0 && vip_chance(&m->rng, 0.5))
        m->x.ready_after = 1 + vip_rand_below(&m->rng, m->ready_max);
}

/* Start a write (false: a transaction is still in flight). */
static inline bool axil_start_write(axil_master *m, uint32_t addr, uint32_t data, uint32_t strb) {
    if (m->x.busy)
        return false;
    axil_begin(m, true, addr);
    m->x.data = data;
    m->x.strb = strb & 0xF;
    return true;
}

static inline bool axil_start_read(axil_master *m, uint32_t addr) {
    if (m->x.busy)
        return false;
    axil_begin(m, false, addr);
    return true;
}

static inline void axil_finish(axil_master *m, int resp) {
    m->resp = resp;
    m->x.busy = false;
    if (resp == AXIL_TIMEOUT)
        m->timeouts++;
    else if (resp == AXIL_ABORTED)
        m->aborted++;
    else if (m->x.write)
        m->writes++;
    else
        m->reads++;
}

static inline void axil_master_drive(void *ctx) {
    axil_master *m = ctx;
    tb *t = m->e->t;
    /* A reset at the coming edge ends the transaction; in the first cycle
     * after reset a transaction already started just waits (VALIDs low). */
    bool in_reset = vip_quiet(m->e);
    if (m->e->rst && m->x.busy)
        axil_finish(m, AXIL_ABORTED);
    m->x.aw_on = m->x.w_on = m->x.ar_on = m->x.ready_on = false;
    if (m->x.busy && !in_reset) {
        int a = m->x.age;
        m->x.aw_on = m->x.write && !m->x.aw_done && a >= m->x.aw_at;
        m->x.w_on = m->x.write && !m->x.w_done && a >= m->x.w_at;
        m->x.ar_on = !m->x.write && !m->x.ar_done && a >= m->x.ar_at;
        m->x.ready_on = !m->x.resp_done &&
                        (m->x.ready_after < 0 || m->x.valid_seen >= m->x.ready_after);
    }
    uint64_t g = m->garbage ? vip_rand(&m->rng) : 0;
    tb_set(t, m->p_awvalid, m->x.aw_on);
    tb_set(t, m->p_awaddr, m->x.aw_on ? m->x.addr : g);
    if (m->p_awprot >= 0)
        tb_set(t, m->p_awprot, m->x.aw_on ? m->prot : g >> 40);
    tb_set(t, m->p_wvalid, m->x.w_on);
    tb_set(t, m->p_wdata, m->x.w_on ? m->x.data : g >> 16);
    if (m->p_wstrb >= 0)
        tb_set(t, m->p_wstrb, m->x.w_on ? m->x.strb : g >> 50);
    tb_set(t, m->p_arvalid, m->x.ar_on);
    tb_set(t, m->p_araddr, m->x.ar_on ? m->x.addr : g >> 8);
    if (m->p_arprot >= 0)
        tb_set(t, m->p_arprot, m->x.ar_on ? m->prot : g >> 44);
    bool idle_ready = !m->x.busy && !in_reset && m->garbage && ((g >> 60) & 1);
    bool bready = m->x.busy ? m->x.write && m->x.ready_on : idle_ready;
    bool rready = m->x.busy ? !m->x.write && m->x.ready_on : ((g >> 61) & 1) && idle_ready;
    tb_set(t, m->p_bready, bready);
    tb_set(t, m->p_rready, rready);
}

static inline void axil_master_sample(void *ctx) {
    axil_master *m = ctx;
    tb *t = m->e->t;
    if (vip_quiet(m->e))
        return;
    bool bvalid = tb_get(t, m->p_bvalid) & 1, rvalid = tb_get(t, m->p_rvalid) & 1;
    if (!m->x.busy) {
        /* READY was random: a response taken now belongs to no transaction
         * (the monitor reports it; the master only counts it). */
        m->spurious += (bvalid && (tb_get(t, m->p_bready) & 1)) +
                       (rvalid && (tb_get(t, m->p_rready) & 1));
        return;
    }
    if (m->x.aw_on && (tb_get(t, m->p_awready) & 1))
        m->x.aw_done = true;
    if (m->x.w_on && (tb_get(t, m->p_wready) & 1))
        m->x.w_done = true;
    if (m->x.ar_on && (tb_get(t, m->p_arready) & 1))
        m->x.ar_done = true;
    bool v = m->x.write ? bvalid : rvalid;
    if (v && !m->x.resp_done) {
        if (m->x.ready_on) {
            /* READY is high: the response is taken at this edge even if the
             * slave sent it too early (the monitor judges that). */
            m->x.resp_done = true;
            m->resp = (int)(tb_get(t, m->x.write ? m->p_bresp : m->p_rresp) & 3);
            if (!m->x.write)
                m->rdata = (uint32_t)tb_get(t, m->p_rdata);
        } else {
            m->x.valid_seen++;
        }
    }
    m->x.age++;
    bool done = m->x.resp_done && (m->x.write ? m->x.aw_done && m->x.w_done : m->x.ar_done);
    if (done) {
        axil_finish(m, m->resp);
    } else if (m->x.age >= m->timeout) {
        const char *wait = m->x.write ? (!m->x.aw_done ? "AWREADY" : !m->x.w_done ? "WREADY" : "BVALID")
                                      : (!m->x.ar_done ? "ARREADY" : "RVALID");
        if (m->x.write)
            VIP_FAIL(t, "axil.timeout",
                     "axil master %s: write to 0x%03x (data 0x%08x, strb 0x%x) started at cycle "
                     "%" PRIu64 " got no response in %d cycles (waiting for %s)",
                     m->prefix, m->x.addr, m->x.data, m->x.strb, m->x.start, m->timeout, wait);
        else
            VIP_FAIL(t, "axil.timeout",
                     "axil master %s: read of 0x%03x started at cycle %" PRIu64
                     " got no response in %d cycles (waiting for %s)",
                     m->prefix, m->x.addr, m->x.start, m->timeout, wait);
        axil_finish(m, AXIL_TIMEOUT);
    }
}

static inline void axil_run_until_done(axil_master *m, const char *what) {
    if (m->e->in_tick)
        vip_die(m->e, "axil master %s: blocking %s called from a vip hook; use axil_start_%s",
                m->prefix, what, what);
    while (m->x.busy)
        vip_tick(m->e);
}

/* Blocking write; returns the BRESP (or AXIL_TIMEOUT / AXIL_ABORTED). */
static inline int axil_write(axil_master *m, uint32_t addr, uint32_t data, uint32_t strb) {
    if (m->x.busy)
        axil_run_until_done(m, "write");
    axil_start_write(m, addr, data, strb);
    axil_run_until_done(m, "write");
    return m->resp;
}

/* Blocking read; returns the RRESP, *data = RDATA (NULL: discard). */
static inline int axil_read(axil_master *m, uint32_t addr, uint32_t *data) {
    if (m->x.busy)
        axil_run_until_done(m, "read");
    axil_start_read(m, addr);
    axil_run_until_done(m, "read");
    if (data)
        *data = m->resp >= 0 ? m->rdata : 0;
    return m->resp;
}

/* A full-word write / a read that must answer OKAY (else the test fails). */
static inline void axil_write_ok(axil_master *m, uint32_t addr, uint32_t data) {
    int r = axil_write(m, addr, data, 0xF);
    TB_CHECK(m->e->t, r == AXIL_OKAY, "axil master %s: write 0x%08x to 0x%03x answered %s", m->prefix,
             data, addr, axil_resp_name(r));
}
static inline uint32_t axil_read_ok(axil_master *m, uint32_t addr) {
    uint32_t d = 0;
    int r = axil_read(m, addr, &d);
    TB_CHECK(m->e->t, r == AXIL_OKAY, "axil master %s: read of 0x%03x answered %s", m->prefix, addr,
             axil_resp_name(r));
    return d;
}

/* ================================================================ monitor */

enum {
    AXIL_RULE_DROP = 0,                 /* + channel: aw_drop .. r_drop       */
    AXIL_RULE_PAYLOAD = AXIL_NCH,       /* + channel: aw_payload .. r_payload */
    AXIL_RULE_B_EARLY = 2 * AXIL_NCH,
    AXIL_RULE_B_EXTRA,
    AXIL_RULE_R_NO_AR,
    AXIL_RULE_RESET,
    AXIL_RULE_NO_RESET,
    AXIL_RULE_UNSAMPLED,
    AXIL_NRULES
};

static inline const char *axil_rule_name(int r) {
    static const char *const n[AXIL_NRULES] = {
        "axil.aw_drop",    "axil.w_drop",    "axil.b_drop",     "axil.ar_drop",    "axil.r_drop",
        "axil.aw_payload", "axil.w_payload", "axil.b_payload",  "axil.ar_payload", "axil.r_payload",
        "axil.b_early",    "axil.b_extra",   "axil.r_no_ar",    "axil.reset",      "axil.no_reset",
        "axil.unsampled",
    };
    return r >= 0 && r < AXIL_NRULES ? n[r] : "axil.?";
}

#define AXIL_MAXF 3   /* payload fields per channel */
#define AXIL_ORDQ 64  /* AW/W handshake edges remembered for the order statistics */

typedef struct {
    bool ok;      /* a snapshot was taken          */
    uint64_t at;  /* t->cycle when it was taken (the edge is at + 1) */
    bool rst;     /* reset asserted at this edge    */
    bool v[AXIL_NCH], r[AXIL_NCH];
    uint64_t f[AXIL_NCH][AXIL_MAXF];
} axil_snap;

typedef struct axil_monitor {
    vip_mon mon; /* name, reset, sampling, violation counts (vip.h) */
    int p_v[AXIL_NCH], p_r[AXIL_NCH], p_f[AXIL_NCH][AXIL_MAXF]; /* -1: no such field */
    axil_snap cur, prev;
    /* handshakes since the last reset edge; responses are in order, so the
     * k-th B answers the k-th AW and W, the k-th R the k-th AR */
    uint64_t n[AXIL_NCH];
    bool b_told, r_told; /* the B/R now presented was already reported */
    uint64_t aw_edge[AXIL_ORDQ], w_edge[AXIL_ORDQ], paired;
    /* statistics (totals) */
    uint64_t writes, reads;                  /* B and R handshakes        */
    uint64_t aw_first, w_first, together;    /* writes by handshake order */
    uint64_t wait[AXIL_NCH];                 /* cycles VALID && !READY    */
} axil_monitor;

static inline const char *axil_ch_name(int c) {
    static const char *const n[AXIL_NCH] = {"AW", "W", "B", "AR", "R"};
    return n[c];
}
/* Payload field k of channel c (NULL past the last). */
static inline const char *axil_field_name(int c, int k) {
    static const char *const n[AXIL_NCH][AXIL_MAXF] = {
        {"awaddr", "awprot", NULL}, {"wdata", "wstrb", NULL}, {"bresp", NULL, NULL},
        {"araddr", "arprot", NULL}, {"rdata", "rresp", NULL}};
    return n[c][k];
}

static inline void axil_monitor_sample(void *ctx);
static inline void axil_monitor_check(tb *t, void *ctx);
static inline uint64_t axil_monitor_summary(void *ctx);

/* Watch the AXI4-Lite ports <prefix>*; the reset port is the env's (read by
 * the monitor itself).  Registers with the env (pre-edge sample, summary)
 * and with tb_add_monitor (the checks). */
static inline void axil_monitor_init(axil_monitor *m, vip_env *e, const char *prefix) {
    memset(m, 0, sizeof *m);
    vip_mon_init(&m->mon, e, "axil monitor", prefix, AXIL_NRULES, axil_rule_name, AXIL_RULE_UNSAMPLED,
                 AXIL_RULE_NO_RESET);
    static const char *const vn[AXIL_NCH] = {"awvalid", "wvalid", "bvalid", "arvalid", "rvalid"};
    static const char *const rn[AXIL_NCH] = {"awready", "wready", "bready", "arready", "rready"};
    for (int c = 0; c < AXIL_NCH; c++) {
        m->p_v[c] = vip_port(prefix, vn[c], true);
        m->p_r[c] = vip_port(prefix, rn[c], true);
        for (int k = 0; k < AXIL_MAXF; k++) {
            const char *f = axil_field_name(c, k);
            /* addresses, data and responses are required; prot and strb not */
            bool req = f && strstr(f, "prot") == NULL && strstr(f, "strb") == NULL;
            m->p_f[c][k] = f ? vip_port(prefix, f, req) : -1;
            if (m->p_f[c][k] >= 0 && tb_port_width(m->p_f[c][k]) > 64)
                vip_die(e, "axil monitor %s: %s%s is wider than 64 bits", prefix, prefix, f);
        }
    }
    vip_add_agent(e, NULL, axil_monitor_sample, m);
    vip_add_summary(e, axil_monitor_summary, m);
    tb_add_monitor(e->t, axil_monitor_check, m);
}

static inline void axil_monitor_sample(void *ctx) {
    axil_monitor *m = ctx;
    tb *t = m->mon.e->t;
    axil_snap *s = &m->cur;
    s->ok = true;
    s->at = t->cycle;
    s->rst = vip_mon_in_reset(&m->mon);
    for (int c = 0; c < AXIL_NCH; c++) {
        s->v[c] = tb_get(t, m->p_v[c]) & 1;
        s->r[c] = tb_get(t, m->p_r[c]) & 1;
        for (int k = 0; k < AXIL_MAXF; k++)
            s->f[c][k] = m->p_f[c][k] >= 0 ? tb_get(t, m->p_f[c][k]) : 0;
    }
}

#define axil_violation(m, ...) vip_mon_violation(&(m)->mon, __VA_ARGS__)

static inline const char *axil_fields_str(const axil_snap *s, int c, char *buf, size_t len) {
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < AXIL_MAXF && axil_field_name(c, i) && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s%s 0x%" PRIx64, i ? " " : "",
                              axil_field_name(c, i), s->f[c][i]);
    return buf;
}

static inline void axil_monitor_check(tb *t, void *ctx) {
    axil_monitor *m = ctx;
    if (!vip_mon_sampled(&m->mon, m->cur.ok, m->cur.at)) {
        m->prev.ok = false;
        return;
    }
    axil_snap s = m->cur, p = m->prev;
    bool pok = p.ok && p.at + 1 == s.at;
    m->cur.ok = false;
    m->prev = s;
    if (!m->mon.armed) {
        if (s.rst)
            m->mon.armed = true;
        return;
    }
    char a[96], b[96];
    if (pok && p.rst)
        for (int c = 0; c < AXIL_NCH; c++)
            if (s.v[c])
                axil_violation(m, AXIL_RULE_RESET, "%sVALID high in the cycle after a reset edge",
                               axil_ch_name(c));
    if (pok && !p.rst && !s.rst)
        for (int c = 0; c < AXIL_NCH; c++) {
            if (!p.v[c] || p.r[c])
                continue;
            if (!s.v[c])
                axil_violation(m, AXIL_RULE_DROP + c, "%sVALID fell before the handshake (%s)",
                               axil_ch_name(c), axil_fields_str(&p, c, a, sizeof a));
            else if (memcmp(p.f[c], s.f[c], sizeof p.f[c]) != 0)
                axil_violation(m, AXIL_RULE_PAYLOAD + c,
                               "%s payload changed before the handshake: %s -> %s", axil_ch_name(c),
                               axil_fields_str(&p, c, a, sizeof a), axil_fields_str(&s, c, b, sizeof b));
        }
    if (s.rst) {
        memset(m->n, 0, sizeof m->n);
        m->paired = 0;
        m->b_told = m->r_told = false;
        return;
    }
    /* Responses: a B needs both the AW and the W handshake of its write at
     * an earlier edge (AXI4 A3.3.1); an R needs an accepted AR. */
    if (s.v[AXIL_B] && !m->b_told &&
        !(m->n[AXIL_AW] > m->n[AXIL_B] && m->n[AXIL_W] > m->n[AXIL_B])) {
        if (m->n[AXIL_AW] > m->n[AXIL_B] || m->n[AXIL_W] > m->n[AXIL_B])
            axil_violation(m, AXIL_RULE_B_EARLY,
                           "BVALID for write #%" PRIu64 " before both its AW and W handshakes "
                           "(AW %s, W %s)", m->n[AXIL_B] + 1,
                           m->n[AXIL_AW] > m->n[AXIL_B] ? "done" : "missing",
                           m->n[AXIL_W] > m->n[AXIL_B] ? "done" : "missing");
        else
            axil_violation(m, AXIL_RULE_B_EXTRA,
                           "BVALID with no write outstanding (%" PRIu64 " writes answered, %" PRIu64
                           " AW and %" PRIu64 " W accepted): more responses than requests",
                           m->n[AXIL_B], m->n[AXIL_AW], m->n[AXIL_W]);
        m->b_told = true;
    }
    if (s.v[AXIL_R] && !m->r_told && !(m->n[AXIL_AR] > m->n[AXIL_R])) {
        axil_violation(m, AXIL_RULE_R_NO_AR,
                       "RVALID with no read address accepted (%" PRIu64 " AR, %" PRIu64
                       " R): more responses than requests", m->n[AXIL_AR], m->n[AXIL_R]);
        m->r_told = true;
    }
    uint64_t edge = t->cycle;
    for (int c = 0; c < AXIL_NCH; c++) {
        if (s.v[c] && !s.r[c])
            m->wait[c]++;
        if (!(s.v[c] && s.r[c]))
            continue;
        if (c == AXIL_AW)
            m->aw_edge[m->n[c] % AXIL_ORDQ] = edge;
        if (c == AXIL_W)
            m->w_edge[m->n[c] % AXIL_ORDQ] = edge;
        if (c == AXIL_B) {
            m->writes++;
            m->b_told = false;
        }
        if (c == AXIL_R) {
            m->reads++;
            m->r_told = false;
        }
        m->n[c]++;
    }
    if (!s.v[AXIL_B])
        m->b_told = false;
    if (!s.v[AXIL_R])
        m->r_told = false;
    while (m->paired < m->n[AXIL_AW] && m->paired < m->n[AXIL_W]) {
        uint64_t k = m->paired++ % AXIL_ORDQ;
        if (m->aw_edge[k] < m->w_edge[k])
            m->aw_first++;
        else if (m->aw_edge[k] > m->w_edge[k])
            m->w_first++;
        else
            m->together++;
    }
}

static inline uint64_t axil_monitor_summary(void *ctx) {
    axil_monitor *m = ctx;
    vip_mon_summary_begin(&m->mon);
    printf("axil monitor %s: %" PRIu64 " writes (AW first %" PRIu64 ", W first %" PRIu64
           ", together %" PRIu64 "), %" PRIu64 " reads; cycles waiting for READY: AW %" PRIu64
           " W %" PRIu64 " B %" PRIu64 " AR %" PRIu64 " R %" PRIu64,
           m->mon.prefix, m->writes, m->aw_first, m->w_first, m->together, m->reads, m->wait[AXIL_AW],
           m->wait[AXIL_W], m->wait[AXIL_B], m->wait[AXIL_AR], m->wait[AXIL_R]);
    return vip_mon_summary_end(&m->mon);
}

#endif
