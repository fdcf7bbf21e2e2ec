/*
 * tests/rtl/rtl_vectors.c - stimulus and expected results for the Icarus
 * smoke test of one generated lane (tests/rtl/check_rtl.sh sim,
 * tests/rtl/tb_rtl_lane.v).  For every supported format pair of the
 * configuration: random rows (lengths 1, max-k and random, odd ones
 * included; several operand styles; MX scales near 2^0, anywhere, at the
 * ends and NaN), streamed one step per line with random idle cycles carrying
 * garbage; the expected accumulator and flags come from kernels_ref's
 * engine_dot.  The element packing is the lane contract of
 * docs/architecture.md: element i of unit u at [16u + i*E +: E], OVP
 * "first-high" swaps the fields of a pair, and a row's last OVP pair whose
 * real element is the victim marker is completed with the marker.
 *
 *   rtl_vectors --seed N --rows R --max-k K --j J --acc-w W --acc-lsb L
 *               --k-max K --wmask M --amask M --ovp-first-high 0|1
 *               --stim FILE --expect FILE
 * stim lines:   valid first last blk_last wfmt afmt w_data a_data w_scale a_scale (hex)
 * expect lines: acc flags (hex), one per row in order
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

/* A code of format f in one of five styles: uniform, specials, OVP victims,
 * largest magnitudes (overflow), sparse. */
static uint16_t code_of(fmt_id f, int style) {
    const fmt_traits *t = fmt_get(f);
    uint32_t n = 1u << t->bits;
    uint16_t c = (uint16_t)below(n);
    switch (style) {
    case 1: {
        uint16_t sp[6] = {0, (uint16_t)(n / 2), (uint16_t)(n / 2 - 1), (uint16_t)(n / 2 + 1), 1,
                          (uint16_t)(n - 1)};
        if (below(2))
            c = sp[below(6)];
        break;
    }
    case 2:
        if (t->family == FAM_OVP && below(3) == 0)
            c = ovp_victim_code(t);
        break;
    case 3:
        if (t->family != FAM_OVP)
            c = (uint16_t)(t->family == FAM_FP4 ? 7 : n / 2 - 1);
        else if (below(2))
            c = ovp_victim_code(t);
        break;
    case 4:
        if (below(4))
            c = 0;
        break;
    }
    return c;
}

static uint8_t scale_of(void) {
    switch (below(6)) {
    case 0:
        return (uint8_t)below(256);
    case 1:
        return below(2) ? 0 : 254;
    case 2:
        return below(10) ? 127 : 255;
    default:
        return (uint8_t)(120 + below(16));
    }
}

static void put_hex(FILE *f, const uint16_t *u, int j) {
    for (int i = j - 1; i >= 0; i--)
        fprintf(f, "%04x", u[i]);
}

int main(int argc, char **argv) {
    long seed = 1, rows = 4, maxk = 64, j = 1, accw = 32, acclsb = 0, kmax = 4096, wmask = 0,
         amask = 0, fh = 0;
    const char *stim = "stim.txt", *expect = "exp.txt";
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        long x = strtol(v, NULL, 0);
        if (!strcmp(k, "--seed")) seed = x;
        else if (!strcmp(k, "--rows")) rows = x;
        else if (!strcmp(k, "--max-k")) maxk = x;
        else if (!strcmp(k, "--j")) j = x;
        else if (!strcmp(k, "--acc-w")) accw = x;
        else if (!strcmp(k, "--acc-lsb")) acclsb = x;
        else if (!strcmp(k, "--k-max")) kmax = x;
        else if (!strcmp(k, "--wmask")) wmask = x;
        else if (!strcmp(k, "--amask")) amask = x;
        else if (!strcmp(k, "--ovp-first-high")) fh = x;
        else if (!strcmp(k, "--stim")) stim = v;
        else if (!strcmp(k, "--expect")) expect = v;
        else {
            fprintf(stderr, "rtl_vectors: unknown option %s\n", k);
            return 2;
        }
    }
    if (j < 1 || j > 32 || maxk < 1 || rows < 1) {
        fprintf(stderr, "rtl_vectors: bad --j/--max-k/--rows\n");
        return 2;
    }
    if (maxk > kmax)
        maxk = kmax;
    rng ^= (uint64_t)seed * 0x2545F4914F6CDD1Dull;
    for (int i = 0; i < 16; i++)
        rnd();
    engine_cfg cfg = {(int)accw, (int)acclsb, (int)kmax, (int)j};
    FILE *fs = fopen(stim, "w"), *fe = fopen(expect, "w");
    if (!fs || !fe) {
        fprintf(stderr, "rtl_vectors: cannot write %s / %s\n", stim, expect);
        return 1;
    }
    uint16_t *w = calloc((size_t)maxk + 2, 2), *a = calloc((size_t)maxk + 2, 2);
    uint8_t *ws = calloc((size_t)maxk / 32 + 2, 1), *as = calloc((size_t)maxk / 32 + 2, 1);
    uint16_t *wd = calloc((size_t)j, 2), *ad = calloc((size_t)j, 2);
    long nrows = 0, npairs = 0;
    for (int wf = 0; wf < FMT_COUNT; wf++)
        for (int af = 0; af < FMT_COUNT; af++) {
            if (!((wmask >> wf) & 1) || !((amask >> af) & 1))
                continue;
            const fmt_traits *tw = fmt_get((fmt_id)wf), *ta = fmt_get((fmt_id)af);
            int E = tw->bits > ta->bits ? tw->bits : ta->bits, P = 16 / E;
            if ((tw->family == FAM_OVP || ta->family == FAM_OVP) && E == 16)
                continue; /* unsupported pair */
            int mx = tw->block || ta->block;
            npairs++;
            for (long r = 0; r < rows; r++) {
                long k = r == 0 ? 1 : r == 1 ? maxk : 1 + (long)below((unsigned)maxk);
                int style = (int)below(5);
                for (long i = 0; i < k; i++) {
                    w[i] = code_of((fmt_id)wf, style);
                    a[i] = code_of((fmt_id)af, style);
                }
                for (long b = 0; b * 32 < k; b++) {
                    ws[b] = scale_of();
                    as[b] = scale_of();
                }
                /* padding: zero codes, except that an OVP pair whose real element is the
                 * victim marker is completed with the marker (code 0 would be its outlier) */
                w[k] = (tw->family == FAM_OVP && (k & 1) && w[k - 1] == ovp_victim_code(tw)) ? w[k - 1] : 0;
                a[k] = (ta->family == FAM_OVP && (k & 1) && a[k - 1] == ovp_victim_code(ta)) ? a[k - 1] : 0;
                wide acc; /* an odd OVP row carries its pad code: k+1 codes */
                unsigned fl = engine_dot(&cfg, (fmt_id)wf, (fmt_id)af, w, a, (size_t)k,
                                         tw->block ? ws : NULL, ta->block ? as : NULL, &acc);
                char hex[80];
                wide_to_hex(acc, (int)accw, hex, sizeof hex);
                fprintf(fe, "%s %x\n", hex, fl);
                nrows++;
                long S = j * P, nsteps = (k + S - 1) / S;
                for (long s = 0; s < nsteps; s++) {
                    while (below(8) == 0) { /* idle cycle with garbage */
                        for (long u = 0; u < j; u++) {
                            wd[u] = (uint16_t)rnd();
                            ad[u] = (uint16_t)rnd();
                        }
                        fprintf(fs, "0 %x %x %x %x %x ", below(2), below(2), below(2), below(16),
                                below(16));
                        put_hex(fs, wd, (int)j);
                        fputc(' ', fs);
                        put_hex(fs, ad, (int)j);
                        fprintf(fs, " %02x %02x\n", below(256), below(256));
                    }
                    memset(wd, 0, (size_t)j * 2);
                    memset(ad, 0, (size_t)j * 2);
                    for (long u = 0; u < j; u++)
                        for (int i = 0; i < P; i++) {
                            long el = s * S + u * P + i;
                            uint16_t cw = el <= k ? w[el] : 0, ca = el <= k ? a[el] : 0;
                            int fw = (fh && tw->family == FAM_OVP) ? i ^ 1 : i;
                            int fa = (fh && ta->family == FAM_OVP) ? i ^ 1 : i;
                            wd[u] |= (uint16_t)(cw << (fw * E));
                            ad[u] |= (uint16_t)(ca << (fa * E));
                        }
                    int last = s == nsteps - 1;
                    int blkend = mx && (last || ((s + 1) * S) % 32 == 0);
                    long b = (s * S) / 32;
                    fprintf(fs, "1 %x %x %x %x %x ", s == 0, last, blkend, wf, af);
                    put_hex(fs, wd, (int)j);
                    fputc(' ', fs);
                    put_hex(fs, ad, (int)j);
                    fprintf(fs, " %02x %02x\n", blkend ? ws[b] : below(256), blkend ? as[b] : below(256));
                }
            }
        }
    fclose(fs);
    fclose(fe);
    printf("rtl_vectors: %ld format pairs, %ld rows\n", npairs, nrows);
    free(w), free(a), free(ws), free(as), free(wd), free(ad);
    return 0;
}
