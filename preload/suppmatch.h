/* The one suppression matcher, compiled into the library (suppress.c: enforcement) and the
 * tools (tools/suppress.c: run and report), so that a leak:PATTERN line means the same to both
 * (issue 12: `leak:libfoo.so` stopped enforcement but not the report). Pure: no I/O, no
 * allocation (the library matches on the program's threads, under no lock of ours). */
#ifndef SL_SUPPMATCH_H
#define SL_SUPPMATCH_H

/* LeakSanitizer's pattern semantics (compiler-rt's TemplateMatch), exactly: a substring match,
 * unless anchored by a leading '^' (start) or a '$' (end; what follows a '$' is ignored); '*'
 * matches any run of characters, including none. Chunks between wildcards are found leftmost,
 * without backtracking, as LSan does ("foo$" does not match "foofoo"). An empty or NULL str
 * never matches. */
int sl_supp_template_match(const char *templ, const char *str);

/* One frame against one pattern, as LSan tries it: its function, its source file, and its
 * module, by full path and by base name. Any of them may be NULL (unknown). */
int sl_supp_frame_match(const char *pattern, const char *func, const char *file,
			const char *module);

#endif
