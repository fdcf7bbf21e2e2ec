/*
 * sim/vsim.h - the C API of the thin C++ shim over one Verilated model.
 *
 * The shim (sim/vsim.cpp) is compiled once per model with
 *     -DVSIM_TOP=Vnpe_tb_top               the Verilated class
 *     -DVSIM_PORTS='"Vnpe_tb_top_ports.inc"'  its port table (sim/vsim_gen.py ports)
 *     [-DVSIM_TRACE]                        when the model was built with --trace-fst
 * so C test benches never see C++ and one test bench source serves every
 * configuration.  Ports are addressed by an index looked up once by name;
 * values travel as little-endian arrays of 32-bit words (word 0 = bits 31:0),
 * any width up to VSIM_MAX_BITS.
 *
 * Clocking: vsim_tick() is one clock period: it settles the inputs set since
 * the last tick with the clock low, raises the clock, and evaluates.  After
 * it returns, outputs show the state after that rising edge.  Combinational
 * outputs of inputs set since then need vsim_eval().
 *
 * Plusargs understood at vsim_create() (argv is passed to VerilatedContext):
 *   +trace[=file.fst]          FST waveform (needs a model built for tracing)
 *   +verilator+rand+reset+N    0 zeros, 1 ones, 2 random (the default here)
 *   +verilator+seed+N          seed of the random reset values
 */
#ifndef SIM_VSIM_H
#define SIM_VSIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VSIM_MAX_BITS 1024
#define VSIM_WORDS(bits) (((bits) + 31) / 32)

typedef struct vsim vsim;
typedef enum { VSIM_IN = 1, VSIM_OUT = 2, VSIM_INOUT = 3 } vsim_dir;

/* Build the context and the model.  argc/argv: plusargs as above (the whole
 * command line may be passed: other words are ignored).  trace_default: the
 * FST path used for a bare "+trace" (NULL: "<model>.fst").  Returns NULL and
 * prints why on failure (e.g. +trace on a model built without tracing). */
vsim *vsim_create(int argc, char **argv, const char *trace_default);
/* Final evaluation, close the trace, delete model and context. */
void vsim_destroy(vsim *s);

/* Model description. */
const char *vsim_model(void);    /* e.g. "Vnpe_tb_top"             */
int vsim_traced(const vsim *s); /* an FST file is being written    */
const char *vsim_trace_path(const vsim *s);
int vsim_nports(void);
const char *vsim_port_name(int port);
int vsim_port_width(int port);   /* bits                           */
vsim_dir vsim_port_dir(int port);
/* Index of a port by name, or -1. */
int vsim_port(const char *name);
/* Index of a port by name; prints the missing name and aborts if absent. */
int vsim_port_req(const char *name);

/* Inputs: bits beyond the port's width are ignored (masked). */
void vsim_set(vsim *s, int port, const uint32_t *words);
void vsim_set_u64(vsim *s, int port, uint64_t v);
/* Any port: words receives VSIM_WORDS(width) words, zero above the width. */
void vsim_get(const vsim *s, int port, uint32_t *words);
/* Low 64 bits of a port. */
uint64_t vsim_get_u64(const vsim *s, int port);

/* Settle combinational logic (no clock edge); dumps if tracing. */
void vsim_eval(vsim *s);
/* One clock period of the clock port (see above). */
void vsim_tick(vsim *s);
/* Rising edges since creation. */
uint64_t vsim_cycles(const vsim *s);

/* Start/stop writing an FST file (models built with tracing only); 0 = ok. */
int vsim_trace_open(vsim *s, const char *path);
void vsim_trace_close(vsim *s);

#ifdef __cplusplus
}
#endif

#endif
