/* What a leak site is: one definition, compiled into the library (its exit summary,
 * watchdog.c) and the tools (tools/group.c, whose sites `sockleak run` and `sockleak report`
 * print), so that the same run says the same number of sites everywhere (issue 12: the exit
 * summary grouped leaks by whole open stacks and the report by frames, and one run printed
 * "3 sites" in one place and "2 sites" in the other).
 *
 * A leak is fixed in the program, so a site is named after the program's own code: the leak
 * kind family, the program frame of the open stack (the socket()/accept()/connect() call, past
 * the C library, the loader, sockleak, the sanitizers and a language runtime's own frames), and
 * for eof_unclosed also the program frame of the EOF read, because the missing close() is on
 * that path. A stack of nothing but runtime frames is one site per runtime (Perl's first
 * accept() goes another way than the next); when its socket was handled by the program (a node
 * handler stack), the handler's frame is the site. Without an open stack (inherited across fork
 * or exec) the site is the process's executable and role.
 *
 * A frame is known by what the caller can tell of it: function, file and line when debug info
 * or an interpreter gave them, else module and offset. The library has no debug info, so an
 * inlined helper whose return addresses differ within one source line can still be two sites
 * at exit and one in the report (docs/sockleak.1, BUGS).
 *
 * Pure: no I/O, no allocation, no lock; every string is compared and hashed by its content. */
#ifndef SL_SITEKEY_H
#define SL_SITEKEY_H

#include <stddef.h>
#include <stdint.h>

#include "kinds.h"

/* The leak kinds by their place in SL_LEAK_KINDS, from 0 (the tools' numbering; the library's
 * enum sl_kind is this plus one). */
#define SL_SITE_KIND_ENUM(id, name, rule, title) SL_SITE_K_##id,
enum sl_site_kind { SL_LEAK_KINDS(SL_SITE_KIND_ENUM) SL_SITE_K_N };
#undef SL_SITE_KIND_ENUM

/* A frame's class, as the site choice needs it. A caller that remembers it sets KNOWN. */
#define SL_SITE_FR_KNOWN 1
#define SL_SITE_FR_SYSTEM 2  /* libc, the loader, sockleak, the sanitizers */
#define SL_SITE_FR_RUNTIME 4 /* those, or an interpreter's own code */

struct sl_site_frame {
	const char *module; /* path of its module; NULL or "?": code in no module (a JIT's) */
	const char *lang;   /* an interpreter's frame: its language ("python"); else NULL */
	const char *file;   /* source file (the interpreter's, or debug info's); else NULL */
	const char *func;   /* with file: its function; NULL when unknown */
	const char *jit;    /* code in no module: its name from a perf map; else NULL */
	uint64_t offset;    /* from the module's load address (absolute without a module) */
	int line;           /* with file */
	uint8_t cls;        /* SL_SITE_FR_*, or 0: sl_site_key works it out */
};

struct sl_site_stack {
	const struct sl_site_frame *f; /* innermost first */
	unsigned n;                    /* 0: no stack */
};

/* A leak as the site key needs it. */
struct sl_site_leak {
	unsigned kind;           /* enum sl_site_kind, as logged */
	int after_eof, after_cw; /* exit_open: it had read EOF / been in CLOSE_WAIT */
	struct sl_site_stack open, eof, handler;
	const char *exe, *role; /* without an open stack: the process's, the socket's */
};

/* One frame's identity: (function, file, line); (module, NULL, offset | SL_SITE_ID_RAW)
 * without a file; (JIT name, NULL, SL_SITE_ID_JIT); (language or module, NULL,
 * SL_SITE_ID_RUNTIME) for a runtime-only stack; (exe, role, SL_SITE_ID_NOSTACK) without an
 * open stack; all zero for none. */
#define SL_SITE_ID_RAW (1ull << 63)
#define SL_SITE_ID_NOSTACK (1ull << 62)
#define SL_SITE_ID_RUNTIME (1ull << 61)
#define SL_SITE_ID_JIT (1ull << 60)
struct sl_site_id {
	const char *a, *b;
	uint64_t c;
};

/* A site's key: its strings point into the frames it was made from. */
struct sl_site_key {
	unsigned kind; /* the kind family: enum sl_site_kind */
	struct sl_site_id open, eof;
};

/* THE function: the key of the site a leak belongs to. Two leaks are one site when their keys
 * are equal (sl_site_key_eq). */
void sl_site_key(const struct sl_site_leak *l, struct sl_site_key *k);
int sl_site_key_eq(const struct sl_site_key *x, const struct sl_site_key *y);
/* A hash of the key's content (equal keys, equal hashes, wherever their strings are). */
uint64_t sl_site_key_hash(const struct sl_site_key *k);
/* A total order on keys, by content (kind name, open, EOF): the tools' stable ranking. */
int sl_site_key_cmp(const struct sl_site_key *x, const struct sl_site_key *y);
/* The key as text: "KIND|OPEN|EOF" (SARIF's partialFingerprints; unchanged from before the
 * key was shared, so fingerprints stay what they were). Returns what snprintf returns. */
int sl_site_key_format(const struct sl_site_key *k, char *buf, size_t cap);

/* The kind family a leak is grouped under: an exit_open socket that had read EOF is an
 * eof_unclosed site, one that had been in CLOSE_WAIT a close_wait one. */
unsigned sl_site_family(unsigned kind, int after_eof, int after_cw);

/* A frame's class (SL_SITE_FR_* with KNOWN), from its module, language, file and JIT name. */
uint8_t sl_site_frame_class(const struct sl_site_frame *f);
/* Which frame of a stack is its site frame, from the frames' classes (cls[i], each with KNOWN):
 * the first of the program's own; in a runtime-only stack (*runtime_only = 1), the first past
 * libc and the loader. n must be > 0. */
unsigned sl_site_pick(const uint8_t *cls, unsigned n, int *runtime_only);

#endif
