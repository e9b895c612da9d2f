/* err.c — names of the error codes. */
#include "base/err.h"
#include <stdio.h>
#include <stdarg.h>

const char *err_str(int e)
{
	switch (e) {
	case ERR_OK: return "ok";
	case ERR_NOMEM: return "out of memory";
	case ERR_INVAL: return "invalid input";
	case ERR_AGAIN: return "need more data";
	case ERR_TOOBIG: return "size limit exceeded";
	case ERR_NOTFOUND: return "not found";
	case ERR_IO: return "i/o error";
	case ERR_RANGE: return "number out of range";
	case ERR_DEPTH: return "nesting too deep";
	case ERR_UTF8: return "invalid UTF-8";
	case ERR_TIMEOUT: return "timed out";
	case ERR_CLOSED: return "connection closed";
	case ERR_TLS: return "TLS error";
	case ERR_DNS: return "name resolution failed";
	case ERR_FORBIDDEN: return "forbidden by policy";
	case ERR_TYPE: return "wrong type";
	case ERR_DUP: return "duplicate";
	case ERR_STATE: return "invalid state";
	case ERR_UNSUPPORTED: return "not supported";
	case ERR_CANCELLED: return "cancelled";
	default: return "unknown error";
	}
}

void err_printf(char *err, size_t cap, const char *fmt, ...)
{
	if (!err || !cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}
