/*
 * kernels_ref/wide.h - 256-bit two's complement integers for the accumulator
 * model.  Deliberately plain (limb loops, no tricks): it is an oracle.
 */
#ifndef KREF_WIDE_H
#define KREF_WIDE_H

#include <stdint.h>
#include <stdio.h>

#define WIDE_LIMBS 4
#define WIDE_BITS (64 * WIDE_LIMBS)

typedef struct {
    uint64_t w[WIDE_LIMBS]; /* little-endian limbs, two's complement */
} wide;

wide wide_from_i64(int64_t v);
wide wide_from_u64(uint64_t v);
int wide_is_neg(wide a);
int wide_is_zero(wide a);
int wide_cmp(wide a, wide b); /* signed: -1, 0, 1 */
wide wide_add(wide a, wide b);
wide wide_sub(wide a, wide b);
wide wide_neg(wide a);
/* a << n for 0 <= n; *lost set if a bit differing from the result's sign
 * was shifted out (overflow of the 256-bit range).  lost may be NULL. */
wide wide_shl(wide a, int n, int *lost);
/* floor(a / 2^n) (arithmetic shift right); *inexact set if a nonzero bit was
 * dropped.  n >= WIDE_BITS gives 0 or -1. inexact may be NULL. */
wide wide_sar(wide a, int n, int *inexact);
/* -2^(w-1) and 2^(w-1)-1 */
wide wide_min_of(int w);
wide wide_max_of(int w);
/* Clamp to a w-bit signed range; *clamped set (ORed) if it saturated. */
wide wide_clamp(wide a, int w, int *clamped);
/* Bit i (0 = LSB) of the two's complement form. */
int wide_bit(wide a, int i);
/* Low 32 bits of (a >> 32*i), i.e. 32-bit word i, sign-extended view. */
uint32_t wide_word32(wide a, int i);
/* Exact conversion of small values / approximate for large ones. */
long double wide_to_ld(wide a);
/* Hex of the low `bits` bits, most significant digit first. */
void wide_to_hex(wide a, int bits, char *buf, size_t n);

#endif
