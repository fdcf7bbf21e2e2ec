/*
 * kernels_ref/formats.c - the registry: expands formats.def into the traits
 * table, dispatches to the family codecs, and derives each format's numeric
 * facts (significand width, exponent range, ...) by scanning its decoder, so
 * those facts are never written down twice.
 */
#include "formats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fmt_traits table[FMT_COUNT] = {
#define FMT(id_, name_, fam_, bits_, blk_, es_, on_, mb_, bias_, src_)                   \
    {.id = FMT_##id_, .name = name_, .family = fam_, .bits = bits_, .block = blk_,        \
     .posit_es = es_, .ovp_normal = on_, .ovp_mbits = mb_, .ovp_bias = bias_, .source = src_},
#include "formats.def"
#undef FMT
};
static int derived[FMT_COUNT];

static int bits_for(uint64_t v) {
    int b = 0;
    while (v) {
        b++;
        v >>= 1;
    }
    return b;
}

static void note_value(fmt_traits *t, decoded d, int *any) {
    if (d.sig == 0)
        return;
    int sb = bits_for(d.sig);
    if (sb > t->sig_bits)
        t->sig_bits = sb;
    int tz = 0;
    while (!((d.sig >> tz) & 1))
        tz++;
    double v = ldexp((double)d.sig, d.exp);
    if (!*any) {
        t->exp_min = t->exp_max = d.exp;
        t->lsb_log2 = d.exp + tz;
        t->max_abs = t->min_pos = v;
        *any = 1;
    }
    if (d.exp < t->exp_min)
        t->exp_min = d.exp;
    if (d.exp > t->exp_max)
        t->exp_max = d.exp;
    if (d.exp + tz < t->lsb_log2)
        t->lsb_log2 = d.exp + tz;
    if (v > t->max_abs)
        t->max_abs = v;
    if (v < t->min_pos)
        t->min_pos = v;
}

static void derive(fmt_traits *t) {
    int any = 0;
    uint32_t ncodes = 1u << t->bits;
    if (t->family == FAM_OVP) {
        /* every pair: outliers only exist next to a victim */
        for (uint32_t c0 = 0; c0 < ncodes; c0++)
            for (uint32_t c1 = 0; c1 < ncodes; c1++) {
                decoded d0, d1;
                ovp_decode_pair(t, (uint16_t)c0, (uint16_t)c1, &d0, &d1);
                note_value(t, d0, &any);
                note_value(t, d1, &any);
            }
    } else {
        for (uint32_t c = 0; c < ncodes; c++) {
            decoded d;
            fmt_decode(t->id, (uint16_t)c, &d);
            note_value(t, d, &any);
        }
    }
    t->max_log2_ceil = (int)ceil(log2(t->max_abs));
}

const fmt_traits *fmt_get(fmt_id id) {
    if ((unsigned)id >= FMT_COUNT) {
        fprintf(stderr, "kernels_ref: format id %d out of range\n", (int)id);
        abort();
    }
    if (!derived[id]) {
        derived[id] = 1; /* set first: derive() decodes through fmt_get */
        derive(&table[id]);
    }
    return &table[id];
}

int fmt_by_name(const char *name) {
    for (int i = 0; i < FMT_COUNT; i++)
        if (strcmp(table[i].name, name) == 0)
            return i;
    return -1;
}

const char *fmt_all_names(void) {
    static char buf[256];
    if (!buf[0])
        for (int i = 0; i < FMT_COUNT; i++) {
            if (i)
                strcat(buf, ",");
            strcat(buf, table[i].name);
        }
    return buf;
}

static void check_code(const fmt_traits *t, uint16_t code) {
    if (code >> t->bits) {
        fprintf(stderr, "kernels_ref: code 0x%x does not fit format %s (%d bits)\n", code,
                t->name, t->bits);
        abort();
    }
}

unsigned fmt_decode(fmt_id id, uint16_t code, decoded *out) {
    const fmt_traits *t = &table[id];
    check_code(t, code);
    switch (t->family) {
    case FAM_INT:
        return int_decode(t, code, out);
    case FAM_FP4:
        return fp4_decode(code, out);
    case FAM_POSIT:
        return posit_decode(t->bits, t->posit_es, code, out);
    case FAM_OVP:
        break;
    }
    fprintf(stderr, "kernels_ref: %s codes decode only in pairs (fmt_decode_vec)\n", t->name);
    abort();
}

unsigned fmt_decode_vec(fmt_id id, const uint16_t *codes, size_t n, decoded *out) {
    const fmt_traits *t = &table[id];
    unsigned flags = 0;
    if (t->family != FAM_OVP) {
        for (size_t i = 0; i < n; i++)
            flags |= fmt_decode(id, codes[i], &out[i]);
        return flags;
    }
    if (n % 2) {
        fprintf(stderr, "kernels_ref: %s needs an even element count, got %zu\n", t->name, n);
        abort();
    }
    for (size_t i = 0; i < n; i += 2) {
        check_code(t, codes[i]);
        check_code(t, codes[i + 1]);
        flags |= ovp_decode_pair(t, codes[i], codes[i + 1], &out[i], &out[i + 1]);
    }
    return flags;
}

double decoded_to_double(decoded d) {
    double v = ldexp((double)d.sig, d.exp);
    return d.neg ? -v : v;
}

uint16_t fmt_quantize(fmt_id id, double x, unsigned *flags) {
    const fmt_traits *t = &table[id];
    unsigned f = 0;
    uint16_t c = 0;
    switch (t->family) {
    case FAM_INT:
        c = int_quantize(t, x);
        break;
    case FAM_FP4:
        c = fp4_quantize(x);
        break;
    case FAM_POSIT:
        c = (uint16_t)posit_quantize(t->bits, t->posit_es, x, &f);
        break;
    case FAM_OVP:
        fprintf(stderr, "kernels_ref: %s quantizes only in pairs (ovp_quantize_pair)\n",
                t->name);
        abort();
    }
    if (flags)
        *flags |= f;
    return c;
}
