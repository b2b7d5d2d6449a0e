/* libFuzzer target: the JSON writer (preload/json.c).
 *
 * Input layout: byte 0 picks the mode.
 *   even: escape test. The rest is a string (not NUL-terminated, in a buffer of exactly its
 *         size so ASan sees any read past max). Checks: the sizing pass equals the writing
 *         pass; quoted, the output is a JSON string a strict reader accepts; decoding it gives
 *         back the input up to its first NUL (escaping is lossless); a short output buffer is
 *         never overrun.
 *   odd:  writer test. Bytes 1-2 are the buffer capacity, the rest a little program of
 *         begin/end/value operations. Checks: when sl_jsonline_finish succeeds the line is one
 *         valid JSON object and a newline; it succeeds exactly when the capacity holds the line the
 *         same program writes into a large buffer, and then the bytes are identical; the
 *         writer never writes past its capacity. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/json.h"
#include "../unit/jsoncheck.h"

/* clang-format off */
#define CHECK(c)                                                                          \
	do {                                                                              \
		if (!(c)) {                                                               \
			fprintf(stderr, "fuzz_json: %s:%d: check failed: %s\n", __FILE__,  \
				__LINE__, #c);                                            \
			abort();                                                          \
		}                                                                         \
	} while (0)
/* clang-format on */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void fuzz_escape(const uint8_t *data, size_t size)
{
	char *in = malloc(size ? size : 1), *q, *small;
	size_t need, n, plain, o = 0, cap;

	if (!in)
		return;
	memcpy(in, data, size);
	need = sl_json_escape(NULL, 0, in, size);
	q = malloc(need + 2);
	CHECK(q);
	q[0] = '"';
	n = sl_json_escape(q + 1, need, in, size);
	CHECK(n == need);
	q[need + 1] = '"';
	CHECK(jc_valid(q, need + 2));

	/* Lossless: \" \\ and \u00XX decode back to the input bytes. */
	plain = strnlen(in, size);
	for (size_t i = 1; i <= need; o++) {
		char c = q[i];

		CHECK(o < plain);
		if (c != '\\') {
			CHECK(c == in[o]);
			i++;
		} else if (q[i + 1] == 'u') {
			CHECK(q[i + 2] == '0' && q[i + 3] == '0');
			CHECK(hexval(q[i + 4]) >= 0 && hexval(q[i + 5]) >= 0);
			CHECK((char)(hexval(q[i + 4]) * 16 + hexval(q[i + 5])) == in[o]);
			i += 6;
		} else {
			CHECK(q[i + 1] == '"' || q[i + 1] == '\\');
			CHECK(q[i + 1] == in[o]);
			i += 2;
		}
	}
	CHECK(o == plain);

	/* A short buffer: a prefix of the full output, never past cap. */
	cap = need / 2;
	small = malloc(cap ? cap : 1);
	CHECK(small);
	n = sl_json_escape(small, cap, in, size);
	CHECK(n <= cap);
	CHECK(memcmp(small, q + 1, n) == 0);
	free(small);
	free(q);
	free(in);
}

/* clang-format off */
static const char *const keys[] = {"v", "event", "fd", "inode", "local", "frames", "ip",
				   "shared_with", "a_rather_long_key_name_for_the_writer"};
/* clang-format on */
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define DEPTH 32

struct prog {
	const uint8_t *p;
	size_t n;
};

static uint64_t take64(struct prog *g)
{
	uint64_t v = 0;

	for (int i = 0; i < 8 && g->n; i++, g->p++, g->n--)
		v = v << 8 | *g->p;
	return v;
}

static uint8_t take8(struct prog *g)
{
	uint8_t v = 0;

	if (g->n) {
		v = *g->p++;
		g->n--;
	}
	return v;
}

/* Run the program into buf[cap]; returns sl_jsonline_finish's result. */
static size_t run(const uint8_t *code, size_t size, char *buf, size_t cap)
{
	struct prog g = {code, size};
	struct sl_jsonline j;
	char stack[DEPTH]; /* 'o' object, 'a' array */
	int depth = 0;

	sl_jsonline_init(&j, buf, cap);
	sl_jsonline_obj_begin(&j, NULL);
	stack[depth++] = 'o';
	while (g.n) {
		uint8_t op = take8(&g);
		const char *key = stack[depth - 1] == 'o' ? keys[(op >> 4) % NKEYS] : NULL;

		switch (op % 14) {
		case 0:
			if (depth < DEPTH) {
				sl_jsonline_obj_begin(&j, key);
				stack[depth++] = 'o';
			}
			break;
		case 1:
			if (depth < DEPTH) {
				sl_jsonline_arr_begin(&j, key);
				stack[depth++] = 'a';
			}
			break;
		case 2:
			if (depth > 1) {
				if (stack[--depth] == 'o')
					sl_jsonline_obj_end(&j);
				else
					sl_jsonline_arr_end(&j);
			}
			break;
		case 3: {
			size_t len = take8(&g) % 64;

			if (len > g.n)
				len = g.n;
			/* Points into the input: the writer must read at most len bytes. */
			sl_jsonline_strn(&j, key, (const char *)g.p, len);
			g.p += len;
			g.n -= len;
			break;
		}
		case 4:
			sl_jsonline_i64(&j, key, (int64_t)take64(&g));
			break;
		case 5:
			sl_jsonline_u64(&j, key, take64(&g));
			break;
		case 6:
			sl_jsonline_hex(&j, key, take64(&g));
			break;
		case 7: {
			uint64_t v = take64(&g);

			/* Often 0 (null) or small, sometimes a full 64-bit id. */
			sl_jsonline_id(&j, key, op & 0x80 ? v : v >> 60);
			break;
		}
		case 8:
			sl_jsonline_bool(&j, key, op & 0x80);
			break;
		case 9:
			sl_jsonline_null(&j, key);
			break;
		case 10:
			sl_jsonline_raw(&j, key, "{\"x\":[1,2,{\"y\":null}]}");
			break;
		case 11:
			sl_jsonline_str(&j, key, NULL);
			break;
		case 12:
			sl_jsonline_str(&j, key, "caf\xc3\xa9 \"q\" \\ \x01\xff");
			break;
		default:
			sl_jsonline_i64(&j, key, INT64_MIN);
			break;
		}
	}
	while (depth > 0) {
		if (stack[--depth] == 'o')
			sl_jsonline_obj_end(&j);
		else
			sl_jsonline_arr_end(&j);
	}
	CHECK(j.len <= cap);
	return sl_jsonline_finish(&j);
}

static void fuzz_writer(const uint8_t *data, size_t size)
{
	static char ref[1 << 20];
	size_t cap, rn, n;
	char *buf;

	if (size < 2)
		return;
	cap = ((size_t)data[0] | (size_t)data[1] << 8) % 8192;
	data += 2;
	size -= 2;
	rn = run(data, size, ref, sizeof(ref));
	if (rn) {
		CHECK(rn == strlen(ref));
		CHECK(ref[rn - 1] == '\n' && !memchr(ref, '\n', rn - 1));
		if (!jc_valid(ref, rn - 1)) {
			fprintf(stderr, "fuzz_json: not valid JSON: %s", ref);
			abort();
		}
	}
	/* Exactly the capacity given, so ASan sees a write past it. */
	buf = malloc(cap ? cap : 1);
	CHECK(buf);
	n = run(data, size, cap ? buf : NULL, cap);
	if (rn) {
		CHECK(n == (cap >= rn + 1 ? rn : 0));
		if (n)
			CHECK(memcmp(buf, ref, rn + 1) == 0);
	} else {
		CHECK(n == 0);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_writer(data + 1, size - 1);
	else
		fuzz_escape(data + 1, size - 1);
	return 0;
}
