/*
 * sim/systemc/sc_cfg.h - the co-processor configuration a SystemC program is
 * compiled for (rtl_gen's C header, -DNPE_PARAMS_H) and the C libraries
 * it checks against: kernels_ref (engine_dot, formats) and host/packer
 * (stream layout, cycle model).
 */
#ifndef SIM_SC_CFG_H
#define SIM_SC_CFG_H

extern "C" {
#include "engine.h"
#include "formats.h"
#include "packer.h"
#include "wide.h"
}

#ifndef NPE_PARAMS_H
#error "compile with -DNPE_PARAMS_H='\"build/rtl/<cfg>/<cfg>_params.h\"'"
#endif
#include NPE_PARAMS_H

#ifndef NPE_CFG
#define NPE_CFG "npe"
#endif

namespace npe_cfg {

constexpr int beat_bytes = NPE_STREAM_W / 8;
constexpr int mx_block = 32; /* OCP MX block (docs/protocol.md: NBLK = ceil(K / 32)) */
constexpr int nblk(int cols) { return (cols + mx_block - 1) / mx_block; }

inline npe_geom geom() {
    npe_geom g{};
    g.stream_w = NPE_STREAM_W;
    g.lanes = NPE_LANES;
    g.units = NPE_J;
    g.acc_w = NPE_ACC_W;
    g.ovp_first_high = NPE_OVP_FIRST_HIGH;
    g.latency = NPE_COPROC_LATENCY;
    g.result_depth = NPE_RESULT_DEPTH;
    return g;
}

inline engine_cfg ecfg() {
    engine_cfg e{};
    e.acc_w = NPE_ACC_W;
    e.acc_lsb = NPE_ACC_LSB;
    e.k_max = NPE_K_MAX;
    e.subunits = NPE_J;
    return e;
}

inline int fmt_bits(fmt_id f) { return fmt_get(f)->bits; }
inline bool fmt_mx(fmt_id f) { return fmt_get(f)->block > 0; }
inline bool fmt_ovp(fmt_id f) { return fmt_get(f)->family == FAM_OVP; }
inline int elem_bits(fmt_id w, fmt_id a) {
    return fmt_bits(w) > fmt_bits(a) ? fmt_bits(w) : fmt_bits(a);
}
/* Enabled on both sides, and not an OVP format next to a 16-bit one
 * (docs/protocol.md section 1: that pair is refused). */
inline bool pair_supported(fmt_id w, fmt_id a) {
    return (NPE_WFMT_MASK >> w & 1) && (NPE_AFMT_MASK >> a & 1) &&
           !((fmt_ovp(w) || fmt_ovp(a)) && elem_bits(w, a) == 16);
}

} // namespace npe_cfg

#endif
