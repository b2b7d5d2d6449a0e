/* Strict JSON scanner; see jscan.h for why it exists. The grammar and the limits mirror
 * jansson 2.14's decoder so that a line is accepted here exactly when json_loadb accepts it
 * (modulo nesting depth), which the fuzz target checks. */
#include "jscan.h"
#include "escape.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The members of the top-level object, noted while it is validated, so that they are handed
 * out without scanning the line a second time (a third of reading a log). */
#define SC_TOP 64
struct top_member {
	struct sl_jv k, v;
};

struct scanner {
	const char *s, *p, *end;
	const char *why;
	struct top_member *top; /* NULL: not noted */
	size_t ntop;            /* past SC_TOP: not all noted, walked again instead */
};

static void ws(struct scanner *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int fail(struct scanner *c, const char *why)
{
	if (!c->why)
		c->why = why;
	return -1;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char ch = p[i];
		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v |= (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			v |= (unsigned)(ch - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int scan_string(struct scanner *c, struct sl_jv *v)
{
	c->p++; /* opening quote */
	v->t = SL_J_STR;
	v->p = c->p;
	v->esc = 0;
	while (c->p < c->end) {
		unsigned char ch;
		if (c->end - c->p >= 8) {
			unsigned k = sl_json_plain_run(c->p);
			c->p += k;
			if (k == 8)
				continue;
		}
		ch = (unsigned char)*c->p;
		if (ch == '"') {
			v->n = (size_t)(c->p - v->p);
			c->p++;
			return 0;
		}
		if (ch < 0x20)
			return fail(c, "control character in string");
		if (ch == '\\') {
			v->esc = 1;
			if (c->end - c->p < 2)
				return fail(c, "truncated escape");
			char e = c->p[1];
			if (e == 'u') {
				unsigned u, u2;
				if (c->end - c->p < 6 || hex4(c->p + 2, &u))
					return fail(c, "invalid \\u escape");
				c->p += 6;
				if (u == 0)
					return fail(c, "\\u0000 is not allowed");
				if (u >= 0xdc00 && u <= 0xdfff)
					return fail(c, "lone low surrogate");
				if (u >= 0xd800 && u <= 0xdbff) {
					if (c->end - c->p < 6 || c->p[0] != '\\' ||
					    c->p[1] != 'u' || hex4(c->p + 2, &u2) || u2 < 0xdc00 ||
					    u2 > 0xdfff)
						return fail(c, "lone high surrogate");
					c->p += 6;
				}
				continue;
			}
			if (!strchr("\"\\/bfnrt", e) || e == 0)
				return fail(c, "invalid escape");
			c->p += 2;
			continue;
		}
		if (ch < 0x80) { /* the common case, without a call per byte */
			c->p++;
			continue;
		}
		size_t l = sl_utf8_len((const unsigned char *)c->p, (size_t)(c->end - c->p));
		if (!l)
			return fail(c, "invalid UTF-8 in string");
		c->p += l;
	}
	return fail(c, "unterminated string");
}

static int isdig(char ch) { return ch >= '0' && ch <= '9'; }

static int scan_number(struct scanner *c, struct sl_jv *v)
{
	const char *st = c->p;
	int real = 0;
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p >= c->end || !isdig(*c->p))
		return fail(c, "invalid number");
	if (*c->p == '0') {
		c->p++;
		if (c->p < c->end && isdig(*c->p))
			return fail(c, "leading zero in number");
	} else {
		while (c->p < c->end && isdig(*c->p))
			c->p++;
	}
	if (c->p < c->end && *c->p == '.') {
		real = 1;
		c->p++;
		if (c->p >= c->end || !isdig(*c->p))
			return fail(c, "invalid number");
		while (c->p < c->end && isdig(*c->p))
			c->p++;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		real = 1;
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (c->p >= c->end || !isdig(*c->p))
			return fail(c, "invalid number");
		while (c->p < c->end && isdig(*c->p))
			c->p++;
	}
	v->t = SL_J_NUM;
	v->p = st;
	v->n = (size_t)(c->p - st);
	v->esc = real;
	/* jansson refuses integers outside long long and reals that overflow a double; up to 18
	 * digits cannot overflow, which is every number of a real log (no strtoll per number). */
	if (!real && v->n <= 18)
		return 0;
	if (!real) {
		/* JSON has no leading zeros: 19 digits fit when not above INT64's, more never do
		 * (nanosecond timestamps have 19 digits: no strtoll for them) */
		int neg = *st == '-';
		size_t nd = v->n - (size_t)neg;
		if (nd != 19 ? nd > 19
			     : memcmp(st + neg, neg ? "9223372036854775808" : "9223372036854775807",
				      19) > 0)
			return fail(c, "integer too big");
		return 0;
	}
	char buf[512];
	if (v->n >= sizeof buf) {
		if (!real)
			return fail(c, "integer too big");
		/* long mantissas are fine; a huge exponent is caught below only when short */
		return 0;
	}
	memcpy(buf, st, v->n);
	buf[v->n] = 0;
	errno = 0;
	if (!real) {
		(void)strtoll(buf, NULL, 10);
		if (errno == ERANGE)
			return fail(c, "integer too big");
	} else {
		double d = strtod(buf, NULL);
		if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL))
			return fail(c, "real number overflow");
	}
	return 0;
}

static int lit(struct scanner *c, const char *w, enum sl_jt t, struct sl_jv *v)
{
	size_t l = strlen(w);
	if ((size_t)(c->end - c->p) < l || memcmp(c->p, w, l))
		return fail(c, "invalid token");
	v->t = t;
	v->p = c->p;
	v->n = l;
	v->esc = 0;
	c->p += l;
	return 0;
}

static int scan_value(struct scanner *c, struct sl_jv *v, int depth);

static int scan_container(struct scanner *c, struct sl_jv *v, int depth)
{
	char open = *c->p, close = open == '{' ? '}' : ']';
	if (depth >= SL_JSON_MAX_DEPTH)
		return fail(c, "nesting too deep");
	v->t = open == '{' ? SL_J_OBJ : SL_J_ARR;
	v->p = c->p;
	v->esc = 0;
	c->p++;
	ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		v->n = (size_t)(c->p - v->p);
		return 0;
	}
	for (;;) {
		struct sl_jv k, e;
		ws(c);
		if (open == '{') {
			if (c->p >= c->end || *c->p != '"')
				return fail(c, "expected a string key");
			if (scan_string(c, &k))
				return -1;
			ws(c);
			if (c->p >= c->end || *c->p != ':')
				return fail(c, "expected ':'");
			c->p++;
			ws(c);
		}
		if (scan_value(c, &e, depth + 1))
			return -1;
		if (!depth && c->top && open == '{') {
			if (c->ntop < SC_TOP) {
				c->top[c->ntop].k = k;
				c->top[c->ntop].v = e;
			}
			c->ntop++;
		}
		ws(c);
		if (c->p >= c->end)
			return fail(c, "truncated");
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (*c->p == close) {
			c->p++;
			break;
		}
		return fail(c, open == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
	}
	v->n = (size_t)(c->p - v->p);
	return 0;
}

static int scan_value(struct scanner *c, struct sl_jv *v, int depth)
{
	if (c->p >= c->end)
		return fail(c, "truncated");
	switch (*c->p) {
	case '"':
		return scan_string(c, v);
	case '{':
	case '[':
		return scan_container(c, v, depth);
	case 'n':
		return lit(c, "null", SL_J_NULL, v);
	case 't':
		return lit(c, "true", SL_J_TRUE, v);
	case 'f':
		return lit(c, "false", SL_J_FALSE, v);
	default:
		if (*c->p == '-' || isdig(*c->p))
			return scan_number(c, v);
		return fail(c, "invalid token");
	}
}

/* The same slices from text the line's scan validated already: the end of each token only
 * (walking a stack record's frames a second time with every check was a tenth of reading a
 * million-site log, issue 11). */
static void known_string(struct scanner *c, struct sl_jv *v)
{
	c->p++; /* opening quote */
	v->t = SL_J_STR;
	v->p = c->p;
	v->esc = 0;
	for (;;) {
		if (c->end - c->p >= 8) { /* the container's closing bracket is c->end */
			unsigned k = sl_json_plain_run(c->p);
			c->p += k;
			if (k == 8)
				continue;
		}
		if (*c->p == '"')
			break;
		if (*c->p == '\\') {
			v->esc = 1;
			c->p += 2; /* the rest of a \u escape is hex digits */
		} else {
			c->p++; /* UTF-8, valid */
		}
	}
	v->n = (size_t)(c->p - v->p);
	c->p++;
}

static void known_value(struct scanner *c, struct sl_jv *v)
{
	const char *st = c->p;
	int depth = 0, real = 0;
	v->p = st;
	v->esc = 0;
	switch (*c->p) {
	case '"':
		known_string(c, v);
		return;
	case 'n':
		v->t = SL_J_NULL;
		c->p += 4;
		break;
	case 't':
		v->t = SL_J_TRUE;
		c->p += 4;
		break;
	case 'f':
		v->t = SL_J_FALSE;
		c->p += 5;
		break;
	case '{':
	case '[':
		v->t = *c->p == '{' ? SL_J_OBJ : SL_J_ARR;
		do {
			struct sl_jv skip;
			if (*c->p == '"') {
				known_string(c, &skip);
				continue;
			}
			if (*c->p == '{' || *c->p == '[')
				depth++;
			else if (*c->p == '}' || *c->p == ']')
				depth--;
			c->p++;
		} while (depth);
		break;
	default: /* a number */
		v->t = SL_J_NUM;
		while (c->p < c->end && (isdig(*c->p) || *c->p == '-' || *c->p == '+' ||
					 *c->p == '.' || *c->p == 'e' || *c->p == 'E')) {
			if (*c->p == '.' || *c->p == 'e' || *c->p == 'E')
				real = 1;
			c->p++;
		}
		v->esc = real;
	}
	v->n = (size_t)(c->p - st);
}

/* The members of the validated object at c->p (its '{') to mfn; c->p is left after its '}',
 * or at the member whose callback returned nonzero (returned). */
static int walk_obj(struct scanner *c, sl_jmember_fn mfn, void *ctx)
{
	c->p++; /* '{' */
	for (;;) {
		struct sl_jv k, e;
		char kbuf[128];
		const char *key;
		size_t klen;
		int r;
		ws(c);
		if (*c->p == ',') {
			c->p++;
			ws(c);
		}
		if (*c->p == '}') {
			c->p++;
			return 0;
		}
		known_string(c, &k);
		key = k.p;
		klen = k.n;
		if (k.esc) {
			long l = sl_jv_str(&k, kbuf, sizeof kbuf);
			key = kbuf;
			klen = l < (long)sizeof kbuf ? (size_t)l : sizeof kbuf - 1;
		}
		ws(c);
		c->p++; /* ':' */
		ws(c);
		known_value(c, &e);
		if ((r = mfn(ctx, key, klen, &e)))
			return r;
	}
}

/* Walk a validated array: each element to efn, and when mfn is set, each object element's
 * members to mfn as they are reached (see sl_jv_obj_elems). */
static int walk_arr(const struct sl_jv *cv, sl_jelem_fn efn, sl_jmember_fn mfn, void *ctx)
{
	struct scanner c = {cv->p, cv->p + 1, cv->p + cv->n - 1, NULL, NULL, 0};
	for (size_t idx = 0;; idx++) {
		struct sl_jv e;
		int r;
		ws(&c);
		if (c.p < c.end && *c.p == ',') {
			c.p++;
			ws(&c);
		}
		if (c.p >= c.end)
			return 0;
		if (mfn && *c.p == '{') {
			e.t = SL_J_OBJ;
			e.p = c.p;
			e.n = 0; /* not known before its members are */
			e.esc = 0;
			r = efn(ctx, idx, &e);
			if (r == SL_JV_SKIP)
				known_value(&c, &e);
			else if (r || (r = walk_obj(&c, mfn, ctx)))
				return r;
			continue;
		}
		known_value(&c, &e);
		if ((r = efn(ctx, idx, &e)) && (!mfn || r != SL_JV_SKIP))
			return r;
	}
}

int sl_jobj_each(const char *s, size_t n, sl_jmember_fn fn, void *ctx, const char **why,
		 size_t *col)
{
	struct top_member top[SC_TOP];
	struct scanner c = {s, s, s + n, NULL, top, 0};
	struct sl_jv v;
	ws(&c);
	if (c.p >= c.end) {
		c.why = "empty line";
	} else if (*c.p != '{') {
		c.why = "not a JSON object";
	} else if (!scan_container(&c, &v, 0)) {
		ws(&c);
		if (c.p == c.end && c.ntop > SC_TOP)
			return sl_jv_members(&v, fn, ctx);
		if (c.p == c.end) {
			for (size_t i = 0; i < c.ntop; i++) {
				const struct sl_jv *k = &top[i].k;
				char kbuf[128];
				const char *key = k->p;
				size_t klen = k->n;
				int r;
				if (k->esc) { /* as walk does */
					long l = sl_jv_str(k, kbuf, sizeof kbuf);
					key = kbuf;
					klen = l < (long)sizeof kbuf ? (size_t)l : sizeof kbuf - 1;
				}
				if ((r = fn(ctx, key, klen, &top[i].v)))
					return r;
			}
			return 0;
		}
		c.why = "trailing characters after the object";
	}
	if (why)
		*why = c.why ? c.why : "invalid JSON";
	if (col)
		*col = (size_t)(c.p - s);
	return -1;
}

int sl_jv_members(const struct sl_jv *obj, sl_jmember_fn fn, void *ctx)
{
	struct scanner c = {obj->p, obj->p, obj->p + obj->n - 1, NULL, NULL, 0};
	return obj->t == SL_J_OBJ ? walk_obj(&c, fn, ctx) : -1;
}

int sl_jv_elems(const struct sl_jv *arr, sl_jelem_fn fn, void *ctx)
{
	return arr->t == SL_J_ARR ? walk_arr(arr, fn, NULL, ctx) : -1;
}

int sl_jv_obj_elems(const struct sl_jv *arr, sl_jelem_fn begin, sl_jmember_fn fn, void *ctx)
{
	return arr->t == SL_J_ARR ? walk_arr(arr, begin, fn, ctx) : -1;
}

int sl_jv_int(const struct sl_jv *v, int64_t *out)
{
	char buf[32];
	if (v->t != SL_J_NUM || v->esc || v->n >= sizeof buf)
		return -1;
	if (v->n - (v->p[0] == '-') <= 19) {
		/* validated grammar, at most 19 digits: fits a uint64, then the int64 range is
		 * checked; the common case (nanosecond timestamps have 19) without strtoll */
		const char *p = v->p, *e = v->p + v->n;
		int neg = *p == '-';
		uint64_t x = 0;
		for (p += neg; p < e; p++)
			x = x * 10 + (uint64_t)(*p - '0');
		if (x > (uint64_t)INT64_MAX + neg)
			return -1;
		*out = neg ? (int64_t)(0 - x) : (int64_t)x;
		return 0;
	}
	memcpy(buf, v->p, v->n);
	buf[v->n] = 0;
	errno = 0;
	long long x = strtoll(buf, NULL, 10);
	if (errno)
		return -1;
	*out = x;
	return 0;
}

static void put(char *buf, size_t cap, size_t *o, char ch)
{
	if (*o + 1 < cap)
		buf[*o] = ch;
	(*o)++;
}

long sl_jv_str(const struct sl_jv *v, char *buf, size_t cap)
{
	size_t o = 0;
	if (v->t != SL_J_STR)
		return -1;
	for (size_t i = 0; i < v->n; i++) {
		char ch = v->p[i];
		if (ch != '\\' || i + 1 >= v->n) {
			put(buf, cap, &o, ch);
			continue;
		}
		char e = v->p[++i];
		unsigned u, u2;
		switch (e) {
		case 'b':
			put(buf, cap, &o, '\b');
			break;
		case 'f':
			put(buf, cap, &o, '\f');
			break;
		case 'n':
			put(buf, cap, &o, '\n');
			break;
		case 'r':
			put(buf, cap, &o, '\r');
			break;
		case 't':
			put(buf, cap, &o, '\t');
			break;
		case 'u':
			if (i + 4 >= v->n || hex4(v->p + i + 1, &u))
				return -1;
			i += 4;
			if (u >= 0xd800 && u <= 0xdbff && i + 6 < v->n && v->p[i + 1] == '\\' &&
			    v->p[i + 2] == 'u' && !hex4(v->p + i + 3, &u2)) {
				u = 0x10000 + ((u - 0xd800) << 10) + (u2 - 0xdc00);
				i += 6;
			}
			if (u < 0x80) {
				put(buf, cap, &o, (char)u);
			} else if (u < 0x800) {
				put(buf, cap, &o, (char)(0xc0 | (u >> 6)));
				put(buf, cap, &o, (char)(0x80 | (u & 0x3f)));
			} else if (u < 0x10000) {
				put(buf, cap, &o, (char)(0xe0 | (u >> 12)));
				put(buf, cap, &o, (char)(0x80 | ((u >> 6) & 0x3f)));
				put(buf, cap, &o, (char)(0x80 | (u & 0x3f)));
			} else {
				put(buf, cap, &o, (char)(0xf0 | (u >> 18)));
				put(buf, cap, &o, (char)(0x80 | ((u >> 12) & 0x3f)));
				put(buf, cap, &o, (char)(0x80 | ((u >> 6) & 0x3f)));
				put(buf, cap, &o, (char)(0x80 | (u & 0x3f)));
			}
			break;
		default:
			put(buf, cap, &o, e);
			break;
		}
	}
	if (cap)
		buf[o < cap ? o : cap - 1] = 0;
	return (long)o;
}

int sl_jkey(const char *key, size_t klen, const char *lit_)
{
	size_t l = strlen(lit_);
	return klen == l && !memcmp(key, lit_, l);
}

int sl_jv_hex(const struct sl_jv *v, uint64_t *out)
{
	const char *p = v->p;
	size_t n = v->n, i = 0;
	uint64_t x = 0;
	if (v->t != SL_J_STR || v->esc)
		return -1;
	if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		i = 2;
	if (i == n || n - i > 16)
		return -1;
	for (; i < n; i++) {
		char ch = p[i];
		x <<= 4;
		if (ch >= '0' && ch <= '9')
			x |= (uint64_t)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			x |= (uint64_t)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			x |= (uint64_t)(ch - 'A' + 10);
		else
			return -1;
	}
	*out = x;
	return 0;
}
