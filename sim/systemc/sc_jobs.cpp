/*
 * sim/systemc/sc_jobs.cpp - random jobs and expected results (sc_jobs.h).
 * The distributions follow sim/tb/tb_coproc.c (job_make, random_job).
 */
#include "sc_jobs.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "verilated.h"

using namespace npe_cfg;

npe_job sc_job::desc() const {
    npe_job j{};
    j.rows = rows;
    j.cols = cols;
    j.wf = wf;
    j.af = af;
    j.scales_inline = scales_inline;
    j.w = w.data();
    j.a = a.data();
    j.wscale = ws.empty() ? nullptr : ws.data();
    j.ascale = as.empty() ? nullptr : as.data();
    return j;
}

std::string sc_job::name() const {
    char buf[96];
    snprintf(buf, sizeof buf, "job %dx%d %s x %s%s", rows, cols, fmt_get(wf)->name,
             fmt_get(af)->name, scales_inline ? "" : " (scales off)");
    return buf;
}

size_t sc_job::in_beats() const {
    npe_geom g = geom();
    npe_job d = desc();
    return npe_job_beats(&g, &d);
}

size_t sc_job::out_beats() const {
    npe_geom g = geom();
    return npe_result_beats(&g, rows);
}

std::vector<uint8_t> sc_job::pack() const {
    npe_geom g = geom();
    npe_job d = desc();
    size_t n = npe_job_beats(&g, &d);
    std::vector<uint8_t> out(n * beat_bytes);
    size_t got = npe_pack_job(&g, &d, out.data(), out.size());
    SC_CHECK(got == n && n > 0, "%s: npe_pack_job gave %zu beats, npe_job_beats %zu",
             name().c_str(), got, n);
    return out;
}

npe_timing sc_job::timing() const {
    npe_geom g = geom();
    npe_job d = desc();
    npe_timing t{};
    SC_CHECK(npe_job_timing(&g, &d, &t) == 0, "%s: npe_job_timing failed", name().c_str());
    return t;
}

/* Uniform codes, or special-rich: zeros, the largest and smallest codes,
 * posit NaR / OVP victim marker / most negative (the top bit alone). */
static uint16_t rnd_code(fmt_id f, bool special, sc_check::rng &r) {
    unsigned bits = (unsigned)fmt_bits(f), mask = (1u << bits) - 1;
    if (special && r.below(3) == 0) {
        static const int pick[] = {0, 1, -1, -2};
        unsigned c = r.below(5) == 4 ? 1u << (bits - 1) : (unsigned)pick[r.below(4)] & mask;
        return (uint16_t)(r.below(2) ? c : c ^ (1u << (bits - 1)));
    }
    return (uint16_t)(r.next() & mask);
}

static uint8_t rnd_scale(bool nan_ok, sc_check::rng &r) {
    if (nan_ok && r.below(40) == 0)
        return E8M0_NAN;
    switch (r.below(4)) {
    case 0: return (uint8_t)r.below(255);           /* anywhere  */
    case 1: return (uint8_t)(r.below(2) ? 0 : 254); /* the ends  */
    default: return (uint8_t)(117 + r.below(20));   /* near 2^0  */
    }
}

sc_job job_make(fmt_id wf, fmt_id af, int rows, int cols, bool special, bool nan_ok,
                sc_check::rng &r) {
    sc_job j;
    j.rows = rows;
    j.cols = cols;
    j.wf = wf;
    j.af = af;
    int wn = npe_row_codes(wf, cols), an = npe_row_codes(af, cols), nb = nblk(cols);
    j.w.resize((size_t)rows * (size_t)wn);
    j.a.resize((size_t)an);
    for (auto &c : j.w)
        c = rnd_code(wf, special, r);
    for (auto &c : j.a)
        c = rnd_code(af, special, r);
    if (fmt_mx(wf)) {
        j.ws.resize((size_t)rows * (size_t)nb);
        for (auto &s : j.ws)
            s = rnd_scale(nan_ok, r);
    }
    if (fmt_mx(af)) {
        j.as.resize((size_t)nb);
        for (auto &s : j.as)
            s = rnd_scale(nan_ok, r);
    }
    return j;
}

void job_expect(sc_job &j) {
    engine_cfg e = ecfg();
    int wn = npe_row_codes(j.wf, j.cols), an = npe_row_codes(j.af, j.cols), nb = nblk(j.cols);
    size_t k = (size_t)(wn > an ? wn : an);
    std::vector<uint16_t> wrow(k), arow(k);
    std::vector<uint8_t> ones((size_t)nb, E8M0_BIAS); /* SCALE_MODE 0: every block 2^0 */
    j.exp.assign((size_t)j.rows, wide{});
    j.eflags.assign((size_t)j.rows, 0);
    j.flags_or = 0;
    for (int row = 0; row < j.rows; row++) {
        std::fill(wrow.begin(), wrow.end(), 0);
        std::fill(arow.begin(), arow.end(), 0);
        std::copy_n(j.w.begin() + (ptrdiff_t)row * wn, wn, wrow.begin());
        std::copy_n(j.a.begin(), an, arow.begin());
        const uint8_t *ws = nullptr, *as = nullptr;
        if (!j.ws.empty())
            ws = j.scales_inline ? j.ws.data() + (size_t)row * (size_t)nb : ones.data();
        if (!j.as.empty())
            as = j.scales_inline ? j.as.data() : ones.data();
        j.eflags[(size_t)row] = engine_dot(&e, j.wf, j.af, wrow.data(), arow.data(), (size_t)j.cols,
                                           ws, as, &j.exp[(size_t)row]);
        j.flags_or |= j.eflags[(size_t)row];
    }
}

sc_job random_job(bool nan_ok, sc_check::rng &r) {
    fmt_id wf, af;
    do {
        wf = (fmt_id)r.below(FMT_COUNT);
        af = (fmt_id)r.below(FMT_COUNT);
    } while (!pair_supported(wf, af));
    int s = NPE_J * (16 / elem_bits(wf, af)), shape = (int)r.below(8), rows, cols;
    if (shape < 2) { /* short rows, many groups: output-bound, result-slot credits */
        rows = 1 + (int)r.below(8 * NPE_LANES + 3);
        cols = 1 + (int)r.below((unsigned)(2 * s));
    } else if (shape < 3) { /* MX block edges, odd lengths */
        static const int k[] = {31, 32, 33, 63, 64, 65, 95, 97};
        rows = 1 + (int)r.below(2 * NPE_LANES + 1);
        cols = k[r.below(8)];
    } else if (shape < 4) { /* long rows near K_MAX */
        rows = 1 + (int)r.below(NPE_LANES + 1);
        cols = NPE_K_MAX - (int)r.below(3);
    } else {
        rows = 1 + (int)r.below(3 * NPE_LANES + 2);
        cols = 1 + (int)r.below(200);
    }
    cols = cols > NPE_K_MAX ? NPE_K_MAX : cols < 1 ? 1 : cols;
    sc_job j = job_make(wf, af, rows, cols, r.below(3) == 0, nan_ok, r);
    if ((fmt_mx(wf) || fmt_mx(af)) && r.below(6) == 0)
        j.scales_inline = 0;
    job_expect(j);
    return j;
}

static fmt_id partner(fmt_id wf, bool w4a8) {
    if (w4a8)
        return FMT_INT8;
    if (pair_supported(wf, wf))
        return wf;
    return fmt_bits(wf) == 4 ? FMT_INT4 : fmt_bits(wf) == 8 ? FMT_INT8 : FMT_INT16;
}

std::vector<layer_job> layer_jobs(sc_check::rng &r) {
    static const int shapes[][2] = {{64, 64}, {32, 64}, {172, 64}, {64, 172}, {512, 64}};
    std::vector<layer_job> v;
    for (int w4a8 = 0; w4a8 < 2; w4a8++)
        for (int w = 0; w < FMT_COUNT; w++) {
            fmt_id wf = (fmt_id)w, af = partner(wf, w4a8);
            if (!(NPE_WFMT_MASK >> w & 1) || (w4a8 && fmt_bits(wf) != 4) || !pair_supported(wf, af))
                continue;
            for (auto &s : shapes)
                if (s[1] <= NPE_K_MAX) {
                    v.push_back({job_make(wf, af, s[0], s[1], false, false, r), w4a8 != 0});
                    job_expect(v.back().job);
                }
        }
    return v;
}

bool check_rows(const char *what, const sc_job &j, const uint8_t *out, int nc_from) {
    npe_geom g = geom();
    std::vector<wide> acc((size_t)j.rows);
    std::vector<uint32_t> st((size_t)j.rows);
    npe_unpack_results(&g, out, j.rows, acc.data(), st.data());
    if (sc_check::broken("result"))
        st[0] ^= 1;
    for (int row = 0; row < j.rows; row++) {
        bool nc = row >= nc_from;
        wide want = nc ? wide_from_i64(0) : j.exp[(size_t)row];
        uint32_t wst = nc ? NPE_ROW_NOT_COMPUTED : j.eflags[(size_t)row];
        if (wide_cmp(acc[(size_t)row], want) || st[(size_t)row] != wst) {
            char got[80], exp[80];
            wide_to_hex(acc[(size_t)row], NPE_ACC_W, got, sizeof got);
            wide_to_hex(want, NPE_ACC_W, exp, sizeof exp);
            SC_CHECK(false, "%s row %d: got %s status %x, expected %s status %x", what, row, got,
                     st[(size_t)row], exp, wst);
            return false;
        }
    }
    return true;
}

void sc_program_start(const std::string &test_name, int argc, char **argv) {
    sc_check::open(test_name);
    std::string seedarg = "+verilator+seed+" + std::to_string(sc_check::seed % 2147483647u + 1);
    std::vector<const char *> args = {argv[0], "+verilator+rand+reset+2", seedarg.c_str()};
    for (int i = 2; i < argc; i++)
        args.push_back(argv[i]);
    Verilated::commandArgs((int)args.size(), args.data());
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
}
