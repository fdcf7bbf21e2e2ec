/*
 * rtl_gen/arch.h - the engine's structure derived from a configuration:
 * which decoders exist and where they read their codes, which product slots
 * exist and how wide every datapath signal is.  Computed once (arch.c) so
 * that every emitter, the C header and the manifest print the same numbers;
 * the emitters only print.
 */
#ifndef RTL_GEN_ARCH_H
#define RTL_GEN_ARCH_H

#include "config.h"

#define SIDE_W 0 /* weights     */
#define SIDE_A 1 /* activations */
#define NSLOTS 4 /* product slots of a 16-bit unit: 4 x 4-bit, 2 x 8-bit, 1 x 16-bit */
#define MAX_INST 64
#define MAX_TERMS 32

/* Element widths E of a format pair, as a bit mask: bit 0 = 4, 1 = 8, 2 = 16. */
#define EBIT(e) ((e) == 4 ? 1u : (e) == 8 ? 2u : 4u)
#define E_OF_BIT(b) (4 << (b))

/* A decoder module: enabled formats whose codes decode identically (FP4 and
 * MXFP4 differ only in their block scale) share one. */
typedef struct {
    const char *fmtname;  /* representative format's name, e.g. "posit16_1"      */
    const char *mod;      /* module name, e.g. "npe_dec_posit16_1"               */
    fmt_id fmt;           /* representative format (first in registry order)     */
    fmt_mask fmts;        /* every enabled format it decodes                     */
    fmt_mask side_fmts[2];/* ... per side (weights, activations)                 */
    unsigned e_reach[2];  /* element widths E it meets per side (EBIT mask)      */
    fmt_family fam;
    int bits;             /* code width                                          */
    int pair;             /* OVP: decodes a pair of codes                        */
    int sig_w;            /* out_sig width (kernels_ref sig_bits)                */
    int exp_lo, exp_hi;   /* exponent range, 0 included (canonical zero)         */
    int expb_w;           /* out_expb = exp - exp_lo width; 0 = constant exponent */
    int nar;              /* has out_nar (posits)                                */
} dec_group;

/* One decoder instance inside the unit. */
typedef struct {
    int side, group;
    int pair_e;           /* pair decoders: their element width E; 0 = one code   */
    int off[2];           /* bit offsets in the 16-bit field: the code, or the
                             codes of elements 2k and 2k+1 (nibble order applied) */
    unsigned emask;       /* element widths for which its outputs are used       */
    const char *stem;     /* instance / wire name stem, e.g. "w_int4_p8"         */
} dec_inst;

/* One operand source of a slot: used when the side's format is in the
 * instance's group and the pair's element width is one of ebits. */
typedef struct {
    int inst;             /* dec_inst index                                      */
    int elem;             /* pair decoders: element 0 or 1                       */
    unsigned ebits;       /* EBIT mask of the element widths it serves          */
} slot_term;

/* A view of a slot: the products of the pairs of one element-width class
 * (VIEW_N: E <= 8; VIEW_W: E = 16, slot 0 only, when both classes exist),
 * aligned and summed at widths from their true bounds (docs/architecture.md
 * section 3). */
#define VIEW_N 0
#define VIEW_W 1
typedef struct {
    int present;
    int mw;               /* product bits the view uses: m[mw-1:0]             */
    int lo, hi;           /* product exponent range; t's LSB weighs 2^lo       */
    int c;                /* lo - slot emin: the view's shift is sh - c        */
    int rb;               /* its width                                         */
    int tw;               /* |t| < 2^tw, t = m << (e - lo) (from max|w|*max|a|) */
    int mx;               /* an MX pair uses it                                */
    int n_lsb, n_drop;    /* non-MX value: LSB (log2), bits floored away (INEXACT) */
    int n_clamp;          /* ... it can exceed the accumulator (OVERFLOW)      */
    int n_w;              /* ... its width (signed)                            */
    int b_sep;            /* the MX value differs: exact at b_lsb, unclamped   */
    int b_lsb, b_drop, b_w;
    int pw;               /* width of the slot's value at the view's base      */
} slot_view;

typedef struct {
    int present;
    slot_term term[2][MAX_TERMS];
    int nterm[2];
    int sig_w[2];         /* operand significand widths                          */
    int exp_lo[2], exp_hi[2]; /* operand exponent ranges                         */
    int expo_w[2];        /* width of exp - exp_lo per operand                   */
    int mw;               /* multiplier product width                            */
    int rb;               /* width of the registered shift amount (the widest
                             view's: each view reads sh mod 2^rb)               */
    int emin;             /* weight (log2) of the product's LSB at shift 0       */
    slot_view v[2];       /* VIEW_N, VIEW_W                                      */
} slot_plan;

/* The AXI co-processor around the engine (docs/protocol.md): stream
 * layout counts and buffer sizes, derived once for the emitters and the
 * header.  "Element" counters run over a row's padded length (an OVP row
 * of odd K carries K+1 codes). */
typedef struct {
    int w32;          /* 32-bit words per stream beat: STREAM_W / 32            */
    int rw;           /* result words per row: ceil(ACC_W/32) + 1 (status)     */
    int group_beats;  /* result beats of a full row group: ceil(L*RW / w32)    */
    int depth;        /* RESULT_DEPTH: row groups the result buffer holds      */
    int latency;      /* COPROC_LATENCY: last weight beat -> first result beat */
    int nstep_max;    /* most steps of one row over the supported pairs        */
    int act_entries;  /* activation bank entries (beats): ceil(nstep_max / L)  */
    int act_aw;       /* their address width                                   */
    int nblk_max;     /* MX blocks of a K_MAX row: ceil(K_MAX / 32)            */
    int mx_w, mx_a;   /* an MX weight / activation format is enabled           */
    int wsc_entries;  /* weight-scale buffer beats: ceil(nblk_max / (2J))      */
    int asc_entries;  /* activation-scale bank beats: ceil(nblk_max / (W/8))   */
    int ew;           /* element counter width (K_MAX + 1 + W fits)            */
    int bw;           /* scale byte counter width (L*nblk_max + W/8 fits)      */
    int ovp_any;      /* an OVP format is enabled (odd rows carry a pad code)  */
} coproc_plan;

typedef struct {
    const rtl_cfg *cfg;
    const char *mod_unit, *mod_lane, *mod_engine, *mod_probe; /* module names */
    const char *mod_coproc;                                   /* the AXI top  */
    coproc_plan cp;
    dec_group grp[FMT_COUNT];
    int ngrp;
    dec_inst inst[MAX_INST];
    int ninst;
    slot_plan slot[NSLOTS];
    int nslots;            /* slots 0..nslots-1 exist                            */
    unsigned e_reach;      /* element widths of the supported pairs              */
    fmt_mask pair_ok[FMT_COUNT]; /* weight format -> activation formats it pairs with */
    unsigned used[2];      /* bits of a unit's 16-bit field some decoder reads   */
    int has_mx;            /* an MX (block-scaled) format is enabled             */
    fmt_mask mx_fmts[2];   /* MX formats per side                                */
    int mx_block;          /* elements per block scale (32)                      */
    int l_mx;              /* smallest product bit of any MX pair (log2)         */
    int blk_lsb;           /* LSB of MX products and block sums (log2)           */
    int k;                 /* ACC_LSB - BLK_LSB >= 0                             */
    int split;             /* slot 0 has a VIEW_W beside VIEW_N (the unit picks
                              one by the registered E = 16 bit)                   */
    int vbase[2];          /* LSB (log2) of each view's slot sum                 */
    int vsum_w[2];         /* its width                                          */
    int unit_mx;           /* the unit needs the MX mode bit                     */
    int unit_inexact;      /* a product can drop bits                            */
    int unit_overflow;     /* a product can saturate                             */
    int unit_w;            /* unit product-sum width (units of 2^BLK_LSB)        */
    int sum_w;             /* lane step-sum width (units of 2^BLK_LSB)           */
    int mxb_w;             /* exact MX block-sum width                           */
    int blk_w;             /* block register width                               */
    int sc_lo, sc_hi;      /* scale shift window (log2 offsets)                  */
    int sc_off;            /* amt = ws + as + sc_off                             */
    int sc_amt_w;          /* width of the shift computation (no truncation)     */
    int sc_amt_rw;         /* width of the clipped amt that travels (0..sc_max_amt) */
    int sc_max_amt;        /* sc_hi - sc_lo                                      */
    int sc_x_w;            /* shifted block-sum width                            */
    int sc_ip_w, sc_frac;  /* its integer part width, dropped fraction bits      */
    int sc_clamp;          /* the scaled block sum can exceed the accumulator    */
    int sc_v_w;            /* scaled value width                                 */
    int x_w;               /* width of the value entering the accumulator        */
    int acc_add_w;         /* accumulator adder width                            */
    int latency;           /* register stages from lane input to out_valid       */
    int sig_w, exp_w;      /* common decoded widths (SIG_W, signed EXP_W)        */
    int exp_lo, exp_hi;    /* common exponent range                              */
    int flag_bit[4];       /* bit positions: inexact, overflow, nar, nan_scale   */
} arch;

/* Build the structure; 0, or -1 with a message (an internal inconsistency
 * between kernels_ref's traits and the RTL's decoder model). */
int arch_build(arch *a, const rtl_cfg *c, char *err, size_t n);
/* The co-processor part of the structure (arch_coproc.c); called by
 * arch_build once the engine is derived. */
void arch_coproc(arch *a);
/* Does pipeline stage s exist in this configuration? */
int arch_has_stage(const arch *a, pipe_stage s);
/* Is format f block-scaled (MX)? */
int fmt_is_mx(fmt_id f);

#endif
