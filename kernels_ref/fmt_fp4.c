/*
 * kernels_ref/fmt_fp4.c - FP4 E2M1 element codec (OCP Microscaling Formats
 * (MX) Specification v1.0, sec. 5.3.3: exponent bias 1, no Inf/NaN, e = 0 is
 * subnormal; values 0, 0.5, 1, 1.5, 2, 3, 4, 6 and their negatives).  MXFP4
 * elements are the same codes; their E8M0 block scale (sec. 5.4.1) is applied
 * by the engine (engine.c), not here.
 *
 * Canonical decoded form (a contract with the RTL decoders, DESIGN.md sec. 3;
 * value = (-1)^neg * sig * 2^exp), code = s | e(2) | m(1):
 *     sig = (e != 0 ? 2 : 0) + m      (hidden bit for normals, none for e = 0)
 *     exp = max(e, 1) - 2             (bias 1, and one fraction bit)
 *     neg = s, except that zero is always {0, 0, 0}
 *   code: 0     1      2      3      4     5     6     7
 *   value 0     0.5    1      1.5    2     3     4     6
 *   (s,e) (0,0) (1,-1) (2,-1) (3,-1) (2,0) (3,0) (2,1) (3,1)
 * The code 0x8 (-0) decodes to {0, 0, 0} and is the one non-canonical code:
 * the quantizer never produces it.
 *
 * Quantization: round to nearest, ties to the even mantissa, saturate to
 * +-6 (the spec leaves overflow of FP4 conversion to the implementation,
 * sec. 5.3.3 has no Inf; ml_dtypes.float4_e2m1fn saturates, and so do we),
 * NaN -> 0, and a negative value that rounds to zero gives +0 (0x0).
 */
#include <math.h>

#include "formats.h"

unsigned fp4_decode(uint16_t code, decoded *out) {
    unsigned s = (code >> 3) & 1u, e = (code >> 1) & 3u, m = code & 1u;
    uint32_t sig = (e ? 2u : 0u) + m;
    out->sig = sig;
    out->exp = sig ? (int)(e ? e : 1u) - 2 : 0;
    out->neg = sig ? (int)s : 0;
    return 0;
}

/* Nearest integer to y >= 0 (y < 2^52), ties to even; exact (see fmt_int.c). */
static unsigned rne(double y) {
    double f = floor(y), d = y - f;
    if (d > 0.5 || (d == 0.5 && fmod(f, 2.0) != 0.0))
        f += 1.0;
    return (unsigned)f;
}

uint16_t fp4_quantize(double x) {
    if (isnan(x))
        return 0;
    double a = fabs(x);
    unsigned c; /* magnitude code 0..7 */
    /* The positive codes are monotone in value and their LSB is the mantissa
     * bit m, so "ties to the even mantissa" is "ties to the even code".  The
     * value grid is uniform on three stretches, so each is a scaled RNE:
     *   [0, 2]: step 0.5, codes 0..4 = 2a
     *   [2, 4]: step 1,   codes 4..6 = a + 2
     *   [4, 6]: step 2,   codes 6..7 = a/2 + 4
     * (the scaling by 2 is exact, and at each stretch's ends both formulas
     * give the same code). */
    if (a >= 6.0)
        c = 7;
    else if (a < 2.0)
        c = rne(2.0 * a);
    else if (a < 4.0)
        c = rne(a) + 2;
    else
        c = rne(a / 2.0) + 4;
    if (c == 0)
        return 0; /* never -0 */
    return (uint16_t)(x < 0 ? (c | 8u) : c);
}
