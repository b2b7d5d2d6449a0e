/* The story of a shared socket: opened where, shared with which process at which fork or exec,
 * closed by whom without releasing it (close_shared), still held by whom, how long it sat in
 * CLOSE_WAIT, and whether it was enforced. Built from the joined events of one socket. */
#include <string.h>

#include "escape.h"
#include "model.h"

static void pname(const struct sl_proc *p, char *buf, size_t cap) { sl_proc_name(p, buf, cap); }

static void pidlist(const int *v, int n, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < n && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%d", i ? ", " : "", v[i]);
}

int64_t sl_story_t0(const struct sl_logged_sock *s)
{
	int64_t t = INT64_MAX;
	for (size_t i = 0; i < s->nev; i++) {
		const struct sl_ev *e = sl_logged_sock_ev(s, i);
		const struct sl_leak *l = sl_ev_leak(e);
		if (l && l->open_ts != SL_NONE && l->open_ts < t)
			t = l->open_ts;
		if (e->ts < t)
			t = e->ts;
	}
	return t == INT64_MAX ? 0 : t;
}

static void emit(sl_story_fn fn, void *ctx, int64_t ts, const struct sl_proc *p, const char *what,
		 const struct sl_stack *st, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

#include <stdarg.h>
static void emit(sl_story_fn fn, void *ctx, int64_t ts, const struct sl_proc *p, const char *what,
		 const struct sl_stack *st, const char *fmt, ...)
{
	struct sl_story_item it;
	va_list ap;
	it.ts = ts;
	it.proc = p;
	it.what = what;
	it.stack = st;
	va_start(ap, fmt);
	if (vsnprintf(it.text, sizeof it.text, fmt, ap) >= (int)sizeof it.text)
		sl_utf8_trim(it.text); /* never half a character: jansson refuses it */
	va_end(ap);
	fn(ctx, &it);
}

/* Events derived from a leak record's timestamps (open, EOF, first CLOSE_WAIT sighting) are
 * merged into the record stream by time, so the story reads in order. */
struct pend {
	int64_t ts;
	int what;
	const struct sl_ev *e;
};

static int pend_cmp(const struct pend *x, const struct pend *y)
{
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->what - y->what;
}

void sl_story(const struct sl_analysis *a, const struct sl_logged_sock *s, sl_story_fn fn,
	      void *ctx)
{
	char pn[128], pl[256];
	(void)a;
	/* at most 3 derived items per leak record plus one per event */
	size_t cap = s->nev * 4, n = 0;
	struct pend stackbuf[64], *v = cap <= 64 ? stackbuf : malloc(cap * sizeof *v);
	if (!v)
		return;
	for (size_t i = 0; i < s->nev; i++) {
		const struct sl_ev *e = sl_logged_sock_ev(s, i);
		const struct sl_leak *l = sl_ev_leak(e);
		if (l && !l->inherited && l->open_ts != SL_NONE)
			v[n++] = (struct pend){l->open_ts, 0, e};
		if (l && l->eof_ts != SL_NONE)
			v[n++] = (struct pend){l->eof_ts, 1, e};
		if (l && l->cw_ts != SL_NONE)
			v[n++] = (struct pend){l->cw_ts, 2, e};
		v[n++] = (struct pend){e->ts, 3, e};
	}
	/* insertion sort: stories are short, and the events are already in time order */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && pend_cmp(&v[j], &v[j - 1]) < 0; j--) {
			struct pend t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		const struct sl_ev *e = v[i].e;
		const struct sl_leak *l = sl_ev_leak(e);
		const struct sl_sev *se = sl_ev_sev(e);
		pname(e->proc, pn, sizeof pn);
		switch (v[i].what) {
		case 0:
			emit(fn, ctx, v[i].ts, e->proc, "open", l->os, "%s opened it (%s)%s%s", pn,
			     l->role ? l->role : "open", l->peer ? ", peer " : "",
			     l->peer ? l->peer : "");
			continue;
		case 1:
			emit(fn, ctx, v[i].ts, e->proc, "eof", l->es,
			     "%s read EOF (the peer closed)", pn);
			continue;
		case 2:
			emit(fn, ctx, v[i].ts, e->proc, "close_wait", NULL,
			     "%s: kernel shows CLOSE_WAIT", pn);
			continue;
		}
		switch (e->type) {
		case SL_EV_LEAK:
			pidlist(e->pids, e->npids, pl, sizeof pl);
			emit(fn, ctx, e->ts, e->proc, "leak", NULL,
			     "%s leak %s on fd %d: %s for %lld ms%s%s%s%s", pn,
			     sl_kind_names[e->kind], e->fd,
			     l->tcp_state ? l->tcp_state : "state unknown",
			     (long long)(l->age_ms == SL_NONE ? 0 : l->age_ms),
			     l->inherited ? ", inherited" : "", e->npids ? ", also held by " : "",
			     e->npids ? pl : "", l->enforced ? "" : ", not enforced");
			break;
		case SL_EV_FORK:
			emit(fn, ctx, e->ts, e->proc, "fork", se->stack,
			     "%s forked child %d: the socket (fd %d) now has one more holder", pn,
			     e->other, e->fd);
			break;
		case SL_EV_EXEC:
			emit(fn, ctx, e->ts, e->proc, "exec", se->stack, "%s exec %s with fd %d %s",
			     pn, se->text ? se->text : "?", e->fd,
			     e->flag ? "close-on-exec (not inherited)"
				     : "without FD_CLOEXEC: inherited");
			break;
		case SL_EV_CLOSE_SHARED:
			pidlist(e->pids, e->npids, pl, sizeof pl);
			emit(fn, ctx, e->ts, e->proc, "close_shared", se->stack,
			     "%s closed fd %d but did not release the socket (no FIN sent): %s%s%s",
			     pn, e->fd, e->npids ? "still held by " : "",
			     e->npids ? pl : (e->nrem ? "other fds of this process" : ""),
			     e->npids && e->nrem ? " and other fds here" : "");
			break;
		case SL_EV_LATE_CLOSE:
			emit(fn, ctx, e->ts, e->proc, "late_close", se->stack,
			     "%s closed it at last, %lld ms after the leak report%s", pn,
			     (long long)(se->ms == SL_NONE ? 0 : se->ms),
			     e->flag ? " (the interpreter's finaliser)" : "");
			break;
		case SL_EV_ENFORCE:
			emit(fn, ctx, e->ts, e->proc, "enforce", NULL, "%s enforced: shutdown %s",
			     pn, e->flag ? "done" : (se->text ? se->text : "failed"));
			break;
		}
	}
	if (v != stackbuf)
		free(v);
}

void sl_story_holders(const struct sl_analysis *a, const struct sl_logged_sock *s, sl_story_fn fn,
		      void *ctx)
{
	char pn[128];
	(void)a;
	for (int h = 0; h < s->nholders && h < SL_SITE_SET; h++) {
		const struct sl_proc *p = sl_logged_sock_holder(s, (size_t)h);
		int closed = 0, leaked = 0, late = 0;
		for (size_t i = 0; i < s->nev; i++) {
			const struct sl_ev *e = sl_logged_sock_ev(s, i);
			if (e->proc != p)
				continue;
			closed |= e->type == SL_EV_CLOSE_SHARED;
			late |= e->type == SL_EV_LATE_CLOSE;
			leaked |= e->type == SL_EV_LEAK;
		}
		pname(p, pn, sizeof pn);
		if (late)
			emit(fn, ctx, SL_NONE, p, "closed", NULL, "%s: closed it late", pn);
		else if (closed)
			emit(fn, ctx, SL_NONE, p, "closed", NULL,
			     "%s: closed its copy (no FIN: others held it)", pn);
		else if (leaked)
			emit(fn, ctx, SL_NONE, p, "held", NULL, "%s: still held it%s (leaked)", pn,
			     p->has_exit ? " until exit" : " at the end of the log");
		else
			emit(fn, ctx, SL_NONE, p, "held", NULL,
			     "%s: held it, never closed in the log%s", pn,
			     p->has_exit ? " (exited)" : "");
	}
	if (s->nholders > SL_SITE_SET)
		emit(fn, ctx, SL_NONE, NULL, "more", NULL, "... and %d more processes",
		     s->nholders - SL_SITE_SET);
}

const char *sl_site_title(const struct sl_site *st, char *buf, size_t cap)
{
	struct sl_site_stats ss;
	const char *where;
	sl_site_stats(st, &ss);
	where = ss.func;
	if (where) /* a handler: opened by the runtime, handled by the program */
		sl_strs(buf, cap, sl_kind_names[st->kind], ": ", sl_kind_titles[st->kind],
			sl_site_handler(st) ? ", handled in " : ", opened in ", where,
			(char *)NULL);
	else if (!st->open)
		sl_snprintf(buf, cap, "%s: %s, %s socket in %s", sl_kind_names[st->kind],
			    sl_kind_titles[st->kind], ss.role ? ss.role : "inherited",
			    sl_base(ss.module));
	else
		snprintf(buf, cap, "%s: %s", sl_kind_names[st->kind], sl_kind_titles[st->kind]);
	return buf;
}
