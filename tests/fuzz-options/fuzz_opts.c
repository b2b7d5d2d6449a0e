/* libFuzzer target: SOCKLEAK_OPTIONS parsing (preload/options.c).
 * Whatever the environment holds, the parser must: report each problem in one bounded line,
 * count exactly the lines it reported, leave every option inside its documented range, and
 * produce an options object that a strict JSON reader accepts (it goes into every `start`
 * record). Parsing the same string twice gives the same options. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/options.h"
#include "../unit/jsoncheck.h"

#define CHECK(c)                                                                          \
	do {                                                                              \
		if (!(c)) {                                                               \
			fprintf(stderr, "fuzz_opts: %s:%d: check failed: %s\n", __FILE__,  \
				__LINE__, #c);                                            \
			abort();                                                          \
		}                                                                         \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct errs {
	int n;
};

static void on_err(void *ctx, const char *msg)
{
	struct errs *e = ctx;
	size_t len = strlen(msg);

	CHECK(len > 10 && len < 256);
	CHECK(strncmp(msg, "sockleak: ", 10) == 0);
	CHECK(!strchr(msg, '\n'));
	e->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), json[SL_OPTS_JSON_MAX + 2];
	struct sl_opts o, again;
	struct errs e = {0};
	size_t items = 1, n;
	int bad;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (size_t i = 0; s[i]; i++)
		items += s[i] == ':' || s[i] == ',';

	sl_opts_default(&o);
	bad = sl_opts_parse(&o, s, on_err, &e);
	CHECK(bad == e.n);
	CHECK(bad >= 0 && (size_t)bad <= items);

	CHECK(o.grace_ms <= 86400000);
	CHECK(o.scan_ms >= 10 && o.scan_ms <= 3600000);
	CHECK(o.stack_depth >= 1 && o.stack_depth <= SL_STACK_MAX);
	CHECK(o.report_at_exit == 0 || o.report_at_exit == 1);
	CHECK(o.summary == 0 || o.summary == 1);
	CHECK(o.enforce == 0 || o.enforce == 1);
	CHECK(o.help == 0 || o.help == 1);
	CHECK(o.exitcode >= 0 && o.exitcode <= 255);
	CHECK(o.idle_ms <= 2000000000);
	CHECK(o.keepalive_idle_s <= 32767 && o.keepalive_intvl_s <= 32767);
	CHECK(o.keepalive_cnt <= 127);
	n = strnlen(o.log_path, sizeof(o.log_path));
	CHECK(n > 0 && n < sizeof(o.log_path));
	/* Items end at ':' or ','; only log_path=syslog:/PATH keeps one colon, its seventh byte. */
	CHECK(!strchr(o.log_path, ','));
	if (!strncmp(o.log_path, "syslog:/", 8))
		CHECK(!strchr(o.log_path + 7, ':'));
	else
		CHECK(!strchr(o.log_path, ':'));
	CHECK(strnlen(o.suppressions, sizeof(o.suppressions)) < sizeof(o.suppressions));

	/* The no-callback form reports the same count and gives the same options. */
	sl_opts_default(&again);
	CHECK(sl_opts_parse(&again, s, NULL, NULL) == bad);
	CHECK(memcmp(&o, &again, sizeof(o)) == 0);

	json[0] = '{';
	n = sl_opts_json(&o, json + 1, sizeof(json) - 2);
	CHECK(n > 0 && n == strlen(json + 1));
	json[n + 1] = '}';
	if (!jc_valid(json, n + 2)) {
		fprintf(stderr, "fuzz_opts: options JSON is not valid JSON: %.*s\n", (int)n + 2, json);
		abort();
	}
	free(s);
	return 0;
}
