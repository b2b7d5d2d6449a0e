/* Escaping of strings that came from a log, a file name or any file the tools read, for where
 * they go (issue 11): logs are written by the programs being debugged, so every string in them
 * is hostile until escaped.
 *
 * - UTF-8: one validator (the grammar jansson and tools/jscan.c accept: no overlong forms, no
 *   surrogates, nothing above U+10FFFF), copies that cut on a character boundary, and U+FFFD in
 *   place of every invalid byte, so that a string truncated into a fixed buffer or read from a
 *   file that is not UTF-8 can always be written as JSON.
 * - Terminal: C0 controls (newline included: a forged "SUMMARY:" line must not be possible),
 *   DEL, C1 controls, the Unicode direction overrides and isolates and the other invisible
 *   format characters are shown as `\x1b`, `\n`, `\u202e`; invalid bytes as `\xff`.
 * - HTML: the five markup characters as entities, the characters the terminal escapes shown
 *   the same visible way, invalid bytes as U+FFFD. Safe in text and in quoted attributes.
 *
 * No allocation; every function takes NUL-terminated strings and treats NULL as "". */
#ifndef SL_ESCAPE_H
#define SL_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Length of the valid UTF-8 sequence at p (at most n bytes available), or 0 when invalid. */
size_t sl_utf8_len(const unsigned char *p, size_t n);
/* 1 when s[0..n) is valid UTF-8. */
int sl_utf8_valid(const char *s, size_t n);
/* Copy s[0..n) into dst (cap > 0 bytes, always NUL-terminated), invalid bytes replaced by
 * U+FFFD, cut before a character that does not fit whole. Returns the length written. */
size_t sl_utf8_copy(char *dst, size_t cap, const char *s, size_t n);
/* Drop an incomplete UTF-8 sequence from the end of buf (after a byte-counting truncation). */
void sl_utf8_trim(char *buf);
/* snprintf that cuts on a character boundary when the result does not fit. */
int sl_snprintf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The strings up to a NULL, joined, as sl_snprintf(buf, cap, "%s%s...") would give them, without
 * its format parsing (frame names and titles: a million-site report formats millions). */
int sl_strs(char *buf, size_t cap, ...) __attribute__((sentinel));
/* "0x" and v in lower-case hex, as "0x%llx"; returns buf (at least 19 bytes) */
const char *sl_hex(char buf[19], unsigned long long v);

/* Terminal-safe text: to a stream, or into buf (cut on an escape boundary; returns buf). */
void sl_term_puts(FILE *f, const char *s);
const char *sl_term_str(char *buf, size_t cap, const char *s);
/* HTML-safe text and attribute values. */
void sl_html_puts(FILE *f, const char *s);

#endif
