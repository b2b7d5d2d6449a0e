/* libFuzzer target for the log reader (issue 6): every input is a log.
 *  1. Line by line, the fast scanner (tools/jscan.c) must accept exactly the lines jansson
 *     accepts as a JSON object (nesting deeper than SL_JSON_MAX_DEPTH and NUL bytes, which
 *     jansson tolerates after numbers, aside): a differential
 *     check that keeps the two parsers in step.
 *  2. The whole input goes through the analysis and every writer; sanitizers catch the rest.
 * Symbolisation is off: the input names module paths, and the fuzzer must not open files. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "model.h"

static int nop(void *ctx, const char *k, size_t kl, const struct sl_jv *v)
{
	(void)ctx, (void)k, (void)kl, (void)v;
	return 0;
}

static void differential(const char *s, size_t n)
{
	const char *why = NULL;
	size_t col;
	json_error_t err;
	int fast = sl_jobj_each(s, n, nop, NULL, &why, &col) == 0;
	json_t *j = json_loadb(s, n, 0, &err);
	int ref = j && json_is_object(j);
	json_decref(j);
	if (!fast && why && !strcmp(why, "nesting too deep"))
		return;
	/* jansson 2.14 skips a NUL byte after a number ({"a":1\0,"b":2} parses); that is not JSON,
	 * and the scanner is right to reject it. */
	if (!fast && memchr(s, 0, n))
		return;
	if (fast != ref) {
		fprintf(stderr, "jscan %s (%s), jansson %s (%s) on %zu bytes: %.*s\n",
			fast ? "accepts" : "rejects", fast ? "" : why, ref ? "accepts" : "rejects",
			ref ? "" : err.text, n, (int)(n > 300 ? 300 : n), s);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		if (n)
			differential(p, n);
		p += n + 1;
	}

	struct sl_analysis_opts o = {NULL, "/work", 0, 3, 1, 0};
	struct sl_analysis *a = sl_analysis_new(&o);
	FILE *in = fmemopen((void *)(size ? data : (const uint8_t *)""), size ? size : 1, "r");
	FILE *out = fopen("/dev/null", "w");
	if (in && out) {
		sl_analysis_add_stream(a, in, "fuzz");
		sl_analysis_finish(a);
		sl_analysis_write_text(a, out, 100);
		sl_analysis_write_summary(a, out);
		sl_analysis_write_json(a, out);
		sl_analysis_write_sarif(a, out);
		sl_analysis_write_html(a, out);
	}
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	sl_analysis_free(a);
	return 0;
}
