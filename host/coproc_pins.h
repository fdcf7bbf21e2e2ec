/*
 * host/coproc_pins.h - the host's pin driver of the Verilated co-processor
 * (module npe_coproc, ports of docs/protocol.md section 0) through the
 * sim/vsim.h shim.  Shared by the `sim` backend (in-process) and the XDMA
 * emulator (behind its device files).
 *
 * This is the fast path, not a verification bench: no randomized
 * backpressure, valid held high whenever there is data, ready always high
 * on the AXI-Lite response channels and whenever the caller has room for
 * a result beat.  Every cycle goes through npe_pins_cycle(): it drives the
 * AXI-Lite transaction in flight and both streams, settles the inputs
 * (vsim_eval, so a READY that depends combinationally on a VALID is seen),
 * samples the handshakes and moves the clock once.
 */
#ifndef HOST_COPROC_PINS_H
#define HOST_COPROC_PINS_H

#include <stddef.h>
#include <stdint.h>

typedef struct npe_pins npe_pins;

/* Creates the model (argv: vsim plusargs, e.g. +trace=f.fst; may be 0/NULL)
 * and holds aresetn low for a few cycles.  NULL with a message on failure. */
npe_pins *npe_pins_open(int argc, char **argv, char *err, size_t errlen);
void npe_pins_close(npe_pins *p);

int npe_pins_beat_bytes(const npe_pins *p); /* W / 8                         */
uint64_t npe_pins_cycles(const npe_pins *p); /* rising edges since open      */
int npe_pins_interrupt(const npe_pins *p);  /* the interrupt output           */

/* What one cycle drives and what it did. */
typedef struct {
    const uint8_t *in_beat; /* W/8 bytes for s_axis (TVALID = 1), or NULL    */
    int in_last;            /* TLAST of that beat                            */
    uint8_t *out_beat;      /* room for W/8 bytes (m_axis TREADY = 1), or NULL */
    /* results */
    int in_taken;           /* the input beat was accepted at this edge      */
    int out_got;            /* a result beat was taken into out_beat         */
    int out_last;           /* ... with TLAST                                */
    int out_bytes;          /* its kept bytes (TKEEP, which must be contiguous from byte 0) */
} npe_pins_io;

/* One clock cycle (see the top). */
void npe_pins_cycle(npe_pins *p, npe_pins_io *io);

/* AXI-Lite, non-blocking: start one transaction (none may be in flight),
 * then it advances in npe_pins_cycle(); npe_pins_lite_done() returns 1 once
 * the response arrived, with the read data and the response code
 * (0 OKAY, 2 SLVERR, ...).  Returns -1 from start if one is in flight. */
int npe_pins_lite_start(npe_pins *p, int is_write, uint32_t addr, uint32_t wdata);
int npe_pins_lite_busy(const npe_pins *p);
int npe_pins_lite_done(npe_pins *p, uint32_t *rdata, uint32_t *resp);

/* Cycles the transaction in flight has taken (0 if none), and dropping it
 * (VALIDs low) after a timeout. */
uint64_t npe_pins_lite_age(const npe_pins *p);
void npe_pins_lite_abort(npe_pins *p);
/* Cycles an AXI-Lite transaction may take before it counts as hung. */
#define NPE_PINS_LITE_TIMEOUT 1000

/* A protocol violation seen by the driver (e.g. BVALID with no write in
 * flight), or NULL.  Sticky. */
const char *npe_pins_violation(const npe_pins *p);

/* Blocking helpers with idle streams; they fail after max_cycles without
 * a response, or on a non-OKAY response. */
int npe_pins_reg_write(npe_pins *p, uint32_t addr, uint32_t v, char *err, size_t errlen);
int npe_pins_reg_read(npe_pins *p, uint32_t addr, uint32_t *v, char *err, size_t errlen);

/* Sends in_bytes (whole beats; TLAST on the last one) and receives result
 * beats into out (capacity out_cap bytes) until a beat with TLAST, at
 * most max_cycles cycles.  *got = result bytes (the TLAST beat counts its
 * kept bytes only).  Fails with a message (what was sent and received by
 * then) on a timeout, a result beat beyond out_cap, or results that end
 * before the input did. */
int npe_pins_stream(npe_pins *p, const uint8_t *in, size_t in_bytes, uint8_t *out,
                    size_t out_cap, size_t *got, uint64_t max_cycles, char *err, size_t errlen);

#endif
