/*
 * sim/systemc/tlm_example.cpp - a virtual platform in miniature: a host
 * (driver) model with two TLM-2.0 initiator sockets drives the
 * co-processor through its TLM wrapper (npe_tlm.h), as a CPU would through
 * an AXI4-Lite bridge and an XDMA in stream mode.
 *
 *   tlm_example check   register socket: ID and capabilities, byte enables
 *                       (WSTRB), the error responses; TLM_JOBS (default 200)
 *                       random jobs of every supported pair and the
 *                       tiny-llama layer shapes, each programmed through the
 *                       register socket, streamed in and read back through
 *                       the stream socket, every row compared with
 *                       kernels_ref, every job's cycles with the cycle model
 *                       (the wrapper's stream is ideal), STATUS/ISR and the
 *                       interrupt line; the annotated delays add up to the
 *                       core's clock; the core runs on while the host waits
 *   tlm_example bench   the tiny-llama layer shapes back to back through the
 *                       wrapper: simulated M cycles/s (CPU time)
 *
 * Environment: TEST_SEED, TLM_JOBS, BENCH_REPS.
 */
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>

#include "npe_tlm.h"
#include "sc_jobs.h"
#include "verilated.h"

using namespace npe_cfg;
using namespace sc_core;
using namespace tlm;

static const char *resp_name(tlm_response_status r) {
    switch (r) {
    case TLM_OK_RESPONSE: return "OK";
    case TLM_INCOMPLETE_RESPONSE: return "INCOMPLETE";
    case TLM_GENERIC_ERROR_RESPONSE: return "GENERIC_ERROR";
    case TLM_ADDRESS_ERROR_RESPONSE: return "ADDRESS_ERROR";
    case TLM_COMMAND_ERROR_RESPONSE: return "COMMAND_ERROR";
    case TLM_BURST_ERROR_RESPONSE: return "BURST_ERROR";
    case TLM_BYTE_ENABLE_ERROR_RESPONSE: return "BYTE_ENABLE_ERROR";
    }
    return "?";
}

static npe_tlm *the_npe; /* for sc_check's failure messages */

SC_MODULE(host) {
    tlm_utils::simple_initiator_socket<host> regs{"regs"}, dma{"dma"};
    npe_tlm &npe;  /* the wrapper: only for irq() and the test's cycle marks */
    sc_time local; /* this initiator's time ahead of sc_time_stamp() */
    std::string test;

    SC_HAS_PROCESS(host);
    host(sc_module_name n, npe_tlm & dev, const std::string &t) : sc_module(n), npe(dev), test(t) {
        SC_THREAD(run);
    }

    /* ------------------------------------------------------------ bus */
    tlm_response_status access(tlm_utils::simple_initiator_socket<host> & s, tlm_command cmd,
                               uint64_t addr, void *data, size_t len,
                               const unsigned char *be = nullptr, unsigned be_len = 0) {
        tlm_generic_payload t;
        t.set_command(cmd);
        t.set_address(addr);
        t.set_data_ptr((unsigned char *)data);
        t.set_data_length((unsigned)len);
        t.set_streaming_width((unsigned)len);
        t.set_byte_enable_ptr((unsigned char *)be);
        t.set_byte_enable_length(be_len);
        t.set_response_status(TLM_INCOMPLETE_RESPONSE);
        s->b_transport(t, local);
        return t.get_response_status();
    }
    uint32_t rd(uint32_t a) {
        uint32_t v = 0;
        tlm_response_status r = access(regs, TLM_READ_COMMAND, a, &v, 4);
        SC_CHECK(r == TLM_OK_RESPONSE, "read 0x%03x: %s", a, resp_name(r));
        return v;
    }
    void wr(uint32_t a, uint32_t v) {
        tlm_response_status r = access(regs, TLM_WRITE_COMMAND, a, &v, 4);
        SC_CHECK(r == TLM_OK_RESPONSE, "write 0x%03x: %s", a, resp_name(r));
    }
    /* Synchronize: SystemC time catches up with this initiator's. */
    void sync() {
        wait(local);
        local = SC_ZERO_TIME;
    }
    void program(const sc_job &j, uint32_t ctrl) {
        program_job([this](uint32_t a, uint32_t v) { wr(a, v); }, j, ctrl);
    }
    void send(const sc_job &j) {
        std::vector<uint8_t> in = j.pack();
        tlm_response_status r = access(dma, TLM_WRITE_COMMAND, 0, in.data(), in.size());
        SC_CHECK(r == TLM_OK_RESPONSE, "%s: stream write: %s", j.name().c_str(), resp_name(r));
    }
    std::vector<uint8_t> receive(const sc_job &j) {
        std::vector<uint8_t> out(j.out_beats() * beat_bytes);
        tlm_response_status r = access(dma, TLM_READ_COMMAND, 0, out.data(), out.size());
        SC_CHECK(r == TLM_OK_RESPONSE, "%s: stream read: %s", j.name().c_str(), resp_name(r));
        return out;
    }

    /* ------------------------------------------------------------ check */
    void run_job(const sc_job &j) {
        std::string what = j.name();
        const char *w = what.c_str();
        wr(NPE_REG_STATUS, 0xFF);
        wr(NPE_REG_ISR, NPE_ISR_DONE | NPE_ISR_ERROR);
        program(j, NPE_CTRL_AP_START);
        send(j);
        std::vector<uint8_t> out = receive(j);
        check_rows(w, j, out.data(), j.rows);
        npe_tlm::marks m = npe.stream_marks();
        SC_CHECK_EQ(m.out_last - m.in_first + 1, j.timing().cycles + sc_check::broken("cycles"),
                    "%s: cycles", w);
        uint32_t st = rd(NPE_REG_STATUS);
        SC_CHECK_EQ(st & 0xF, j.flags_or & 0xF, "%s: STATUS flags", w);
        SC_CHECK_EQ(st & NPE_STATUS_ERROR, 0, "%s: STATUS.ERROR (cause %u)", w,
                    st >> NPE_STATUS_CAUSE_SHIFT & 0xFF);
        SC_CHECK_EQ(rd(NPE_REG_ISR), NPE_ISR_DONE, "%s: ISR", w);
        sync(); /* the interrupt line is seen at the time of the access that raised it */
        SC_CHECK(npe.irq().read(), "%s: irq low after the job (GIE, IER done)", w);
        wr(NPE_REG_ISR, NPE_ISR_DONE);
        sync();
        SC_CHECK(!npe.irq().read(), "%s: irq high after ISR was cleared", w);
        SC_CHECK(sc_time::from_value(npe.period().value() * npe.cycle()) == sc_time_stamp(),
                 "%s: the annotated delays (%s) do not add up to the core's %llu cycles", w,
                 sc_time_stamp().to_string().c_str(), (unsigned long long)npe.cycle());
    }

    void check_bus() {
        SC_CHECK_EQ(rd(NPE_REG_ID), NPE_ID_VALUE, "ID");
        SC_CHECK_EQ(rd(NPE_REG_CAP_GEOM), (uint32_t)NPE_STREAM_W << 16 | NPE_J << 8 | NPE_LANES,
                    "CAP_GEOM");
        SC_CHECK_EQ(rd(NPE_REG_CAP_KMAX), NPE_K_MAX, "CAP_KMAX");
        /* byte enables -> WSTRB: byte 1 of ROWS only */
        wr(NPE_REG_ROWS, 0x00A1B2C3);
        uint32_t ones = 0xFFFFFFFF;
        const unsigned char be[4] = {0, TLM_BYTE_ENABLED, 0, 0};
        SC_CHECK(access(regs, TLM_WRITE_COMMAND, NPE_REG_ROWS, &ones, 4, be, 4) == TLM_OK_RESPONSE,
                 "byte-enable write");
        SC_CHECK_EQ(rd(NPE_REG_ROWS), 0x00A1FFC3, "ROWS after a write with byte 1 enabled");
        /* error responses */
        uint32_t v = 0;
        uint8_t beat[2 * beat_bytes] = {0};
        SC_CHECK(access(regs, TLM_READ_COMMAND, 0x2, &v, 4) == TLM_ADDRESS_ERROR_RESPONSE,
                 "unaligned register read: ADDRESS_ERROR");
        SC_CHECK(access(regs, TLM_READ_COMMAND, 0x1000, &v, 4) == TLM_ADDRESS_ERROR_RESPONSE,
                 "register read at 0x1000: ADDRESS_ERROR");
        SC_CHECK(access(regs, TLM_READ_COMMAND, 0, beat, 8) == TLM_BURST_ERROR_RESPONSE,
                 "8-byte register read: BURST_ERROR");
        SC_CHECK(access(dma, TLM_READ_COMMAND, 0, beat, beat_bytes + 1) == TLM_BURST_ERROR_RESPONSE,
                 "stream read of a partial beat: BURST_ERROR");
        SC_CHECK(access(dma, TLM_WRITE_COMMAND, 0, beat, beat_bytes, be, 4) ==
                     TLM_BYTE_ENABLE_ERROR_RESPONSE,
                 "stream write with byte enables: BYTE_ENABLE_ERROR");
        SC_CHECK(access(dma, TLM_WRITE_COMMAND, 0x100, beat, beat_bytes) ==
                     TLM_ADDRESS_ERROR_RESPONSE,
                 "stream write at 0x100: ADDRESS_ERROR");
        SC_CHECK(rd(NPE_REG_CTRL) == NPE_CTRL_AP_IDLE, "idle after the refused accesses");
    }

    /* The core computes while the host does something else: the results
     * are there when the host comes back, and reading them costs no time. */
    void check_decoupling() {
        sc_job j = random_job(false, sc_check::test_rng());
        program(j, NPE_CTRL_AP_START);
        send(j);
        sync();
        npe_timing tm = j.timing();
        wait(npe.period() * (double)(tm.cycles + 100)); /* the host is busy elsewhere */
        sc_time t0 = local;
        std::vector<uint8_t> out = receive(j);
        check_rows("decoupled job", j, out.data(), j.rows);
        SC_CHECK(local - t0 < npe.period(), "decoupled job: reading finished results took %s",
                 (local - t0).to_string().c_str());
        SC_CHECK_EQ(npe.results_pending(), 0, "decoupled job: result beats left over");
        wr(NPE_REG_ISR, NPE_ISR_DONE);
    }

    void test_check() {
        check_bus();
        wr(NPE_REG_GIE, 1);
        wr(NPE_REG_IER, NPE_ISR_DONE);
        int njobs = getenv("TLM_JOBS") ? atoi(getenv("TLM_JOBS")) : 200;
        for (int n = 0; n < njobs && !sc_check::failures; n++)
            run_job(random_job(false, sc_check::test_rng()));
        int shapes = 0;
        for (const layer_job &l : layer_jobs(sc_check::test_rng())) {
            run_job(l.job);
            shapes++;
        }
        check_decoupling();
        printf("%d random jobs and %d tiny-llama layer jobs through the TLM sockets, bit-exact and "
               "cycle-exact; %llu core cycles = %s\n",
               njobs, shapes, (unsigned long long)npe.cycle(), sc_time_stamp().to_string().c_str());
    }

    /* ------------------------------------------------------------ bench */
    /* Stream `copies` copies of a job back to back: with AUTO_RESTART set
     * when a copy is accepted, the next copy is accepted at its last input
     * beat.  AUTO_RESTART is cleared in the middle of the last-but-one copy
     * (its first half is written without TLAST), so the last copy is the
     * last accepted.  Returns the cycles from the first input beat to the
     * last result beat. */
    uint64_t stream_copies(const sc_job &j, int copies) {
        program(j, NPE_CTRL_AP_START | (copies > 1 ? NPE_CTRL_AUTO_RESTART : 0));
        std::vector<uint8_t> in = j.pack();
        size_t half = in.size() / beat_bytes / 2 * beat_bytes;
        uint64_t first = 0;
        for (int c = 0; c < copies; c++) {
            tlm_response_status r;
            if (c == copies - 2 && half) {
                r = access(dma, TLM_WRITE_COMMAND, npe_tlm::STREAM_MORE, in.data(), half);
                wr(NPE_REG_CTRL, 0); /* AUTO_RESTART off */
                if (r == TLM_OK_RESPONSE)
                    r = access(dma, TLM_WRITE_COMMAND, 0, in.data() + half, in.size() - half);
            } else {
                r = access(dma, TLM_WRITE_COMMAND, 0, in.data(), in.size());
            }
            SC_CHECK(r == TLM_OK_RESPONSE, "bench %s: copy %d: stream write: %s", j.name().c_str(),
                     c, resp_name(r));
            if (!c)
                first = npe.stream_marks().in_first;
        }
        std::vector<uint8_t> out;
        for (int c = 0; c < copies; c++)
            out = receive(j);
        check_rows(j.name().c_str(), j, out.data(), j.rows);
        sync();
        return npe.stream_marks().out_last - first + 1;
    }

    void test_bench() {
        int reps = getenv("BENCH_REPS") ? atoi(getenv("BENCH_REPS")) : 8;
        if (reps < 1)
            reps = 1;
        uint64_t cycles = 0;
        double s = 0;
        for (const layer_job &l : layer_jobs(sc_check::test_rng())) {
            const sc_job &j = l.job;
            uint64_t c1 = stream_copies(j, 1);
            SC_CHECK_EQ(c1, j.timing().cycles, "bench %s: single-job cycles", j.name().c_str());
            double t0 = sc_check::cpu_now();
            cycles += stream_copies(j, reps + 1);
            s += sc_check::cpu_now() - t0;
        }
        SC_CHECK((rd(NPE_REG_CTRL) & (NPE_CTRL_AP_START | NPE_CTRL_AP_IDLE)) == NPE_CTRL_AP_IDLE,
                 "bench: the core did not stop");
        printf("# TLM %s: %.2f M cycles/s over %llu streamed cycles (npe_tlm sockets, the same "
               "shapes back to back; CPU time)\n",
               NPE_CFG, s > 0 ? (double)cycles / s / 1e6 : 0.0, (unsigned long long)cycles);
    }

    void run() {
        if (test == "check")
            test_check();
        else
            test_bench();
        sc_stop();
    }
};

int sc_main(int argc, char **argv) {
    const char *test = argc > 1 ? argv[1] : "";
    if (strcmp(test, "check") && strcmp(test, "bench")) {
        fprintf(stderr,
                "usage: %s check|bench [+verilator+...]\n"
                "  check  TLM_JOBS (200) random jobs and the tiny-llama layer shapes through the\n"
                "         TLM-2.0 wrapper, checked against kernels_ref and the cycle model\n"
                "  bench  the layer shapes back to back through the wrapper: M cycles/s\n"
                "  TEST_SEED=<n> replays a seed; BENCH_REPS (8) copies per bench row\n",
                argv[0]);
        return strcmp(test, "--help") && strcmp(test, "-h") ? 2 : 0;
    }
    sc_program_start(std::string("sc_") + NPE_CFG + "_tlm_" + test, argc, argv);
    npe_tlm npe("npe");
    the_npe = &npe;
    sc_check::cycle_source = [] { return the_npe->cycle(); }; /* failures name the core's cycle */
    host h("host", npe, test);
    h.regs.bind(npe.regs);
    h.dma.bind(npe.stream);
    sc_start();
    return sc_check::finish();
}
