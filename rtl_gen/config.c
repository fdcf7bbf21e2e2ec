/*
 * rtl_gen/config.c - parameters: one table drives the command line, the
 * config files and --help; cfg_finish() checks every rule and derives the
 * defaults (ACC_W/ACC_LSB from kernels_ref's engine_default_acc, so the
 * generator and the reference model describe one machine).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *key;   /* long option / config-file key                  */
    const char *arg;   /* metavariable of the value, NULL for no value   */
    const char *range; /* legal values                                   */
    const char *def;   /* default                                        */
    const char *help;  /* what it does                                   */
} option;

static const option options[] = {
    {"config", "FILE", "a readable file", "none",
     "read `key = value` lines (keys: the long options below, # comments); command-line "
     "options override the file"},
    {"name", "NAME", "[A-Za-z_][A-Za-z0-9_]*, at most 47 characters",
     "the config file's base name, else \"npe\"", "configuration name: output directory and file names"},
    {"out", "DIR", "a directory path", "build/rtl/<name>",
     "output directory (not part of the design: it is left out of the stamped command line)"},
    {"prefix", "PFX", "[A-Za-z_][A-Za-z0-9_]*, at most 23 characters, or empty", "npe_",
     "module name prefix (two configurations with different prefixes can live in one design); "
     "the C header's macros use it upper-cased"},
    {"lanes", "N", "1..64", "4", "MAC lanes; each owns an accumulator, all share the activations"},
    {"stream-width", "BITS", "64..512, a multiple of 16*lanes", "64",
     "weight bits per cycle; J = stream-width/(16*lanes) 16-bit MAC units per lane"},
    {"wfmts", "LIST", "comma list of format names, or \"all\"", "all",
     "enabled weight formats (formats: see below)"},
    {"afmts", "LIST", "comma list of format names, or \"all\"", "all",
     "enabled activation formats"},
    {"k-max", "K", "1..65536", "4096", "longest dot product (row length) the engine accepts"},
    {"acc-w", "BITS", "2..248", "derived: exact for K_MAX products of every enabled pair",
     "accumulator width; narrower accumulators saturate (OVERFLOW flag)"},
    {"acc-lsb", "E", "-150..150", "derived: the smallest product bit of any enabled pair",
     "log2 of the accumulator LSB weight; bits below it are dropped (INEXACT flag)"},
    {"ovp-nibble-order", "ORDER", "first-low | first-high", "first-low",
     "which field of an OVP pair holds element 2k (first-high: the upper one, as in OliVe "
     "Figure 1)"},
    {"ovp-policy", "POLICY", "keep-larger | keep-left", "keep-larger",
     "OVP both-outlier policy of the host quantizer (recorded in the header; no RTL effect)"},
    {"pipeline", "LIST", "comma list of in,dec,prod,sum,scale, or \"none\"", "dec",
     "extra register stages, each one cycle of LATENCY: in = lane inputs, dec = decoded "
     "operands, prod = unit product sums, sum = lane step sum, scale = scaled MX block sum "
     "(MX configurations only)"},
    {"isolate", "on|off", "on | off", "on",
     "operand isolation: decoders, multipliers and shifters that the current format pair does "
     "not use see constant inputs"},
    {"result-depth", "N", "2..15", "4",
     "co-processor result buffer in row groups: the input stalls on a row group's last weight "
     "beat while N groups wait for the output (docs/protocol.md section 5)"},
};
#define NOPTIONS (sizeof options / sizeof options[0])

static const char *const pipe_names[PIPE_COUNT] = {"in", "dec", "prod", "sum", "scale"};

const char *cfg_pipe_name(pipe_stage s) { return pipe_names[s]; }

int cfg_fail(char *err, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return -1;
}

void cfg_init(rtl_cfg *c) {
    memset(c, 0, sizeof *c);
    strcpy(c->prefix, "npe_");
    c->lanes = 4;
    c->stream_w = 64;
    c->wfmts = c->afmts = (fmt_mask)((1u << FMT_COUNT) - 1);
    c->k_max = 4096;
    c->pipe = 1u << PIPE_DEC;
    c->isolate = 1;
    c->result_depth = 4;
}

int cfg_is_key(const char *key) {
    for (size_t i = 0; i < NOPTIONS; i++)
        if (!strcmp(options[i].key, key))
            return 1;
    return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int is_ident(const char *s, int allow_empty) {
    if (!*s)
        return allow_empty;
    if (!(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

static int parse_fmts(const char *s, fmt_mask *out, const char *where, char *err, size_t n) {
    if (!strcmp(s, "all")) {
        *out = (fmt_mask)((1u << FMT_COUNT) - 1);
        return 0;
    }
    fmt_mask m = 0;
    char buf[512];
    if (strlen(s) >= sizeof buf)
        return cfg_fail(err, n, "%s: list too long", where);
    strcpy(buf, s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        while (isspace((unsigned char)*tok))
            tok++;
        char *e = tok + strlen(tok);
        while (e > tok && isspace((unsigned char)e[-1]))
            *--e = 0;
        int f = fmt_by_name(tok);
        if (f < 0)
            return cfg_fail(err, n, "%s: unknown format '%s' (known: %s)", where, tok,
                        fmt_all_names());
        if (m & FMT_BIT(f))
            return cfg_fail(err, n, "%s: format '%s' listed twice", where, tok);
        m |= FMT_BIT(f);
    }
    if (!m)
        return cfg_fail(err, n, "%s: empty format list (give at least one of: %s)", where,
                    fmt_all_names());
    *out = m;
    return 0;
}

static int parse_pipe(const char *s, unsigned *out, const char *where, char *err, size_t n) {
    if (!strcmp(s, "none")) {
        *out = 0;
        return 0;
    }
    unsigned m = 0;
    char buf[256];
    if (strlen(s) >= sizeof buf)
        return cfg_fail(err, n, "%s: list too long", where);
    strcpy(buf, s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        int k;
        for (k = 0; k < PIPE_COUNT; k++)
            if (!strcmp(tok, pipe_names[k]))
                break;
        if (k == PIPE_COUNT)
            return cfg_fail(err, n, "%s: unknown register stage '%s' (stages: in,dec,prod,sum,scale, "
                        "or none)", where, tok);
        m |= 1u << k;
    }
    *out = m;
    return 0;
}

int cfg_set(rtl_cfg *c, const char *key, const char *v, const char *where, char *err, size_t n) {
    long x;
    if (!strcmp(key, "name")) {
        if (!is_ident(v, 0) || strlen(v) >= CFG_NAME_MAX)
            return cfg_fail(err, n, "%s '%s': must match [A-Za-z_][A-Za-z0-9_]* and have at most %d "
                        "characters", where, v, CFG_NAME_MAX - 1);
        strcpy(c->name, v);
    } else if (!strcmp(key, "out")) {
        if (!*v || strlen(v) >= CFG_PATH_MAX)
            return cfg_fail(err, n, "%s '%s': must be a directory path of 1..%d characters", where, v,
                        CFG_PATH_MAX - 1);
        strcpy(c->out_dir, v);
    } else if (!strcmp(key, "prefix")) {
        if (!is_ident(v, 1) || strlen(v) >= CFG_PREFIX_MAX)
            return cfg_fail(err, n, "%s '%s': must be empty or match [A-Za-z_][A-Za-z0-9_]* with at "
                        "most %d characters", where, v, CFG_PREFIX_MAX - 1);
        strcpy(c->prefix, v);
    } else if (!strcmp(key, "lanes")) {
        if (parse_int(v, 1, CFG_LANES_MAX, &x))
            return cfg_fail(err, n, "%s '%s': must be an integer in 1..%d", where, v, CFG_LANES_MAX);
        c->lanes = (int)x;
    } else if (!strcmp(key, "stream-width")) {
        if (parse_int(v, CFG_STREAM_MIN, CFG_STREAM_MAX, &x))
            return cfg_fail(err, n, "%s '%s': must be an integer in %d..%d", where, v, CFG_STREAM_MIN,
                        CFG_STREAM_MAX);
        c->stream_w = (int)x;
    } else if (!strcmp(key, "wfmts")) {
        return parse_fmts(v, &c->wfmts, where, err, n);
    } else if (!strcmp(key, "afmts")) {
        return parse_fmts(v, &c->afmts, where, err, n);
    } else if (!strcmp(key, "k-max")) {
        if (parse_int(v, 1, CFG_K_MAX_MAX, &x))
            return cfg_fail(err, n, "%s '%s': must be an integer in 1..%d", where, v, CFG_K_MAX_MAX);
        c->k_max = (int)x;
    } else if (!strcmp(key, "acc-w")) {
        if (parse_int(v, CFG_ACC_W_MIN, CFG_ACC_W_MAX, &x))
            return cfg_fail(err, n, "%s '%s': must be an integer in %d..%d (an accumulator narrower "
                        "than a product saturates, but needs at least a sign and one bit)",
                        where, v, CFG_ACC_W_MIN, CFG_ACC_W_MAX);
        c->acc_w = (int)x;
        c->acc_w_set = 1;
    } else if (!strcmp(key, "acc-lsb")) {
        if (parse_int(v, -CFG_ACC_LSB_LIMIT, CFG_ACC_LSB_LIMIT, &x))
            return cfg_fail(err, n, "%s '%s': must be an integer in %d..%d", where, v,
                        -CFG_ACC_LSB_LIMIT, CFG_ACC_LSB_LIMIT);
        c->acc_lsb = (int)x;
        c->acc_lsb_set = 1;
    } else if (!strcmp(key, "ovp-nibble-order")) {
        if (!strcmp(v, "first-low"))
            c->ovp_first_high = 0;
        else if (!strcmp(v, "first-high"))
            c->ovp_first_high = 1;
        else
            return cfg_fail(err, n, "%s '%s': must be first-low or first-high", where, v);
    } else if (!strcmp(key, "ovp-policy")) {
        if (!strcmp(v, "keep-larger"))
            c->ovp_keep_left = 0;
        else if (!strcmp(v, "keep-left"))
            c->ovp_keep_left = 1;
        else
            return cfg_fail(err, n, "%s '%s': must be keep-larger or keep-left", where, v);
    } else if (!strcmp(key, "pipeline")) {
        return parse_pipe(v, &c->pipe, where, err, n);
    } else if (!strcmp(key, "isolate")) {
        if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "1"))
            c->isolate = 1;
        else if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "0"))
            c->isolate = 0;
        else
            return cfg_fail(err, n, "%s '%s': must be on or off", where, v);
    } else if (!strcmp(key, "result-depth")) {
        if (parse_int(v, CFG_RESULT_DEPTH_MIN, CFG_RESULT_DEPTH_MAX, &x))
            return cfg_fail(err, n, "%s '%s': must be an integer in %d..%d", where, v,
                            CFG_RESULT_DEPTH_MIN, CFG_RESULT_DEPTH_MAX);
        c->result_depth = (int)x;
    } else if (!strcmp(key, "config")) {
        return cfg_fail(err, n, "%s: a config file cannot include another", where);
    } else {
        return cfg_fail(err, n, "%s: unknown parameter (see rtl_gen --help)", where);
    }
    return 0;
}

static char *trim(char *s) {
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

int cfg_load_file(rtl_cfg *c, const char *path, char *err, size_t n) {
    FILE *f = fopen(path, "r");
    if (!f)
        return cfg_fail(err, n, "--config %s: cannot open: %s", path, strerror(errno));
    if (strlen(path) >= CFG_PATH_MAX) {
        fclose(f);
        return cfg_fail(err, n, "--config: path too long");
    }
    strcpy(c->config_file, path);
    char line[1024];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        char where[CFG_PATH_MAX + 96];
        if (!eq) {
            snprintf(where, sizeof where, "%s:%d", path, lineno);
            rc = cfg_fail(err, n, "%s: expected `key = value`, got '%s'", where, s);
            break;
        }
        *eq = 0;
        char *key = trim(s), *val = trim(eq + 1);
        for (char *p = key; *p; p++)
            if (*p == '_')
                *p = '-';
        snprintf(where, sizeof where, "%s:%d: %s", path, lineno, key);
        if (!strcmp(key, "out") || !strcmp(key, "config")) {
            rc = cfg_fail(err, n, "%s: only allowed on the command line", where);
            break;
        }
        if (cfg_set(c, key, val, where, err, n)) {
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

static int bits_of(fmt_id f) { return fmt_get(f)->bits; }

int cfg_finish(rtl_cfg *c, char *err, size_t n) {
    if (!c->name[0]) {
        const char *base = "npe";
        char tmp[CFG_PATH_MAX];
        if (c->config_file[0]) {
            const char *slash = strrchr(c->config_file, '/');
            snprintf(tmp, sizeof tmp, "%s", slash ? slash + 1 : c->config_file);
            char *dot = strrchr(tmp, '.');
            if (dot)
                *dot = 0;
            if (!is_ident(tmp, 0) || strlen(tmp) >= CFG_NAME_MAX)
                return cfg_fail(err, n, "--config %s: the file's base name '%s' is not a valid "
                            "configuration name; give --name", c->config_file, tmp);
            base = tmp;
        }
        strcpy(c->name, base);
    }
    if (!c->out_dir[0])
        snprintf(c->out_dir, sizeof c->out_dir, "build/rtl/%s", c->name);
    if (c->stream_w % (16 * c->lanes))
        return cfg_fail(err, n, "--stream-width %d: must be a multiple of 16*lanes = %d (each lane "
                    "takes J 16-bit units; --lanes %d)", c->stream_w, 16 * c->lanes, c->lanes);
    c->j = c->stream_w / (16 * c->lanes);

    /* Pairs: OVP elements pair up inside one 16-bit unit, so an OVP format
     * next to a 16-bit partner (one element per unit) cannot work. */
    int supported = 0;
    for (int w = 0; w < FMT_COUNT; w++)
        for (int a = 0; a < FMT_COUNT; a++) {
            if (!(c->wfmts & FMT_BIT(w)) || !(c->afmts & FMT_BIT(a)))
                continue;
            int e = bits_of(w) > bits_of(a) ? bits_of(w) : bits_of(a);
            int ovp = fmt_get(w)->family == FAM_OVP || fmt_get(a)->family == FAM_OVP;
            if (ovp && e == 16)
                continue;
            supported++;
            int mx = fmt_get(w)->block > 0 || fmt_get(a)->block > 0;
            int p = 16 / e, jp = c->j * p;
            int blk = fmt_get(w)->block > 0 ? fmt_get(w)->block : fmt_get(a)->block;
            if (mx && blk % jp)
                return cfg_fail(err, n, "--stream-width %d / --lanes %d: MX formats need J*P to divide "
                            "the block size %d, but J = %d and the pair %s x %s runs P = %d "
                            "elements per unit (J*P = %d); use fewer units per lane",
                            c->stream_w, c->lanes, blk, c->j, fmt_get(w)->name,
                            fmt_get(a)->name, p, jp);
        }
    if (!supported)
        return cfg_fail(err, n, "--wfmts/--afmts: no supported format pair (an OVP format cannot "
                    "pair with a 16-bit format: its outlier-victim pairs live inside one 16-bit "
                    "unit)");

    if (!c->acc_w_set || !c->acc_lsb_set) {
        int w, l;
        if (engine_default_acc(c->wfmts, c->afmts, c->k_max, &w, &l))
            return cfg_fail(err, n, "--k-max %d: the exact accumulator for these formats would be "
                        "wider than %d bits; give --acc-w (and --acc-lsb) or a smaller --k-max",
                        c->k_max, CFG_ACC_W_MAX);
        if (!c->acc_lsb_set)
            c->acc_lsb = l;
        if (!c->acc_w_set) {
            if (w > CFG_ACC_W_MAX)
                return cfg_fail(err, n, "--k-max %d: the exact accumulator would need %d > %d bits; "
                            "give --acc-w or a smaller --k-max", c->k_max, w, CFG_ACC_W_MAX);
            c->acc_w = w < CFG_ACC_W_MIN ? CFG_ACC_W_MIN : w;
        }
    }
    int mx_any = 0;
    for (int f = 0; f < FMT_COUNT; f++)
        if (((c->wfmts | c->afmts) & FMT_BIT(f)) && fmt_get(f)->block > 0)
            mx_any = 1;
    if ((c->pipe & (1u << PIPE_SCALE)) && !mx_any)
        return cfg_fail(err, n, "--pipeline scale: the scale stage exists only when an MX format "
                    "(block-scaled) is enabled");
    return 0;
}

void cfg_fmt_list(fmt_mask m, char *buf, size_t n) {
    size_t k = 0;
    buf[0] = 0;
    for (int f = 0; f < FMT_COUNT; f++)
        if (m & FMT_BIT(f))
            k += (size_t)snprintf(buf + k, k < n ? n - k : 0, "%s%s", k ? "," : "",
                                  fmt_get(f)->name);
}

void cfg_pipe_list(unsigned pipe, char *buf, size_t n) {
    size_t k = 0;
    buf[0] = 0;
    for (int s = 0; s < PIPE_COUNT; s++)
        if (pipe & (1u << s))
            k += (size_t)snprintf(buf + k, k < n ? n - k : 0, "%s%s", k ? "," : "",
                                  pipe_names[s]);
    if (!k)
        snprintf(buf, n, "none");
}

/* Text wrapped at 78 columns, indented by 6. */
static void print_wrapped(FILE *f, const char *text) {
    const int indent = 6, width = 78;
    int col = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        int len = (int)strcspn(p, " ");
        if (!len)
            break;
        if (col && col + 1 + len > width) {
            fputc('\n', f);
            col = 0;
        }
        if (!col)
            col = fprintf(f, "%*s", indent, "");
        else
            col += fprintf(f, " ");
        col += fprintf(f, "%.*s", len, p);
        p += len;
    }
    if (col)
        fputc('\n', f);
}

void cfg_print_help(FILE *f) {
    fprintf(f,
            "usage: rtl_gen [--config FILE] [--OPTION VALUE | --OPTION=VALUE]...\n"
            "\n"
            "Writes the mixed-precision SIMD MAC engine and the AXI co-processor around it\n"
            "(<prefix>coproc: AXI4-Lite registers, AXI4-Stream in/out, docs/protocol.md) as\n"
            "Verilog-2005 (one file per module), a file list (<name>.f, for verilator -F), a C\n"
            "header (<name>_params.h: parameters, register map, stream layout) and a JSON\n"
            "manifest into the output directory.  Identical input gives identical output.\n"
            "\n"
            "Parameters (also valid as `key = value` lines of a config file):\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option *o = &options[i];
        char buf[1024];
        fprintf(f, "  --%s %s\n", o->key, o->arg ? o->arg : "");
        print_wrapped(f, o->help);
        snprintf(buf, sizeof buf, "range: %s; default: %s", o->range, o->def);
        print_wrapped(f, buf);
    }
    fprintf(f,
            "  --help       this text\n"
            "  --version    the generator version\n"
            "\n"
            "formats (kernels_ref/formats.def; runtime format codes are their positions):\n"
            "  %s\n",
            fmt_all_names());
}
