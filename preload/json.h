/* sl_jsonline: one JSON object, a log record's line, written into a caller's fixed buffer (the
 * tools' writer of whole documents is sl_jsondoc, tools/jwrite.h). No malloc, no locale, no
 * stdio, so it can run in any context (vfork children, signal-interrupted threads). Pure;
 * unit-tested directly. On overflow the writer stops and sets trunc; the caller drops the
 * record rather than writing a broken line. */
#ifndef SL_JSON_H
#define SL_JSON_H

#include <stddef.h>
#include <stdint.h>

struct sl_jsonline {
	char *buf;
	size_t cap, len;
	int trunc;
	int need_comma;
};

void sl_jsonline_init(struct sl_jsonline *j, char *buf, size_t cap);
/* key NULL inside arrays / top */
void sl_jsonline_obj_begin(struct sl_jsonline *j, const char *key);
void sl_jsonline_obj_end(struct sl_jsonline *j);
void sl_jsonline_arr_begin(struct sl_jsonline *j, const char *key);
void sl_jsonline_arr_end(struct sl_jsonline *j);
void sl_jsonline_str(struct sl_jsonline *j, const char *key, const char *val); /* val NULL: null */
void sl_jsonline_strn(struct sl_jsonline *j, const char *key, const char *val, size_t max);
void sl_jsonline_i64(struct sl_jsonline *j, const char *key, int64_t v);
void sl_jsonline_u64(struct sl_jsonline *j, const char *key, uint64_t v);
void sl_jsonline_hex(struct sl_jsonline *j, const char *key, uint64_t v); /* "0x1a2b" string */
/* 16 hex digits, 0: null */
void sl_jsonline_id(struct sl_jsonline *j, const char *key, uint64_t v);
void sl_jsonline_bool(struct sl_jsonline *j, const char *key, int v);
void sl_jsonline_null(struct sl_jsonline *j, const char *key);
/* pre-formatted JSON */
void sl_jsonline_raw(struct sl_jsonline *j, const char *key, const char *raw);
/* Terminates with '\n' (and a NUL not counted in len). Returns len, or 0 when truncated. */
size_t sl_jsonline_finish(struct sl_jsonline *j);

/* Escape s (at most max bytes of it) as the contents of a JSON string. Invalid UTF-8 bytes
 * become \u00XX so that strict readers accept the line. Returns bytes written, or the needed
 * size with out NULL. Pure helper shared by the writer and its tests. */
size_t sl_json_escape(char *out, size_t cap, const char *s, size_t max);

/* s (NULL: "") for a terminal, into out (cap > 0, always NUL-terminated, cut before an
 * escape or character that does not fit): control characters, invalid bytes and the Unicode
 * direction overrides shown as \x1b, \u202e, as the tools show them (tools/escape.h). For
 * names the program controls (symbols, module paths, script files) in the exit summary.
 * Returns the length written. */
size_t sl_term_escape(char *out, size_t cap, const char *s);

/* Decimal / hex formatting without stdio (async-signal-safe). Return length. */
size_t sl_fmt_u64(char *out, uint64_t v);
size_t sl_fmt_hex(char *out, uint64_t v, int width);

#endif
