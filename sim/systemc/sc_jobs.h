/*
 * sim/systemc/sc_jobs.h - random co-processor jobs and their expected
 * results for the SystemC programs: the same kinds of jobs as
 * sim/tb/tb_coproc.c's `jobs` test (every supported format pair; short
 * rows with many row groups, MX block edges, rows near K_MAX, random
 * shapes; uniform or special-rich codes; MX scales anywhere, at the ends of
 * the E8M0 range or near 2^0; SCALE_MODE 0 for some MX jobs), packed with
 * host/packer.c and checked against kernels_ref's engine_dot().
 */
#ifndef SIM_SC_JOBS_H
#define SIM_SC_JOBS_H

#include <string>
#include <vector>

#include "sc_cfg.h"
#include "sc_check.h"

struct sc_job {
    int rows = 0, cols = 0;
    fmt_id wf = FMT_INT8, af = FMT_INT8;
    int scales_inline = 1;
    std::vector<uint16_t> w;      /* (rows, npe_row_codes(wf, cols)) codes      */
    std::vector<uint16_t> a;      /* (npe_row_codes(af, cols)) codes            */
    std::vector<uint8_t> ws, as;  /* E8M0 scales (rows, nblk) / (nblk), MX only */
    std::vector<wide> exp;        /* (rows) kernels_ref's accumulators          */
    std::vector<unsigned> eflags; /* (rows) and flags                           */
    unsigned flags_or = 0;        /* OR of eflags: STATUS after the job         */

    npe_job desc() const;              /* the packer's view (points into this job) */
    std::string name() const;          /* "job 5x33 int4 x mxfp4"                  */
    std::vector<uint8_t> pack() const; /* input beats, beat_bytes each          */
    size_t in_beats() const;
    size_t out_beats() const;
    npe_timing timing() const; /* the cycle model (ideal stream)           */
};

/* Random codes for the given formats and shape; `special` = special-rich
 * operands, `nan_ok` = some MX scales are NaN (0xFF). */
sc_job job_make(fmt_id wf, fmt_id af, int rows, int cols, bool special, bool nan_ok,
                sc_check::rng &r);
/* A random supported pair and shape (scales possibly off), expected results filled in. */
sc_job random_job(bool nan_ok, sc_check::rng &r);
/* kernels_ref's answer for every row (after the job's fields are final). */
void job_expect(sc_job &j);
/* The tiny-llama (stories260K) layer shapes - wq/wo 64x64, wk/wv 32x64,
 * w1/w3 172x64, w2 64x172, the classifier 512x64 - for every enabled weight
 * format, as tb_coproc.c's bench pairs them: with activations of the same
 * format (or the integer format of its width where the pair is not
 * supported), then the 4-bit weights again with INT8 activations (W4A8,
 * which stream at the 8-bit rate). */
struct layer_job {
    sc_job job;
    bool w4a8;
};
std::vector<layer_job> layer_jobs(sc_check::rng &r);
/* Compare a job's result beats (npe_result_beats of them) with the expected
 * rows; rows nc_from.. must be "not computed".  Reports the first
 * mismatching row; returns whether all matched.  SC_BREAK=result corrupts
 * row 0's status first (break_test.sh: the scoreboard must see it). */
bool check_rows(const char *what, const sc_job &j, const uint8_t *out, int nc_from);

/* Program a job's registers and write CTRL: wr(address, value) is the
 * program's register write (pin-level or TLM). */
template <class WR> void program_job(WR wr, const sc_job &j, uint32_t ctrl) {
    wr(NPE_REG_ROWS, (uint32_t)j.rows);
    wr(NPE_REG_COLS, (uint32_t)j.cols);
    wr(NPE_REG_FMT, (uint32_t)j.wf << NPE_FMT_W_SHIFT | (uint32_t)j.af << NPE_FMT_A_SHIFT);
    wr(NPE_REG_SCALE_MODE, (uint32_t)j.scales_inline);
    wr(NPE_REG_CTRL, ctrl);
}

/* The start of a SystemC program's sc_main: opens the test (prints the
 * seed), gives Verilator a random-reset seed derived from the test seed (the
 * models are built with --x-initial unique, so a replay is exact) and the
 * command line's arguments after the test name (+verilator+...), and
 * silences SC_INFO reports.  (SystemC prints its banner before sc_main
 * runs: SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 must come from the environment,
 * as run_test.sh and make bench-systemc set it.) */
void sc_program_start(const std::string &test_name, int argc, char **argv);

#endif
