/*
 * sim/tb/npe_params.h - rtl_gen's parameter header seen under the names the
 * NPE test bench uses.  The build passes the configuration's header as
 * -DNPE_PARAMS_H='"build/rtl/<cfg>/<cfg>_params.h"'; this file is the one
 * place that knows rtl_gen's macro names.
 */
#ifndef SIM_NPE_PARAMS_H
#define SIM_NPE_PARAMS_H

#ifndef NPE_PARAMS_H
#error "compile with -DNPE_PARAMS_H='\"build/rtl/<cfg>/<cfg>_params.h\"'"
#endif
#include NPE_PARAMS_H

#define P_LANES NPE_LANES       /* MAC lanes                                  */
#define P_STREAM_W NPE_STREAM_W /* weight stream bits per cycle               */
#define P_J NPE_J               /* 16-bit MAC units per lane                  */
#define P_ACC_W NPE_ACC_W       /* accumulator bits                           */
#define P_ACC_LSB NPE_ACC_LSB   /* log2 of the accumulator LSB weight         */
#define P_K_MAX NPE_K_MAX       /* longest row (dot product)                  */
#define P_WMASK NPE_WFMT_MASK   /* enabled weight formats, bit = fmt_id       */
#define P_AMASK NPE_AFMT_MASK   /* enabled activation formats                 */
#define P_LATENCY NPE_LATENCY   /* in_last step -> out_valid, in clock edges  */
#define P_OVP_FIRST_HIGH NPE_OVP_FIRST_HIGH /* OVP pair: first element in the upper field */

/* Activation formats each weight format pairs with (rtl_gen defines the
 * mask for enabled weight formats only). */
#ifdef NPE_PAIR_MASK_INT4
#define P_PAIR_MASK_INT4 NPE_PAIR_MASK_INT4
#else
#define P_PAIR_MASK_INT4 0
#endif
#ifdef NPE_PAIR_MASK_INT8
#define P_PAIR_MASK_INT8 NPE_PAIR_MASK_INT8
#else
#define P_PAIR_MASK_INT8 0
#endif
#ifdef NPE_PAIR_MASK_INT16
#define P_PAIR_MASK_INT16 NPE_PAIR_MASK_INT16
#else
#define P_PAIR_MASK_INT16 0
#endif
#ifdef NPE_PAIR_MASK_FP4
#define P_PAIR_MASK_FP4 NPE_PAIR_MASK_FP4
#else
#define P_PAIR_MASK_FP4 0
#endif
#ifdef NPE_PAIR_MASK_MXFP4
#define P_PAIR_MASK_MXFP4 NPE_PAIR_MASK_MXFP4
#else
#define P_PAIR_MASK_MXFP4 0
#endif
#ifdef NPE_PAIR_MASK_POSIT4
#define P_PAIR_MASK_POSIT4 NPE_PAIR_MASK_POSIT4
#else
#define P_PAIR_MASK_POSIT4 0
#endif
#ifdef NPE_PAIR_MASK_POSIT8
#define P_PAIR_MASK_POSIT8 NPE_PAIR_MASK_POSIT8
#else
#define P_PAIR_MASK_POSIT8 0
#endif
#ifdef NPE_PAIR_MASK_POSIT16
#define P_PAIR_MASK_POSIT16 NPE_PAIR_MASK_POSIT16
#else
#define P_PAIR_MASK_POSIT16 0
#endif
#ifdef NPE_PAIR_MASK_OVP4
#define P_PAIR_MASK_OVP4 NPE_PAIR_MASK_OVP4
#else
#define P_PAIR_MASK_OVP4 0
#endif
#ifdef NPE_PAIR_MASK_OVP4F
#define P_PAIR_MASK_OVP4F NPE_PAIR_MASK_OVP4F
#else
#define P_PAIR_MASK_OVP4F 0
#endif
#ifdef NPE_PAIR_MASK_OVP8
#define P_PAIR_MASK_OVP8 NPE_PAIR_MASK_OVP8
#else
#define P_PAIR_MASK_OVP8 0
#endif

#if P_STREAM_W != 16 * P_J * P_LANES
#error "STREAM_W must be 16 * J * LANES"
#endif

#endif
