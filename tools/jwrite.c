/* JSON into memory; see jwrite.h for why and what it matches. */
#include "jwrite.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "jscan.h"

static int grow(struct sl_jsondoc *w, size_t k)
{
	if (w->err)
		return 0;
	{
		size_t ncap = w->cap ? w->cap : 4096;
		char *nb;
		while (ncap < w->n + k)
			ncap *= 2;
		if (!(nb = realloc(w->b, ncap))) {
			w->err = ENOMEM;
			return 0;
		}
		w->b = nb;
		w->cap = ncap;
	}
	return 1;
}

static inline int room(struct sl_jsondoc *w, size_t k) { return w->n + k <= w->cap || grow(w, k); }

static inline void put(struct sl_jsondoc *w, const char *s, size_t k)
{
	if (room(w, k)) {
		memcpy(w->b + w->n, s, k);
		w->n += k;
	}
}

void sl_jsondoc_init(struct sl_jsondoc *w, int indent, int base)
{
	memset(w, 0, sizeof *w);
	w->indent = indent;
	w->depth = w->base = base;
}

static void newline(struct sl_jsondoc *w, int depth)
{
	static const char nl[] =
		"\n                                                                ";
	size_t k = (size_t)(w->indent * depth) + 1;
	if (k <= sizeof nl - 1) { /* the usual depths: one copy */
		put(w, nl, k);
	} else if (room(w, k)) {
		w->b[w->n++] = '\n';
		memset(w->b + w->n, ' ', k - 1);
		w->n += k - 1;
	}
}

/* Before a key or a value: after a key nothing; else a comma after a sibling, and with an
 * indent a new line at the depth (jansson's dump_indent) */
static inline int indented(const struct sl_jsondoc *w)
{
	return w->indent && !(w->flat && w->depth > w->flat);
}

static void sep(struct sl_jsondoc *w)
{
	uint64_t bit;
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth <= w->base || w->depth > 63)
		return;
	bit = (uint64_t)1 << w->depth;
	if (w->filled & bit)
		put(w, ",", 1);
	w->filled |= bit;
	if (indented(w))
		newline(w, w->depth);
}

void sl_jsondoc_open(struct sl_jsondoc *w, char c)
{
	sep(w);
	put(w, &c, 1);
	w->depth++;
	if (w->depth <= 63)
		w->filled &= ~((uint64_t)1 << w->depth);
}

void sl_jsondoc_close(struct sl_jsondoc *w, char c)
{
	if (w->depth <= 63 && (w->filled & ((uint64_t)1 << w->depth))) {
		w->filled &= ~((uint64_t)1 << w->depth);
		if (indented(w))
			newline(w, w->depth - 1);
	}
	w->depth--;
	put(w, &c, 1);
}

static void u_escape(struct sl_jsondoc *w, uint32_t cp)
{
	static const char hex[] = "0123456789ABCDEF"; /* jansson writes \u%04X */
	char seq[12];
	size_t k = 0;
	uint32_t units[2];
	int nu = 0;
	if (cp < 0x10000) {
		units[nu++] = cp;
	} else { /* a UTF-16 surrogate pair, as jansson */
		cp -= 0x10000;
		units[nu++] = 0xD800 | ((cp & 0xffc00) >> 10);
		units[nu++] = 0xDC00 | (cp & 0x3ff);
	}
	for (int i = 0; i < nu; i++) {
		seq[k++] = '\\';
		seq[k++] = 'u';
		seq[k++] = hex[(units[i] >> 12) & 15];
		seq[k++] = hex[(units[i] >> 8) & 15];
		seq[k++] = hex[(units[i] >> 4) & 15];
		seq[k++] = hex[units[i] & 15];
	}
	put(w, seq, k);
}

/* The separator a key in a compact object starts with (a comma after a sibling), marked as
 * written: 0 or 1 byte; -1 when sep() must decide (the top, indentation) */
static inline int compact_sep(struct sl_jsondoc *w)
{
	uint64_t bit;
	if (w->after_key || w->depth <= w->base || w->depth > 63 || indented(w))
		return -1;
	bit = (uint64_t)1 << w->depth;
	if (w->filled & bit)
		return 1;
	w->filled |= bit;
	return 0;
}

void sl_jsondoc_str(struct sl_jsondoc *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run;
	size_t n;
	sep(w);
	if (!s) {
		put(w, "null", 4);
		return;
	}
	n = strlen(s);
	put(w, "\"", 1);
	run = p;
	for (size_t i = 0; i < n;) {
		unsigned char c;
		const char *esc = NULL;
		/* eight bytes that need nothing */
		if (n - i >= 8 && sl_json_plain_run(s + i) == 8) {
			i += 8;
			continue;
		}
		c = p[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		put(w, (const char *)run, (size_t)(p + i - run));
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		}
		if (esc) {
			put(w, esc, 2);
			i++;
		} else if (c < 0x20) {
			u_escape(w, c);
			i++;
		} else {
			size_t k = sl_utf8_len(p + i, n - i);
			uint32_t cp;
			/* an invalid byte is U+FFFD, as escape.h's sl_utf8_copy makes it */
			if (!k) {
				u_escape(w, 0xFFFD);
				i++;
				run = p + i;
				continue;
			}
			cp = k == 2   ? (uint32_t)(c & 0x1f)
			     : k == 3 ? (uint32_t)(c & 0x0f)
				      : (uint32_t)(c & 0x07);
			for (size_t j = 1; j < k; j++)
				cp = (cp << 6) | (p[i + j] & 0x3f);
			u_escape(w, cp);
			i += k;
		}
		run = p + i;
	}
	put(w, (const char *)run, (size_t)(p + n - run));
	put(w, "\"", 1);
}

void sl_jsondoc_keyn(struct sl_jsondoc *w, const char *k, size_t n)
{
	int c = compact_sep(w);
	if (c >= 0) { /* as below, in one room check (keys were a tenth of a json report) */
		if (room(w, n + 4)) {
			char *o = w->b + w->n;
			*o = ',';
			o += c;
			*o++ = '"';
			memcpy(o, k, n);
			o += n;
			*o++ = '"';
			*o++ = ':';
			w->n = (size_t)(o - w->b);
		}
		w->after_key = 1;
		return;
	}
	sep(w); /* an ASCII literal of ours: nothing to escape */
	if (room(w, n + 4)) {
		w->b[w->n++] = '"';
		memcpy(w->b + w->n, k, n);
		w->n += n;
		w->b[w->n++] = '"';
		w->b[w->n++] = ':';
		if (indented(w))
			w->b[w->n++] = ' '; /* jansson's ": " when not compact */
	}
	w->after_key = 1;
}

void sl_jsondoc_int(struct sl_jsondoc *w, int64_t v)
{
	char buf[24], *p = buf + sizeof buf;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10));
	if (v < 0)
		*--p = '-';
	sep(w);
	put(w, p, (size_t)(buf + sizeof buf - p));
}

void sl_jsondoc_raw(struct sl_jsondoc *w, const char *s, size_t n)
{
	sep(w);
	put(w, s, n);
}

void sl_jsondoc_null(struct sl_jsondoc *w)
{
	sep(w);
	put(w, "null", 4);
}

void sl_jsondoc_bool(struct sl_jsondoc *w, int v)
{
	sep(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void sl_jsondoc_real(struct sl_jsondoc *w, double v)
{
	char buf[40], *e;
	int k;

	if (!isfinite(v)) {
		sl_jsondoc_null(w);
		return;
	}
	/* the C locale is the tools' (main.c sets no other): '.' is the radix */
	k = snprintf(buf, sizeof buf - 2, "%.17g", v);
	if (k < 0 || k >= (int)sizeof buf - 2)
		k = snprintf(buf, sizeof buf, "0.0");
	if (!strchr(buf, '.') && !strchr(buf, 'e')) {
		memcpy(buf + k, ".0", 3);
		k += 2;
	}
	if ((e = strchr(buf, 'e'))) { /* e+020 -> e20, e-05 -> e-5 */
		char *d = ++e, *s = e;
		if (*s == '+')
			s++;
		else if (*s == '-')
			d = ++s;
		while (*s == '0' && s[1])
			s++;
		memmove(d, s, strlen(s) + 1);
		k = (int)strlen(buf);
	}
	sep(w);
	put(w, buf, (size_t)k);
}

int sl_jsondoc_flush(struct sl_jsondoc *w, FILE *out)
{
	int r = w->err;
	if (!r && w->n && fwrite(w->b, 1, w->n, out) != w->n)
		r = EIO;
	w->n = 0;
	return r;
}

void sl_jsondoc_free(struct sl_jsondoc *w)
{
	free(w->b);
	memset(w, 0, sizeof *w);
}

#define SL_JSONCACHE 256
struct sl_jsoncache {
	struct {
		const void *k1, *k2;
		char *b;
		size_t n, cap;
	} e[SL_JSONCACHE];
};

static size_t jc_slot(const void *k1, const void *k2)
{
	return ((uintptr_t)k1 >> 3 ^ (uintptr_t)k2 >> 4) % SL_JSONCACHE;
}

struct sl_jsoncache *sl_jsoncache_new(void) { return calloc(1, sizeof(struct sl_jsoncache)); }

void sl_jsoncache_free(struct sl_jsoncache *c)
{
	for (size_t i = 0; c && i < SL_JSONCACHE; i++)
		free(c->e[i].b);
	free(c);
}

int sl_jsoncache_put(struct sl_jsondoc *w, struct sl_jsoncache *c, const void *k1, const void *k2)
{
	size_t i = jc_slot(k1, k2);
	if (!c || !c->e[i].b || c->e[i].k1 != k1 || c->e[i].k2 != k2)
		return 0;
	sl_jsondoc_raw(w, c->e[i].b, c->e[i].n);
	return 1;
}

void sl_jsoncache_keep(struct sl_jsoncache *c, const struct sl_jsondoc *w, size_t at,
		       const void *k1, const void *k2)
{
	size_t i = jc_slot(k1, k2), n = w->n - at;
	if (!c || w->err || at > w->n)
		return;
	if (n > c->e[i].cap) {
		char *nb = realloc(c->e[i].b, n);
		if (!nb)
			return;
		c->e[i].b = nb;
		c->e[i].cap = n;
	}
	memcpy(c->e[i].b, w->b + at, n);
	c->e[i].n = n;
	c->e[i].k1 = k1;
	c->e[i].k2 = k2;
}
