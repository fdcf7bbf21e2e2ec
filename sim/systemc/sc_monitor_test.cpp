/*
 * sim/systemc/sc_monitor_test.cpp - self-test of the SystemC protocol
 * monitors (sc_axi.h) without a model: a script drives the AXI4-Lite and
 * AXI4-Stream signals cycle by cycle, one scenario per rule (and clean
 * traffic), and each scenario must be reported with exactly its tag.  The
 * co-processor never leaves an AXI4-Lite request waiting (one transaction
 * at a time) and drives B, R and m_axis itself, so only a script reaches
 * every rule.
 */
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "sc_axi.h"

using namespace sc_core;

/* One cycle of the stream: VALID, READY, TDATA, TKEEP (8 bytes), TLAST. */
struct scyc {
    bool v, r;
    uint64_t d;
    uint32_t k;
    bool l;
};
/* One cycle of AXI4-Lite: (valid, ready) of AW, W, B, AR, R and payloads. */
struct lcyc {
    bool awv, awr, wv, wr, bv, br, arv, arr, rv, rr;
    uint32_t awaddr, wdata, rdata;
};

struct scenario {
    const char *name, *tag; /* tag "" = no violation expected */
    std::vector<scyc> s;    /* stream cycles (KEEP_ALL monitor, then KEEP_PACKED) */
    std::vector<lcyc> l;
    bool packed;         /* the stream scenario is for the TKEEP_PACKED monitor */
    bool valid_in_reset; /* raise the first cycle's VALIDs while still in reset */
};

SC_MODULE(mtest) {
    sc_clock clk{"clk", sc_check::clock_period};
    sc_signal<bool> resetn{"resetn"};
    sc_axi::axil_if l{"l_"};
    sc_axi::axis_if<uint64_t, uint32_t> sa{"a_"}, sp{"p_"};
    sc_axi::axil_monitor lm{"axil_mon", l};
    sc_axi::axis_monitor<uint64_t, uint32_t> am{"all_mon", sa, 64, sc_axi::KEEP_ALL};
    sc_axi::axis_monitor<uint64_t, uint32_t> pm{"packed_mon", sp, 64, sc_axi::KEEP_PACKED};
    std::vector<scenario> sc;
    int bad = 0;

    SC_CTOR(mtest) {
        for (auto *p : {&lm.clk, &am.clk, &pm.clk})
            (*p)(clk);
        for (auto *p : {&lm.resetn, &am.resetn, &pm.resetn})
            (*p)(resetn);
        SC_THREAD(run);
    }

    void drive_s(sc_axi::axis_if<uint64_t, uint32_t> & s, const scyc &c) {
        s.tvalid.write(c.v);
        s.tready.write(c.r);
        s.tdata.write(c.d);
        s.tkeep.write(c.k);
        s.tlast.write(c.l);
    }
    void drive_l(const lcyc &c) {
        l.awvalid.write(c.awv);
        l.awready.write(c.awr);
        l.awaddr.write(c.awaddr);
        l.wvalid.write(c.wv);
        l.wready.write(c.wr);
        l.wdata.write(c.wdata);
        l.bvalid.write(c.bv);
        l.bready.write(c.br);
        l.arvalid.write(c.arv);
        l.arready.write(c.arr);
        l.rvalid.write(c.rv);
        l.rready.write(c.rr);
        l.rdata.write(c.rdata);
    }

    void run() {
        std::vector<std::string> got;
        sc_check::capture = &got;
        const scyc s0{};
        const lcyc l0{};
        for (const scenario &x : sc) {
            /* two reset edges, all quiet (or the first VALIDs already up) */
            resetn.write(false);
            drive_s(sa, s0);
            drive_s(sp, s0);
            drive_l(l0);
            wait(clk.posedge_event());
            if (x.valid_in_reset) {
                if (!x.s.empty())
                    drive_s(x.packed ? sp : sa, x.s[0]);
                if (!x.l.empty())
                    drive_l(x.l[0]);
            }
            wait(clk.posedge_event());
            resetn.write(true);
            if (!x.valid_in_reset) /* the cycle after reset: every VALID low */
                wait(clk.posedge_event());
            got.clear();
            size_t n = x.s.size() > x.l.size() ? x.s.size() : x.l.size();
            for (size_t i = 0; i < n; i++) {
                if (i < x.s.size())
                    drive_s(x.packed ? sp : sa, x.s[i]);
                if (i < x.l.size())
                    drive_l(x.l[i]);
                wait(clk.posedge_event());
            }
            drive_s(sa, s0);
            drive_s(sp, s0);
            drive_l(l0);
            wait(clk.posedge_event());
            bool ok =
                *x.tag ? got.size() == 1 && got[0].find(x.tag) != std::string::npos : got.empty();
            printf("%-22s %-8s %s\n", x.name, ok ? "ok" : "WRONG",
                   got.empty() ? "(no report)" : got[0].c_str());
            if (!ok) {
                bad++;
                for (auto &g : got)
                    printf("    reported: %s\n", g.c_str());
            }
        }
        sc_check::capture = nullptr;
        SC_CHECK(bad == 0, "%d of %zu scenarios not reported as expected", bad, sc.size());
        sc_stop();
    }
};

int sc_main(int argc, char **argv) {
    if (argc > 1) {
        fprintf(stderr, "usage: %s   (self-test of sim/systemc/sc_axi.h's monitors)\n", argv[0]);
        return strcmp(argv[1], "--help") && strcmp(argv[1], "-h") ? 2 : 0;
    }
    sc_check::open("sc_monitors");
    sc_report_handler::set_actions(SC_INFO, SC_DO_NOTHING);
    mtest t("t");
    /* stream: {valid, ready, data, keep, last} */
    const uint32_t K = 0xFF;
    auto &v = t.sc;
    v.push_back(
        {"stream clean",
         "",
         {{1, 0, 5, K, 0}, {1, 0, 5, K, 0}, {1, 1, 5, K, 0}, {0, 1, 9, 0, 0}, {1, 1, 6, K, 1}},
         {},
         false,
         false});
    v.push_back({"stream packed clean",
                 "",
                 {{1, 1, 1, K, 0}, {1, 0, 2, 0x0F, 1}, {1, 1, 2, 0x0F, 1}},
                 {},
                 true,
                 false});
    v.push_back({"tvalid drop",
                 "all_mon.tvalid_drop",
                 {{1, 0, 5, K, 0}, {0, 1, 5, K, 0}},
                 {},
                 false,
                 false});
    v.push_back({"tdata moves",
                 "all_mon.tvalid_payload",
                 {{1, 0, 5, K, 0}, {1, 1, 6, K, 0}},
                 {},
                 false,
                 false});
    v.push_back({"tlast moves",
                 "all_mon.tvalid_payload",
                 {{1, 0, 5, K, 0}, {1, 1, 5, K, 1}},
                 {},
                 false,
                 false});
    v.push_back({"tkeep partial (all)", "all_mon.tkeep", {{1, 1, 5, 0x7F, 1}}, {}, false, false});
    v.push_back({"tkeep mid-packet", "packed_mon.tkeep", {{1, 1, 5, 0x0F, 0}}, {}, true, false});
    v.push_back({"tkeep hole on tlast", "packed_mon.tkeep", {{1, 1, 5, 0x05, 1}}, {}, true, false});
    v.push_back({"tkeep empty tlast", "packed_mon.tkeep", {{1, 1, 5, 0x00, 1}}, {}, true, false});
    v.push_back({"tvalid after reset", "all_mon.reset", {{1, 1, 5, K, 0}}, {}, false, true});
    /* AXI4-Lite: {awv awr wv wr bv br arv arr rv rr, awaddr wdata rdata} */
    v.push_back({"axil clean",
                 "",
                 {},
                 {{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0},
                  {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 4, 7, 0},
                  {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
                  {0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0},
                  {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 3}},
                 false,
                 false});
    v.push_back({"awvalid drop",
                 "axil_mon.aw_drop",
                 {},
                 {{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0}, {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0}},
                 false,
                 false});
    v.push_back({"awaddr moves",
                 "axil_mon.aw_payload",
                 {},
                 {{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0}, {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0}},
                 false,
                 false});
    v.push_back({"wdata moves",
                 "axil_mon.w_payload",
                 {},
                 {{0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0}, {0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0}},
                 false,
                 false});
    v.push_back({"arvalid drop",
                 "axil_mon.ar_drop",
                 {},
                 {{0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
                 false,
                 false});
    v.push_back({"bvalid drop",
                 "axil_mon.b_drop",
                 {},
                 {{1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 4, 7, 0},
                  {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
                  {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}},
                 false,
                 false});
    v.push_back({"rdata moves",
                 "axil_mon.r_payload",
                 {},
                 {{0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0},
                  {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3},
                  {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 4}},
                 false,
                 false});
    v.push_back({"B before W",
                 "axil_mon.b_early",
                 {},
                 {{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0}, {0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0}},
                 false,
                 false});
    v.push_back({"B with AW, W at once",
                 "axil_mon.b_early",
                 {},
                 {{1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 4, 7, 0}},
                 false,
                 false});
    v.push_back({"R without AR",
                 "axil_mon.r_no_ar",
                 {},
                 {{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 3}},
                 false,
                 false});
    v.push_back({"awvalid after reset",
                 "axil_mon.reset",
                 {},
                 {{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0}},
                 false,
                 true});
    sc_start();
    return sc_check::finish();
}
