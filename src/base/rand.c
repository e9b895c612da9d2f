/* rand.c — kernel randomness: getrandom(2), /dev/urandom fallback. */
#include "base/rand.h"
#include "base/ct.h"
#include "base/err.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

int rand_bytes_urandom(void *p, size_t n)
{
	unsigned char *d = p;
	int fd;
	do
		fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return ERR_IO;
	while (n) {
		ssize_t r = read(fd, d, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			close(fd);
			errno = e;
			return ERR_IO;
		}
		d += r;
		n -= (size_t)r;
	}
	close(fd);
	return 0;
}

int rand_bytes(void *p, size_t n)
{
	unsigned char *d = p;
	while (n) {
		/* getrandom returns at most 33554431 bytes per call; loop for more */
		ssize_t r = getrandom(d, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOSYS)
				return rand_bytes_urandom(d, n);
			return ERR_IO;
		}
		d += r;
		n -= (size_t)r;
	}
	return 0;
}

int rand_hex(char *dst, size_t n)
{
	static const char hx[16] = "0123456789abcdef";
	unsigned char tmp[64];
	size_t i = 0;
	while (i < n) {
		size_t want = (n - i + 1) / 2;
		if (want > sizeof tmp)
			want = sizeof tmp;
		int rc = rand_bytes(tmp, want);
		if (rc) {
			dst[0] = '\0';
			return rc;
		}
		for (size_t k = 0; k < want && i < n; k++) {
			dst[i++] = hx[tmp[k] >> 4];
			if (i < n)
				dst[i++] = hx[tmp[k] & 15];
		}
	}
	dst[n] = '\0';
	ct_wipe(tmp, sizeof tmp);
	return 0;
}

int rand_u64(uint64_t *out)
{
	unsigned char b[8];
	int rc = rand_bytes(b, sizeof b);
	if (rc)
		return rc;
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	*out = v;
	return 0;
}

int rand_below(uint64_t bound, uint64_t *out)
{
	if (bound == 0)
		return ERR_INVAL;
	/* reject the top (2^64 mod bound) values so every residue is equally likely */
	uint64_t thresh = (0 - bound) % bound;
	for (;;) {
		uint64_t v;
		int rc = rand_u64(&v);
		if (rc)
			return rc;
		if (v >= thresh) {
			*out = v % bound;
			return 0;
		}
	}
}

int rand_unit(double *out)
{
	uint64_t v;
	int rc = rand_u64(&v);
	if (rc)
		return rc;
	*out = (double)(v >> 11) * (1.0 / 9007199254740992.0); /* / 2^53 */
	return 0;
}
