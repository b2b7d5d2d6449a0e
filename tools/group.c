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

struct sl_stack *sl_leak_handler(const struct sl_leak *l)
{
	return l->hs && l->os && sl_stack_runtime_only(l->os) && !sl_stack_runtime_only(l->hs)
		       ? l->hs
		       : NULL;
}

/* A stack as sitekey.h reads it, into v. A symbolised stack knows its site frame (its classes
 * are remembered): the frames up to it give the same pick, so only those are made. */
static void stack_view(const struct sl_stack *s, struct sl_site_frame *v, struct sl_site_stack *out)
{
	uint32_t n = s ? s->n : 0;
	if (n > 256)
		n = 256;
	if (s && s->classified && s->site_idx < n)
		n = s->site_idx + 1u;
	for (uint32_t i = 0; i < n; i++)
		sl_frame_site_view(s->f[i], &v[i]);
	out->f = v;
	out->n = n;
}

/* A site's key, with THE function (preload/sitekey.c), from what made it: the leak's kind and
 * its stacks, or without an open stack, its process and role. */
static void key_of(uint8_t kind, const struct sl_stack *open, const struct sl_stack *eof,
		   const struct sl_leak *l, struct sl_site_key *k)
{
	struct sl_site_frame v[3][256];
	struct sl_site_leak in = {.kind = kind, .exe = l->ev.proc->exe, .role = l->role};
	stack_view(open, v[0], &in.open);
	stack_view(eof, v[1], &in.eof);
	stack_view(l->hs, v[2], &in.handler);
	sl_site_key(&in, k);
}

static void site_key(const struct sl_site *st, struct sl_site_key *k)
{
	key_of(st->kind, st->open, st->eof, st->socks->primary, k);
}

void sl_site_keystr(const struct sl_site *st, char *buf, size_t cap)
{
	struct sl_site_key k;
	site_key(st, &k);
	sl_site_key_format(&k, buf, cap);
}

uint64_t sl_site_keyhash(const struct sl_site *st)
{
	struct sl_site_key k;
	site_key(st, &k);
	return sl_site_key_hash(&k);
}

static uint64_t site_hash(const void *it)
{
	struct sl_site_key k;
	site_key(it, &k);
	return sl_site_key_hash(&k);
}

static int site_eq(const void *it, const void *key)
{
	struct sl_site_key k;
	site_key(it, &k);
	return sl_site_key_eq(&k, key);
}

/* Sites past --max-sites: only their keys' hashes, to count distinct ones in 8 bytes each. */
struct more_site {
	uint64_t h;
};
static uint64_t more_hash(const void *it) { return ((const struct more_site *)it)->h; }
static int more_eq(const void *it, const void *key)
{
	return ((const struct more_site *)it)->h == *(const uint64_t *)key;
}

static struct sl_site *site_for(struct sl_analysis *a, struct sl_logged_sock *s, struct sl_leak *l,
				struct sl_tab *more)
{
	struct sl_site_key k;
	struct sl_site *st;
	key_of(l->family_kind, l->os, l->es, l, &k);
	uint64_t h = sl_site_key_hash(&k);
	if ((st = sl_tab_find(&a->site_hash, h, site_eq, &k)))
		return st;
	if (a->nsites_all >= a->o.max_sites) {
		/* counted, not itemised: the totals stay true, memory stays bounded */
		a->more_socks++;
		if (!sl_tab_find(more, h, more_eq, &h)) {
			struct more_site *m = sl_alloc(a, sizeof *m);
			if (m) {
				m->h = h;
				if (!sl_tab_add(more, h, m, more_hash))
					a->more_sites++;
			}
		}
		return NULL;
	}
	if (!(st = sl_alloc(a, sizeof *st))) {
		a->lost_socks++;
		return NULL;
	}
	st->kind = l->family_kind;
	st->open = l->os;
	st->eof = l->family_kind == SL_K_EOF ? l->es : NULL;
	st->socks = s; /* what its key is computed from, from now on */
	if (sl_tab_add(&a->site_hash, h, st, site_hash)) {
		a->lost_socks++;
		return NULL;
	}
	if (a->sites_tail)
		a->sites_tail->next_all = st;
	else
		a->sites_head = st;
	a->sites_tail = st;
	a->nsites_all++;
	return st;
}

/* A site's counts from its only socket */
static void one_stats(const struct sl_site *st, struct sl_site_stats *ss)
{
	const struct sl_logged_sock *s = st->socks;
	const struct sl_leak *l = s->primary;
	memset(ss->kinds, 0, sizeof ss->kinds);
	ss->kinds[l->ev.kind < SL_K_N ? l->ev.kind : SL_K_EXIT] = 1;
	ss->enforced = s->enforced;
	ss->shared = s->shared;
	ss->late_closed = l->late_closed;
	if (l->age_ms != SL_NONE) {
		ss->age_min = ss->age_max = ss->age_sum = l->age_ms;
	} else {
		ss->age_min = INT64_MAX;
		ss->age_max = INT64_MIN;
		ss->age_sum = 0;
	}
	ss->one_peer = l->peer;
	ss->peers = &ss->one_peer;
	ss->npeers = l->peer != NULL;
	ss->one_proc = l->ev.proc;
	ss->procs = &ss->one_proc;
	ss->nprocs = 1;
}

void sl_site_stats(const struct sl_site *st, struct sl_site_stats *ss)
{
	const struct sl_site_more *m = st->more;
	const struct sl_leak *first = st->socks->primary;
	const struct sl_frame *fr;
	const struct sl_symf *sf;
	if (m) {
		memcpy(ss->kinds, m->kinds, sizeof ss->kinds);
		ss->enforced = m->enforced;
		ss->shared = m->shared;
		ss->late_closed = m->late_closed;
		ss->age_min = m->age_min;
		ss->age_max = m->age_max;
		ss->age_sum = m->age_sum;
		ss->peers = m->peers;
		ss->npeers = m->npeers;
		ss->procs = m->procs;
		ss->nprocs = m->nprocs;
	} else {
		one_stats(st, ss);
	}
	ss->role = first->role;
	ss->module = first->ev.proc->exe;
	/* where a code-scanning UI should put the finding: the open call, else the EOF read */
	ss->func = ss->file = NULL;
	ss->line = 0;
	if (sl_site_handler(st) && sl_stack_site_frame(sl_site_handler(st), &fr, &sf) >= 0) {
		/* the handler's own frame: JavaScript named by a perf map has no file:line */
		ss->func = sf && sf->func          ? sf->func
			   : sl_frame_jit_name(fr) ? sl_frame_jit_name(fr)
						   : fr->symbol;
		ss->file = sf ? sf->file : NULL;
		ss->line = sf ? sf->line : 0;
	} else if ((st->open && sl_stack_site_frame(st->open, &fr, &sf) >= 0 && sf && sf->file) ||
		   (st->eof && sl_stack_site_frame(st->eof, &fr, &sf) >= 0 && sf && sf->file)) {
		ss->func = sf->func;
		ss->file = sf->file;
		ss->line = sf->line;
	} else if (st->open && sl_stack_site_frame(st->open, &fr, &sf) >= 0) {
		ss->func = sf && sf->func ? sf->func : fr->symbol;
	}
}

const struct sl_leak *sl_site_first(const struct sl_site *st)
{
	const struct sl_leak *first = NULL;
	for (const struct sl_logged_sock *s = st->socks; s; s = s->next_in_site)
		if (s->primary && (!first || s->primary->ev.ts < first->ev.ts))
			first = s->primary;
	return first;
}

static void site_add(struct sl_analysis *a, struct sl_site *st, struct sl_logged_sock *s,
		     struct sl_leak *l)
{
	struct sl_site_more *m = st->more;
	if (!st->nsock++)
		return; /* the first: st->socks already */
	if (!m) {       /* the second socket: the counts of the first become the site's */
		struct sl_site_stats ss;
		if (!(m = sl_alloc(a, sizeof *m))) {
			st->nsock--;
			a->lost_socks++;
			return;
		}
		one_stats(st, &ss);
		memcpy(m->kinds, ss.kinds, sizeof m->kinds);
		m->enforced = ss.enforced;
		m->shared = ss.shared;
		m->late_closed = ss.late_closed;
		m->age_min = ss.age_min;
		m->age_max = ss.age_max;
		m->age_sum = ss.age_sum;
		if (ss.npeers)
			sl_set_add_str(a, &m->peers, &m->npeers, ss.one_peer);
		sl_set_add(a, &m->procs, &m->nprocs, ss.one_proc);
		m->socks_tail = st->socks;
		st->more = m;
	}
	m->kinds[l->ev.kind < SL_K_N ? l->ev.kind : SL_K_EXIT]++;
	if (s->enforced)
		m->enforced++;
	if (s->shared)
		m->shared++;
	if (l->late_closed)
		m->late_closed++;
	if (l->age_ms != SL_NONE) {
		if (l->age_ms < m->age_min)
			m->age_min = l->age_ms;
		if (l->age_ms > m->age_max)
			m->age_max = l->age_ms;
		m->age_sum = sl_sat_add(m->age_sum, l->age_ms);
	}
	if (l->peer)
		sl_set_add_str(a, &m->peers, &m->npeers, l->peer);
	if (m->nprocs < SL_SITE_SET)
		sl_set_add(a, &m->procs, &m->nprocs, l->ev.proc);
	m->socks_tail->next_in_site = s;
	m->socks_tail = s;
}

/* The keys the sort made last, by site: a merge compares the head of one run with each of
 * the other's in turn, so one of the two is usually the last one's (a key made per compare was
 * a twentieth of a million-site report, issue 11; a key per site kept for the sort would be
 * 56 MB). */
#define KCACHE 4
struct kcache {
	const struct sl_site *st[KCACHE];
	struct sl_site_key k[KCACHE];
	unsigned next;
};

/* st's key, made in a slot other than keep's (the other side of the compare) */
static const struct sl_site_key *cached_key(struct kcache *kc, const struct sl_site *st,
					    const struct sl_site_key *keep)
{
	unsigned i;
	for (i = 0; i < KCACHE; i++)
		if (kc->st[i] == st)
			return &kc->k[i];
	i = kc->next++ % KCACHE;
	if (&kc->k[i] == keep)
		i = kc->next++ % KCACHE;
	kc->st[i] = st;
	site_key(st, &kc->k[i]);
	return &kc->k[i];
}

static int site_cmp(const void *x, const void *y, void *ctx)
{
	const struct sl_site *a = *(struct sl_site *const *)x, *b = *(struct sl_site *const *)y;
	struct kcache *kc = ctx;
	const struct sl_site_key *ka, *kb;
	int c;
	if (a->nsock != b->nsock)
		return a->nsock > b->nsock ? -1 : 1;
	/* then by key, field by field: the same order on every run */
	if ((c = strcmp(sl_kind_names[a->kind], sl_kind_names[b->kind])))
		return c;
	if (a == b)
		return 0;
	ka = cached_key(kc, a, NULL);
	kb = cached_key(kc, b, ka);
	return sl_site_key_cmp(ka, kb);
}

int sl_group(struct sl_analysis *a)
{
	struct sl_logged_sock *s;
	struct sl_tab more = {NULL, 0, 0};
	size_t n = 0;
	sl_tab_reserve(&a->site_hash, a->nsocks < a->o.max_sites ? a->nsocks : a->o.max_sites);
	for (s = a->socks_head; s; s = s->next_all) {
		struct sl_leak *l = s->primary;
		if (!l)
			continue;
		sl_symbolise_stack(a, l->os);
		sl_symbolise_stack(a, l->es);
		sl_symbolise_stack(a, l->hs);
		if (s->shared) /* stories show every stack of a shared socket */
			for (size_t i = 0; i < s->nev; i++)
				sl_symbolise_stack(a, sl_ev_stack(sl_logged_sock_ev(s, i)));
		if (a->nsupp && sl_supp_match(a, l)) {
			l->suppressed = 1;
			s->suppressed = 1;
			a->suppressed_socks++;
			continue;
		}
		a->leaked++;
		if (l->late_closed)
			a->late_socks++;
		if (s->enforced)
			a->enforced_socks++;
		if (s->shared)
			a->shared_socks++;
		for (size_t i = 0; i < s->nev; i++)
			if (sl_logged_sock_ev(s, i)->type == SL_EV_LEAK)
				sl_logged_sock_ev(s, i)->proc->nleaks++;
		struct sl_site *st = site_for(a, s, l, &more);
		if (st)
			site_add(a, st, s, l);
	}
	sl_tab_free(&more);
	/* no site is looked up from here: its table is given back before the ranking's arrays */
	sl_tab_free(&a->site_hash);
	/* out of memory even for the ranking: rank as many as fit, count the rest */
	size_t cap = a->nsites_all ? a->nsites_all : 1;
	while (!(a->sites = malloc(sizeof *a->sites * cap)) && cap > 1)
		cap /= 2;
	if (!a->sites)
		return ENOMEM;
	if (cap < a->nsites_all)
		fprintf(stderr,
			"sockleak: out of memory: %zu of %zu sites ranked, the rest counted\n", cap,
			a->nsites_all);
	for (struct sl_site *st = a->sites_head; st; st = st->next_all) {
		if (!st->nsock)
			continue;
		if (n < cap) {
			a->sites[n++] = st;
		} else {
			a->more_sites++;
			a->more_socks += st->nsock;
		}
	}
	struct kcache kc = {{NULL}, {{0}}, 0};
	qsort_r(a->sites, n, sizeof *a->sites, site_cmp, &kc);
	for (size_t i = 0; i < n; i++) {
		a->sites[i]->rank = (uint32_t)(i + 1);
		for (struct sl_logged_sock *k = a->sites[i]->socks; k; k = k->next_in_site)
			k->rank = (uint32_t)(i + 1);
	}
	a->nsites = n;
	if (a->more_sites)
		fprintf(stderr,
			"sockleak: %zu site(s) with %zu leaked socket(s) counted but not "
			"itemised (%s)\n",
			a->more_sites, a->more_socks,
			a->nsites_all >= a->o.max_sites ? "past --max-sites" : "out of memory");
	if (a->lost_socks)
		fprintf(stderr,
			"sockleak: out of memory: %zu leaked socket(s) counted but not "
			"grouped into sites\n",
			a->lost_socks);
	if (a->bad > (size_t)a->o.max_bad_lines)
		fprintf(stderr, "sockleak: %zu bad line(s) in total, first %d shown\n", a->bad,
			a->o.max_bad_lines);
	else if (a->bad)
		fprintf(stderr, "sockleak: %zu bad line(s) in total\n", a->bad);
	return 0;
}
