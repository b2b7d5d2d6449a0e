/* Strict JSON validator; see jsoncheck.h. Recursive descent with a depth cap. */
#include "jsoncheck.h"

#include <stdint.h>

struct jc {
	const unsigned char *s;
	size_t n, i;
	int depth;
};

static size_t jc_utf8_seq(const unsigned char *s, size_t avail)
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
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int jc_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < n;) {
		size_t k = jc_utf8_seq(s + i, n - i);

		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

static void jc_ws(struct jc *j)
{
	while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' ||
			       j->s[j->i] == '\r'))
		j->i++;
}

static int jc_lit(struct jc *j, const char *w)
{
	for (; *w; w++, j->i++)
		if (j->i >= j->n || j->s[j->i] != (unsigned char)*w)
			return 0;
	return 1;
}

static int jc_hex4(struct jc *j)
{
	for (int k = 0; k < 4; k++, j->i++) {
		unsigned c;

		if (j->i >= j->n)
			return 0;
		c = j->s[j->i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

static int jc_string(struct jc *j)
{
	if (j->i >= j->n || j->s[j->i] != '"')
		return 0;
	j->i++;
	while (j->i < j->n) {
		unsigned c = j->s[j->i];
		size_t k;

		if (c == '"') {
			j->i++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			j->i++;
			if (j->i >= j->n)
				return 0;
			c = j->s[j->i++];
			if (c == 'u') {
				if (!jc_hex4(j))
					return 0;
			} else if (!(c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' ||
				     c == 'n' || c == 'r' || c == 't')) {
				return 0;
			}
			continue;
		}
		k = jc_utf8_seq(j->s + j->i, j->n - j->i);
		if (!k)
			return 0;
		j->i += k;
	}
	return 0;
}

static int jc_digits(struct jc *j)
{
	size_t start = j->i;

	while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
		j->i++;
	return j->i > start;
}

static int jc_number(struct jc *j)
{
	if (j->i < j->n && j->s[j->i] == '-')
		j->i++;
	if (j->i < j->n && j->s[j->i] == '0')
		j->i++;
	else if (!jc_digits(j))
		return 0;
	if (j->i < j->n && j->s[j->i] == '.') {
		j->i++;
		if (!jc_digits(j))
			return 0;
	}
	if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		if (!jc_digits(j))
			return 0;
	}
	return 1;
}

static int jc_value(struct jc *j);

static int jc_container(struct jc *j, char close, int keyed)
{
	j->i++;
	if (++j->depth > 256)
		return 0;
	jc_ws(j);
	if (j->i < j->n && j->s[j->i] == (unsigned char)close) {
		j->i++;
		j->depth--;
		return 1;
	}
	for (;;) {
		jc_ws(j);
		if (keyed) {
			if (!jc_string(j))
				return 0;
			jc_ws(j);
			if (j->i >= j->n || j->s[j->i] != ':')
				return 0;
			j->i++;
		}
		if (!jc_value(j))
			return 0;
		jc_ws(j);
		if (j->i >= j->n)
			return 0;
		if (j->s[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->s[j->i] == (unsigned char)close) {
			j->i++;
			j->depth--;
			return 1;
		}
		return 0;
	}
}

static int jc_value(struct jc *j)
{
	jc_ws(j);
	if (j->i >= j->n)
		return 0;
	switch (j->s[j->i]) {
	case '{':
		return jc_container(j, '}', 1);
	case '[':
		return jc_container(j, ']', 0);
	case '"':
		return jc_string(j);
	case 't':
		return jc_lit(j, "true");
	case 'f':
		return jc_lit(j, "false");
	case 'n':
		return jc_lit(j, "null");
	default:
		return jc_number(j);
	}
}

int jc_valid(const char *s, size_t n)
{
	struct jc j = {(const unsigned char *)s, n, 0, 0};

	if (!jc_value(&j))
		return 0;
	jc_ws(&j);
	return j.i == n;
}
