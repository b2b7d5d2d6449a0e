/* A JSON object writer into a caller's buffer: no malloc, no locale, no stdio, so it can run in
 * any context (vfork children, signal-interrupted threads). Pure; unit-tested directly.
 * On overflow the writer stops and sets trunc; the caller drops the record rather than
 * writing a broken line. */
#ifndef SL_JSON_H
#define SL_JSON_H

#include <stddef.h>
#include <stdint.h>

struct sl_jb {
	char *buf;
	size_t cap, len;
	int trunc;
	int need_comma;
};

void sl_jb_init(struct sl_jb *j, char *buf, size_t cap);
void sl_jb_obj_begin(struct sl_jb *j, const char *key);   /* key NULL inside arrays / top */
void sl_jb_obj_end(struct sl_jb *j);
void sl_jb_arr_begin(struct sl_jb *j, const char *key);
void sl_jb_arr_end(struct sl_jb *j);
void sl_jb_str(struct sl_jb *j, const char *key, const char *val);  /* val NULL: null */
void sl_jb_strn(struct sl_jb *j, const char *key, const char *val, size_t max);
void sl_jb_i64(struct sl_jb *j, const char *key, int64_t v);
void sl_jb_u64(struct sl_jb *j, const char *key, uint64_t v);
void sl_jb_hex(struct sl_jb *j, const char *key, uint64_t v);   /* "0x1a2b" string */
void sl_jb_id(struct sl_jb *j, const char *key, uint64_t v);    /* 16 hex digits, 0: null */
void sl_jb_bool(struct sl_jb *j, const char *key, int v);
void sl_jb_null(struct sl_jb *j, const char *key);
void sl_jb_raw(struct sl_jb *j, const char *key, const char *raw);  /* pre-formatted JSON */
/* Terminates with '\n' (and a NUL not counted in len). Returns len, or 0 when truncated. */
size_t sl_jb_finish(struct sl_jb *j);

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
