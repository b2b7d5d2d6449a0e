/* Records inside syslog lines and journal entries; see envelope.h. */
#include "envelope.h"

#include <stdlib.h>
#include <string.h>

#include "jscan.h"

#define SL_TAG "sockleak"
#define SL_TAG_LEN 8

static int isdig(char c) { return c >= '0' && c <= '9'; }

/* A syslog file line starts with a timestamp ("Dec  1 17:00:00", "2026-12-01T17:00:00...")
 * or, forwarded raw, with "<PRI>". Anything else is left to the JSON reader to name. */
static int looks_syslog(const char *s, size_t n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	if (n >= 4 && s[0] == '<' && isdig(s[1]))
		return 1;
	if (n >= 11 && isdig(s[0]) && isdig(s[1]) && isdig(s[2]) && isdig(s[3]) && s[4] == '-')
		return 1;
	for (int i = 0; n >= 16 && i < 12; i++)
		if (!memcmp(s, months + 3 * i, 3) && s[3] == ' ')
			return 1;
	return 0;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

static enum sl_env_kind found(struct sl_env *e, const char *msg, const char *end)
{
	msg = skip_ws(msg, end);
	if (msg == end || *msg != '{') {
		e->why = "a sockleak syslog line without a JSON record";
		return SL_ENV_BAD;
	}
	e->rec = msg;
	e->n = (size_t)(end - msg);
	return SL_ENV_RECORD;
}

/* RFC 5424: "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG". */
static enum sl_env_kind rfc5424(const char *s, const char *end, struct sl_env *e)
{
	const char *f[7], *p = s;
	size_t fl[7];

	while (p < end && *p != '>')
		p++;
	if (p == end || end - p < 3 || p[1] != '1' || p[2] != ' ')
		return SL_ENV_PLAIN;
	p += 3;
	for (int i = 0; i < 6; i++) { /* TIMESTAMP HOST APP PROCID MSGID SD (a "-" here) */
		p = skip_ws(p, end);
		f[i] = p;
		while (p < end && *p != ' ')
			p++;
		fl[i] = (size_t)(p - f[i]);
	}
	if (fl[2] != SL_TAG_LEN || memcmp(f[2], SL_TAG, SL_TAG_LEN))
		return SL_ENV_OTHER;
	e->host = fl[1] && !(fl[1] == 1 && f[1][0] == '-') ? f[1] : NULL;
	e->hostn = e->host ? fl[1] : 0;
	return found(e, p, end);
}

/* The next space-separated token from *p: its start, and its length in *n. */
static const char *token(const char **p, const char *end, size_t *n)
{
	const char *t = skip_ws(*p, end), *q = t;

	while (q < end && *q != ' ')
		q++;
	*n = (size_t)(q - t);
	*p = q;
	return t;
}

/* "sockleak[PID]:", "sockleak:" or, from a message that came in as RFC 5424,
 * "sockleak[PID]". 1: ours, 0: another program's, -1: not a tag at all. */
static int our_tag(const char *t, size_t n)
{
	if (n && t[n - 1] == ':')
		n--;
	if (n && t[n - 1] == ']') {
		const char *b = memchr(t, '[', n);
		if (!b || b + 2 > t + n - 1)
			return -1;
		for (const char *d = b + 1; d < t + n - 1; d++)
			if (!isdig(*d))
				return -1;
		n = (size_t)(b - t);
	}
	return n == SL_TAG_LEN && !memcmp(t, SL_TAG, SL_TAG_LEN);
}

/* rsyslog's and syslog-ng's file lines: TIMESTAMP HOST TAG MSG, with a traditional timestamp
 * ("Dec  1 17:00:00", three tokens) or an RFC 3339 one (one token). */
static enum sl_env_kind syslog_line(const char *s, size_t n, struct sl_env *e)
{
	const char *end = s + n, *p = s, *host, *tag;
	size_t hn, tn;

	if (n >= 4 && s[0] == '<') {
		enum sl_env_kind k = rfc5424(s, end, e);
		if (k != SL_ENV_PLAIN)
			return k;
	}
	for (int i = isdig(s[0]) ? 1 : 3; i > 0; i--)
		token(&p, end, &hn);
	host = token(&p, end, &hn);
	tag = token(&p, end, &tn);
	/* A local file without a host: the tag comes where the host would. */
	if (our_tag(host, hn) > 0 && hn && host[hn - 1] == ':') {
		e->host = NULL;
		e->hostn = 0;
		return found(e, host + hn, end);
	}
	if (our_tag(tag, tn) <= 0)
		return SL_ENV_OTHER;
	e->host = host;
	e->hostn = hn;
	return found(e, p, end);
}

struct jctx {
	struct sl_jv msg, ident, host;
	int has_msg, has_ident, has_host;
};

static int on_jmember(void *ctx, const char *key, size_t klen, const struct sl_jv *v)
{
	struct jctx *c = ctx;

	if (sl_jkey(key, klen, "MESSAGE"))
		c->msg = *v, c->has_msg = 1;
	else if (sl_jkey(key, klen, "SYSLOG_IDENTIFIER"))
		c->ident = *v, c->has_ident = 1;
	else if (sl_jkey(key, klen, "_HOSTNAME"))
		c->host = *v, c->has_host = 1;
	return 0;
}

struct bytes {
	char *p;
	size_t n, cap;
	int bad;
};

/* journalctl writes a MESSAGE that is not valid UTF-8 as an array of byte values. */
static int on_byte(void *ctx, size_t idx, const struct sl_jv *v)
{
	struct bytes *b = ctx;
	int64_t x;

	(void)idx;
	if (sl_jv_int(v, &x) || x < 0 || x > 255 || b->n + 1 >= b->cap)
		return b->bad = 1;
	b->p[b->n++] = (char)x;
	return 0;
}

static int grow(struct sl_env *e, size_t need)
{
	if (need <= e->cap)
		return 0;
	char *p = realloc(e->buf, need);
	if (!p)
		return -1;
	e->buf = p;
	e->cap = need;
	return 0;
}

static enum sl_env_kind journal(const char *s, size_t n, struct sl_env *e)
{
	struct jctx c;
	const char *why;
	size_t col;
	char ident[16];

	memset(&c, 0, sizeof(c));
	if (sl_jobj_each(s, n, on_jmember, &c, &why, &col))
		return SL_ENV_PLAIN;
	if (!c.has_ident || c.ident.t != SL_J_STR ||
	    sl_jv_str(&c.ident, ident, sizeof(ident)) != SL_TAG_LEN || strcmp(ident, SL_TAG))
		return SL_ENV_OTHER;
	if (!c.has_msg || c.msg.t == SL_J_NULL) {
		e->why = "journal entry without its MESSAGE (journalctl leaves out fields over "
			 "4096 bytes: use journalctl -o json --all)";
		return SL_ENV_BAD;
	}
	/* The decoded message is never longer than its escaped text. */
	if (grow(e, c.msg.n + 1)) {
		e->why = "out of memory";
		return SL_ENV_BAD;
	}
	if (c.msg.t == SL_J_STR) {
		e->n = (size_t)sl_jv_str(&c.msg, e->buf, e->cap);
	} else if (c.msg.t == SL_J_ARR) {
		struct bytes b = {e->buf, 0, e->cap, 0};
		if (sl_jv_elems(&c.msg, on_byte, &b) || b.bad) {
			e->why = "journal MESSAGE is neither a string nor an array of bytes";
			return SL_ENV_BAD;
		}
		e->n = b.n;
	} else {
		e->why = "journal MESSAGE is neither a string nor an array of bytes";
		return SL_ENV_BAD;
	}
	e->host = NULL;
	e->hostn = 0;
	if (c.has_host && c.host.t == SL_J_STR && !c.host.esc) {
		e->host = c.host.p;
		e->hostn = c.host.n;
	}
	return found(e, e->buf, e->buf + e->n);
}

enum sl_env_kind sl_envelope(const char *s, size_t n, struct sl_env *e)
{
	const char *p = skip_ws(s, s + n);

	e->why = NULL;
	/* journalctl -o json begins every entry with its "__CURSOR"; a record begins with "v". */
	if (p < s + n && *p == '{') {
		p = skip_ws(p + 1, s + n);
		if ((size_t)(s + n - p) > 3 && !memcmp(p, "\"__", 3))
			return journal(s, n, e);
		return SL_ENV_PLAIN;
	}
	if (!looks_syslog(s, n))
		return SL_ENV_PLAIN;
	return syslog_line(s, n, e);
}
