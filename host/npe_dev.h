/*
 * host/npe_dev.h - the host's device API of the co-processor: one job at a
 * time through any transport that can read/write the AXI4-Lite registers
 * and move one input packet in / one result packet out.
 *
 * Transports: dev_sim.c (the Verilated model in-process, coproc_pins.h) and
 * dev_xdma.c (the XDMA driver's device files, a real board or the FUSE
 * emulator host/xdma_emu.c).  What is common is here: identification and
 * capabilities at open, and per job (docs/protocol.md section 5):
 *
 *   ROWS, COLS, FMT, SCALE_MODE, CTRL = AP_START;
 *   the packed input (host/packer.h) in, the result beats out, concurrently;
 *   STATUS: a protocol error fails the job with its cause (then cleared);
 *   the result rows unpacked (host/packer.h).
 */
#ifndef HOST_NPE_DEV_H
#define HOST_NPE_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "hwcfg.h"
#include "packer.h"
#include "wide.h"

typedef struct {
    const char *name; /* "sim", "xdma"                                      */
    int (*reg_read)(void *h, uint32_t addr, uint32_t *v, char *err, size_t errlen);
    int (*reg_write)(void *h, uint32_t addr, uint32_t v, char *err, size_t errlen);
    /* Send in_bytes as one packet (TLAST on its last beat) while receiving
     * the result packet into out (out_cap bytes) until its TLAST; *got =
     * bytes received.  Both directions run concurrently. */
    int (*stream)(void *h, const uint8_t *in, size_t in_bytes, uint8_t *out, size_t out_cap,
                  size_t *got, char *err, size_t errlen);
    /* Simulated clock cycles so far; NULL for real hardware. */
    uint64_t (*cycles)(void *h);
    void (*close)(void *h);
} npe_transport;

typedef struct {
    uint64_t jobs, beats_in, result_bytes;
    uint64_t cycles; /* simulated cycles spent in jobs (0 on hardware)       */
} npe_dev_stats;

typedef struct {
    npe_transport t;
    void *h;
    npe_hwcfg hw;      /* from the CAP registers (name/policy from expect)  */
    uint32_t version;  /* VERSION register                                  */
    uint8_t *in, *out; /* page-aligned packet buffers                       */
    size_t in_cap, out_cap;
    npe_dev_stats stats;
    /* ROWS, COLS, FMT, SCALE_MODE as last written (the registers keep their
     * values between jobs, so unchanged ones are not written again: each
     * write is a bus round trip); valid = 0 after open and any failure */
    uint32_t job_regs[4];
    int job_regs_valid;
} npe_dev;

/* Takes ownership of h (closed by npe_dev_close, also on failure).  Checks
 * ID, reads VERSION and the CAP registers; with expect (the configuration
 * header the host was given) the device must match it.  Clears STATUS,
 * ISR and the performance counters. */
int npe_dev_open(npe_dev *d, const npe_transport *t, void *h, const npe_hwcfg *expect,
                 char *err, size_t errlen);
void npe_dev_close(npe_dev *d);

/* One job (qengine-compatible: ctx = npe_dev): every row's accumulator and
 * status word.  Fails with the cause on a device error. */
int npe_dev_run(void *ctx, const npe_job *job, wide *acc, uint32_t *status, char *err,
                size_t errlen);

/* A 64-bit performance counter (reg = its _LO offset). */
int npe_dev_counter(npe_dev *d, uint32_t reg_lo, uint64_t *v, char *err, size_t errlen);

/* "FORMAT", "SHAPE", ... for a STATUS cause code. */
const char *npe_cause_name(unsigned cause);

#endif
