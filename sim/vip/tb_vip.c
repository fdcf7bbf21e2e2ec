/*
 * sim/vip/tb_vip.c - self-test of the AXI verification IP (sim/vip/) on its
 * fixtures (sim/vip/fixtures/): the register slave behind the AXI-Lite
 * master, the stream FIFO between the stream source and sink, every
 * interface watched by a monitor.
 *
 *   tb_vip traffic [VARIANT]
 *   tb_vip misuse bare_tick|no_reset
 *
 * Phases (each checks data against an independent model, the monitors
 * check the protocol throughout):
 *   1. after reset: ID, WRITES and the scratch registers read their reset values
 *   2. registers: random blocking writes (random WSTRB) and reads of mapped
 *      and unmapped addresses against a C model of the register map
 *      (vip_axil_regs.v's header), responses included
 *   3. registers and streams at once: random packets through the FIFO while
 *      non-blocking register accesses run; a hook reassembles every packet
 *      from the collected beats (TKEEP) and compares it with what was sent
 *   4. a second reset, then ideal knobs: 64 beats back to back must arrive
 *      on consecutive cycles, a write must take 3 cycles and a read 2 (the
 *      fixture's registered timing)
 *   5. the randomization was real: writes in all three AW/W orders, READY
 *      waits on B and R, stream stalls and gaps were all seen by the monitors
 * Every failure (data, timing, protocol) fails the test; the summary lists
 * the monitors' counts.
 *
 * `misuse` runs a bench that breaks the VIP's own rules, which every
 * monitor must report (sim/vip/misuse_test.sh expects this run to FAIL):
 * bare_tick moves the clock once with tb.h's tick() instead of vip_tick()
 * (axil.unsampled, axis.unsampled); no_reset never resets the DUT, so
 * nothing was checked (axil.no_reset, axis.no_reset).
 *
 * VARIANT: on the bank model (vip_bank_top, port `variant`) the broken
 * fixture variant to run (vip_fix_top.v's table; 0 = correct).
 * Environment: TEST_SEED (replay), VIP_OPS (register accesses per phase,
 * default 3000), VIP_PACKETS (default 600).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdlib.h>

#include "vip_axil.h"
#include "vip_axis.h"

/* The register map of vip_axil_regs.v. */
#define REG_SCRATCH0 0x000u
#define REG_ID 0x010u
#define REG_WRITES 0x014u
#define ID_VALUE 0x56495031u /* "VIP1" */
#define NREGS 6              /* word addresses 0..5 are mapped */

typedef struct {
    uint32_t scratch[4];
    uint32_t writes;
} regmodel;

/* Expected response and read value of the model (vip_axil_regs.v header). */
static int model_read(const regmodel *r, uint32_t addr, uint32_t *v) {
    uint32_t w = (addr & 0xFFFu) >> 2;
    *v = w < 4 ? r->scratch[w] : w == 4 ? ID_VALUE : w == 5 ? r->writes : 0;
    return w < NREGS ? AXIL_OKAY : AXIL_SLVERR;
}
static int model_write(regmodel *r, uint32_t addr, uint32_t data, uint32_t strb) {
    uint32_t w = (addr & 0xFFFu) >> 2;
    r->writes++;
    if (w < 4)
        for (int i = 0; i < 4; i++)
            if (strb >> i & 1)
                r->scratch[w] = (r->scratch[w] & ~(0xFFu << 8 * i)) | (data & 0xFFu << 8 * i);
    return w < NREGS ? AXIL_OKAY : AXIL_SLVERR;
}

/* A random address: mostly the mapped words (some with nonzero byte
 * offsets, which the slave ignores), else anywhere in the 4 KiB. */
static uint32_t rand_addr(void) {
    uint32_t r = rnd_below(10);
    if (r < 7)
        return 4 * rnd_below(NREGS) + (r == 0 ? rnd_below(4) : 0);
    return rnd_below(0x1000);
}

typedef struct {
    tb t;
    vip_env e;
    axil_master m;
    axis_source src;
    axis_sink snk;
    axil_monitor mon_l;
    axis_monitor mon_in, mon_out;
    regmodel regs;
    int nbytes;      /* stream bytes per beat */
    uint64_t slverr; /* SLVERR responses seen */
    /* scoreboard: packets sent, in order, and the one being reassembled */
    uint8_t **pk;
    size_t *pk_len, npk, pk_cap, pk_next;
    uint8_t *got;
    size_t got_len, got_cap;
    uint64_t last_cycle;
    bool score_on; /* the scoreboard hook consumes the sink's beats */
    bool stop; /* a timeout: the slave is stuck, stop issuing accesses */
} bench;

static void check_access(bench *b, bool write, uint32_t addr, uint32_t data, uint32_t strb,
                         int resp, uint32_t rdata) {
    tb *t = &b->t;
    if (resp == AXIL_TIMEOUT) {
        b->stop = true;
        return;
    }
    if (write) {
        int exp = model_write(&b->regs, addr, data, strb);
        TB_CHECK(t, resp == exp, "write 0x%08x strb 0x%x to 0x%03x: %s, expected %s", data, strb,
                 addr, axil_resp_name(resp), axil_resp_name(exp));
    } else {
        uint32_t v;
        int exp = model_read(&b->regs, addr, &v);
        TB_CHECK(t, resp == exp, "read of 0x%03x: %s, expected %s", addr, axil_resp_name(resp),
                 axil_resp_name(exp));
        if (resp == AXIL_OKAY)
            TB_CHECK_EQ(t, rdata, v, "read of 0x%03x", addr);
    }
    b->slverr += resp == AXIL_SLVERR;
}

/* Phase 2 and the blocking API: n random accesses. */
static void register_phase(bench *b, int n) {
    for (int i = 0; i < n && !b->stop; i++) {
        uint32_t addr = rand_addr();
        if (rnd_below(2)) {
            uint32_t data = (uint32_t)rnd64(), strb = rnd_below(16);
            int r = axil_write(&b->m, addr, data, strb);
            check_access(b, true, addr, data, strb, r, 0);
        } else {
            uint32_t v = 0;
            int r = axil_read(&b->m, addr, &v);
            check_access(b, false, addr, 0, 0, r, v);
        }
    }
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n);
    if (!q) {
        fprintf(stderr, "tb_vip: out of memory\n");
        abort();
    }
    return q;
}

/* Queue a random packet of 1 .. 4 beats + 3 bytes. */
static void send_packet(bench *b) {
    size_t n = 1 + rnd_below((uint32_t)(4 * b->nbytes + 3));
    uint8_t *p = xrealloc(NULL, n);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd64();
    if (b->npk == b->pk_cap) {
        b->pk_cap = b->pk_cap ? 2 * b->pk_cap : 64;
        b->pk = xrealloc(b->pk, b->pk_cap * sizeof *b->pk);
        b->pk_len = xrealloc(b->pk_len, b->pk_cap * sizeof *b->pk_len);
    }
    b->pk[b->npk] = p;
    b->pk_len[b->npk++] = n;
    axis_source_push_packet(&b->src, p, n);
}

/* Hook (every cycle): reassemble packets from the sink's beats and compare
 * them with those sent.  Independent of the source's beat splitting: only
 * TKEEP says which bytes count. */
static void scoreboard(vip_env *e, void *ctx) {
    bench *b = ctx;
    tb *t = e->t;
    axis_beat beat;
    while (b->score_on && axis_sink_pop(&b->snk, &beat)) {
        TB_CHECK(t, beat.cycle > b->last_cycle, "beat handshakes out of order (cycle %" PRIu64
                 " after %" PRIu64 ")", beat.cycle, b->last_cycle);
        b->last_cycle = beat.cycle;
        for (int i = 0; i < b->nbytes; i++) {
            if (!((beat.keep[i / 32] >> (i % 32)) & 1))
                continue;
            if (b->got_len == b->got_cap) {
                b->got_cap = b->got_cap ? 2 * b->got_cap : 1024;
                b->got = xrealloc(b->got, b->got_cap);
            }
            b->got[b->got_len++] = (uint8_t)(beat.data[i / 4] >> (8 * (i % 4)));
        }
        if (!beat.last)
            continue;
        size_t k = b->pk_next++;
        if (k >= b->npk) {
            TB_CHECK(t, 0, "packet %zu received (%zu bytes), only %zu sent", k, b->got_len, b->npk);
        } else if (b->got_len != b->pk_len[k] || memcmp(b->got, b->pk[k], b->got_len) != 0) {
            size_t d = 0;
            while (d < b->got_len && d < b->pk_len[k] && b->got[d] == b->pk[k][d])
                d++;
            TB_CHECK(t, 0, "packet %zu: got %zu bytes, sent %zu; first difference at byte %zu", k,
                     b->got_len, b->pk_len[k], d);
        }
        b->got_len = 0;
    }
}

/* Phase 3: packets flow while non-blocking register accesses run. */
static void concurrent_phase(bench *b, int nops, int npackets) {
    for (int i = 0; i < npackets; i++)
        send_packet(b);
    int ops = 0;
    bool pending = false, write = false;
    uint32_t addr = 0, data = 0, strb = 0;
    uint64_t limit = b->t.cycle + 200000;
    while ((ops < nops || pending || axis_source_pending(&b->src) || b->pk_next < b->npk) &&
           b->t.cycle < limit && !b->stop) {
        if (pending && !axil_busy(&b->m)) {
            uint32_t v;
            int r = axil_result(&b->m, &v);
            check_access(b, write, addr, data, strb, r, v);
            pending = false;
        }
        if (!pending && ops < nops && !b->stop) {
            write = rnd_below(2);
            addr = rand_addr();
            data = (uint32_t)rnd64();
            strb = rnd_below(16);
            pending = write ? axil_start_write(&b->m, addr, data, strb) : axil_start_read(&b->m, addr);
            TB_CHECK(&b->t, pending, "axil_start_* refused with nothing in flight");
            ops++;
        }
        vip_tick(&b->e);
    }
    TB_CHECK(&b->t, b->stop || b->pk_next == b->npk,
             "only %zu of %zu packets arrived within 200000 cycles", b->pk_next, b->npk);
}

static bool sink_has(void *ctx) {
    bench *b = ctx;
    return axis_sink_count(&b->snk) >= 64;
}

/* Phase 4: ideal knobs give full throughput and the fixture's exact timing. */
static void ideal_phase(bench *b) {
    tb *t = &b->t;
    vip_reset(&b->e, 3);
    vip_tick(&b->e); /* the first cycle after reset: every VALID stays low */
    memset(&b->regs, 0, sizeof b->regs);
    axil_master_ideal(&b->m);
    b->src.gap = 0;
    b->snk.stall = 0;
    /* Timing of vip_axil_regs: AW and W taken at edge 1, the write done at
     * edge 2, B taken at edge 3; a read: AR at edge 1, R at edge 2. */
    for (int i = 0; i < 8 && !b->stop; i++) {
        uint64_t c0 = t->cycle;
        uint32_t d = (uint32_t)rnd64();
        int r = axil_write(&b->m, REG_SCRATCH0 + 4 * (i % 4), d, 0xF);
        check_access(b, true, REG_SCRATCH0 + 4 * (i % 4), d, 0xF, r, 0);
        TB_CHECK_EQ(t, t->cycle - c0, 3, "ideal write %d: cycles", i);
        c0 = t->cycle;
        uint32_t v = 0;
        r = axil_read(&b->m, REG_SCRATCH0 + 4 * (i % 4), &v);
        check_access(b, false, REG_SCRATCH0 + 4 * (i % 4), 0, 0, r, v);
        TB_CHECK_EQ(t, t->cycle - c0, 2, "ideal read %d: cycles", i);
    }
    /* 64 full beats, one packet, checked here (the scoreboard would pop them). */
    b->score_on = false;
    uint8_t *p = xrealloc(NULL, (size_t)(64 * b->nbytes));
    for (int i = 0; i < 64 * b->nbytes; i++)
        p[i] = (uint8_t)rnd64();
    axis_source_push_packet(&b->src, p, (size_t)(64 * b->nbytes));
    if (vip_wait(&b->e, sink_has, b, 400, "64 ideal beats")) {
        for (size_t i = 1; i < 64; i++)
            TB_CHECK_EQ(t, axis_sink_peek(&b->snk, i)->cycle, axis_sink_peek(&b->snk, i - 1)->cycle + 1,
                        "ideal beat %zu: handshake cycle", i);
        uint8_t got[AXIS_MAX_BITS / 8];
        for (size_t i = 0; i < 64; i++) {
            const axis_beat *bt = axis_sink_peek(&b->snk, i);
            axis_beat_bytes(bt, got, b->nbytes);
            TB_CHECK(t, memcmp(got, p + i * (size_t)b->nbytes, (size_t)b->nbytes) == 0,
                     "ideal beat %zu: data differs", i);
            TB_CHECK_EQ(t, bt->last, i == 63, "ideal beat %zu: TLAST", i);
        }
        TB_CHECK_EQ(t, b->src.last_cycle, axis_sink_peek(&b->snk, 63)->cycle - 1,
                    "last ideal beat: source handshake one cycle before the sink's (FIFO latency)");
    }
    free(p);
}

/* The VIP on the fixture's ports: the AXI-Lite master, the stream source and
 * sink, and a monitor on each interface. */
static void attach(bench *b) {
    vip_env_init(&b->e, &b->t, "aresetn", true);
    axil_master_init(&b->m, &b->e, "s_axil_");
    axis_source_init(&b->src, &b->e, "s_axis_");
    axis_sink_init(&b->snk, &b->e, "m_axis_");
    axil_monitor_init(&b->mon_l, &b->e, "s_axil_");
    axis_monitor_init(&b->mon_in, &b->e, "s_axis_", AXIS_KEEP_PACKED);
    axis_monitor_init(&b->mon_out, &b->e, "m_axis_", AXIS_KEEP_PACKED);
}

/* The `misuse` runs (header): a few cycles that break one rule of the VIP. */
static int misuse(bench *b, const char *how) {
    if (strcmp(how, "bare_tick") == 0) {
        vip_reset(&b->e, 4);
        vip_run(&b->e, 5);
        tick(&b->t); /* the misuse: an edge no monitor sampled */
        vip_run(&b->e, 5);
    } else {
        vip_run(&b->e, 10); /* no reset edge ever */
    }
    vip_summary(&b->e);
    axis_source_free(&b->src);
    axis_sink_free(&b->snk);
    return tb_close(&b->t);
}

int main(int argc, char **argv) {
    bool is_misuse = argc > 2 && strcmp(argv[1], "misuse") == 0 &&
                     (strcmp(argv[2], "bare_tick") == 0 || strcmp(argv[2], "no_reset") == 0);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || (strcmp(argv[1], "traffic") != 0 && !is_misuse)) {
        printf("usage: %s traffic [VARIANT] [+trace[=file.fst]]\n"
               "       %s misuse bare_tick|no_reset\n"
               "Self-test of the AXI verification IP on its fixtures (see the header of\n"
               "sim/vip/tb_vip.c).  VARIANT: the broken fixture variant of the bank model\n"
               "(sim/vip/fixtures/vip_fix_top.v), 0 = correct.  TEST_SEED replays a seed;\n"
               "VIP_OPS, VIP_PACKETS set the amount of traffic.  misuse: a bench that\n"
               "breaks the VIP's own rules; the monitors must fail it.\n",
               argv[0], argv[0]);
        return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    static bench b;
    if (is_misuse) {
        static char mname[64];
        snprintf(mname, sizeof mname, "vip_misuse_%s", argv[2]);
        tb_open(&b.t, mname, argc, argv, "build/vip/tb_vip.fst");
        attach(&b);
        return misuse(&b, argv[2]);
    }
    int variant = 0;
    if (argc > 2 && argv[2][0] != '+') {
        char *end;
        long v = strtol(argv[2], &end, 10);
        if (*end || v < 0 || v > 15) {
            printf("FAIL tb_vip: VARIANT '%s' is not a number 0..15 (see --help)\n", argv[2]);
            return 1;
        }
        variant = (int)v;
    }
    int p_var = vsim_port("variant");
    static char name[64];
    if (p_var >= 0)
        snprintf(name, sizeof name, "vip_bank_%d", variant);
    else
        snprintf(name, sizeof name, "vip_traffic");
    tb_open(&b.t, name, argc, argv, "build/vip/tb_vip.fst");
    if (p_var < 0 && variant != 0) {
        printf("FAIL %s: this model (%s) has no broken variants; use the bank model\n", name,
               vsim_model());
        return 1;
    }
    if (p_var >= 0)
        tb_set(&b.t, p_var, (uint64_t)variant);
    const char *s = getenv("VIP_OPS");
    int nops = s ? atoi(s) : 3000;
    s = getenv("VIP_PACKETS");
    int npackets = s ? atoi(s) : 600;

    attach(&b);
    b.nbytes = b.src.p.bits / 8;
    printf("%s: model %s, stream %d bits, variant %d, %d register accesses and %d packets per phase\n",
           name, vsim_model(), b.src.p.bits, variant, nops, npackets);

    /* A few cycles of random reset values first: the monitors start at the
     * first reset edge. */
    vip_run(&b.e, 2);
    vip_reset(&b.e, 4);

    /* 1 */
    TB_CHECK_EQ(&b.t, axil_read_ok(&b.m, REG_ID), ID_VALUE, "ID after reset");
    TB_CHECK_EQ(&b.t, axil_read_ok(&b.m, REG_WRITES), 0, "WRITES after reset");
    for (uint32_t i = 0; i < 4; i++)
        TB_CHECK_EQ(&b.t, axil_read_ok(&b.m, REG_SCRATCH0 + 4 * i), 0, "SCRATCH%u after reset", i);
    /* 2 */
    register_phase(&b, nops);
    /* 3 */
    vip_add_hook(&b.e, scoreboard, &b);
    b.score_on = true;
    concurrent_phase(&b, nops, npackets);
    /* 5 (before phase 4 switches randomization off) */
    if (!b.stop) {
        axil_monitor *l = &b.mon_l;
        TB_CHECK(&b.t, l->aw_first && l->w_first && l->together,
                 "AW/W orders not all seen: AW first %" PRIu64 ", W first %" PRIu64 ", together %" PRIu64,
                 l->aw_first, l->w_first, l->together);
        TB_CHECK(&b.t, l->wait[AXIL_B] && l->wait[AXIL_R], "no BREADY/RREADY delay seen (B %" PRIu64
                 ", R %" PRIu64 " cycles)", l->wait[AXIL_B], l->wait[AXIL_R]);
        TB_CHECK(&b.t, b.slverr > 0, "no SLVERR response seen");
        TB_CHECK(&b.t, b.mon_out.stalls && b.mon_in.stalls && b.mon_in.idles && b.src.gaps,
                 "stream randomization not seen: m_axis stalls %" PRIu64 ", s_axis stalls %" PRIu64
                 ", s_axis idle cycles %" PRIu64 ", source gaps %" PRIu64,
                 b.mon_out.stalls, b.mon_in.stalls, b.mon_in.idles, b.src.gaps);
    }
    /* 4 */
    if (!b.stop)
        ideal_phase(&b);
    /* The registers survived it all. */
    for (uint32_t i = 0; i < 4 && !b.stop; i++) {
        uint32_t v = 0;
        int r = axil_read(&b.m, REG_SCRATCH0 + 4 * i, &v);
        check_access(&b, false, REG_SCRATCH0 + 4 * i, 0, 0, r, v);
    }
    TB_CHECK_EQ(&b.t, b.src.beats, b.mon_in.beats, "beats sent (source) vs seen (s_axis monitor)");
    TB_CHECK_EQ(&b.t, b.mon_out.beats, b.mon_in.beats, "beats out vs in of the FIFO");

    uint64_t v = vip_summary(&b.e);
    TB_CHECK_EQ(&b.t, v, 0, "protocol violations");
    for (size_t i = 0; i < b.npk; i++)
        free(b.pk[i]);
    free(b.pk);
    free(b.pk_len);
    free(b.got);
    axis_source_free(&b.src);
    axis_sink_free(&b.snk);
    return tb_close(&b.t);
}
