/*
 * host/sha256.h - SHA-256 (FIPS 180-4, section 6.2), used to check the model
 * files against their published checksums before they are trusted.
 *
 * Streaming use:  sha256_ctx c; sha256_init(&c); sha256_update(&c, p, n)...;
 *                 sha256_final(&c, digest);
 * One shot:       sha256(p, n, digest);  sha256_hex(digest, hex) for printing.
 */
#ifndef HOST_SHA256_H
#define HOST_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32 /* bytes of a digest                       */
#define SHA256_HEX_SIZE 65    /* 64 lowercase hex digits + NUL           */

typedef struct {
    uint32_t h[8];        /* (8,) working hash value H^(i), FIPS 180-4 6.2   */
    uint8_t block[64];    /* (64,) the partial message block not yet hashed  */
    size_t used;          /* bytes of block in use, 0..63                    */
    uint64_t total_bytes; /* message length so far (for the padding's length) */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* Pads, writes the digest and leaves c unusable until sha256_init. */
void sha256_final(sha256_ctx *c, uint8_t digest[SHA256_DIGEST_SIZE]);
void sha256(const void *data, size_t n, uint8_t digest[SHA256_DIGEST_SIZE]);
/* Lowercase hex, as printed by sha256sum; returns hex. */
char *sha256_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char hex[SHA256_HEX_SIZE]);

#endif
