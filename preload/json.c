/* JSON writer for log records; see json.h for why it avoids stdio. */
#include "json.h"

#include <string.h>

void sl_jsonline_init(struct sl_jsonline *j, char *buf, size_t cap)
{
	j->buf = buf;
	j->cap = cap;
	j->len = 0;
	j->trunc = cap < 2;
	j->need_comma = 0;
}

static void sl_jsonline_put(struct sl_jsonline *j, const char *s, size_t n)
{
	/* Keep one byte for the final '\n' and one for the NUL. */
	if (j->trunc || j->len + n + 2 > j->cap) {
		j->trunc = 1;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void sl_jsonline_c(struct sl_jsonline *j, char c) { sl_jsonline_put(j, &c, 1); }

size_t sl_fmt_u64(char *out, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

size_t sl_fmt_hex(char *out, uint64_t v, int width)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0;

	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v);
	while ((int)n < width && n < 16)
		tmp[n++] = '0';
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when s[0] does not start one. */
static size_t sl_utf8_len(const unsigned char *s, size_t avail)
{
	unsigned c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Reject overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t sl_json_escape(char *out, size_t cap, const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t o = 0, i = 0;
	char esc[6];

	while (i < max && s[i]) {
		/* Only the next sequence matters: bounding the scan keeps escaping linear. */
		size_t avail = strnlen(str + i, max - i < 4 ? max - i : 4);
		size_t n = sl_utf8_len(s + i, avail), en;
		const char *src;

		if (n == 1 && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\') {
			src = str + i;
			en = 1;
		} else if (n == 1 && (s[i] == '"' || s[i] == '\\')) {
			esc[0] = '\\';
			esc[1] = (char)s[i];
			src = esc;
			en = 2;
		} else if (n > 1) {
			src = str + i;
			en = n;
		} else {
			/* A control character, or a byte that is not valid UTF-8. */
			memcpy(esc, "\\u00", 4);
			sl_fmt_hex(esc + 4, s[i], 2);
			src = esc;
			en = 6;
			n = 1;
		}
		if (out) {
			if (o + en > cap)
				return o;
			memcpy(out + o, src, en);
		}
		o += en;
		i += n;
	}
	return o;
}

size_t sl_term_escape(char *out, size_t cap, const char *str)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t o = 0, i = 0;

	if (!cap)
		return 0;
	while (s[i]) {
		size_t n = sl_utf8_len(s + i, strnlen((const char *)s + i, 4)), en = n;
		uint32_t cp = n == 2   ? (s[i] & 0x1fu) << 6 | (s[i + 1] & 0x3fu)
			      : n == 3 ? (s[i] & 0x0fu) << 12 | (s[i + 1] & 0x3fu) << 6 |
						 (s[i + 2] & 0x3fu)
				       : s[i];
		char esc[8];
		const char *src = (const char *)s + i;

		/* The rules of tools/escape.c: C0 controls and DEL as \n or \xNN (a newline could
		 * forge a SUMMARY line), an invalid byte as \xNN, and the C1 controls, the
		 * direction marks, overrides and isolates and the invisible characters as
		 * \uNNNN. */
		if (n == 1 && (cp == '\n' || cp == '\r' || cp == '\t')) {
			esc[0] = '\\';
			esc[1] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
			src = esc;
			en = 2;
		} else if (!n || (n == 1 && (cp < 0x20 || cp == 0x7f))) {
			memcpy(esc, "\\x", 2);
			esc[2] = digits[s[i] >> 4];
			esc[3] = digits[s[i] & 15];
			src = esc;
			en = 4;
			n = 1;
		} else if (n > 1 && n < 4 &&
			   ((cp >= 0x80 && cp <= 0x9f) || cp == 0x61c ||
			    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
			    (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff)) {
			memcpy(esc, "\\u", 2);
			for (int k = 0; k < 4; k++)
				esc[2 + k] = digits[(cp >> (12 - 4 * k)) & 15];
			src = esc;
			en = 6;
		}
		if (o + en >= cap)
			break;
		memcpy(out + o, src, en);
		o += en;
		i += n;
	}
	out[o] = '\0';
	return o;
}

static void sl_jsonline_key(struct sl_jsonline *j, const char *key)
{
	if (j->need_comma)
		sl_jsonline_c(j, ',');
	j->need_comma = 1;
	if (key) {
		sl_jsonline_c(j, '"');
		sl_jsonline_put(j, key, strlen(key));
		sl_jsonline_put(j, "\":", 2);
	}
}

void sl_jsonline_obj_begin(struct sl_jsonline *j, const char *key)
{
	sl_jsonline_key(j, key);
	sl_jsonline_c(j, '{');
	j->need_comma = 0;
}

void sl_jsonline_obj_end(struct sl_jsonline *j)
{
	sl_jsonline_c(j, '}');
	j->need_comma = 1;
}

void sl_jsonline_arr_begin(struct sl_jsonline *j, const char *key)
{
	sl_jsonline_key(j, key);
	sl_jsonline_c(j, '[');
	j->need_comma = 0;
}

void sl_jsonline_arr_end(struct sl_jsonline *j)
{
	sl_jsonline_c(j, ']');
	j->need_comma = 1;
}

void sl_jsonline_strn(struct sl_jsonline *j, const char *key, const char *val, size_t max)
{
	size_t need;

	if (!val) {
		sl_jsonline_null(j, key);
		return;
	}
	sl_jsonline_key(j, key);
	sl_jsonline_c(j, '"');
	need = sl_json_escape(NULL, 0, val, max);
	if (j->trunc || j->len + need + 3 > j->cap) {
		j->trunc = 1;
		return;
	}
	j->len += sl_json_escape(j->buf + j->len, need, val, max);
	sl_jsonline_c(j, '"');
}

void sl_jsonline_str(struct sl_jsonline *j, const char *key, const char *val)
{
	sl_jsonline_strn(j, key, val, (size_t)-1);
}

void sl_jsonline_i64(struct sl_jsonline *j, const char *key, int64_t v)
{
	char tmp[24];
	size_t n = 0;

	sl_jsonline_key(j, key);
	if (v < 0) {
		tmp[n++] = '-';
		n += sl_fmt_u64(tmp + n, (uint64_t)0 - (uint64_t)v);
	} else {
		n += sl_fmt_u64(tmp, (uint64_t)v);
	}
	sl_jsonline_put(j, tmp, n);
}

void sl_jsonline_u64(struct sl_jsonline *j, const char *key, uint64_t v)
{
	char tmp[24];

	sl_jsonline_key(j, key);
	sl_jsonline_put(j, tmp, sl_fmt_u64(tmp, v));
}

void sl_jsonline_hex(struct sl_jsonline *j, const char *key, uint64_t v)
{
	char tmp[24] = "\"0x";
	size_t n = 3 + sl_fmt_hex(tmp + 3, v, 1);

	sl_jsonline_key(j, key);
	tmp[n++] = '"';
	sl_jsonline_put(j, tmp, n);
}

void sl_jsonline_id(struct sl_jsonline *j, const char *key, uint64_t v)
{
	char tmp[20] = "\"";

	if (!v) {
		sl_jsonline_null(j, key);
		return;
	}
	sl_jsonline_key(j, key);
	sl_fmt_hex(tmp + 1, v, 16);
	tmp[17] = '"';
	sl_jsonline_put(j, tmp, 18);
}

void sl_jsonline_bool(struct sl_jsonline *j, const char *key, int v)
{
	sl_jsonline_key(j, key);
	if (v)
		sl_jsonline_put(j, "true", 4);
	else
		sl_jsonline_put(j, "false", 5);
}

void sl_jsonline_null(struct sl_jsonline *j, const char *key)
{
	sl_jsonline_key(j, key);
	sl_jsonline_put(j, "null", 4);
}

void sl_jsonline_raw(struct sl_jsonline *j, const char *key, const char *raw)
{
	sl_jsonline_key(j, key);
	sl_jsonline_put(j, raw, strlen(raw));
}

size_t sl_jsonline_finish(struct sl_jsonline *j)
{
	if (j->trunc || j->len + 2 > j->cap)
		return 0;
	j->buf[j->len++] = '\n';
	j->buf[j->len] = '\0';
	return j->len;
}
