/* host/dev_sim.c - see dev_sim.h. */
#include "dev_sim.h"

#include <stdio.h>
#include <stdlib.h>

#include "coproc_pins.h"
#include "vsim.h"

/* A job may take this many cycles per beat moved, plus a constant, before
 * the stream is declared hung: far above the cycle model of
 * docs/protocol.md section 5 (one beat per cycle plus the latency), so it
 * only fires on a real hang. */
#define HANG_CYCLES_PER_BEAT 16
#define HANG_CYCLES_FIXED 100000

/* A protocol violation the pin driver saw fails the operation it happened in. */
static int checked(void *h, int rc, char *err, size_t n) {
    const char *v = npe_pins_violation(h);
    if (v && rc == 0) {
        snprintf(err, n, "the co-processor broke the AXI protocol: %s", v);
        return -1;
    }
    return rc;
}

static int sim_rd(void *h, uint32_t a, uint32_t *v, char *err, size_t n) {
    return checked(h, npe_pins_reg_read(h, a, v, err, n), err, n);
}

static int sim_wr(void *h, uint32_t a, uint32_t v, char *err, size_t n) {
    return checked(h, npe_pins_reg_write(h, a, v, err, n), err, n);
}

static int sim_stream(void *h, const uint8_t *in, size_t in_bytes, uint8_t *out, size_t out_cap,
                      size_t *got, char *err, size_t n) {
    size_t bb = (size_t)npe_pins_beat_bytes(h);
    uint64_t max = HANG_CYCLES_FIXED + HANG_CYCLES_PER_BEAT * (uint64_t)((in_bytes + out_cap) / bb);
    return checked(h, npe_pins_stream(h, in, in_bytes, out, out_cap, got, max, err, n), err, n);
}

static uint64_t sim_cycles(void *h) { return npe_pins_cycles(h); }

static void sim_close(void *h) { npe_pins_close(h); }

const npe_transport dev_sim_transport = {
    .name = "sim", .reg_read = sim_rd, .reg_write = sim_wr, .stream = sim_stream,
    .cycles = sim_cycles, .close = sim_close,
};

void *dev_sim_open(int argc, char **argv, char *err, size_t errlen) {
    return npe_pins_open(argc, argv, err, errlen);
}

const char *dev_sim_model(void) { return vsim_model(); }
