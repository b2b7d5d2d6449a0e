/* SOCKLEAK_OPTIONS parser (preload/options.c): defaults, every key, separators, and every way
 * a bad item is reported once and ignored without touching the value in force. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/options.h"
#include "jsoncheck.h"

struct errs {
	int n;
	char msg[8][256];
};

static void collect(void *ctx, const char *msg)
{
	struct errs *e = ctx;

	/* The contract: one complete line, no newline, prefixed like every sockleak message. */
	assert_non_null(msg);
	assert_null(strchr(msg, '\n'));
	assert_true(strncmp(msg, "sockleak: ", 10) == 0);
	if (e->n < 8)
		snprintf(e->msg[e->n], sizeof(e->msg[0]), "%s", msg);
	e->n++;
}

/* Parse s over the defaults; returns the parser's count, which must equal the messages seen. */
static int parse(struct sl_opts *o, struct errs *e, const char *s)
{
	int bad;

	sl_opts_default(o);
	memset(e, 0, sizeof(*e));
	bad = sl_opts_parse(o, s, collect, e);
	assert_int_equal(bad, e->n);
	return bad;
}

static void assert_defaults(const struct sl_opts *o)
{
	struct sl_opts d;

	sl_opts_default(&d);
	assert_memory_equal(o, &d, sizeof(d));
}

static void test_defaults(void **state)
{
	struct sl_opts o;

	(void)state;
	memset(&o, 0xa5, sizeof(o));
	sl_opts_default(&o);
	assert_int_equal(o.grace_ms, 30000);
	assert_int_equal(o.scan_ms, 1000);
	assert_int_equal(o.stack_depth, 16);
	assert_int_equal(o.report_at_exit, 1);
	assert_int_equal(o.summary, 1);
	assert_int_equal(o.enforce, 0);
	assert_int_equal(o.exitcode, 23);
	assert_int_equal(o.help, 0);
	assert_int_equal(o.idle_ms, 0);
	assert_int_equal(o.keepalive_idle_s, 0);
	assert_int_equal(o.keepalive_intvl_s, 0);
	assert_int_equal(o.keepalive_cnt, 0);
	assert_int_equal(o.raw_thread, 1);
	assert_int_equal(o.scan_with, SL_SCAN_EPOLL);
	assert_string_equal(o.log_path, "stderr");
	assert_string_equal(o.suppressions, "");
}

static void test_null_and_empty_string_keep_defaults(void **state)
{
	struct sl_opts o;
	struct errs e;

	(void)state;
	sl_opts_default(&o);
	assert_int_equal(sl_opts_parse(&o, NULL, collect, &e), 0);
	assert_defaults(&o);
	assert_int_equal(parse(&o, &e, ""), 0);
	assert_defaults(&o);
}

static void test_every_key_parsed(void **state)
{
	struct sl_opts o;
	struct errs e;

	(void)state;
	assert_int_equal(parse(&o, &e,
			       "grace_ms=1234:scan_ms=56:stack_depth=64:report_at_exit=0:summary=0:"
			       "enforce=1:exitcode=7:help=1:idle_ms=2000000000:keepalive_idle_s=60:"
			       "keepalive_intvl_s=5:keepalive_cnt=127:log_path=/tmp/sl/log:"
			       "suppressions=/etc/sockleak.supp:raw_thread=0:scan_with=tcp_info"),
			 0);
	assert_int_equal(o.grace_ms, 1234);
	assert_int_equal(o.scan_ms, 56);
	assert_int_equal(o.stack_depth, 64);
	assert_int_equal(o.report_at_exit, 0);
	assert_int_equal(o.summary, 0);
	assert_int_equal(o.enforce, 1);
	assert_int_equal(o.exitcode, 7);
	assert_int_equal(o.help, 1);
	assert_int_equal(o.idle_ms, 2000000000);
	assert_int_equal(o.keepalive_idle_s, 60);
	assert_int_equal(o.keepalive_intvl_s, 5);
	assert_int_equal(o.keepalive_cnt, 127);
	assert_string_equal(o.log_path, "/tmp/sl/log");
	assert_string_equal(o.suppressions, "/etc/sockleak.supp");
	assert_int_equal(o.raw_thread, 0);
	assert_int_equal(o.scan_with, SL_SCAN_TCP_INFO);
}

static void test_scan_with_values(void **state)
{
	struct sl_opts o;
	struct errs e;

	(void)state;
	assert_int_equal(parse(&o, &e, "scan_with=sock_diag"), 0);
	assert_int_equal(o.scan_with, SL_SCAN_SOCK_DIAG);
	assert_int_equal(parse(&o, &e, "scan_with=epoll"), 0);
	assert_int_equal(o.scan_with, SL_SCAN_EPOLL);
	/* Exact names only: no prefix, no case folding, no number. */
	assert_int_equal(parse(&o, &e, "scan_with=epol"), 1);
	assert_non_null(
		strstr(e.msg[0], "'scan_with': 'epol' is not epoll, sock_diag or tcp_info"));
	assert_int_equal(parse(&o, &e, "scan_with=EPOLL"), 1);
	assert_int_equal(parse(&o, &e, "scan_with=1"), 1);
	assert_int_equal(parse(&o, &e, "scan_with="), 1);
	assert_defaults(&o);
}

static void test_range_bounds_accepted(void **state)
{
	struct sl_opts o;
	struct errs e;

	(void)state;
	assert_int_equal(parse(&o, &e, "grace_ms=0:scan_ms=10:stack_depth=1:exitcode=0"), 0);
	assert_int_equal(o.grace_ms, 0);
	assert_int_equal(o.scan_ms, 10);
	assert_int_equal(o.stack_depth, 1);
	assert_int_equal(o.exitcode, 0);
	assert_int_equal(parse(&o, &e, "grace_ms=86400000:scan_ms=3600000:exitcode=255"), 0);
	assert_int_equal(o.grace_ms, 86400000);
	assert_int_equal(o.scan_ms, 3600000);
	assert_int_equal(o.exitcode, 255);
}

static void test_colon_and_comma_separators(void **state)
{
	struct sl_opts o;
	struct errs e;

	(void)state;
	assert_int_equal(parse(&o, &e, "grace_ms=1,scan_ms=20:enforce=1,exitcode=9"), 0);
	assert_int_equal(o.grace_ms, 1);
	assert_int_equal(o.scan_ms, 20);
	assert_int_equal(o.enforce, 1);
	assert_int_equal(o.exitcode, 9);
}

/* log_path=syslog:/PATH keeps its colon; "syslog" alone, or followed by a key, stays as is. */
static void test_syslog_path_keeps_its_colon(void **state)
{
	struct sl_opts o;
	struct errs e;

	(void)state;
	assert_int_equal(parse(&o, &e, "log_path=syslog:/run/x.sock:grace_ms=7"), 0);
	assert_string_equal(o.log_path, "syslog:/run/x.sock");
	assert_int_equal(o.grace_ms, 7);
	assert_int_equal(parse(&o, &e, "grace_ms=3,log_path=syslog:/a,scan_ms=11"), 0);
	assert_string_equal(o.log_path, "syslog:/a");
	assert_int_equal(o.scan_ms, 11);
	assert_int_equal(parse(&o, &e, "log_path=syslog:grace_ms=8"), 0);
	assert_string_equal(o.log_path, "syslog");
	assert_int_equal(o.grace_ms, 8);
	assert_int_equal(parse(&o, &e, "log_path=syslog:/"), 0);
	assert_string_equal(o.log_path, "syslog:/");
}

static void test_later_item_wins(void **state)
{
	struct sl_opts o;
	struct errs e;

	(void)state;
	assert_int_equal(parse(&o, &e, "grace_ms=1:grace_ms=2"), 0);
	assert_int_equal(o.grace_ms, 2);
}

static void test_unknown_key_named_once_and_ignored(void **state)
{
	struct sl_opts o;
	struct errs e;

	(void)state;
	assert_int_equal(parse(&o, &e, "grace_ms=5:bogus_key=1:scan_ms=50"), 1);
	assert_non_null(strstr(e.msg[0], "'bogus_key'"));
	assert_int_equal(o.grace_ms, 5);
	assert_int_equal(o.scan_ms, 50);
	/* A key that is a prefix or an extension of a real one is unknown too. */
	assert_int_equal(parse(&o, &e, "grace=1:grace_msx=2:GRACE_MS=3"), 3);
	assert_non_null(strstr(e.msg[0], "'grace'"));
	assert_non_null(strstr(e.msg[1], "'grace_msx'"));
	assert_non_null(strstr(e.msg[2], "'GRACE_MS'"));
	assert_defaults(&o);
}

static void test_non_number_rejected(void **state)
{
	static const char *const bad[] = {
		"grace_ms=abc", "grace_ms=12a",  "grace_ms=-1",  "grace_ms=+5", "grace_ms= 5",
		"grace_ms=5 ",  "grace_ms=0x10", "grace_ms=1.5", "enforce=yes", "enforce=true",
	};
	struct sl_opts o;
	struct errs e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char key[32];

		snprintf(key, sizeof(key), "'%.*s'", (int)strcspn(bad[i], "="), bad[i]);
		assert_int_equal(parse(&o, &e, bad[i]), 1);
		assert_non_null(strstr(e.msg[0], key));
		assert_defaults(&o);
	}
	assert_int_equal(parse(&o, &e, "grace_ms=abc"), 1);
	assert_non_null(strstr(e.msg[0], "'abc'"));
}

static void test_overflow_rejected(void **state)
{
	struct sl_opts o;
	struct errs e;

	(void)state;
	/* 99999999999 does not fit 32 bits; 4294967296 wraps to 0 if parsed into a uint32. */
	assert_int_equal(parse(&o, &e, "grace_ms=99999999999"), 1);
	assert_non_null(strstr(e.msg[0], "grace_ms"));
	assert_int_equal(parse(&o, &e, "grace_ms=4294967296"), 1);
	assert_int_equal(parse(&o, &e, "exitcode=4294967319"), 1); /* 2^32 + 23 */
	assert_int_equal(parse(&o, &e, "grace_ms=184467440737095516160"), 1);
	assert_defaults(&o);
}

static void test_out_of_range_rejected(void **state)
{
	static const char *const bad[] = {
		"grace_ms=86400001",
		"scan_ms=9",
		"scan_ms=3600001",
		"stack_depth=0",
		"stack_depth=65",
		"exitcode=256",
		"enforce=2",
		"report_at_exit=2",
		"help=7",
		"summary=10",
		"idle_ms=2000000001",
		"keepalive_idle_s=32768",
		"keepalive_intvl_s=32768",
		"keepalive_cnt=128",
	};
	struct sl_opts o;
	struct errs e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&o, &e, bad[i]), 1);
		assert_defaults(&o);
	}
}

static void test_empty_value_rejected(void **state)
{
	struct sl_opts o;
	struct errs e;

	(void)state;
	assert_int_equal(parse(&o, &e, "grace_ms="), 1);
	assert_int_equal(parse(&o, &e, "log_path="), 1);
	assert_non_null(strstr(e.msg[0], "log_path"));
	assert_int_equal(parse(&o, &e, "suppressions=:enforce="), 2);
	assert_defaults(&o);
}

static void test_missing_equals_rejected(void **state)
{
	struct sl_opts o;
	struct errs e;

	(void)state;
	assert_int_equal(parse(&o, &e, "enforce:grace_ms=7"), 1);
	assert_non_null(strstr(e.msg[0], "enforce"));
	assert_int_equal(o.grace_ms, 7);
	assert_int_equal(o.enforce, 0);
	assert_int_equal(parse(&o, &e, "=5"), 1); /* empty key */
	assert_defaults(&o);
}

static void test_message_stays_one_line(void **state)
{
	/* options.h: each message is one complete line with no newline. The environment can hold
	 * any byte, so a newline in a key or value must not reach the message raw (collect()
	 * asserts it). */
	struct sl_opts o;
	struct errs e;

	(void)state;
	assert_int_equal(parse(&o, &e, "bad\nkey=1"), 1);
	assert_int_equal(parse(&o, &e, "grace_ms=1\n2"), 1);
	assert_int_equal(parse(&o, &e, "no_equals\n"), 1);
	assert_defaults(&o);
}

static void test_empty_items_skipped(void **state)
{
	struct sl_opts o;
	struct errs e;

	(void)state;
	assert_int_equal(parse(&o, &e, "::,,grace_ms=3::,scan_ms=30,:"), 0);
	assert_int_equal(o.grace_ms, 3);
	assert_int_equal(o.scan_ms, 30);
	assert_int_equal(parse(&o, &e, ":"), 0);
	assert_int_equal(parse(&o, &e, ",,,,"), 0);
	assert_defaults(&o);
}

static void test_value_with_equals_kept_whole(void **state)
{
	struct sl_opts o;
	struct errs e;

	(void)state;
	assert_int_equal(parse(&o, &e, "log_path=/tmp/a=b"), 0);
	assert_string_equal(o.log_path, "/tmp/a=b");
}

static void test_very_long_values(void **state)
{
	char *s = malloc(100000), *p;
	struct sl_opts o;
	struct errs e;

	(void)state;
	assert_non_null(s);
	/* The longest path that fits is accepted whole ... */
	p = s + sprintf(s, "log_path=");
	memset(p, 'a', SL_PATH_MAX - 1);
	p[SL_PATH_MAX - 1] = '\0';
	assert_int_equal(parse(&o, &e, s), 0);
	assert_int_equal(strlen(o.log_path), SL_PATH_MAX - 1);
	/* ... one more byte is reported and the default stays. */
	p[SL_PATH_MAX - 1] = 'a';
	p[SL_PATH_MAX] = '\0';
	assert_int_equal(parse(&o, &e, s), 1);
	assert_true(strlen(e.msg[0]) < 256);
	assert_string_equal(o.log_path, "stderr");
	/* A huge number, key, and item: one bounded message each, nothing overwritten. */
	p = s + sprintf(s, "grace_ms=");
	memset(p, '9', 50000);
	p[50000] = '\0';
	assert_int_equal(parse(&o, &e, s), 1);
	assert_true(strlen(e.msg[0]) < 256);
	memset(s, 'k', 60000);
	strcpy(s + 60000, "=1:enforce=1");
	assert_int_equal(parse(&o, &e, s), 1);
	assert_int_equal(o.enforce, 1);
	memset(s, 'x', 70000);
	s[70000] = '\0';
	assert_int_equal(parse(&o, &e, s), 1);
	free(s);
}

static int json_object_valid(const char *body)
{
	char obj[4096];

	snprintf(obj, sizeof(obj), "{%s}", body);
	return jc_valid(obj, strlen(obj));
}

static void test_json_defaults(void **state)
{
	/* Each member exactly once, with its default; the set grows with new options, so the
	 * members are checked one by one rather than as one fixed string. */
	static const char *const members[] = {
		"\"grace_ms\":30000",      "\"scan_ms\":1000",
		"\"stack_depth\":16",      "\"report_at_exit\":1",
		"\"summary\":1",           "\"enforce\":0",
		"\"idle_ms\":0",           "\"keepalive_idle_s\":0",
		"\"keepalive_intvl_s\":0", "\"keepalive_cnt\":0",
		"\"raw_thread\":1",        "\"scan_with\":\"epoll\"",
		"\"log_path\":\"stderr\"", "\"exitcode\":23",
		"\"fail_on_late\":0",      "\"python\":1",
		"\"suppressions\":\"\"",   "\"help\":0",
	};
	struct sl_opts o;
	char buf[2048], m[64];
	size_t n;

	(void)state;
	sl_opts_default(&o);
	n = sl_opts_json(&o, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_true(json_object_valid(buf));
	assert_true(strncmp(buf, "\"grace_ms\":30000,", 17) == 0);
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		const char *at;

		snprintf(m, sizeof(m), "%s", members[i]);
		at = strstr(buf, m);
		assert_non_null(at);
		assert_true(at[strlen(m)] == ',' || at[strlen(m)] == '\0');
		assert_null(strstr(at + 1, m));
	}
}

static void test_json_parses_after_parse(void **state)
{
	struct sl_opts o;
	struct errs e;
	char buf[2048];

	(void)state;
	parse(&o, &e, "grace_ms=1:log_path=/tmp/we\"ird\\pa\th");
	assert_true(sl_opts_json(&o, buf, sizeof(buf)) > 0);
	assert_true(json_object_valid(buf));
	assert_non_null(strstr(buf, "\"grace_ms\":1,"));
	/* A path at the maximum length, all of it characters that need escaping. */
	sl_opts_default(&o);
	memset(o.log_path, '"', SL_PATH_MAX - 1);
	o.log_path[SL_PATH_MAX - 1] = '\0';
	assert_true(sl_opts_json(&o, buf, sizeof(buf)) > 0);
	assert_true(json_object_valid(buf));
}

static void test_json_non_utf8_path_still_valid_json(void **state)
{
	/* docs/log-format.md: every line is UTF-8; bytes that are not valid UTF-8 in paths are
	 * written as \u00XX. A log_path from the environment can hold any byte but NUL. */
	struct sl_opts o;
	struct errs e;
	char buf[2048];

	(void)state;
	parse(&o, &e, "log_path=/tmp/\xff\xfe-\xc0\xaf-\xed\xa0\x80");
	assert_int_equal(e.n, 0);
	assert_true(sl_opts_json(&o, buf, sizeof(buf)) > 0);
	assert_true(json_object_valid(buf));
}

static void test_json_small_buffer(void **state)
{
	struct sl_opts o;
	char buf[16] = "xxxxxxxxxxxxxxx";

	(void)state;
	sl_opts_default(&o);
	assert_int_equal(sl_opts_json(&o, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(sl_opts_json(&o, buf, 0), 0);
}

static void test_help_lists_every_key(void **state)
{
	static const char *const keys[] = {"grace_ms",          "scan_ms",      "stack_depth",
					   "report_at_exit",    "summary",      "enforce",
					   "exitcode",          "help",         "log_path",
					   "suppressions",      "idle_ms",      "keepalive_idle_s",
					   "keepalive_intvl_s", "keepalive_cnt"};
	const char *h = sl_opts_help();

	(void)state;
	assert_non_null(h);
	assert_ptr_equal(h, sl_opts_help());
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_non_null(strstr(h, keys[i]));
	assert_int_equal(h[strlen(h) - 1], '\n');
}

/* o->given names the items that were taken, and only those: `sockleak run` adds its own
 * summary=0 and log_path only where the user gave none. */
static void test_given_bits(void **state)
{
	struct sl_opts o;
	struct errs e;

	(void)state;
	assert_int_equal(parse(&o, &e, ""), 0);
	assert_int_equal(o.given, 0);
	assert_int_equal(parse(&o, &e, "summary=1:grace_ms=abc:log_path=:bogus=1"), 3);
	assert_true(sl_opts_given(&o, summary));
	assert_false(sl_opts_given(&o, grace_ms));
	assert_false(sl_opts_given(&o, log_path));
	assert_int_equal(o.given, 1ull << SL_OPT_ID_summary);
	/* a value equal to the default is still given */
	assert_int_equal(parse(&o, &e, "log_path=stderr,scan_with=epoll"), 0);
	assert_true(sl_opts_given(&o, log_path));
	assert_true(sl_opts_given(&o, scan_with));
	assert_false(sl_opts_given(&o, summary));
}

static void test_sink_forms(void **state)
{
	const char *sock = NULL;

	(void)state;
	assert_int_equal(sl_opts_sink("", &sock), SL_SINK_NONE);
	assert_int_equal(sl_opts_sink("stderr", &sock), SL_SINK_STDERR);
	assert_int_equal(sl_opts_sink("syslog", &sock), SL_SINK_SYSLOG);
	assert_string_equal(sock, "/dev/log");
	assert_int_equal(sl_opts_sink("syslog:/run/x.sock", &sock), SL_SINK_SYSLOG);
	assert_string_equal(sock, "/run/x.sock");
	assert_int_equal(sl_opts_sink("syslog:/run/x.sock", NULL), SL_SINK_SYSLOG);
	/* anything else is a file prefix, even when it looks close */
	assert_int_equal(sl_opts_sink("syslog:", NULL), SL_SINK_FILES);
	assert_int_equal(sl_opts_sink("syslogx", NULL), SL_SINK_FILES);
	assert_int_equal(sl_opts_sink("stderr2", NULL), SL_SINK_FILES);
	assert_int_equal(sl_opts_sink("/tmp/sl/log", NULL), SL_SINK_FILES);
	assert_int_equal(sl_opts_sink("log", NULL), SL_SINK_FILES);
}

/* Secure mode: a relative path option is named and cleared; absolute paths, stderr and the
 * syslog forms stay. */
static void test_secure_paths(void **state)
{
	char text[] = "log_path=rel/log\nsuppressions=supp.txt\ngrace_ms=5";
	struct sl_opts o;
	struct errs e;

	(void)state;
	sl_opts_default(&o);
	memset(&e, 0, sizeof(e));
	assert_int_equal(sl_opts_parse_conf(&o, text, collect, &e), 0);
	assert_int_equal(sl_opts_secure_paths(&o, collect, &e), 2);
	assert_int_equal(e.n, 2);
	assert_string_equal(e.msg[0], "sockleak: secure mode: log_path 'rel/log' is not absolute; "
				      "not used");
	assert_string_equal(e.msg[1], "sockleak: secure mode: suppressions 'supp.txt' is not "
				      "absolute; not used");
	assert_string_equal(o.log_path, "");
	assert_string_equal(o.suppressions, "");
	assert_false(sl_opts_given(&o, log_path));
	assert_int_equal(o.grace_ms, 5);
	static const char *const kept[] = {"log_path=/var/log/sl", "log_path=stderr",
					   "log_path=syslog", "log_path=syslog:/run/l",
					   "suppressions=/etc/sl.supp"};
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		struct sl_opts before;

		assert_int_equal(parse(&o, &e, kept[i]), 0);
		before = o;
		assert_int_equal(sl_opts_secure_paths(&o, collect, &e), 0);
		assert_memory_equal(&o, &before, sizeof(o));
	}
}

/* /etc/sockleak.conf (secure mode): the same items, one or more per line, comments, blank
 * lines, CRLF and indentation; a bad item is reported like one from the environment. */
static void test_conf_file_syntax(void **state)
{
	char text[] = "# sockleak for setuid programs\n"
		      "\n"
		      "  log_path=/var/log/sockleak/priv\r\n"
		      "grace_ms=2000:scan_ms=200\n"
		      "\t# summary=1\n"
		      "enforce=1  \n"
		      "bogus=1";
	struct sl_opts o;
	struct errs e;

	(void)state;
	sl_opts_default(&o);
	memset(&e, 0, sizeof(e));
	assert_int_equal(sl_opts_parse_conf(&o, text, collect, &e), 1);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msg[0], "sockleak: unknown option 'bogus'; ignored");
	assert_string_equal(o.log_path, "/var/log/sockleak/priv");
	assert_int_equal(o.grace_ms, 2000);
	assert_int_equal(o.scan_ms, 200);
	assert_int_equal(o.summary, 1);
	assert_int_equal(o.enforce, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_null_and_empty_string_keep_defaults),
		cmocka_unit_test(test_every_key_parsed),
		cmocka_unit_test(test_scan_with_values),
		cmocka_unit_test(test_range_bounds_accepted),
		cmocka_unit_test(test_colon_and_comma_separators),
		cmocka_unit_test(test_syslog_path_keeps_its_colon),
		cmocka_unit_test(test_later_item_wins),
		cmocka_unit_test(test_unknown_key_named_once_and_ignored),
		cmocka_unit_test(test_non_number_rejected),
		cmocka_unit_test(test_overflow_rejected),
		cmocka_unit_test(test_out_of_range_rejected),
		cmocka_unit_test(test_empty_value_rejected),
		cmocka_unit_test(test_missing_equals_rejected),
		cmocka_unit_test(test_message_stays_one_line),
		cmocka_unit_test(test_empty_items_skipped),
		cmocka_unit_test(test_value_with_equals_kept_whole),
		cmocka_unit_test(test_very_long_values),
		cmocka_unit_test(test_json_defaults),
		cmocka_unit_test(test_json_parses_after_parse),
		cmocka_unit_test(test_json_non_utf8_path_still_valid_json),
		cmocka_unit_test(test_json_small_buffer),
		cmocka_unit_test(test_help_lists_every_key),
		cmocka_unit_test(test_conf_file_syntax),
		cmocka_unit_test(test_given_bits),
		cmocka_unit_test(test_sink_forms),
		cmocka_unit_test(test_secure_paths),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
