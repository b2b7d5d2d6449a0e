/* jwrite: sl_jsondoc, the tools' one JSON writer of whole documents (the json and sarif reports,
 * `sockleak top --format json`; the library writes its records' lines with sl_jsonline),
 * straight into a memory buffer that the caller writes out piece by piece (issue 11: a jansson
 * tree of some fifty objects per site made `-f json` on a million sites take 25 s). The bytes
 * are those of jansson's dump with JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER, compact or
 * JSON_INDENT(n) (tests/unit/test_jwrite.c holds it to that), and every string is written
 * whole, its invalid UTF-8 bytes as U+FFFD. Separators and indentation are the writer's. */
#ifndef SL_JWRITE_H
#define SL_JWRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct sl_jsondoc {
	char *b;
	size_t n, cap;
	int err;         /* ENOMEM once a write did not fit: the buffer is then not written out */
	int indent;      /* 0: compact; else spaces per level, as JSON_INDENT(indent) */
	int depth, base; /* containers open; base: the depth the values written sit at */
	int after_key;   /* a key was written: the next value needs no separator */
	uint64_t filled; /* bit d: the container at depth d has a member already */
	int flat;        /* an indented document's containers deeper than this are compact, each
			  * member of the one at this depth on a line of its own (0: none) */
};
/* A writer whose values sit at depth base of a document indented by indent (0: compact) */
void sl_jsondoc_init(struct sl_jsondoc *w, int indent, int base);

void sl_jsondoc_open(struct sl_jsondoc *w, char c);  /* '{' or '[', after a comma if needed */
void sl_jsondoc_close(struct sl_jsondoc *w, char c); /* '}' or ']' */
/* "k": (keys: ASCII literals, unescaped; inline so that a literal's length is a constant) */
void sl_jsondoc_keyn(struct sl_jsondoc *w, const char *k, size_t n);
static inline void sl_jsondoc_key(struct sl_jsondoc *w, const char *k)
{
	sl_jsondoc_keyn(w, k, strlen(k));
}
void sl_jsondoc_str(struct sl_jsondoc *w, const char *s); /* any bytes; NULL: null */
void sl_jsondoc_int(struct sl_jsondoc *w, int64_t v);
void sl_jsondoc_null(struct sl_jsondoc *w);
/* A whole value written before by this writer at the same depth, as bytes */
void sl_jsondoc_raw(struct sl_jsondoc *w, const char *s, size_t n);
void sl_jsondoc_bool(struct sl_jsondoc *w, int v);
/* As jansson's dump of a real ("%.17g", ".0" added to an integral one, exponent without '+'
 * or leading zeros); NaN and infinities, which JSON cannot say and jansson refuses: null */
void sl_jsondoc_real(struct sl_jsondoc *w, double v);
/* Write the buffer to out and empty it; 0, or an errno (ENOMEM from a write before, EIO) */
int sl_jsondoc_flush(struct sl_jsondoc *w, FILE *out);
void sl_jsondoc_free(struct sl_jsondoc *w);

/* Values written again and again (a stack frame: main, the accept loop, libc's calls) kept as
 * bytes and copied instead of formatted: a frame's bytes are the same wherever it is in a
 * compact document, or in the one-a-line part of an indented one. Direct-mapped by the two
 * pointers that decide the value (a frame and its symbolisation); a miss formats it again.
 * Formatting the shared frames was a third of the sarif writer and of json's stacks. */
struct sl_jsoncache;
struct sl_jsoncache *sl_jsoncache_new(void); /* NULL (no memory): every value formatted */
void sl_jsoncache_free(struct sl_jsoncache *c);
/* The value kept for k1 and k2, written to w (after a comma if needed): 1; else 0 */
int sl_jsoncache_put(struct sl_jsondoc *w, struct sl_jsoncache *c, const void *k1, const void *k2);
/* Keep for k1 and k2 the value w holds from byte at (its first, after any comma) to its end */
void sl_jsoncache_keep(struct sl_jsoncache *c, const struct sl_jsondoc *w, size_t at,
		       const void *k1, const void *k2);

static inline void sl_jsondoc_kint(struct sl_jsondoc *w, const char *k, int64_t v) /* "k":v */
{
	sl_jsondoc_key(w, k);
	sl_jsondoc_int(w, v);
}
static inline void sl_jsondoc_kstr(struct sl_jsondoc *w, const char *k, const char *s) /* "k":"s" */
{
	sl_jsondoc_key(w, k);
	sl_jsondoc_str(w, s);
}

#endif
