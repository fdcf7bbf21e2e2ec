/*
 * tests/unit/test_packer.c - host/packer.c against layouts worked out by
 * hand from docs/protocol.md for a tiny geometry: W = 64 bits, L = 2
 * lanes, J = 2 units (8 bytes per beat, 32-bit step words).
 */
#include <string.h>

#include "../../host/packer.h"
#include "check.h"

static const npe_geom G = {.stream_w = 64, .lanes = 2, .units = 2, .acc_w = 40};

static void expect_beats(const char *what, const npe_geom *g, const npe_job *j,
                         const uint8_t *want, size_t nbeats) {
    uint8_t got[64 * 8];
    size_t n = npe_pack_job(g, j, got, sizeof got);
    CHECK(n == nbeats && npe_job_beats(g, j) == nbeats, "%s: %zu beats, expected %zu", what, n,
          nbeats);
    for (size_t i = 0; i < nbeats * 8 && n == nbeats; i++)
        CHECK(got[i] == want[i], "%s: beat %zu byte %zu: got 0x%02x, expected 0x%02x", what,
              i / 8, i % 8, got[i], want[i]);
}

/* INT8 x INT8, 3 rows x 5 cols: E = 8, P = 2, S = 4, NSTEP = 2; one
 * activation beat (2 step words), 2 row groups of 2 beats. */
static void int8_case(void) {
    uint16_t a[5] = {0x11, 0x22, 0x33, 0x44, 0x55};
    uint16_t w[15];
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 5; c++)
            w[r * 5 + c] = (uint16_t)(0x10 * r + c + 1);
    npe_job j = {.rows = 3, .cols = 5, .wf = FMT_INT8, .af = FMT_INT8, .w = w, .a = a};
    const uint8_t want[] = {
        0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x00, 0x00, /* act: step 0 | step 1 */
        0x01, 0x02, 0x03, 0x04, 0x11, 0x12, 0x13, 0x14, /* group 0, step 0: row 0 | row 1 */
        0x05, 0x00, 0x00, 0x00, 0x15, 0x00, 0x00, 0x00, /* group 0, step 1 */
        0x21, 0x22, 0x23, 0x24, 0x00, 0x00, 0x00, 0x00, /* group 1: row 2 | no row */
        0x25, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    };
    expect_beats("int8 3x5", &G, &j, want, 5);
}

/* INT4 weights x INT8 activations: the wider operand sets E = 8, so each
 * 4-bit code sits in the low half of a byte. */
static void mixed_case(void) {
    uint16_t w[3] = {0x1, 0x2, 0xF}, a[3] = {0x80, 0x7F, 0x01};
    npe_job j = {.rows = 1, .cols = 3, .wf = FMT_INT4, .af = FMT_INT8, .w = w, .a = a};
    const uint8_t want[] = {
        0x80, 0x7F, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x02, 0x0F, 0x00, 0x00, 0x00, 0x00, 0x00,
    };
    expect_beats("int4 x int8", &G, &j, want, 2);
}

/* OVP4 (first-high) x INT4, 1 x 3: the OVP row carries 4 codes (pad 0);
 * unit 0 fields 0..3 hold elements 1, 0, 3, 2 -> 0x8 | 0x2<<4 | 0<<8 |
 * 0x7<<12 = 0x7028; the INT4 activations keep their order: 0x0321. */
static void ovp_case(void) {
    npe_geom g = G;
    g.ovp_first_high = 1;
    uint16_t w[4] = {0x2, 0x8, 0x7, 0x0}, a[3] = {1, 2, 3};
    npe_job j = {.rows = 1, .cols = 3, .wf = FMT_OVP4, .af = FMT_INT4, .w = w, .a = a};
    const uint8_t want[] = {
        0x21, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x28, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    };
    expect_beats("ovp4 first-high", &g, &j, want, 2);
    CHECK(npe_row_codes(FMT_OVP4, 3) == 4 && npe_row_codes(FMT_INT4, 3) == 3 &&
              npe_row_codes(FMT_OVP8, 4) == 4, "row code counts");
}

/* MXFP4 x MXFP4, 3 x 40: S = 8, NSTEP = 5 (3 activation beats), NBLK = 2;
 * one activation-scale beat, and per group one weight-scale beat with byte
 * blk * L + lane; the absent row 3 gets 0x7F (2^0). */
/* MXFP4 x MXFP4 with G (W = 64: 8-byte beats; L = 2, J = 2: S = 8), K = 40:
 * NSTEP = 5, 2 blocks per row, 3 activation beats + 1 activation-scale
 * beat.  A row group's weight scales are L * nblk = 4 bytes, so one beat
 * holds the scales of gs = 2 groups (protocol.md section 2): byte
 * (s * nblk + blk) * L + lane is group s's lane's scale of block blk, rows
 * beyond R get 0x7F (2^0). */
static void mx_case(void) {
    static uint16_t w[7 * 96], a[96]; /* room for the K = 96 case below */
    uint8_t ws[14] = {0x01, 0x02, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32, 0x41, 0x42, 0x51, 0x52,
                      0x61, 0x62},
            as[3] = {0x7A, 0x80, 0x81}; /* K = 96 below has 3 blocks */
    npe_job j = {.rows = 3, .cols = 40, .wf = FMT_MXFP4, .af = FMT_MXFP4, .scales_inline = 1,
                 .w = w, .a = a, .wscale = ws, .ascale = as};
    uint8_t got[48 * 8];
    CHECK(npe_pack_job(&G, &j, got, sizeof got) == 15, "mx 3 rows: 3 + 1 + 1 + 2 * 5 beats");
    const uint8_t s_act[8] = {0x7A, 0x80}, s_g01[8] = {0x01, 0x11, 0x02, 0x12, 0x21, 0x7F, 0x22, 0x7F};
    CHECK(!memcmp(got + 3 * 8, s_act, 8), "mx: activation scale beat");
    CHECK(!memcmp(got + 4 * 8, s_g01, 8), "mx: groups 0 and 1 share one weight scale beat");
    CHECK(npe_group_last_beat(&G, &j, 0) == 9 && npe_group_last_beat(&G, &j, 1) == 14,
          "mx 3 rows: groups end at beats 9 and 14");
    /* 7 rows = 4 groups: scale beats before groups 0 and 2 */
    j.rows = 7;
    CHECK(npe_pack_job(&G, &j, got, sizeof got) == 26, "mx 7 rows: 4 + (1 + 10) * 2 beats");
    const uint8_t s_g23[8] = {0x41, 0x51, 0x42, 0x52, 0x61, 0x7F, 0x62, 0x7F};
    CHECK(!memcmp(got + 4 * 8, s_g01 + 0, 4) && got[4 * 8 + 4] == 0x21 && got[4 * 8 + 5] == 0x31,
          "mx 7 rows: group 1 has both rows now");
    CHECK(!memcmp(got + 15 * 8, s_g23, 8), "mx 7 rows: the scale beat of groups 2 and 3");
    CHECK(npe_group_last_beat(&G, &j, 1) == 14 && npe_group_last_beat(&G, &j, 2) == 20 &&
              npe_group_last_beat(&G, &j, 3) == 25,
          "mx 7 rows: groups end at beats 14, 20, 25");
    /* K = 96: 3 blocks; gs = 4 / gcd(3, 4) = 4 groups in lcm(3, 4) / 4 = 3 beats (24 bytes):
     * NSTEP = 12 on 2 lanes: 6 activation beats; 3 rows = 2 groups, padded to a
     * whole set: 6 + 1 + 3 + 2 * 12 beats */
    static uint8_t ws96[3 * 3] = {0x10, 0x11, 0x12, 0x20, 0x21, 0x22, 0x30, 0x31, 0x32};
    j.rows = 3;
    j.cols = 96;
    j.wscale = ws96;
    CHECK(npe_pack_job(&G, &j, got, sizeof got) == 34, "mx K=96: 6 + 1 + 3 + 2 * 12 beats (got %zu)",
          npe_job_beats(&G, &j));
    const uint8_t s96[24] = {0x10, 0x20, 0x11, 0x21, 0x12, 0x22, 0x30, 0x7F, 0x31, 0x7F, 0x32, 0x7F,
                             0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F};
    CHECK(!memcmp(got + 7 * 8, s96, 24), "mx K=96: one set of 4 groups' scales in 3 beats");
    CHECK(npe_group_last_beat(&G, &j, 0) == 21 && npe_group_last_beat(&G, &j, 1) == 33,
          "mx K=96: groups end at beats 21 and 33");
    j.cols = 40;
    j.wscale = ws;
    j.scales_inline = 0;
    CHECK(npe_job_beats(&G, &j) == 13, "mx without inline scales: 3 + 2 * 5 beats");
}

/* Results of 3 rows with G (W = 64: 2 words per beat; 40-bit accumulator:
 * RW = 3): group 0 = rows 0, 1 = 6 words = 3 beats; group 1 = row 2 = 3
 * words in 2 beats, the last holding one pad word (protocol.md section 3). */
static void results_case(void) {
    const uint32_t words[] = {0xFFFFFFFEu, 0xFFFFFFFFu, 0x3,   /* row 0: -2, INEXACT|OVERFLOW */
                              0x5, 0x0, 0x100,                 /* row 1: 5, not computed      */
                              0x0, 0x1, 0x0,                   /* row 2: 2^32                 */
                              0xDEADBEEFu};                    /* pad word: never read        */
    uint8_t beats[10 * 4];
    for (int i = 0; i < 10; i++)
        for (int b = 0; b < 4; b++)
            beats[4 * i + b] = (uint8_t)(words[i] >> (8 * b));
    wide acc[3];
    uint32_t st[3];
    CHECK(npe_result_words(&G) == 3, "40-bit accumulator: 2 words + status");
    CHECK(npe_result_beats(&G, 3) == 5, "3 rows: 3 + 2 beats");
    CHECK(npe_result_beats(&G, 2) == 3 && npe_result_beats(&G, 1) == 2, "2 rows: 3; 1 row: 2");
    CHECK(npe_result_last_keep(&G, 3) == 4, "last beat of 3 rows: one valid word");
    CHECK(npe_result_last_keep(&G, 2) == 8, "last beat of 2 rows: full");
    npe_unpack_results(&G, beats, 3, acc, st);
    CHECK(wide_cmp(acc[0], wide_from_i64(-2)) == 0 && st[0] == 3, "row 0: -2, INEXACT|OVERFLOW");
    CHECK(wide_cmp(acc[1], wide_from_i64(5)) == 0 && st[1] == NPE_ROW_NOT_COMPUTED,
          "row 1: 5, not computed");
    CHECK(wide_cmp(acc[2], wide_from_i64(1ll << 32)) == 0 && st[2] == 0, "row 2: 2^32");
    npe_geom q = G;
    q.acc_w = 126;
    CHECK(npe_result_words(&q) == 5, "126-bit quire: 4 words + status");
}

/* The cycle model against hand-counted schedules (protocol.md section 5).
 * G with D = 6, Q = 4: int8 x int8, 2 x 8: S = J * 2 = 4 elements per step,
 * NSTEP = 2, 1 activation beat (2 steps, L = 2 per beat), one group of 2
 * beats: beats 0..2 in cycles 0..2; the group's last beat is in cycle 2, its
 * 2 rows = 6 words = 3 result beats sent in cycles 8, 9, 10: 11 cycles. */
static void timing_case(void) {
    npe_geom g = G;
    g.latency = 6;
    g.result_depth = 4;
    uint16_t c[64] = {0};
    npe_timing t;
    npe_job j = {.rows = 2, .cols = 8, .wf = FMT_INT8, .af = FMT_INT8, .w = c, .a = c};
    CHECK(npe_job_timing(&g, &j, &t) == 0, "timing of a small job");
    CHECK(t.beats_in == 3 && t.beats_out == 3, "2x8: 3 beats in, 3 out");
    CHECK(t.cycles == 11, "2x8: 3 in + D 6 + 3 out - 1 = 11 cycles (got %llu)",
          (unsigned long long)t.cycles);
    /* 8 rows of K = 4 (one step): groups every cycle after the activation
     * beat, 3 result beats each: output-bound.  Group g's last beat is
     * accepted at cycle 1 + g while slots last (Q = 4: groups 0..3 in cycles
     * 1..4); group 0 lands at 6 and loads in 6, 7, 8 (slot free from 9),
     * so group 4 waits for cycle 9; groups 1, 2, 3 load in 9..17, group 4
     * (landed at 14) in 18..20: last beat sent in cycle 21, 22 cycles. */
    j.rows = 10;
    j.cols = 4;
    CHECK(npe_job_timing(&g, &j, &t) == 0 && t.beats_in == 6, "10x4: 1 + 5 beats in");
    CHECK(t.cycles == 22, "10x4: output-bound, 22 cycles (got %llu)", (unsigned long long)t.cycles);
}

int main(void) {
    check_name = "test_packer";
    int8_case();
    mixed_case();
    ovp_case();
    mx_case();
    results_case();
    timing_case();
    npe_geom bad = G;
    bad.stream_w = 48;
    uint16_t c = 0;
    npe_job j = {.rows = 1, .cols = 1, .wf = FMT_INT8, .af = FMT_INT8, .w = &c, .a = &c};
    CHECK(npe_job_beats(&bad, &j) == 0, "W != 16 * J * L is refused");
    return check_done();
}
