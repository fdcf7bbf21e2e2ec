/*
 * sim/systemc/sc_check.h - the pass/fail conventions of tests/unit/check.h
 * for the SystemC programs (C++: one failure count for all translation
 * units, which the C header's statics cannot give).
 *
 *   sc_check::open(name)   prints the seed (TEST_SEED, default: time)
 *   SC_CHECK(cond, ...)    a failure prints "file:line: cycle N: message"
 *   SC_CHECK_EQ(got, exp, ...)   ... with got/expected in hex
 *   sc_check::finish()     the final "PASS name" / "FAIL name: first" line,
 *                          returns the exit code (0 or 1)
 *   sc_check::rng          xorshift64* streams: one for the test's own
 *                          choices, one per agent (seeded from the test
 *                          seed and the agent's name), so changing the
 *                          traffic never changes the job list
 */
#ifndef SIM_SC_CHECK_H
#define SIM_SC_CHECK_H

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <systemc>

namespace sc_check {

inline int failures;
inline std::string first_failure;
inline std::string test_name = "systemc";
inline uint64_t seed;
inline sc_core::sc_time clock_period(10, sc_core::SC_NS);

/* The cycle failures are reported at: by default the rising edges of a
 * clock of clock_period that starts with a rising edge at time 0. */
inline uint64_t (*cycle_source)() = nullptr;
inline uint64_t cycle() {
    return cycle_source ? cycle_source() : sc_core::sc_time_stamp().value() / clock_period.value();
}

inline void fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A self-test of the checks sets this: failures are collected here
 * instead of failing the test. */
inline std::vector<std::string> *capture = nullptr;

inline void fail(const char *file, int line, const char *fmt, ...) {
    char msg[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (capture) {
        capture->push_back(msg);
        return;
    }
    char full[600];
    snprintf(full, sizeof full, "%s:%d: cycle %llu: %s", file, line, (unsigned long long)cycle(),
             msg);
    if (failures < 50)
        fprintf(stderr, "%s\n", full);
    if (!failures)
        first_failure = full;
    failures++;
}

inline int finish() {
    fflush(stdout);
    if (failures) {
        printf("FAIL %s: %d failure(s); first: %s\n", test_name.c_str(), failures,
               first_failure.c_str());
        return 1;
    }
    printf("PASS %s\n", test_name.c_str());
    return 0;
}

struct rng {
    uint64_t s;
    explicit rng(const char *name = "") {
        s = seed ^ 0x9E3779B97F4A7C15ull;
        for (const char *p = name; *p; p++)
            s = (s ^ (uint8_t)*p) * 0x100000001B3ull;
        if (!s)
            s = 1;
    }
    uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545F4914F6CDD1Dull;
    }
    unsigned below(unsigned n) { return n ? (unsigned)(next() % n) : 0; }
    bool chance(double p) { return p > 0 && (double)(next() >> 11) * 0x1.0p-53 < p; }
};

/* SC_BREAK=<what>: break one check on purpose (sim/systemc/break_test.sh
 * shows that the test then fails). */
inline bool broken(const char *what) {
    const char *b = getenv("SC_BREAK");
    return b && !strcmp(b, what);
}

/* Seconds of CPU time of this process: on a shared machine wall-clock time
 * measures the neighbours too. */
inline double cpu_now() {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The test's own random stream (job list), seeded by open(). */
inline rng &test_rng() {
    static rng r("test");
    return r;
}

inline uint64_t open(const std::string &name) {
    test_name = name;
    const char *s = getenv("TEST_SEED");
    seed = s ? strtoull(s, nullptr, 0) : (uint64_t)time(nullptr);
    printf("seed %llu (replay with TEST_SEED=%llu)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    test_rng() = rng("test");
    return seed;
}

} // namespace sc_check

#define SC_CHECK(cond, ...)                                                                        \
    do {                                                                                           \
        if (!(cond))                                                                               \
            sc_check::fail(__FILE__, __LINE__, __VA_ARGS__);                                       \
    } while (0)

#define SC_CHECK_EQ(got, exp, ...)                                                                 \
    do {                                                                                           \
        unsigned long long g_ = (unsigned long long)(got), e_ = (unsigned long long)(exp);         \
        if (g_ != e_) {                                                                            \
            char w_[300];                                                                          \
            snprintf(w_, sizeof w_, __VA_ARGS__);                                                  \
            sc_check::fail(__FILE__, __LINE__, "%s: got 0x%llx, expected 0x%llx", w_, g_, e_);     \
        }                                                                                          \
    } while (0)

#endif
