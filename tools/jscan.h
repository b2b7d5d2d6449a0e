/* jscan: a strict, allocation-free JSON scanner for the log reader.
 *
 * Why not jansson here: parsing one 480-byte leak record with json_loadb costs ~7 us on the
 * reference machine, so a 1,000,000-line log would spend 7 s in the parser alone, over the 5 s
 * budget of issue 6. This scanner validates the same grammar jansson accepts (UTF-8, escapes,
 * surrogates, integer range) in one pass over the line and hands out slices, never copies; the
 * fuzz target checks it against jansson line by line (tests/fuzz/fuzz_reader.c). */
#ifndef SL_JSCAN_H
#define SL_JSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The offset of the first byte in the 8 at p that needs a look (a quote, a backslash, a
 * control character or a non-ASCII byte), or 8. Strings were a fifth of reading a log byte by
 * byte; eight at a time (the usual bit tricks: a flag above a true match can be false, the
 * lowest one never is, and the lowest is what counts). The writer (jwrite.c) copies a word
 * that needs nothing (8) as it is, with the same test. */
static inline unsigned sl_json_plain_run(const char *p)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t x, q, b, m;
	memcpy(&x, p, 8);
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	m = ((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x) | x;
	m &= high;
	return m ? (unsigned)__builtin_ctzll(m) / 8 : 8;
#else
	for (unsigned i = 0; i < 8; i++)
		if (p[i] == '"' || p[i] == '\\' || (unsigned char)p[i] < 0x20 ||
		    (unsigned char)p[i] >= 0x80)
			return i;
	return 8;
#endif
}

enum sl_jt {
	SL_J_NONE = 0,
	SL_J_NULL,
	SL_J_FALSE,
	SL_J_TRUE,
	SL_J_NUM,
	SL_J_STR,
	SL_J_ARR,
	SL_J_OBJ
};

/* A value as a slice of the line: for strings the bytes between the quotes (still escaped when
 * esc is set), for arrays and objects the text from the bracket to the closing bracket. */
struct sl_jv {
	enum sl_jt t;
	const char *p;
	size_t n;
	int esc;
};

/* Deepest nesting accepted; garbage like "[[[[..." must not eat the stack. */
#define SL_JSON_MAX_DEPTH 64

typedef int (*sl_jmember_fn)(void *ctx, const char *key, size_t klen, const struct sl_jv *v);
typedef int (*sl_jelem_fn)(void *ctx, size_t idx, const struct sl_jv *v);

/* Scan the object in s[0..n) (surrounding whitespace allowed, nothing else) and call fn for each
 * member in order. Returns 0, or -1 with *why and *col (0-based byte offset) set when the text is
 * not a valid JSON object; fn is called only after the whole object validated. A non-zero return
 * from fn stops the walk and is returned. */
int sl_jobj_each(const char *s, size_t n, sl_jmember_fn fn, void *ctx, const char **why,
		 size_t *col);
/* Walk an already validated object or array value. */
int sl_jv_members(const struct sl_jv *obj, sl_jmember_fn fn, void *ctx);
int sl_jv_elems(const struct sl_jv *arr, sl_jelem_fn fn, void *ctx);
/* Walk an already validated array of objects in one pass: begin gets each element first (an
 * object's v->n is 0 then: not known yet) and returns 0 for its members to go to fn,
 * SL_JV_SKIP to pass over it, or anything else to stop (returned). A stack record's frames
 * were walked three times (validated, skipped over, their members), a tenth of reading a
 * million-site log. */
#define SL_JV_SKIP 1
int sl_jv_obj_elems(const struct sl_jv *arr, sl_jelem_fn begin, sl_jmember_fn fn, void *ctx);

/* Integer value; 0 when v is an integer that fits int64, else -1 (reals, strings, null). */
int sl_jv_int(const struct sl_jv *v, int64_t *out);
/* Unescaped string into buf (NUL-terminated, truncated to cap-1). Returns the full unescaped
 * length, or -1 when v is not a string. */
long sl_jv_str(const struct sl_jv *v, char *buf, size_t cap);
/* Key comparison for callbacks. */
int sl_jkey(const char *key, size_t klen, const char *lit);
/* "0x..." or bare hex string (stack ids, addresses) to uint64; 0 on success. */
int sl_jv_hex(const struct sl_jv *v, uint64_t *out);

#endif
