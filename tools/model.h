/* Internal model of the analysis: what the reader builds, what finish joins, what writers read.
 * Everything lives in one arena owned by struct sl_analysis; strings are interned, so equal strings
 * are equal pointers and memory grows with distinct values, not with lines. The big tables
 * (strings, stacks, sockets, sites, symbols) are compact sl_tabs: a million distinct sites must
 * fit in 500 MB (issue 11), and a 56-byte uthash handle in each of five objects per site was a
 * fifth of that. */
#ifndef SL_MODEL_H
#define SL_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <uthash.h>

#define SL_KINDS_TOOLS /* the tools number kinds from 0 (and have their own enum sl_kind_index) */
#include "../preload/kinds.h"
#include "../preload/sitekey.h"
#include "analysis.h"
#include "tab.h"

#define SL_NONE INT64_MIN /* a timestamp or age the record gave as null or not at all */

/* Arithmetic on values from the input saturates: a log may hold any integer. */
static inline int64_t sl_sat_add(int64_t a, int64_t b)
{
	int64_t r;
	return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN + 1) : r;
}
static inline int64_t sl_ts_minus_ms(int64_t ts, int64_t ms)
{
	int64_t ns, r;
	if (__builtin_mul_overflow(ms, (int64_t)1000000, &ns))
		ns = ms > 0 ? INT64_MAX : INT64_MIN;
	return __builtin_sub_overflow(ts, ns, &r) ? (ns > 0 ? INT64_MIN + 1 : INT64_MAX) : r;
}

/* The leak kinds, from the table the library writes them from (preload/kinds.h), numbered from
 * 0 to index arrays (the library's enum sl_kind counts from SL_KIND_NONE). */
#define SL_K_ENUM(id, name, rule, title) SL_K_##id,
enum sl_kind_index { SL_LEAK_KINDS(SL_K_ENUM) SL_K_N };
#undef SL_K_ENUM
extern const char *const sl_kind_names[SL_K_N];
extern const char *const sl_kind_rules[SL_K_N]; /* SARIF rule name */
extern const char *const sl_kind_titles[SL_K_N];

/* ---- arena and interning (model.c) ---- */
struct sl_arena_blk;
/* Zeroed, lives until sl_analysis_free. Out of memory: the reserve is given back and reading stops
 * (a->oom); once the reserve is gone, NULL, which the finish steps handle. */
void *sl_alloc(struct sl_analysis *a, size_t n);
const char *sl_intern(struct sl_analysis *a, const char *s, size_t n);
const char *sl_internz(struct sl_analysis *a, const char *s);
/* A copy, not interned: for strings mostly distinct (peer and local addresses carry ports), an
 * interning table slot costs more than a repeat saves */
const char *sl_strdup(struct sl_analysis *a, const char *s, size_t n);

/* ---- symbols (symbolise.c) ---- */
struct sl_symf {          /* one source-level frame; inlined calls expand to several */
	const char *func; /* may be NULL */
	const char *file; /* may be NULL */
	int line;
	int inlined; /* 1: inlined into the next frame of the list */
};
struct sl_sym {
	int n;
	struct sl_symf *f;
	const char *note; /* NULL, or why the recorded symbol is shown */
};

/* Frames are interned (a->frames): a frame shared by many stacks (main, the accept loop, libc)
 * exists once and is symbolised once; its symbolisation lives in it. */
struct sl_frame {
	uint64_t offset; /* the ip is not kept: offsets are what symbolisation needs */
	const char *module, *symbol, *build_id; /* with offset: the key */
	/* An interpreter's frame (docs/languages.md): lang ("python"), and its source file and
	 * line as the interpreter gave them; module is NULL. Part of the key too. */
	const char *lang, *file;
	/* Code in no module (a JIT's): the perf map of the process that ran it, when the log is
	 * from this boot (perfmap.c); offset is then the absolute address. Part of the key. */
	const char *perfmap;
	int line; /* the last of the key (SL_FRAME_KEY) */
	/* runtime.c's judgement, made once when the frame is symbolised (SL_FR_*): string
	 * compares against two dozen module names, per frame and per lookup, were a tenth of a
	 * million-site report */
	uint8_t cls;
	uint8_t symd; /* symbolised: symv is set (sl_frame_sym) */
	struct sl_sym symv;
};
static inline const struct sl_sym *sl_frame_sym(const struct sl_frame *fr)
{
	return fr->symd ? &fr->symv : NULL;
}
#define SL_FRAME_KEY (offsetof(struct sl_frame, line) + sizeof(int))
#define SL_FR_KNOWN SL_SITE_FR_KNOWN /* sitekey.h's classes, remembered */
#define SL_FR_SYSTEM SL_SITE_FR_SYSTEM
#define SL_FR_RUNTIME SL_SITE_FR_RUNTIME

struct sl_stack {
	uint64_t id;              /* in a->stacks, keyed by id */
	const char *boot;         /* boot id of the writer, NULL when unknown */
	struct sl_stack *same_id; /* stacks from other hosts with the same id */
	uint32_t n;               /* at most SL_MAX_FRAMES (256) */
	uint8_t symbolised;
	/* set with `classified` once symbolised (runtime.c): the index of the site frame and
	 * whether every frame is the runtime's, asked for each site key, compare and writer */
	uint8_t classified, runtime_only, site_idx;
	struct sl_frame *f[];
};

/* The lines every writer shows for a stack: a frame once per function it stands for (its
 * inlined functions first), or once with sf NULL when it has no symbolisation.
 *   for (struct sl_stack_walk w = { .s = s }; sl_stack_walk_next(&w);) ... w.fr, w.sf ... */
struct sl_stack_walk {
	const struct sl_stack *s; /* NULL: no lines */
	uint32_t i;               /* the next frame */
	int j, n;                 /* this line of the frame's n */
	const struct sl_frame *fr;
	const struct sl_sym *sym;
	const struct sl_symf *sf;
	int last; /* the frame's last line: where its module and its note go */
};
static inline int sl_stack_walk_next(struct sl_stack_walk *w)
{
	if (!w->fr || ++w->j >= w->n) {
		if (!w->s || w->i >= w->s->n)
			return 0;
		w->fr = w->s->f[w->i++];
		w->sym = sl_frame_sym(w->fr);
		w->n = w->sym && w->sym->n ? w->sym->n : 1;
		w->j = 0;
	}
	w->sf = w->sym && w->sym->n ? &w->sym->f[w->j] : NULL;
	w->last = w->j == w->n - 1;
	return 1;
}

/* ---- processes ---- */
struct sl_pkey {
	int unit;
	int pid;
};
struct sl_proc {
	UT_hash_handle hh; /* a->procs, keyed by (input unit, pid) while reading */
	struct sl_pkey key;
	int pid, ppid;
	const char *boot, *host, *exe, *argv0, *origin;
	int64_t start_ts, exit_ts, first_ts, last_ts;
	int has_start, has_exit;
	int64_t tracked, open, leaked, enforced, untracked; /* from the exit record */
	int64_t dropped; /* records the preload could not write (exit record) */
	size_t nleaks;   /* leak records (after suppressions) */
	size_t idx;
	struct sl_proc *next;
};

/* ---- programs that ran without the preload (exec_untracked records) ---- */
struct sl_untracked {
	int pid;  /* the process that ran it (a posix_spawn's child) */
	int ppid; /* its parent, or -1 */
	const char *path, *argv0, *reason;
	int64_t ts;
	struct sl_untracked *next; /* reading order */
};

/* ---- socket events ---- */
enum sl_evt {
	SL_EV_LEAK,
	SL_EV_LATE_CLOSE,
	SL_EV_ENFORCE,
	SL_EV_CLOSE_SHARED,
	SL_EV_FORK,
	SL_EV_EXEC,
	SL_EV_N
};
extern const char *const sl_evt_name[SL_EV_N];

/* Events and leak records are most of the model (one of each per leaked socket): a leak
 * record is an event with the leak's fields after it (struct sl_leak), the other events carry
 * their stack and text after it (struct sl_sev); fields never needed together share bytes. */
struct sl_ev {
	uint8_t type, kind;
	uint8_t has_stack, flag; /* flag: exec cloexec; enforce ok; late_close by_runtime */
	int fd;
	int npids;
	union {
		int other; /* fork: child pid */
		int nrem;  /* close_shared: remaining_fds */
	};
	uint64_t inode;
	int64_t ts;
	int *pids; /* shared_with */
	struct sl_proc *proc;
	struct sl_ev *next; /* reading order list; then per-socket list */
};

struct sl_sev { /* any event but SL_EV_LEAK */
	struct sl_ev e;
	union {
		uint64_t stack_id;      /* read */
		struct sl_stack *stack; /* resolved by the join (NULL: not recorded or unknown) */
	};
	union {
		const char *text; /* exec path, enforce result */
		int64_t ms;       /* late_close late_ms */
	};
	int *rem; /* close_shared remaining_fds */
};

struct sl_leak { /* SL_EV_LEAK */
	struct sl_ev ev;
	const char *local, *peer;     /* not interned (sl_strdup) */
	const char *tcp_state, *role; /* (family is checked, not kept: unused) */
	int64_t age_ms, open_age_ms, open_ts, eof_ts, cw_ts;
	union {
		uint64_t open_id;
		struct sl_stack *os;
	}; /* id read, stack after the join */
	union {
		uint64_t eof_id;
		struct sl_stack *es;
	};
	/* where the program first handled a socket its runtime opened (node: its first write) */
	union {
		uint64_t handler_id;
		struct sl_stack *hs;
	};
	uint8_t has_open, has_eof, has_handler, inherited, enforced, late_closed, suppressed;
	/* enum sl_kind_index for grouping: exit_open with an EOF counts as EOF */
	uint8_t family_kind;
};

/* The leak record an event is, or NULL */
static inline struct sl_leak *sl_ev_leak(const struct sl_ev *e)
{
	return e->type == SL_EV_LEAK ? (struct sl_leak *)e : NULL;
}
/* The stack an event (not a leak record) was recorded with, or NULL */
static inline struct sl_stack *sl_ev_stack(const struct sl_ev *e)
{
	return e->type != SL_EV_LEAK ? ((const struct sl_sev *)e)->stack : NULL;
}
static inline const struct sl_sev *sl_ev_sev(const struct sl_ev *e)
{
	return (const struct sl_sev *)e;
}

/* A socket as the logs tell it (the library's struct sl_sock is its state in one process):
 * (boot id, inode), those of its events. Most leaked sockets have one event and one holder,
 * kept in place of the array. */
struct sl_logged_sock {
	struct sl_logged_sock *next_all; /* all sockets, in the order they were first seen */
	union {
		struct sl_ev **evs; /* nev > 1: sorted by time */
		/* nev == 1; while joining, the head of the list of its events */
		struct sl_ev *ev1;
	};
	uint32_t nev;
	int nholders;
	struct sl_leak *primary; /* the leak record that decides the site */
	uint8_t shared, enforced, suppressed;
	uint32_t rank; /* of its site (sl_logged_sock_site), 0: none */
	union {
		const void **holders; /* nholders > 1: struct sl_proc *, the first SL_SITE_SET */
		const void *holder1;  /* nholders == 1 */
	};
	struct sl_logged_sock *next_in_site;
};
static inline struct sl_ev *sl_logged_sock_ev(const struct sl_logged_sock *s, size_t i)
{
	return s->nev == 1 ? s->ev1 : s->evs[i];
}
static inline const struct sl_proc *sl_logged_sock_holder(const struct sl_logged_sock *s, size_t i)
{
	return s->nholders == 1 ? s->holder1 : s->holders[i];
}
static inline uint64_t sl_logged_sock_inode(const struct sl_logged_sock *s)
{
	return s->nev ? sl_logged_sock_ev(s, 0)->inode : 0;
}
static inline const char *sl_logged_sock_boot(const struct sl_logged_sock *s)
{
	return s->nev ? sl_logged_sock_ev(s, 0)->proc->boot : NULL;
}

/* After the join: the socket (boot, inode), or NULL; boot is an interned pointer. The table
 * is made again on the first call (the report itself does not need it after the join). */
struct sl_logged_sock *sl_logged_sock_find(struct sl_analysis *a, const char *boot, uint64_t inode);
/* The site a socket was grouped into, or NULL */
struct sl_site *sl_logged_sock_site(const struct sl_analysis *a, const struct sl_logged_sock *s);

#define SL_SITE_SET 8
/* Small sets of distinct pointers (a site's peers and processes, a socket's holders): one slot
 * until a second value comes, then SL_SITE_SET; *n counts past the set by one ("and more"). */
int sl_set_add(struct sl_analysis *a, const void ***set, size_t *n, const void *v);
/* The same for strings that are not interned (peers): distinct by content */
int sl_set_add_str(struct sl_analysis *a, const void ***set, size_t *n, const char *v);

/* What makes a site: the key of preload/sitekey.h, the one the library's exit summary uses too
 * (group.c makes it from a leak's stacks). */

/* A site is most of a million-site report, and most sites of such a log have one socket: a
 * site keeps only what it cannot get from its sockets (issue 11: 248 bytes a site before).
 * Its key is computed again from its stacks (or its first socket) when compared, since
 * stacks know their site frame once symbolised; role, module and location come from the
 * first socket and the stacks; the counts exist from the second socket on (sl_site_stats). */
struct sl_site_more {
	struct sl_logged_sock *socks_tail;
	uint32_t kinds[SL_K_N], enforced, shared, late_closed;
	int64_t age_min, age_max, age_sum;
	const void **peers; /* const char *: the first SL_SITE_SET distinct peers */
	size_t npeers;      /* distinct peers seen (SL_SITE_SET + 1: more) */
	const void **procs; /* struct sl_proc *: the first SL_SITE_SET processes */
	size_t nprocs;
};

struct sl_site {
	struct sl_stack *open, *eof;  /* representative stacks */
	struct sl_logged_sock *socks; /* in reading order; the first one made the site */
	struct sl_site_more *more;    /* NULL while the site has one socket */
	struct sl_site *next_all;
	uint32_t nsock, rank;
	uint8_t kind; /* enum sl_kind_index */
};

/* What the writers show of a site: its counts, where it is, its first socket's role and
 * executable (for sites without an open stack). Pointers into st, or into ss itself. */
struct sl_site_stats {
	uint32_t kinds[SL_K_N], enforced, shared, late_closed;
	int64_t age_min, age_max, age_sum; /* age_max INT64_MIN: no ages recorded */
	const void *const *peers;
	size_t npeers;
	const void *const *procs;
	size_t nprocs;
	const char *role, *module; /* module: the executable of its first socket's process */
	const char *func, *file;   /* the program frame the site is located at */
	int line;
	const void *one_peer, *one_proc;
};
void sl_site_stats(const struct sl_site *st, struct sl_site_stats *ss);
/* The site's earliest primary leak record (its sockets are in reading order, not in time
 * order): when and between which ports a CI user finds the test by. NULL for none. */
const struct sl_leak *sl_site_first(const struct sl_site *st);
/* A socket its runtime opened (node accepts from libuv's loop: nothing of the program's on the
 * open stack) with a handler stack that has the program's code (the JavaScript that first wrote
 * to it): that stack, which names the site; else NULL. After symbolisation. */
struct sl_stack *sl_leak_handler(const struct sl_leak *l);
static inline struct sl_stack *sl_site_handler(const struct sl_site *st)
{
	return sl_leak_handler(st->socks->primary);
}

struct sl_supp {
	const char *pattern, *file;
	int line;
	size_t sockets;
};

struct sl_symcache;

struct sl_analysis {
	struct sl_analysis_opts o;
	struct sl_arena_blk *arena;
	void *reserve;    /* freed at the first out-of-memory, so that a report still comes */
	int oom;          /* out of memory: 1 while reading (reading stopped, the report covers
			    * what was read), 2 after (counted, not itemised) */
	size_t oom_lines; /* lines read when it happened */
	struct sl_tab strs;
	struct sl_proc *procs, *proc_list;
	size_t nprocs;
	struct sl_tab stacks, frames;
	size_t nstacks;
	struct sl_ev *ev_head, *ev_tail;
	size_t nev;
	struct sl_tab socks;
	struct sl_logged_sock *socks_head, *socks_tail;
	size_t nsocks;
	struct sl_tab site_hash;
	struct sl_site *sites_head, *sites_tail, **sites; /* sites: ranked */
	size_t nsites, nsites_all;
	size_t more_sites, more_socks; /* past --max-sites: counted, not itemised */
	size_t lost_socks;             /* no memory left to group them */
	struct sl_supp *supp;
	size_t nsupp;
	struct sl_symcache *symcache;
	struct sl_pmap *pmaps; /* perf maps read (perfmap.c) */
	const char *this_boot; /* this machine's boot id, once read */
	int this_boot_read;
	int units;
	size_t lines, records, bad, unknown_events, inputs;
	size_t leaked, suppressed_socks, leak_records, enforced_socks, shared_socks;
	size_t late_socks; /* of leaked: closed by the program after their leak record */
	int64_t t_min, t_max;
	struct sl_untracked *untracked_head, *untracked_tail;
	size_t nuntracked;
	int finished;
	size_t max_stories;
	/* --no-symbolise, and fuzzing: never open module paths the input names */
	int symbolise_off;
};

/* A writer runs on one thread: the stream's lock, which every stdio call takes, is not needed
 * while it writes (a tenth of a million-site text report). Returns the state to give back. */
static inline int sl_stream_own(FILE *f) { return __fsetlocking(f, FSETLOCKING_BYCALLER); }
static inline void sl_stream_give_back(FILE *f, int prev) { __fsetlocking(f, prev); }
static inline int sl_write_owning(const struct sl_analysis *a, FILE *out,
				  int (*write)(const struct sl_analysis *, FILE *))
{
	int lk = sl_stream_own(out), r = write(a, out);
	sl_stream_give_back(out, lk);
	return r;
}

/* reader (parse.c) */
int sl_read_stream(struct sl_analysis *a, FILE *f, const char *name);
void sl_bad_line(struct sl_analysis *a, const char *name, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* finish steps */
int sl_join(struct sl_analysis *a);                                 /* join.c */
int sl_group(struct sl_analysis *a);                                /* group.c */
void sl_symbolise_stack(struct sl_analysis *a, struct sl_stack *s); /* symbolise.c */
void sl_symcache_free(struct sl_analysis *a);
int sl_supp_load(struct sl_analysis *a, const char *path); /* suppress.c */
const char *sl_supp_match(struct sl_analysis *a, const struct sl_leak *l);

/* helpers for writers (model.c) */
const char *sl_path(const struct sl_analysis *a, const char *file); /* strip_prefix applied */
const char *sl_base(const char *path);
/* A timestamp (ns since the epoch) in UTC, to the millisecond: "2026-12-01 19:55:18.830 UTC",
 * or with iso "2026-12-01T19:55:18.830Z"; "?" when it is none or out of range. Returns buf. */
const char *sl_fmt_utc(int64_t ns, int iso, char *buf, size_t cap);
struct sl_stack *sl_stack_find(struct sl_analysis *a, const char *boot, uint64_t id);
struct sl_stack *sl_stack_head(struct sl_analysis *a, uint64_t id); /* first of the same_id chain */
int sl_stack_add(struct sl_analysis *a, struct sl_stack *s);        /* 0 or ENOMEM */
/* The interned copy of a frame (offset, module, symbol, build-id), or NULL (no memory). */
struct sl_frame *sl_frame_intern(struct sl_analysis *a, const struct sl_frame *f);
/* runtime.c: the first frame that is the program's own code (not libc, the loader, sockleak, an
 * interpreter or its libraries); with none, the first frame past libc and the loader. */
int sl_stack_site_frame(const struct sl_stack *s, const struct sl_frame **fr,
			const struct sl_symf **sf);
int sl_frame_system(const struct sl_frame *fr);  /* libc, the loader, sockleak, sanitizers */
int sl_frame_runtime(const struct sl_frame *fr); /* those, or an interpreter's */
int sl_stack_runtime_only(const struct sl_stack *s);
/* A frame in no module: its JIT name (perf map, or the preload's), else NULL */
const char *sl_frame_jit_name(const struct sl_frame *fr);
/* Once a stack's frames are symbolised: judge each frame and the stack once (cls, site_idx) */
void sl_stack_classify(struct sl_stack *s);
/* A frame as preload/sitekey.h reads it */
void sl_frame_site_view(const struct sl_frame *fr, struct sl_site_frame *v);
/* "module+0xoff", "python", or "no module, 0x7f..." for a frame, into buf (not escaped) */
const char *sl_frame_where(const struct sl_frame *fr, char *buf, size_t cap);
/* perfmap.c: the name of the code at addr in a perf map file, or NULL */
struct sl_pmap;
const char *sl_perfmap_lookup(struct sl_analysis *a, const char *path, uint64_t addr);
void sl_perfmap_free(struct sl_analysis *a);
/* The map at path belongs to a process started at start_ns (realtime, or SL_NONE) */
void sl_perfmap_note(struct sl_analysis *a, const char *path, int64_t start_ns);
const char *sl_this_boot(struct sl_analysis *a);
/* demangle.c: a C++ name for people (interned), or name itself */
const char *sl_demangle(struct sl_analysis *a, const char *name);
void sl_proc_name(const struct sl_proc *p, char *buf, size_t cap);
void sl_fmt_frame(const struct sl_analysis *a, const struct sl_frame *fr, const struct sl_symf *sf,
		  char *buf, size_t cap);

/* Stories (story.c): the life of one socket across processes, as time-ordered lines that every
 * writer renders its own way. */
struct sl_story_item {
	int64_t ts; /* SL_NONE when unknown */
	const struct sl_proc *proc;
	/* short tag: opened, eof, close_wait, fork, close_shared, ... */
	const char *what;
	char text[384];
	const struct sl_stack *stack; /* where in the code, or NULL */
};
typedef void (*sl_story_fn)(void *ctx, const struct sl_story_item *it);
void sl_story(const struct sl_analysis *a, const struct sl_logged_sock *s, sl_story_fn fn,
	      void *ctx);
/* Holder states at the end of the log, one line each ("fork_server[12] closed it (no FIN)") */
void sl_story_holders(const struct sl_analysis *a, const struct sl_logged_sock *s, sl_story_fn fn,
		      void *ctx);
int64_t sl_story_t0(const struct sl_logged_sock *s);
const char *sl_site_title(const struct sl_site *st, char *buf, size_t cap);
/* The site's key as text (stable across runs: SARIF fingerprints) */
void sl_site_keystr(const struct sl_site *st, char *buf, size_t cap);
/* The same key's hash (sitekey.h): stable across runs, what top and the exporter name a site by */
uint64_t sl_site_keyhash(const struct sl_site *st);
size_t sl_analysis_sites_total(const struct sl_analysis *a); /* itemised + past --max-sites */

/* JSON helpers shared by the json and sarif writers (write_json.c) */
struct sl_jsondoc;
void sl_jsondoc_peers(struct sl_jsondoc *w, const struct sl_site_stats *ss); /* "peers": [...] */
#endif
