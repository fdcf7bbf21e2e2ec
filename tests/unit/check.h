/*
 * tests/unit/check.h - the minimal check harness of the C unit tests.
 *
 * A test program runs its checks, prints each failure with got/expected, and
 * ends with one line: "PASS <name>" (exit 0), "FAIL <name>: <first failure>"
 * (exit 1) or "SKIP <name>: <reason>" (exit 77).  Random tests take their
 * seed from $TEST_SEED (default: time) and print it, so a failure can be
 * replayed with TEST_SEED=<seed>.
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int check_failures;
static char check_first[512];
static const char *check_name = "test";

static inline void check_fail(const char *file, int line, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (check_failures < 50)
        fprintf(stderr, "%s:%d: %s\n", file, line, msg);
    if (!check_failures)
        snprintf(check_first, sizeof check_first, "%s:%d: %s", file, line, msg);
    check_failures++;
}

/* CHECK(cond, "format", args...): record a failure with a message. */
#define CHECK(cond, ...)                                                                 \
    do {                                                                                 \
        if (!(cond))                                                                     \
            check_fail(__FILE__, __LINE__, __VA_ARGS__);                                 \
    } while (0)

#define CHECK_EQ_U(got, exp, what, ...)                                                  \
    do {                                                                                 \
        unsigned long long g_ = (unsigned long long)(got), e_ = (unsigned long long)(exp); \
        if (g_ != e_) {                                                                  \
            char w_[300];                                                                \
            snprintf(w_, sizeof w_, what, __VA_ARGS__);                                  \
            check_fail(__FILE__, __LINE__, "%s: got 0x%llx, expected 0x%llx", w_, g_, e_); \
        }                                                                                \
    } while (0)

/* xorshift64* PRNG with a printed seed. */
static uint64_t check_rng_state;
static inline uint64_t check_seed(void) {
    const char *s = getenv("TEST_SEED");
    uint64_t seed = s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL);
    check_rng_state = seed ? seed : 0x9E3779B97F4A7C15ull;
    printf("seed %llu (replay with TEST_SEED=%llu)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    return seed;
}
static inline uint64_t rnd64(void) {
    uint64_t x = check_rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    check_rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}
static inline uint32_t rnd_below(uint32_t n) { return (uint32_t)(rnd64() % n); }

static inline int check_done(void) {
    if (check_failures) {
        printf("FAIL %s: %d failure(s); first: %s\n", check_name, check_failures, check_first);
        return 1;
    }
    printf("PASS %s\n", check_name);
    return 0;
}

static inline int check_skip(const char *reason) {
    printf("SKIP %s: %s\n", check_name, reason);
    return 77;
}

#endif
