/* SOCKLEAK_OPTIONS: sanitizer-style key=value list. Defaults are for production: a long grace
 * period, no enforcement, logs on stderr. See docs/options.md, which must match this table. */
#include "options.h"

#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum sl_opt_kind { SL_OPT_UINT, SL_OPT_BOOL, SL_OPT_PATH, SL_OPT_ENUM };

/* Values of scan_with, in the order of enum sl_scan_with. */
static const char *const sl_scan_with_names[] = {"epoll", "sock_diag", "tcp_info", NULL};

struct sl_opt_desc {
	const char *name;
	enum sl_opt_kind kind;
	size_t off;
	uint32_t min, max;
	const char *help;
};

#define SL_OFF(f) offsetof(struct sl_opts, f)

static const struct sl_opt_desc sl_opt_table[] = {
	{"grace_ms", SL_OPT_UINT, SL_OFF(grace_ms), 0, 86400000,
	 "ms a socket may stay past EOF or in CLOSE_WAIT before it is a leak (30000)"},
	{"scan_ms", SL_OPT_UINT, SL_OFF(scan_ms), 10, 3600000, "ms between watchdog scans (1000)"},
	{"stack_depth", SL_OPT_UINT, SL_OFF(stack_depth), 1, SL_STACK_MAX, "frames per stack (16)"},
	{"report_at_exit", SL_OPT_BOOL, SL_OFF(report_at_exit), 0, 1,
	 "scan once more at normal exit (1)"},
	{"summary", SL_OPT_BOOL, SL_OFF(summary), 0, 1,
	 "print a human summary on stderr at exit when leaks were found (1)"},
	{"enforce", SL_OPT_BOOL, SL_OFF(enforce), 0, 1,
	 "shutdown(SHUT_RDWR) sockets reported as leaked (0)"},
	{"exitcode", SL_OPT_UINT, SL_OFF(exitcode), 0, 255,
	 "exit status of `sockleak run` when leaks were found (23)"},
	{"fail_on_late", SL_OPT_BOOL, SL_OFF(fail_on_late), 0, 1,
	 "`sockleak run` fails on leaks the program closed later too (0: they are shown as "
	 "closed late)"},
	{"idle_ms", SL_OPT_UINT, SL_OFF(idle_ms), 0, 2000000000,
	 "report (and with enforce shut down) connections with no I/O for this long (0: off)"},
	{"keepalive_idle_s", SL_OPT_UINT, SL_OFF(keepalive_idle_s), 0, 32767,
	 "turn on SO_KEEPALIVE with this TCP_KEEPIDLE on tracked connections (0: off)"},
	{"keepalive_intvl_s", SL_OPT_UINT, SL_OFF(keepalive_intvl_s), 0, 32767,
	 "TCP_KEEPINTVL with keepalive_idle_s (0: kernel default)"},
	{"keepalive_cnt", SL_OPT_UINT, SL_OFF(keepalive_cnt), 0, 127,
	 "TCP_KEEPCNT with keepalive_idle_s (0: kernel default)"},
	{"raw_thread", SL_OPT_BOOL, SL_OFF(raw_thread), 0, 1,
	 "in a single-threaded program, run the watchdog on a thread glibc does not see, so "
	 "libc keeps its single-threaded fast paths (1)"},
	{"python", SL_OPT_BOOL, SL_OFF(python), 0, 1,
	 "in Python programs, record Python frames and sockets left to the garbage collector, "
	 "through a sitecustomize put on PYTHONPATH (1)"},
	{"scan_with", SL_OPT_ENUM, SL_OFF(scan_with), 0, 2,
	 "epoll, sock_diag or tcp_info: how the watchdog finds CLOSE_WAIT (epoll)"},
	{"help", SL_OPT_BOOL, SL_OFF(help), 0, 1, "print this help on stderr (0)"},
	{"log_path", SL_OPT_PATH, SL_OFF(log_path), 0, 0,
	 "stderr, PREFIX for one file PREFIX.PID per process, syslog (/dev/log) or "
	 "syslog:/PATH (stderr)"},
	{"suppressions", SL_OPT_PATH, SL_OFF(suppressions), 0, 0,
	 "file of leak:PATTERN lines, for `sockleak run` and `sockleak report` ()"},
};

#define SL_NOPTS (sizeof(sl_opt_table) / sizeof(sl_opt_table[0]))

void sl_opts_default(struct sl_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->grace_ms = 30000;
	o->scan_ms = 1000;
	o->stack_depth = 16;
	o->report_at_exit = 1;
	o->summary = 1;
	o->enforce = 0;
	o->raw_thread = 1;
	o->python = 1;
	o->exitcode = SL_EXITCODE_DEFAULT;
	o->help = 0;
	strcpy(o->log_path, "stderr");
}

__attribute__((format(printf, 3, 4)))
static void sl_opts_report(sl_opts_err_fn err, void *ctx, const char *fmt, ...)
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

static int sl_opts_set(struct sl_opts *o, const char *k, size_t kn, const char *v, size_t vn,
		       sl_opts_err_fn err, void *ctx)
{
	const struct sl_opt_desc *d = NULL;
	uint32_t x;

	for (size_t i = 0; i < SL_NOPTS; i++)
		if (strlen(sl_opt_table[i].name) == kn && !memcmp(sl_opt_table[i].name, k, kn))
			d = &sl_opt_table[i];
	if (!d) {
		sl_opts_report(err, ctx, "sockleak: unknown option '%.*s'; ignored", (int)kn, k);
		return 1;
	}
	switch (d->kind) {
	case SL_OPT_UINT:
	case SL_OPT_BOOL:
		if (sl_parse_uint(v, vn, d->min, d->max, &x)) {
			sl_opts_report(err, ctx,
				       "sockleak: option '%.*s': '%.*s' is not a number in %u..%u; "
				       "ignored", (int)kn, k, (int)(vn > 64 ? 64 : vn), v, d->min, d->max);
			return 1;
		}
		if (d->kind == SL_OPT_UINT && d->off != SL_OFF(exitcode))
			*(uint32_t *)((char *)o + d->off) = x;
		else
			*(int *)((char *)o + d->off) = (int)x;
		return 0;
	case SL_OPT_ENUM:   /* scan_with, the one option of this kind */
		for (x = 0; sl_scan_with_names[x]; x++)
			if (strlen(sl_scan_with_names[x]) == vn &&
			    !memcmp(sl_scan_with_names[x], v, vn)) {
				*(int *)((char *)o + d->off) = (int)x;
				return 0;
			}
		sl_opts_report(err, ctx, "sockleak: option '%.*s': '%.*s' is not epoll, sock_diag or "
			       "tcp_info; ignored", (int)kn, k, (int)(vn > 64 ? 64 : vn), v);
		return 1;
	case SL_OPT_PATH:
		if (vn == 0 || vn >= SL_PATH_MAX) {
			sl_opts_report(err, ctx,
				       "sockleak: option '%.*s': value '%.*s' is empty or too long; "
				       "ignored", (int)kn, k, (int)(vn > 64 ? 64 : vn), v);
			return 1;
		}
		memcpy((char *)o + d->off, v, vn);
		((char *)o + d->off)[vn] = '\0';
		return 0;
	}
	return 1;
}

size_t sl_opts_item_len(const char *s)
{
	size_t n = strcspn(s, ":,");

	/* log_path=syslog:/PATH keeps its colon: "syslog" then ":/" cannot start a key. */
	if (n == 15 && !memcmp(s, "log_path=syslog", 15) && s[15] == ':' && s[16] == '/')
		n = 16 + strcspn(s + 16, ":,");
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
			sl_opts_report(err, ctx, "sockleak: option '%.*s' has no key=value form; ignored",
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

size_t sl_opts_json(const struct sl_opts *o, char *buf, size_t cap)
{
	/* Paths are user text: escaped like every string in the log, so bytes that are not
	 * UTF-8 become \u00XX and the start record stays valid JSON (docs/log-format.md). */
	char lp[SL_PATH_MAX * 6 + 1], sp[SL_PATH_MAX * 6 + 1];
	int n;

	lp[sl_json_escape(lp, sizeof(lp) - 1, o->log_path, sizeof(o->log_path))] = '\0';
	sp[sl_json_escape(sp, sizeof(sp) - 1, o->suppressions, sizeof(o->suppressions))] = '\0';
	n = snprintf(buf, cap,
		     "\"grace_ms\":%u,\"scan_ms\":%u,\"stack_depth\":%u,\"report_at_exit\":%d,"
		     "\"summary\":%d,\"enforce\":%d,\"idle_ms\":%u,\"keepalive_idle_s\":%u,"
		     "\"keepalive_intvl_s\":%u,\"keepalive_cnt\":%u,\"exitcode\":%d,\"fail_on_late\":%d,"
		     "\"raw_thread\":%d,"
		     "\"python\":%d,\"scan_with\":\"%s\","
		     "\"log_path\":\"%s\",\"suppressions\":\"%s\"",
		     o->grace_ms, o->scan_ms, o->stack_depth, o->report_at_exit, o->summary,
		     o->enforce, o->idle_ms, o->keepalive_idle_s, o->keepalive_intvl_s,
		     o->keepalive_cnt, o->exitcode, o->fail_on_late, o->raw_thread, o->python,
		     sl_scan_with_names[o->scan_with >= 0 && o->scan_with <= 2 ? o->scan_with : 0], lp, sp);
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			buf[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

const char *sl_opts_help(void)
{
	static char text[2048];
	size_t len;

	if (text[0])
		return text;
	len = (size_t)snprintf(text, sizeof(text),
			       "sockleak: options (SOCKLEAK_OPTIONS=key=value:key=value):\n");
	for (size_t i = 0; i < SL_NOPTS && len < sizeof(text); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "  %-15s %s\n",
					sl_opt_table[i].name, sl_opt_table[i].help);
	return text;
}
