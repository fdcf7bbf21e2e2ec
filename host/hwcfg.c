/* host/hwcfg.c - see hwcfg.h. */
#include "hwcfg.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

void hwcfg_params_path(const char *config, char *path, size_t n) {
    size_t len = strlen(config);
    if (strchr(config, '/') || (len > 2 && strcmp(config + len - 2, ".h") == 0))
        snprintf(path, n, "%s", config);
    else
        snprintf(path, n, "build/rtl/%s/%s_params.h", config, config);
}

/* ------------------------------------------------------------ header parsing */

/* The "#define NPE_<NAME> <integer>" lines of a generated header.  Values
 * are integers, possibly in parentheses, hex, with a u suffix. */
typedef struct {
    char name[64];
    long long value;
} macro;

typedef struct {
    macro *m;
    int n, cap;
    char cfg_name[64];
} macro_table;

static int parse_int(const char *s, long long *v) {
    while (*s == ' ' || *s == '\t' || *s == '(')
        s++;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 0);
    if (errno || end == s)
        return -1;
    while (*end == 'u' || *end == 'U' || *end == 'l' || *end == 'L')
        end++;
    while (*end == ')' || *end == ' ' || *end == '\t')
        end++;
    if (*end && *end != '\n' && strncmp(end, "/*", 2) != 0)
        return -1;
    *v = x;
    return 0;
}

static int read_macros(const char *path, macro_table *t, char *err, size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f)
        return fail(err, errlen,
                    "cannot open the configuration header %s: %s (generate it with `make rtl`, "
                    "or give --config the name of a configuration in rtl_gen/configs/)",
                    path, strerror(errno));
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "#define NPE_", 12) != 0)
            continue;
        char *name = line + 8, *sp = name;
        while (*sp && !isspace((unsigned char)*sp))
            sp++;
        if (!*sp)
            continue;
        *sp = '\0';
        const char *val = sp + 1;
        while (*val == ' ' || *val == '\t')
            val++;
        if (strcmp(name, "NPE_CONFIG_NAME") == 0 && *val == '"') {
            const char *q = strchr(val + 1, '"');
            if (q)
                snprintf(t->cfg_name, sizeof t->cfg_name, "%.*s", (int)(q - val - 1), val + 1);
            continue;
        }
        long long v;
        if (parse_int(val, &v))
            continue; /* strings and expressions (e.g. NPE_PROBE_SIG_W NPE_SIG_W) */
        if (t->n == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 256;
            macro *nm = realloc(t->m, (size_t)t->cap * sizeof *nm);
            if (!nm) {
                fclose(f);
                return fail(err, errlen, "out of memory reading %s", path);
            }
            t->m = nm;
        }
        snprintf(t->m[t->n].name, sizeof t->m[t->n].name, "%.63s", name);
        t->m[t->n++].value = v;
    }
    fclose(f);
    return 0;
}

static const macro *find(const macro_table *t, const char *name) {
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->m[i].name, name) == 0)
            return &t->m[i];
    return NULL;
}

static int need(const macro_table *t, const char *path, const char *name, long long lo,
                long long hi, long long *v, char *err, size_t errlen) {
    const macro *m = find(t, name);
    if (!m)
        return fail(err, errlen,
                    "%s: no integer #define %s: not a header of this rtl_gen, or stale "
                    "(regenerate with `make rtl`)",
                    path, name);
    if (m->value < lo || m->value > hi)
        return fail(err, errlen, "%s: %s = %lld is out of range %lld..%lld", path, name,
                    m->value, lo, hi);
    *v = m->value;
    return 0;
}

/* The pair rule of docs/protocol.md section 1: an OVP format (pairs of
 * adjacent fields) never pairs with a 16-bit one (a pair would straddle
 * 16-bit units). */
static int rule_pair(fmt_id w, fmt_id a) {
    const fmt_traits *tw = fmt_get(w), *ta = fmt_get(a);
    return !((tw->family == FAM_OVP && ta->bits == 16) || (ta->family == FAM_OVP && tw->bits == 16));
}

int hwcfg_load_params(const char *config, npe_hwcfg *c, char *err, size_t errlen) {
    char path[1024];
    hwcfg_params_path(config, path, sizeof path);
    memset(c, 0, sizeof *c);
    macro_table t = {0};
    int rc = -1;
    if (read_macros(path, &t, err, errlen))
        goto out;
    long long lanes, sw, j, kmax, accw, lsb, wm, am, fh, kl = 0;
    if (need(&t, path, "NPE_LANES", 1, 255, &lanes, err, errlen) ||
        need(&t, path, "NPE_STREAM_W", 16, 4096, &sw, err, errlen) ||
        need(&t, path, "NPE_J", 1, 255, &j, err, errlen) ||
        need(&t, path, "NPE_K_MAX", 1, 1 << 24, &kmax, err, errlen) ||
        need(&t, path, "NPE_ACC_W", 2, 248, &accw, err, errlen) ||
        need(&t, path, "NPE_ACC_LSB", -150, 150, &lsb, err, errlen) ||
        need(&t, path, "NPE_WFMT_MASK", 1, (1ll << FMT_COUNT) - 1, &wm, err, errlen) ||
        need(&t, path, "NPE_AFMT_MASK", 1, (1ll << FMT_COUNT) - 1, &am, err, errlen) ||
        need(&t, path, "NPE_OVP_FIRST_HIGH", 0, 1, &fh, err, errlen))
        goto out;
    if (find(&t, "NPE_OVP_KEEP_LEFT") &&
        need(&t, path, "NPE_OVP_KEEP_LEFT", 0, 1, &kl, err, errlen))
        goto out;
    /* The co-processor's timing (headers of the engine alone lack it). */
    long long lat = 0, depth = 0;
    if (find(&t, "NPE_COPROC_LATENCY") &&
        need(&t, path, "NPE_COPROC_LATENCY", 0, 255, &lat, err, errlen))
        goto out;
    if (find(&t, "NPE_RESULT_DEPTH") &&
        need(&t, path, "NPE_RESULT_DEPTH", 0, 15, &depth, err, errlen))
        goto out;
    if (sw != 16 * j * lanes) {
        fail(err, errlen, "%s: NPE_STREAM_W %lld != 16 * NPE_J %lld * NPE_LANES %lld", path, sw,
             j, lanes);
        goto out;
    }
    snprintf(c->name, sizeof c->name, "%s", t.cfg_name[0] ? t.cfg_name : config);
    c->geom = (npe_geom){.stream_w = (int)sw, .lanes = (int)lanes, .units = (int)j,
                         .acc_w = (int)accw, .ovp_first_high = (int)fh, .latency = (int)lat,
                         .result_depth = (int)depth};
    c->acc_lsb = (int)lsb;
    c->k_max = (int)kmax;
    c->wfmts = (fmt_mask)wm;
    c->afmts = (fmt_mask)am;
    c->ovp_keep_left = (int)kl;
    /* Pair masks: NPE_FMT_<ID> gives the id, NPE_PAIR_MASK_<ID> its partners;
     * a header without them (older generator) gets the protocol's rule. */
    for (int w = 0; w < FMT_COUNT; w++) {
        if (!(c->wfmts & FMT_BIT(w)))
            continue;
        for (int a = 0; a < FMT_COUNT; a++)
            if ((c->afmts & FMT_BIT(a)) && rule_pair((fmt_id)w, (fmt_id)a))
                c->pairs[w] |= FMT_BIT(a);
    }
    for (int i = 0; i < t.n; i++) {
        const char *id = t.m[i].name + 8; /* after "NPE_FMT_" */
        if (strncmp(t.m[i].name, "NPE_FMT_", 8) != 0 || strchr(id, '_'))
            continue;
        long long fid = t.m[i].value;
        char pm[96];
        snprintf(pm, sizeof pm, "NPE_PAIR_MASK_%s", id);
        const macro *p = find(&t, pm);
        if (p && fid >= 0 && fid < FMT_COUNT)
            c->pairs[fid] = (fmt_mask)p->value & c->afmts;
    }
    rc = 0;
out:
    free(t.m);
    return rc;
}

int hwcfg_from_caps(const uint32_t cap[6], npe_hwcfg *c, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "device");
    uint32_t all = (uint32_t)((1ull << FMT_COUNT) - 1);
    c->wfmts = cap[0] & all;
    c->afmts = cap[1] & all;
    int lanes = (int)(cap[2] & 0xFF), j = (int)((cap[2] >> 8) & 0xFF),
        sw = (int)(cap[2] >> 16);
    int accw = (int)(cap[3] & 0xFFFF), lsb = (int)(int16_t)(cap[3] >> 16);
    int rw = (int)(cap[5] & 0xFF);
    if (!c->wfmts || !c->afmts)
        return fail(err, errlen, "CAP_WFMT 0x%x / CAP_AFMT 0x%x: no known format enabled",
                    cap[0], cap[1]);
    if (!lanes || !j || sw != 16 * j * lanes)
        return fail(err, errlen, "CAP_GEOM 0x%08x: LANES %d, J %d, STREAM_W %d are inconsistent",
                    cap[2], lanes, j, sw);
    if (accw < 2 || accw > 248)
        return fail(err, errlen, "CAP_ACC 0x%08x: ACC_W %d out of range", cap[3], accw);
    if (rw != (accw + 31) / 32 + 1)
        return fail(err, errlen, "CAP_MISC 0x%08x: RW %d, expected ceil(ACC_W/32)+1 = %d",
                    cap[5], rw, (accw + 31) / 32 + 1);
    if (cap[4] < 1 || cap[4] > (1u << 24))
        return fail(err, errlen, "CAP_KMAX %u out of range", cap[4]);
    c->geom = (npe_geom){.stream_w = sw, .lanes = lanes, .units = j, .acc_w = accw,
                         .ovp_first_high = (int)((cap[5] >> 16) & 1),
                         .latency = (int)((cap[5] >> 8) & 0xFF),
                         .result_depth = (int)((cap[5] >> 24) & 0xF)};
    c->acc_lsb = lsb;
    c->k_max = (int)cap[4];
    for (int w = 0; w < FMT_COUNT; w++)
        for (int a = 0; a < FMT_COUNT; a++)
            if ((c->wfmts & FMT_BIT(w)) && (c->afmts & FMT_BIT(a)) &&
                rule_pair((fmt_id)w, (fmt_id)a))
                c->pairs[w] |= FMT_BIT(a);
    return 0;
}

int hwcfg_check_same(const npe_hwcfg *p, const npe_hwcfg *d, char *err, size_t errlen) {
    const struct {
        const char *what;
        long long a, b;
    } f[] = {
        {"STREAM_W", p->geom.stream_w, d->geom.stream_w}, {"LANES", p->geom.lanes, d->geom.lanes},
        {"J", p->geom.units, d->geom.units},              {"ACC_W", p->geom.acc_w, d->geom.acc_w},
        {"ACC_LSB", p->acc_lsb, d->acc_lsb},              {"K_MAX", p->k_max, d->k_max},
        {"weight formats", p->wfmts, d->wfmts},           {"activation formats", p->afmts, d->afmts},
        {"OVP first-high", p->geom.ovp_first_high, d->geom.ovp_first_high},
        {"COPROC_LATENCY", p->geom.latency, d->geom.latency},
        {"RESULT_DEPTH", p->geom.result_depth, d->geom.result_depth},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (f[i].a != f[i].b)
            return fail(err, errlen,
                        "the device is not configuration '%s': %s is %lld in its header, %lld on "
                        "the device (CAP registers)",
                        p->name, f[i].what, f[i].a, f[i].b);
    for (int w = 0; w < FMT_COUNT; w++)
        if (p->pairs[w] != d->pairs[w])
            return fail(err, errlen,
                        "the device is not configuration '%s': the %s weight pairs differ "
                        "(0x%x in the header, 0x%x from the CAP registers)",
                        p->name, fmt_get((fmt_id)w)->name, p->pairs[w], d->pairs[w]);
    return 0;
}

int hwcfg_pair_ok(const npe_hwcfg *c, fmt_id wf, fmt_id af, char *why, size_t n) {
    if (!(c->wfmts & FMT_BIT(wf))) {
        snprintf(why, n, "configuration '%s' has no %s weights", c->name, fmt_get(wf)->name);
        return 0;
    }
    if (!(c->afmts & FMT_BIT(af))) {
        snprintf(why, n, "configuration '%s' has no %s activations", c->name, fmt_get(af)->name);
        return 0;
    }
    if (!(c->pairs[wf] & FMT_BIT(af))) {
        snprintf(why, n,
                 "configuration '%s' does not compute %s x %s (an OVP format never pairs with a "
                 "16-bit one, docs/protocol.md section 1)",
                 c->name, fmt_get(wf)->name, fmt_get(af)->name);
        return 0;
    }
    return 1;
}

engine_cfg hwcfg_engine(const npe_hwcfg *c) {
    return (engine_cfg){.acc_w = c->geom.acc_w, .acc_lsb = c->acc_lsb, .k_max = c->k_max,
                        .subunits = c->geom.units};
}

void hwcfg_describe(const npe_hwcfg *c, char *out, size_t n) {
    snprintf(out, n, "%s: %d lanes x %d-bit stream (J %d), ACC %d bits, LSB 2^%d, K_MAX %d",
             c->name, c->geom.lanes, c->geom.stream_w, c->geom.units, c->geom.acc_w, c->acc_lsb,
             c->k_max);
}
