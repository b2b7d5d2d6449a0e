/* The join: records of every process and host become sockets, keyed by (boot id, inode), each
 * with its events in time order and the processes that held it. Runs once, after all input is
 * read, so records may arrive in any order and stacks may be defined after their first use. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

struct pmap {
	UT_hash_handle hh;
	struct {
		const char *boot;
		int pid;
		int pad;
	} key;
	struct sl_proc *p;
};

static struct sl_proc *pmap_find(struct pmap **m, const char *boot, int pid)
{
	struct pmap *e, k;
	memset(&k.key, 0, sizeof k.key);
	k.key.boot = boot;
	k.key.pid = pid;
	HASH_FIND(hh, *m, &k.key, sizeof k.key, e);
	return e ? e->p : NULL;
}

static void pmap_add(struct sl_analysis *a, struct pmap **m, struct sl_proc *p)
{
	struct pmap *e;
	if (pmap_find(m, p->boot, p->pid))
		return;
	if (!(e = sl_alloc(a, sizeof *e)))
		return;
	e->key.boot = p->boot;
	e->key.pid = p->pid;
	e->p = p;
	HASH_ADD(hh, *m, key, sizeof e->key, e);
}

/* A fork child that never wrote a record of its own still held the socket: give it a name. */
static struct sl_proc *child_proc(struct sl_analysis *a, struct pmap **m,
				  const struct sl_proc *parent, int pid)
{
	struct sl_proc *c = pmap_find(m, parent->boot, pid);
	if (c)
		return c;
	if (!(c = sl_alloc(a, sizeof *c)))
		return NULL;
	c->key.unit = -1;
	c->key.pid = pid;
	c->pid = pid;
	c->ppid = parent->pid;
	c->boot = parent->boot;
	c->host = parent->host;
	c->exe = parent->exe;
	c->argv0 = parent->argv0;
	c->origin = "fork";
	c->start_ts = c->exit_ts = SL_NONE;
	c->first_ts = INT64_MAX;
	c->last_ts = INT64_MIN;
	c->idx = a->nprocs++;
	c->next = a->proc_list;
	a->proc_list = c;
	pmap_add(a, m, c);
	return c;
}

static void add_holder(struct sl_analysis *a, struct sl_logged_sock *s, struct sl_proc *p)
{
	size_t n = (size_t)s->nholders;
	if (!p)
		return;
	if (n == 0) {
		s->holder1 = p;
		s->nholders = 1;
		return;
	}
	if (n == 1) {
		const void **set;
		if (s->holder1 == p)
			return;
		if (!(set = sl_alloc(a, sizeof *set * SL_SITE_SET)))
			return; /* named no more */
		set[0] = s->holder1;
		set[1] = p;
		s->holders = set;
		s->nholders = 2;
		return;
	}
	/* every holder counts, the first SL_SITE_SET are named */
	for (size_t i = 0; i < n && i < SL_SITE_SET; i++)
		if (s->holders[i] == p)
			return;
	if (n < SL_SITE_SET)
		s->holders[n] = p;
	s->nholders++;
}

/* A socket's key is its events': while joining, the head of its list */
struct skey {
	const char *boot;
	uint64_t inode;
};

static uint64_t skey_hash(const struct skey *k)
{
	return sl_hash_u64(k->inode ^ sl_hash_u64((uint64_t)(uintptr_t)k->boot));
}

static uint64_t sock_hash(const void *it)
{
	const struct sl_logged_sock *s = it;
	struct skey k = {s->ev1->proc->boot, s->ev1->inode};
	return skey_hash(&k);
}

static int sock_eq(const void *it, const void *key)
{
	const struct sl_logged_sock *s = it;
	const struct skey *k = key;
	return s->ev1->inode == k->inode && s->ev1->proc->boot == k->boot;
}

/* After the join: a socket's key is its first event's */
static uint64_t sock_hash_joined(const void *it)
{
	struct skey k = {sl_logged_sock_boot(it), sl_logged_sock_inode(it)};
	return skey_hash(&k);
}

static int sock_eq_joined(const void *it, const void *key)
{
	const struct skey *k = key;
	return sl_logged_sock_inode(it) == k->inode && sl_logged_sock_boot(it) == k->boot;
}

struct sl_logged_sock *sl_logged_sock_find(struct sl_analysis *a, const char *boot, uint64_t inode)
{
	struct skey k = {boot, inode};

	if (!a->socks.slot) { /* given back after the join: made again for this caller */
		sl_tab_reserve(&a->socks, a->nsocks);
		for (struct sl_logged_sock *s = a->socks_head; s; s = s->next_all)
			if (s->nev &&
			    sl_tab_add(&a->socks, sock_hash_joined(s), s, sock_hash_joined))
				return NULL;
	}
	return sl_tab_find(&a->socks, skey_hash(&k), sock_eq_joined, &k);
}

struct sl_site *sl_logged_sock_site(const struct sl_analysis *a, const struct sl_logged_sock *s)
{
	return s->rank && s->rank <= a->nsites ? a->sites[s->rank - 1] : NULL;
}

static int ev_cmp(const void *x, const void *y)
{
	const struct sl_ev *a = *(struct sl_ev *const *)x, *b = *(struct sl_ev *const *)y;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	/* same instant: the open side first, so stories read in causal order */
	return (a->type > b->type) - (a->type < b->type);
}

static int leak_better(const struct sl_leak *n, const struct sl_leak *o)
{
	/* The record that decides the site: the opener's (it knows where the socket was made),
	 * then one that saw the EOF, then the earliest. */
	int sn = (!n->inherited && n->has_open) * 2 + n->has_eof;
	int so = (!o->inherited && o->has_open) * 2 + o->has_eof;
	if (sn != so)
		return sn > so;
	return n->ev.ts < o->ev.ts;
}

int sl_join(struct sl_analysis *a)
{
	struct pmap *m = NULL;
	struct sl_logged_sock *s;
	struct sl_ev *e, *next;

	for (struct sl_proc *p = a->proc_list; p; p = p->next)
		pmap_add(a, &m, p);
	/* events: resolve stacks, attach to sockets */
	for (e = a->ev_head; e; e = next) {
		struct skey k = {e->proc->boot, e->inode};
		struct sl_leak *l = sl_ev_leak(e);
		uint64_t h = skey_hash(&k);
		next = e->next;
		s = sl_tab_find(&a->socks, h, sock_eq, &k);
		if (!s) {
			if ((s = sl_alloc(a, sizeof *s)))
				s->ev1 = e; /* its key, for the table */
			if (!s || sl_tab_add(&a->socks, h, s, sock_hash)) {
				if (l) { /* no memory left: counted, not grouped */
					a->lost_socks++;
					a->leaked++;
				}
				continue;
			}
			if (a->socks_tail)
				a->socks_tail->next_all = s;
			else
				a->socks_head = s;
			a->socks_tail = s;
			a->nsocks++;
		}
		if (e->type != SL_EV_LEAK) {
			struct sl_sev *se = (struct sl_sev *)e;
			se->stack = e->has_stack ? sl_stack_find(a, k.boot, se->stack_id) : NULL;
		}
		if (l) {
			l->os = l->has_open ? sl_stack_find(a, k.boot, l->open_id) : NULL;
			l->es = l->has_eof ? sl_stack_find(a, k.boot, l->eof_id) : NULL;
			l->hs = l->has_handler ? sl_stack_find(a, k.boot, l->handler_id) : NULL;
			if (!s->primary || leak_better(l, s->primary))
				s->primary = l;
			if (l->inherited || e->npids)
				s->shared = 1;
		}
		if (e->type == SL_EV_CLOSE_SHARED || e->type == SL_EV_FORK)
			s->shared = 1;
		if (e->type == SL_EV_EXEC && !e->flag)
			s->shared = 1;
		if (e->type == SL_EV_ENFORCE)
			s->enforced = 1;
		add_holder(a, s, e->proc);
		if (e->type == SL_EV_FORK)
			add_holder(a, s, child_proc(a, &m, e->proc, e->other));
		for (int i = 0; i < e->npids; i++)
			add_holder(a, s, child_proc(a, &m, e->proc, e->pids[i]));
		/* reuse the reading-order link as the per-socket list; counted in nev */
		e->next = s->nev ? s->ev1 : NULL;
		s->ev1 = e;
		s->nev++;
	}
	a->ev_head = a->ev_tail = NULL;
	/* The tables of the reading are not needed any more (no stack is looked up, no frame or
	 * socket added after this): given back before grouping, which is when memory peaks. */
	sl_tab_free(&a->socks);
	sl_tab_free(&a->stacks);
	sl_tab_free(&a->frames);
	/* per socket: events into a time-ordered array; one event stays in place */
	for (s = a->socks_head; s; s = s->next_all) {
		struct sl_ev *l = s->ev1, **arr;
		size_t i = s->nev;
		if (s->nev > 1) {
			if (!(arr = sl_alloc(a, sizeof *arr * s->nev))) {
				a->lost_socks += s->primary != NULL;
				a->leaked += s->primary != NULL;
				s->primary = NULL;
				s->evs = NULL;
				s->nev = 0;
				continue;
			}
			while (l) {
				arr[--i] = l;
				l = l->next;
			}
			qsort(arr, s->nev, sizeof *arr, ev_cmp);
			s->evs = arr;
		}
		if (s->nholders > 1)
			s->shared = 1;
		if (s->primary && s->enforced)
			s->primary->enforced = 1;
		/* Closed late: closed by the program itself after its record, in the process that
		 * leaked it. Not when the interpreter's finaliser closed it (flag), nor after the
		 * watchdog shut it down (an enforce that succeeded, earlier in time order): the
		 * program closed it because sockleak ended the connection, and would have held it
		 * on without; it stays a leak that fails `run` and `report --exitcode`. */
		int shut = 0;
		for (i = 0; i < s->nev; i++) {
			const struct sl_ev *ev = sl_logged_sock_ev(s, i);
			if (ev->type == SL_EV_ENFORCE && ev->flag)
				shut = 1;
			if (ev->type == SL_EV_LATE_CLOSE && !ev->flag && !shut && s->primary &&
			    ev->proc == s->primary->ev.proc)
				s->primary->late_closed = 1;
		}
	}
	HASH_CLEAR(hh, m);
	return 0;
}
