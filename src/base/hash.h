/* hash.h — SipHash-2-4 (keyed, for hash tables fed by untrusted input and for
 * stable derived ids) and FNV-1a 64 (cheap, for non-adversarial keys only). */
#ifndef BASE_HASH_H
#define BASE_HASH_H
#include <stddef.h>
#include <stdint.h>

#define HASH_KEY_SIZE 16

/* SipHash-2-4 with 64-bit output of p[0..n) under a 16-byte key (bytes as in
 * the reference implementation: k0 = key[0..8) little-endian, k1 = key[8..16)).
 * For hash tables, draw the key once per table/process from rand_bytes(). */
uint64_t hash_siphash24(const uint8_t key[HASH_KEY_SIZE], const void *p, size_t n);

/* FNV-1a 64-bit. NOT collision resistant: never for attacker-chosen keys. */
uint64_t hash_fnv1a64(const void *p, size_t n);

/* Derived ids, stable across runs, processes and machines (fixed built-in
 * keys, one per id kind, so the two ids of one token are unrelated):
 *   tenant id  "tnt-" + 16 lower-case hex digits of SipHash-2-4(token)  (governance.md "Tenants")
 *   key id     "vk-"  + 16 lower-case hex digits of SipHash-2-4(token)  (redacted key id in errors)
 * The hex digits are the 64-bit value, most significant digit first.
 * out receives the id and a NUL. The token is only read. */
#define HASH_TENANT_ID_SIZE 21 /* "tnt-" + 16 + NUL */
#define HASH_KEY_ID_SIZE    20 /* "vk-" + 16 + NUL */
void hash_tenant_id(const char *token, size_t n, char out[HASH_TENANT_ID_SIZE]);
void hash_key_id(const char *token, size_t n, char out[HASH_KEY_ID_SIZE]);

#endif
