/*
 * host/hwcfg.h - what the host needs to know about one generated
 * co-processor configuration: the stream geometry (for the packer), the
 * accumulator (for kernels_ref's bit-exact dot product and for turning raw
 * accumulators into values), K_MAX and the enabled format pairs.
 *
 * Two sources, one struct:
 *   - the configuration's generated C header build/rtl/<cfg>/<cfg>_params.h,
 *     read at run time (hwcfg_load_params), so one host binary serves every
 *     configuration and the ref path uses exactly the generator's numbers;
 *   - a device's capability registers (hwcfg_from_caps, docs/protocol.md
 *     section 4), which is all a driver of a real board has.
 * hwcfg_check_same() compares the two, so a device that is not the
 * configuration the host was told about is refused before any job.
 */
#ifndef HOST_HWCFG_H
#define HOST_HWCFG_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "formats.h"
#include "packer.h"

typedef struct {
    char name[64];        /* configuration name ("all"; "device" from CAPs)   */
    npe_geom geom;        /* stream width, lanes, units, acc_w, OVP order    */
    int acc_lsb;          /* log2 of the accumulator LSB's weight            */
    int k_max;            /* longest dot product (COLS limit)                */
    fmt_mask wfmts;       /* enabled weight formats (bit = fmt_id)           */
    fmt_mask afmts;       /* enabled activation formats                      */
    fmt_mask pairs[FMT_COUNT]; /* pairs[w]: activation formats w pairs with */
    int ovp_keep_left;    /* host OVP quantizer policy of the configuration  */
} npe_hwcfg;

/* "name" -> build/rtl/<name>/<name>_params.h (relative to the current
 * directory: the repository root); anything with a '/' or ending in ".h" is
 * taken as the header's path. */
void hwcfg_params_path(const char *config, char *path, size_t n);

/* Reads a generated <cfg>_params.h.  Returns 0, or -1 with a message naming
 * the file and the missing or malformed macro (and how to generate it). */
int hwcfg_load_params(const char *config, npe_hwcfg *c, char *err, size_t errlen);

/* The same facts from the capability registers CAP_WFMT, CAP_AFMT,
 * CAP_GEOM, CAP_ACC, CAP_KMAX, CAP_MISC (docs/protocol.md section 4).  The
 * pair rule the registers do not carry (an OVP format never pairs with a
 * 16-bit one, protocol.md section 1) is applied here.  Returns 0 or -1 with
 * the inconsistent field. */
int hwcfg_from_caps(const uint32_t cap[6], npe_hwcfg *c, char *err, size_t errlen);

/* 0 if a and b describe the same hardware (name and host policy aside),
 * else -1 with the first difference ("ACC_W: params 126, device 44"). */
int hwcfg_check_same(const npe_hwcfg *params, const npe_hwcfg *dev, char *err, size_t errlen);

/* 1 if the configuration computes weight format wf x activation format af;
 * else 0 with the reason in why. */
int hwcfg_pair_ok(const npe_hwcfg *c, fmt_id wf, fmt_id af, char *why, size_t n);

/* kernels_ref's model of the same lanes. */
engine_cfg hwcfg_engine(const npe_hwcfg *c);

/* One line: "all: 4 lanes x 64-bit stream (J 1), ACC 126 bits, LSB 2^-56, K_MAX 4096". */
void hwcfg_describe(const npe_hwcfg *c, char *out, size_t n);

#endif
