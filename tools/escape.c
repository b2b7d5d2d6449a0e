/* Escaping for terminals, HTML and JSON; see escape.h for what is escaped and why. */
#include "escape.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

size_t sl_utf8_len(const unsigned char *p, size_t n)
{
	unsigned c, cp;
	size_t k;

	if (!n)
		return 0;
	c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		k = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		k = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

int sl_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0, k; i < n; i += k)
		if (!(k = sl_utf8_len(p + i, n - i)))
			return 0;
	return 1;
}

static const char fffd[] = "\xef\xbf\xbd";

size_t sl_utf8_copy(char *dst, size_t cap, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;
	for (size_t i = 0; s && i < n;) {
		size_t k = sl_utf8_len(p + i, n - i);
		const char *from = k ? s + i : fffd;
		size_t len = k ? k : 3;
		if (o + len >= cap)
			break;
		memcpy(dst + o, from, len);
		o += len;
		i += k ? k : 1;
	}
	dst[o] = 0;
	return o;
}

void sl_utf8_trim(char *buf)
{
	size_t n = strlen(buf), i = n;
	/* back to the lead byte of the last sequence: at most 3 continuation bytes */
	while (i > 0 && n - i < 4 && ((unsigned char)buf[i - 1] & 0xc0) == 0x80)
		i--;
	if (i > 0 && (unsigned char)buf[i - 1] >= 0xc0 &&
	    sl_utf8_len((const unsigned char *)buf + i - 1, n - i + 1) != n - i + 1)
		buf[i - 1] = 0;
}

int sl_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int r;
	va_start(ap, fmt);
	r = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	if (cap && r >= 0 && (size_t)r >= cap)
		sl_utf8_trim(buf);
	return r;
}

int sl_strs(char *buf, size_t cap, ...)
{
	va_list ap;
	const char *s;
	size_t o = 0, total = 0;
	va_start(ap, cap);
	while ((s = va_arg(ap, const char *))) {
		size_t n = strlen(s);
		total += n;
		if (o + 1 < cap) {
			size_t k = n < cap - 1 - o ? n : cap - 1 - o;
			memcpy(buf + o, s, k);
			o += k;
		}
	}
	va_end(ap);
	if (cap) {
		buf[o] = 0;
		if (total >= cap)
			sl_utf8_trim(buf);
	}
	return total > INT_MAX ? INT_MAX : (int)total;
}

const char *sl_hex(char buf[19], unsigned long long v)
{
	char t[16];
	int k = 0;
	do
		t[k++] = "0123456789abcdef"[v & 15];
	while ((v >>= 4));
	buf[0] = '0';
	buf[1] = 'x';
	for (int i = 0; i < k; i++)
		buf[2 + i] = t[k - 1 - i];
	buf[2 + k] = 0;
	return buf;
}

/* The character at p: its length in bytes (0 at the end), and in esc the visible form it must
 * take instead, or "" when it may go out as is. Invalid bytes have length 1 and esc "\xNN". */
static size_t next_char(const unsigned char *p, char esc[12])
{
	size_t k;
	unsigned cp;

	esc[0] = 0;
	if (!*p)
		return 0;
	k = sl_utf8_len(p, strnlen((const char *)p, 4));
	if (!k) {
		snprintf(esc, 12, "\\x%02x", *p);
		return 1;
	}
	if (k == 1) {
		if (*p == '\n')
			strcpy(esc, "\\n");
		else if (*p == '\r')
			strcpy(esc, "\\r");
		else if (*p == '\t')
			strcpy(esc, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			snprintf(esc, 12, "\\x%02x", *p);
		return 1;
	}
	cp = k == 2   ? (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu)
	     : k == 3 ? (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu)
		      : 0x10000; /* 4-byte characters are never controls */
	/* C1 controls (a terminal takes U+009B as CSI); direction marks, embeddings, overrides
	 * and isolates (text that reads differently than it is, CVE-2021-42574); line and
	 * paragraph separators; zero-width characters and the BOM (invisible). */
	if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff)
		snprintf(esc, 12, "\\u%04x", cp);
	return k;
}

/* Length of the run at p that may go out as is: printable ASCII, the common case, is decided
 * without next_char. */
static size_t plain_run(const unsigned char *p)
{
	const unsigned char *q = p;
	char esc[12];
	size_t k;
	for (;;) {
		if (*q >= 0x20 && *q < 0x7f) {
			q++;
			continue;
		}
		if (*q < 0x80 || !(k = next_char(q, esc)) || esc[0])
			break;
		q += k;
	}
	return (size_t)(q - p);
}

void sl_term_puts(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char esc[12];
	size_t k;
	for (;;) {
		if ((k = plain_run(p))) {
			fwrite(p, 1, k, f);
			p += k;
		}
		if (!(k = next_char(p, esc)))
			break;
		fputs(esc, f);
		p += k;
	}
}

const char *sl_term_str(char *buf, size_t cap, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char esc[12];
	size_t k, o = 0;
	while ((k = next_char(p, esc))) {
		const char *from = esc[0] ? esc : (const char *)p;
		size_t len = esc[0] ? strlen(esc) : k;
		if (o + len >= cap)
			break;
		memcpy(buf + o, from, len);
		o += len;
		p += k;
	}
	if (cap)
		buf[o] = 0;
	return buf;
}

void sl_html_puts(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char esc[12];
	size_t k;
	while ((k = next_char(p, esc))) {
		switch (*p) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			/* invalid byte */
			if (esc[0] && esc[1] == 'x' && *p >= 0x80)
				fputs(fffd, f);
			else if (esc[0])
				fputs(esc, f);
			else
				fwrite(p, 1, k, f);
		}
		p += k;
	}
}
