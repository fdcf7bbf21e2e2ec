/*
 * rtl_gen/config.h - the generator's parameters: parsing (command line and
 * `key = value` files), validation and defaults.
 *
 * One table (config.c, `options`) names every parameter with its range and
 * default; it drives the parser, the config-file reader and --help, so a
 * parameter is described in exactly one place.
 */
#ifndef RTL_GEN_CONFIG_H
#define RTL_GEN_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "engine.h"
#include "formats.h"

#define RTL_GEN_VERSION "1.0.0"

#define CFG_LANES_MAX 64
#define CFG_STREAM_MIN 64
#define CFG_STREAM_MAX 512
#define CFG_K_MAX_MAX 65536
#define CFG_ACC_W_MIN 2
#define CFG_ACC_W_MAX 248 /* kernels_ref's wide holds 256 bits incl. guard bits */
#define CFG_ACC_LSB_LIMIT 150
#define CFG_NAME_MAX 48
#define CFG_PREFIX_MAX 24
#define CFG_PATH_MAX 512
#define CFG_RESULT_DEPTH_MIN 2
#define CFG_RESULT_DEPTH_MAX 15 /* CAP_MISC[27:24] */

/* Optional register stages of the lane (each adds one cycle of LATENCY). */
typedef enum {
    PIPE_IN,    /* register the lane's inputs                               */
    PIPE_DEC,   /* register the decoded slot operands (after the decoders)  */
    PIPE_PROD,  /* register each unit's product sum                         */
    PIPE_SUM,   /* register the lane's step sum (after the adder tree)      */
    PIPE_SCALE, /* register the scaled MX block sum (MX configurations)     */
    PIPE_COUNT
} pipe_stage;

typedef struct {
    char name[CFG_NAME_MAX];     /* configuration name: output directory, file names  */
    char prefix[CFG_PREFIX_MAX]; /* module name prefix, e.g. "npe_"                    */
    int lanes;                   /* MAC lanes, 1..64                                   */
    int stream_w;                /* weight stream bits per cycle, 16*J*lanes           */
    fmt_mask wfmts;              /* enabled weight formats (bit = fmt_id)              */
    fmt_mask afmts;              /* enabled activation formats                         */
    int k_max;                   /* longest dot product, 1..65536                      */
    int acc_w;                   /* accumulator width (after defaults)                 */
    int acc_lsb;                 /* log2 of the accumulator LSB weight                 */
    int acc_w_set, acc_lsb_set;  /* given explicitly (else engine_default_acc)         */
    int ovp_first_high;          /* OVP element 2k in the upper field of its pair      */
    int ovp_keep_left;           /* host quantizer's both-outlier policy (recorded)    */
    unsigned pipe;               /* bit PIPE_x set: that register stage exists         */
    int isolate;                 /* operand isolation of unused decoders and slots     */
    int result_depth;            /* co-processor result buffer, in row groups (2..15)  */
    char out_dir[CFG_PATH_MAX];  /* output directory (default build/rtl/<name>)        */
    char config_file[CFG_PATH_MAX]; /* --config FILE, "" if none                      */
    /* derived by cfg_finish: */
    int j;                       /* 16-bit MAC units per lane = stream_w/(16*lanes)    */
} rtl_cfg;

/* Defaults for every parameter. */
void cfg_init(rtl_cfg *c);
/* Set one parameter from text; `where` names the origin for messages
 * ("--lanes" or "file.cfg:12: lanes").  Returns 0 or -1 with err filled. */
int cfg_set(rtl_cfg *c, const char *key, const char *value, const char *where, char *err,
            size_t n);
/* Read a `key = value` file (# comments).  Returns 0 or -1 with err filled. */
int cfg_load_file(rtl_cfg *c, const char *path, char *err, size_t n);
/* Validate every rule, fill defaults (name, out_dir, ACC_W/ACC_LSB) and
 * derived values.  Returns 0 or -1 with a message naming the parameter, the
 * value and the rule. */
int cfg_finish(rtl_cfg *c, char *err, size_t n);
/* Is a key (long option name without dashes) a parameter? 1 = takes a value */
int cfg_is_key(const char *key);
/* --help text of every parameter. */
void cfg_print_help(FILE *f);
/* Stage name of a pipe_stage ("in", "dec", ...). */
const char *cfg_pipe_name(pipe_stage s);
/* Comma list of the formats in a mask, registry order ("int4,fp4"). */
void cfg_fmt_list(fmt_mask m, char *buf, size_t n);
/* Comma list of the enabled register stages, or "none". */
void cfg_pipe_list(unsigned pipe, char *buf, size_t n);

/* Format a message into err (n bytes) and return -1: the error convention
 * of every cfg_ and arch_ function. */
int cfg_fail(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
