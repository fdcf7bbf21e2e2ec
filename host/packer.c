/* host/packer.c - see packer.h; the layout is docs/protocol.md's. */
#include "packer.h"

#include <stdio.h>
#include <string.h>

#define MX_BLOCK 32 /* OCP MX v1.0: elements per E8M0 scale */

static int bits_of(fmt_id f) { return fmt_get(f)->bits; }
static int is_ovp(fmt_id f) { return fmt_get(f)->family == FAM_OVP; }
static int is_mx(fmt_id f) { return fmt_get(f)->block > 0; }
static int div_up(int a, int b) { return (a + b - 1) / b; }

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
    int act_beats, act_scale_beats, w_scale_beats;
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
    l->w_scale_beats =
        is_mx(j->wf) && j->scales_inline ? div_up(g->lanes * l->nblk, l->bytes_per_beat) : 0;
    return 1;
}

size_t npe_job_beats(const npe_geom *g, const npe_job *j) {
    layout l;
    if (!plan(g, j, &l))
        return 0;
    return (size_t)l.act_beats + (size_t)l.act_scale_beats +
           (size_t)l.groups * (size_t)(l.w_scale_beats + l.nstep);
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
    /* 3. per row group: weight scales (byte blk * L + lane), then NSTEP beats */
    for (int grp = 0; grp < l.groups; grp++) {
        if (l.w_scale_beats) {
            for (int blk = 0; blk < l.nblk; blk++)
                for (int ln = 0; ln < g->lanes; ln++) {
                    int r = grp * g->lanes + ln;
                    b[blk * g->lanes + ln] =
                        r < j->rows ? j->wscale[(size_t)r * (size_t)l.nblk + (size_t)blk]
                                    : E8M0_BIAS; /* absent row: 2^0 */
                }
            b += (size_t)l.w_scale_beats * bpb;
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

void npe_unpack_results(const npe_geom *g, const uint32_t *words, int rows, wide *acc,
                        uint32_t *status) {
    int rw = npe_result_words(g), aw = rw - 1;
    for (int r = 0; r < rows; r++) {
        const uint32_t *row = words + (size_t)r * (size_t)rw;
        /* sign-extend from the top word */
        wide v = wide_from_i64((int32_t)row[aw - 1] < 0 ? -1 : 0);
        for (int i = 0; i < aw && i < 2 * WIDE_LIMBS; i++) {
            uint64_t m = (uint64_t)0xFFFFFFFFu << (32 * (i % 2));
            v.w[i / 2] = (v.w[i / 2] & ~m) | ((uint64_t)row[i] << (32 * (i % 2)));
        }
        acc[r] = v;
        status[r] = row[aw];
    }
}
