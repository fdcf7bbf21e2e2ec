/*
 * kernels_ref/fmt_posit.c - the general posit(n, es) codec, 2 <= n <= 16,
 * 0 <= es <= 3 (Gustafson & Yonemoto, "Beating floating point at its own
 * game: posit arithmetic", Supercomputing Frontiers and Innovations 4(2),
 * 2017; Posit Working Group, "Standard for Posit Arithmetic", 2022).
 *
 * A posit code is  sign | regime | exponent (es bits) | fraction.  The regime
 * is a run of m equal bits r ended by the opposite bit or by the end of the
 * word; it stands for k = m - 1 when r = 1 and k = -m when r = 0.  With
 * useed = 2^(2^es) a positive code is worth useed^k * 2^e * (1 + f / 2^fb).
 * Negative codes are the two's complement of the positive ones.
 *
 * CANONICAL DECODED FORM (a contract with the generated RTL decoders, which
 * must produce exactly these (neg, exp, sig) triples):
 *   - code 0                  -> {neg 0, exp 0, sig 0}, flags 0
 *   - NaR (1 followed by 0s)  -> {neg 0, exp 0, sig 0}, returns FLAG_NAR
 *   - otherwise neg = sign bit; a negative code is replaced by its two's
 *     complement; then read the regime k, the es exponent bits e (bits cut
 *     off by the end of the word count as zeros) and the fb fraction bits f
 *     that are left.  With F = max(n - 3 - es, 0), the most fraction bits any
 *     code of the format has (1 sign bit + at least 2 regime bits + es):
 *         sig = (1 << F) | (f << (F - fb))      (always F + 1 bits wide)
 *         exp = k * 2^es + e - F
 *   So posit(4,1) has F = 0 (sig is always 1), posit(8,0) F = 5 (6-bit sig),
 *   posit(16,1) F = 12 (13-bit sig).
 *
 * QUANTIZATION rounds to nearest, ties to even, ON THE BIT STRING, as the
 * 2017 paper and the 2022 standard specify (SoftPosit does the same): write
 * |x| as its exact infinite posit bit string, keep n bits, round with the
 * guard bit and a sticky bit.  Where exponent bits are cut off this is not
 * nearest-in-value (posit(4,1): 9 lies between 4 and 16; its bit string
 * 0 110 1 0001.. is above the string midpoint 0 110 1, so 9 gives 16).
 * Never rounds a nonzero value to 0 or to NaR: |x| < minpos gives minpos,
 * |x| > maxpos gives maxpos.  NaN and +-Inf give NaR with FLAG_NAR.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "formats.h"

static void check_params(int n, int es) {
    if (n < 2 || n > 16 || es < 0 || es > 3) {
        fprintf(stderr, "kernels_ref: posit(%d,%d) unsupported (need 2<=n<=16, 0<=es<=3)\n",
                n, es);
        abort();
    }
}

static uint32_t word_mask(int n) { return (1u << n) - 1; }

/* Bit i (0 = LSB) of v. */
static unsigned bit(uint32_t v, int i) { return (v >> i) & 1u; }

unsigned posit_decode(int n, int es, uint32_t code, decoded *out) {
    check_params(n, es);
    if (code >> n) {
        fprintf(stderr, "kernels_ref: code 0x%x does not fit posit(%d,%d)\n", code, n, es);
        abort();
    }
    out->neg = 0;
    out->exp = 0;
    out->sig = 0;
    if (code == 0)
        return 0;
    if (code == 1u << (n - 1))
        return FLAG_NAR;

    out->neg = (int)bit(code, n - 1);
    uint32_t p = out->neg ? (0u - code) & word_mask(n) : code;

    /* Regime: run of bits equal to bit n-2, starting at bit n-2. */
    unsigned r = bit(p, n - 2);
    int m = 0;
    while (m < n - 1 && bit(p, n - 2 - m) == r)
        m++;
    int k = r ? m - 1 : -m;
    /* Bits after the regime and its terminator (none if the run reached the end). */
    int rest = m < n - 1 ? n - 2 - m : 0;

    int eb = rest < es ? rest : es; /* exponent bits present */
    int fb = rest - eb;             /* fraction bits present */
    uint32_t e = ((p >> fb) & ((1u << eb) - 1)) << (es - eb);
    uint32_t f = p & ((1u << fb) - 1);

    int F = n - 3 - es > 0 ? n - 3 - es : 0;
    out->sig = (1u << F) | (f << (F - fb));
    out->exp = k * (1 << es) + (int)e - F;
    return 0;
}

/* floor(a / 2^s) for any sign of a, without relying on >> of negatives. */
static int floor_div_pow2(int a, int s) {
    int d = 1 << s;
    int q = a / d;
    if (a % d != 0 && a < 0)
        q--;
    return q;
}

/* A bit string under construction, most significant bit first.  Its length
 * is bounded: regime <= n - 1 <= 15 bits (larger regimes saturate before we
 * get here), es <= 3 bits, a double's fraction 52 bits. */
typedef struct {
    unsigned char b[96];
    int len;
} bitstr;

static void push_bits(bitstr *s, uint64_t v, int count) {
    for (int i = count - 1; i >= 0; i--)
        s->b[s->len++] = (unsigned char)((v >> i) & 1u);
}

/* Round the exact bit string of a positive value (sign bit included as
 * s->b[0] = 0) to n bits: round to nearest, ties to even, on the string. */
static uint32_t round_string(const bitstr *s, int n) {
    uint32_t code = 0;
    for (int i = 0; i < n; i++)
        code = (code << 1) | (i < s->len ? s->b[i] : 0u);
    unsigned guard = n < s->len ? s->b[n] : 0u;
    unsigned sticky = 0;
    for (int i = n + 1; i < s->len; i++)
        sticky |= s->b[i];
    if (guard && (sticky || (code & 1u)))
        code++;
    return code;
}

uint32_t posit_quantize(int n, int es, double x, unsigned *flags) {
    check_params(n, es);
    uint32_t nar = 1u << (n - 1), maxpos = nar - 1, minpos = 1;
    if (isnan(x) || isinf(x)) {
        if (flags)
            *flags |= FLAG_NAR;
        return nar;
    }
    if (x == 0)
        return 0;

    /* |x| = M * 2^(E - 52) exactly, 2^52 <= M < 2^53 (frexp normalizes
     * subnormals too; a double has at most 53 significant bits). */
    int e2;
    double m = frexp(fabs(x), &e2);
    uint64_t M = (uint64_t)ldexp(m, 53);
    int E = e2 - 1; /* |x| = 2^E * (1 + (M - 2^52) / 2^52) */

    int k = floor_div_pow2(E, es);
    int e = E - k * (1 << es);
    /* Regimes that do not fit in n - 1 bits saturate here, which also keeps
     * the bit string below within its buffer. */
    uint32_t code;
    if (k >= n - 2) {
        code = maxpos; /* |x| >= useed^(n-2) = maxpos */
    } else if (k <= -(n - 1)) {
        code = minpos; /* |x| < useed^-(n-2) = minpos, never 0 */
    } else {
        bitstr s = {.len = 0};
        push_bits(&s, 0, 1); /* sign */
        if (k >= 0) {
            push_bits(&s, (1ull << (k + 1)) - 1, k + 1); /* k+1 ones */
            push_bits(&s, 0, 1);
        } else {
            push_bits(&s, 0, -k); /* -k zeros */
            push_bits(&s, 1, 1);
        }
        push_bits(&s, (uint64_t)e, es);
        push_bits(&s, M, 52); /* the fraction: M without its leading 1 */
        /* In range the n-bit prefix lies in [minpos, maxpos) as a string, so
         * rounding up reaches at most maxpos: never NaR, never 0. */
        code = round_string(&s, n);
    }
    return x < 0 ? (0u - code) & word_mask(n) : code;
}
