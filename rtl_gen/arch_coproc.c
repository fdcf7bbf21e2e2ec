/*
 * rtl_gen/arch_coproc.c - the co-processor's derived numbers (coproc_plan
 * in arch.h): stream-layout counts and buffer sizes of docs/protocol.md,
 * computed once from the configuration and the engine's structure.
 */
#include "arch.h"
#include "emit.h"

static int div_up(int a, int b) { return (a + b - 1) / b; }
static int bits_of(fmt_id f) { return fmt_get(f)->bits; }
static int is_ovp(fmt_id f) { return fmt_get(f)->family == FAM_OVP; }

void arch_coproc(arch *a) {
    const rtl_cfg *c = a->cfg;
    coproc_plan *p = &a->cp;
    p->w32 = c->stream_w / 32;
    p->rw = div_up(c->acc_w, 32) + 1;
    p->group_beats = div_up(c->lanes * p->rw, p->w32);
    p->depth = c->result_depth;
    /* A row group's last weight beat is accepted in cycle a; the stage
     * register presents it to the engine in a+1 (the lane's edge 1 ends that
     * cycle), out_valid is high in a+1+LATENCY, the result buffer holds it
     * from a+2+LATENCY and the output register from a+3+LATENCY. */
    p->latency = a->latency + 3;
    /* Longest row in steps over the supported pairs: an OVP row of odd K
     * carries K+1 codes, so K_MAX-1 (odd) may need as many steps as K_MAX. */
    p->nstep_max = 1;
    for (int w = 0; w < FMT_COUNT; w++)
        for (int af = 0; af < FMT_COUNT; af++) {
            if (!(a->pair_ok[w] & FMT_BIT(af)))
                continue;
            int e = bits_of(w) > bits_of(af) ? bits_of(w) : bits_of(af);
            int s = c->j * (16 / e), pad = is_ovp(w) || is_ovp(af);
            for (int k = c->k_max; k >= 1 && k >= c->k_max - 1; k--) {
                int keff = k + (pad && (k & 1));
                if (div_up(keff, s) > p->nstep_max)
                    p->nstep_max = div_up(keff, s);
            }
        }
    p->act_entries = div_up(p->nstep_max, c->lanes);
    p->act_aw = imax(1, bits_for(p->act_entries - 1));
    p->nblk_max = div_up(c->k_max, 32);
    p->mx_w = p->mx_a = 0;
    p->ovp_any = 0;
    for (int f = 0; f < FMT_COUNT; f++) {
        if ((c->wfmts & FMT_BIT(f)) && fmt_is_mx((fmt_id)f))
            p->mx_w = 1;
        if ((c->afmts & FMT_BIT(f)) && fmt_is_mx((fmt_id)f))
            p->mx_a = 1;
        if (((c->wfmts | c->afmts) & FMT_BIT(f)) && is_ovp((fmt_id)f))
            p->ovp_any = 1;
    }
    /* A weight-scale beat holds W/8 = 2J*L bytes: 2J blocks of L lanes. */
    /* A set of row groups' weight scales is lcm(nblk, 2J) / (2J) beats
     * (protocol.md section 2): at most nblk_max beats (odd nblk). */
    p->wsc_entries = p->mx_w ? p->nblk_max : 0;
    p->asc_entries = p->mx_a ? div_up(p->nblk_max, c->stream_w / 8) : 0;
    p->ew = bits_for((long long)c->k_max + 1 + c->stream_w);
    p->bw = bits_for((long long)c->lanes * p->nblk_max + c->stream_w / 8);
}
