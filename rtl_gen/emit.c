/*
 * rtl_gen/emit.c - the printing layer (see emit.h).  Everything the
 * emitters share is spelled here once: indentation, identifier escaping,
 * the file/module framing, constants, extensions, registers, adder trees.
 */
#include "emit.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

stamp_info g_stamp;

/* ------------------------------------------------------------ text */
static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n);
    if (!q) {
        fprintf(stderr, "rtl_gen: out of memory\n");
        exit(1);
    }
    return q;
}

void em_init(emitter *e) {
    memset(e, 0, sizeof *e);
    e->cap = 1 << 16;
    e->buf = xrealloc(NULL, e->cap);
    e->buf[0] = 0;
    e->bol = 1;
}

void em_free(emitter *e) {
    free(e->buf);
    memset(e, 0, sizeof *e);
}

static void put_char(emitter *e, char c) {
    if (e->len + 2 >= e->cap) {
        e->cap *= 2;
        e->buf = xrealloc(e->buf, e->cap);
    }
    e->buf[e->len++] = c;
    e->buf[e->len] = 0;
}

void em_printf(emitter *e, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *tmp = xrealloc(NULL, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(tmp, (size_t)n + 1, fmt, ap);
    va_end(ap);
    for (const char *p = tmp; *p; p++) {
        if (e->bol && *p != '\n')
            for (int i = 0; i < 4 * e->level; i++)
                put_char(e, ' ');
        e->bol = *p == '\n';
        put_char(e, *p);
    }
    free(tmp);
}

void em_indent(emitter *e) { e->level++; }
void em_dedent(emitter *e) {
    if (e->level > 0)
        e->level--;
}

/* ------------------------------------------------------------ strings */
typedef struct str_node {
    struct str_node *next;
    char text[];
} str_node;
static str_node *arena;

const char *S(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    str_node *s = xrealloc(NULL, sizeof *s + (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s->text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->next = arena;
    arena = s;
    return s->text;
}

void str_free_all(void) {
    while (arena) {
        str_node *n = arena->next;
        free(arena);
        arena = n;
    }
}

/* Verilog-2005 and SystemVerilog keywords: an escaped name never equals one. */
static const char *const keywords[] = {
    "always", "and", "assign", "automatic", "begin", "buf", "bufif0", "bufif1", "case",
    "casex", "casez", "cell", "cmos", "config", "deassign", "default", "defparam", "design",
    "disable", "edge", "else", "end", "endcase", "endconfig", "endfunction", "endgenerate",
    "endmodule", "endprimitive", "endspecify", "endtable", "endtask", "event", "for", "force",
    "forever", "fork", "function", "generate", "genvar", "highz0", "highz1", "if", "ifnone",
    "incdir", "include", "initial", "inout", "input", "instance", "integer", "join", "large",
    "liblist", "library", "localparam", "macromodule", "medium", "module", "nand", "negedge",
    "nmos", "nor", "noshowcancelled", "not", "notif0", "notif1", "or", "output", "parameter",
    "pmos", "posedge", "primitive", "pull0", "pull1", "pulldown", "pullup",
    "pulsestyle_onevent", "pulsestyle_ondetect", "rcmos", "real", "realtime", "reg",
    "release", "repeat", "rnmos", "rpmos", "rtran", "rtranif0", "rtranif1", "scalared",
    "showcancelled", "signed", "small", "specify", "specparam", "strong0", "strong1",
    "supply0", "supply1", "table", "task", "time", "tran", "tranif0", "tranif1", "tri",
    "tri0", "tri1", "triand", "trior", "trireg", "unsigned", "use", "uwire", "vectored",
    "wait", "wand", "weak0", "weak1", "while", "wire", "wor", "xnor", "xor", "bit", "byte",
    "logic", "int", "shortint", "longint", "interface", "package", "class", "string", "type",
    "enum", "struct", "union", "typedef", "final", "alias", "assert", "const", "do", "new",
    "null", "return", "static", "super", "this", "var", "void", "priority", "unique",
};

const char *vid(const char *text) {
    size_t n = strlen(text);
    char *buf = xrealloc(NULL, n + 3);
    size_t k = 0;
    if (!n || isdigit((unsigned char)text[0]))
        buf[k++] = '_';
    for (size_t i = 0; i < n; i++)
        buf[k++] = (isalnum((unsigned char)text[i]) || text[i] == '_') ? text[i] : '_';
    buf[k] = 0;
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (!strcmp(buf, keywords[i])) {
            buf[k++] = '_';
            buf[k] = 0;
            break;
        }
    const char *r = S("%s", buf);
    free(buf);
    return r;
}

int write_file_atomic(const char *path, const char *text, size_t len, char *err, size_t n) {
    char tmp[CFG_PATH_MAX + 64];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        snprintf(err, n, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    int bad = fwrite(text, 1, len, f) != len;
    bad |= fflush(f) != 0;
    bad |= fclose(f) != 0;
    if (bad) {
        snprintf(err, n, "cannot write %s: %s", tmp, strerror(errno));
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path)) {
        snprintf(err, n, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ Verilog */
static void comment_block(emitter *e, const char *text) {
    /* each line of text as a // comment line */
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        em_printf(e, len ? "// %.*s\n" : "//\n", len, p);
        p += len + (nl ? 1 : 0);
    }
}

void v_file_begin(emitter *e, const char *file, const char *purpose, const char *detail) {
    em_printf(e, "// %s - %s\n", file, purpose);
    if (detail && *detail) {
        em_printf(e, "//\n");
        comment_block(e, detail);
    }
    em_printf(e, "//\n");
    em_printf(e, "// Generated by rtl_gen %s; do not edit (change the generator or the configuration).\n",
              RTL_GEN_VERSION);
    em_printf(e, "// Configuration \"%s\": %s\n", g_stamp.config, g_stamp.summary);
    em_printf(e, "// Command: %s\n", g_stamp.command);
    em_printf(e, "\n`resetall\n`default_nettype none\n\n");
}

void v_file_end(emitter *e) { em_printf(e, "\n`default_nettype wire\n"); }

void v_module_begin(emitter *e, const char *module, const v_param *params, int np,
                    const v_port *ports, int nports) {
    if (np) {
        em_printf(e, "module %s #(\n", module);
        int wn = 0, wv = 0;
        for (int i = 0; i < np; i++) {
            wn = imax(wn, (int)strlen(params[i].name));
            wv = imax(wv, snprintf(NULL, 0, "%lld", params[i].value) + (i + 1 < np));
        }
        em_indent(e);
        for (int i = 0; i < np; i++) {
            const char *v = S("%lld%s", params[i].value, i + 1 < np ? "," : "");
            em_printf(e, "parameter %-*s = %-*s  // %s\n", wn, params[i].name, wv, v,
                      params[i].comment);
        }
        em_dedent(e);
        em_printf(e, ") (\n");
    } else {
        em_printf(e, "module %s (\n", module);
    }
    int ww = 0, wn = 0;
    for (int i = 0; i < nports; i++) {
        int w = ports[i].width[0] ? (int)strlen(ports[i].width) + 5 : 0;
        ww = imax(ww, w);
        wn = imax(wn, (int)strlen(ports[i].name) + (i + 1 < nports));
    }
    em_indent(e);
    for (int i = 0; i < nports; i++) {
        const v_port *p = &ports[i];
        const char *r = "";
        if (p->width[0])
            r = strspn(p->width, "0123456789") == strlen(p->width)
                    ? S("[%d:0]", atoi(p->width) - 1)
                    : S("[%s-1:0]", p->width);
        const char *nm = S("%s%s", p->name, i + 1 < nports ? "," : "");
        em_printf(e, "%-6s wire %-*s %-*s  // %s\n", p->dir, ww, r, wn, nm, p->comment);
    }
    em_dedent(e);
    em_printf(e, ");\n\n");
    em_indent(e);
}

void v_module_end(emitter *e) {
    em_dedent(e);
    em_printf(e, "\nendmodule\n");
}

void v_guard(emitter *e, const char *module, const char *label, const char *cond,
             const char *rule, const char *message, const char *args) {
    em_printf(e, "generate\n");
    em_indent(e);
    em_printf(e, "if (%s) begin : %s\n", cond, label);
    em_printf(e, "`ifdef SYNTHESIS\n");
    em_indent(e);
    em_printf(e, "%s u_stop ();  // no such module: elaboration stops here\n",
              vid(S("ERROR_%s_%s", module, rule)));
    em_dedent(e);
    em_printf(e, "`else\n");
    em_indent(e);
    em_printf(e, "initial begin\n");
    em_indent(e);
    em_printf(e, "$display(\"ERROR: %%m: %s\"%s%s);\n", message, args && *args ? ", " : "",
              args ? args : "");
    em_printf(e, "$finish;\n");
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "`endif\n");
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "endgenerate\n");
}

void v_section(emitter *e, const char *title) { em_printf(e, "\n// ---- %s\n", title); }

const char *v_const(int width, long long value) {
    if (width <= 64)
        return S("%d'd%lld", width, value);
    return S("{%d'd0, 64'd%lld}", width - 64, value);
}

const char *v_const_mod(int width, long long value) {
    unsigned long long v = (unsigned long long)value;
    if (width < 64)
        v &= (1ull << width) - 1;
    return S("%d'd%llu", width, v);
}

const char *v_smax(int width) {
    return width == 1 ? "1'b0" : S("{1'b0, {%d{1'b1}}}", width - 1);
}

const char *v_smin(int width) {
    return width == 1 ? "1'b1" : S("{1'b1, {%d{1'b0}}}", width - 1);
}

const char *v_zext(const char *sig, int from, int to) {
    if (from == to)
        return sig;
    if (from == 0)
        return v_const(to, 0);
    return S("{%s, %s}", v_const(to - from, 0), sig);
}

const char *v_sext(const char *sig, int from, int to) {
    if (from == to)
        return sig;
    if (from == 1)
        return S("{%d{%s}}", to, sig);
    return S("{{%d{%s[%d]}}, %s}", to - from, sig, from - 1, sig);
}

const char *v_slice(const char *sig, int width, int hi, int lo) {
    if (width == 1 && hi == 0 && lo == 0)
        return sig;
    if (hi < lo || hi >= width || lo < 0) {
        fprintf(stderr, "rtl_gen: internal error: %s[%d:%d] of a %d-bit signal\n", sig, hi, lo, width);
        exit(1);
    }
    return hi == lo ? S("%s[%d]", sig, hi) : S("%s[%d:%d]", sig, hi, lo);
}

const char *v_rep(const char *bit, int width) {
    return width == 1 ? bit : S("{%d{%s}}", width, bit);
}

const char *v_range(int width) { return width == 1 ? "" : S("[%d:0] ", width - 1); }

void v_wire(emitter *e, int width, const char *name, const char *expr) {
    em_printf(e, "wire %s%s = %s;\n", v_range(width), name, expr);
}

void v_pipe(emitter *e, int registered, const char *ce, const pipe_sig *sigs, int n) {
    if (!registered) {
        for (int i = 0; i < n; i++)
            v_wire(e, sigs[i].width, sigs[i].out, sigs[i].in);
        return;
    }
    for (int i = 0; i < n; i++)
        em_printf(e, "reg  %s%s;\n", v_range(sigs[i].width), sigs[i].out);
    em_printf(e, "always @(posedge clk) begin\n");
    em_indent(e);
    em_printf(e, "if (%s) begin\n", ce);
    em_indent(e);
    for (int i = 0; i < n; i++)
        em_printf(e, "%s <= %s;\n", sigs[i].out, sigs[i].in);
    em_dedent(e);
    em_printf(e, "end\n");
    em_dedent(e);
    em_printf(e, "end\n");
}

void v_pipe_valid(emitter *e, int registered, const char *in, const char *out) {
    if (!registered) {
        v_wire(e, 1, out, in);
        return;
    }
    em_printf(e, "reg  %s;\n", out);
    em_printf(e, "always @(posedge clk) begin\n");
    em_indent(e);
    em_printf(e, "if (rst)\n");
    em_indent(e);
    em_printf(e, "%s <= 1'b0;\n", out);
    em_dedent(e);
    em_printf(e, "else\n");
    em_indent(e);
    em_printf(e, "%s <= %s;\n", out, in);
    em_dedent(e);
    em_dedent(e);
    em_printf(e, "end\n");
}

static int tree(v_wire_fn wire, void *ctx, const char *stem, const char *const *terms, const int *widths,
                int n, const char **root) {
    const char *name[64];
    int w[64];
    if (n < 1 || n > 64) {
        fprintf(stderr, "rtl_gen: internal error: adder tree of %d terms\n", n);
        exit(1);
    }
    for (int i = 0; i < n; i++) {
        name[i] = terms ? terms[i] : "";
        w[i] = widths[i];
    }
    for (int level = 1; n > 1; level++) {
        int m = 0;
        for (int i = 0; i < n; i += 2) {
            if (i + 1 == n) {
                name[m] = name[i];
                w[m++] = w[i];
                continue;
            }
            int wo = imax(w[i], w[i + 1]) + 1;
            const char *nm = S("%s_l%d_%d", stem, level, i / 2);
            if (wire)
                wire(ctx, wo, nm, S("%s + %s", v_sext(name[i], w[i], wo), v_sext(name[i + 1], w[i + 1], wo)));
            name[m] = nm;
            w[m++] = wo;
        }
        n = m;
    }
    if (root)
        *root = name[0];
    return w[0];
}

const char *v_sum_tree_to(v_wire_fn wire, void *ctx, const char *stem, const char *const *terms,
                          const int *widths, int n, int *out_width) {
    const char *root;
    *out_width = tree(wire, ctx, stem, terms, widths, n, &root);
    return root;
}

static void emitter_wire(void *ctx, int width, const char *name, const char *expr) {
    v_wire(ctx, width, name, expr);
}

const char *v_sum_tree(emitter *e, const char *stem, const char *const *terms,
                       const int *widths, int n, int *out_width) {
    return v_sum_tree_to(emitter_wire, e, stem, terms, widths, n, out_width);
}

int sum_tree_width(const int *widths, int n) { return tree(NULL, NULL, "", NULL, widths, n, NULL); }

void v_unused(emitter *e, const char *name, const char *const *exprs, int n) {
    if (!n)
        return;
    em_printf(e, "wire unused_%s = ^{", name);
    for (int i = 0; i < n; i++)
        em_printf(e, "%s%s", i ? ", " : "", exprs[i]);
    em_printf(e, "};  // not read in this configuration\n");
}

int bits_for(long long v) {
    int b = 0;
    while (v > 0) {
        b++;
        v >>= 1;
    }
    return b;
}

int imax(int a, int b) { return a > b ? a : b; }
int imin(int a, int b) { return a < b ? a : b; }
