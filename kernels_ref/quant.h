/*
 * kernels_ref/quant.h - tensor quantizers: float matrices to element codes
 * plus scales, built on the scalar codecs of formats.h, and the inverse
 * (dequantization) used to measure quantization error.
 *
 * DATA LAYOUT.  x is a row-major matrix of rows x cols floats (a vector is
 * rows = 1).  Quantizing it gives
 *   codes         one uint16_t per element, row-major with a row stride of
 *                 quant_row_codes(f, cols) (= cols, except OVP: cols rounded
 *                 up to even, see below); total quant_codes_size().
 *   scales        float scales for INT, FP4, posit and OVP: one per row
 *                 (opts.per_row) or one for the whole tensor; the value the
 *                 element codes stand for is  decoded(code) * scale.  The host
 *                 applies these to the raw accumulator (DESIGN.md sec. 3).
 *                 Untouched (may be NULL) for MX formats.
 *   block_scales  MX formats only: one E8M0 code per block of t->block (32)
 *                 consecutive elements of a row, ceil(cols / 32) per row (the
 *                 last block of a row may be partial); the value is
 *                 decoded(code) * 2^(block_scale - 127).  Untouched (may be
 *                 NULL) for the other formats.
 * Every scale is a float, and the codes are computed with exactly that float,
 * so dequantization reproduces what the quantizer meant.
 *
 * RULES (amax = largest |x| of the row or tensor sharing the scale):
 *
 * INT4/INT8/INT16 - symmetric (DESIGN.md sec. 3, "symmetric quantizers use
 *   -7..7 / -127..127"): qmax = 2^(bits-1) - 1 (7, 127, 32767),
 *   scale = float(amax / qmax), code = round-half-even(x / scale) clamped to
 *   -qmax..qmax.  The most negative code (-8, -128, -32768) is never emitted,
 *   so negation of a quantized tensor stays exact and |error| <= scale / 2.
 *
 * FP4 E2M1 (plain, no block scale) - scale = float(amax / 6), so amax maps to
 *   the largest FP4 value; code = fp4 round-half-even(x / scale).
 *
 * POSIT(n, es) - a power-of-two scale that maps the data's RMS near 1:
 *   scale = 2^round(log2(rms)), rms = sqrt(mean(x^2)) of the row or tensor
 *   (rms = 0 gives 1; the exponent is clamped to the normal float range
 *   -126..127).  Why: posits have tapered precision, the most fraction bits
 *   at magnitudes near 1 (the shortest regime, useed^0 and useed^-1) and
 *   fewer towards minpos/maxpos, so centring the bulk of the distribution at
 *   1 puts most elements where the format is densest, while the tails still
 *   fit in the wide dynamic range.  A power of two makes x / scale exact
 *   (no extra rounding) and lets the host apply it as an exponent add.
 *   code = posit quantize(x / scale): round to nearest even on the bit
 *   string, never 0 or NaR for nonzero x (saturation to minpos/maxpos).
 *
 * MXFP4 (OCP Microscaling Formats spec v1.0, sec. 6.3 "conversion", Algorithm
 *   1) - per block of 32 elements of a row:
 *     shared_exp = floor(log2(amax_block)) - emax_elem,  emax_elem = 2
 *                  (exponent of FP4 E2M1's largest normal, 6 = 1.5 * 2^2),
 *     clamped to the E8M0 range [-127, 127] (sec. 5.4.1; 0xFF = NaN is never
 *     produced); an all-zero block gets shared_exp = -127 (scale code 0);
 *     block scale code = shared_exp + 127;
 *     element code = fp4 round-half-even(x / 2^shared_exp), saturating at
 *     +-6: with the floor(log2) choice amax / 2^shared_exp lies in [4, 8),
 *     so values in (6, 8) saturate, as the spec allows for FP4 (sec. 6.3:
 *     results beyond the element format's normal range are clamped).
 *   For float input the upper clamp cannot trigger (amax < 2^128).
 *
 * OVP4 / OVP4F / OVP8 (OliVe, ISCA 2023) - one float scale s (per row or
 *   tensor) with x / s in units of the normal LSB (the unit of the int4 /
 *   flint4 / int8 normals and of the outlier magnitudes); pairs (2k, 2k+1)
 *   of a row are coded by ovp_quantize_pair(x0 / s, x1 / s, policy).  An odd
 *   column count pads each row's last pair with a 0 element: its code (a
 *   normal 0, or the victim marker if the last element became an outlier) is
 *   stored, so an OVP row has cols + 1 codes; dequantization ignores it.
 *   Scale choice:
 *     opts.ovp_scale > 0: that scale (rounded to float) is used.
 *     opts.ovp_scale == 0: MSE search (OliVe sec. 5 chooses the scale by the
 *       quantization MSE): 64 candidates, log-spaced from
 *         lo = amax / max_outlier (amax maps to the largest outlier) to
 *         hi = amax / max_normal  (amax maps to the largest normal),
 *       s_0 = lo, s_63 = hi, s_i = lo * (hi / lo)^(i / 63), each rounded to
 *       float; the candidate with the lowest sum of squared errors of the
 *       dequantized values wins (the first one on ties), so the result is
 *       deterministic and never worse than either endpoint.  amax = 0 gives 1.
 *       Cost: 64 pair-quantizations per element.
 *   Byte packing (nibble order) is a separate step: quant_pack_codes().
 *
 * INPUT CHECKS.  NaN or infinite inputs are rejected: quant_matrix returns
 * QUANT_ENONFINITE with a message on stderr and writes nothing (a NaN has no
 * meaningful scale, and silently mapping it to 0 would hide a model bug).
 * Bad arguments give QUANT_EINVAL, also with a message and no output.
 */
#ifndef KREF_QUANT_H
#define KREF_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "formats.h"

enum {
    QUANT_EINVAL = -1,     /* bad argument (size, NULL pointer, option)  */
    QUANT_ENONFINITE = -2, /* NaN or +-Inf in the input                  */
};

/* Number of OVP scale candidates of the MSE search. */
#define QUANT_OVP_CANDIDATES 64

typedef struct {
    int per_row;       /* 1: one scale per row; 0: one per tensor        */
    ovp_policy policy; /* OVP: both-outlier policy (keep larger / left)  */
    double ovp_scale;  /* OVP: > 0 forces this scale; 0 = MSE search    */
} quant_opts;

/* The defaults used when opts is NULL: per tensor, keep larger, search. */
extern const quant_opts quant_opts_default;

/* Sizes of the output arrays (element counts).  quant_scales_size is 0 for
 * MX formats, quant_block_scales_size 0 for the others. */
int quant_row_codes(fmt_id f, int cols);
size_t quant_codes_size(fmt_id f, int rows, int cols);
size_t quant_scales_size(fmt_id f, int rows, const quant_opts *o);
size_t quant_block_scales_size(fmt_id f, int rows, int cols);

/* Quantize x (rows x cols, row-major) to codes plus scales or block scales
 * as described above.  o may be NULL (quant_opts_default).  Returns 0, or
 * QUANT_EINVAL / QUANT_ENONFINITE (message on stderr, outputs untouched). */
int quant_matrix(fmt_id f, const float *x, int rows, int cols, const quant_opts *o,
                 uint16_t *codes, float *scales, uint8_t *block_scales);

/* The inverse: y (rows x cols) = decoded(code) * scale (or * 2^(bs - 127)).
 * Special values are reported, never silently used: a posit NaR element
 * gives NaN in y and FLAG_NAR; a block scale 0xFF (E8M0 NaN) gives NaN for
 * its whole block and FLAG_NAN_SCALE.  Returns the OR of the FLAG_* bits seen
 * (>= 0) or QUANT_EINVAL.  o must be the options used to quantize (only
 * per_row matters) or NULL. */
int dequant_matrix(fmt_id f, const uint16_t *codes, int rows, int cols, const quant_opts *o,
                   const float *scales, const uint8_t *block_scales, float *y);

/* Error statistics of an approximation y of x (n elements). */
typedef struct {
    double mse;         /* mean of (y - x)^2                              */
    double max_abs_err; /* max |y - x|                                    */
    double signal;      /* mean of x^2                                    */
    double sqnr_db;     /* 10 log10(signal / mse); +inf when mse = 0      */
} quant_err;
void quant_compare(const float *x, const float *y, size_t n, quant_err *e);

/* Quantize, dequantize and compare in one call (allocates its buffers).
 * Returns 0 or a negative QUANT_E* error. */
int quant_error(fmt_id f, const float *x, int rows, int cols, const quant_opts *o,
                quant_err *e);
/* Shorthand: the MSE of quant_error, or NaN on error. */
double quant_mse(fmt_id f, const float *x, int rows, int cols, const quant_opts *o);

/* Pack n codes of format f into bytes: 4-bit codes two per byte, element 2k
 * in the high nibble for OVP_FIRST_HIGH (OliVe Figure 1) or the low nibble for
 * OVP_FIRST_LOW, an odd count padding the last byte with a 0 nibble; 8-bit
 * codes one per byte; 16-bit codes two bytes, little-endian.  Returns the
 * number of bytes written (quant_packed_size). */
size_t quant_packed_size(fmt_id f, size_t n);
size_t quant_pack_codes(fmt_id f, const uint16_t *codes, size_t n, ovp_nibble_order order,
                        uint8_t *out);
/* The inverse of quant_pack_codes; reads quant_packed_size(f, n) bytes. */
void quant_unpack_codes(fmt_id f, const uint8_t *in, size_t n, ovp_nibble_order order,
                        uint16_t *codes);

#endif
