/*
 * host/backends.h - run_model's matvec backends by name, for every front
 * end (run_model, the accuracy table, the tests):
 *
 *   fp32  FP32 on the host (model.c's matvec_fp32)
 *   ref   quantized; rows computed by kernels_ref's bit-exact engine model
 *   sim   quantized; the Verilated co-processor in this process (only in
 *         binaries linked with a model: build/host/<cfg>/run_model)
 *   xdma  quantized; a board through the XDMA driver's device files
 *   emu   quantized; the same code as xdma, on the device files of the XDMA
 *         emulator (host/xdma_emu.c), which this starts and stops
 *
 * The quantized backends share host/qbackend.c (quantization and the
 * accumulator -> float conversion), so they differ only in who computes
 * the raw accumulators.
 */
#ifndef HOST_BACKENDS_H
#define HOST_BACKENDS_H

#include <stdio.h>
#include <sys/types.h>

#include "hwcfg.h"
#include "model.h"
#include "npe_dev.h"
#include "qbackend.h"

typedef struct {
    const char *config;   /* configuration name or params header (hwcfg.h) */
    int wfmt, afmt;       /* fmt_id of weights and activations             */
    const char *xdma;     /* device prefix of xdma (default /dev/xdma0)    */
    const char *emu_bin;  /* the emulator binary (default: beside the config) */
    const char *sim_trace; /* FST file of the sim backend, or NULL         */
} hb_opts;

typedef struct {
    char name[16];
    matvec_backend mv; /* what model_forward calls                        */
    npe_hwcfg hw;      /* the configuration (quantized backends)          */
    qbackend *qb;      /* quantized backends                              */
    npe_dev dev;       /* sim, xdma, emu                                  */
    int have_dev;
    /* emu: the emulator process and its mount point */
    pid_t emu_pid;
    char emu_dir[256];
} host_backend;

/* Names for --help: "fp32, ref, sim, xdma, emu". */
const char *hb_names(void);
/* One line per backend for --help. */
void hb_help(FILE *f, const char *indent);
/* 1 if this binary has the sim backend (a co-processor model linked in). */
int hb_have_sim(void);

/* Opens backend `name` for model m.  -1 with a message on failure (nothing
 * left running).  Quantizes the weights for the quantized backends. */
int hb_open(host_backend *hb, const char *name, const model *m, const hb_opts *o, char *err,
            size_t errlen);
/* Summary lines (quantization, device counters, simulated cycles) to f;
 * tokens = forward passes run, for per-token figures. */
void hb_report(host_backend *hb, FILE *f, int tokens);
/* Simulated cycles so far (sim), else 0. */
uint64_t hb_sim_cycles(const host_backend *hb);
void hb_close(host_backend *hb);

/* Where the emulator of configuration cfg is built (host/host.mk). */
void hb_emu_default(const char *cfg, char *path, size_t n);

#endif
