/*
 * sim/systemc/npe_tlm.cpp - the TLM-2.0 wrapper of npe_coproc (npe_tlm.h).
 *
 * One SC_THREAD (worker) owns the model's pins: b_transport calls queue a
 * request and sleep until the worker has carried it out on the pins.  The
 * worker moves the model's clock in delta cycles (edge()), so a request
 * takes no SystemC time; its cycles come back as annotated delay.
 */
#include "npe_tlm.h"

#include <cstring>

#include "sc_cfg.h"

using namespace sc_core;
using namespace tlm;

static constexpr int BEAT_BYTES = npe_cfg::beat_bytes;

npe_tlm::npe_tlm(sc_module_name name, sc_time period)
    : sc_module(name), regs("regs"), stream("stream"), period_(period) {
    dut_.aclk(aclk_);
    dut_.aresetn(aresetn_);
    dut_.irq(irq_);
    sc_axi::bind_axil(dut_, axil_);
    sc_axi::bind_axis(dut_, sin_, sout_);
    regs.register_b_transport(this, &npe_tlm::b_regs);
    stream.register_b_transport(this, &npe_tlm::b_stream);
    SC_THREAD(worker);
}

void npe_tlm::b_regs(tlm_generic_payload &t, sc_time &delay) { submit(t, delay, false); }
void npe_tlm::b_stream(tlm_generic_payload &t, sc_time &delay) { submit(t, delay, true); }

void npe_tlm::submit(tlm_generic_payload &t, sc_time &delay, bool is_stream) {
    request r;
    r.t = &t;
    r.is_stream = is_stream;
    r.start = sc_time_stamp() + delay;
    reqs_.push_back(&r);
    req_ev_.notify(SC_ZERO_TIME);
    while (!r.done)
        wait(r.ev);
    delay = r.end > sc_time_stamp() ? r.end - sc_time_stamp() : SC_ZERO_TIME;
}

void npe_tlm::worker() {
    /* synchronous reset: the model's state is random before it */
    aresetn_.write(false);
    for (int i = 0; i < 4; i++)
        edge();
    aresetn_.write(true);
    axil_.bready.write(true); /* responses and results are always taken */
    axil_.rready.write(true);
    sout_.tready.write(true);
    edge();
    for (;;) {
        while (reqs_.empty())
            wait(req_ev_);
        request *r = reqs_.front();
        reqs_.pop_front();
        /* the core ran on while nobody talked to it: catch up with the
         * initiator's local time */
        while (sc_time::from_value(period_.value() * cycle_) < r->start)
            edge();
        r->t->set_response_status(TLM_OK_RESPONSE);
        if (!r->is_stream)
            reg_access(*r->t);
        else if (r->t->get_command() == TLM_WRITE_COMMAND)
            stream_write(*r->t);
        else if (r->t->get_command() == TLM_READ_COMMAND)
            stream_read(*r->t);
        r->end = sc_time::from_value(period_.value() * cycle_);
        r->done = true;
        r->ev.notify(SC_ZERO_TIME);
    }
}

/* One clock cycle.  The inputs written since the previous edge settle with
 * the falling clock; then the handshakes of the coming rising edge are
 * sampled (the stream ones here; the caller reads the AXI4-Lite outputs
 * after edge() returns: they keep their pre-edge values until the model's
 * evaluation of the edge, in this delta, is committed); the rising edge;
 * the stream source presents its next beat. */
void npe_tlm::edge() {
    aclk_.write(false);
    wait(SC_ZERO_TIME); /* the model sees the falling clock and the new inputs ... */
    wait(SC_ZERO_TIME); /* ... and its outputs settle */
    bool in_hs = in_valid_ && sin_.tready.read();
    if (aresetn_.read() && sout_.tvalid.read())
        out_.push_back({sout_.tdata.read(), sout_.tkeep.read(), sout_.tlast.read(), cycle_});
    aclk_.write(true);
    wait(SC_ZERO_TIME); /* the model evaluates the rising edge in this delta */
    if (in_hs) {
        in_taken_++;
        if (in_taken_ == marks_first_)
            marks_.in_first = cycle_;
        marks_.in_last = cycle_;
        in_.pop_front();
        in_valid_ = false;
    }
    cycle_++;
    feed();
}

/* Present the next queued input beat (the previous one was taken). */
void npe_tlm::feed() {
    bool v = !in_.empty();
    if (v && !in_valid_) {
        sin_.tdata.write(in_.front().data);
        sin_.tkeep.write(in_.front().keep);
        sin_.tlast.write(in_.front().last);
    }
    if (v != in_valid_)
        sin_.tvalid.write(v);
    in_valid_ = v;
}

void npe_tlm::reg_access(tlm_generic_payload &t) {
    uint64_t addr = t.get_address();
    if (t.get_command() == TLM_IGNORE_COMMAND)
        return;
    if (addr >= REG_SPACE || addr % 4) {
        t.set_response_status(TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (t.get_data_length() != 4 || t.get_streaming_width() < 4) {
        t.set_response_status(TLM_BURST_ERROR_RESPONSE);
        return;
    }
    unsigned strb = 0xF;
    if (const unsigned char *be = t.get_byte_enable_ptr()) {
        unsigned n = t.get_byte_enable_length();
        strb = 0;
        for (unsigned i = 0; i < 4 && n; i++)
            strb |= (be[i % n] == TLM_BYTE_ENABLED) << i;
    }
    unsigned char *d = t.get_data_ptr();
    bool write = t.get_command() == TLM_WRITE_COMMAND;
    uint32_t v = 0;
    int resp = -1;
    if (write) {
        memcpy(&v, d, 4); /* host byte order, as TLM-2.0 specifies for a bus word */
        axil_.awaddr.write((uint32_t)addr);
        axil_.awprot.write(0);
        axil_.awvalid.write(true);
        axil_.wdata.write(v);
        axil_.wstrb.write(strb);
        axil_.wvalid.write(true);
    } else {
        axil_.araddr.write((uint32_t)addr);
        axil_.arprot.write(0);
        axil_.arvalid.write(true);
    }
    bool aw = write, w = write, ar = !write; /* the VALIDs driven in this cycle */
    for (uint64_t n = 0; resp < 0 && n < timeout_cycles; n++) {
        edge();
        if (aw && axil_.awready.read())
            axil_.awvalid.write(aw = false);
        if (w && axil_.wready.read())
            axil_.wvalid.write(w = false);
        if (ar && axil_.arready.read())
            axil_.arvalid.write(ar = false);
        if (write && axil_.bvalid.read())
            resp = (int)axil_.bresp.read();
        if (!write && axil_.rvalid.read()) {
            resp = (int)axil_.rresp.read();
            v = axil_.rdata.read();
        }
    }
    if (resp < 0) { /* no response: give up (the bus stays as it is) */
        axil_.awvalid.write(false);
        axil_.wvalid.write(false);
        axil_.arvalid.write(false);
        t.set_response_status(TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    if (!write)
        for (int i = 0; i < 4; i++)
            if (strb >> i & 1)
                memcpy(d + i, (const unsigned char *)&v + i, 1);
    t.set_response_status(resp == 0 ? TLM_OK_RESPONSE : TLM_GENERIC_ERROR_RESPONSE);
}

void npe_tlm::stream_write(tlm_generic_payload &t) {
    uint64_t addr = t.get_address();
    if (addr != 0 && addr != STREAM_MORE) {
        t.set_response_status(TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (t.get_byte_enable_ptr()) {
        t.set_response_status(TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    const unsigned char *d = t.get_data_ptr();
    size_t len = t.get_data_length(), n = 0;
    for (size_t off = 0; off < len; off += BEAT_BYTES, n++) {
        int k = len - off < (size_t)BEAT_BYTES ? (int)(len - off) : BEAT_BYTES;
        beat b{};
        sc_axi::bytes_in(b.data, d + off, k);
        b.keep = sc_axi::keep_ones<tkeep_t>(k);
        b.last = addr == 0 && off + BEAT_BYTES >= len;
        in_.push_back(b);
    }
    uint64_t want = in_taken_ + n, idle = 0;
    marks_first_ = in_taken_ + 1;
    feed();
    while (in_taken_ < want) {
        uint64_t before = in_taken_;
        edge();
        idle = in_taken_ == before ? idle + 1 : 0;
        if (idle >= timeout_cycles) { /* the core does not take them: drop the rest */
            in_.clear();
            feed();
            t.set_response_status(TLM_GENERIC_ERROR_RESPONSE);
            return;
        }
    }
}

void npe_tlm::stream_read(tlm_generic_payload &t) {
    if (t.get_address() != 0) {
        t.set_response_status(TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (t.get_byte_enable_ptr()) {
        t.set_response_status(TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    size_t len = t.get_data_length();
    if (len % BEAT_BYTES) {
        t.set_response_status(TLM_BURST_ERROR_RESPONSE);
        return;
    }
    size_t n = len / BEAT_BYTES;
    uint64_t idle = 0;
    while (out_.size() < n && idle < timeout_cycles) {
        size_t before = out_.size();
        edge();
        idle = out_.size() == before ? idle + 1 : 0;
    }
    if (out_.size() < n)
        t.set_response_status(TLM_GENERIC_ERROR_RESPONSE);
    unsigned char *d = t.get_data_ptr();
    for (size_t i = 0; i < n && !out_.empty(); i++) {
        if (!i)
            marks_.out_first = out_.front().cycle;
        marks_.out_last = out_.front().cycle;
        sc_axi::bytes_out(out_.front().data, d + i * BEAT_BYTES, BEAT_BYTES);
        out_.pop_front();
    }
}
