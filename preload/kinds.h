/* The leak kinds of `leak` records (docs/log-format.md), in one table that the library's writer
 * (records.c), the analyser's reader and writers (tools/model.c, parse.c), `sockleak run` and
 * the docs check (tests/unit/test_kinds.c) all expand: a kind added here is written, read,
 * counted and must be documented, with no other list to update (issue 12: the library wrote
 * "idle" and the analyser, with a list of its own, rejected it).
 *
 * X(ID, name in the log, SARIF rule name, one-line title), in the order of their numbers. */
#ifndef SL_KINDS_H
#define SL_KINDS_H

/* clang-format off */
#define SL_LEAK_KINDS(X)                                                                      \
	X(EOF, "eof_unclosed", "EofUnclosed", "EOF read, socket never closed")                 \
	X(CW, "close_wait", "CloseWait", "peer closed, EOF never read (CLOSE_WAIT)")           \
	X(EXIT, "exit_open", "ExitOpen", "still open at exit")                                 \
	X(IDLE, "idle", "Idle", "no data for idle_ms")                                          \
	X(GC, "gc_closed", "GcClosed",                                                        \
	  "never closed by the program, closed by the runtime's garbage collector")
/* clang-format on */

#ifndef SL_KINDS_TOOLS
/* The library's numbering, after none: SL_KIND_EOF, SL_KIND_CW, ... */
#define SL_KIND_ENUM(id, name, rule, title) SL_KIND_##id,
enum sl_kind { SL_KIND_NONE, SL_LEAK_KINDS(SL_KIND_ENUM) SL_KIND_N };
#undef SL_KIND_ENUM

/* "eof_unclosed", ...; "none" for SL_KIND_NONE and anything out of range. Pure (kinds.c). */
const char *sl_kind_name(enum sl_kind k);
#endif

#endif
