/* JSON report: the same content as the text report, for machines. Written with jwrite.h piece
 * by piece: the size in memory is one site, story or process at a time, never the report. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "jwrite.h"
#include "model.h"

/* "k": v, or null for a time the log did not give */
static void jw_kint_or_null(struct sl_jsondoc *w, const char *k, int64_t v)
{
	sl_jsondoc_key(w, k);
	if (v == SL_NONE)
		sl_jsondoc_null(w);
	else
		sl_jsondoc_int(w, v);
}

/* A stack as an array of frames, or null */
/* "function", "file", "line" of a frame, into an object open in w: the same words in a stack's
 * frames and a story event's "at" */
static void jw_place(struct sl_jsondoc *w, const struct sl_analysis *a, const struct sl_frame *fr,
		     const struct sl_symf *sf)
{
	sl_jsondoc_kstr(w, "function", sf && sf->func ? sf->func : fr->symbol);
	sl_jsondoc_kstr(w, "file", sf ? sl_path(a, sf->file) : NULL);
	sl_jsondoc_key(w, "line");
	if (sf && sf->file)
		sl_jsondoc_int(w, sf->line);
	else
		sl_jsondoc_null(w);
}

static void jw_stack(struct sl_jsondoc *w, const struct sl_analysis *a, const struct sl_stack *s,
		     struct sl_jsoncache *fc)
{
	char hex[32];
	if (!s) {
		sl_jsondoc_null(w);
		return;
	}
	sl_jsondoc_open(w, '[');
	for (struct sl_stack_walk k = {.s = s}; sl_stack_walk_next(&k);) {
		const struct sl_frame *fr = k.fr;
		const struct sl_symf *sf = k.sf;
		size_t at;
		if (sl_jsoncache_put(w, fc, fr, sf)) /* the frames stacks share, formatted once */
			continue;
		sl_hex(hex, fr->offset);
		sl_jsondoc_open(w, '{');
		at = w->n - 1;
		sl_jsondoc_kstr(w, "module", fr->module);
		sl_jsondoc_kstr(w, "offset", hex);
		jw_place(w, a, fr, sf);
		sl_jsondoc_key(w, "inlined");
		sl_jsondoc_bool(w, sf && sf->inlined);
		sl_jsondoc_kstr(w, "symbol", fr->symbol);
		sl_jsondoc_kstr(w, "note", k.sym ? k.sym->note : NULL);
		if (fr->lang)
			sl_jsondoc_kstr(w, "lang", fr->lang);
		sl_jsondoc_close(w, '}');
		sl_jsoncache_keep(fc, w, at, fr, sf);
	}
	sl_jsondoc_close(w, ']');
}

/* "pid": and "name": of a process, into an object open in w */
static void jw_proc_keys(struct sl_jsondoc *w, const struct sl_proc *p)
{
	char pn[128];
	sl_proc_name(p, pn, sizeof pn);
	sl_jsondoc_kint(w, "pid", p->pid);
	sl_jsondoc_kstr(w, "name", pn);
}

struct story_ctx {
	struct sl_jsondoc *w;
	const struct sl_analysis *a;
};

static void story_item(void *ctx, const struct sl_story_item *it)
{
	struct sl_jsondoc *w = ((struct story_ctx *)ctx)->w;
	const struct sl_analysis *a = ((struct story_ctx *)ctx)->a;
	const struct sl_frame *fr;
	const struct sl_symf *sf;
	sl_jsondoc_open(w, '{');
	jw_kint_or_null(w, "ts_ns", it->ts);
	sl_jsondoc_key(w, "pid");
	if (it->proc)
		sl_jsondoc_int(w, it->proc->pid);
	else
		sl_jsondoc_null(w);
	sl_jsondoc_kstr(w, "what", it->what);
	sl_jsondoc_kstr(w, "text", it->text);
	/* the program frame only: stories can be many, the full stacks are in the sites */
	if (it->stack && sl_stack_site_frame(it->stack, &fr, &sf) >= 0) {
		char hex[32];
		sl_hex(hex, fr->offset);
		sl_jsondoc_key(w, "at");
		sl_jsondoc_open(w, '{');
		jw_place(w, a, fr, sf);
		sl_jsondoc_kstr(w, "module", fr->module);
		sl_jsondoc_kstr(w, "offset", hex);
		sl_jsondoc_close(w, '}');
	}
	sl_jsondoc_close(w, '}');
}

static void story_json(struct sl_jsondoc *w, const struct sl_analysis *a,
		       const struct sl_site *site, const struct sl_logged_sock *s)
{
	const struct sl_leak *l = s->primary;
	struct story_ctx ctx = {w, a};
	sl_jsondoc_open(w, '{');
	sl_jsondoc_kint(w, "inode", (int64_t)sl_logged_sock_inode(s));
	sl_jsondoc_kstr(w, "boot_id", sl_logged_sock_boot(s));
	sl_jsondoc_kstr(w, "host", l->ev.proc->host);
	sl_jsondoc_kstr(w, "local", l->local);
	sl_jsondoc_kstr(w, "peer", l->peer);
	sl_jsondoc_kint(w, "site", (int64_t)site->rank);
	sl_jsondoc_key(w, "enforced");
	sl_jsondoc_bool(w, s->enforced);
	sl_jsondoc_key(w, "events");
	sl_jsondoc_open(w, '[');
	sl_story(a, s, story_item, &ctx);
	sl_jsondoc_close(w, ']');
	sl_jsondoc_key(w, "holders");
	sl_jsondoc_open(w, '[');
	sl_story_holders(a, s, story_item, &ctx);
	sl_jsondoc_close(w, ']');
	sl_jsondoc_close(w, '}');
}

void sl_jsondoc_peers(struct sl_jsondoc *w, const struct sl_site_stats *ss)
{
	sl_jsondoc_key(w, "peers");
	sl_jsondoc_open(w, '[');
	for (size_t i = 0; i < ss->npeers && i < SL_SITE_SET; i++)
		sl_jsondoc_str(w, ss->peers[i]);
	sl_jsondoc_close(w, ']');
}

/* A site, written directly (jwrite.h): a million of them as jansson trees took 25 s */
static void site_json(struct sl_jsondoc *w, const struct sl_analysis *a, const struct sl_site *st,
		      struct sl_jsoncache *fc)
{
	char title[512];
	struct sl_site_stats ss;
	sl_site_stats(st, &ss);
	sl_jsondoc_open(w, '{');
	sl_jsondoc_kint(w, "rank", st->rank);
	/* the shared site key's hash: top's "key" and the exporter's site_key label */
	char key[17];
	snprintf(key, sizeof key, "%016llx", (unsigned long long)sl_site_keyhash(st));
	sl_jsondoc_kstr(w, "key", key);
	sl_jsondoc_kstr(w, "kind", sl_kind_names[st->kind]);
	sl_jsondoc_kstr(w, "title", sl_site_title(st, title, sizeof title));
	sl_jsondoc_kint(w, "sockets", st->nsock);
	sl_jsondoc_key(w, "kinds");
	sl_jsondoc_open(w, '{');
	for (int i = 0; i < SL_K_N; i++)
		if (ss.kinds[i])
			sl_jsondoc_kint(w, sl_kind_names[i], ss.kinds[i]);
	sl_jsondoc_close(w, '}');
	sl_jsondoc_kint(w, "enforced", ss.enforced);
	sl_jsondoc_kint(w, "shared", ss.shared);
	sl_jsondoc_kint(w, "closed_late", ss.late_closed);
	/* what the text's "first:" line says: when, and the ports, to find the test by */
	const struct sl_leak *first = sl_site_first(st);
	sl_jsondoc_key(w, "first");
	if (first) {
		char when[64], pn[128];
		sl_jsondoc_open(w, '{');
		sl_jsondoc_kint(w, "ts_ns", first->ev.ts == SL_NONE ? 0 : first->ev.ts);
		sl_jsondoc_kstr(w, "time", sl_fmt_utc(first->ev.ts, 1, when, sizeof when));
		sl_jsondoc_kstr(w, "local", first->local);
		sl_jsondoc_kstr(w, "peer", first->peer);
		sl_jsondoc_kint(w, "pid", first->ev.proc->pid);
		sl_proc_name(first->ev.proc, pn, sizeof pn);
		sl_jsondoc_kstr(w, "process", pn);
		sl_jsondoc_close(w, '}');
	} else {
		sl_jsondoc_null(w);
	}
	sl_jsondoc_peers(w, &ss);
	sl_jsondoc_kint(w, "distinct_peers_at_least", (int64_t)ss.npeers);
	sl_jsondoc_key(w, "processes");
	sl_jsondoc_open(w, '[');
	for (size_t i = 0; i < ss.nprocs; i++) {
		sl_jsondoc_open(w, '{');
		jw_proc_keys(w, ss.procs[i]);
		sl_jsondoc_close(w, '}');
	}
	sl_jsondoc_close(w, ']');
	sl_jsondoc_key(w, "age_ms");
	if (ss.age_max != INT64_MIN) {
		sl_jsondoc_open(w, '{');
		sl_jsondoc_kint(w, "min", ss.age_min);
		sl_jsondoc_kint(w, "max", ss.age_max);
		sl_jsondoc_kint(w, "mean", ss.age_sum / (int64_t)st->nsock);
		sl_jsondoc_close(w, '}');
	} else {
		sl_jsondoc_null(w);
	}
	sl_jsondoc_key(w, "location");
	if (ss.file) {
		sl_jsondoc_open(w, '{');
		sl_jsondoc_kstr(w, "function", ss.func);
		sl_jsondoc_kstr(w, "file", sl_path(a, ss.file));
		sl_jsondoc_kint(w, "line", ss.line);
		sl_jsondoc_close(w, '}');
	} else {
		sl_jsondoc_null(w);
	}
	sl_jsondoc_kstr(w, "role", ss.role);
	sl_jsondoc_key(w, "open_stack");
	jw_stack(w, a, st->open, fc);
	sl_jsondoc_key(w, "eof_stack");
	jw_stack(w, a, st->eof, fc);
	sl_jsondoc_key(w, "handler_stack");
	jw_stack(w, a, sl_site_handler(st), fc);
	sl_jsondoc_key(w, "inodes");
	sl_jsondoc_open(w, '[');
	size_t n = 0;
	for (const struct sl_logged_sock *s = st->socks; s && n < 1000; s = s->next_in_site, n++)
		sl_jsondoc_int(w, (int64_t)sl_logged_sock_inode(s));
	sl_jsondoc_close(w, ']');
	sl_jsondoc_close(w, '}');
}

/* Streamed: the document is written piece by piece, each piece a jwrite buffer that is then
 * written out, so a report with 200,000 stories is never in memory at once. Sites, stories and
 * processes are one per line. */
static void elem(FILE *out, int *first)
{
	fputs(*first ? "\n    " : ",\n    ", out);
	*first = 0;
}

static void summary_json(struct sl_jsondoc *w, const struct sl_analysis *a)
{
	size_t uprocs;
	sl_jsondoc_open(w, '{');
	sl_jsondoc_kint(w, "leaked_sockets", (int64_t)a->leaked);
	/* of those, closed by the program after their record: fail only with --fail-on-late */
	sl_jsondoc_kint(w, "closed_late_sockets", (int64_t)a->late_socks);
	sl_jsondoc_kint(w, "sites", (int64_t)sl_analysis_sites_total(a));
	sl_jsondoc_kint(w, "sites_not_itemised", (int64_t)a->more_sites);
	sl_jsondoc_kint(w, "sockets_not_itemised", (int64_t)(a->more_socks + a->lost_socks));
	sl_jsondoc_key(w, "out_of_memory");
	sl_jsondoc_bool(w, a->oom);
	sl_jsondoc_kint(w, "suppressed_sockets", (int64_t)a->suppressed_socks);
	sl_jsondoc_kint(w, "shared_sockets", (int64_t)a->shared_socks);
	sl_jsondoc_kint(
		w, "stories_shown",
		(int64_t)(a->shared_socks < a->max_stories ? a->shared_socks : a->max_stories));
	sl_jsondoc_kint(w, "enforced_sockets", (int64_t)a->enforced_socks);
	sl_jsondoc_kint(w, "leak_records", (int64_t)a->leak_records);
	sl_jsondoc_kint(w, "processes", (int64_t)a->nprocs);
	sl_jsondoc_kint(w, "inputs", (int64_t)a->inputs);
	sl_jsondoc_kint(w, "lines", (int64_t)a->lines);
	sl_jsondoc_kint(w, "records", (int64_t)a->records);
	sl_jsondoc_kint(w, "bad_lines", (int64_t)a->bad);
	sl_jsondoc_kint(w, "unknown_events", (int64_t)a->unknown_events);
	sl_jsondoc_kint(w, "untracked_sockets", (int64_t)sl_analysis_untracked(a, &uprocs));
	sl_jsondoc_kint(w, "unwritten_records", (int64_t)sl_analysis_dropped(a, &uprocs));
	sl_jsondoc_kint(w, "ran_without_sockleak", (int64_t)a->nuntracked);
	sl_jsondoc_close(w, '}');
}

static void process_json(struct sl_jsondoc *w, const struct sl_proc *p)
{
	sl_jsondoc_open(w, '{');
	jw_proc_keys(w, p);
	sl_jsondoc_key(w, "ppid");
	if (p->ppid >= 0)
		sl_jsondoc_int(w, p->ppid);
	else
		sl_jsondoc_null(w);
	sl_jsondoc_kstr(w, "exe", p->exe);
	sl_jsondoc_kstr(w, "argv0", p->argv0);
	sl_jsondoc_kstr(w, "host", p->host);
	sl_jsondoc_kstr(w, "boot_id", p->boot);
	sl_jsondoc_kstr(w, "origin", p->origin);
	jw_kint_or_null(w, "start_ns", p->start_ts);
	jw_kint_or_null(w, "exit_ns", p->exit_ts);
	sl_jsondoc_kint(w, "leaks", (int64_t)p->nleaks);
	sl_jsondoc_close(w, '}');
}

static int write_json(const struct sl_analysis *a, FILE *out)
{
	struct sl_jsondoc w;
	struct sl_jsoncache *fc =
		sl_jsoncache_new(); /* compact: a frame is the same bytes anywhere */
	size_t shown = 0;
	int first, r;

	sl_jsondoc_init(&w, 0, 0);
	fprintf(out, "{\n  \"tool\": \"sockleak\",\n  \"version\": \"%s\",\n  \"summary\": ",
		SL_VERSION);
	summary_json(&w, a);
	r = sl_jsondoc_flush(&w, out);
	fputs(",\n  \"sites\": [", out);
	first = 1;
	for (size_t i = 0; i < a->nsites && !r; i++) {
		elem(out, &first);
		site_json(&w, a, a->sites[i], fc);
		r = sl_jsondoc_flush(&w, out);
	}
	fputs(first ? "],\n" : "\n  ],\n", out);
	fputs("  \"stories\": [", out);
	first = 1;
	for (size_t i = 0; i < a->nsites && shown < a->max_stories && !r; i++)
		for (const struct sl_logged_sock *s = a->sites[i]->socks;
		     s && shown < a->max_stories && !r; s = s->next_in_site)
			if (s->shared) {
				elem(out, &first);
				story_json(&w, a, a->sites[i], s);
				r = sl_jsondoc_flush(&w, out);
				shown++;
			}
	fputs(first ? "],\n" : "\n  ],\n", out);
	fputs("  \"suppressions\": [", out);
	first = 1;
	for (size_t i = 0; i < a->nsupp && !r; i++) {
		elem(out, &first);
		sl_jsondoc_open(&w, '{');
		sl_jsondoc_kstr(&w, "pattern", a->supp[i].pattern);
		sl_jsondoc_kstr(&w, "file", a->supp[i].file);
		sl_jsondoc_kint(&w, "line", a->supp[i].line);
		sl_jsondoc_kint(&w, "sockets", (int64_t)a->supp[i].sockets);
		sl_jsondoc_close(&w, '}');
		r = sl_jsondoc_flush(&w, out);
	}
	fputs(first ? "],\n" : "\n  ],\n", out);
	fputs("  \"ran_without_sockleak\": [", out);
	first = 1;
	for (const struct sl_untracked *u = a->untracked_head; u && !r; u = u->next) {
		elem(out, &first);
		sl_jsondoc_open(&w, '{');
		sl_jsondoc_kint(&w, "pid", u->pid);
		sl_jsondoc_kint(&w, "ppid", u->ppid);
		sl_jsondoc_kstr(&w, "path", u->path);
		sl_jsondoc_kstr(&w, "argv0", u->argv0);
		sl_jsondoc_kstr(&w, "reason", u->reason);
		sl_jsondoc_close(&w, '}');
		r = sl_jsondoc_flush(&w, out);
	}
	fputs(first ? "],\n" : "\n  ],\n", out);
	fputs("  \"processes\": [", out);
	first = 1;
	for (const struct sl_proc *p = a->proc_list; p && !r; p = p->next) {
		if (!p->nleaks)
			continue; /* the processes that matter; the rest is in the logs */
		elem(out, &first);
		process_json(&w, p);
		r = sl_jsondoc_flush(&w, out);
	}
	fputs(first ? "]\n}\n" : "\n  ]\n}\n", out);
	sl_jsondoc_free(&w);
	sl_jsoncache_free(fc);
	if (r)
		return r;
	return ferror(out) ? EIO : 0;
}

int sl_analysis_write_json(const struct sl_analysis *a, FILE *out)
{
	return sl_write_owning(a, out, write_json);
}
