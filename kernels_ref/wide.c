/* kernels_ref/wide.c - see wide.h. */
#include "wide.h"

#include <string.h>

wide wide_from_u64(uint64_t v) {
    wide r;
    memset(&r, 0, sizeof r);
    r.w[0] = v;
    return r;
}

wide wide_from_i64(int64_t v) {
    wide r;
    for (int i = 0; i < WIDE_LIMBS; i++)
        r.w[i] = v < 0 ? ~(uint64_t)0 : 0;
    r.w[0] = (uint64_t)v;
    return r;
}

int wide_is_neg(wide a) { return (int)(a.w[WIDE_LIMBS - 1] >> 63); }

int wide_is_zero(wide a) {
    for (int i = 0; i < WIDE_LIMBS; i++)
        if (a.w[i])
            return 0;
    return 1;
}

int wide_cmp(wide a, wide b) {
    int na = wide_is_neg(a), nb = wide_is_neg(b);
    if (na != nb)
        return na ? -1 : 1;
    for (int i = WIDE_LIMBS - 1; i >= 0; i--)
        if (a.w[i] != b.w[i])
            return a.w[i] < b.w[i] ? -1 : 1;
    return 0;
}

wide wide_add(wide a, wide b) {
    wide r;
    uint64_t carry = 0;
    for (int i = 0; i < WIDE_LIMBS; i++) {
        uint64_t s = a.w[i] + b.w[i];
        uint64_t c1 = s < a.w[i];
        r.w[i] = s + carry;
        uint64_t c2 = r.w[i] < s;
        carry = c1 | c2;
    }
    return r;
}

wide wide_neg(wide a) {
    for (int i = 0; i < WIDE_LIMBS; i++)
        a.w[i] = ~a.w[i];
    return wide_add(a, wide_from_u64(1));
}

wide wide_sub(wide a, wide b) { return wide_add(a, wide_neg(b)); }

int wide_bit(wide a, int i) {
    if (i >= WIDE_BITS)
        return wide_is_neg(a);
    return (int)((a.w[i / 64] >> (i % 64)) & 1);
}

/* Logical shift of the limbs by n bits (n >= 0), left or right; the bits
 * shifted in are `fill` (all zeros or all ones). */
static wide shift_limbs(wide a, int n, int left, uint64_t fill) {
    wide r;
    int q = n / 64, b = n % 64;
    for (int i = 0; i < WIDE_LIMBS; i++) {
        int src = left ? i - q : i + q; /* limb that lands in limb i */
        int nxt = left ? src - 1 : src + 1; /* limb that supplies the spill-over */
        uint64_t lo = src >= 0 && src < WIDE_LIMBS ? a.w[src] : fill;
        uint64_t hi = nxt >= 0 && nxt < WIDE_LIMBS ? a.w[nxt] : fill;
        if (b == 0)
            r.w[i] = lo;
        else if (left)
            r.w[i] = (lo << b) | (hi >> (64 - b));
        else
            r.w[i] = (lo >> b) | (hi << (64 - b));
    }
    return r;
}

wide wide_shl(wide a, int n, int *lost) {
    if (n >= WIDE_BITS) {
        if (lost && !wide_is_zero(a))
            *lost = 1;
        return wide_from_u64(0);
    }
    wide r = shift_limbs(a, n, 1, 0);
    /* nothing lost iff shifting back (arithmetically) restores a */
    if (lost && wide_cmp(shift_limbs(r, n, 0, wide_is_neg(r) ? ~(uint64_t)0 : 0), a) != 0)
        *lost = 1;
    return r;
}

wide wide_sar(wide a, int n, int *inexact) {
    uint64_t fill = wide_is_neg(a) ? ~(uint64_t)0 : 0;
    if (n >= WIDE_BITS) {
        if (inexact && !wide_is_zero(a))
            *inexact = 1;
        return wide_from_i64(fill ? -1 : 0);
    }
    if (inexact) /* a bit below position n is set */
        for (int i = 0; i < WIDE_LIMBS && i * 64 < n; i++) {
            int bits = n - i * 64;
            uint64_t m = bits >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << bits) - 1);
            if (a.w[i] & m)
                *inexact = 1;
        }
    return shift_limbs(a, n, 0, fill);
}

wide wide_min_of(int w) {
    wide r = wide_from_i64(-1);
    return wide_shl(r, w - 1, NULL);
}

wide wide_max_of(int w) { return wide_sub(wide_neg(wide_min_of(w)), wide_from_u64(1)); }

wide wide_clamp(wide a, int w, int *clamped) {
    wide lo = wide_min_of(w), hi = wide_max_of(w);
    if (wide_cmp(a, lo) < 0) {
        if (clamped)
            *clamped = 1;
        return lo;
    }
    if (wide_cmp(a, hi) > 0) {
        if (clamped)
            *clamped = 1;
        return hi;
    }
    return a;
}

uint32_t wide_word32(wide a, int i) {
    if (i * 32 >= WIDE_BITS)
        return wide_is_neg(a) ? 0xFFFFFFFFu : 0;
    return (uint32_t)(a.w[i / 2] >> (32 * (i % 2)));
}

long double wide_to_ld(wide a) {
    int neg = wide_is_neg(a);
    wide m = neg ? wide_neg(a) : a;
    long double v = 0;
    for (int i = WIDE_LIMBS - 1; i >= 0; i--)
        v = v * 18446744073709551616.0L + (long double)m.w[i];
    return neg ? -v : v;
}

void wide_to_hex(wide a, int bits, char *buf, size_t n) {
    int digits = (bits + 3) / 4;
    size_t j = 0;
    for (int d = digits - 1; d >= 0 && j + 1 < n; d--) {
        int v = 0;
        for (int b = 3; b >= 0; b--) {
            int i = 4 * d + b;
            v = (v << 1) | (i < bits ? wide_bit(a, i) : 0);
        }
        buf[j++] = "0123456789abcdef"[v];
    }
    buf[j] = 0;
}
