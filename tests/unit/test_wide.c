/* tests/unit/test_wide.c - the 256-bit integers against __int128 arithmetic
 * on values that fit, plus the range edges. */
#include <string.h>

#include "check.h"
#include "wide.h"

static wide from_i128(__int128 v) {
    wide r = wide_from_i64(v < 0 ? -1 : 0);
    r.w[0] = (uint64_t)v;
    r.w[1] = (uint64_t)(v >> 64);
    return r;
}

static int eq128(wide a, __int128 v) { return memcmp(&a, (wide[]){from_i128(v)}, sizeof a) == 0; }

static __int128 rnd128(void) {
    int bits = (int)rnd_below(126);
    __int128 v = (__int128)(((unsigned __int128)rnd64() << 64) | rnd64());
    v >>= 127 - bits; /* arithmetic: keeps a random sign */
    return v;
}

int main(void) {
    check_name = "test_wide";
    check_seed();
    for (int it = 0; it < 200000; it++) {
        __int128 a = rnd128(), b = rnd128();
        int sh = (int)rnd_below(130), inexact = 0, lost = 0;
        CHECK(eq128(wide_add(from_i128(a), from_i128(b)), a + b), "add it=%d", it);
        CHECK(eq128(wide_sub(from_i128(a), from_i128(b)), a - b), "sub it=%d", it);
        CHECK(wide_cmp(from_i128(a), from_i128(b)) == (a < b ? -1 : a > b), "cmp it=%d", it);
        /* floor(a / 2^sh) by division, independently of shifting */
        __int128 d = sh >= 127 ? 0 : (__int128)1 << sh, q;
        int exp_inexact;
        if (sh >= 127) {
            q = a < 0 ? -1 : 0;
            exp_inexact = a != 0;
        } else {
            q = a / d;
            exp_inexact = a % d != 0;
            if (exp_inexact && a < 0)
                q -= 1;
        }
        wide r = wide_sar(from_i128(a), sh, &inexact);
        CHECK(eq128(r, q) && inexact == exp_inexact, "sar it=%d sh=%d", it, sh);
        int s2 = (int)rnd_below(100);
        wide l = wide_shl(from_i128(a >> 100), s2, &lost);
        CHECK(eq128(l, (a >> 100) * ((__int128)1 << s2)) && !lost, "shl it=%d", it);
    }
    int lost = 0;
    wide_shl(wide_from_i64(1), 255, &lost);
    CHECK(lost, "1 << 255 changes the sign: lost must be set");
    lost = 0;
    wide_shl(wide_from_i64(-1), 255, &lost);
    CHECK(!lost, "-1 << 255 = -2^255 is representable");
    lost = 0;
    wide_shl(wide_from_i64(-1), 256, &lost);
    CHECK(lost, "-1 << 256 overflows");
    for (int w = 2; w <= 120; w++) {
        __int128 lo = -((__int128)1 << (w - 1)), hi = ((__int128)1 << (w - 1)) - 1;
        CHECK(eq128(wide_min_of(w), lo) && eq128(wide_max_of(w), hi), "range w=%d", w);
        int c = 0;
        CHECK(eq128(wide_clamp(from_i128(hi + 1), w, &c), hi) && c, "clamp hi w=%d", w);
        c = 0;
        CHECK(eq128(wide_clamp(from_i128(lo), w, &c), lo) && !c, "clamp lo exact w=%d", w);
        c = 0;
        CHECK(eq128(wide_clamp(from_i128(lo - 1), w, &c), lo) && c, "clamp lo w=%d", w);
    }
    char hex[80];
    wide_to_hex(wide_from_i64(-2), 36, hex, sizeof hex);
    CHECK(strcmp(hex, "ffffffffe") == 0, "hex of -2 in 36 bits: got %s", hex);
    CHECK(wide_word32(wide_from_i64(-2), 5) == 0xFFFFFFFFu, "sign-extended word");
    return check_done();
}
