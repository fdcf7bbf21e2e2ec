/*
 * kernels_ref/formats.h - the number-format registry and its codecs.
 *
 * Every element code decodes to the common form of DESIGN.md section 3,
 *     value = (-1)^neg * sig * 2^exp        (sig an unsigned integer),
 * and the canonical (neg, exp, sig) triple of each code is part of the
 * contract: the generated RTL decoders must produce exactly these triples.
 * docs/numerics.md gives the per-format tables.
 */
#ifndef KREF_FORMATS_H
#define KREF_FORMATS_H

#include <stddef.h>
#include <stdint.h>

typedef enum { FAM_INT, FAM_FP4, FAM_POSIT, FAM_OVP } fmt_family;
typedef enum { OVP_NORMAL_NONE, OVP_NORMAL_INT, OVP_NORMAL_FLINT } ovp_normal;

typedef enum {
#define FMT(id, name, fam, bits, blk, es, on, mb, bias, src) FMT_##id,
#include "formats.def"
#undef FMT
    FMT_COUNT
} fmt_id;

/* Sticky status flags, shared by decoders, quantizers and the engine model.
 * The bit positions are the hardware's status bits (DESIGN.md section 4). */
enum {
    FLAG_INEXACT   = 1u << 0, /* accumulator dropped bits below its LSB      */
    FLAG_OVERFLOW  = 1u << 1, /* accumulator saturated                       */
    FLAG_NAR       = 1u << 2, /* a posit NaR operand was seen (used as 0)    */
    FLAG_NAN_SCALE = 1u << 3, /* an E8M0 scale 0xFF (NaN) was seen (block 0) */
};

/* One decoded element: value = (neg ? -1 : 1) * sig * 2^exp.
 * Zero is {0, 0, 0}; NaR decodes to zero with FLAG_NAR returned. */
typedef struct {
    int neg;      /* 0 or 1                                          */
    int exp;      /* power of two of sig's LSB                       */
    uint32_t sig; /* unsigned integer significand (hidden bit incl.) */
} decoded;

/* Static description of one format (one row of formats.def) plus numeric
 * facts derived once from its decoder by scanning every code. */
typedef struct {
    fmt_id id;
    const char *name;      /* "int4", "posit16_1", ...                      */
    fmt_family family;
    int bits;              /* element code width                            */
    int block;             /* E8M0 block size (OCP MX) or 0                  */
    int posit_es;          /* posit exponent bits                            */
    ovp_normal ovp_normal; /* OVP normal value type                          */
    int ovp_mbits;         /* OVP outlier mantissa bits                      */
    int ovp_bias;          /* OVP outlier exponent bias                      */
    const char *source;    /* specification of the value set                 */
    /* derived from the decoder (fmt_traits fills these on first use): */
    int sig_bits;          /* bits needed for the largest decoded sig        */
    int exp_min, exp_max;  /* range of exp over all nonzero decoded values   */
    int lsb_log2;          /* log2 of the smallest bit weight of any value   */
    int max_log2_ceil;     /* ceil(log2(largest magnitude))                   */
    double max_abs;        /* largest magnitude                              */
    double min_pos;        /* smallest positive magnitude                    */
} fmt_traits;

/* Registry access.  fmt_traits() never returns NULL for a valid id. */
const fmt_traits *fmt_get(fmt_id id);
/* Look a format up by name; returns -1 if unknown. */
int fmt_by_name(const char *name);
/* A comma-separated list of all format names (for help texts). */
const char *fmt_all_names(void);

/* Decode n element codes (OVP: n even, pairs (2k, 2k+1)).  Returns the OR of
 * the FLAG_* bits raised (FLAG_NAR for a posit NaR).  Codes must fit in
 * `bits`; a wider code is a caller bug and aborts. */
unsigned fmt_decode_vec(fmt_id id, const uint16_t *codes, size_t n, decoded *out);
/* Decode a single code of a non-OVP format. */
unsigned fmt_decode(fmt_id id, uint16_t code, decoded *out);
/* decoded -> double (exact for every format here). */
double decoded_to_double(decoded d);

/* Scalar quantization (not OVP, whose codes exist only in pairs): round to
 * nearest, ties to even, saturating; see each family's rules in
 * docs/numerics.md.  NaN becomes NaR for posits and 0 elsewhere, with
 * FLAG_NAR/none reported through *flags (may be NULL). */
uint16_t fmt_quantize(fmt_id id, double x, unsigned *flags);

/* --- family codecs (one file each), called through the registry --- */
unsigned int_decode(const fmt_traits *t, uint16_t code, decoded *out);
uint16_t int_quantize(const fmt_traits *t, double x);

unsigned fp4_decode(uint16_t code, decoded *out);
uint16_t fp4_quantize(double x);
/* E8M0 block scale (OCP MX v1.0 sec. 5.4.1): 2^(code-127); 0xFF = NaN. */
#define E8M0_BIAS 127
#define E8M0_NAN 0xFF

unsigned posit_decode(int n, int es, uint32_t code, decoded *out);
uint32_t posit_quantize(int n, int es, double x, unsigned *flags);

/* OVP (OliVe outlier-victim pairs). */
typedef enum { OVP_KEEP_LARGER, OVP_KEEP_LEFT } ovp_policy;
typedef enum { OVP_FIRST_HIGH, OVP_FIRST_LOW } ovp_nibble_order;
unsigned ovp_decode_pair(const fmt_traits *t, uint16_t c0, uint16_t c1,
                         decoded *d0, decoded *d1);
void ovp_quantize_pair(const fmt_traits *t, double x0, double x1, ovp_policy p,
                       uint16_t *c0, uint16_t *c1);
/* Byte packing of codes (nibble order) is quant_pack_codes() in quant.h. */
/* The victim marker: 1000 (0x8) for 4-bit, 0x80 for 8-bit codes. */
static inline uint16_t ovp_victim_code(const fmt_traits *t) {
    return (uint16_t)(1u << (t->bits - 1));
}

#endif
