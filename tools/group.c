/* Grouping leaked sockets into sites: the code to fix.
 *
 * A socket's site is decided by its primary leak record (join.c): the leak kind family, the
 * program frame of its open stack (the socket()/accept()/connect() call, after skipping libc
 * and loader frames), and for eof_unclosed also the program frame of the EOF read, because the
 * missing close() is on that path. A socket without an open stack (inherited across fork or
 * exec) is grouped by its process's executable and role. Sites rank by sockets, then name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static void frame_key(const struct sl_stack *s, char *buf, size_t cap)
{
	const struct sl_frame *fr;
	const struct sl_symf *sf;
	if (sl_stack_site_frame(s, &fr, &sf) < 0) {
		snprintf(buf, cap, "-");
		return;
	}
	if (sf && sf->file)
		snprintf(buf, cap, "%s@%s:%d", sf->func ? sf->func : "?", sf->file, sf->line);
	else
		snprintf(buf, cap, "%s+0x%llx", fr->module ? fr->module : "?",
			 (unsigned long long)fr->offset);
}

static struct sl_site *site_for(struct sl_an *a, struct sl_leak *l)
{
	char ko[1024], ke[1024], key[2200];
	struct sl_site *st;
	if (l->os) {
		frame_key(l->os, ko, sizeof ko);
	} else {
		const struct sl_proc *p = l->ev->proc;
		snprintf(ko, sizeof ko, "no-open-stack:%s:%s", p->exe ? p->exe : "?",
			 l->role ? l->role : "?");
	}
	if (l->family_kind == SL_K_EOF && l->es) frame_key(l->es, ke, sizeof ke);
	else snprintf(ke, sizeof ke, "-");
	snprintf(key, sizeof key, "%s|%s|%s", sl_kind_name[l->family_kind], ko, ke);
	HASH_FIND_STR(a->site_hash, key, st);
	if (st) return st;
	st = sl_alloc(a, sizeof *st);
	st->key = (char *)sl_internz(a, key);
	st->kind = l->family_kind;
	st->open = l->os;
	st->eof = l->family_kind == SL_K_EOF ? l->es : NULL;
	st->role = l->role;
	st->module = l->ev->proc->exe;
	st->age_min = INT64_MAX;
	st->age_max = INT64_MIN;
	/* where a code-scanning UI should put the finding: the open call, else the EOF read */
	const struct sl_frame *fr;
	const struct sl_symf *sf;
	if ((st->open && sl_stack_site_frame(st->open, &fr, &sf) >= 0 && sf && sf->file) ||
	    (st->eof && sl_stack_site_frame(st->eof, &fr, &sf) >= 0 && sf && sf->file)) {
		st->func = sf->func;
		st->file = sf->file;
		st->line = sf->line;
	} else if (st->open && sl_stack_site_frame(st->open, &fr, &sf) >= 0) {
		st->func = sf && sf->func ? sf->func : fr->symbol;
	}
	HASH_ADD_KEYPTR(hh, a->site_hash, st->key, strlen(st->key), st);
	a->nsites_all++;
	return st;
}

static void site_add(struct sl_site *st, struct sl_sock *s, struct sl_leak *l)
{
	size_t i;
	st->nsock++;
	st->kinds[l->ev->kind < SL_K_N ? l->ev->kind : SL_K_EXIT]++;
	if (s->enforced) st->enforced++;
	if (s->shared) st->shared++;
	if (l->late_closed) st->late_closed++;
	if (l->age_ms != SL_NONE) {
		if (l->age_ms < st->age_min) st->age_min = l->age_ms;
		if (l->age_ms > st->age_max) st->age_max = l->age_ms;
		st->age_sum = sl_sat_add(st->age_sum, l->age_ms);
	}
	if (l->peer) {
		for (i = 0; i < st->npeers && i < SL_SITE_SET; i++)
			if (st->peers[i] == l->peer) break;
		if (i == st->npeers || i == SL_SITE_SET) {
			if (st->npeers < SL_SITE_SET) st->peers[st->npeers] = l->peer;
			/* past the set we can only say "more"; count them once each is not worth a hash */
			if (i == st->npeers) st->npeers++;
		}
	}
	for (i = 0; i < st->nprocs && i < SL_SITE_SET; i++)
		if (st->procs[i] == l->ev->proc) break;
	if (i == st->nprocs && st->nprocs < SL_SITE_SET) st->procs[st->nprocs++] = l->ev->proc;
	if (st->socks_tail) st->socks_tail->next_in_site = s;
	else st->socks = s;
	st->socks_tail = s;
}

static int site_cmp(const void *x, const void *y)
{
	const struct sl_site *a = *(struct sl_site *const *)x, *b = *(struct sl_site *const *)y;
	if (a->nsock != b->nsock) return a->nsock > b->nsock ? -1 : 1;
	return strcmp(a->key, b->key);
}

int sl_group(struct sl_an *a)
{
	struct sl_sock *s;
	size_t n = 0;
	for (s = a->socks; s; s = s->hh.next) {
		struct sl_leak *l = s->primary;
		if (!l) continue;
		sl_symbolise_stack(a, l->os);
		sl_symbolise_stack(a, l->es);
		if (s->shared) /* stories show every stack of a shared socket */
			for (size_t i = 0; i < s->nev; i++) sl_symbolise_stack(a, s->ev[i]->stack);
		if (a->nsupp && (l->supp_pattern = sl_supp_match(a, l))) {
			l->suppressed = 1;
			s->suppressed = 1;
			a->suppressed_socks++;
			continue;
		}
		a->leaked++;
		if (s->enforced) a->enforced_socks++;
		if (s->shared) a->shared_socks++;
		l->site = site_for(a, l);
		site_add(l->site, s, l);
		for (size_t i = 0; i < s->nev; i++)
			if (s->ev[i]->type == SL_EV_LEAK) s->ev[i]->proc->nleaks++;
	}
	a->sites = malloc(sizeof *a->sites * (a->nsites_all ? a->nsites_all : 1));
	if (!a->sites) return ENOMEM;
	for (struct sl_site *st = a->site_hash; st; st = st->hh.next)
		if (st->nsock) a->sites[n++] = st;
	qsort(a->sites, n, sizeof *a->sites, site_cmp);
	for (size_t i = 0; i < n; i++) a->sites[i]->rank = i + 1;
	a->nsites = n;
	if (a->bad > (size_t)a->o.max_bad_lines)
		fprintf(stderr, "sockleak: %zu bad line(s) in total, first %d shown\n", a->bad,
			a->o.max_bad_lines);
	else if (a->bad)
		fprintf(stderr, "sockleak: %zu bad line(s) in total\n", a->bad);
	return 0;
}
