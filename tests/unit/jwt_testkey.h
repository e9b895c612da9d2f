/* jwt_testkey.h — THROWAWAY TEST KEYS for test_tls_jwt.c and
 * test_gateway_token.c, generated for these tests only with
 *   openssl genrsa -out k1.pem 2048
 *   openssl pkcs8 -topk8 -nocrypt -in k1.pem          (-> KEY_PKCS8)
 *   openssl rsa -in k1.pem -traditional               (-> KEY_PKCS1, the same key)
 *   openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt (-> KEY_EC)
 * They protect nothing and must never be used anywhere else. A unit test
 * cannot run openssl, hence the checked-in copies; the integration test
 * (tests/integration/vertex.sh) makes a fresh key pair at test time. */
#ifndef TESTS_UNIT_JWT_TESTKEY_H
#define TESTS_UNIT_JWT_TESTKEY_H

static const char KEY_PKCS8[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDCtxAmT/jHZXm2\n"
	"nSOfGfGEtyC+QKcgkPButOzTP2Cg7bmZuZlxZO1u1BiWPPbCUIQJdAQMwVt8guU1\n"
	"FcNiIqva/7X3Hf0Ze/5pItFJga1k9c/GD6pO+QrZ7svAOX/swvsbaB4HShmfiRj0\n"
	"MZKcuiEml6zOpyCIQ4NThIdDTNAUEqDrm+8+nSqJgKxdDSnnhfspPsdnSmbWQAIO\n"
	"lqKyGgK1q+0lvV3gOE4fqEMAre3hXm5NLnAFca9jVYjU7TE9oWD4k2szpwVqoBw9\n"
	"+RDFkeLwut1nWdESCX7E08MqZqNnT7NLLeKvdbT3FXk/EFa0/9KnjgGiO5NDH8D4\n"
	"XBu8TEWdAgMBAAECggEADUP9YsLS3eYnsT2KRPy2k+EJvHR5U70UKFKwCiIDUmDH\n"
	"zYrpGDeKUTaReJYtheZdjIBTMKRGuEL5sdC/rN1UVy6nMMS3WYe1Tj02mXsEe2r0\n"
	"zWyuoMPo+EPY1/SC5uLkyoSg0RnRs5Ov98kIe6AsVy2rsrDiWkORPFInM0+rIxwq\n"
	"6OgDf+greMqckM74Xbi5g+iMXSWjL8xm3InVR6km+WmxtxmJcb07cClgISB9B6Sy\n"
	"RYAsvsHirsTZ0mOOLl2sLD5XL2IbVSxAngs/4AhAZOqO4LkHcLrabpvInuRHWmz6\n"
	"qPpSRgxpqjTn09IB9xkq/HDaVZ26ji9B9ZaLwNdX2QKBgQD0tL+7QCyYbHxOHJ5F\n"
	"tDxw2sRr8DMRXuwSBc/2lD+znFjn57fyqzfqxCxEhzva9ih/TaXahHPNKCYJzVxi\n"
	"QpBkFox/z0hCecbJ/Xl+Rm+mmCXOGOH8E+ti4XCvuAKyypsCNEMgoL6dBd2FzamS\n"
	"haeuWum2+dNMFKrVvXaDv2pWWQKBgQDLs6kxoiNpw/NVURA0m5N4iz2lmBZ/Z/64\n"
	"+Kr4a+Z+ot5Eh24bWKArFpitwnhvGQmqZN9+82wCouAlzlFqNm6GOyjheq+N84Fg\n"
	"Em/DAXhW35UV/6uGebPgFs4Q4WwevwpgFf71lMyBfGvaMVLdLWRb6yRJrOPnTTzZ\n"
	"tpbVNIRI5QKBgQCgFtvUagCC235bL9fPrEFaZ5TXNLaEJ8BzbgAGxigCnkd/uBWc\n"
	"ma0kVqDLWFmtPxtxZWAa3EpSLnDsOsC0u+1wvVu/heE1NCv8G2rvVK9YovMgqSC2\n"
	"5GU7NFefbde+FlRglcZQwzjQy3SIQ+srI2t24p1CCqDUhjTZTnEJciHkSQKBgFgK\n"
	"JXU7M30R4MieCZgDKaCu5Yz9h7O3GcOOTi6iS/Otps0Nj4woKMmWsZRf+bdipefM\n"
	"Q0BWKveUt7X/TvbN4cUIKqoRYXDDrsX8EevBZeZ+KaxhXRv428JdeOCY3ScIwI44\n"
	"04IGtsC8Ks0aBktrw/VqUru5CqM8obEjFlu9n/L1AoGAbunTgxfPU6pN8lMxUv7M\n"
	"JFXwrOJxuPARH7peuxZUzSJiB+Ku/NGkCKddBtc+8o7c92hMfEs1MJNPD5gJ0ZH4\n"
	"HyLck5jxPyhiD42vZpsz7F8fkkUJFHxzRsM6AAGfTpcr8fe2yTtft26O3JYxMSWm\n"
	"dk2IZydVltaT8Lf5A90ewWs=\n"
	"-----END PRIVATE KEY-----\n"
	;

static const char KEY_PKCS1[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"MIIEowIBAAKCAQEAwrcQJk/4x2V5tp0jnxnxhLcgvkCnIJDwbrTs0z9goO25mbmZ\n"
	"cWTtbtQYljz2wlCECXQEDMFbfILlNRXDYiKr2v+19x39GXv+aSLRSYGtZPXPxg+q\n"
	"TvkK2e7LwDl/7ML7G2geB0oZn4kY9DGSnLohJpeszqcgiEODU4SHQ0zQFBKg65vv\n"
	"Pp0qiYCsXQ0p54X7KT7HZ0pm1kACDpaishoCtavtJb1d4DhOH6hDAK3t4V5uTS5w\n"
	"BXGvY1WI1O0xPaFg+JNrM6cFaqAcPfkQxZHi8LrdZ1nREgl+xNPDKmajZ0+zSy3i\n"
	"r3W09xV5PxBWtP/Sp44BojuTQx/A+FwbvExFnQIDAQABAoIBAA1D/WLC0t3mJ7E9\n"
	"ikT8tpPhCbx0eVO9FChSsAoiA1Jgx82K6Rg3ilE2kXiWLYXmXYyAUzCkRrhC+bHQ\n"
	"v6zdVFcupzDEt1mHtU49Npl7BHtq9M1srqDD6PhD2Nf0gubi5MqEoNEZ0bOTr/fJ\n"
	"CHugLFctq7Kw4lpDkTxSJzNPqyMcKujoA3/oK3jKnJDO+F24uYPojF0loy/MZtyJ\n"
	"1UepJvlpsbcZiXG9O3ApYCEgfQekskWALL7B4q7E2dJjji5drCw+Vy9iG1UsQJ4L\n"
	"P+AIQGTqjuC5B3C62m6byJ7kR1ps+qj6UkYMaao059PSAfcZKvxw2lWduo4vQfWW\n"
	"i8DXV9kCgYEA9LS/u0AsmGx8ThyeRbQ8cNrEa/AzEV7sEgXP9pQ/s5xY5+e38qs3\n"
	"6sQsRIc72vYof02l2oRzzSgmCc1cYkKQZBaMf89IQnnGyf15fkZvppglzhjh/BPr\n"
	"YuFwr7gCssqbAjRDIKC+nQXdhc2pkoWnrlrptvnTTBSq1b12g79qVlkCgYEAy7Op\n"
	"MaIjacPzVVEQNJuTeIs9pZgWf2f+uPiq+GvmfqLeRIduG1igKxaYrcJ4bxkJqmTf\n"
	"fvNsAqLgJc5RajZuhjso4XqvjfOBYBJvwwF4Vt+VFf+rhnmz4BbOEOFsHr8KYBX+\n"
	"9ZTMgXxr2jFS3S1kW+skSazj50082baW1TSESOUCgYEAoBbb1GoAgtt+Wy/Xz6xB\n"
	"WmeU1zS2hCfAc24ABsYoAp5Hf7gVnJmtJFagy1hZrT8bcWVgGtxKUi5w7DrAtLvt\n"
	"cL1bv4XhNTQr/Btq71SvWKLzIKkgtuRlOzRXn23XvhZUYJXGUMM40Mt0iEPrKyNr\n"
	"duKdQgqg1IY02U5xCXIh5EkCgYBYCiV1OzN9EeDIngmYAymgruWM/YeztxnDjk4u\n"
	"okvzrabNDY+MKCjJlrGUX/m3YqXnzENAVir3lLe1/072zeHFCCqqEWFww67F/BHr\n"
	"wWXmfimsYV0b+NvCXXjgmN0nCMCOONOCBrbAvCrNGgZLa8P1alK7uQqjPKGxIxZb\n"
	"vZ/y9QKBgG7p04MXz1OqTfJTMVL+zCRV8KzicbjwER+6XrsWVM0iYgfirvzRpAin\n"
	"XQbXPvKO3PdoTHxLNTCTTw+YCdGR+B8i3JOY8T8oYg+Nr2abM+xfH5JFCRR8c0bD\n"
	"OgABn06XK/H3tsk7X7dujtyWMTElpnZNiGcnVZbWk/C3+QPdHsFr\n"
	"-----END RSA PRIVATE KEY-----\n"
	;

static const char KEY_EC[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgmDlubINjh1sXahbl\n"
	"bYac6hivj6NH5EzlIen8TfCCCxehRANCAASEJmTrGvPIGNr7yOL7LHN2AgfL5RVR\n"
	"M4dT0a+kGo5iSbscI6J4GFYqfFHUORyB3Rliigyp9S3t8bKz7KKBJG9c\n"
	"-----END PRIVATE KEY-----\n"
	;

#endif
