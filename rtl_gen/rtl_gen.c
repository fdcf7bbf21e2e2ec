/*
 * rtl_gen/rtl_gen.c - the generator's main: read the parameters (config
 * file, then the command line), derive the structure, print every file into
 * memory, then write them (each atomically: temp file + rename).
 *
 *   build/bin/rtl_gen --config rtl_gen/configs/all.cfg      -> build/rtl/all/
 *   build/bin/rtl_gen --help
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rtl_gen.h"

#define MAX_FILES (FMT_COUNT + 16)

typedef struct {
    const char *name; /* file name inside the output directory */
    emitter text;
} out_file;

static int mkdir_p(const char *path, char *err, size_t n) {
    char buf[CFG_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || !*p) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, 0777) && errno != EEXIST) {
                snprintf(err, n, "cannot create directory %s: %s", buf, strerror(errno));
                return -1;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    return 0;
}

/* The command line as stamped into every file: argv[0] as "rtl_gen" and
 * without --out (where the files go is not part of the design). */
static const char *stamp_command(int argc, char **argv) {
    const char *cmd = "rtl_gen";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--out")) {
            i++;
            continue;
        }
        if (!strncmp(argv[i], "--out=", 6))
            continue;
        int plain = argv[i][0] != 0;
        for (const char *s = argv[i]; *s; s++)
            if (!(isalnum((unsigned char)*s) || strchr("-_=.,/:+", *s)))
                plain = 0;
        cmd = plain ? S("%s %s", cmd, argv[i]) : S("%s '%s'", cmd, argv[i]);
    }
    return cmd;
}

static const char *summary(const rtl_cfg *c, const arch *a) {
    char wf[256], af[256], pl[64];
    fmt_mask all = (fmt_mask)((1u << FMT_COUNT) - 1);
    if (c->wfmts == all)
        snprintf(wf, sizeof wf, "all");
    else
        cfg_fmt_list(c->wfmts, wf, sizeof wf);
    if (c->afmts == all)
        snprintf(af, sizeof af, "all");
    else
        cfg_fmt_list(c->afmts, af, sizeof af);
    cfg_pipe_list(c->pipe, pl, sizeof pl);
    return S("lanes %d, stream %d (J %d), wfmts %s, afmts %s, K_MAX %d, ACC_W %d, ACC_LSB %d, "
             "pipeline %s (LATENCY %d), isolate %s, ovp %s",
             c->lanes, c->stream_w, c->j, wf, af, c->k_max, c->acc_w, c->acc_lsb, pl, a->latency,
             c->isolate ? "on" : "off", c->ovp_first_high ? "first-high" : "first-low");
}

int main(int argc, char **argv) {
    rtl_cfg cfg;
    char err[1024];
    cfg_init(&cfg);

    /* pass 1: --help, --version, --config */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            cfg_print_help(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--version")) {
            printf("rtl_gen %s\n", RTL_GEN_VERSION);
            return 0;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *file = NULL;
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            file = argv[++i];
        else if (!strncmp(argv[i], "--config=", 9))
            file = argv[i] + 9;
        if (file && cfg_load_file(&cfg, file, err, sizeof err)) {
            fprintf(stderr, "rtl_gen: %s\n", err);
            return 2;
        }
    }
    /* pass 2: every other option, in order (overriding the file) */
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2)) {
            fprintf(stderr, "rtl_gen: unexpected argument '%s' (options are --key value; see "
                            "--help)\n", arg);
            return 2;
        }
        char key[64];
        const char *val;
        const char *eq = strchr(arg, '=');
        if (eq) {
            snprintf(key, sizeof key, "%.*s", (int)(eq - arg - 2), arg + 2);
            val = eq + 1;
        } else {
            snprintf(key, sizeof key, "%s", arg + 2);
            if (i + 1 >= argc) {
                fprintf(stderr, "rtl_gen: --%s needs a value (see --help)\n", key);
                return 2;
            }
            val = argv[++i];
        }
        if (!cfg_is_key(key)) {
            fprintf(stderr, "rtl_gen: unknown option --%s (see --help)\n", key);
            return 2;
        }
        if (!strcmp(key, "config"))
            continue;
        if (cfg_set(&cfg, key, val, S("--%s", key), err, sizeof err)) {
            fprintf(stderr, "rtl_gen: %s\n", err);
            return 2;
        }
    }
    if (cfg_finish(&cfg, err, sizeof err)) {
        fprintf(stderr, "rtl_gen: %s\n", err);
        return 2;
    }
    static arch a;
    if (arch_build(&a, &cfg, err, sizeof err)) {
        fprintf(stderr, "rtl_gen: %s\n", err);
        return 1;
    }
    g_stamp.command = stamp_command(argc, argv);
    g_stamp.config = cfg.name;
    g_stamp.summary = summary(&cfg, &a);

    /* Print everything first: nothing is written unless all of it exists. */
    static out_file files[MAX_FILES];
    const char *modules[MAX_FILES];
    int nf = 0, nm = 0;
    for (int g = 0; g < a.ngrp; g++) {
        out_file *f = &files[nf++];
        em_init(&f->text);
        emit_decoder(&f->text, &a, g);
        modules[nm++] = a.grp[g].mod;
        f->name = S("%s.v", a.grp[g].mod);
    }
    struct {
        void (*fn)(emitter *, const arch *);
        const char *mod;
    } mods[] = {{emit_unit, a.mod_unit}, {emit_lane, a.mod_lane}, {emit_engine, a.mod_engine},
                {emit_probe, a.mod_probe}, {emit_coproc, a.mod_coproc}};
    for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++) {
        out_file *f = &files[nf++];
        em_init(&f->text);
        mods[i].fn(&f->text, &a);
        modules[nm++] = mods[i].mod;
        f->name = S("%s.v", mods[i].mod);
    }
    out_file *f = &files[nf++];
    em_init(&f->text);
    emit_filelist(&f->text, &a, modules, nm);
    f->name = S("%s.f", cfg.name);
    f = &files[nf++];
    em_init(&f->text);
    emit_header(&f->text, &a);
    f->name = S("%s_params.h", cfg.name);
    f = &files[nf++];
    em_init(&f->text);
    emit_manifest(&f->text, &a, modules, nm);
    f->name = S("%s_manifest.json", cfg.name);

    int rc = 0;
    if (mkdir_p(cfg.out_dir, err, sizeof err)) {
        fprintf(stderr, "rtl_gen: %s\n", err);
        rc = 1;
    }
    for (int i = 0; i < nf && !rc; i++) {
        const char *path = S("%s/%s", cfg.out_dir, files[i].name);
        if (write_file_atomic(path, files[i].text.buf, files[i].text.len, err, sizeof err)) {
            fprintf(stderr, "rtl_gen: %s\n", err);
            rc = 1;
        }
    }
    for (int i = 0; i < nf; i++)
        em_free(&files[i].text);
    if (!rc)
        printf("rtl_gen: %s: %d files in %s (LATENCY %d)\n", cfg.name, nf, cfg.out_dir, a.latency);
    str_free_all();
    return rc;
}
