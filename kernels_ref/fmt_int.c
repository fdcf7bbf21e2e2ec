/*
 * kernels_ref/fmt_int.c - INT4 / INT8 / INT16 element codec.
 *
 * Canonical decoded form (a contract with the RTL decoders, DESIGN.md sec. 3;
 * value = (-1)^neg * sig * 2^exp):
 *     code = the b-bit two's complement pattern of the integer v
 *     neg  = (v < 0)
 *     sig  = |v|           (INT16's -32768 gives sig = 32768: 16 sig bits)
 *     exp  = 0
 * Zero is {0, 0, 0}.  Every code is canonical (one code per value).
 *
 * Scalar quantization (fmt_quantize): saturate to the FULL two's complement
 * range [-2^(b-1), 2^(b-1) - 1], so every code round-trips, then round half
 * to even; NaN gives 0.  The symmetric -7..7 / -127..127 ranges of
 * DESIGN.md's table belong to the tensor quantizer (quant.c), not here.
 */
#include <math.h>

#include "formats.h"

unsigned int_decode(const fmt_traits *t, uint16_t code, decoded *out) {
    int b = t->bits;
    uint32_t u = code & ((1u << b) - 1u);
    /* Two's complement: the top bit weighs -2^(b-1). */
    int32_t v = (int32_t)u - (int32_t)((u >> (b - 1)) << b);
    out->neg = v < 0;
    out->sig = (uint32_t)(v < 0 ? -v : v);
    out->exp = 0;
    return 0;
}

/* Round a value in [lo, hi] (small integers, |y| < 2^52) to the nearest
 * integer, ties to even.  floor() and the subtraction are exact there, so
 * the tie test is exact; written out instead of nearbyint() so the result
 * does not depend on the floating-point environment's rounding mode. */
static double round_half_even(double y) {
    double f = floor(y), d = y - f;
    if (d > 0.5 || (d == 0.5 && fmod(f, 2.0) != 0.0))
        f += 1.0;
    return f;
}

uint16_t int_quantize(const fmt_traits *t, double x) {
    int b = t->bits;
    double lo = -ldexp(1.0, b - 1), hi = ldexp(1.0, b - 1) - 1.0;
    if (isnan(x))
        return 0;
    /* Clamping first is equivalent to rounding first: the bounds are
     * integers, so anything beyond them rounds to the bound either way. */
    if (x < lo)
        x = lo;
    if (x > hi)
        x = hi;
    long v = (long)round_half_even(x);
    return (uint16_t)((unsigned long)v & ((1ul << b) - 1ul));
}
