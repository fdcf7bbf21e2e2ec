/*
 * rtl_gen/rtl_gen.h - the emitters: one function per generated file.  Each
 * prints into an emitter (emit.h) from the derived structure (arch.h).
 */
#ifndef RTL_GEN_RTL_GEN_H
#define RTL_GEN_RTL_GEN_H

#include "arch.h"
#include "emit.h"

/* Verilog modules (one file each). */
void emit_decoder(emitter *e, const arch *a, int group); /* emit_decoder.c  */
/* The decoder of a group as a Verilog function (emit_decoder.c), for the
 * decoder module and the unit: its name, its result width, and the slice of
 * field 'n' (neg), 'e' (expb), 's' (sig) or 'r' (nar) of element elem (OVP
 * pairs: 0 or 1) of a result held in val. */
void emit_decoder_function(emitter *e, const arch *a, int group);
const char *dec_fn_name(const dec_group *d);
int dec_fn_width(const dec_group *d);
const char *dec_fn_field(const dec_group *d, const char *val, int elem, char field);
void emit_unit(emitter *e, const arch *a);               /* emit_unit.c     */
void emit_lane(emitter *e, const arch *a);               /* emit_lane.c     */
void emit_engine(emitter *e, const arch *a);             /* emit_engine.c   */
void emit_probe(emitter *e, const arch *a);              /* emit_probe.c    */
void emit_coproc(emitter *e, const arch *a);             /* emit_coproc.c (+ emit_regs.c) */

/* The register map of rtl_gen/regs.def (emit_regs.c), for the header. */
int coproc_nregs(void);
const char *coproc_reg_name(int i);
int coproc_reg_offset(int i);

/* Software-side files. */
void emit_header(emitter *e, const arch *a);             /* emit_header.c   */
/* modules: the generated module names in file-list order. */
void emit_manifest(emitter *e, const arch *a, const char *const *modules, int n);
void emit_filelist(emitter *e, const arch *a, const char *const *modules, int n);

#endif
