/* hash.c — SipHash-2-4 (Aumasson & Bernstein, 2012) and FNV-1a 64. */
#include "base/hash.h"
#include <string.h>

static uint64_t rd64le(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

uint64_t hash_siphash24(const uint8_t key[HASH_KEY_SIZE], const void *p, size_t n)
{
	const unsigned char *in = p;
	uint64_t k0 = rd64le(key), k1 = rd64le(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	size_t full = n - n % 8;
	for (size_t i = 0; i < full; i += 8) {
		uint64_t m = rd64le(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	uint64_t b = (uint64_t)n << 56;
	for (size_t i = 0; i < n % 8; i++)
		b |= (uint64_t)in[full + i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t hash_fnv1a64(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Fixed, public keys: the ids must be stable forever (changing these changes
 * every derived tenant id, i.e. rate-limit, budget and cache identities). */
static const uint8_t key_tenant[HASH_KEY_SIZE] = "liter-llm/tenant";
static const uint8_t key_vkey[HASH_KEY_SIZE] = "liter-llm/key-id";

static void put_id(const char *prefix, size_t pn, uint64_t h, char *out)
{
	static const char hx[16] = "0123456789abcdef";
	memcpy(out, prefix, pn);
	for (int i = 0; i < 16; i++)
		out[pn + (size_t)i] = hx[(h >> (60 - 4 * i)) & 15];
	out[pn + 16] = '\0';
}

void hash_tenant_id(const char *token, size_t n, char out[HASH_TENANT_ID_SIZE])
{
	put_id("tnt-", 4, hash_siphash24(key_tenant, token, n), out);
}

void hash_key_id(const char *token, size_t n, char out[HASH_KEY_ID_SIZE])
{
	put_id("vk-", 3, hash_siphash24(key_vkey, token, n), out);
}
