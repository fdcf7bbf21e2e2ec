/*
 * kernels_ref/engine.h - the bit-exact model of one MAC lane's dot product.
 *
 * This is the function the RTL is compared with (DESIGN.md section 3).  A
 * lane consumes S = J * 16 / max(wbits, abits) element pairs per cycle (one
 * "step"; J = STREAM_W / (16 * LANES) 16-bit MAC units per lane).  For each
 * product p = (-1)^(sw^sa) * (sigw*siga) * 2^(ew+ea):
 *
 *   q    = floor(p / 2^ACC_LSB)                 INEXACT if q * 2^ACC_LSB != p
 *   q'   = clamp(q, ACC_MIN, ACC_MAX)           OVERFLOW if clamped
 *   s    = sum of the step's q' (exact)
 *   acc  = clamp(acc + s, ACC_MIN, ACC_MAX)     OVERFLOW if clamped
 *
 * with ACC_MIN = -2^(ACC_W-1), ACC_MAX = 2^(ACC_W-1) - 1.  When either
 * operand is block-scaled (MX), the products of a block of 32 are summed
 * exactly first, then B * 2^(scale_w - 127 + scale_a - 127) goes through the
 * same floor/clamp/add as a single product.  NaR operands count as 0 and
 * raise FLAG_NAR; a block with a NaN scale (0xFF) counts as 0 and raises
 * FLAG_NAN_SCALE.  An OVP row of odd length k carries k+1 codes: the pad
 * code of its last pair is part of the encoding (docs/protocol.md section 1)
 * and its product is accumulated like any other (it is 0 for every pad the
 * pair encoder makes).  docs/numerics.md derives the defaults.
 */
#ifndef KREF_ENGINE_H
#define KREF_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "formats.h"
#include "wide.h"

/* The generator parameters that the arithmetic depends on. */
typedef struct {
    int acc_w;    /* accumulator width in bits, 2..WIDE_BITS-8           */
    int acc_lsb;  /* log2 of the weight of the accumulator's LSB         */
    int k_max;    /* longest dot product the job registers accept        */
    int subunits; /* J: 16-bit MAC units per lane (STREAM_W/(16*LANES))  */
} engine_cfg;

/* Bit mask of formats: bit FMT_x set = format x enabled. */
typedef uint32_t fmt_mask;
#define FMT_BIT(id) ((fmt_mask)1u << (id))

/* Defaults that make every dot product of up to k_max elements exact for all
 * pairs of an enabled weight and activation format, without block scales:
 *   acc_lsb = min over pairs (lsb_w + lsb_a)
 *   acc_w   = 1 + bits(k_max * max|w*a| / 2^acc_lsb)
 * Returns 0, or -1 if a mask is empty or the width exceeds the model's. */
int engine_default_acc(fmt_mask wfmts, fmt_mask afmts, int k_max,
                       int *acc_w, int *acc_lsb);

/* Elements per 16-bit unit per cycle: 16 / max(wbits, abits). */
int engine_elems_per_unit(fmt_id wf, fmt_id af);
/* Elements of one row consumed per lane per cycle (one step). */
int engine_step(const engine_cfg *cfg, fmt_id wf, fmt_id af);

/* One product in accumulator units: floor(p / 2^acc_lsb), unclamped.
 * Returns FLAG_INEXACT if bits were dropped. */
unsigned engine_product(const engine_cfg *cfg, decoded w, decoded a, wide *q);

/* The lane's dot product of k elements (an OVP operand of odd k: k+1
 * codes, see above).  wscale/ascale hold ceil(k/32) E8M0
 * codes for an MX operand and must be NULL for the other.  Returns the
 * sticky flags; *acc receives the accumulator (sign-extended). */
unsigned engine_dot(const engine_cfg *cfg, fmt_id wf, fmt_id af,
                    const uint16_t *w, const uint16_t *a, size_t k,
                    const uint8_t *wscale, const uint8_t *ascale, wide *acc);

#endif
