/* host/backends.c - see backends.h. */
#define _XOPEN_SOURCE 700 /* mkdtemp, kill, nanosleep */

#include "backends.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dev_xdma.h"
#include "npe_regs.h"
#ifdef HOST_WITH_SIM
#include "dev_sim.h"
#endif

#define EMU_START_TIMEOUT_MS 30000 /* model build + mount */

static int fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static const struct {
    const char *name, *help;
} table[] = {
    {"fp32", "FP32 on the host (the unquantized reference)"},
    {"ref", "quantized (--wfmt/--afmt); kernels_ref's bit-exact model of the lanes"},
    {"sim", "quantized; the Verilated co-processor in this process"},
    {"xdma", "quantized; a board through the XDMA driver's files (--xdma PREFIX)"},
    {"emu", "quantized; as xdma, on the files of the XDMA emulator (xdma_emu, FUSE)"},
};
#define N_TABLE ((int)(sizeof table / sizeof table[0]))

const char *hb_names(void) { return "fp32, ref, sim, xdma, emu"; }

int hb_have_sim(void) {
#ifdef HOST_WITH_SIM
    return 1;
#else
    return 0;
#endif
}

void hb_help(FILE *f, const char *indent) {
    for (int i = 0; i < N_TABLE; i++)
        fprintf(f, "%s%-5s %s%s\n", indent, table[i].name, table[i].help,
                !strcmp(table[i].name, "sim") && !hb_have_sim()
                    ? " (not in this binary: use build/host/<cfg>/run_model)"
                    : "");
}

void hb_emu_default(const char *cfg, char *path, size_t n) {
    snprintf(path, n, "build/host/%s/xdma_emu", cfg);
}

/* ------------------------------------------------------------ the emulator process */

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void emu_stop(host_backend *hb) {
    if (hb->emu_pid > 0) {
        pid_t u = fork();
        if (u == 0) {
            execlp("fusermount3", "fusermount3", "-u", "-q", hb->emu_dir, (char *)NULL);
            _exit(127);
        }
        if (u > 0)
            waitpid(u, NULL, 0);
        int st, waited = 0;
        while (waitpid(hb->emu_pid, &st, WNOHANG) == 0) {
            if (waited == 5000) /* not unmounted: ask it to stop */
                kill(hb->emu_pid, SIGTERM);
            if (waited == 10000) {
                kill(hb->emu_pid, SIGKILL);
                waitpid(hb->emu_pid, &st, 0);
                break;
            }
            sleep_ms(10);
            waited += 10;
        }
        hb->emu_pid = 0;
    }
    if (hb->emu_dir[0]) {
        rmdir(hb->emu_dir);
        hb->emu_dir[0] = '\0';
    }
}

static int emu_start(host_backend *hb, const char *bin, char *err, size_t errlen) {
    if (access("/dev/fuse", R_OK | W_OK) != 0)
        return fail(err, errlen,
                    "the emu backend needs FUSE, and /dev/fuse is not usable (%s): load the fuse "
                    "module, or run the container with --device /dev/fuse --cap-add SYS_ADMIN",
                    strerror(errno));
    if (access(bin, X_OK) != 0)
        return fail(err, errlen, "the XDMA emulator %s is not there (%s): build it with `make "
                                 "sim BACKEND=emu` or give --emu PATH",
                    bin, strerror(errno));
    const char *tmp = getenv("TMPDIR");
    snprintf(hb->emu_dir, sizeof hb->emu_dir, "%s/npe-xdma-emu.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(hb->emu_dir)) {
        int e = errno;
        hb->emu_dir[0] = '\0';
        return fail(err, errlen, "cannot make a mount point for the emulator: %s", strerror(e));
    }
    pid_t pid = fork();
    if (pid < 0) {
        emu_stop(hb);
        return fail(err, errlen, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        /* if run_model dies without unmounting, the emulator unmounts itself */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        execl(bin, bin, "--name", "xdma0", hb->emu_dir, (char *)NULL);
        fprintf(stderr, "cannot run %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    hb->emu_pid = pid;
    char user[512];
    snprintf(user, sizeof user, "%s/xdma0_user", hb->emu_dir);
    for (int waited = 0;; waited += 10) {
        struct stat st;
        if (stat(user, &st) == 0)
            return 0;
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            hb->emu_pid = 0;
            emu_stop(hb);
            return fail(err, errlen, "the XDMA emulator %s stopped before mounting (%s %d; its "
                                     "message is above)",
                        bin, WIFEXITED(status) ? "exit status" : "signal",
                        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        }
        if (waited >= EMU_START_TIMEOUT_MS) {
            emu_stop(hb);
            return fail(err, errlen, "the XDMA emulator did not mount within %d ms",
                        EMU_START_TIMEOUT_MS);
        }
        sleep_ms(10);
    }
}

/* ------------------------------------------------------------ open / close */

int hb_open(host_backend *hb, const char *name, const model *m, const hb_opts *o, char *err,
            size_t errlen) {
    memset(hb, 0, sizeof *hb);
    snprintf(hb->name, sizeof hb->name, "%s", name);
    int known = 0;
    for (int i = 0; i < N_TABLE; i++)
        known |= !strcmp(table[i].name, name);
    if (!known)
        return fail(err, errlen, "unknown backend '%s'; available: %s", name, hb_names());
    if (!strcmp(name, "fp32")) {
        hb->mv = (matvec_backend){.name = "fp32", .matvec = matvec_fp32, .ctx = NULL};
        return 0;
    }
    char e2[2048];
    if (hwcfg_load_params(o->config, &hb->hw, e2, sizeof e2))
        return fail(err, errlen, "%s", e2);
    qengine eng = {.name = "ref", .run = qengine_ref_run, .ctx = &hb->hw};
    if (strcmp(name, "ref") != 0) {
        void *h = NULL;
        const npe_transport *t = NULL;
        if (!strcmp(name, "sim")) {
#ifdef HOST_WITH_SIM
            char *args[2] = {NULL, NULL};
            char trace[600];
            if (o->sim_trace) {
                snprintf(trace, sizeof trace, "+trace=%s", o->sim_trace);
                args[0] = trace;
            }
            h = dev_sim_open(o->sim_trace ? 1 : 0, args, e2, sizeof e2);
            t = &dev_sim_transport;
            if (!h && o->sim_trace) {
                size_t n = strlen(e2);
                snprintf(e2 + n, sizeof e2 - n,
                         "; --sim-trace needs the traced runner build/host/<cfg>-trace/run_model "
                         "(make build/host/%s-trace/run_model)",
                         hb->hw.name);
            }
#else
            return fail(err, errlen,
                        "this run_model has no co-processor model linked in; the sim backend is "
                        "in build/host/<cfg>/run_model (make sim MODEL=tiny-llama builds it)");
#endif
        } else {
            char bin[512];
            const char *prefix = o->xdma ? o->xdma : XDMA_PREFIX_DEFAULT;
            char emu_prefix[300];
            if (!strcmp(name, "emu")) {
                if (!o->emu_bin)
                    hb_emu_default(hb->hw.name, bin, sizeof bin);
                if (emu_start(hb, o->emu_bin ? o->emu_bin : bin, err, errlen))
                    return -1;
                snprintf(emu_prefix, sizeof emu_prefix, "%s/xdma0", hb->emu_dir);
                prefix = emu_prefix;
            }
            h = dev_xdma_open(prefix, e2, sizeof e2);
            t = &dev_xdma_transport;
        }
        if (!h) {
            emu_stop(hb);
            return fail(err, errlen, "%s", e2);
        }
        if (npe_dev_open(&hb->dev, t, h, &hb->hw, e2, sizeof e2)) {
            emu_stop(hb);
            return fail(err, errlen, "%s", e2);
        }
        hb->have_dev = 1;
        eng = (qengine){.name = hb->name, .run = npe_dev_run, .ctx = &hb->dev};
    }
    if (qbackend_open(&hb->qb, m, &hb->hw, (fmt_id)o->wfmt, (fmt_id)o->afmt, eng, e2,
                      sizeof e2)) {
        hb_close(hb);
        return fail(err, errlen, "%s", e2);
    }
    hb->mv = qbackend_as_matvec(hb->qb, hb->name);
    return 0;
}

uint64_t hb_sim_cycles(const host_backend *hb) {
    return hb->have_dev && hb->dev.t.cycles ? hb->dev.t.cycles(hb->dev.h) : 0;
}

void hb_report(host_backend *hb, FILE *f, int tokens) {
    if (!hb->qb)
        return;
    const qb_stats *s = qbackend_stats(hb->qb);
    fprintf(f,
            "run_model: %s x %s on '%s': %llu jobs, %llu rows; rows with INEXACT %llu, "
            "OVERFLOW %llu, NaR/NaN-scale %llu\n",
            fmt_get(qbackend_wfmt(hb->qb))->name, fmt_get(qbackend_afmt(hb->qb))->name,
            hb->hw.name, (unsigned long long)s->jobs, (unsigned long long)s->rows,
            (unsigned long long)s->rows_inexact, (unsigned long long)s->rows_overflow,
            (unsigned long long)s->rows_special);
    if (!hb->have_dev)
        return;
    const npe_dev_stats *d = &hb->dev.stats;
    uint64_t busy = 0, in_stall = 0, out_stall = 0, macs = 0;
    char e2[512];
    int have = !npe_dev_counter(&hb->dev, NPE_REG_BUSY_LO, &busy, e2, sizeof e2) &&
               !npe_dev_counter(&hb->dev, NPE_REG_IN_STALL_LO, &in_stall, e2, sizeof e2) &&
               !npe_dev_counter(&hb->dev, NPE_REG_OUT_STALL_LO, &out_stall, e2, sizeof e2) &&
               !npe_dev_counter(&hb->dev, NPE_REG_MACS_LO, &macs, e2, sizeof e2);
    int tk = tokens > 0 ? tokens : 1;
    if (have)
        fprintf(f,
                "run_model: device: busy %llu cycles (%.0f per token), input stalls %llu, output "
                "stalls %llu, %llu MACs, %llu input beats\n",
                (unsigned long long)busy, (double)busy / tk, (unsigned long long)in_stall,
                (unsigned long long)out_stall, (unsigned long long)macs,
                (unsigned long long)d->beats_in);
    else
        fprintf(f, "run_model: device counters unreadable: %s\n", e2);
    if (hb->dev.t.cycles)
        fprintf(f,
                "run_model: simulated %llu cycles in jobs (%.0f cycles per token), %llu in all "
                "(register accesses included)\n",
                (unsigned long long)d->cycles, (double)d->cycles / tk,
                (unsigned long long)hb_sim_cycles(hb));
}

void hb_close(host_backend *hb) {
    qbackend_close(hb->qb);
    hb->qb = NULL;
    if (hb->have_dev)
        npe_dev_close(&hb->dev);
    hb->have_dev = 0;
    emu_stop(hb);
}
