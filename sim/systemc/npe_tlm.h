/*
 * sim/systemc/npe_tlm.h - TLM-2.0 (loosely timed) wrapper of the Verilated
 * co-processor npe_coproc, to drop it into a SystemC virtual platform.
 *
 * Two target sockets (tlm_utils::simple_target_socket, bus width 32):
 *
 *   regs    the AXI4-Lite register space (docs/protocol.md section 4):
 *           b_transport of a 4-byte READ/WRITE at a byte offset 0x000-0xFFF,
 *           4-byte aligned; byte enables become WSTRB.  Each access is one
 *           AXI4-Lite transaction on the model's pins.
 *   stream  the two AXI4-Streams, like an XDMA in stream mode:
 *           WRITE at address 0: the data are input beats of W/8 bytes
 *             (npe_pack_job's layout), TLAST on the last one; a partial last
 *             beat gets a partial TKEEP.  At address STREAM_MORE: the same
 *             without TLAST (the job goes on in the next write).  Returns
 *             when the core has taken every beat.
 *           READ at address 0: the next data_length / (W/8) result beats
 *             (npe_result_beats per job); returns when they have arrived.
 *           The output is always ready (the wrapper keeps the result beats
 *           until they are read), so a job never waits for its reader.
 *
 * Timing: the model has its own clock of `period`, moved by the wrapper in
 * delta cycles, so a b_transport does not advance SystemC time: it runs
 * the core from the initiator's local time (sc_time_stamp() + delay; idle
 * cycles first if the core is behind, i.e. the core keeps running while
 * nobody talks to it) until the access is done, and returns with delay
 * advanced by the cycles that took (temporal decoupling: the initiator
 * calls wait(delay) whenever it wants to synchronize).  b_transport waits
 * for the wrapper's thread, so call it from an SC_THREAD.  Accesses from
 * several initiators are served one at a time by the wrapper's own thread,
 * in the order they are made.  irq() is the model's interrupt line; it
 * changes at the SystemC time of the access that moved the core.
 *
 * Errors: TLM_ADDRESS_ERROR_RESPONSE (outside the register space, not
 * aligned, unknown stream address), TLM_BURST_ERROR_RESPONSE (a register
 * access that is not 4 bytes, a read that is not whole beats),
 * TLM_BYTE_ENABLE_ERROR_RESPONSE (byte enables on the stream),
 * TLM_GENERIC_ERROR_RESPONSE (SLVERR,
 * or no progress for timeout_cycles: beats the core never took are
 * dropped, and a read returns what it has).  IGNORE commands do nothing
 * and answer OK.  DMI and debug transport are
 * not offered: register reads have side effects (AP_DONE clears).
 */
#ifndef SIM_NPE_TLM_H
#define SIM_NPE_TLM_H

#include <cstdint>
#include <deque>
#include <type_traits>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "Vnpe_coproc.h"
#include "sc_axi.h"

class npe_tlm : public sc_core::sc_module {
  public:
    using tdata_t = std::decay_t<decltype(std::declval<Vnpe_coproc &>().s_axis_tdata.read())>;
    using tkeep_t = std::decay_t<decltype(std::declval<Vnpe_coproc &>().s_axis_tkeep.read())>;
    static constexpr uint64_t STREAM_MORE = 0x8; /* stream write without TLAST */
    static constexpr uint64_t REG_SPACE = 0x1000;

    tlm_utils::simple_target_socket<npe_tlm> regs, stream;
    uint64_t timeout_cycles = 200000; /* no progress for this long: the access fails */

    SC_HAS_PROCESS(npe_tlm);
    explicit npe_tlm(sc_core::sc_module_name name,
                     sc_core::sc_time period = sc_core::sc_time(10, sc_core::SC_NS));

    const sc_core::sc_signal<bool> &irq() const { return irq_; }
    sc_core::sc_time period() const { return period_; }
    /* Rising edges of the core's clock so far (reset included). */
    uint64_t cycle() const { return cycle_; }
    /* Edges of the handshakes of the latest stream write's first and last
     * beat and of the latest stream read's first and last beat. */
    struct marks {
        uint64_t in_first, in_last, out_first, out_last;
    };
    marks stream_marks() const { return marks_; }
    /* Result beats that arrived and were not read yet. */
    size_t results_pending() const { return out_.size(); }

  private:
    struct request {
        tlm::tlm_generic_payload *t;
        bool is_stream;
        sc_core::sc_time start, end;
        bool done = false;
        sc_core::sc_event ev;
    };
    struct beat {
        tdata_t data;
        tkeep_t keep;
        bool last;
        uint64_t cycle;
    };

    sc_core::sc_time period_;
    sc_core::sc_signal<bool> aclk_{"aclk"}, aresetn_{"aresetn"}, irq_{"irq"};
    sc_axi::axil_if axil_{"s_axil_"};
    sc_axi::axis_if<tdata_t, tkeep_t> sin_{"s_axis_"}, sout_{"m_axis_"};
    Vnpe_coproc dut_{"dut"};

    std::deque<request *> reqs_;
    sc_core::sc_event req_ev_;
    uint64_t cycle_ = 0;
    std::deque<beat> in_, out_; /* beats to send, beats received */
    bool in_valid_ = false;     /* in_.front() is on the bus    */
    uint64_t in_taken_ = 0;     /* input beats taken in all     */
    uint64_t marks_first_ = 0;  /* number of the latest write's first beat */
    marks marks_{};

    void b_regs(tlm::tlm_generic_payload &t, sc_core::sc_time &delay);
    void b_stream(tlm::tlm_generic_payload &t, sc_core::sc_time &delay);
    void submit(tlm::tlm_generic_payload &t, sc_core::sc_time &delay, bool is_stream);
    void worker();
    void edge();
    void feed();
    void reg_access(tlm::tlm_generic_payload &t);
    void stream_write(tlm::tlm_generic_payload &t);
    void stream_read(tlm::tlm_generic_payload &t);
};

#endif
