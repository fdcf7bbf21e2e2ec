// sim/vsim.cpp - the thin C++ shim behind sim/vsim.h.
//
// Generic over the Verilated class: compiled once per model with
//   -DVSIM_TOP=<Verilated class>  -DVSIM_PORTS="<port table>"  [-DVSIM_TRACE]
// The port table is an X-macro list written by `sim/vsim_gen.py ports` from
// the Verilated header itself, so it always matches the model:
//   VSIM_PORT(name, dir, width)      one line per port
//   #define VSIM_CLOCK name          the port vsim_tick() toggles (optional)
// Everything here is model-independent; nothing is written per configuration.
#include "vsim.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "verilated.h"
#ifdef VSIM_TRACE
#include "verilated_fst_c.h"
#endif

#if !defined(VSIM_TOP) || !defined(VSIM_PORTS)
#error "compile with -DVSIM_TOP=<Verilated class> -DVSIM_PORTS=\"<port table>\""
#endif
#define VSIM_STR_(x) #x
#define VSIM_STR(x) VSIM_STR_(x)
#include VSIM_STR(VSIM_TOP.h)

namespace {

// One port: where Verilator keeps it and how wide it is.  Storage follows
// verilated_types.h: CData (1..8 bits), SData (..16), IData (..32),
// QData (..64), VlWide<N> (N 32-bit words) beyond.
struct port_desc {
    const char *name;
    vsim_dir dir;
    int width;
};

const port_desc kPorts[] = {
#define VSIM_PORT(name, dir, width) {#name, dir, width},
#include VSIM_PORTS
#undef VSIM_PORT
};
const int kNports = (int)(sizeof kPorts / sizeof kPorts[0]);

// Address of each port's storage in a model instance, same order as kPorts.
void port_addrs(VSIM_TOP *top, void **out) {
    int i = 0;
#define VSIM_PORT(name, dir, width) out[i++] = (void *)&top->name;
#include VSIM_PORTS
#undef VSIM_PORT
    (void)i;
}

uint64_t mask64(int width) { return width >= 64 ? ~0ull : (1ull << width) - 1; }

} // namespace

struct vsim {
    VerilatedContext *ctx;
    VSIM_TOP *top;
    void *addr[sizeof kPorts / sizeof kPorts[0]];
    uint64_t cycles;
    std::string trace_path;
#ifdef VSIM_TRACE
    VerilatedFstC *fst;
    uint64_t last_dump;
    bool dumped;
#endif
};

// Two dumps at one time stamp would be dropped by the FST writer (e.g. a
// vsim_eval() followed by a tick): the second one moves time on by one unit.
static void dump(vsim *s) {
#ifdef VSIM_TRACE
    if (!s->fst)
        return;
    if (s->dumped && s->ctx->time() <= s->last_dump)
        s->ctx->timeInc(s->last_dump + 1 - s->ctx->time());
    s->fst->dump(s->ctx->time());
    s->last_dump = s->ctx->time();
    s->dumped = true;
#else
    (void)s;
#endif
}

extern "C" {

const char *vsim_model(void) { return VSIM_STR(VSIM_TOP); }
int vsim_nports(void) { return kNports; }
const char *vsim_port_name(int p) { return kPorts[p].name; }
int vsim_port_width(int p) { return kPorts[p].width; }
vsim_dir vsim_port_dir(int p) { return kPorts[p].dir; }

int vsim_port(const char *name) {
    for (int i = 0; i < kNports; i++)
        if (std::strcmp(kPorts[i].name, name) == 0)
            return i;
    return -1;
}

int vsim_port_req(const char *name) {
    int p = vsim_port(name);
    if (p < 0) {
        std::fprintf(stderr, "vsim: model %s has no port '%s'; its ports are:", vsim_model(),
                     name);
        for (int i = 0; i < kNports; i++)
            std::fprintf(stderr, " %s[%d]", kPorts[i].name, kPorts[i].width);
        std::fprintf(stderr, "\n");
        std::abort();
    }
    return p;
}

vsim *vsim_create(int argc, char **argv, const char *trace_default) {
    vsim *s = new vsim();
    s->ctx = new VerilatedContext;
    // Defaults first so that the command line can override them.
    const char *defaults[] = {"vsim", "+verilator+rand+reset+2"};
    s->ctx->commandArgs(2, defaults);
    if (argc > 0)
        s->ctx->commandArgsAdd(argc, (const char **)argv);
    const char *tr = s->ctx->commandArgsPlusMatch("trace");
    bool want_trace = tr && (std::strcmp(tr, "+trace") == 0 || std::strncmp(tr, "+trace=", 7) == 0);
    if (want_trace) {
        s->trace_path = tr[6] == '=' ? std::string(tr + 7)
                        : trace_default ? std::string(trace_default)
                                        : std::string(vsim_model()) + ".fst";
#ifdef VSIM_TRACE
        s->ctx->traceEverOn(true);
#else
        std::fprintf(stderr,
                     "vsim: +trace given but %s was built without tracing; build the traced "
                     "variant (see sim/README.md, `make sim-trace`)\n",
                     vsim_model());
        delete s->ctx;
        delete s;
        return nullptr;
#endif
    }
    s->top = new VSIM_TOP{s->ctx, "TOP"};
    port_addrs(s->top, s->addr);
#ifdef VSIM_TRACE
    s->fst = nullptr;
    if (want_trace && vsim_trace_open(s, s->trace_path.c_str()) != 0) {
        vsim_destroy(s);
        return nullptr;
    }
#endif
    return s;
}

void vsim_destroy(vsim *s) {
    if (!s)
        return;
    s->top->final();
    vsim_trace_close(s);
    delete s->top;
    delete s->ctx;
    delete s;
}

int vsim_traced(const vsim *s) {
#ifdef VSIM_TRACE
    return s->fst != nullptr;
#else
    (void)s;
    return 0;
#endif
}

const char *vsim_trace_path(const vsim *s) { return s->trace_path.c_str(); }

int vsim_trace_open(vsim *s, const char *path) {
#ifdef VSIM_TRACE
    if (s->fst)
        return 0;
    s->ctx->traceEverOn(true);
    s->fst = new VerilatedFstC;
    s->top->trace(s->fst, 99);
    s->fst->open(path);
    if (!s->fst->isOpen()) {
        std::fprintf(stderr, "vsim: cannot open trace file %s\n", path);
        delete s->fst;
        s->fst = nullptr;
        return -1;
    }
    s->trace_path = path;
    return 0;
#else
    (void)s;
    (void)path;
    return -1;
#endif
}

void vsim_trace_close(vsim *s) {
#ifdef VSIM_TRACE
    if (s->fst) {
        s->fst->close();
        delete s->fst;
        s->fst = nullptr;
    }
#else
    (void)s;
#endif
}

void vsim_set(vsim *s, int p, const uint32_t *w) {
    int width = kPorts[p].width;
    void *a = s->addr[p];
    if (width <= 8)
        *(CData *)a = (CData)(w[0] & mask64(width));
    else if (width <= 16)
        *(SData *)a = (SData)(w[0] & mask64(width));
    else if (width <= 32)
        *(IData *)a = (IData)(w[0] & mask64(width));
    else if (width <= 64)
        *(QData *)a = ((QData)w[0] | (QData)w[1] << 32) & mask64(width);
    else {
        EData *d = (EData *)a;
        int n = VSIM_WORDS(width);
        std::memcpy(d, w, (size_t)n * sizeof *d);
        if (width % 32)
            d[n - 1] &= (EData)mask64(width % 32);
    }
}

void vsim_set_u64(vsim *s, int p, uint64_t v) {
    uint32_t w[VSIM_WORDS(VSIM_MAX_BITS)] = {(uint32_t)v, (uint32_t)(v >> 32)};
    vsim_set(s, p, w);
}

void vsim_get(const vsim *s, int p, uint32_t *w) {
    int width = kPorts[p].width;
    const void *a = s->addr[p];
    if (width <= 8)
        w[0] = *(const CData *)a;
    else if (width <= 16)
        w[0] = *(const SData *)a;
    else if (width <= 32)
        w[0] = *(const IData *)a;
    else if (width <= 64) {
        QData q = *(const QData *)a;
        w[0] = (uint32_t)q;
        w[1] = (uint32_t)(q >> 32);
    } else {
        int n = VSIM_WORDS(width);
        std::memcpy(w, a, (size_t)n * sizeof *w);
        if (width % 32)
            w[n - 1] &= (uint32_t)mask64(width % 32);
    }
}

uint64_t vsim_get_u64(const vsim *s, int p) {
    int width = kPorts[p].width;
    const void *a = s->addr[p];
    if (width <= 8)
        return *(const CData *)a;
    if (width <= 16)
        return *(const SData *)a;
    if (width <= 32)
        return *(const IData *)a;
    if (width <= 64)
        return *(const QData *)a;
    const EData *d = (const EData *)a;
    return (uint64_t)d[0] | (uint64_t)d[1] << 32;
}

void vsim_eval(vsim *s) {
    s->top->eval();
    dump(s);
}

void vsim_tick(vsim *s) {
#ifdef VSIM_CLOCK
    // Half period 5 time units: inputs settle with the clock low at 10n,
    // the rising edge is at 10n+5.
    s->top->VSIM_CLOCK = 0;
    s->top->eval();
    dump(s);
    s->ctx->timeInc(5);
    s->top->VSIM_CLOCK = 1;
    s->top->eval();
    dump(s);
    s->ctx->timeInc(5);
#else
    s->top->eval();
    dump(s);
    s->ctx->timeInc(10);
#endif
    s->cycles++;
}

uint64_t vsim_cycles(const vsim *s) { return s->cycles; }

} // extern "C"
