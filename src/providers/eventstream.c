/* eventstream.c — AWS binary event-stream framing: CRC-32, one-message
 * parser, incremental decoder and encoder (see eventstream.h). */
#include "providers/eventstream.h"
#include "base/err.h"
#include <string.h>

/* CRC-32/IEEE table (reflected polynomial 0xEDB88320). */
static const uint32_t crc_tab[256] = {
	0x00000000u, 0x77073096u, 0xee0e612cu, 0x990951bau, 0x076dc419u, 0x706af48fu,
	0xe963a535u, 0x9e6495a3u, 0x0edb8832u, 0x79dcb8a4u, 0xe0d5e91eu, 0x97d2d988u,
	0x09b64c2bu, 0x7eb17cbdu, 0xe7b82d07u, 0x90bf1d91u, 0x1db71064u, 0x6ab020f2u,
	0xf3b97148u, 0x84be41deu, 0x1adad47du, 0x6ddde4ebu, 0xf4d4b551u, 0x83d385c7u,
	0x136c9856u, 0x646ba8c0u, 0xfd62f97au, 0x8a65c9ecu, 0x14015c4fu, 0x63066cd9u,
	0xfa0f3d63u, 0x8d080df5u, 0x3b6e20c8u, 0x4c69105eu, 0xd56041e4u, 0xa2677172u,
	0x3c03e4d1u, 0x4b04d447u, 0xd20d85fdu, 0xa50ab56bu, 0x35b5a8fau, 0x42b2986cu,
	0xdbbbc9d6u, 0xacbcf940u, 0x32d86ce3u, 0x45df5c75u, 0xdcd60dcfu, 0xabd13d59u,
	0x26d930acu, 0x51de003au, 0xc8d75180u, 0xbfd06116u, 0x21b4f4b5u, 0x56b3c423u,
	0xcfba9599u, 0xb8bda50fu, 0x2802b89eu, 0x5f058808u, 0xc60cd9b2u, 0xb10be924u,
	0x2f6f7c87u, 0x58684c11u, 0xc1611dabu, 0xb6662d3du, 0x76dc4190u, 0x01db7106u,
	0x98d220bcu, 0xefd5102au, 0x71b18589u, 0x06b6b51fu, 0x9fbfe4a5u, 0xe8b8d433u,
	0x7807c9a2u, 0x0f00f934u, 0x9609a88eu, 0xe10e9818u, 0x7f6a0dbbu, 0x086d3d2du,
	0x91646c97u, 0xe6635c01u, 0x6b6b51f4u, 0x1c6c6162u, 0x856530d8u, 0xf262004eu,
	0x6c0695edu, 0x1b01a57bu, 0x8208f4c1u, 0xf50fc457u, 0x65b0d9c6u, 0x12b7e950u,
	0x8bbeb8eau, 0xfcb9887cu, 0x62dd1ddfu, 0x15da2d49u, 0x8cd37cf3u, 0xfbd44c65u,
	0x4db26158u, 0x3ab551ceu, 0xa3bc0074u, 0xd4bb30e2u, 0x4adfa541u, 0x3dd895d7u,
	0xa4d1c46du, 0xd3d6f4fbu, 0x4369e96au, 0x346ed9fcu, 0xad678846u, 0xda60b8d0u,
	0x44042d73u, 0x33031de5u, 0xaa0a4c5fu, 0xdd0d7cc9u, 0x5005713cu, 0x270241aau,
	0xbe0b1010u, 0xc90c2086u, 0x5768b525u, 0x206f85b3u, 0xb966d409u, 0xce61e49fu,
	0x5edef90eu, 0x29d9c998u, 0xb0d09822u, 0xc7d7a8b4u, 0x59b33d17u, 0x2eb40d81u,
	0xb7bd5c3bu, 0xc0ba6cadu, 0xedb88320u, 0x9abfb3b6u, 0x03b6e20cu, 0x74b1d29au,
	0xead54739u, 0x9dd277afu, 0x04db2615u, 0x73dc1683u, 0xe3630b12u, 0x94643b84u,
	0x0d6d6a3eu, 0x7a6a5aa8u, 0xe40ecf0bu, 0x9309ff9du, 0x0a00ae27u, 0x7d079eb1u,
	0xf00f9344u, 0x8708a3d2u, 0x1e01f268u, 0x6906c2feu, 0xf762575du, 0x806567cbu,
	0x196c3671u, 0x6e6b06e7u, 0xfed41b76u, 0x89d32be0u, 0x10da7a5au, 0x67dd4accu,
	0xf9b9df6fu, 0x8ebeeff9u, 0x17b7be43u, 0x60b08ed5u, 0xd6d6a3e8u, 0xa1d1937eu,
	0x38d8c2c4u, 0x4fdff252u, 0xd1bb67f1u, 0xa6bc5767u, 0x3fb506ddu, 0x48b2364bu,
	0xd80d2bdau, 0xaf0a1b4cu, 0x36034af6u, 0x41047a60u, 0xdf60efc3u, 0xa867df55u,
	0x316e8eefu, 0x4669be79u, 0xcb61b38cu, 0xbc66831au, 0x256fd2a0u, 0x5268e236u,
	0xcc0c7795u, 0xbb0b4703u, 0x220216b9u, 0x5505262fu, 0xc5ba3bbeu, 0xb2bd0b28u,
	0x2bb45a92u, 0x5cb36a04u, 0xc2d7ffa7u, 0xb5d0cf31u, 0x2cd99e8bu, 0x5bdeae1du,
	0x9b64c2b0u, 0xec63f226u, 0x756aa39cu, 0x026d930au, 0x9c0906a9u, 0xeb0e363fu,
	0x72076785u, 0x05005713u, 0x95bf4a82u, 0xe2b87a14u, 0x7bb12baeu, 0x0cb61b38u,
	0x92d28e9bu, 0xe5d5be0du, 0x7cdcefb7u, 0x0bdbdf21u, 0x86d3d2d4u, 0xf1d4e242u,
	0x68ddb3f8u, 0x1fda836eu, 0x81be16cdu, 0xf6b9265bu, 0x6fb077e1u, 0x18b74777u,
	0x88085ae6u, 0xff0f6a70u, 0x66063bcau, 0x11010b5cu, 0x8f659effu, 0xf862ae69u,
	0x616bffd3u, 0x166ccf45u, 0xa00ae278u, 0xd70dd2eeu, 0x4e048354u, 0x3903b3c2u,
	0xa7672661u, 0xd06016f7u, 0x4969474du, 0x3e6e77dbu, 0xaed16a4au, 0xd9d65adcu,
	0x40df0b66u, 0x37d83bf0u, 0xa9bcae53u, 0xdebb9ec5u, 0x47b2cf7fu, 0x30b5ffe9u,
	0xbdbdf21cu, 0xcabac28au, 0x53b39330u, 0x24b4a3a6u, 0xbad03605u, 0xcdd70693u,
	0x54de5729u, 0x23d967bfu, 0xb3667a2eu, 0xc4614ab8u, 0x5d681b02u, 0x2a6f2b94u,
	0xb40bbe37u, 0xc30c8ea1u, 0x5a05df1bu, 0x2d02ef8du,
};

uint32_t eventstream_crc32(uint32_t crc, const void *p, size_t n)
{
	const uint8_t *b = p;
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = crc_tab[(crc ^ b[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Fixed value size of a header type, -1 for length-prefixed, -2 unknown. */
static int value_size(unsigned t)
{
	switch (t) {
	case EVENTSTREAM_BOOL_TRUE:
	case EVENTSTREAM_BOOL_FALSE: return 0;
	case EVENTSTREAM_BYTE: return 1;
	case EVENTSTREAM_SHORT: return 2;
	case EVENTSTREAM_INT: return 4;
	case EVENTSTREAM_LONG:
	case EVENTSTREAM_TIMESTAMP: return 8;
	case EVENTSTREAM_UUID: return 16;
	case EVENTSTREAM_BYTES:
	case EVENTSTREAM_STRING: return -1;
	default: return -2;
	}
}

/* Decode the header at p[*off..n): 1 ok, 0 at the end, ERR_INVAL malformed. */
static int header_at(const uint8_t *p, size_t n, size_t *off, eventstream_header *h)
{
	size_t o = *off;
	if (o >= n)
		return 0;
	size_t nl = p[o++];
	if (nl == 0 || n - o < nl + 1)
		return ERR_INVAL;
	h->name = (const char *)p + o;
	h->name_len = nl;
	o += nl;
	unsigned t = p[o++];
	int vs = value_size(t);
	if (vs == -2)
		return ERR_INVAL;
	h->type = (eventstream_type)t;
	h->i = 0;
	h->data = NULL;
	h->len = 0;
	if (vs == -1) {
		if (n - o < 2)
			return ERR_INVAL;
		size_t l = (size_t)p[o] << 8 | p[o + 1];
		o += 2;
		if (n - o < l)
			return ERR_INVAL;
		h->data = p + o;
		h->len = l;
		o += l;
	} else {
		if (n - o < (size_t)vs)
			return ERR_INVAL;
		if (t == EVENTSTREAM_UUID) {
			h->data = p + o;
			h->len = 16;
		} else if (vs) {
			uint64_t v = 0;
			for (int i = 0; i < vs; i++)
				v = v << 8 | p[o + (size_t)i];
			/* sign-extend from vs bytes */
			if (vs < 8 && (v >> (vs * 8 - 1)) & 1)
				v |= ~(uint64_t)0 << (vs * 8);
			h->i = (int64_t)v;
		}
		o += (size_t)vs;
	}
	*off = o;
	return 1;
}

int eventstream_header_next(const eventstream_msg *m, size_t *off, eventstream_header *h)
{
	int rc = header_at(m->headers, m->headers_len, off, h);
	return rc > 0 ? 1 : 0;
}

static bool name_is(const eventstream_header *h, const char *s)
{
	size_t n = strlen(s);
	return h->name_len == n && memcmp(h->name, s, n) == 0;
}

/* Check the prelude in p[0..12). */
static int check_prelude(const uint8_t *p, size_t max, uint32_t *total, uint32_t *hlen)
{
	*total = be32(p);
	*hlen = be32(p + 4);
	if (eventstream_crc32(0, p, 8) != be32(p + 8))
		return ERR_INVAL;
	if (*total < EVENTSTREAM_MIN_LEN || *hlen > *total - EVENTSTREAM_MIN_LEN)
		return ERR_INVAL;
	if (*total > (max ? max : EVENTSTREAM_MAX_MESSAGE) || *hlen > EVENTSTREAM_MAX_HEADERS_LEN)
		return ERR_TOOBIG;
	return 0;
}

int eventstream_parse(const void *src, size_t n, size_t max, eventstream_msg *m, size_t *used)
{
	const uint8_t *p = src;
	uint32_t total, hlen;
	*used = 0;
	if (n < EVENTSTREAM_PRELUDE_LEN)
		return ERR_AGAIN;
	int rc = check_prelude(p, max, &total, &hlen);
	if (rc)
		return rc;
	if (n < total)
		return ERR_AGAIN;
	if (eventstream_crc32(0, p, total - 4) != be32(p + total - 4))
		return ERR_INVAL;
	memset(m, 0, sizeof *m);
	m->headers = p + EVENTSTREAM_PRELUDE_LEN;
	m->headers_len = hlen;
	m->payload = p + EVENTSTREAM_PRELUDE_LEN + hlen;
	m->payload_len = total - hlen - EVENTSTREAM_MIN_LEN;
	size_t off = 0;
	eventstream_header h;
	while ((rc = header_at(m->headers, hlen, &off, &h)) == 1) {
		m->nheaders++;
		if (h.type != EVENTSTREAM_STRING || h.name_len < 2 || h.name[0] != ':')
			continue;
		const char *v = h.data;
		if (name_is(&h, ":event-type")) {
			m->event_type = v;
			m->event_type_len = h.len;
		} else if (name_is(&h, ":message-type")) {
			m->message_type = v;
			m->message_type_len = h.len;
		} else if (name_is(&h, ":content-type")) {
			m->content_type = v;
			m->content_type_len = h.len;
		} else if (name_is(&h, ":exception-type")) {
			m->exception_type = v;
			m->exception_type_len = h.len;
		} else if (name_is(&h, ":error-code")) {
			m->error_code = v;
			m->error_code_len = h.len;
		} else if (name_is(&h, ":error-message")) {
			m->error_message = v;
			m->error_message_len = h.len;
		}
	}
	if (rc < 0) {
		memset(m, 0, sizeof *m);
		return rc;
	}
	*used = total;
	return 0;
}

void eventstream_dec_init(eventstream_dec *d, size_t max)
{
	memset(d, 0, sizeof *d);
	d->max = max;
}

static size_t dec_max(const eventstream_dec *d)
{
	return d->max ? d->max : EVENTSTREAM_MAX_MESSAGE;
}

/* Drop the bytes of the messages already returned. */
static void dec_compact(eventstream_dec *d)
{
	if (d->pos) {
		buf_consume(&d->in, d->pos);
		d->pos = 0;
	}
}

int eventstream_dec_feed(eventstream_dec *d, const void *p, size_t n)
{
	if (d->err)
		return d->err;
	dec_compact(d);
	if (n == 0)
		return 0;
	/* after pulling every complete message, less than one message is left */
	if (d->in.len >= dec_max(d) || n > SIZE_MAX / 2 - d->in.len) {
		d->err = ERR_TOOBIG;
		return d->err;
	}
	d->in.cap = d->in.len + n;
	int rc = buf_append(&d->in, p, n);
	if (rc)
		return rc; /* ERR_NOMEM: not sticky, the bytes were not taken */
	if (d->in.len >= EVENTSTREAM_PRELUDE_LEN) {
		uint32_t total, hlen;
		rc = check_prelude((const uint8_t *)d->in.data, dec_max(d), &total, &hlen);
		if (rc)
			d->err = rc;
	}
	return d->err;
}

int eventstream_dec_next(eventstream_dec *d, eventstream_msg *m)
{
	if (d->err)
		return d->err;
	size_t used = 0;
	if (!d->in.data)
		return ERR_AGAIN;
	int rc = eventstream_parse(d->in.data + d->pos, d->in.len - d->pos, dec_max(d), m, &used);
	if (rc == 0)
		d->pos += used;
	else if (rc != ERR_AGAIN)
		d->err = rc;
	return rc;
}

size_t eventstream_dec_pending(const eventstream_dec *d)
{
	return d->in.len - d->pos;
}

void eventstream_dec_free(eventstream_dec *d)
{
	if (!d)
		return;
	buf_free(&d->in);
	memset(d, 0, sizeof *d);
}

int eventstream_encode(buf *out, const eventstream_header *h, size_t nh,
	const void *payload, size_t payload_len)
{
	size_t hlen = 0;
	if (nh && !h)
		return ERR_INVAL;
	if (payload_len && !payload)
		return ERR_INVAL;
	for (size_t i = 0; i < nh; i++) {
		int vs = value_size((unsigned)h[i].type);
		int64_t lim = vs == 1 ? 128 : vs == 2 ? 32768 : vs == 4 ? 2147483648LL : 0;
		if (lim && (h[i].i < -lim || h[i].i >= lim))
			return ERR_INVAL;
		if (h[i].name_len == 0 || h[i].name_len > 255 || !h[i].name || vs == -2)
			return ERR_INVAL;
		if (vs == -1 && (h[i].len > 65535 || (h[i].len && !h[i].data)))
			return ERR_INVAL;
		if (h[i].type == EVENTSTREAM_UUID && (h[i].len != 16 || !h[i].data))
			return ERR_INVAL;
		hlen += 2 + h[i].name_len + (vs == -1 ? 2 + h[i].len : (size_t)vs);
		if (hlen > EVENTSTREAM_MAX_HEADERS_LEN)
			return ERR_TOOBIG;
	}
	if (payload_len > EVENTSTREAM_MAX_MESSAGE - EVENTSTREAM_MIN_LEN - hlen)
		return ERR_TOOBIG;
	size_t total = EVENTSTREAM_MIN_LEN + hlen + payload_len;
	int rc = buf_reserve(out, total);
	if (rc)
		return rc;
	uint8_t *s = (uint8_t *)out->data + out->len, *p = s;
	put32(p, (uint32_t)total);
	put32(p + 4, (uint32_t)hlen);
	put32(p + 8, eventstream_crc32(0, p, 8));
	p += EVENTSTREAM_PRELUDE_LEN;
	for (size_t i = 0; i < nh; i++) {
		int vs = value_size((unsigned)h[i].type);
		*p++ = (uint8_t)h[i].name_len;
		memcpy(p, h[i].name, h[i].name_len);
		p += h[i].name_len;
		*p++ = (uint8_t)h[i].type;
		if (vs == -1) {
			*p++ = (uint8_t)(h[i].len >> 8);
			*p++ = (uint8_t)h[i].len;
			if (h[i].len)
				memcpy(p, h[i].data, h[i].len);
			p += h[i].len;
		} else if (h[i].type == EVENTSTREAM_UUID) {
			memcpy(p, h[i].data, 16);
			p += 16;
		} else {
			uint64_t v = (uint64_t)h[i].i;
			for (int k = vs - 1; k >= 0; k--)
				*p++ = (uint8_t)(v >> (k * 8));
		}
	}
	if (payload_len)
		memcpy(p, payload, payload_len);
	p += payload_len;
	put32(p, eventstream_crc32(0, s, total - 4));
	out->len += total;
	out->data[out->len] = '\0';
	return 0;
}
