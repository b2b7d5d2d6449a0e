/* JSON report: the same content as the text report, for machines. Built as a jansson tree:
 * the size is bounded by sites and shared sockets, never by input lines. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "jwrite.h"
#include "model.h"

/* jansson refuses strings that are not valid UTF-8 (json_string returns NULL): a string cut in
 * a fixed buffer, a suppression file in Latin-1 or a symbol from a hostile ELF would silently
 * drop its object (issue 11). Every string goes through here, invalid bytes become U+FFFD. */
json_t *sl_json_str(const char *s)
{
	size_t n, cap;
	char *buf;
	json_t *j;
	if (!s) return json_null();
	n = strlen(s);
	if (sl_utf8_valid(s, n)) return json_stringn(s, n);
	cap = n * 3 + 1; /* each invalid byte becomes 3 */
	if (!(buf = malloc(cap))) return NULL;
	n = sl_utf8_copy(buf, cap, s, n);
	j = json_stringn(buf, n);
	free(buf);
	return j;
}

/* Every jansson call that can fail (no memory, an invalid string) goes through these: the
 * first failure is remembered and the writer returns an error, so that a report is either whole
 * or an error with a nonzero exit, never silently short. Writers run on one thread at a time. */
static __thread int json_failed;

void sl_json_reset(void) { json_failed = 0; }
int sl_json_failed(void) { return json_failed; }

json_t *sl_jset(json_t *o, const char *key, json_t *v)
{
	if (!o) json_decref(v);
	/* json_object_set_new consumes v even when it fails */
	if (!o || !v || json_object_set_new(o, key, v)) json_failed = ENOMEM;
	return o;
}

json_t *sl_jappend(json_t *arr, json_t *v)
{
	if (!arr || !v || json_array_append_new(arr, v)) {
		if (!arr) json_decref(v);
		json_failed = ENOMEM;
	}
	return arr;
}

static json_t *jstr(const char *s) { return sl_json_str(s); }
static json_t *jint(int64_t v) { return v == SL_NONE ? json_null() : json_integer(v); }

/* A stack as an array of frames, or null */
static void jw_stack(struct sl_jw *w, const struct sl_an *a, const struct sl_stack *s)
{
	char hex[32];
	if (!s) {
		sl_jw_null(w);
		return;
	}
	sl_jw_open(w, '[');
	for (uint32_t i = 0; i < s->n; i++) {
		const struct sl_frame *fr = s->f[i];
		const struct sl_sym *sym = sl_frame_sym(fr);
		int n = sym && sym->n ? sym->n : 1;
		for (int j = 0; j < n; j++) {
			const struct sl_symf *sf = sym && sym->n ? &sym->f[j] : NULL;
			snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)fr->offset);
			sl_jw_open(w, '{');
			sl_jw_kstr(w, "module", fr->module);
			sl_jw_kstr(w, "offset", hex);
			sl_jw_kstr(w, "function", sf && sf->func ? sf->func : fr->symbol);
			sl_jw_kstr(w, "file", sf ? sl_path(a, sf->file) : NULL);
			sl_jw_key(w, "line");
			if (sf && sf->file) sl_jw_int(w, sf->line);
			else sl_jw_null(w);
			sl_jw_key(w, "inlined");
			sl_jw_bool(w, sf && sf->inlined);
			sl_jw_kstr(w, "symbol", fr->symbol);
			sl_jw_kstr(w, "note", sym ? sym->note : NULL);
			if (fr->lang) sl_jw_kstr(w, "lang", fr->lang);
			sl_jw_close(w, '}');
		}
	}
	sl_jw_close(w, ']');
}

/* Into memory, then one write: json_dumpf writes token by token, each an fwrite that takes
 * the stream's lock, which was a fifth of a million-site json report. -1 on failure. */
static int dump(json_t *j, FILE *out, size_t flags)
{
	char *s = j ? json_dumps(j, flags | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII) : NULL;
	if (!s) return -1;
	fputs(s, out);
	free(s);
	return 0;
}

static json_t *proc_json(const struct sl_proc *p)
{
	char pn[128];
	json_t *o = json_object();
	sl_proc_name(p, pn, sizeof pn);
	sl_jset(o, "pid", json_integer(p->pid));
	sl_jset(o, "name", sl_json_str(pn));
	return o;
}

struct story_ctx { const struct sl_an *a; json_t *arr; };

static void story_item(void *ctx, const struct sl_story_item *it)
{
	struct story_ctx *c = ctx;
	json_t *o = json_object();
	sl_jset(o, "ts_ns", jint(it->ts));
	sl_jset(o, "pid", it->proc ? json_integer(it->proc->pid) : json_null());
	sl_jset(o, "what", json_string(it->what));
	sl_jset(o, "text", sl_json_str(it->text));
	/* the program frame only: stories can be many, the full stacks are in the sites */
	const struct sl_frame *fr;
	const struct sl_symf *sf;
	if (it->stack && sl_stack_site_frame(it->stack, &fr, &sf) >= 0) {
		char hex[32];
		snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)fr->offset);
		sl_jset(o, "at", json_pack("{s:o,s:o,s:o,s:o,s:s}", "function",
						       jstr(sf && sf->func ? sf->func : fr->symbol),
						       "file", jstr(sf ? sl_path(c->a, sf->file) : NULL),
						       "line", sf && sf->file ? json_integer(sf->line) : json_null(),
						       "module", jstr(fr->module), "offset", hex));
	}
	sl_jappend(c->arr, o);
}

static json_t *story_json(const struct sl_an *a, const struct sl_site *site,
			  const struct sl_sock *s)
{
	const struct sl_leak *l = s->primary;
	json_t *o = json_object();
	struct story_ctx c = { a, json_array() };
	sl_jset(o, "inode", json_integer((json_int_t)sl_sock_inode(s)));
	sl_jset(o, "boot_id", jstr(sl_sock_boot(s)));
	sl_jset(o, "host", jstr(l->ev.proc->host));
	sl_jset(o, "local", jstr(l->local));
	sl_jset(o, "peer", jstr(l->peer));
	sl_jset(o, "site", json_integer((json_int_t)site->rank));
	sl_jset(o, "enforced", json_boolean(s->enforced));
	sl_story(a, s, story_item, &c);
	sl_jset(o, "events", c.arr);
	c.arr = json_array();
	sl_story_holders(a, s, story_item, &c);
	sl_jset(o, "holders", c.arr);
	return o;
}

void sl_jw_peers(struct sl_jw *w, const struct sl_site_stats *ss)
{
	sl_jw_key(w, "peers");
	sl_jw_open(w, '[');
	for (size_t i = 0; i < ss->npeers && i < SL_SITE_SET; i++) sl_jw_str(w, ss->peers[i]);
	sl_jw_close(w, ']');
}

/* A site, written directly (jwrite.h): a million of them as jansson trees took 25 s */
static void site_json(struct sl_jw *w, const struct sl_an *a, const struct sl_site *st)
{
	char title[512];
	struct sl_site_stats ss;
	sl_site_stats(st, &ss);
	sl_jw_open(w, '{');
	sl_jw_kint(w, "rank", st->rank);
	sl_jw_kstr(w, "kind", sl_kind_name[st->kind]);
	sl_jw_kstr(w, "title", sl_site_title(st, title, sizeof title));
	sl_jw_kint(w, "sockets", st->nsock);
	sl_jw_key(w, "kinds");
	sl_jw_open(w, '{');
	for (int i = 0; i < SL_K_N; i++)
		if (ss.kinds[i]) sl_jw_kint(w, sl_kind_name[i], ss.kinds[i]);
	sl_jw_close(w, '}');
	sl_jw_kint(w, "enforced", ss.enforced);
	sl_jw_kint(w, "shared", ss.shared);
	sl_jw_kint(w, "closed_late", ss.late_closed);
	/* what the text's "first:" line says: when, and the ports, to find the test by */
	const struct sl_leak *first = sl_site_first(st);
	sl_jw_key(w, "first");
	if (first) {
		char when[64], pn[128];
		sl_jw_open(w, '{');
		sl_jw_kint(w, "ts_ns", first->ev.ts == SL_NONE ? 0 : first->ev.ts);
		sl_jw_kstr(w, "time", sl_fmt_utc(first->ev.ts, 1, when, sizeof when));
		sl_jw_kstr(w, "local", first->local);
		sl_jw_kstr(w, "peer", first->peer);
		sl_jw_kint(w, "pid", first->ev.proc->pid);
		sl_proc_name(first->ev.proc, pn, sizeof pn);
		sl_jw_kstr(w, "process", pn);
		sl_jw_close(w, '}');
	} else {
		sl_jw_null(w);
	}
	sl_jw_peers(w, &ss);
	sl_jw_kint(w, "distinct_peers_at_least", (int64_t)ss.npeers);
	sl_jw_key(w, "processes");
	sl_jw_open(w, '[');
	for (size_t i = 0; i < ss.nprocs; i++) {
		const struct sl_proc *p = ss.procs[i];
		char pn[128];
		sl_proc_name(p, pn, sizeof pn);
		sl_jw_open(w, '{');
		sl_jw_kint(w, "pid", p->pid);
		sl_jw_kstr(w, "name", pn);
		sl_jw_close(w, '}');
	}
	sl_jw_close(w, ']');
	sl_jw_key(w, "age_ms");
	if (ss.age_max != INT64_MIN) {
		sl_jw_open(w, '{');
		sl_jw_kint(w, "min", ss.age_min);
		sl_jw_kint(w, "max", ss.age_max);
		sl_jw_kint(w, "mean", ss.age_sum / (int64_t)st->nsock);
		sl_jw_close(w, '}');
	} else {
		sl_jw_null(w);
	}
	sl_jw_key(w, "location");
	if (ss.file) {
		sl_jw_open(w, '{');
		sl_jw_kstr(w, "function", ss.func);
		sl_jw_kstr(w, "file", sl_path(a, ss.file));
		sl_jw_kint(w, "line", ss.line);
		sl_jw_close(w, '}');
	} else {
		sl_jw_null(w);
	}
	sl_jw_kstr(w, "role", ss.role);
	sl_jw_key(w, "open_stack");
	jw_stack(w, a, st->open);
	sl_jw_key(w, "eof_stack");
	jw_stack(w, a, st->eof);
	sl_jw_key(w, "handler_stack");
	jw_stack(w, a, sl_site_handler(st));
	sl_jw_key(w, "inodes");
	sl_jw_open(w, '[');
	size_t n = 0;
	for (const struct sl_sock *s = st->socks; s && n < 1000; s = s->next_in_site, n++)
		sl_jw_int(w, (int64_t)sl_sock_inode(s));
	sl_jw_close(w, ']');
	sl_jw_close(w, '}');
}

/* Streamed: the document is written piece by piece, so a report with 200,000 stories never
 * exists as one jansson tree. Sites are indented; stories and processes are one per line. */
static int put(FILE *out, const char *key, json_t *j, size_t flags, const char *after)
{
	fprintf(out, "  \"%s\": ", key);
	if (dump(j, out, flags)) json_failed = json_failed ? json_failed : ENOMEM;
	json_decref(j);
	fputs(after, out);
	return json_failed;
}

static void elem(FILE *out, json_t *j, int *first, size_t flags)
{
	fputs(*first ? "\n    " : ",\n    ", out);
	*first = 0;
	if (dump(j, out, flags)) json_failed = json_failed ? json_failed : ENOMEM;
	json_decref(j);
}

static int write_json(const struct sl_an *a, FILE *out)
{
	size_t uprocs;
	json_t *sum;
	int first, r;
	sl_json_reset();
	sum = json_object();
	fprintf(out, "{\n  \"tool\": \"sockleak\",\n  \"version\": \"%s\",\n", SL_VERSION);
	sl_jset(sum, "leaked_sockets", json_integer((json_int_t)a->leaked));
	/* of those, closed by the program after their record: fail only with --fail-on-late */
	sl_jset(sum, "closed_late_sockets", json_integer((json_int_t)a->late_socks));
	sl_jset(sum, "sites", json_integer((json_int_t)sl_an_sites_total(a)));
	sl_jset(sum, "sites_not_itemised", json_integer((json_int_t)a->more_sites));
	sl_jset(sum, "sockets_not_itemised", json_integer((json_int_t)(a->more_socks + a->lost_socks)));
	sl_jset(sum, "out_of_memory", json_boolean(a->oom));
	sl_jset(sum, "suppressed_sockets", json_integer((json_int_t)a->suppressed_socks));
	sl_jset(sum, "shared_sockets", json_integer((json_int_t)a->shared_socks));
	sl_jset(sum, "stories_shown", json_integer((json_int_t)(a->shared_socks < a->max_stories ? a->shared_socks : a->max_stories)));
	sl_jset(sum, "enforced_sockets", json_integer((json_int_t)a->enforced_socks));
	sl_jset(sum, "leak_records", json_integer((json_int_t)a->leak_records));
	sl_jset(sum, "processes", json_integer((json_int_t)a->nprocs));
	sl_jset(sum, "inputs", json_integer((json_int_t)a->inputs));
	sl_jset(sum, "lines", json_integer((json_int_t)a->lines));
	sl_jset(sum, "records", json_integer((json_int_t)a->records));
	sl_jset(sum, "bad_lines", json_integer((json_int_t)a->bad));
	sl_jset(sum, "unknown_events", json_integer((json_int_t)a->unknown_events));
	sl_jset(sum, "untracked_sockets", json_integer((json_int_t)sl_an_untracked(a, &uprocs)));
	sl_jset(sum, "unwritten_records", json_integer((json_int_t)sl_an_dropped(a, &uprocs)));
	sl_jset(sum, "ran_without_sockleak", json_integer((json_int_t)a->nuntracked));
	put(out, "summary", sum, JSON_COMPACT, ",\n");
	fputs("  \"sites\": [", out);
	first = 1;
	struct sl_jw w;
	sl_jw_init(&w, 0, 0);
	for (size_t i = 0; i < a->nsites && !json_failed; i++) {
		fputs(first ? "\n    " : ",\n    ", out);
		first = 0;
		site_json(&w, a, a->sites[i]);
		if ((r = sl_jw_flush(&w, out))) json_failed = r;
	}
	sl_jw_free(&w);
	fputs(first ? "],\n" : "\n  ],\n", out);
	fputs("  \"stories\": [", out);
	first = 1;
	size_t shown = 0;
	for (size_t i = 0; i < a->nsites && shown < a->max_stories; i++)
		for (const struct sl_sock *s = a->sites[i]->socks; s && shown < a->max_stories;
		     s = s->next_in_site)
			if (s->shared) {
				elem(out, story_json(a, a->sites[i], s), &first, JSON_COMPACT);
				shown++;
			}
	fputs(first ? "],\n" : "\n  ],\n", out);
	fputs("  \"suppressions\": [", out);
	first = 1;
	for (size_t i = 0; i < a->nsupp; i++)
		elem(out, json_pack("{s:o,s:o,s:i,s:I}", "pattern", jstr(a->supp[i].pattern), "file",
				    jstr(a->supp[i].file), "line", a->supp[i].line, "sockets",
				    (json_int_t)a->supp[i].sockets), &first, JSON_COMPACT);
	fputs(first ? "],\n" : "\n  ],\n", out);
	fputs("  \"ran_without_sockleak\": [", out);
	first = 1;
	for (const struct sl_untracked *u = a->untracked_head; u; u = u->next)
		elem(out, json_pack("{s:i,s:i,s:o,s:o,s:o}", "pid", u->pid, "ppid", u->ppid,
				    "path", jstr(u->path), "argv0", jstr(u->argv0), "reason",
				    jstr(u->reason)), &first, JSON_COMPACT);
	fputs(first ? "],\n" : "\n  ],\n", out);
	fputs("  \"processes\": [", out);
	first = 1;
	for (const struct sl_proc *p = a->proc_list; p; p = p->next) {
		if (!p->nleaks) continue; /* the processes that matter; the rest is in the logs */
		json_t *o = proc_json(p);
		sl_jset(o, "ppid", p->ppid >= 0 ? json_integer(p->ppid) : json_null());
		sl_jset(o, "exe", jstr(p->exe));
		sl_jset(o, "argv0", jstr(p->argv0));
		sl_jset(o, "host", jstr(p->host));
		sl_jset(o, "boot_id", jstr(p->boot));
		sl_jset(o, "origin", jstr(p->origin));
		sl_jset(o, "start_ns", jint(p->start_ts));
		sl_jset(o, "exit_ns", jint(p->exit_ts));
		sl_jset(o, "leaks", json_integer((json_int_t)p->nleaks));
		elem(out, o, &first, JSON_COMPACT);
	}
	fputs(first ? "]\n}\n" : "\n  ]\n}\n", out);
	if (json_failed) return json_failed;
	return ferror(out) ? EIO : 0;
}

int sl_an_write_json(const struct sl_an *a, FILE *out)
{
	return sl_write_owning(a, out, write_json);
}
