/* json_emit.h — test helper shared by tests/unit/test_json.c and
 * tests/conformance/json_suite.c: re-serialize token i of d through the
 * writer (keys and strings unescaped and written again, numbers raw).
 * With check, every string must also be valid UTF-8 (ERR_UTF8) and every
 * number is converted with json_i64 and json_double (a full walk).
 * Returns 0 or the first error. */
#ifndef TESTS_JSON_EMIT_H
#define TESTS_JSON_EMIT_H
#include "json/json.h"
#include "json/json_write.h"
#include "base/arena.h"
#include "base/err.h"
#include <stdbool.h>
#include <stdint.h>

static int json_emit(const json_doc *d, int i, json_writer *w, arena *a, bool check)
{
	str s;
	int k, v, rc;
	json_iter it;
	switch (json_typeof(d, i)) {
	case JSON_OBJECT:
		json_write_obj_begin(w);
		it = json_iter_begin(d, i);
		while (json_iter_next(d, &it, &k, &v)) {
			if ((rc = json_str(d, k, a, &s)))
				return rc;
			json_write_keyn(w, s.p, s.n);
			if ((rc = json_emit(d, v, w, a, check)))
				return rc;
		}
		return json_write_obj_end(w);
	case JSON_ARRAY:
		json_write_arr_begin(w);
		it = json_iter_begin(d, i);
		while (json_iter_next(d, &it, NULL, &v))
			if ((rc = json_emit(d, v, w, a, check)))
				return rc;
		return json_write_arr_end(w);
	case JSON_STRING:
		if ((rc = json_str(d, i, a, &s)))
			return rc;
		if (check && !json_utf8_valid(s.p, s.n))
			return ERR_UTF8;
		return json_write_strn(w, s.p, s.n);
	case JSON_NUMBER:
		if (check) {
			int64_t iv;
			double dv;
			json_i64(d, i, &iv);
			json_double(d, i, &dv);
		}
		s = json_raw(d, i);
		return json_write_raw(w, s.p, s.n);
	case JSON_TRUE: return json_write_bool(w, true);
	case JSON_FALSE: return json_write_bool(w, false);
	case JSON_NULL: return json_write_null(w);
	default: return ERR_STATE;
	}
}

#endif
