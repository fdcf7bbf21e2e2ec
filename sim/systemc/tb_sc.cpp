/*
 * sim/systemc/tb_sc.cpp - SystemC test bench of the Verilated (--sc)
 * co-processor npe_coproc: the SystemC counterpart of sim/tb/tb_coproc.c.
 *
 * An sc_clock drives the model; SystemC agents (sc_axi.h) drive its pins
 * cycle by cycle: the AXI4-Lite master randomizes AW/W order and skew, idle
 * cycles and READY delays, the stream source TVALID gaps, the sink TREADY
 * backpressure; passive monitors check VALID/payload stability on all five
 * AXI4-Lite channels and both streams, responses without requests, VALIDs
 * in reset and the TKEEP rules.  Every result row is compared bit for bit
 * with kernels_ref's engine_dot(), every job's cycle count with the cycle
 * model (host/packer.c npe_job_timing): exactly when the stream is ideal,
 * as a lower bound otherwise.
 *
 *   tb_sc jobs    COPROC_JOBS (default 400) random jobs of random supported
 *                 format pairs and shapes, a quarter with an ideal stream;
 *                 STATUS flags, ISR, JOBS_DONE, CTRL, beat/MAC/stall counters
 *   tb_sc bench   the tiny-llama layer shapes x weight formats streamed back
 *                 to back (AUTO_RESTART, ideal traffic): cycles and simulated
 *                 cycles/s of the whole SystemC simulation (kernel, agents,
 *                 monitors and model; no tracing)
 *
 * Environment: TEST_SEED (replay), COPROC_JOBS, BENCH_REPS.
 */
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <type_traits>
#include <utility>

#include "Vnpe_coproc.h"
#include "sc_axi.h"
#include "sc_jobs.h"
#include "verilated.h"

using namespace npe_cfg;
using sc_core::sc_time;

/* The types Verilator chose for the stream ports (uint64_t, sc_bv<W>, ...). */
using tdata_t = std::decay_t<decltype(std::declval<Vnpe_coproc &>().s_axis_tdata.read())>;
using tkeep_t = std::decay_t<decltype(std::declval<Vnpe_coproc &>().s_axis_tkeep.read())>;

SC_MODULE(tb_top) {
    sc_core::sc_clock clk;
    sc_core::sc_signal<bool> resetn{"resetn"}, irq{"irq"};
    sc_axi::axil_if axil{"s_axil_"};
    sc_axi::axis_if<tdata_t, tkeep_t> sin{"s_axis_"}, sout{"m_axis_"};
    Vnpe_coproc dut{"dut"};
    sc_axi::axil_master m{"axil_master", axil, clk};
    sc_axi::axis_source<tdata_t, tkeep_t> src{"axis_source", sin, NPE_STREAM_W};
    sc_axi::axis_sink<tdata_t, tkeep_t> snk{"axis_sink", sout};
    sc_axi::axil_monitor am{"axil_mon", axil};
    sc_axi::axis_monitor<tdata_t, tkeep_t> min{"s_axis_mon", sin, NPE_STREAM_W, sc_axi::KEEP_ALL};
    sc_axi::axis_monitor<tdata_t, tkeep_t> mout{"m_axis_mon", sout, NPE_STREAM_W,
                                                sc_axi::KEEP_PACKED};
    std::string test;
    double cpu0 = 0;

    SC_HAS_PROCESS(tb_top);
    tb_top(sc_core::sc_module_name n, const std::string &t)
        : sc_module(n), clk("clk", sc_check::clock_period), test(t) {
        dut.aclk(clk);
        dut.aresetn(resetn);
        dut.irq(irq);
        sc_axi::bind_axil(dut, axil);
        sc_axi::bind_axis(dut, sin, sout);
        for (auto *p : {&src.clk, &snk.clk, &am.clk, &min.clk, &mout.clk})
            (*p)(clk);
        for (auto *p : {&src.resetn, &snk.resetn, &am.resetn, &min.resetn, &mout.resetn})
            (*p)(resetn);
        SC_THREAD(run);
    }

    /* ------------------------------------------------------------ helpers */
    void edges(int n) {
        for (int i = 0; i < n; i++)
            wait(clk.posedge_event());
    }
    uint32_t rd(uint32_t a) { return m.read_ok(a); }
    void wr(uint32_t a, uint32_t v) { m.write_ok(a, v); }
    uint64_t rd64(uint32_t lo) {
        uint64_t l = rd(lo);
        return l | (uint64_t)rd(lo + 4) << 32;
    }
    void set_ideal(bool ideal) {
        src.gap = ideal ? 0.0 : 0.25;
        snk.stall = ideal ? 0.0 : 0.25;
    }
    void program(const sc_job &j, uint32_t ctrl) {
        program_job([this](uint32_t a, uint32_t v) { wr(a, v); }, j, ctrl);
    }
    size_t queue_job(const sc_job &j) {
        std::vector<uint8_t> in = j.pack();
        src.push_packet(in.data(), in.size());
        return in.size() / beat_bytes;
    }

    /* Pop a job's result beats and check their TKEEP/TLAST; the cycle of
     * the last one in *last. */
    std::vector<uint8_t> take_results(const std::string &what, int rows, uint64_t *last) {
        npe_geom g = geom();
        size_t nout = npe_result_beats(&g, rows);
        std::vector<uint8_t> out(nout * beat_bytes);
        *last = 0;
        if (!snk.wait_count(nout, sc_check::clock_period * (200000.0 + 64.0 * (double)nout))) {
            SC_CHECK(false, "%s: %zu of %zu result beats arrived", what.c_str(), snk.count(), nout);
            return out;
        }
        int keep_last = npe_result_last_keep(&g, rows);
        for (size_t i = 0; i < nout; i++) {
            auto b = snk.pop();
            sc_axi::bytes_out(b.data, &out[i * beat_bytes], beat_bytes);
            bool is_last = i + 1 == nout;
            int nkeep = sc_axi::keep_run(b.keep, beat_bytes);
            SC_CHECK(nkeep == (is_last ? keep_last : beat_bytes),
                     "%s: result beat %zu: TKEEP wrong", what.c_str(), i);
            SC_CHECK(b.last == is_last, "%s: result beat %zu: TLAST %d", what.c_str(), i,
                     (int)b.last);
            *last = b.cycle;
        }
        return out;
    }

    /* ------------------------------------------------------------ one job */
    /* Run one good job end to end and check everything about it (the checks
     * of tb_coproc.c run_job). */
    void run_job(const sc_job &d, bool ideal) {
        std::string what = d.name();
        const char *w = what.c_str();
        set_ideal(ideal);
        wr(NPE_REG_STATUS, 0xFFu); /* clear sticky flags and errors */
        wr(NPE_REG_ISR, NPE_ISR_DONE | NPE_ISR_ERROR);
        wr(NPE_REG_PERF_CTRL, 1);
        uint32_t done0 = rd(NPE_REG_JOBS_DONE);
        /* the beats wait on the bus (TREADY low while idle) before the start,
         * so an ideal stream has no input stall */
        uint64_t in0 = src.beats, out_stall0 = snk.stalls;
        src.mark_beats = src.beats;
        size_t nin = queue_job(d);
        program(d, NPE_CTRL_AP_START);
        uint64_t t_last;
        std::vector<uint8_t> out = take_results(what, d.rows, &t_last);
        check_rows(w, d, out.data(), d.rows);
        SC_CHECK_EQ(src.beats - in0, nin, "%s: input beats taken", w);
        npe_timing tm = d.timing();
        uint64_t cycles = t_last - src.mark_cycle + 1;
        if (ideal) /* break_test.sh: one cycle off must be seen */
            SC_CHECK_EQ(cycles, tm.cycles + sc_check::broken("cycles"), "%s: cycles (ideal stream)",
                        w);
        else
            SC_CHECK(cycles >= tm.cycles, "%s: %llu cycles, faster than the model's %llu", w,
                     (unsigned long long)cycles, (unsigned long long)tm.cycles);
        uint32_t status = rd(NPE_REG_STATUS);
        SC_CHECK_EQ(status & 0xF, d.flags_or & 0xF, "%s: STATUS flags = OR of the rows'", w);
        SC_CHECK_EQ(status & NPE_STATUS_ERROR, 0, "%s: STATUS.ERROR on a good job (cause %u)", w,
                    status >> NPE_STATUS_CAUSE_SHIFT & 0xFF);
        SC_CHECK_EQ(rd(NPE_REG_ISR), NPE_ISR_DONE, "%s: ISR", w);
        SC_CHECK_EQ(rd(NPE_REG_JOBS_DONE), done0 + 1, "%s: JOBS_DONE", w);
        uint32_t ctrl = rd(NPE_REG_CTRL);
        SC_CHECK((ctrl & (NPE_CTRL_AP_DONE | NPE_CTRL_AP_IDLE | NPE_CTRL_AP_START)) ==
                     (NPE_CTRL_AP_DONE | NPE_CTRL_AP_IDLE),
                 "%s: CTRL 0x%x after the job", w, ctrl);
        SC_CHECK_EQ(rd(NPE_REG_CTRL) & NPE_CTRL_AP_DONE, 0, "%s: AP_DONE clears on read", w);
        SC_CHECK_EQ(rd64(NPE_REG_BEATS_IN_LO), nin, "%s: BEATS_IN", w);
        SC_CHECK_EQ(rd64(NPE_REG_BEATS_OUT_LO), d.out_beats(), "%s: BEATS_OUT", w);
        SC_CHECK_EQ(rd64(NPE_REG_MACS_LO), (uint64_t)d.rows * (uint64_t)d.cols, "%s: MACS", w);
        SC_CHECK_EQ(rd64(NPE_REG_OUT_STALL_LO), snk.stalls - out_stall0, "%s: OUT_STALL", w);
        uint64_t busy = rd64(NPE_REG_BUSY_LO);
        SC_CHECK(busy >= cycles, "%s: BUSY %llu < the job's %llu cycles", w,
                 (unsigned long long)busy, (unsigned long long)cycles);
        if (ideal)
            SC_CHECK_EQ(rd64(NPE_REG_IN_STALL_LO), 0, "%s: IN_STALL with an ideal stream", w);
    }

    void test_jobs() {
        int njobs = getenv("COPROC_JOBS") ? atoi(getenv("COPROC_JOBS")) : 400, ideal = 0;
        SC_CHECK(rd(NPE_REG_ID) == NPE_ID_VALUE, "ID register");
        for (int n = 0; n < njobs && !sc_check::failures; n++) {
            sc_job d = random_job(false, sc_check::test_rng());
            bool id = sc_check::test_rng().below(4) == 0 || sc_check::broken("cycles");
            ideal += id;
            run_job(d, id);
            if (n % 100 == 99)
                printf("%d jobs\n", n + 1);
        }
        printf("%d jobs (%d with an ideal stream: exact cycle check), bit-exact\n", njobs, ideal);
    }

    /* ------------------------------------------------------------ bench */
    /* Stream `reps` copies of one job back to back with AUTO_RESTART (as
     * tb_coproc.c run_repeated): the core accepts copy k+1 at copy k's last
     * input beat while AUTO_RESTART is set; it is cleared once copy reps-1
     * streams, so copy reps is the last accepted.  Returns the cycles from
     * the first input beat to the last result beat; the last copy's results
     * are checked, *cpu gets the CPU seconds it took. */
    uint64_t run_repeated(const sc_job &d, int reps, double *cpu) {
        size_t nin = d.in_beats();
        uint64_t base = src.beats;
        src.mark_beats = src.beats;
        std::vector<uint8_t> in = d.pack();
        for (int r = 0; r < reps; r++)
            src.push_packet(in.data(), in.size());
        double t0 = sc_check::cpu_now();
        program(d, NPE_CTRL_AP_START | (reps > 1 ? NPE_CTRL_AUTO_RESTART : 0));
        if (reps > 1) {
            if (!src.wait_beats(base + (uint64_t)(reps - 2) * nin + 1,
                                sc_check::clock_period * (double)(100000 + reps * nin)))
                SC_CHECK(false, "bench %s: copy %d did not start", d.name().c_str(), reps - 1);
            wr(NPE_REG_CTRL, 0); /* AUTO_RESTART off */
        }
        uint64_t last = 0;
        for (int r = 0; r < reps; r++) {
            std::vector<uint8_t> out = take_results(d.name(), d.rows, &last);
            if (r == reps - 1)
                check_rows(d.name().c_str(), d, out.data(), d.rows);
        }
        *cpu = sc_check::cpu_now() - t0;
        edges(4);
        SC_CHECK((rd(NPE_REG_CTRL) & (NPE_CTRL_AP_START | NPE_CTRL_AP_IDLE)) == NPE_CTRL_AP_IDLE,
                 "bench: the core did not stop after the last copy");
        SC_CHECK(src.idle(), "bench: input beats left over");
        return last - src.mark_cycle + 1;
    }

    /* The tiny-llama layer shapes x weight formats (sc_jobs.h layer_jobs,
     * the rows of tb_coproc.c's bench), one job and 1 + reps back to back. */
    void test_bench() {
        int reps = getenv("BENCH_REPS") ? atoi(getenv("BENCH_REPS")) : 8;
        set_ideal(true);
        m.ideal();
        printf("# SystemC %s: %d lanes, STREAM_W %d; 1 job = first input beat to last result "
               "beat, steady = cycles per job back to back (AUTO_RESTART), streamed = 1 + %d "
               "copies\n",
               NPE_CFG, NPE_LANES, NPE_STREAM_W, reps);
        printf("%-8s %-10s %-10s %8s %9s %9s %8s\n", "shape", "weights", "acts", "1 job", "steady",
               "streamed", "Mcyc/s");
        uint64_t all_cycles = 0;
        double all_s = 0;
        for (const layer_job &l : layer_jobs(sc_check::test_rng())) {
            const sc_job &d = l.job;
            double s1, sn;
            uint64_t c1 = run_repeated(d, 1, &s1);
            uint64_t cn = run_repeated(d, reps + 1, &sn);
            SC_CHECK_EQ(c1, d.timing().cycles, "bench %s: single-job cycles vs the model",
                        d.name().c_str());
            char shape[16];
            snprintf(shape, sizeof shape, "%dx%d", d.rows, d.cols);
            printf("%-8s %-10s %-10s %8llu %9.1f %9llu %8.2f%s\n", shape, fmt_get(d.wf)->name,
                   fmt_get(d.af)->name, (unsigned long long)c1, (double)(cn - c1) / reps,
                   (unsigned long long)cn, sn > 0 ? (double)cn / sn / 1e6 : 0.0,
                   l.w4a8 ? "  (W4A8)" : "");
            all_cycles += cn;
            all_s += sn;
        }
        printf("# SystemC %s: %.2f M cycles/s over %llu streamed cycles (Verilator --sc -O3, no "
               "tracing; SystemC kernel, agents, monitors and model; CPU time)\n",
               NPE_CFG, all_s > 0 ? (double)all_cycles / all_s / 1e6 : 0.0,
               (unsigned long long)all_cycles);
    }

    /* ------------------------------------------------------------ main */
    void run() {
        resetn.write(false); /* from the first edge: the state is random before it */
        edges(4);
        resetn.write(true);
        edges(1);
        cpu0 = sc_check::cpu_now();
        if (test == "jobs")
            test_jobs();
        else
            test_bench();
        summary();
        sc_core::sc_stop();
    }

    void summary() {
        double s = sc_check::cpu_now() - cpu0;
        uint64_t v = am.violations + min.violations + mout.violations;
        printf(
            "axil: %llu writes, %llu reads; s_axis: %llu beats, %llu packets; m_axis: %llu beats, "
            "%llu packets, %llu stall cycles; %llu protocol violation(s)\n",
            (unsigned long long)am.writes(), (unsigned long long)am.reads(),
            (unsigned long long)min.beats, (unsigned long long)min.packets,
            (unsigned long long)mout.beats, (unsigned long long)mout.packets,
            (unsigned long long)snk.stalls, (unsigned long long)v);
        SC_CHECK(v == 0, "%llu protocol violation(s)", (unsigned long long)v);
        uint64_t c = sc_check::cycle();
        printf("%s: %llu cycles in %.2f s of CPU time (%.2f M cycles/s)\n",
               sc_check::test_name.c_str(), (unsigned long long)c, s,
               s > 0 ? (double)c / s / 1e6 : 0.0);
    }
};

int sc_main(int argc, char **argv) {
    const char *test = argc > 1 ? argv[1] : "";
    if (strcmp(test, "jobs") && strcmp(test, "bench")) {
        fprintf(stderr,
                "usage: %s jobs|bench [+verilator+...]\n"
                "  jobs   COPROC_JOBS (400) random jobs, randomized AXI traffic, checked against\n"
                "         kernels_ref and the cycle model\n"
                "  bench  tiny-llama layer shapes streamed back to back: cycles, M cycles/s\n"
                "  TEST_SEED=<n> replays a seed; BENCH_REPS (8) copies per bench row\n",
                argv[0]);
        return strcmp(test, "--help") && strcmp(test, "-h") ? 2 : 0;
    }
    sc_program_start(std::string("sc_") + NPE_CFG + "_" + test, argc, argv);
    tb_top top("tb", test);
    sc_core::sc_start();
    return sc_check::finish();
}
