/*
 * host/dev_sim.h - the `sim` transport of npe_dev.h: the Verilated
 * co-processor linked into this process (coproc_pins.h), driven directly.
 * Only binaries linked with a co-processor model have it (host/host.mk:
 * build/host/<cfg>/run_model).
 */
#ifndef HOST_DEV_SIM_H
#define HOST_DEV_SIM_H

#include <stddef.h>

#include "npe_dev.h"

/* The transport's operations; its handle comes from dev_sim_open. */
extern const npe_transport dev_sim_transport;

/* Creates the model (plusargs as for vsim_create, e.g. "+trace=f.fst").
 * NULL with a message on failure. */
void *dev_sim_open(int argc, char **argv, char *err, size_t errlen);

/* The linked model's name (e.g. "Vnpe_coproc"). */
const char *dev_sim_model(void);

#endif
