/* host/dev_xdma.c - see dev_xdma.h. */
#define _POSIX_C_SOURCE 200809L /* pread, pwrite */

#include "dev_xdma.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    int user, h2c, c2h;
    char prefix[512];
} xdma;

static int fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static void xdma_close(void *h) {
    xdma *x = h;
    if (!x)
        return;
    if (x->user >= 0)
        close(x->user);
    if (x->h2c >= 0)
        close(x->h2c);
    if (x->c2h >= 0)
        close(x->c2h);
    free(x);
}

void *dev_xdma_open(const char *prefix, char *err, size_t errlen) {
    xdma *x = calloc(1, sizeof *x);
    if (!x) {
        fail(err, errlen, "out of memory");
        return NULL;
    }
    x->user = x->h2c = x->c2h = -1;
    snprintf(x->prefix, sizeof x->prefix, "%s", prefix);
    const struct {
        const char *suffix;
        int flags;
        int *fd;
    } f[] = {{"_user", O_RDWR, &x->user}, {"_h2c_0", O_WRONLY, &x->h2c}, {"_c2h_0", O_RDONLY, &x->c2h}};
    for (int i = 0; i < 3; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s%s", prefix, f[i].suffix);
        *f[i].fd = open(path, f[i].flags | O_CLOEXEC);
        if (*f[i].fd < 0) {
            int e = errno;
            fail(err, errlen,
                 "cannot open %s: %s (%s; the device prefix is set with --xdma, default %s)", path,
                 strerror(e),
                 e == ENOENT ? "is the XDMA driver loaded (modprobe xdma) and the board "
                               "enumerated? for the emulator use --backend emu"
                 : e == EACCES || e == EPERM ? "run as root or fix the device permissions (udev)"
                                             : "check the device",
                 XDMA_PREFIX_DEFAULT);
            xdma_close(x);
            return NULL;
        }
    }
    return x;
}

static int xdma_rd(void *h, uint32_t a, uint32_t *v, char *err, size_t n) {
    xdma *x = h;
    uint8_t b[4];
    ssize_t r = pread(x->user, b, 4, (off_t)a);
    if (r != 4)
        return fail(err, n, "reading register 0x%03x from %s_user: %s", a, x->prefix,
                    r < 0 ? strerror(errno) : "short read");
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 0;
}

static int xdma_wr(void *h, uint32_t a, uint32_t v, char *err, size_t n) {
    xdma *x = h;
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    ssize_t r = pwrite(x->user, b, 4, (off_t)a);
    if (r != 4)
        return fail(err, n, "writing 0x%08x to register 0x%03x of %s_user: %s", v, a, x->prefix,
                    r < 0 ? strerror(errno) : "short write");
    return 0;
}

/* The H2C side of one job, on its own thread. */
typedef struct {
    int fd;
    const uint8_t *buf;
    size_t len;
    ssize_t result;
    int err;
} h2c_job;

static void *h2c_thread(void *arg) {
    h2c_job *j = arg;
    /* Offset 0: a stream engine has no address; every packet starts there. */
    j->result = pwrite(j->fd, j->buf, j->len, 0);
    j->err = j->result < 0 ? errno : 0;
    return NULL;
}

static int xdma_stream(void *h, const uint8_t *in, size_t in_bytes, uint8_t *out, size_t out_cap,
                       size_t *got, char *err, size_t n) {
    xdma *x = h;
    h2c_job j = {.fd = x->h2c, .buf = in, .len = in_bytes};
    pthread_t t;
    int rc = pthread_create(&t, NULL, h2c_thread, &j);
    if (rc)
        return fail(err, n, "cannot start the H2C thread: %s", strerror(rc));
    ssize_t r = pread(x->c2h, out, out_cap, 0);
    int rerr = errno;
    pthread_join(t, NULL);
    *got = r > 0 ? (size_t)r : 0;
    if (j.result != (ssize_t)in_bytes)
        return fail(err, n, "H2C write of %zu bytes to %s_h2c_0: %s", in_bytes, x->prefix,
                    j.result < 0 ? strerror(j.err) : "short write (the packet was cut)");
    if (r < 0)
        return fail(err, n, "C2H read of %zu bytes from %s_c2h_0: %s", out_cap, x->prefix,
                    strerror(rerr));
    return 0;
}

const npe_transport dev_xdma_transport = {
    .name = "xdma", .reg_read = xdma_rd, .reg_write = xdma_wr, .stream = xdma_stream,
    .cycles = NULL, .close = xdma_close,
};
