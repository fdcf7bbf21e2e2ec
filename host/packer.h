/*
 * host/packer.h - jobs to AXI4-Stream beats and results back, exactly as
 * docs/protocol.md sections 1-3 lay them out.  Used by the test benches and
 * (later) the device driver.  The geometry is a runtime value (a driver
 * reads it from the CAP registers; a test bench from the generated header),
 * so one host binary serves every generated configuration.
 */
#ifndef HOST_PACKER_H
#define HOST_PACKER_H

#include <stddef.h>
#include <stdint.h>

#include "formats.h"
#include "wide.h"

/* What the packer needs to know about a co-processor configuration. */
typedef struct {
    int stream_w;       /* W: stream width in bits (16 * units * lanes)        */
    int lanes;          /* L: rows computed in parallel                         */
    int units;          /* J: 16-bit MAC units per lane                         */
    int acc_w;          /* accumulator width: result rows are ceil(acc_w/32)+1 words */
    int ovp_first_high; /* OVP pair's first element in the upper field           */
    int latency;        /* COPROC_LATENCY D (timing model only)                   */
    int result_depth;   /* RESULT_DEPTH Q (timing model only)                     */
} npe_geom;

/* One GEMV job: out[r] = sum_c w[r][c] * a[c]. */
typedef struct {
    int rows, cols;        /* R, K                                                 */
    fmt_id wf, af;         /* weight and activation formats                        */
    int scales_inline;     /* SCALE_MODE[0]: MX operands carry their block scales */
    const uint16_t *w;     /* (rows, wstride) codes, wstride = npe_row_codes(wf, cols) */
    const uint16_t *a;     /* (npe_row_codes(af, cols)) codes                      */
    const uint8_t *wscale; /* (rows, ceil(cols/32)) E8M0 codes, MX weights only    */
    const uint8_t *ascale; /* (ceil(cols/32)) E8M0 codes, MX activations only      */
} npe_job;

/* Codes stored per row: cols, or cols + 1 for an OVP format of odd cols (the
 * pair encoder's pad code completes the last pair). */
int npe_row_codes(fmt_id f, int cols);
/* Elements per step S = J * 16 / max(bits(wf), bits(af)). */
int npe_step_elems(const npe_geom *g, fmt_id wf, fmt_id af);
/* Input beats of a job; 0 if the geometry or job is malformed. */
size_t npe_job_beats(const npe_geom *g, const npe_job *j);
/* Index (from 0) of the input beat that is row group grp's last weight
 * beat; 0 if the job is malformed or grp out of range. */
size_t npe_group_last_beat(const npe_geom *g, const npe_job *j, int grp);
/* Write the job's beats, each stream_w/8 bytes little-endian (bit i of a
 * beat is bit i%8 of byte i/8), into out.  Returns the beat count, or 0
 * with a message on stderr if cap_bytes is too small or the job malformed. */
size_t npe_pack_job(const npe_geom *g, const npe_job *j, uint8_t *out, size_t cap_bytes);

/* 32-bit words per result row: the accumulator sign-extended to whole
 * words, then the status word. */
int npe_result_words(const npe_geom *g);
/* Status word bits (docs/protocol.md section 3). */
#define NPE_ROW_FLAGS_MASK 0xFu     /* FLAG_* of formats.h                 */
#define NPE_ROW_NOT_COMPUTED (1u << 8) /* row skipped by a protocol error */
/* Result beats of a job of `rows` rows: each row group's rows fill
 * ceil(nr * RW / (W/32)) beats of their own (docs/protocol.md section 3). */
size_t npe_result_beats(const npe_geom *g, int rows);
/* Valid bytes of the job's last result beat (its TKEEP is that many ones). */
int npe_result_last_keep(const npe_geom *g, int rows);
/* Split a job's npe_result_beats() beats (stream_w/8 bytes each,
 * little-endian) into rows accumulators and status words. */
void npe_unpack_results(const npe_geom *g, const uint8_t *beats, int rows, wide *acc,
                        uint32_t *status);

/* The cycle model of docs/protocol.md section 5 for one job with TVALID and
 * TREADY always high, followed cycle by cycle (the result-slot credits
 * included).  Needs g->latency and g->result_depth. */
typedef struct {
    size_t beats_in;    /* input beats of the job                              */
    size_t beats_out;   /* result beats                                        */
    uint64_t cycles;    /* first input beat to last result beat, inclusive     */
    uint64_t in_cycles; /* first to last input beat, inclusive                 */
    double bound;       /* weight-bandwidth bound R*K*bits(fw)/W (MX: + scales) */
} npe_timing;
/* Returns 0, or -1 if the geometry or job is malformed. */
int npe_job_timing(const npe_geom *g, const npe_job *j, npe_timing *t);

#endif
