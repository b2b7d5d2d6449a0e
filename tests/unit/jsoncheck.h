/* A strict JSON validator for the tests and fuzzers: RFC 8259 grammar, UTF-8 checked the way a
 * strict reader (Python's json with surrogatepass off, jq, Go) checks it. Test code, not shipped. */
#ifndef SL_JSONCHECK_H
#define SL_JSONCHECK_H

#include <stddef.h>

/* 1 when s[0..n) is exactly one JSON value (surrounding whitespace allowed), else 0. */
int jc_valid(const char *s, size_t n);
/* 1 when s[0..n) is valid UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF). */
int jc_utf8_valid(const char *s, size_t n);

#endif
