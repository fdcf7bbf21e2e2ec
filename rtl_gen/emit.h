/*
 * rtl_gen/emit.h - the one printing layer of the generator: an indenting
 * text buffer, the one identifier-escaping function, atomic file writes, and
 * the Verilog constructs every module emitter shares (file header, module
 * header with one parameter/port per line, elaboration guards, sized
 * constants, sign/zero extension, pipeline registers, adder trees, the
 * "unused" sink).  Emitters never spell these constructs themselves.
 */
#ifndef RTL_GEN_EMIT_H
#define RTL_GEN_EMIT_H

#include <stddef.h>

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* ------------------------------------------------------------ text */
typedef struct {
    char *buf;  /* the text so far (NUL-terminated)   */
    size_t len; /* bytes used                        */
    size_t cap; /* bytes allocated                   */
    int level;  /* indentation level, 4 spaces each  */
    int bol;    /* next character starts a line      */
} emitter;

void em_init(emitter *e);
void em_free(emitter *e);
/* Append text; every line it starts is indented to the current level. */
void em_printf(emitter *e, const char *fmt, ...) PRINTF_LIKE(2, 3);
void em_indent(emitter *e);
void em_dedent(emitter *e);

/* Formatted string that lives until str_free_all() (expression building). */
const char *S(const char *fmt, ...) PRINTF_LIKE(1, 2);
void str_free_all(void);

/* The one identifier-escaping function: any text -> a legal, non-keyword
 * Verilog identifier ([A-Za-z_][A-Za-z0-9_]*), deterministic. */
const char *vid(const char *text);

/* Write a file atomically (temp file in the same directory, then rename). */
int write_file_atomic(const char *path, const char *text, size_t len, char *err, size_t n);

/* ------------------------------------------------------------ Verilog */
/* Stamp shared by every generated file (set once by main). */
typedef struct {
    const char *command; /* the command line that made the output       */
    const char *config;  /* configuration name                          */
    const char *summary; /* one-line parameter summary                  */
} stamp_info;
extern stamp_info g_stamp;

typedef struct {
    const char *name;    /* parameter name                                */
    long long value;     /* default value                                 */
    const char *comment; /* one line: meaning, range                      */
} v_param;

typedef struct {
    const char *dir;     /* "input" or "output"                           */
    const char *width;   /* "" for 1 bit, else the text inside [..:0]-1, e.g. "16*J" */
    const char *name;
    const char *comment;
} v_port;

/* The control ports of a lane and of the engine, which passes them to every
 * lane unchanged (docs/architecture.md section 4): the first entries of both
 * port lists. */
#define V_LANE_CTRL_PORTS                                                  \
    {"input", "", "clk", "clock"},                                         \
    {"input", "", "rst", "synchronous reset, active high"},                \
    {"input", "4", "wfmt", "weight format id, held for a row"},            \
    {"input", "4", "afmt", "activation format id, held for a row"},        \
    {"input", "", "in_valid", "a step is presented"},                      \
    {"input", "", "in_first", "first step of a row"},                      \
    {"input", "", "in_last", "last step of a row"},                        \
    {"input", "", "in_blk_last", "(MX) the step closes a block"}

/* `// file - purpose` header with the stamp, `resetall and
 * `default_nettype none. */
void v_file_begin(emitter *e, const char *file, const char *purpose, const char *detail);
/* endmodule already written; restores `default_nettype wire. */
void v_file_end(emitter *e);
void v_module_begin(emitter *e, const char *module, const v_param *params, int nparams,
                    const v_port *ports, int nports);
void v_module_end(emitter *e);
/* generate-if (cond) that stops elaboration with `message` (a $display
 * format string, args appended verbatim after it).  Simulators print the
 * message and $finish; synthesis tools (`SYNTHESIS, e.g. Yosys, whose 0.23
 * does not print $display there) meet a missing module whose name states the
 * rule: ERROR_<module>_<rule>. */
void v_guard(emitter *e, const char *module, const char *label, const char *cond,
             const char *rule, const char *message, const char *args);
/* Section comment. */
void v_section(emitter *e, const char *title);

/* Sized constants.  v_const: 0 <= value < 2^63, any width >= 1 (zero
 * extended with a replication when wider than 64 bits).  v_const_mod: value
 * modulo 2^width (two's complement), width <= 64. */
const char *v_const(int width, long long value);
const char *v_const_mod(int width, long long value);
/* The largest and smallest signed values of a width, as expressions. */
const char *v_smax(int width);
const char *v_smin(int width);
/* Extend a named signal (or any expression when from == to) of width
 * `from` to width `to` >= from. */
const char *v_zext(const char *sig, int from, int to);
const char *v_sext(const char *sig, int from, int to);
/* Bits hi..lo of a named signal of width `width` (a 1-bit signal has no
 * range to select: its name is returned). */
const char *v_slice(const char *sig, int width, int hi, int lo);
/* Replicate a 1-bit expression: {w{x}}. */
const char *v_rep(const char *bit, int width);
/* Range text for a declaration: "" for 1 bit, else "[w-1:0] ". */
const char *v_range(int width);

/* Declare and drive `name` (width) from `expr`. */
void v_wire(emitter *e, int width, const char *name, const char *expr);

/* A pipeline boundary: signals in_name[i] -> out_name[i].  When
 * `registered`, each out is a register loaded when `ce` is 1 (no reset:
 * datapath); otherwise out is a plain wire copy. */
typedef struct {
    const char *in;  /* source expression (a signal name)  */
    const char *out; /* name of the stage output            */
    int width;
} pipe_sig;
void v_pipe(emitter *e, int registered, const char *ce, const pipe_sig *sigs, int n);
/* A valid bit through a boundary: synchronous reset to 0. */
void v_pipe_valid(emitter *e, int registered, const char *in, const char *out);

/* Balanced adder tree of signed terms (exact: each level one bit wider).
 * Declares `<stem>_l<level>_<i>` wires; returns the name of the root and
 * stores its width. */
const char *v_sum_tree(emitter *e, const char *stem, const char *const *terms,
                       const int *widths, int n, int *out_width);
/* The same tree, each wire handed to wire(ctx, width, name, expr) (e.g. into
 * a function body instead of the module). */
typedef void (*v_wire_fn)(void *ctx, int width, const char *name, const char *expr);
const char *v_sum_tree_to(v_wire_fn wire, void *ctx, const char *stem, const char *const *terms,
                          const int *widths, int n, int *out_width);
/* Width of v_sum_tree's root, without emitting. */
int sum_tree_width(const int *widths, int n);

/* Bits that an interface carries but this configuration does not read:
 * XOR-reduced into a wire whose name contains "unused" (Verilator's
 * documented --unused-regexp convention, not a waiver); synthesis removes
 * it.  exprs: n bit-select expressions. */
void v_unused(emitter *e, const char *name, const char *const *exprs, int n);

/* Small integer helpers. */
int bits_for(long long v); /* bits to hold 0..v (>= 0); 0 for v == 0 */
int imax(int a, int b);
int imin(int a, int b);

#endif
