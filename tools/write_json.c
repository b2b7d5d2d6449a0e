/* JSON report: the same content as the text report, for machines. Built as a jansson tree:
 * the size is bounded by sites and shared sockets, never by input lines. */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "model.h"

static json_t *jstr(const char *s) { return s ? json_string(s) : json_null(); }
static json_t *jint(int64_t v) { return v == SL_NONE ? json_null() : json_integer(v); }

json_t *sl_json_stack(const struct sl_an *a, const struct sl_stack *s)
{
	json_t *arr;
	char hex[32];
	if (!s) return json_null();
	arr = json_array();
	for (uint32_t i = 0; i < s->n; i++) {
		const struct sl_frame *fr = &s->f[i];
		const struct sl_sym *sym = fr->sym;
		int n = sym && sym->n ? sym->n : 1;
		for (int j = 0; j < n; j++) {
			const struct sl_symf *sf = sym && sym->n ? &sym->f[j] : NULL;
			json_t *o = json_object();
			snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)fr->offset);
			json_object_set_new(o, "module", jstr(fr->module));
			json_object_set_new(o, "offset", json_string(hex));
			json_object_set_new(o, "function", jstr(sf && sf->func ? sf->func : fr->symbol));
			json_object_set_new(o, "file", jstr(sf ? sl_path(a, sf->file) : NULL));
			json_object_set_new(o, "line", sf && sf->file ? json_integer(sf->line) : json_null());
			json_object_set_new(o, "inlined", json_boolean(sf && sf->inlined));
			json_object_set_new(o, "symbol", jstr(fr->symbol));
			json_object_set_new(o, "note", jstr(sym ? sym->note : NULL));
			json_array_append_new(arr, o);
		}
	}
	return arr;
}

int sl_json_dump(json_t *j, FILE *out)
{
	int r = json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(j);
	fputc('\n', out);
	return r || ferror(out) ? EIO : 0;
}

static json_t *proc_json(const struct sl_proc *p)
{
	char pn[128];
	json_t *o = json_object();
	sl_proc_name(p, pn, sizeof pn);
	json_object_set_new(o, "pid", json_integer(p->pid));
	json_object_set_new(o, "name", json_string(pn));
	return o;
}

struct story_ctx { const struct sl_an *a; json_t *arr; };

static void story_item(void *ctx, const struct sl_story_item *it)
{
	struct story_ctx *c = ctx;
	json_t *o = json_object();
	json_object_set_new(o, "ts_ns", jint(it->ts));
	json_object_set_new(o, "pid", it->proc ? json_integer(it->proc->pid) : json_null());
	json_object_set_new(o, "what", json_string(it->what));
	json_object_set_new(o, "text", json_string(it->text));
	/* the program frame only: stories can be many, the full stacks are in the sites */
	const struct sl_frame *fr;
	const struct sl_symf *sf;
	if (it->stack && sl_stack_site_frame(it->stack, &fr, &sf) >= 0) {
		char hex[32];
		snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)fr->offset);
		json_object_set_new(o, "at", json_pack("{s:o,s:o,s:o,s:o,s:s}", "function",
						       jstr(sf && sf->func ? sf->func : fr->symbol),
						       "file", jstr(sf ? sl_path(c->a, sf->file) : NULL),
						       "line", sf && sf->file ? json_integer(sf->line) : json_null(),
						       "module", jstr(fr->module), "offset", hex));
	}
	json_array_append_new(c->arr, o);
}

static json_t *story_json(const struct sl_an *a, const struct sl_sock *s)
{
	const struct sl_leak *l = s->primary;
	json_t *o = json_object();
	struct story_ctx c = { a, json_array() };
	json_object_set_new(o, "inode", json_integer((json_int_t)s->key.inode));
	json_object_set_new(o, "boot_id", jstr(s->key.boot));
	json_object_set_new(o, "host", jstr(l->ev->proc->host));
	json_object_set_new(o, "local", jstr(l->local));
	json_object_set_new(o, "peer", jstr(l->peer));
	json_object_set_new(o, "site", l->site ? json_integer((json_int_t)l->site->rank) : json_null());
	json_object_set_new(o, "enforced", json_boolean(s->enforced));
	sl_story(a, s, story_item, &c);
	json_object_set_new(o, "events", c.arr);
	c.arr = json_array();
	sl_story_holders(a, s, story_item, &c);
	json_object_set_new(o, "holders", c.arr);
	return o;
}

static json_t *site_json(const struct sl_an *a, const struct sl_site *st)
{
	char title[512];
	json_t *o = json_object(), *k = json_object(), *peers = json_array(), *procs = json_array();
	json_t *inodes = json_array();
	json_object_set_new(o, "rank", json_integer((json_int_t)st->rank));
	json_object_set_new(o, "kind", json_string(sl_kind_name[st->kind]));
	json_object_set_new(o, "title", json_string(sl_site_title(st, title, sizeof title)));
	json_object_set_new(o, "sockets", json_integer((json_int_t)st->nsock));
	for (int i = 0; i < SL_K_N; i++)
		if (st->kinds[i]) json_object_set_new(k, sl_kind_name[i], json_integer((json_int_t)st->kinds[i]));
	json_object_set_new(o, "kinds", k);
	json_object_set_new(o, "enforced", json_integer((json_int_t)st->enforced));
	json_object_set_new(o, "shared", json_integer((json_int_t)st->shared));
	json_object_set_new(o, "closed_late", json_integer((json_int_t)st->late_closed));
	for (size_t i = 0; i < st->npeers && i < SL_SITE_SET; i++)
		json_array_append_new(peers, json_string(st->peers[i]));
	json_object_set_new(o, "peers", peers);
	json_object_set_new(o, "distinct_peers_at_least", json_integer((json_int_t)st->npeers));
	for (size_t i = 0; i < st->nprocs; i++) json_array_append_new(procs, proc_json(st->procs[i]));
	json_object_set_new(o, "processes", procs);
	if (st->age_max != INT64_MIN)
		json_object_set_new(o, "age_ms", json_pack("{s:I,s:I,s:I}", "min", (json_int_t)st->age_min,
							  "max", (json_int_t)st->age_max, "mean",
							  (json_int_t)(st->age_sum / (int64_t)st->nsock)));
	else
		json_object_set_new(o, "age_ms", json_null());
	json_object_set_new(o, "location",
			    st->file ? json_pack("{s:s?,s:s,s:i}", "function", st->func, "file",
						 sl_path(a, st->file), "line", st->line)
				     : json_null());
	json_object_set_new(o, "role", jstr(st->role));
	json_object_set_new(o, "open_stack", sl_json_stack(a, st->open));
	json_object_set_new(o, "eof_stack", sl_json_stack(a, st->eof));
	size_t n = 0;
	for (const struct sl_sock *s = st->socks; s && n < 1000; s = s->next_in_site, n++)
		json_array_append_new(inodes, json_integer((json_int_t)s->key.inode));
	json_object_set_new(o, "inodes", inodes);
	return o;
}

/* Streamed: the document is written piece by piece, so a report with 200,000 stories never
 * exists as one jansson tree. Sites are indented; stories and processes are one per line. */
static int put(FILE *out, const char *key, json_t *j, size_t flags, const char *after)
{
	fprintf(out, "  \"%s\": ", key);
	int r = json_dumpf(j, out, flags | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(j);
	fputs(after, out);
	return r;
}

static void elem(FILE *out, json_t *j, int *first, size_t flags)
{
	fputs(*first ? "\n    " : ",\n    ", out);
	*first = 0;
	json_dumpf(j, out, flags | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(j);
}

int sl_an_write_json(const struct sl_an *a, FILE *out)
{
	size_t uprocs;
	json_t *sum = json_object();
	int first;
	fprintf(out, "{\n  \"tool\": \"sockleak\",\n  \"version\": \"%s\",\n", SL_VERSION);
	json_object_set_new(sum, "leaked_sockets", json_integer((json_int_t)a->leaked));
	json_object_set_new(sum, "sites", json_integer((json_int_t)a->nsites));
	json_object_set_new(sum, "suppressed_sockets", json_integer((json_int_t)a->suppressed_socks));
	json_object_set_new(sum, "shared_sockets", json_integer((json_int_t)a->shared_socks));
	json_object_set_new(sum, "stories_shown", json_integer((json_int_t)(a->shared_socks < a->max_stories ? a->shared_socks : a->max_stories)));
	json_object_set_new(sum, "enforced_sockets", json_integer((json_int_t)a->enforced_socks));
	json_object_set_new(sum, "leak_records", json_integer((json_int_t)a->leak_records));
	json_object_set_new(sum, "processes", json_integer((json_int_t)a->nprocs));
	json_object_set_new(sum, "inputs", json_integer((json_int_t)a->inputs));
	json_object_set_new(sum, "lines", json_integer((json_int_t)a->lines));
	json_object_set_new(sum, "records", json_integer((json_int_t)a->records));
	json_object_set_new(sum, "bad_lines", json_integer((json_int_t)a->bad));
	json_object_set_new(sum, "unknown_events", json_integer((json_int_t)a->unknown_events));
	json_object_set_new(sum, "untracked_sockets", json_integer((json_int_t)sl_an_untracked(a, &uprocs)));
	json_object_set_new(sum, "unwritten_records", json_integer((json_int_t)sl_an_dropped(a, &uprocs)));
	put(out, "summary", sum, JSON_COMPACT, ",\n");
	fputs("  \"sites\": [", out);
	first = 1;
	for (size_t i = 0; i < a->nsites; i++) elem(out, site_json(a, a->sites[i]), &first, JSON_COMPACT);
	fputs(first ? "],\n" : "\n  ],\n", out);
	fputs("  \"stories\": [", out);
	first = 1;
	size_t shown = 0;
	for (size_t i = 0; i < a->nsites && shown < a->max_stories; i++)
		for (const struct sl_sock *s = a->sites[i]->socks; s && shown < a->max_stories;
		     s = s->next_in_site)
			if (s->shared) {
				elem(out, story_json(a, s), &first, JSON_COMPACT);
				shown++;
			}
	fputs(first ? "],\n" : "\n  ],\n", out);
	fputs("  \"suppressions\": [", out);
	first = 1;
	for (size_t i = 0; i < a->nsupp; i++)
		elem(out, json_pack("{s:s,s:s,s:i,s:I}", "pattern", a->supp[i].pattern, "file",
				    a->supp[i].file, "line", a->supp[i].line, "sockets",
				    (json_int_t)a->supp[i].sockets), &first, JSON_COMPACT);
	fputs(first ? "],\n" : "\n  ],\n", out);
	fputs("  \"processes\": [", out);
	first = 1;
	for (const struct sl_proc *p = a->proc_list; p; p = p->next) {
		if (!p->nleaks) continue; /* the processes that matter; the rest is in the logs */
		json_t *o = proc_json(p);
		json_object_set_new(o, "ppid", p->ppid >= 0 ? json_integer(p->ppid) : json_null());
		json_object_set_new(o, "exe", jstr(p->exe));
		json_object_set_new(o, "argv0", jstr(p->argv0));
		json_object_set_new(o, "host", jstr(p->host));
		json_object_set_new(o, "boot_id", jstr(p->boot));
		json_object_set_new(o, "origin", jstr(p->origin));
		json_object_set_new(o, "start_ns", jint(p->start_ts));
		json_object_set_new(o, "exit_ns", jint(p->exit_ts));
		json_object_set_new(o, "leaks", json_integer((json_int_t)p->nleaks));
		elem(out, o, &first, JSON_COMPACT);
	}
	fputs(first ? "]\n}\n" : "\n  ]\n}\n", out);
	return ferror(out) ? EIO : 0;
}
