/* tests/unit/test_sha256.c - host/sha256.c against published vectors.
 *
 * "abc" and the 448-bit message are the SHA-256 examples of FIPS 180-4
 * (NIST CSRC "Examples with Intermediate Values", SHA256.pdf); the empty
 * string, the 896-bit message and one million 'a' are NIST's further SHA-256
 * test vectors.  The 'a'*n vectors straddle the padding edges (55/56 bytes:
 * the length no longer fits in the last block; 64, 119/120, 128) and were
 * computed with GNU coreutils sha256sum, an independent implementation.
 * Streaming is checked by hashing random messages in random chunks against
 * the one-shot digest. */
#include <string.h>

/* The generic tests/unit/test_%.c rule links only libkref.a, so the code
 * under test is compiled in here: the test builds with or without
 * host/host.mk. */
#include "../../host/sha256.c"
#include "check.h"

static const struct {
    const char *what, *msg, *hex;
} known[] = {
    {"FIPS 180-4 one-block 'abc'", "abc",
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"FIPS 180-4 two-block 448-bit", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"empty string", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"NIST 896-bit",
     "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
     "lmnopqrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

static const struct {
    size_t n; /* message = n bytes of 'a' */
    const char *hex;
} a_run[] = {
    {1, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"},
    {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
    {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
    {57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"},
    {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
    {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
    {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
    {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
    {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
    {127, "c57e9278af78fa3cab38667bef4ce29d783787a2f731d4e12200270f0c32320a"},
    {128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"},
    {1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
};

#define MILLION 1000000
static uint8_t buf[MILLION];

static void check_digest(const uint8_t *d, const char *exp, const char *what) {
    char hex[SHA256_HEX_SIZE];
    sha256_hex(d, hex);
    CHECK(strcmp(hex, exp) == 0, "%s: got %s, expected %s", what, hex, exp);
}

int main(void) {
    check_name = "test_sha256";
    check_seed();
    uint8_t d[SHA256_DIGEST_SIZE];

    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        sha256(known[i].msg, strlen(known[i].msg), d);
        check_digest(d, known[i].hex, known[i].what);
    }

    memset(buf, 'a', MILLION);
    for (size_t i = 0; i < sizeof a_run / sizeof a_run[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "'a' * %zu (one shot)", a_run[i].n);
        sha256(buf, a_run[i].n, d);
        check_digest(d, a_run[i].hex, what);
        /* the same message one byte at a time exercises the pending block */
        if (a_run[i].n <= 1000) {
            sha256_ctx c;
            sha256_init(&c);
            for (size_t k = 0; k < a_run[i].n; k++)
                sha256_update(&c, buf, 1);
            sha256_final(&c, d);
            snprintf(what, sizeof what, "'a' * %zu (bytewise)", a_run[i].n);
            check_digest(d, a_run[i].hex, what);
        }
    }

    /* random messages in random chunks (including empty ones) = one shot */
    for (int it = 0; it < 2000; it++) {
        size_t n = rnd_below(it < 1000 ? 300 : 5000);
        for (size_t k = 0; k < n; k++)
            buf[k] = (uint8_t)rnd64();
        uint8_t ref[SHA256_DIGEST_SIZE];
        sha256(buf, n, ref);
        sha256_ctx c;
        sha256_init(&c);
        for (size_t off = 0; off < n;) {
            size_t take = rnd_below(150);
            if (take > n - off)
                take = n - off;
            sha256_update(&c, buf + off, take);
            off += take;
        }
        sha256_final(&c, d);
        CHECK(memcmp(d, ref, sizeof d) == 0, "chunked != one-shot, it=%d n=%zu", it, n);
    }
    return check_done();
}
