/*
 * host/npe_regs.h - the co-processor's register map and field macros for
 * host code: NPE_REG_* offsets, NPE_CTRL_*, NPE_STATUS_*, NPE_CAUSE_*,
 * NPE_FMT_*_SHIFT, NPE_ID_VALUE (docs/protocol.md section 4), taken from a
 * generated <cfg>_params.h (host/host.mk passes -DNPE_PARAMS_H=<path> of
 * the default configuration).  The register map is rtl_gen/regs.def, the
 * same for every configuration; the header's configuration-specific macros
 * (NPE_LANES, NPE_ACC_W, ...) must not be used by host code, which reads the
 * geometry from the device (hwcfg.h).
 */
#ifndef HOST_NPE_REGS_H
#define HOST_NPE_REGS_H

#ifndef NPE_PARAMS_H
#error "compile with -DNPE_PARAMS_H='\"build/rtl/<cfg>/<cfg>_params.h\"' (host/host.mk does)"
#endif
#include NPE_PARAMS_H

#ifndef NPE_REG_STATUS
#error "NPE_PARAMS_H has no register map (NPE_REG_*): regenerate it with the current rtl_gen (make rtl)"
#endif

#endif
