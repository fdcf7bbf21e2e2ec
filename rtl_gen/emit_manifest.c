/*
 * rtl_gen/emit_manifest.c - <name>_manifest.json (parameters, derived
 * numbers, modules, files, command line, generator version) and <name>.f
 * (the Verilog file list, names relative to its own directory).
 */
#include <string.h>

#include "rtl_gen.h"

static const char *json_str(const char *s) {
    const char *out = "\"";
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            out = S("%s\\%c", out, *s);
        else if ((unsigned char)*s < 0x20)
            out = S("%s\\u%04x", out, (unsigned char)*s);
        else
            out = S("%s%c", out, *s);
    }
    return S("%s\"", out);
}

static const char *json_fmts(fmt_mask m) {
    const char *out = "[";
    int first = 1;
    for (int f = 0; f < FMT_COUNT; f++)
        if (m & FMT_BIT(f)) {
            out = S("%s%s%s", out, first ? "" : ", ", json_str(fmt_get((fmt_id)f)->name));
            first = 0;
        }
    return S("%s]", out);
}

void emit_manifest(emitter *e, const arch *a, const char *const *modules, int n) {
    const rtl_cfg *c = a->cfg;
    em_printf(e, "{\n");
    em_indent(e);
    em_printf(e, "\"generator\": \"rtl_gen\",\n\"version\": %s,\n", json_str(RTL_GEN_VERSION));
    em_printf(e, "\"config\": %s,\n\"command\": %s,\n", json_str(c->name), json_str(g_stamp.command));
    em_printf(e, "\"parameters\": {\n");
    em_indent(e);
    const char *pipe = "[";
    for (int s = 0; s < PIPE_COUNT; s++)
        if (arch_has_stage(a, (pipe_stage)s))
            pipe = S("%s%s%s", pipe, pipe[1] ? ", " : "", json_str(cfg_pipe_name((pipe_stage)s)));
    pipe = S("%s]", pipe);
    em_printf(e,
              "\"name\": %s,\n\"prefix\": %s,\n\"lanes\": %d,\n\"stream_width\": %d,\n"
              "\"wfmts\": %s,\n\"afmts\": %s,\n\"k_max\": %d,\n\"acc_w\": %d,\n\"acc_w_derived\": %s,\n"
              "\"acc_lsb\": %d,\n\"acc_lsb_derived\": %s,\n\"ovp_nibble_order\": %s,\n"
              "\"ovp_policy\": %s,\n\"pipeline\": %s,\n\"isolate\": %s\n",
              json_str(c->name), json_str(c->prefix), c->lanes, c->stream_w, json_fmts(c->wfmts),
              json_fmts(c->afmts), c->k_max, c->acc_w, c->acc_w_set ? "false" : "true", c->acc_lsb,
              c->acc_lsb_set ? "false" : "true",
              json_str(c->ovp_first_high ? "first-high" : "first-low"),
              json_str(c->ovp_keep_left ? "keep-left" : "keep-larger"), pipe,
              c->isolate ? "true" : "false");
    em_dedent(e);
    em_printf(e, "},\n\"derived\": {\n");
    em_indent(e);
    em_printf(e,
              "\"j\": %d,\n\"latency\": %d,\n\"slots\": %d,\n\"sig_w\": %d,\n\"exp_w\": %d,\n"
              "\"unit_sum_w\": %d,\n\"lane_sum_w\": %d,\n\"has_mx\": %s,\n\"blk_lsb\": %d,\n"
              "\"mx_block_sum_w\": %d,\n\"decoder_instances_per_unit\": %d,\n",
              c->j, a->latency, a->nslots, a->sig_w, a->exp_w, a->unit_w, a->sum_w,
              a->has_mx ? "true" : "false", a->blk_lsb, a->mxb_w, a->ninst);
    em_printf(e, "\"slot_multipliers\": [");
    for (int i = 0; i < a->nslots; i++)
        em_printf(e, "%s\"%dx%d\"", i ? ", " : "", a->slot[i].sig_w[0], a->slot[i].sig_w[1]);
    em_printf(e, "],\n\"pairs\": {");
    int first = 1;
    for (int f = 0; f < FMT_COUNT; f++)
        if (c->wfmts & FMT_BIT(f)) {
            em_printf(e, "%s\n    %s: %s", first ? "" : ",", json_str(fmt_get((fmt_id)f)->name),
                      json_fmts(a->pair_ok[f]));
            first = 0;
        }
    em_printf(e, "\n}\n");
    em_dedent(e);
    const coproc_plan *cp = &a->cp;
    em_printf(e, "},\n\"coproc\": {\n");
    em_indent(e);
    em_printf(e,
              "\"module\": %s,\n\"result_words\": %d,\n\"group_beats\": %d,\n\"latency\": %d,\n"
              "\"result_depth\": %d,\n\"act_entries\": %d,\n\"nstep_max\": %d,\n"
              "\"wscale_entries\": %d,\n\"ascale_entries\": %d\n",
              json_str(a->mod_coproc), cp->rw, cp->group_beats, cp->latency, cp->depth,
              cp->act_entries, cp->nstep_max, cp->wsc_entries, cp->asc_entries);
    em_dedent(e);
    /* "top" stays the engine (the block the lane tests and area reports use);
     * the AXI co-processor around it is "coproc.module" */
    em_printf(e, "},\n\"top\": %s,\n\"modules\": [", json_str(a->mod_engine));
    for (int i = 0; i < n; i++)
        em_printf(e, "%s%s", i ? ", " : "", json_str(modules[i]));
    em_printf(e, "],\n\"files\": [");
    for (int i = 0; i < n; i++)
        em_printf(e, "%s%s", i ? ", " : "", json_str(S("%s.v", modules[i])));
    em_printf(e, ", %s, %s, %s]\n", json_str(S("%s.f", c->name)),
              json_str(S("%s_params.h", c->name)), json_str(S("%s_manifest.json", c->name)));
    em_dedent(e);
    em_printf(e, "}\n");
}

void emit_filelist(emitter *e, const arch *a, const char *const *modules, int n) {
    em_printf(e, "// %s.f - Verilog files of configuration \"%s\", dependencies first.\n",
              a->cfg->name, a->cfg->name);
    em_printf(e, "// Names are relative to this file: verilator -F %s.f (or run from here).\n",
              a->cfg->name);
    em_printf(e, "// Generated by rtl_gen %s. Command: %s\n", RTL_GEN_VERSION, g_stamp.command);
    for (int i = 0; i < n; i++)
        em_printf(e, "%s.v\n", modules[i]);
}
