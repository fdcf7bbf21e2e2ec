/*
 * kernels_ref/kref.c - command-line access to the reference model, used by
 * the oracle tests (which compare its output with independent packages) and
 * by people who want to look at a format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: kref COMMAND [ARGS]\n"
            "  formats                 list the registry with derived facts\n"
            "  decode FMT              every code (OVP: every pair) -> neg exp sig value flags\n"
            "  quantize FMT [--keep-left]\n"
            "                          read numbers from stdin (one per line; OVP: two per\n"
            "                          line), print the code(s) in hex; --keep-left selects\n"
            "                          the OVP both-outlier policy (default: keep larger)\n"
            "formats: %s\n",
            fmt_all_names());
}

static int get_fmt(const char *name) {
    int f = fmt_by_name(name);
    if (f < 0) {
        fprintf(stderr, "kref: unknown format '%s' (known: %s)\n", name, fmt_all_names());
        exit(2);
    }
    return f;
}

static void print_dec(decoded d) {
    printf("%d %d %u %a", d.neg, d.exp, d.sig, decoded_to_double(d));
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "formats")) {
        printf("name bits block sig_bits exp_min exp_max lsb_log2 max_abs min_pos source\n");
        for (int i = 0; i < FMT_COUNT; i++) {
            const fmt_traits *t = fmt_get((fmt_id)i);
            printf("%s %d %d %d %d %d %d %.17g %.17g \"%s\"\n", t->name, t->bits, t->block,
                   t->sig_bits, t->exp_min, t->exp_max, t->lsb_log2, t->max_abs, t->min_pos,
                   t->source);
        }
        return 0;
    }
    if (argc < 3) {
        usage(stderr);
        return 2;
    }
    int f = get_fmt(argv[2]);
    const fmt_traits *t = fmt_get((fmt_id)f);
    if (!strcmp(argv[1], "decode")) {
        uint32_t n = 1u << t->bits;
        if (t->family == FAM_OVP) {
            for (uint32_t c0 = 0; c0 < n; c0++)
                for (uint32_t c1 = 0; c1 < n; c1++) {
                    uint16_t c[2] = {(uint16_t)c0, (uint16_t)c1};
                    decoded d[2];
                    unsigned fl = fmt_decode_vec((fmt_id)f, c, 2, d);
                    printf("%x %x ", c0, c1);
                    print_dec(d[0]);
                    printf(" ");
                    print_dec(d[1]);
                    printf(" %u\n", fl);
                }
        } else {
            for (uint32_t c = 0; c < n; c++) {
                decoded d;
                unsigned fl = fmt_decode((fmt_id)f, (uint16_t)c, &d);
                printf("%x ", c);
                print_dec(d);
                printf(" %u\n", fl);
            }
        }
        return 0;
    }
    if (!strcmp(argv[1], "quantize")) {
        ovp_policy pol = (argc > 3 && !strcmp(argv[3], "--keep-left")) ? OVP_KEEP_LEFT
                                                                          : OVP_KEEP_LARGER;
        char line[256];
        while (fgets(line, sizeof line, stdin)) {
            char *end;
            double x0 = strtod(line, &end);
            if (end == line)
                continue;
            if (t->family == FAM_OVP) {
                char *end2;
                double x1 = strtod(end, &end2);
                if (end2 == end) {
                    fprintf(stderr, "kref: OVP quantize needs two numbers per line: %s", line);
                    return 2;
                }
                uint16_t c0, c1;
                ovp_quantize_pair(t, x0, x1, pol, &c0, &c1);
                printf("%x %x\n", c0, c1);
            } else {
                unsigned fl = 0;
                printf("%x\n", fmt_quantize((fmt_id)f, x0, &fl));
            }
        }
        return 0;
    }
    fprintf(stderr, "kref: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
