/* SOCKLEAK_OPTIONS: sanitizer-style key=value list. Everything here is generated from the rows
 * of options.inc: the descriptors the parser, help=1 and the options object walk, the defaults,
 * and compile-time checks that each row's default and range make sense for its type. Defaults
 * are for production: a long grace period, no enforcement, logs on stderr. */
#include "options.h"

#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum sl_opt_type { SL_OPT_T_bool, SL_OPT_T_uint, SL_OPT_T_enum, SL_OPT_T_path, SL_OPT_T_sink };

/* sl_opt_names_NAME: each enum option's value names, NULL-terminated, in the enum's order. */
#define SL_OPT_ENUM_NAME(c, name) name,
#define SL_OPT_NAMES_bool(n)
#define SL_OPT_NAMES_uint(n)
#define SL_OPT_NAMES_path(n)
#define SL_OPT_NAMES_sink(n)
#define SL_OPT_NAMES_enum(n) \
	static const char *const sl_opt_names_##n[] = {SL_OPT_VALUES_##n(SL_OPT_ENUM_NAME) NULL};
#define SL_OPT(type, name, def, min, max, help) SL_OPT_NAMES_##type(name)
#include "options.inc"
#undef SL_OPT

/* What each row promises, checked where it is written down rather than at the first bad
 * value: a default inside its range, an enum's range exactly its names, a path default that
 * fits, and every option one bit of sl_opts.given. */
#define SL_OPT_CHECK_bool(n, d, lo, hi) \
	_Static_assert((lo) == 0 && (hi) == 1 && ((d) == 0 || (d) == 1), #n ": a bool is 0 or 1");
#define SL_OPT_CHECK_uint(n, d, lo, hi) \
	_Static_assert((lo) <= (d) && (d) <= (hi) && (hi) <= 4294967295u, #n ": default in range");
#define SL_OPT_CHECK_enum(n, d, lo, hi) \
	_Static_assert((lo) == 0 && (lo) <= (d) && (d) <= (hi) && \
			       sizeof(sl_opt_names_##n) / sizeof(sl_opt_names_##n[0]) == (hi) + 2, \
		       #n ": min..max are exactly its value names");
#define SL_OPT_CHECK_path(n, d, lo, hi) _Static_assert(sizeof(d) <= SL_PATH_MAX, #n ": fits");
#define SL_OPT_CHECK_sink(n, d, lo, hi) SL_OPT_CHECK_path(n, d, lo, hi)
#define SL_OPT(type, name, def, min, max, help) SL_OPT_CHECK_##type(name, def, min, max)
#include "options.inc"
#undef SL_OPT
_Static_assert(SL_OPT_COUNT <= 64, "sl_opts.given has one bit per option");

struct sl_opt_desc {
	const char *name;
	enum sl_opt_type type;
	size_t off;
	uint32_t min, max;
	const char *const *names; /* enum: the values' names */
	const char *help;
};

#define SL_OPT_NAMES_OF_bool(n) NULL
#define SL_OPT_NAMES_OF_uint(n) NULL
#define SL_OPT_NAMES_OF_enum(n) sl_opt_names_##n
#define SL_OPT_NAMES_OF_path(n) NULL
#define SL_OPT_NAMES_OF_sink(n) NULL

/* clang-format off */
static const struct sl_opt_desc sl_opt_table[SL_OPT_COUNT] = {
#define SL_OPT(type, name, def, min, max, help) \
	{ #name, SL_OPT_T_##type, offsetof(struct sl_opts, name), (min), (max), \
	  SL_OPT_NAMES_OF_##type(name), help },
#include "options.inc"
#undef SL_OPT
};
/* clang-format on */

/* Static, so its padding is zero too: sl_opts_default copies whole bytes, and tests and the
 * fuzzer compare options with memcmp. */
static const struct sl_opts sl_opt_defaults = {
#define SL_OPT(type, name, def, min, max, help) .name = def,
#include "options.inc"
#undef SL_OPT
};

void sl_opts_default(struct sl_opts *o) { memcpy(o, &sl_opt_defaults, sizeof(*o)); }

static const struct sl_opt_desc *sl_opt_find(const char *k, size_t kn)
{
	for (size_t i = 0; i < SL_OPT_COUNT; i++)
		if (strlen(sl_opt_table[i].name) == kn && !memcmp(sl_opt_table[i].name, k, kn))
			return &sl_opt_table[i];
	return NULL;
}

__attribute__((format(printf, 3, 4))) static void sl_opts_report(sl_opts_err_fn err, void *ctx,
								 const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Keys and values come from the environment: one line, no terminal control bytes. */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	err(ctx, msg);
}

/* Parse an unsigned decimal in [min,max]; no sign, no spaces, no overflow. */
static int sl_parse_uint(const char *v, size_t n, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t x = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x < min || x > max)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

/* An enum's names as a message lists them: "a, b or c". */
static void sl_opt_names_text(const struct sl_opt_desc *d, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (uint32_t i = d->min; i <= d->max && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s",
					i == d->min   ? ""
					: i == d->max ? " or "
						      : ", ",
					d->names[i]);
}

static int sl_opts_set(struct sl_opts *o, const char *k, size_t kn, const char *v, size_t vn,
		       sl_opts_err_fn err, void *ctx)
{
	const struct sl_opt_desc *d = sl_opt_find(k, kn);
	char *field, names[128];
	uint32_t x;
	int vshow = (int)(vn > 64 ? 64 : vn);

	if (!d) {
		sl_opts_report(err, ctx, "sockleak: unknown option '%.*s'; ignored", (int)kn, k);
		return 1;
	}
	field = (char *)o + d->off;
	switch (d->type) {
	case SL_OPT_T_bool:
	case SL_OPT_T_uint:
		if (sl_parse_uint(v, vn, d->min, d->max, &x)) {
			sl_opts_report(err, ctx,
				       "sockleak: option '%.*s': '%.*s' is not a number in %u..%u; "
				       "ignored",
				       (int)kn, k, vshow, v, d->min, d->max);
			return 1;
		}
		if (d->type == SL_OPT_T_bool)
			*(int *)field = (int)x;
		else
			*(uint32_t *)field = x;
		break;
	case SL_OPT_T_enum:
		for (x = d->min; x <= d->max; x++)
			if (strlen(d->names[x]) == vn && !memcmp(d->names[x], v, vn))
				break;
		if (x > d->max) {
			sl_opt_names_text(d, names, sizeof(names));
			sl_opts_report(err, ctx,
				       "sockleak: option '%.*s': '%.*s' is not %s; ignored",
				       (int)kn, k, vshow, v, names);
			return 1;
		}
		*(int *)field = (int)x;
		break;
	case SL_OPT_T_path:
	case SL_OPT_T_sink:
		if (vn == 0 || vn >= SL_PATH_MAX) {
			sl_opts_report(
				err, ctx,
				"sockleak: option '%.*s': value '%.*s' is empty or too long; "
				"ignored",
				(int)kn, k, vshow, v);
			return 1;
		}
		memcpy(field, v, vn);
		field[vn] = '\0';
		break;
	}
	o->given |= 1ull << (d - sl_opt_table);
	return 0;
}

/* Length of the item at s: up to the next ':' or ','. A sink's syslog:/PATH keeps its colon:
 * "syslog" then ":/" cannot start a key. */
static size_t sl_opts_item_len(const char *s)
{
	size_t n = strcspn(s, ":,");
	const char *eq = memchr(s, '=', n);
	const struct sl_opt_desc *d;

	if (eq && s[n] == ':' && s[n + 1] == '/' && s + n - (eq + 1) == 6 &&
	    !memcmp(eq + 1, "syslog", 6) && (d = sl_opt_find(s, (size_t)(eq - s))) &&
	    d->type == SL_OPT_T_sink)
		n += 1 + strcspn(s + n + 1, ":,");
	return n;
}

int sl_opts_parse(struct sl_opts *o, const char *s, sl_opts_err_fn err, void *ctx)
{
	int bad = 0;

	if (!s)
		return 0;
	while (*s) {
		size_t n = sl_opts_item_len(s);
		const char *eq = memchr(s, '=', n);

		if (n == 0) {
			s++;
			continue;
		}
		if (!eq || eq == s) {
			sl_opts_report(err, ctx,
				       "sockleak: option '%.*s' has no key=value form; ignored",
				       (int)(n > 64 ? 64 : n), s);
			bad++;
		} else {
			bad += sl_opts_set(o, s, (size_t)(eq - s), eq + 1, n - (size_t)(eq - s) - 1,
					   err, ctx);
		}
		s += n;
		if (*s)
			s++;
	}
	return bad;
}

int sl_opts_parse_conf(struct sl_opts *o, char *text, sl_opts_err_fn err, void *ctx)
{
	int bad = 0;

	while (*text) {
		char *line = text, *end = line + strcspn(line, "\n");

		text = *end ? end + 1 : end;
		*end = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = '\0';
		if (*line && *line != '#')
			bad += sl_opts_parse(o, line, err, ctx);
	}
	return bad;
}

enum sl_sink sl_opts_sink(const char *value, const char **socket)
{
	const char *path = NULL;
	enum sl_sink k = SL_SINK_FILES;

	if (!value[0])
		k = SL_SINK_NONE;
	else if (!strcmp(value, "stderr"))
		k = SL_SINK_STDERR;
	else if (!strcmp(value, "syslog"))
		path = "/dev/log";
	else if (!strncmp(value, "syslog:/", 8))
		path = value + 7;
	if (path) {
		k = SL_SINK_SYSLOG;
		if (socket)
			*socket = path;
	}
	return k;
}

int sl_opts_secure_paths(struct sl_opts *o, sl_opts_err_fn err, void *ctx)
{
	int n = 0;

	for (size_t i = 0; i < SL_OPT_COUNT; i++) {
		const struct sl_opt_desc *d = &sl_opt_table[i];
		char *field = (char *)o + d->off;

		if ((d->type != SL_OPT_T_path && d->type != SL_OPT_T_sink) || !field[0] ||
		    field[0] == '/' ||
		    (d->type == SL_OPT_T_sink && sl_opts_sink(field, NULL) != SL_SINK_FILES))
			continue;
		sl_opts_report(err, ctx, "sockleak: secure mode: %s '%s' is not absolute; not used",
			       d->name, field);
		field[0] = '\0';
		o->given &= ~(1ull << i);
		n++;
	}
	return n;
}

/* A value as help=1 shows it (paths as they are, "none" when empty). */
static const char *sl_opt_text(const struct sl_opts *o, const struct sl_opt_desc *d, char *buf,
			       size_t cap)
{
	const char *field = (const char *)o + d->off;
	int e;

	switch (d->type) {
	case SL_OPT_T_bool:
		snprintf(buf, cap, "%d", *(const int *)field);
		return buf;
	case SL_OPT_T_uint:
		snprintf(buf, cap, "%u", *(const uint32_t *)field);
		return buf;
	case SL_OPT_T_enum:
		e = *(const int *)field;
		/* out of range only if a caller wrote one: the first value, never a wild read */
		return d->names[e >= (int)d->min && e <= (int)d->max ? e : (int)d->min];
	case SL_OPT_T_path:
	case SL_OPT_T_sink:
		return field[0] ? field : "none";
	}
	return "";
}

size_t sl_opts_json(const struct sl_opts *o, char *buf, size_t cap)
{
	size_t len = 0;
	char num[16];

	for (size_t i = 0; i < SL_OPT_COUNT; i++) {
		const struct sl_opt_desc *d = &sl_opt_table[i];
		const char *field = (const char *)o + d->off;
		int quote = d->type != SL_OPT_T_bool && d->type != SL_OPT_T_uint;
		/* Paths are user text: escaped like every string in the log, so bytes that are not
		 * UTF-8 become \u00XX and the start record stays valid JSON (docs/log-format.md). */
		int path = d->type == SL_OPT_T_path || d->type == SL_OPT_T_sink;
		const char *v = path ? NULL : sl_opt_text(o, d, num, sizeof(num));
		size_t vn = path ? sl_json_escape(NULL, 0, field, SL_PATH_MAX) : strlen(v);
		size_t need = (len ? 1 : 0) + strlen(d->name) + 3 + vn + (quote ? 2 : 0);

		if (need >= cap - len || cap == 0) {
			if (cap)
				buf[0] = '\0';
			return 0;
		}
		len += (size_t)snprintf(buf + len, cap - len, "%s\"%s\":%s", len ? "," : "",
					d->name, quote ? "\"" : "");
		if (path)
			len += sl_json_escape(buf + len, cap - len, field, SL_PATH_MAX);
		else
			len += (size_t)snprintf(buf + len, cap - len, "%s", v);
		if (quote)
			buf[len++] = '"';
	}
	buf[len] = '\0';
	return len;
}

/* "  name  help (range; default value)", one line per option, in the table's order. */
const char *sl_opts_help(void)
{
	static char text[4096];
	struct sl_opts d;
	size_t len;

	if (text[0])
		return text;
	sl_opts_default(&d);
	len = (size_t)snprintf(text, sizeof(text),
			       "sockleak: options (SOCKLEAK_OPTIONS=key=value:key=value):\n");
	for (size_t i = 0; i < SL_OPT_COUNT; i++) {
		const struct sl_opt_desc *o = &sl_opt_table[i];
		char range[128], val[16];
		int n;

		range[0] = '\0';
		if (o->type == SL_OPT_T_uint)
			snprintf(range, sizeof(range), "%u..%u; ", o->min, o->max);
		else if (o->type == SL_OPT_T_bool)
			snprintf(range, sizeof(range), "0 or 1; ");
		else if (o->type == SL_OPT_T_enum) {
			sl_opt_names_text(o, range, sizeof(range) - 2);
			strcat(range, "; ");
		}
		n = snprintf(text + len, sizeof(text) - len, "  %-17s %s (%sdefault %s)\n", o->name,
			     o->help, range, sl_opt_text(&d, o, val, sizeof(val)));
		if (n < 0 || (size_t)n >= sizeof(text) - len) {
			text[len] = '\0'; /* whole lines only; test_options_docs sees every one */
			break;
		}
		len += (size_t)n;
	}
	return text;
}
