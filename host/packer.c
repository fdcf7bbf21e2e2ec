/* host/packer.c - see packer.h; the layout is docs/protocol.md's. */
#include "packer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MX_BLOCK 32 /* OCP MX v1.0: elements per E8M0 scale */

static int bits_of(fmt_id f) { return fmt_get(f)->bits; }
static int is_ovp(fmt_id f) { return fmt_get(f)->family == FAM_OVP; }
static int is_mx(fmt_id f) { return fmt_get(f)->block > 0; }
static int div_up(int a, int b) { return (a + b - 1) / b; }
static int gcd(int a, int b) { return b ? gcd(b, a % b) : a; }

int npe_row_codes(fmt_id f, int cols) { return is_ovp(f) && cols % 2 ? cols + 1 : cols; }

int npe_step_elems(const npe_geom *g, fmt_id wf, fmt_id af) {
    int e = bits_of(wf) > bits_of(af) ? bits_of(wf) : bits_of(af);
    return g->units * (16 / e);
}

static int geom_ok(const npe_geom *g) {
    return g->lanes > 0 && g->units > 0 && g->stream_w == 16 * g->units * g->lanes &&
           g->acc_w > 1;
}

/* The job's counts, shared by npe_job_beats and npe_pack_job. */
typedef struct {
    int nstep, nblk, groups, bytes_per_beat;
    int act_beats, act_scale_beats;
    int gs;        /* row groups whose weight scales share a set of beats  */
    int set_bytes; /* weight scale bytes of a full set: gs * L * nblk      */
    int mxw;       /* the stream carries weight scales                     */
} layout;

static int plan(const npe_geom *g, const npe_job *j, layout *l) {
    if (!geom_ok(g) || j->rows < 1 || j->cols < 1 || (unsigned)j->wf >= FMT_COUNT ||
        (unsigned)j->af >= FMT_COUNT)
        return 0;
    l->bytes_per_beat = g->stream_w / 8;
    l->nstep = div_up(npe_row_codes(j->wf, j->cols) > npe_row_codes(j->af, j->cols)
                          ? npe_row_codes(j->wf, j->cols)
                          : npe_row_codes(j->af, j->cols),
                      npe_step_elems(g, j->wf, j->af));
    l->nblk = div_up(j->cols, MX_BLOCK);
    l->groups = div_up(j->rows, g->lanes);
    l->act_beats = div_up(l->nstep, g->lanes);
    l->act_scale_beats = is_mx(j->af) && j->scales_inline ? div_up(l->nblk, l->bytes_per_beat) : 0;
    /* Weight scales: one set of beats per gs row groups, as many groups as
     * fit in one beat (protocol.md section 2), so short rows on a wide
     * stream do not spend a beat on a few scale bytes. */
    l->mxw = is_mx(j->wf) && j->scales_inline;
    int two_j = l->bytes_per_beat / g->lanes; /* a beat holds 2J blocks of L scales */
    l->gs = two_j / gcd(l->nblk, two_j);      /* gs * nblk = lcm(nblk, 2J) blocks   */
    l->set_bytes = l->gs * g->lanes * l->nblk; /* a whole number of beats          */
    return 1;
}

/* Weight-scale beats in front of row group grp (0 unless it starts a set;
 * the job's last set is padded to a whole set). */
static int wscale_beats_before(const layout *l, int grp) {
    if (!l->mxw || grp % l->gs)
        return 0;
    return l->set_bytes / l->bytes_per_beat;
}

size_t npe_job_beats(const npe_geom *g, const npe_job *j) {
    layout l;
    if (!plan(g, j, &l))
        return 0;
    size_t n = (size_t)l.act_beats + (size_t)l.act_scale_beats;
    for (int grp = 0; grp < l.groups; grp++)
        n += (size_t)wscale_beats_before(&l, grp) + (size_t)l.nstep;
    return n;
}

size_t npe_group_last_beat(const npe_geom *g, const npe_job *j, int grp) {
    layout l;
    if (!plan(g, j, &l) || grp < 0 || grp >= l.groups)
        return 0;
    size_t n = (size_t)l.act_beats + (size_t)l.act_scale_beats;
    for (int k = 0; k <= grp; k++)
        n += (size_t)wscale_beats_before(&l, k) + (size_t)l.nstep;
    return n - 1;
}

/* OR an n-bit value into a little-endian bit string at bit offset `at`. */
static void put_bits(uint8_t *buf, size_t at, int n, uint32_t v) {
    for (int i = 0; i < n; i++)
        if ((v >> i) & 1)
            buf[(at + (size_t)i) / 8] |= (uint8_t)(1u << ((at + (size_t)i) % 8));
}

/* Place step t of one row's codes (format f, of a job whose partner makes
 * the element width E) into a step word starting at bit `at`. */
static void put_step(const npe_geom *g, const npe_job *j, fmt_id f, const uint16_t *codes,
                     int t, uint8_t *buf, size_t at) {
    int e = bits_of(j->wf) > bits_of(j->af) ? bits_of(j->wf) : bits_of(j->af);
    int p = 16 / e, n = npe_row_codes(f, j->cols);
    for (int u = 0; u < g->units; u++)
        for (int i = 0; i < p; i++) {
            int el = t * g->units * p + u * p + i;
            if (el >= n)
                return;
            int field = is_ovp(f) && g->ovp_first_high ? i ^ 1 : i;
            put_bits(buf, at + (size_t)(16 * u + field * e), bits_of(f), codes[el]);
        }
}

size_t npe_pack_job(const npe_geom *g, const npe_job *j, uint8_t *out, size_t cap_bytes) {
    layout l;
    size_t beats = npe_job_beats(g, j);
    if (!beats || !plan(g, j, &l)) {
        fprintf(stderr, "npe_pack_job: malformed geometry or job (rows %d, cols %d)\n", j->rows,
                j->cols);
        return 0;
    }
    size_t bpb = (size_t)l.bytes_per_beat, step_bits = 16u * (size_t)g->units;
    if (beats * bpb > cap_bytes) {
        fprintf(stderr, "npe_pack_job: job needs %zu bytes, buffer holds %zu\n", beats * bpb,
                cap_bytes);
        return 0;
    }
    memset(out, 0, beats * bpb);
    uint8_t *b = out;
    /* 1. activations, L step words per beat */
    for (int t = 0; t < l.nstep; t++)
        put_step(g, j, j->af, j->a, t, b + (size_t)(t / g->lanes) * bpb,
                 step_bits * (size_t)(t % g->lanes));
    b += (size_t)l.act_beats * bpb;
    /* 2. activation block scales, byte b = block b */
    if (l.act_scale_beats) {
        memcpy(b, j->ascale, (size_t)l.nblk);
        b += (size_t)l.act_scale_beats * bpb;
    }
    /* 3. per row group: (at the start of a set of gs groups) the set's
     * weight scales, byte (s * nblk + blk) * L + lane for group grp + s;
     * then NSTEP beats */
    for (int grp = 0; grp < l.groups; grp++) {
        int nsb = wscale_beats_before(&l, grp);
        if (nsb) {
            for (int s = 0; s < l.gs; s++) /* groups beyond the job: rows of 2^0 */
                for (int blk = 0; blk < l.nblk; blk++)
                    for (int ln = 0; ln < g->lanes; ln++) {
                        int r = (grp + s) * g->lanes + ln;
                        b[(s * l.nblk + blk) * g->lanes + ln] =
                            r < j->rows ? j->wscale[(size_t)r * (size_t)l.nblk + (size_t)blk]
                                        : E8M0_BIAS; /* absent row: 2^0 */
                    }
            b += (size_t)nsb * bpb;
        }
        int stride = npe_row_codes(j->wf, j->cols);
        for (int t = 0; t < l.nstep; t++, b += bpb)
            for (int ln = 0; ln < g->lanes; ln++) {
                int r = grp * g->lanes + ln;
                if (r < j->rows)
                    put_step(g, j, j->wf, j->w + (size_t)r * (size_t)stride, t, b,
                             step_bits * (size_t)ln);
            }
    }
    return beats;
}

int npe_result_words(const npe_geom *g) { return div_up(g->acc_w, 32) + 1; }

/* Rows of row group `grp` of a job of `rows` rows. */
static int group_rows(const npe_geom *g, int rows, int grp) {
    int left = rows - grp * g->lanes;
    return left < g->lanes ? left : g->lanes;
}
static int group_beats(const npe_geom *g, int nr) {
    return div_up(nr * npe_result_words(g), g->stream_w / 32);
}

size_t npe_result_beats(const npe_geom *g, int rows) {
    size_t n = 0;
    for (int grp = 0; grp * g->lanes < rows; grp++)
        n += (size_t)group_beats(g, group_rows(g, rows, grp));
    return n;
}

int npe_result_last_keep(const npe_geom *g, int rows) {
    int w32 = g->stream_w / 32, last = (rows - 1) / g->lanes;
    int words = group_rows(g, rows, last) * npe_result_words(g);
    return 4 * (words - (group_beats(g, group_rows(g, rows, last)) - 1) * w32);
}

void npe_unpack_results(const npe_geom *g, const uint8_t *beats, int rows, wide *acc,
                        uint32_t *status) {
    int rw = npe_result_words(g), aw = rw - 1;
    size_t bpb = (size_t)g->stream_w / 8;
    const uint8_t *grp_base = beats;
    for (int grp = 0; grp * g->lanes < rows; grp++) {
        int nr = group_rows(g, rows, grp);
        for (int l = 0; l < nr; l++) {
            int r = grp * g->lanes + l;
            uint32_t row[WIDE_LIMBS * 2 + 1];
            for (int k = 0; k < rw; k++) {
                const uint8_t *b = grp_base + 4 * ((size_t)l * (size_t)rw + (size_t)k);
                row[k < aw ? (k < 2 * WIDE_LIMBS ? k : 2 * WIDE_LIMBS - 1) : 2 * WIDE_LIMBS] =
                    (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                    (uint32_t)b[3] << 24;
            }
            /* sign-extend from the top accumulator word */
            int top = aw < 2 * WIDE_LIMBS ? aw : 2 * WIDE_LIMBS;
            wide v = wide_from_i64((int32_t)row[top - 1] < 0 ? -1 : 0);
            for (int i = 0; i < top; i++) {
                uint64_t m = (uint64_t)0xFFFFFFFFu << (32 * (i % 2));
                v.w[i / 2] = (v.w[i / 2] & ~m) | ((uint64_t)row[i] << (32 * (i % 2)));
            }
            acc[r] = v;
            status[r] = row[2 * WIDE_LIMBS];
        }
        grp_base += (size_t)group_beats(g, nr) * bpb;
    }
}

int npe_job_timing(const npe_geom *g, const npe_job *j, npe_timing *t) {
    layout l;
    memset(t, 0, sizeof *t);
    if (!plan(g, j, &l) || g->latency < 1 || g->result_depth < 1)
        return -1;
    const int Q = g->result_depth, D = g->latency;
    size_t pre = (size_t)l.act_beats + (size_t)l.act_scale_beats;
    t->beats_in = npe_job_beats(g, j);
    t->beats_out = npe_result_beats(g, j->rows);
    /* the input beat index of each group's last weight beat */
    size_t *gend = malloc((size_t)l.groups * sizeof *gend);
    if (!gend)
        return -1;
    for (int grp = 0, n = (int)pre; grp < l.groups; grp++) {
        n += wscale_beats_before(&l, grp) + l.nstep;
        gend[grp] = (size_t)n - 1;
    }
    /* Cycle 0 takes the first input beat.  A group's last weight beat needs
     * a free result slot (used < Q, as registered at the start of the
     * cycle); its results are in the result buffer from cycle a + D - 1 and
     * the output register loads one beat per cycle from there (sent in the
     * next cycle, TREADY being high); loading a group's last beat frees its
     * slot from the next cycle on. */
    uint64_t *land = malloc((size_t)l.groups * sizeof *land);
    if (!land) {
        free(gend);
        return -1;
    }
    for (int i = 0; i < l.groups; i++)
        land[i] = UINT64_MAX; /* not accepted yet */
    size_t next_in = 0;
    int landed_grp = 0, out_grp = 0, out_beat = 0, used = 0, in_grp = 0;
    uint64_t c = 0, last_sent = 0;
    while (out_grp < l.groups) {
        int alloc = 0, pop = 0;
        if (next_in < t->beats_in) {
            int needs_slot = in_grp < l.groups && next_in == gend[in_grp];
            if (!needs_slot || used < Q) {
                if (needs_slot) {
                    land[in_grp++] = c + (uint64_t)D - 1;
                    alloc = 1;
                }
                if (next_in + 1 == t->beats_in)
                    t->in_cycles = c + 1;
                next_in++;
            }
        }
        while (landed_grp < l.groups && land[landed_grp] <= c)
            landed_grp++;
        if (out_grp < landed_grp) { /* load a beat now, sent in cycle c + 1 */
            last_sent = c + 1;
            if (++out_beat == group_beats(g, group_rows(g, j->rows, out_grp))) {
                out_beat = 0;
                out_grp++;
                pop = 1;
            }
        }
        used += alloc - pop;
        c++;
    }
    free(land);
    free(gend);
    t->cycles = last_sent + 1;
    double wbits = (double)j->rows * j->cols * bits_of(j->wf);
    if (l.mxw)
        wbits += 8.0 * j->rows * l.nblk;
    t->bound = wbits / g->stream_w;
    return 0;
}
