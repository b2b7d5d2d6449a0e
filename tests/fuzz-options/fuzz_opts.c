/* libFuzzer target: SOCKLEAK_OPTIONS parsing (preload/options.c).
 * Whatever the environment holds, the parser must: report each problem in one bounded line,
 * count exactly the lines it reported, leave every option inside its table row's range, and
 * produce an options object that a strict JSON reader accepts (it goes into every `start`
 * record). Parsing the same string twice gives the same options. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/options.h"
#include "../unit/jsoncheck.h"

/* clang-format off */
#define CHECK(c)                                                                          \
	do {                                                                              \
		if (!(c)) {                                                               \
			fprintf(stderr, "fuzz_opts: %s:%d: check failed: %s\n", __FILE__,  \
				__LINE__, #c);                                            \
			abort();                                                          \
		}                                                                         \
	} while (0)
/* clang-format on */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A function, not a comparison in place: lo is 0 for most rows, and "x >= 0" on an unsigned
 * field is a warning. */
static int in_range(uint64_t x, uint64_t lo, uint64_t hi) { return x >= lo && x <= hi; }

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

	/* Every number inside its row's range (preload/options.inc), every path a C string. */
#define FIELD_bool(n, lo, hi) CHECK(in_range((uint64_t)o.n, lo, hi));
#define FIELD_uint(n, lo, hi) CHECK(in_range(o.n, lo, hi));
#define FIELD_enum(n, lo, hi) CHECK(in_range((uint64_t)o.n, lo, hi));
#define FIELD_path(n, lo, hi) CHECK(strnlen(o.n, sizeof(o.n)) < sizeof(o.n));
#define FIELD_sink(n, lo, hi) FIELD_path(n, lo, hi)
#define SL_OPT(type, name, def, min, max, help) FIELD_##type(name, min, max)
#include "../../preload/options.inc"
#undef SL_OPT
	n = strnlen(o.log_path, sizeof(o.log_path));
	CHECK(n > 0 && n < sizeof(o.log_path));
	/* Items end at ':' or ','; only log_path=syslog:/PATH keeps one colon, its seventh byte. */
	CHECK(!strchr(o.log_path, ','));
	if (!strncmp(o.log_path, "syslog:/", 8))
		CHECK(!strchr(o.log_path + 7, ':'));
	else
		CHECK(!strchr(o.log_path, ':'));
	CHECK(o.given < (1ull << SL_OPT_COUNT));

	/* Secure mode keeps no relative path: only "", absolute ones, stderr and syslog. */
	again = o;
	sl_opts_secure_paths(&again, NULL, NULL);
	CHECK(!again.log_path[0] || again.log_path[0] == '/' ||
	      sl_opts_sink(again.log_path, NULL) != SL_SINK_FILES);
	CHECK(!again.suppressions[0] || again.suppressions[0] == '/');

	/* The no-callback form reports the same count and gives the same options. */
	sl_opts_default(&again);
	CHECK(sl_opts_parse(&again, s, NULL, NULL) == bad);
	CHECK(memcmp(&o, &again, sizeof(o)) == 0);

	json[0] = '{';
	n = sl_opts_json(&o, json + 1, sizeof(json) - 2);
	CHECK(n > 0 && n == strlen(json + 1));
	json[n + 1] = '}';
	if (!jc_valid(json, n + 2)) {
		fprintf(stderr, "fuzz_opts: options JSON is not valid JSON: %.*s\n", (int)n + 2,
			json);
		abort();
	}
	free(s);
	return 0;
}
