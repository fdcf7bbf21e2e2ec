/*
 * host/xdma_emu.c - an XDMA emulator: a FUSE file system that presents the
 * three device files of the Xilinx XDMA driver in AXI4-Stream mode and runs
 * the Verilated co-processor (linked in, driven by host/coproc_pins.c)
 * behind them, so the `xdma` backend's code runs unchanged against a
 * simulation (run_model --backend emu).  `xdma_emu --help` tells how.
 *
 * Semantics (those of dma_ip_drivers XDMA/linux-kernel/xdma, cdev_ctrl.c and
 * cdev_sgdma.c, as far as a stream user sees them):
 *   <name>_user   pread/pwrite of 4 bytes at a 4-aligned byte offset below
 *                 0x1000 is one AXI4-Lite read/write of that register
 *                 (unaligned: EPROTO, as the driver; a non-OKAY response: EIO);
 *   <name>_h2c_0  each write() is one packet into s_axis: its bytes in beats
 *                 of W/8 (a length that is not whole beats: EINVAL), TLAST on
 *                 the last beat; it returns when the co-processor took every
 *                 beat (ETIMEDOUT after --timeout-ms, like the driver's
 *                 h2c_timeout_ms);
 *   <name>_c2h_0  each read() of N bytes (whole beats) blocks until N bytes
 *                 of m_axis arrived or a beat with TLAST ended the packet
 *                 (then it returns the bytes received, the last beat counting
 *                 its TKEEP bytes); ETIMEDOUT after --timeout-ms.
 * The files are opened with direct_io, so every read/write reaches this
 * program as it was issued.  The kernel splits writes above max_write
 * (1 MiB here, when the kernel allows) into several requests; each would end
 * with TLAST, so packets must stay below that (a split is reported).
 *
 * Threads: FUSE serves requests on several threads; one simulation thread
 * owns the model and moves its clock whenever a register access, H2C data
 * or a waiting C2H reader needs it, so the two stream directions run
 * concurrently, as on the board.
 */
#define FUSE_USE_VERSION 31
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fuse.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "coproc_pins.h"
#include "vsim.h"

#define NAME_DEFAULT "xdma0"
#define TIMEOUT_MS_DEFAULT 10000 /* the driver's h2c/c2h_timeout_ms default */
#define REG_WINDOW 0x1000        /* 12 AXI4-Lite address bits (protocol.md section 0) */
#define MAX_WRITE (1u << 20)
#define BATCH 256                /* cycles between lock releases                */
#define IDLE_SPIN 256            /* idle cycles (no beat, no register) before the thread waits for work (1 ms at most) between batches: more than any result latency */

typedef struct {
    /* options */
    char name[64];
    int timeout_ms;
    int verbose;
    char trace[512];
    /* the model, owned by the simulation thread */
    npe_pins *pins;
    int bb;
    char open_err[512];
    int ready; /* 1 model up, -1 failed */
    pthread_t thread;
    /* shared state, under mu */
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    int quit;
    /* one register access at a time (reg_mu) */
    pthread_mutex_t reg_mu;
    int reg_pending, reg_started, reg_done, reg_write;
    int reg_abort; /* the requester gave up: drop the transaction in flight */
    uint32_t reg_addr, reg_data, reg_rdata, reg_resp;
    /* one H2C packet at a time (h2c_mu) */
    pthread_mutex_t h2c_mu;
    const uint8_t *h2c_buf;
    size_t h2c_len, h2c_pos, h2c_next_off;
    int h2c_active;
    /* one C2H read at a time (c2h_mu) */
    pthread_mutex_t c2h_mu;
    uint8_t *c2h_buf;
    size_t c2h_cap, c2h_got;
    int c2h_active, c2h_done;
    uint64_t beats_in, beats_out, reg_ops;
} emu;

static emu E;

static void logmsg(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "xdma_emu: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

/* ------------------------------------------------------------ simulation thread */

static void deadline(struct timespec *ts, int ms) {
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void *sim_thread(void *arg) {
    emu *e = arg;
    char *argv[2] = {e->trace[0] ? e->trace : NULL, NULL};
    npe_pins *p = npe_pins_open(e->trace[0] ? 1 : 0, argv, e->open_err, sizeof e->open_err);
    pthread_mutex_lock(&e->mu);
    e->pins = p;
    e->bb = p ? npe_pins_beat_bytes(p) : 0;
    e->ready = p ? 1 : -1;
    pthread_cond_broadcast(&e->done);
    uint64_t idle = 0;
    while (p && !e->quit) {
        if (e->reg_abort) {
            if (npe_pins_lite_busy(p))
                npe_pins_lite_abort(p);
            e->reg_abort = 0;
        }
        int want = e->reg_pending || (e->h2c_active && e->h2c_pos < e->h2c_len) ||
                   (e->c2h_active && !e->c2h_done);
        if (!want) {
            idle = 0;
            pthread_cond_wait(&e->work, &e->mu);
            continue;
        }
        if (idle > IDLE_SPIN) { /* e.g. a reader waiting for a job never started */
            struct timespec ts;
            deadline(&ts, 1);
            pthread_cond_timedwait(&e->work, &e->mu, &ts);
        }
        int events = 0;
        for (int k = 0; k < BATCH && !events; k++) {
            if (e->reg_pending && !e->reg_started) {
                npe_pins_lite_start(p, e->reg_write, e->reg_addr, e->reg_data);
                e->reg_started = 1;
            }
            size_t bb = (size_t)e->bb;
            npe_pins_io io = {0};
            if (e->h2c_active && e->h2c_pos < e->h2c_len) {
                io.in_beat = e->h2c_buf + e->h2c_pos;
                io.in_last = e->h2c_pos + bb == e->h2c_len;
            }
            if (e->c2h_active && !e->c2h_done && e->c2h_got + bb <= e->c2h_cap)
                io.out_beat = e->c2h_buf + e->c2h_got;
            npe_pins_cycle(p, &io);
            int act = 0;
            if (io.in_taken) {
                e->h2c_pos += bb;
                e->beats_in++;
                act = 1;
                if (e->h2c_pos == e->h2c_len)
                    events++;
            }
            if (io.out_got) {
                e->c2h_got += (size_t)io.out_bytes;
                e->beats_out++;
                act = 1;
                if (io.out_last || e->c2h_got + bb > e->c2h_cap) {
                    e->c2h_done = 1;
                    events++;
                }
            }
            if (e->reg_started) {
                if (npe_pins_lite_done(p, &e->reg_rdata, &e->reg_resp)) {
                    e->reg_done = 1;
                    e->reg_pending = e->reg_started = 0;
                    act = 1;
                    events++;
                } else if (npe_pins_lite_age(p) > NPE_PINS_LITE_TIMEOUT) {
                    npe_pins_lite_abort(p);
                    e->reg_resp = 0x100; /* no response: reported as EIO */
                    e->reg_done = 1;
                    e->reg_pending = e->reg_started = 0;
                    events++;
                }
            }
            idle = act ? 0 : idle + 1;
        }
        if (events)
            pthread_cond_broadcast(&e->done);
        /* let the FUSE threads in */
        pthread_mutex_unlock(&e->mu);
        pthread_mutex_lock(&e->mu);
    }
    pthread_mutex_unlock(&e->mu);
    return NULL;
}

/* Waits on done until *flag or the timeout; returns 0 or -ETIMEDOUT. */
static int wait_for(emu *e, const int *flag) {
    struct timespec ts;
    deadline(&ts, e->timeout_ms);
    while (!*flag && !e->quit)
        if (pthread_cond_timedwait(&e->done, &e->mu, &ts) == ETIMEDOUT)
            return *flag ? 0 : -ETIMEDOUT;
    return *flag ? 0 : -EIO;
}

static int reg_access(emu *e, int is_write, uint32_t addr, uint32_t *v) {
    pthread_mutex_lock(&e->reg_mu);
    pthread_mutex_lock(&e->mu);
    e->reg_write = is_write;
    e->reg_addr = addr;
    e->reg_data = is_write ? *v : 0;
    e->reg_done = e->reg_started = 0;
    e->reg_pending = 1;
    e->reg_ops++;
    pthread_cond_signal(&e->work);
    int rc = wait_for(e, &e->reg_done);
    if (rc == 0 && e->reg_resp != 0) {
        if (e->verbose)
            logmsg("register 0x%03x %s: response %u", addr, is_write ? "write" : "read",
                   e->reg_resp);
        rc = -EIO;
    }
    if (rc == 0 && !is_write)
        *v = e->reg_rdata;
    if (rc && e->reg_started)
        e->reg_abort = 1;
    e->reg_pending = e->reg_started = 0;
    pthread_mutex_unlock(&e->mu);
    pthread_mutex_unlock(&e->reg_mu);
    return rc;
}

/* ------------------------------------------------------------ files */

enum { F_NONE, F_ROOT, F_USER, F_H2C, F_C2H };

static int which(const char *path) {
    if (strcmp(path, "/") == 0)
        return F_ROOT;
    if (path[0] != '/' || strncmp(path + 1, E.name, strlen(E.name)) != 0)
        return F_NONE;
    const char *s = path + 1 + strlen(E.name);
    if (strcmp(s, "_user") == 0)
        return F_USER;
    if (strcmp(s, "_h2c_0") == 0)
        return F_H2C;
    if (strcmp(s, "_c2h_0") == 0)
        return F_C2H;
    return F_NONE;
}

static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
    (void)fi;
    memset(st, 0, sizeof *st);
    st->st_uid = getuid();
    st->st_gid = getgid();
    switch (which(path)) {
    case F_ROOT:
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return 0;
    case F_USER:
        st->st_mode = S_IFREG | 0666;
        st->st_size = REG_WINDOW;
        break;
    case F_H2C:
        st->st_mode = S_IFREG | 0222;
        break;
    case F_C2H:
        st->st_mode = S_IFREG | 0444;
        break;
    default:
        return -ENOENT;
    }
    st->st_nlink = 1;
    return 0;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags) {
    (void)off;
    (void)fi;
    (void)flags;
    if (which(path) != F_ROOT)
        return -ENOTDIR;
    fill(buf, ".", NULL, 0, 0);
    fill(buf, "..", NULL, 0, 0);
    const char *sfx[] = {"_user", "_h2c_0", "_c2h_0"};
    for (int i = 0; i < 3; i++) {
        char n[96];
        snprintf(n, sizeof n, "%s%s", E.name, sfx[i]);
        fill(buf, n, NULL, 0, 0);
    }
    return 0;
}

static int op_open(const char *path, struct fuse_file_info *fi) {
    int f = which(path);
    if (f == F_NONE || f == F_ROOT)
        return f == F_ROOT ? -EISDIR : -ENOENT;
    int acc = fi->flags & O_ACCMODE;
    if ((f == F_H2C && acc != O_WRONLY && acc != O_RDWR) || (f == F_C2H && acc != O_RDONLY && acc != O_RDWR))
        return -EACCES;
    fi->direct_io = 1; /* every read/write reaches us as issued */
    fi->keep_cache = 0;
    return 0;
}

static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
    (void)size;
    (void)fi;
    return which(path) == F_NONE ? -ENOENT : 0; /* O_TRUNC opens: nothing to do */
}

static int op_read(const char *path, char *buf, size_t size, off_t off,
                   struct fuse_file_info *fi) {
    (void)fi;
    int f = which(path);
    if (f == F_USER) {
        if (off & 3)
            return -EPROTO;
        if (size < 4 || off + 4 > REG_WINDOW)
            return -EINVAL;
        uint32_t v = 0;
        int rc = reg_access(&E, 0, (uint32_t)off, &v);
        if (rc)
            return rc;
        for (int i = 0; i < 4; i++)
            buf[i] = (char)(v >> (8 * i));
        return 4;
    }
    if (f != F_C2H)
        return f == F_H2C ? -EINVAL : -ENOENT;
    if (size % (size_t)E.bb) {
        if (E.verbose)
            logmsg("c2h read of %zu bytes: not whole %d-byte beats", size, E.bb);
        return -EINVAL;
    }
    pthread_mutex_lock(&E.c2h_mu);
    pthread_mutex_lock(&E.mu);
    E.c2h_buf = (uint8_t *)buf;
    E.c2h_cap = size;
    E.c2h_got = 0;
    E.c2h_done = 0;
    E.c2h_active = 1;
    pthread_cond_signal(&E.work);
    int rc = wait_for(&E, &E.c2h_done);
    E.c2h_active = 0;
    size_t got = E.c2h_got;
    pthread_mutex_unlock(&E.mu);
    pthread_mutex_unlock(&E.c2h_mu);
    if (rc && E.verbose)
        logmsg("c2h read of %zu bytes: %s after %zu bytes", size, strerror(-rc), got);
    return rc ? rc : (int)got;
}

static int op_write(const char *path, const char *buf, size_t size, off_t off,
                    struct fuse_file_info *fi) {
    (void)fi;
    int f = which(path);
    if (f == F_USER) {
        if (off & 3)
            return -EPROTO;
        if (size < 4 || off + 4 > REG_WINDOW)
            return -EINVAL;
        uint32_t v = 0;
        for (int i = 0; i < 4; i++)
            v |= (uint32_t)(uint8_t)buf[i] << (8 * i);
        int rc = reg_access(&E, 1, (uint32_t)off, &v);
        return rc ? rc : 4;
    }
    if (f != F_H2C)
        return f == F_C2H ? -EINVAL : -ENOENT;
    if (size == 0)
        return 0;
    if (size % (size_t)E.bb) {
        logmsg("h2c write of %zu bytes: not whole %d-byte beats (the co-processor takes full "
               "TKEEP only)",
               size, E.bb);
        return -EINVAL;
    }
    pthread_mutex_lock(&E.h2c_mu);
    pthread_mutex_lock(&E.mu);
    if (off != 0 && (size_t)off == E.h2c_next_off)
        logmsg("h2c: a write reached the emulator in pieces (the kernel's max_write); the "
               "piece before offset %lld ended with TLAST: keep packets below %u bytes",
               (long long)off, MAX_WRITE);
    E.h2c_buf = (const uint8_t *)buf;
    E.h2c_len = size;
    E.h2c_pos = 0;
    E.h2c_active = 1;
    E.h2c_next_off = (size_t)off + size;
    pthread_cond_signal(&E.work);
    int rc = 0;
    {
        struct timespec ts;
        deadline(&ts, E.timeout_ms);
        while (E.h2c_pos < E.h2c_len && !E.quit && rc == 0)
            if (pthread_cond_timedwait(&E.done, &E.mu, &ts) == ETIMEDOUT &&
                E.h2c_pos < E.h2c_len)
                rc = -ETIMEDOUT;
        if (E.h2c_pos < E.h2c_len && rc == 0)
            rc = -EIO;
    }
    size_t pos = E.h2c_pos;
    E.h2c_active = 0;
    pthread_mutex_unlock(&E.mu);
    pthread_mutex_unlock(&E.h2c_mu);
    if (rc && E.verbose)
        logmsg("h2c write of %zu bytes: %s after %zu bytes", size, strerror(-rc), pos);
    return rc ? rc : (int)size;
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
    cfg->direct_io = 1;
    cfg->kernel_cache = 0;
    cfg->attr_timeout = 0;
    cfg->entry_timeout = 0;
    /* split requests come one after the other, never concurrently */
    conn->want &= ~(unsigned)FUSE_CAP_ASYNC_DIO;
    if (conn->max_write < MAX_WRITE)
        conn->max_write = MAX_WRITE;
    return NULL;
}

static void op_destroy(void *data) {
    (void)data;
    pthread_mutex_lock(&E.mu);
    E.quit = 1;
    pthread_cond_broadcast(&E.work);
    pthread_cond_broadcast(&E.done);
    pthread_mutex_unlock(&E.mu);
}

static const struct fuse_operations ops = {
    .getattr = op_getattr,
    .readdir = op_readdir,
    .open = op_open,
    .truncate = op_truncate,
    .read = op_read,
    .write = op_write,
    .init = op_init,
    .destroy = op_destroy,
};

/* ------------------------------------------------------------ main */

static void usage(FILE *f) {
    fprintf(f,
            "usage: xdma_emu [options] MOUNTPOINT\n"
            "An XDMA emulator: presents the device files of the Xilinx XDMA driver (stream\n"
            "mode) in MOUNTPOINT, with the Verilated co-processor %s behind them:\n"
            "  MOUNTPOINT/<name>_user    AXI4-Lite registers: 4-byte pread/pwrite at the offset\n"
            "  MOUNTPOINT/<name>_h2c_0   write(): one AXI4-Stream packet to the co-processor\n"
            "  MOUNTPOINT/<name>_c2h_0   read(): result bytes until the count or TLAST\n"
            "so that `run_model --backend xdma --xdma MOUNTPOINT/<name>` runs the same code as\n"
            "on a board.  Runs in the foreground until unmounted (fusermount3 -u MOUNTPOINT)\n"
            "or interrupted; needs /dev/fuse and root (or fuse group rights).\n"
            "\n"
            "  --name NAME        device name prefix (default %s)\n"
            "  --timeout-ms N     H2C/C2H transfer timeout, like the driver's (default %d)\n"
            "  --trace FILE.fst   FST waveform of the co-processor (model built with tracing)\n"
            "  -v, --verbose      log failed transfers\n"
            "  --help             this text\n"
            "Exit status: 0 after a clean unmount, 1 on an error.\n",
            vsim_model(), NAME_DEFAULT, TIMEOUT_MS_DEFAULT);
}

int main(int argc, char **argv) {
    snprintf(E.name, sizeof E.name, "%s", NAME_DEFAULT);
    E.timeout_ms = TIMEOUT_MS_DEFAULT;
    const char *mnt = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            E.verbose = 1;
        } else if ((!strcmp(a, "--name") || !strcmp(a, "--timeout-ms") || !strcmp(a, "--trace")) &&
                   i + 1 < argc) {
            const char *v = argv[++i];
            if (!strcmp(a, "--name")) {
                if (!*v || strchr(v, '/') || strlen(v) >= sizeof E.name) {
                    fprintf(stderr, "xdma_emu: --name '%s': a short name without '/'\n", v);
                    return 2;
                }
                snprintf(E.name, sizeof E.name, "%s", v);
            } else if (!strcmp(a, "--timeout-ms")) {
                char *end;
                long t = strtol(v, &end, 10);
                if (*end || t < 1 || t > 3600000) {
                    fprintf(stderr, "xdma_emu: --timeout-ms '%s': 1..3600000\n", v);
                    return 2;
                }
                E.timeout_ms = (int)t;
            } else {
                snprintf(E.trace, sizeof E.trace, "+trace=%s", v);
            }
        } else if (a[0] == '-') {
            fprintf(stderr, "xdma_emu: unknown option or missing value: '%s' (see --help)\n", a);
            return 2;
        } else if (!mnt) {
            mnt = a;
        } else {
            fprintf(stderr, "xdma_emu: one MOUNTPOINT only ('%s', '%s')\n", mnt, a);
            return 2;
        }
    }
    if (!mnt) {
        fprintf(stderr, "xdma_emu: no MOUNTPOINT given (see --help)\n");
        return 2;
    }
    if (access("/dev/fuse", R_OK | W_OK) != 0) {
        fprintf(stderr,
                "xdma_emu: /dev/fuse is not usable (%s): FUSE is unavailable here (load the fuse "
                "module, or give the container --device /dev/fuse --cap-add SYS_ADMIN)\n",
                strerror(errno));
        return 1;
    }
    struct stat st;
    if (stat(mnt, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "xdma_emu: mount point %s is not a directory\n", mnt);
        return 1;
    }
    pthread_mutex_init(&E.mu, NULL);
    pthread_mutex_init(&E.reg_mu, NULL);
    pthread_mutex_init(&E.h2c_mu, NULL);
    pthread_mutex_init(&E.c2h_mu, NULL);
    pthread_cond_init(&E.work, NULL);
    pthread_cond_init(&E.done, NULL);
    if (pthread_create(&E.thread, NULL, sim_thread, &E)) {
        fprintf(stderr, "xdma_emu: cannot start the simulation thread\n");
        return 1;
    }
    pthread_mutex_lock(&E.mu);
    while (!E.ready)
        pthread_cond_wait(&E.done, &E.mu);
    pthread_mutex_unlock(&E.mu);
    if (E.ready < 0) {
        fprintf(stderr, "xdma_emu: %s\n", E.open_err);
        pthread_join(E.thread, NULL);
        return 1;
    }
    logmsg("%s (%d-bit stream) at %s: %s_user %s_h2c_0 %s_c2h_0; stop with fusermount3 -u %s",
           vsim_model(), 8 * E.bb, mnt, E.name, E.name, E.name, mnt);
    char *fargv[] = {argv[0], (char *)mnt, "-f", "-o", "fsname=npe_xdma_emu,subtype=xdma_emu,max_threads=8",
                     NULL};
    int rc = fuse_main(5, fargv, &ops, NULL);
    op_destroy(NULL);
    pthread_join(E.thread, NULL);
    const char *v = E.pins ? npe_pins_violation(E.pins) : NULL;
    if (v)
        logmsg("AXI protocol violation seen: %s", v);
    logmsg("unmounted after %llu register accesses, %llu beats in, %llu beats out, %llu cycles",
           (unsigned long long)E.reg_ops, (unsigned long long)E.beats_in,
           (unsigned long long)E.beats_out,
           (unsigned long long)(E.pins ? npe_pins_cycles(E.pins) : 0));
    npe_pins_close(E.pins);
    return rc ? 1 : 0;
}
