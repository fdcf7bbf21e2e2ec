/*
 * sim/systemc/sc_axi.h - cycle-accurate AXI4-Lite and AXI4-Stream agents and
 * passive protocol monitors in SystemC, for the Verilated (--sc) npe_coproc.
 * The SystemC counterpart of sim/vip/ (same knobs and rules, fewer of them).
 *
 * Timing: every agent and monitor is an SC_METHOD on the rising clock edge
 * (the master's transactions run in the calling SC_THREAD, also woken at
 * rising edges).  At an edge every process reads the signals' values from
 * before the edge (sc_signal writes only take effect in the update phase),
 * so "a handshake happens at edge n iff VALID and READY were both high in
 * the cycle before it" exactly as in the RTL; the values a process writes
 * at edge n are the inputs of cycle n.  `sc_check::cycle()` is the edge's
 * number.
 *
 * Signal bundles (axil_if, axis_if<TD, TK>) connect agents, monitors and
 * the model: bind_axil()/bind_axis() bind the ports of any Verilated module
 * whose ports follow docs/protocol.md section 0 (s_axil_*, s_axis_*,
 * m_axis_*).  TD/TK are the port types Verilator chose for TDATA/TKEEP
 * (uint32_t, uint64_t or sc_bv<W>); bytes_in()/bytes_out() convert.
 *
 * Drivers keep every VALID low while reset is asserted and in the cycle
 * after it.  Monitors (independent of the drivers) report, with the cycle:
 *   <name>.<ch>_drop / _payload   VALID fell / payload changed before the handshake
 *   <name>.b_early, r_no_ar       a B before both AW and W of that write, an R without an AR
 *   <name>.reset                  a VALID high during reset or in the cycle after it
 *   <name>.tkeep                  an accepted beat breaks the stream's TKEEP rule
 */
#ifndef SIM_SC_AXI_H
#define SIM_SC_AXI_H

#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include <systemc>

#include "sc_check.h"

namespace sc_axi {

using sc_core::sc_signal;

/* ------------------------------------------------------------ bits */
/* Little-endian bytes <-> a port value (bit i = bit i%8 of byte i/8). */
inline void bytes_in(uint32_t &v, const uint8_t *b, int n) {
    v = 0;
    for (int i = 0; i < n && i < 4; i++)
        v |= (uint32_t)b[i] << (8 * i);
}
inline void bytes_in(uint64_t &v, const uint8_t *b, int n) {
    v = 0;
    for (int i = 0; i < n && i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
}
template <int W> void bytes_in(sc_dt::sc_bv<W> &v, const uint8_t *b, int n) {
    for (int w = 0; w < (W + 31) / 32; w++) {
        uint32_t x = 0;
        for (int i = 0; i < 4 && 4 * w + i < n; i++)
            x |= (uint32_t)b[4 * w + i] << (8 * i);
        v.set_word(w, x);
    }
}
inline void bytes_out(uint32_t v, uint8_t *b, int n) {
    for (int i = 0; i < n; i++)
        b[i] = i < 4 ? (uint8_t)(v >> (8 * i)) : 0;
}
inline void bytes_out(uint64_t v, uint8_t *b, int n) {
    for (int i = 0; i < n; i++)
        b[i] = i < 8 ? (uint8_t)(v >> (8 * i)) : 0;
}
template <int W> void bytes_out(const sc_dt::sc_bv<W> &v, uint8_t *b, int n) {
    for (int i = 0; i < n; i++)
        b[i] = 8 * i < W ? (uint8_t)(v.get_word(i / 4) >> (8 * (i % 4))) : 0;
}
/* A TKEEP value with the low n bits set. */
template <typename TK> TK keep_ones(int n) {
    uint8_t b[128] = {0};
    for (int i = 0; i < n; i++)
        b[i / 8] |= (uint8_t)(1u << (i % 8));
    TK k;
    bytes_in(k, b, (n + 7) / 8);
    return k;
}
/* Bytes kept by a TKEEP value of `bits` bits, or -1 if not a run from bit 0. */
template <typename TK> int keep_run(const TK &k, int bits) {
    uint8_t b[128];
    bytes_out(k, b, (bits + 7) / 8);
    int n = 0;
    while (n < bits && (b[n / 8] >> (n % 8) & 1))
        n++;
    for (int i = n; i < bits; i++)
        if (b[i / 8] >> (i % 8) & 1)
            return -1;
    return n;
}

/* ------------------------------------------------------------ bundles */
struct axil_if {
    sc_signal<uint32_t> awaddr, awprot;
    sc_signal<bool> awvalid, awready;
    sc_signal<uint32_t> wdata, wstrb;
    sc_signal<bool> wvalid, wready;
    sc_signal<uint32_t> bresp;
    sc_signal<bool> bvalid, bready;
    sc_signal<uint32_t> araddr, arprot;
    sc_signal<bool> arvalid, arready;
    sc_signal<uint32_t> rdata, rresp;
    sc_signal<bool> rvalid, rready;
    explicit axil_if(const std::string &p)
        : awaddr((p + "awaddr").c_str()), awprot((p + "awprot").c_str()),
          awvalid((p + "awvalid").c_str()), awready((p + "awready").c_str()),
          wdata((p + "wdata").c_str()), wstrb((p + "wstrb").c_str()),
          wvalid((p + "wvalid").c_str()), wready((p + "wready").c_str()),
          bresp((p + "bresp").c_str()), bvalid((p + "bvalid").c_str()),
          bready((p + "bready").c_str()), araddr((p + "araddr").c_str()),
          arprot((p + "arprot").c_str()), arvalid((p + "arvalid").c_str()),
          arready((p + "arready").c_str()), rdata((p + "rdata").c_str()),
          rresp((p + "rresp").c_str()), rvalid((p + "rvalid").c_str()),
          rready((p + "rready").c_str()) {}
};

template <typename TD, typename TK> struct axis_if {
    sc_signal<TD> tdata;
    sc_signal<TK> tkeep;
    sc_signal<bool> tlast, tvalid, tready;
    explicit axis_if(const std::string &p)
        : tdata((p + "tdata").c_str()), tkeep((p + "tkeep").c_str()), tlast((p + "tlast").c_str()),
          tvalid((p + "tvalid").c_str()), tready((p + "tready").c_str()) {}
};

template <class M> void bind_axil(M &m, axil_if &s) {
    m.s_axil_awaddr(s.awaddr);
    m.s_axil_awprot(s.awprot);
    m.s_axil_awvalid(s.awvalid);
    m.s_axil_awready(s.awready);
    m.s_axil_wdata(s.wdata);
    m.s_axil_wstrb(s.wstrb);
    m.s_axil_wvalid(s.wvalid);
    m.s_axil_wready(s.wready);
    m.s_axil_bresp(s.bresp);
    m.s_axil_bvalid(s.bvalid);
    m.s_axil_bready(s.bready);
    m.s_axil_araddr(s.araddr);
    m.s_axil_arprot(s.arprot);
    m.s_axil_arvalid(s.arvalid);
    m.s_axil_arready(s.arready);
    m.s_axil_rdata(s.rdata);
    m.s_axil_rresp(s.rresp);
    m.s_axil_rvalid(s.rvalid);
    m.s_axil_rready(s.rready);
}
/* in = the co-processor's s_axis, out = its m_axis. */
template <class M, class IN, class OUT> void bind_axis(M &m, IN &in, OUT &out) {
    m.s_axis_tdata(in.tdata);
    m.s_axis_tkeep(in.tkeep);
    m.s_axis_tlast(in.tlast);
    m.s_axis_tvalid(in.tvalid);
    m.s_axis_tready(in.tready);
    m.m_axis_tdata(out.tdata);
    m.m_axis_tkeep(out.tkeep);
    m.m_axis_tlast(out.tlast);
    m.m_axis_tvalid(out.tvalid);
    m.m_axis_tready(out.tready);
}

/* ------------------------------------------------------------ AXI4-Lite master */
enum { AXIL_OKAY = 0, AXIL_SLVERR = 2, AXIL_TIMEOUT = -1 };

/* Blocking transactions, one at a time, called from an SC_THREAD: the
 * thread waits on rising edges until the response.  Randomized like
 * sim/vip's master: AW/W order (AW first, W first, together) and the later
 * VALID's skew (1..skew_max cycles), 0..idle_max idle cycles before each
 * transaction, BREADY/RREADY high from the start for half of them and
 * raised 1..ready_max cycles after VALID for the others, random payload
 * while VALID is low.  ideal() turns all of it off (three-cycle writes). */
class axil_master {
  public:
    int skew_max = 3, idle_max = 2, ready_max = 3, timeout = 1000;
    bool randomize = true;
    uint64_t writes = 0, reads = 0;

    axil_master(const char *name, axil_if &s, const sc_core::sc_signal_in_if<bool> &clk)
        : s_(s), clk_(clk), r_(name), name_(name) {}

    void ideal() { randomize = false; }

    int write(uint32_t addr, uint32_t data, unsigned strb = 0xF) {
        idle();
        int order = randomize ? (int)r_.below(3) : 2; /* 0 AW first, 1 W first, 2 together */
        int skew = randomize ? 1 + (int)r_.below((unsigned)skew_max) : 0;
        int aw_at = order == 1 ? skew : 0, w_at = order == 0 ? skew : 0;
        int ready_after = ready_delay();
        bool aw = true, w = true;
        int bwait = 0;
        for (int t = 0;; t++) {
            bool awv = aw && t >= aw_at, wv = w && t >= w_at,
                 br = ready_after == 0 || bwait >= ready_after;
            s_.awvalid.write(awv);
            s_.awaddr.write(awv ? addr : garbage());
            s_.awprot.write(awv ? 0 : garbage() & 7);
            s_.wvalid.write(wv);
            s_.wdata.write(wv ? data : garbage());
            s_.wstrb.write(wv ? strb : garbage() & 0xF);
            s_.bready.write(br);
            edge();
            if (awv && s_.awready.read())
                aw = false;
            if (wv && s_.wready.read())
                w = false;
            if (s_.bvalid.read()) {
                if (br) {
                    int resp = (int)s_.bresp.read();
                    quiet_write();
                    writes++;
                    return resp;
                }
                bwait++;
            }
            if (t > timeout) {
                SC_CHECK(false, "%s: write 0x%03x: no response in %d cycles", name_.c_str(), addr,
                         timeout);
                quiet_write();
                return AXIL_TIMEOUT;
            }
        }
    }

    int read(uint32_t addr, uint32_t *v) {
        idle();
        int ready_after = ready_delay();
        bool ar = true;
        int rwait = 0;
        for (int t = 0;; t++) {
            bool rr = ready_after == 0 || rwait >= ready_after;
            s_.arvalid.write(ar);
            s_.araddr.write(ar ? addr : garbage());
            s_.arprot.write(ar ? 0 : garbage() & 7);
            s_.rready.write(rr);
            edge();
            if (ar && s_.arready.read())
                ar = false;
            if (s_.rvalid.read()) {
                if (rr) {
                    *v = s_.rdata.read();
                    int resp = (int)s_.rresp.read();
                    quiet_read();
                    reads++;
                    return resp;
                }
                rwait++;
            }
            if (t > timeout) {
                SC_CHECK(false, "%s: read 0x%03x: no response in %d cycles", name_.c_str(), addr,
                         timeout);
                quiet_read();
                return AXIL_TIMEOUT;
            }
        }
    }

    /* Fail the test unless the response is OKAY. */
    void write_ok(uint32_t addr, uint32_t data) {
        int r = write(addr, data);
        SC_CHECK(r == AXIL_OKAY, "%s: write 0x%03x = 0x%x: response %d", name_.c_str(), addr, data,
                 r);
    }
    uint32_t read_ok(uint32_t addr) {
        uint32_t v = 0;
        int r = read(addr, &v);
        SC_CHECK(r == AXIL_OKAY, "%s: read 0x%03x: response %d", name_.c_str(), addr, r);
        return v;
    }

  private:
    axil_if &s_;
    const sc_core::sc_signal_in_if<bool> &clk_;
    sc_check::rng r_;
    std::string name_;

    void edge() { sc_core::wait(clk_.posedge_event()); }
    void idle() {
        int n = randomize ? (int)r_.below((unsigned)idle_max + 1) : 0;
        for (int i = 0; i < n; i++)
            edge();
    }
    int ready_delay() {
        return randomize && r_.below(2) ? 1 + (int)r_.below((unsigned)ready_max) : 0;
    }
    uint32_t garbage() { return randomize ? (uint32_t)r_.next() : 0; }
    void quiet_write() {
        s_.awvalid.write(false);
        s_.wvalid.write(false);
        s_.bready.write(false);
    }
    void quiet_read() {
        s_.arvalid.write(false);
        s_.rready.write(false);
    }
};

/* ------------------------------------------------------------ AXI4-Stream */
template <typename TD, typename TK> struct axis_beat {
    TD data;
    TK keep;
    bool last;
    uint64_t cycle; /* the edge of the handshake (sink) */
};

/* Sends its queue of beats; a TVALID gap with probability `gap` per cycle
 * while it holds no beat (a presented beat stays until taken). */
template <typename TD, typename TK> class axis_source : public sc_core::sc_module {
  public:
    sc_core::sc_in<bool> clk, resetn;
    double gap = 0.2;
    uint64_t beats = 0;                      /* beats taken                              */
    uint64_t last_cycle = 0;                 /* edge of the latest handshake             */
    uint64_t mark_beats = 0, mark_cycle = 0; /* edge of beat number mark_beats + 1 */

    SC_HAS_PROCESS(axis_source);
    axis_source(sc_core::sc_module_name n, axis_if<TD, TK> &s, int width)
        : sc_module(n), s_(s), bytes_(width / 8), r_(name()) {
        SC_METHOD(on_edge);
        sensitive << clk.pos();
        dont_initialize();
    }

    /* One packet: bytes in beats of width/8, TLAST (and a partial TKEEP) on the last. */
    void push_packet(const uint8_t *b, size_t n, bool last = true) {
        for (size_t off = 0; off < n; off += (size_t)bytes_) {
            int k = n - off < (size_t)bytes_ ? (int)(n - off) : bytes_;
            axis_beat<TD, TK> x{};
            bytes_in(x.data, b + off, k);
            x.keep = keep_ones<TK>(k);
            x.last = last && off + (size_t)bytes_ >= n;
            q_.push_back(x);
        }
    }
    bool idle() const { return q_.empty() && !valid_; }
    size_t queued() const { return q_.size(); }
    /* From an SC_THREAD: wait until `n` beats were taken in all; false on timeout. */
    bool wait_beats(uint64_t n, const sc_core::sc_time &timeout) {
        wake_at_ = n;
        while (beats < n) {
            sc_core::sc_time t0 = sc_core::sc_time_stamp();
            sc_core::wait(timeout, ev_);
            if (beats < n && sc_core::sc_time_stamp() - t0 >= timeout)
                return false;
        }
        return true;
    }

  private:
    axis_if<TD, TK> &s_;
    int bytes_;
    sc_check::rng r_;
    std::deque<axis_beat<TD, TK>> q_;
    bool valid_ = false, hold_ = true, seen_reset_ = false;
    uint64_t wake_at_ = 0;
    sc_core::sc_event ev_;

    void on_edge() {
        if (!resetn.read()) { /* reset edge: low now and in the next cycle */
            hold_ = seen_reset_ = true;
            set_valid(false);
            return;
        }
        if (!seen_reset_) /* the model's state is random before its first reset */
            return;
        if (valid_ && s_.tready.read()) {
            beats++;
            last_cycle = sc_check::cycle();
            if (beats == mark_beats + 1)
                mark_cycle = last_cycle;
            q_.pop_front();
            set_valid(false);
            if (beats == wake_at_)
                ev_.notify(sc_core::SC_ZERO_TIME);
        }
        if (hold_) {
            hold_ = false;
            return;
        }
        if (!valid_ && !q_.empty() && !r_.chance(gap)) {
            const axis_beat<TD, TK> &x = q_.front();
            s_.tdata.write(x.data);
            s_.tkeep.write(x.keep);
            s_.tlast.write(x.last);
            set_valid(true);
        }
    }
    void set_valid(bool v) {
        if (v != valid_)
            s_.tvalid.write(v);
        valid_ = v;
    }
};

/* Accepts beats, dropping TREADY with probability `stall` per cycle, and
 * keeps each with its handshake edge. */
template <typename TD, typename TK> class axis_sink : public sc_core::sc_module {
  public:
    sc_core::sc_in<bool> clk, resetn;
    double stall = 0.2;
    uint64_t beats = 0, stalls = 0; /* accepted; cycles with TVALID high and TREADY low */

    SC_HAS_PROCESS(axis_sink);
    axis_sink(sc_core::sc_module_name n, axis_if<TD, TK> &s) : sc_module(n), s_(s), r_(name()) {
        SC_METHOD(on_edge);
        sensitive << clk.pos();
        dont_initialize();
    }
    size_t count() const { return q_.size(); }
    /* From an SC_THREAD: wait until `n` beats are kept; false on timeout. */
    bool wait_count(size_t n, const sc_core::sc_time &timeout) {
        wake_at_ = n;
        while (q_.size() < n) {
            sc_core::sc_time t0 = sc_core::sc_time_stamp();
            sc_core::wait(timeout, ev_);
            if (q_.size() < n && sc_core::sc_time_stamp() - t0 >= timeout)
                return false;
        }
        return true;
    }
    axis_beat<TD, TK> pop() {
        axis_beat<TD, TK> b = q_.front();
        q_.pop_front();
        return b;
    }

  private:
    axis_if<TD, TK> &s_;
    sc_check::rng r_;
    std::deque<axis_beat<TD, TK>> q_;
    bool ready_ = false;
    size_t wake_at_ = 0;
    sc_core::sc_event ev_;

    void on_edge() {
        if (resetn.read() && s_.tvalid.read()) {
            if (ready_) {
                q_.push_back(
                    {s_.tdata.read(), s_.tkeep.read(), s_.tlast.read(), sc_check::cycle()});
                beats++;
                if (q_.size() == wake_at_)
                    ev_.notify(sc_core::SC_ZERO_TIME);
            } else {
                stalls++;
            }
        }
        bool r = !r_.chance(stall);
        if (r != ready_)
            s_.tready.write(r);
        ready_ = r;
    }
};

/* ------------------------------------------------------------ monitors */
/* VALID/payload stability of one channel; `reset_quiet`: VALID must stay
 * low during reset and in the cycle after it. */
template <typename P> struct channel_rule {
    const char *ch;
    bool pending = false;
    P held{};
    uint64_t handshakes = 0;
    /* Returns true on a handshake at this edge; counts violations in *bad. */
    bool step(const std::string &mon, uint64_t *bad, bool valid, bool ready, const P &payload) {
        if (pending && !valid) {
            ++*bad;
            SC_CHECK(false, "%s.%s_drop: VALID fell before the handshake", mon.c_str(), ch);
        } else if (pending && !(payload == held)) {
            ++*bad;
            SC_CHECK(false, "%s.%s_payload: payload changed before the handshake", mon.c_str(), ch);
        }
        pending = valid && !ready;
        held = payload;
        handshakes += valid && ready;
        return valid && ready;
    }
};

/* Checks one AXI4-Lite slave interface. */
class axil_monitor : public sc_core::sc_module {
  public:
    sc_core::sc_in<bool> clk, resetn;
    uint64_t violations = 0;

    SC_HAS_PROCESS(axil_monitor);
    axil_monitor(sc_core::sc_module_name n, axil_if &s) : sc_module(n), s_(s), mon_(name()) {
        SC_METHOD(on_edge);
        sensitive << clk.pos();
        dont_initialize();
    }
    uint64_t writes() const { return b_.handshakes; }
    uint64_t reads() const { return r_.handshakes; }

  private:
    axil_if &s_;
    std::string mon_;
    channel_rule<uint64_t> aw_{"aw"}, w_{"w"}, b_{"b"}, ar_{"ar"}, r_{"r"};
    bool after_reset_ = false;

    /* a rule that holds, or one violation */
    void rule(bool ok, const char *tag, const char *what) {
        if (!ok) {
            violations++;
            SC_CHECK(false, "%s.%s: %s", mon_.c_str(), tag, what);
        }
    }

    void on_edge() {
        bool awv = s_.awvalid.read(), wv = s_.wvalid.read(), bv = s_.bvalid.read();
        bool arv = s_.arvalid.read(), rv = s_.rvalid.read();
        /* synchronous reset: VALIDs are low from the cycle after a reset
         * edge on (before the first one they are random) */
        if (after_reset_)
            rule(!(awv || wv || bv || arv || rv), "reset", "a VALID high in or right after reset");
        after_reset_ = !resetn.read();
        if (!resetn.read()) {
            aw_.pending = w_.pending = b_.pending = ar_.pending = r_.pending = false;
            aw_.handshakes = w_.handshakes = b_.handshakes = ar_.handshakes = r_.handshakes = 0;
            return;
        }
        /* a response needs its request(s) accepted at an earlier edge */
        if (bv)
            rule(aw_.handshakes > b_.handshakes && w_.handshakes > b_.handshakes, "b_early",
                 "BVALID before both AW and W of the write");
        if (rv)
            rule(ar_.handshakes > r_.handshakes, "r_no_ar", "RVALID without an accepted AR");
        aw_.step(mon_, &violations, awv, s_.awready.read(),
                 s_.awaddr.read() | (uint64_t)s_.awprot.read() << 32);
        w_.step(mon_, &violations, wv, s_.wready.read(),
                s_.wdata.read() | (uint64_t)s_.wstrb.read() << 32);
        b_.step(mon_, &violations, bv, s_.bready.read(), s_.bresp.read());
        ar_.step(mon_, &violations, arv, s_.arready.read(),
                 s_.araddr.read() | (uint64_t)s_.arprot.read() << 32);
        r_.step(mon_, &violations, rv, s_.rready.read(),
                s_.rdata.read() | (uint64_t)s_.rresp.read() << 32);
    }
};

enum keep_rule {
    KEEP_ALL,
    KEEP_PACKED
}; /* PACKED: all ones except a TLAST beat's run from byte 0 */

template <typename TD, typename TK> class axis_monitor : public sc_core::sc_module {
  public:
    sc_core::sc_in<bool> clk, resetn;
    uint64_t beats = 0, packets = 0, violations = 0;

    SC_HAS_PROCESS(axis_monitor);
    axis_monitor(sc_core::sc_module_name n, axis_if<TD, TK> &s, int width, keep_rule rule)
        : sc_module(n), s_(s), mon_(name()), kbits_(width / 8), rule_(rule) {
        SC_METHOD(on_edge);
        sensitive << clk.pos();
        dont_initialize();
    }

  private:
    struct payload {
        TD d;
        TK k;
        bool l;
        bool operator==(const payload &o) const { return d == o.d && k == o.k && l == o.l; }
    };
    axis_if<TD, TK> &s_;
    std::string mon_;
    int kbits_;
    keep_rule rule_;
    channel_rule<payload> t_{"tvalid"};
    bool after_reset_ = false;

    void on_edge() {
        bool v = s_.tvalid.read();
        if (after_reset_ && v) {
            violations++;
            SC_CHECK(false, "%s.reset: TVALID high in or right after reset", mon_.c_str());
        }
        after_reset_ = !resetn.read();
        if (!resetn.read()) {
            t_.pending = false;
            return;
        }
        if (!v && !t_.pending)
            return; /* nothing to look at: skip reading the payload */
        payload p{s_.tdata.read(), s_.tkeep.read(), s_.tlast.read()};
        if (!t_.step(mon_, &violations, v, s_.tready.read(), p))
            return;
        beats++;
        int run = keep_run(p.k, kbits_);
        bool ok = run == kbits_ || (rule_ == KEEP_PACKED && p.l && run > 0);
        violations += !ok;
        SC_CHECK(ok, "%s.tkeep: accepted beat %llu (TLAST %d) breaks the TKEEP rule", mon_.c_str(),
                 (unsigned long long)beats, (int)p.l);
        packets += p.l;
    }
};

} // namespace sc_axi

#endif
