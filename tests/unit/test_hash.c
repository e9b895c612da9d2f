/* test_hash.c — SipHash-2-4 reference vectors, FNV-1a 64 vectors, and the
 * stable derived ids (tnt-/vk-). */
#include "t.h"
#include "base/hash.h"
#include <stdint.h>

/* SipHash-2-4 paper / reference implementation: key 00..0f, message
 * 00..(i-1) for i = 0..63. */
static const uint64_t sip_vectors[64] = {
	0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
	0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
	0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
	0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
	0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL, 0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL,
	0xbed65cf21aa2ee98ULL, 0xd0f2cbb02e3b67c7ULL, 0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL,
	0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL, 0x17d835b85bbb15f3ULL, 0x2f2e6163076bcfadULL,
	0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL, 0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL,
	0x7127512f72f27cceULL, 0xa7f32346f95978e3ULL, 0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL,
	0x314dffbe0815a3b4ULL, 0x027990f029623981ULL, 0xcadcd4e59ef40c4dULL, 0x9abfd8766a33735cULL,
	0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL, 0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL,
	0xf935451de4f21df2ULL, 0xa9538f0419755787ULL, 0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL,
	0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL, 0xee64435a9752fe72ULL, 0xa192d576b245165aULL,
	0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL, 0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL,
	0xb78dbfaf3a8d83bdULL, 0xea1ad565322a1a0bULL, 0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL,
	0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL, 0xe51b38608ef25f57ULL, 0x958a324ceb064572ULL,
};

TEST(hash_siphash_reference_vectors)
{
	uint8_t key[16], msg[64];
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++) {
		uint64_t h = hash_siphash24(key, msg, (size_t)i);
		if (h != sip_vectors[i])
			T_FAIL_AT("length %d: %016llx, expected %016llx", i, (unsigned long long)h,
				(unsigned long long)sip_vectors[i]);
	}
	CHECK(hash_siphash24(key, NULL, 0) == sip_vectors[0]);
}

TEST(hash_siphash_unaligned_and_keyed)
{
	uint8_t key[16] = { 0 }, key2[16] = { 1 };
	unsigned char store[80];
	for (int i = 0; i < 80; i++)
		store[i] = (unsigned char)(i * 31);
	uint64_t ref = hash_siphash24(key, store, 64);
	unsigned char shifted[80];
	for (int off = 1; off < 8; off++) {
		memcpy(shifted + off, store, 64);
		CHECK(hash_siphash24(key, shifted + off, 64) == ref);
	}
	CHECK(hash_siphash24(key2, store, 64) != ref);
	CHECK(hash_siphash24(key, store, 63) != ref);
}

TEST(hash_fnv1a64_vectors)
{
	CHECK(hash_fnv1a64("", 0) == 0xcbf29ce484222325ULL);
	CHECK(hash_fnv1a64(NULL, 0) == 0xcbf29ce484222325ULL);
	CHECK(hash_fnv1a64("a", 1) == 0xaf63dc4c8601ec8cULL);
	CHECK(hash_fnv1a64("foobar", 6) == 0x85944171f73967e8ULL);
	CHECK(hash_fnv1a64("hello world", 11) == 0x779a65e7023cd2e7ULL);
}

static int is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

TEST(hash_derived_ids_stable)
{
	char t[HASH_TENANT_ID_SIZE], k[HASH_KEY_ID_SIZE];
	/* golden values: a change here changes every derived tenant identity
	 * (rate limits, budgets, cache) and every key id in error messages */
	hash_tenant_id("sk-test-key-1", 13, t);
	CHECK_EQ_STR(t, "tnt-46fbf214f1cdb5d4");
	hash_key_id("sk-test-key-1", 13, k);
	CHECK_EQ_STR(k, "vk-698dd794a270ee08");
	hash_tenant_id("sk-liter-llm-dev", 16, t);
	CHECK_EQ_STR(t, "tnt-bbb84dd3ac572bab");
	hash_key_id("sk-liter-llm-dev", 16, k);
	CHECK_EQ_STR(k, "vk-d001dfeebd4c46c0");
	hash_tenant_id("", 0, t);
	CHECK_EQ_STR(t, "tnt-98b8fb1a408b38f1");
	hash_key_id(NULL, 0, k);
	CHECK_EQ_STR(k, "vk-24b71e52dabae875");
	/* shape: exact size, prefix, lower-case hex, NUL */
	memset(t, 'X', sizeof t);
	memset(k, 'X', sizeof k);
	hash_tenant_id("another token", 13, t);
	hash_key_id("another token", 13, k);
	CHECK_EQ_INT(strlen(t), HASH_TENANT_ID_SIZE - 1);
	CHECK_EQ_INT(strlen(k), HASH_KEY_ID_SIZE - 1);
	CHECK(!memcmp(t, "tnt-", 4) && is_lower_hex(t + 4, 16));
	CHECK(!memcmp(k, "vk-", 3) && is_lower_hex(k + 3, 16));
	/* the two ids of one token are unrelated; other tokens give other ids */
	CHECK(strcmp(t + 4, k + 3) != 0);
	char t2[HASH_TENANT_ID_SIZE];
	hash_tenant_id("another tokeN", 13, t2);
	CHECK(strcmp(t, t2) != 0);
	hash_tenant_id("another token", 12, t2); /* length is part of the input */
	CHECK(strcmp(t, t2) != 0);
}

int main(void)
{
	RUN(hash_siphash_reference_vectors);
	RUN(hash_siphash_unaligned_and_keyed);
	RUN(hash_fnv1a64_vectors);
	RUN(hash_derived_ids_stable);
	return t_done();
}
