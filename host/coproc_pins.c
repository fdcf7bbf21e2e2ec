/* host/coproc_pins.c - see coproc_pins.h. */
#include "coproc_pins.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsim.h"

#define RESET_CYCLES 8      /* aresetn low this long after creation        */
#define WMAX VSIM_WORDS(VSIM_MAX_BITS)

struct npe_pins {
    vsim *m;
    int beat_bytes, words;
    /* port indices */
    int aresetn, awaddr, awprot, awvalid, awready, wdata, wstrb, wvalid, wready, bresp, bvalid,
        bready, araddr, arprot, arvalid, arready, rdata, rresp, rvalid, rready;
    int s_tdata, s_tkeep, s_tlast, s_tvalid, s_tready;
    int m_tdata, m_tkeep, m_tlast, m_tvalid, m_tready, irq;
    /* the AXI-Lite transaction in flight */
    int lite_write, lite_read;      /* kind in flight                            */
    int aw_pend, w_pend, ar_pend;   /* address/data not yet accepted             */
    int lite_done;                  /* response received, not yet collected      */
    uint32_t lite_rdata, lite_resp;
    uint64_t lite_start;            /* cycle it started (timeouts)               */
    /* last values driven, so unchanged ports are not re-written */
    int cur_valid, cur_last, cur_ready;
    char violation[256];
};

static int fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static void set1(npe_pins *p, int port, uint32_t v) { vsim_set_u64(p->m, port, v); }

static void bytes_to_words(const uint8_t *b, int nbytes, uint32_t *w) {
    for (int i = 0; i < (nbytes + 3) / 4; i++) {
        uint32_t x = 0;
        for (int k = 0; k < 4 && 4 * i + k < nbytes; k++)
            x |= (uint32_t)b[4 * i + k] << (8 * k);
        w[i] = x;
    }
}

static void words_to_bytes(const uint32_t *w, int nbytes, uint8_t *b) {
    for (int i = 0; i < nbytes; i++)
        b[i] = (uint8_t)(w[i / 4] >> (8 * (i % 4)));
}

npe_pins *npe_pins_open(int argc, char **argv, char *err, size_t errlen) {
    /* Random reset values stay on (the shim's default) but with a fixed
     * seed, so two runs of the model are the same run. */
    char *args[64];
    int n = 0;
    args[n++] = (char *)"+verilator+seed+1";
    for (int i = 0; i < argc && n < 63; i++)
        args[n++] = argv[i];
    const char *need[] = {"aclk", "aresetn", "s_axil_awaddr", "s_axis_tdata", "m_axis_tdata"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (vsim_port(need[i]) < 0) {
            fail(err, errlen,
                 "the linked model %s has no port %s: it is not the co-processor npe_coproc "
                 "(docs/protocol.md section 0)",
                 vsim_model(), need[i]);
            return NULL;
        }
    npe_pins *p = calloc(1, sizeof *p);
    if (!p) {
        fail(err, errlen, "out of memory");
        return NULL;
    }
    p->m = vsim_create(n, args, "coproc.fst");
    if (!p->m) {
        free(p);
        fail(err, errlen, "cannot create the Verilated model %s (see above)", vsim_model());
        return NULL;
    }
#define PORT(field, name) p->field = vsim_port_req(name)
    PORT(aresetn, "aresetn");
    PORT(awaddr, "s_axil_awaddr");
    PORT(awprot, "s_axil_awprot");
    PORT(awvalid, "s_axil_awvalid");
    PORT(awready, "s_axil_awready");
    PORT(wdata, "s_axil_wdata");
    PORT(wstrb, "s_axil_wstrb");
    PORT(wvalid, "s_axil_wvalid");
    PORT(wready, "s_axil_wready");
    PORT(bresp, "s_axil_bresp");
    PORT(bvalid, "s_axil_bvalid");
    PORT(bready, "s_axil_bready");
    PORT(araddr, "s_axil_araddr");
    PORT(arprot, "s_axil_arprot");
    PORT(arvalid, "s_axil_arvalid");
    PORT(arready, "s_axil_arready");
    PORT(rdata, "s_axil_rdata");
    PORT(rresp, "s_axil_rresp");
    PORT(rvalid, "s_axil_rvalid");
    PORT(rready, "s_axil_rready");
    PORT(s_tdata, "s_axis_tdata");
    PORT(s_tkeep, "s_axis_tkeep");
    PORT(s_tlast, "s_axis_tlast");
    PORT(s_tvalid, "s_axis_tvalid");
    PORT(s_tready, "s_axis_tready");
    PORT(m_tdata, "m_axis_tdata");
    PORT(m_tkeep, "m_axis_tkeep");
    PORT(m_tlast, "m_axis_tlast");
    PORT(m_tvalid, "m_axis_tvalid");
    PORT(m_tready, "m_axis_tready");
    /* the interrupt output: "irq" (Verilator reserves "interrupt" as a C++ word) */
    p->irq = vsim_port("irq") >= 0 ? vsim_port("irq") : vsim_port_req("interrupt");
#undef PORT
    int w = vsim_port_width(p->s_tdata);
    if (w % 32 || w < 64 || w > VSIM_MAX_BITS || vsim_port_width(p->m_tdata) != w ||
        vsim_port_width(p->s_tkeep) != w / 8) {
        fail(err, errlen, "%s: stream ports of unexpected widths (s_axis_tdata %d, m_axis_tdata "
                          "%d, s_axis_tkeep %d)",
             vsim_model(), w, vsim_port_width(p->m_tdata), vsim_port_width(p->s_tkeep));
        npe_pins_close(p);
        return NULL;
    }
    p->beat_bytes = w / 8;
    p->words = w / 32;
    /* Constant inputs: full TKEEP, unprivileged data accesses, full WSTRB,
     * responses always accepted. */
    uint32_t ones[WMAX];
    memset(ones, 0xFF, sizeof ones);
    vsim_set(p->m, p->s_tkeep, ones);
    set1(p, p->awprot, 0);
    set1(p, p->arprot, 0);
    set1(p, p->wstrb, 0xF);
    set1(p, p->bready, 1);
    set1(p, p->rready, 1);
    set1(p, p->awvalid, 0);
    set1(p, p->wvalid, 0);
    set1(p, p->arvalid, 0);
    set1(p, p->s_tvalid, 0);
    set1(p, p->s_tlast, 0);
    set1(p, p->m_tready, 0);
    set1(p, p->aresetn, 0);
    for (int i = 0; i < RESET_CYCLES; i++)
        vsim_tick(p->m);
    set1(p, p->aresetn, 1);
    vsim_tick(p->m);
    return p;
}

void npe_pins_close(npe_pins *p) {
    if (!p)
        return;
    vsim_destroy(p->m);
    free(p);
}

int npe_pins_beat_bytes(const npe_pins *p) { return p->beat_bytes; }
uint64_t npe_pins_cycles(const npe_pins *p) { return vsim_cycles(p->m); }
int npe_pins_interrupt(const npe_pins *p) { return (int)vsim_get_u64(p->m, p->irq); }
const char *npe_pins_violation(const npe_pins *p) {
    return p->violation[0] ? p->violation : NULL;
}

static void violate(npe_pins *p, const char *what) {
    if (!p->violation[0])
        snprintf(p->violation, sizeof p->violation, "cycle %llu: %s",
                 (unsigned long long)vsim_cycles(p->m), what);
}

void npe_pins_cycle(npe_pins *p, npe_pins_io *io) {
    /* drive */
    int valid = io->in_beat != NULL;
    if (valid) { /* always: a caller may reuse one buffer for new data */
        uint32_t w[WMAX];
        bytes_to_words(io->in_beat, p->beat_bytes, w);
        vsim_set(p->m, p->s_tdata, w);
    }
    if (valid != p->cur_valid)
        set1(p, p->s_tvalid, (uint32_t)(p->cur_valid = valid));
    int last = valid && io->in_last;
    if (last != p->cur_last)
        set1(p, p->s_tlast, (uint32_t)(p->cur_last = last));
    int ready = io->out_beat != NULL;
    if (ready != p->cur_ready)
        set1(p, p->m_tready, (uint32_t)(p->cur_ready = ready));
    int lite = p->lite_write || p->lite_read;
    if (lite) {
        set1(p, p->awvalid, (uint32_t)p->aw_pend);
        set1(p, p->wvalid, (uint32_t)p->w_pend);
        set1(p, p->arvalid, (uint32_t)p->ar_pend);
    }
    /* settle and sample what the edge will see */
    vsim_eval(p->m);
    io->in_taken = valid && vsim_get_u64(p->m, p->s_tready);
    io->out_got = ready && vsim_get_u64(p->m, p->m_tvalid);
    io->out_last = 0;
    io->out_bytes = 0;
    if (io->out_got) {
        uint32_t w[WMAX], k[WMAX];
        vsim_get(p->m, p->m_tdata, w);
        words_to_bytes(w, p->beat_bytes, io->out_beat);
        io->out_last = (int)vsim_get_u64(p->m, p->m_tlast);
        vsim_get(p->m, p->m_tkeep, k);
        int n = 0;
        while (n < p->beat_bytes && (k[n / 32] >> (n % 32)) & 1)
            n++;
        for (int i = n; i < p->beat_bytes; i++)
            if ((k[i / 32] >> (i % 32)) & 1)
                violate(p, "m_axis_tkeep is not contiguous from byte 0");
        if (n < p->beat_bytes && !io->out_last)
            violate(p, "m_axis_tkeep is partial on a beat without TLAST");
        io->out_bytes = n;
    }
    int aw_ok = 0, w_ok = 0, ar_ok = 0, b_ok = 0, r_ok = 0;
    uint32_t bresp = 0, rdata = 0, rresp = 0;
    if (lite || vsim_get_u64(p->m, p->bvalid) || vsim_get_u64(p->m, p->rvalid)) {
        aw_ok = p->aw_pend && vsim_get_u64(p->m, p->awready);
        w_ok = p->w_pend && vsim_get_u64(p->m, p->wready);
        ar_ok = p->ar_pend && vsim_get_u64(p->m, p->arready);
        b_ok = (int)vsim_get_u64(p->m, p->bvalid);
        r_ok = (int)vsim_get_u64(p->m, p->rvalid);
        if (b_ok) {
            bresp = (uint32_t)vsim_get_u64(p->m, p->bresp);
            if (!p->lite_write || p->aw_pend || p->w_pend)
                violate(p, "s_axil_bvalid before both AW and W were accepted");
        }
        if (r_ok) {
            rdata = (uint32_t)vsim_get_u64(p->m, p->rdata);
            rresp = (uint32_t)vsim_get_u64(p->m, p->rresp);
            if (!p->lite_read || p->ar_pend)
                violate(p, "s_axil_rvalid with no read address accepted");
        }
    }
    vsim_tick(p->m);
    /* update */
    if (aw_ok)
        p->aw_pend = 0;
    if (w_ok)
        p->w_pend = 0;
    if (ar_ok)
        p->ar_pend = 0;
    if (b_ok && p->lite_write && !p->lite_done) {
        p->lite_done = 1;
        p->lite_resp = bresp;
    }
    if (r_ok && p->lite_read && !p->lite_done) {
        p->lite_done = 1;
        p->lite_rdata = rdata;
        p->lite_resp = rresp;
    }
    if (p->lite_done && lite) { /* stop driving the channel */
        set1(p, p->awvalid, 0);
        set1(p, p->wvalid, 0);
        set1(p, p->arvalid, 0);
    }
}

int npe_pins_lite_start(npe_pins *p, int is_write, uint32_t addr, uint32_t wdata) {
    if (p->lite_write || p->lite_read)
        return -1;
    p->lite_done = 0;
    p->lite_start = vsim_cycles(p->m);
    if (is_write) {
        p->lite_write = 1;
        p->aw_pend = p->w_pend = 1;
        set1(p, p->awaddr, addr);
        set1(p, p->wdata, wdata);
    } else {
        p->lite_read = 1;
        p->ar_pend = 1;
        set1(p, p->araddr, addr);
    }
    return 0;
}

int npe_pins_lite_busy(const npe_pins *p) { return p->lite_write || p->lite_read; }

int npe_pins_lite_done(npe_pins *p, uint32_t *rdata, uint32_t *resp) {
    if (!p->lite_done)
        return 0;
    if (rdata)
        *rdata = p->lite_rdata;
    if (resp)
        *resp = p->lite_resp;
    p->lite_done = p->lite_write = p->lite_read = 0;
    return 1;
}

void npe_pins_lite_abort(npe_pins *p) {
    p->lite_write = p->lite_read = p->aw_pend = p->w_pend = p->ar_pend = p->lite_done = 0;
    set1(p, p->awvalid, 0);
    set1(p, p->wvalid, 0);
    set1(p, p->arvalid, 0);
}

uint64_t npe_pins_lite_age(const npe_pins *p) {
    return npe_pins_lite_busy(p) ? vsim_cycles(p->m) - p->lite_start : 0;
}

static int lite_blocking(npe_pins *p, int is_write, uint32_t addr, uint32_t wdata,
                         uint32_t *rdata, char *err, size_t errlen) {
    if (npe_pins_lite_start(p, is_write, addr, wdata))
        return fail(err, errlen, "AXI-Lite: a transaction is already in flight");
    npe_pins_io idle = {0};
    uint32_t resp = 0;
    for (int i = 0; i < NPE_PINS_LITE_TIMEOUT; i++) {
        npe_pins_cycle(p, &idle);
        if (npe_pins_lite_done(p, rdata, &resp)) {
            if (resp != 0)
                return fail(err, errlen, "AXI-Lite %s of register 0x%03x answered %s (%u)",
                            is_write ? "write" : "read", addr, resp == 2 ? "SLVERR" : "DECERR",
                            resp);
            return 0;
        }
    }
    int aw = p->aw_pend, w = p->w_pend, ar = p->ar_pend;
    npe_pins_lite_abort(p);
    return fail(err, errlen,
                "AXI-Lite %s of register 0x%03x: no response within %d cycles (%s still "
                "waiting for READY)",
                is_write ? "write" : "read", addr, NPE_PINS_LITE_TIMEOUT,
                is_write ? (aw && w ? "AW and W" : aw ? "AW" : w ? "W" : "B response, AW/W done")
                         : (ar ? "AR" : "R response, AR done"));
}

int npe_pins_reg_write(npe_pins *p, uint32_t addr, uint32_t v, char *err, size_t errlen) {
    return lite_blocking(p, 1, addr, v, NULL, err, errlen);
}

int npe_pins_reg_read(npe_pins *p, uint32_t addr, uint32_t *v, char *err, size_t errlen) {
    return lite_blocking(p, 0, addr, 0, v, err, errlen);
}

int npe_pins_stream(npe_pins *p, const uint8_t *in, size_t in_bytes, uint8_t *out,
                    size_t out_cap, size_t *got, uint64_t max_cycles, char *err,
                    size_t errlen) {
    size_t bb = (size_t)p->beat_bytes, nin = in_bytes / bb, sent = 0, outn = 0;
    uint8_t spill[VSIM_MAX_BITS / 8];
    *got = 0;
    if (in_bytes % bb)
        return fail(err, errlen, "stream: %zu input bytes are not whole %zu-byte beats", in_bytes,
                    bb);
    for (uint64_t c = 0; c < max_cycles; c++) {
        npe_pins_io io = {.in_beat = sent < nin ? in + sent * bb : NULL,
                          .in_last = sent + 1 == nin,
                          .out_beat = outn + bb <= out_cap ? out + outn : spill};
        npe_pins_cycle(p, &io);
        if (io.in_taken)
            sent++;
        if (io.out_got) {
            if (io.out_beat == spill)
                return fail(err, errlen,
                            "stream: more result beats than the %zu bytes expected (after %zu "
                            "bytes, %zu/%zu input beats sent)",
                            out_cap, outn, sent, nin);
            outn += (size_t)io.out_bytes;
            if (io.out_last) {
                *got = outn;
                if (sent < nin)
                    return fail(err, errlen,
                                "stream: the results ended (TLAST) with %zu of %zu input beats "
                                "sent",
                                sent, nin);
                return 0;
            }
            if ((size_t)io.out_bytes != bb)
                return fail(err, errlen, "stream: partial result beat without TLAST");
        }
    }
    *got = outn;
    return fail(err, errlen,
                "stream: no result TLAST within %llu cycles (%zu/%zu input beats accepted, %zu "
                "result bytes received): the co-processor hangs",
                (unsigned long long)max_cycles, sent, nin, outn);
}
