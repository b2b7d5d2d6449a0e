/* HTML report: one self-contained page (inline CSS, inline SVG, no scripts, no fonts or other
 * fetches) with a timeline of the leaked sockets of each process, the sites table with their
 * stacks, and the stories of shared sockets. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "model.h"

#define W_LABEL 190
#define W_PLOT 800
#define ROW_H 7
#define MAX_ROWS 12
#define MAX_LANES 40

/* Every string from a log goes out through here, in text and in quoted attributes alike:
 * markup in a log must stay text (issue 11: a tcp_state printed raw into an SVG <title> ran
 * the log's script). */
static void esc(FILE *o, const char *s) { sl_html_puts(o, s); }

static const char css[] =
	"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1d2330;background:#fafbfc}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}"
	".sum{color:#555;margin-bottom:12px}.big{font-size:28px;font-weight:600;color:#b3261e}"
	".ok{color:#1e7d32}"
	"table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 2px #0002}"
	"th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e6ea;vertical-align:top}"
	"th{background:#f0f2f5;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}"
	".kind{display:inline-block;padding:1px 6px;border-radius:8px;font-size:12px;color:#fff}"
	".k0{background:#b3261e}.k1{background:#c26a00}.k2{background:#5b6b7f}"
	"pre{margin:4px 0;font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap}"
	"details summary{cursor:pointer;color:#2557a7}code{font:12px ui-monospace,Menlo,monospace}"
	".story{background:#fff;padding:8px 12px;margin:8px 0;box-shadow:0 1px 2px #0002}"
	"svg text{font:11px system-ui,sans-serif;fill:#333}.legend span{margin-right:14px}"
	".sw{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle}";

static void stack_pre(FILE *o, const struct sl_analysis *a, const char *title,
		      const struct sl_stack *s)
{
	int k = 0;
	fprintf(o, "<div><b>");
	esc(o, title);
	fprintf(o, "</b><pre>");
	if (!s)
		fprintf(o, "(no stack recorded)");
	for (struct sl_stack_walk w = {.s = s}; sl_stack_walk_next(&w); k++) {
		char b[1024];
		sl_fmt_frame(a, w.fr, w.sf, b, sizeof b);
		fprintf(o, "#%-2d ", k);
		esc(o, b);
		if (w.sym && w.sym->note && w.last) {
			fprintf(o, " (");
			esc(o, w.sym->note);
			fprintf(o, ")");
		}
		fputc('\n', o);
	}
	fprintf(o, "</pre></div>");
}

struct bar {
	int64_t t0, tbad, t1;
	const struct sl_leak *l;
};
struct lane {
	const struct sl_proc *p;
	struct bar *b;
	size_t n, cap;
};

static int lane_cmp(const void *x, const void *y)
{
	const struct lane *a = x, *b = y;
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return a->p->pid - b->p->pid;
}

static int64_t end_of(const struct sl_analysis *a, const struct sl_logged_sock *s,
		      const struct sl_proc *p)
{
	for (size_t i = 0; i < s->nev; i++) {
		const struct sl_ev *e = sl_logged_sock_ev(s, i);
		if (e->proc == p && (e->type == SL_EV_LATE_CLOSE || e->type == SL_EV_ENFORCE))
			return e->ts;
	}
	(void)a;
	/* still open at the end of this process's records: the log says nothing later */
	return p->has_exit ? p->exit_ts : p->last_ts;
}

static void timeline(FILE *o, const struct sl_analysis *a)
{
	struct lane *ln = NULL;
	size_t nl = 0, capl = 0;
	int64_t tmin = INT64_MAX, tmax = INT64_MIN;
	for (size_t i = 0; i < a->nsites; i++)
		for (const struct sl_logged_sock *s = a->sites[i]->socks; s; s = s->next_in_site)
			for (size_t j = 0; j < s->nev; j++) {
				const struct sl_ev *e = sl_logged_sock_ev(s, j);
				const struct sl_leak *l = sl_ev_leak(e);
				if (!l)
					continue;
				size_t k;
				for (k = 0; k < nl && ln[k].p != e->proc; k++) {
				}
				if (k == nl) {
					if (nl == capl) {
						capl = capl ? capl * 2 : 16;
						struct lane *nln = realloc(ln, capl * sizeof *ln);
						if (!nln)
							goto out;
						ln = nln;
					}
					memset(&ln[nl], 0, sizeof ln[nl]);
					ln[nl++].p = e->proc;
				}
				struct lane *L = &ln[k];
				if (L->n == L->cap) {
					L->cap = L->cap ? L->cap * 2 : 8;
					struct bar *nb = realloc(L->b, L->cap * sizeof *nb);
					if (!nb)
						goto out;
					L->b = nb;
				}
				struct bar *b = &L->b[L->n++];
				b->l = l;
				b->t0 = l->open_ts != SL_NONE ? l->open_ts
					: l->open_age_ms != SL_NONE
						? sl_ts_minus_ms(e->ts, l->open_age_ms)
						: e->ts;
				b->tbad = l->cw_ts != SL_NONE    ? l->cw_ts
					  : l->eof_ts != SL_NONE ? l->eof_ts
					  : l->age_ms != SL_NONE ? sl_ts_minus_ms(e->ts, l->age_ms)
								 : e->ts;
				b->t1 = end_of(a, s, e->proc);
				if (b->t1 < e->ts)
					b->t1 = e->ts;
				if (b->tbad < b->t0)
					b->tbad = b->t0;
				if (b->t0 < tmin)
					tmin = b->t0;
				if (b->t1 > tmax)
					tmax = b->t1;
			}
	if (!nl) {
		fprintf(o, "<p>No leaked sockets to draw.</p>");
		goto out;
	}
	qsort(ln, nl, sizeof *ln, lane_cmp);
	if (nl > MAX_LANES)
		nl = MAX_LANES;
	if (tmax <= tmin)
		tmax = tmin == INT64_MAX ? tmin : tmin + 1;
	if (tmax <= tmin)
		tmin = tmax - 1;
	int h = 24;
	for (size_t i = 0; i < nl; i++)
		h += (int)(ln[i].n < MAX_ROWS ? ln[i].n : MAX_ROWS) * ROW_H + 16;
	double span = (double)tmax - (double)tmin;
	if (!(span > 0))
		span = 1;
	fprintf(o,
		"<p class=legend><span><i class=sw style='background:#8fa8c8'></i>open</span>"
		"<span><i class=sw style='background:#d93025'></i>CLOSE_WAIT or past EOF (leaking)</span>"
		"<span>time axis: %.3f s from the first socket</span></p>\n",
		span / 1e9);
	fprintf(o,
		"<svg id=timeline xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
		"viewBox='0 0 %d %d' role=img aria-label='timeline of leaked sockets per process'>\n",
		W_LABEL + W_PLOT + 10, h, W_LABEL + W_PLOT + 10, h);
	/* axis: five ticks */
	for (int t = 0; t <= 4; t++) {
		double x = W_LABEL + W_PLOT * t / 4.0;
		fprintf(o,
			"<line x1='%.1f' y1='14' x2='%.1f' y2='%d' stroke='#ddd'/>"
			"<text x='%.1f' y='11' text-anchor='%s'>+%.2fs</text>\n",
			x, x, h, x,
			t == 4 ? "end"
			: t    ? "middle"
			       : "start",
			span * t / 4.0 / 1e9);
	}
	int y = 20;
	for (size_t i = 0; i < nl; i++) {
		char pn[128];
		int rows = (int)(ln[i].n < MAX_ROWS ? ln[i].n : MAX_ROWS);
		size_t cw = 0;
		for (size_t j = 0; j < ln[i].n; j++)
			cw += ln[i].b[j].l->tcp_state &&
			      !strcmp(ln[i].b[j].l->tcp_state, "CLOSE_WAIT");
		sl_proc_name(ln[i].p, pn, sizeof pn);
		fprintf(o, "<g class=lane><text x='4' y='%d'>", y + 10);
		esc(o, pn);
		fprintf(o,
			"</text><text x='4' y='%d' style='fill:#777'>%zu leaked, %zu CLOSE_WAIT</text>\n",
			y + 22, ln[i].n, cw);
		for (size_t j = 0; j < ln[i].n; j++) {
			const struct bar *b = &ln[i].b[j];
			double x0 = W_LABEL + W_PLOT * ((double)b->t0 - (double)tmin) / span;
			double xb = W_LABEL + W_PLOT * ((double)b->tbad - (double)tmin) / span;
			double x1 = W_LABEL + W_PLOT * ((double)b->t1 - (double)tmin) / span;
			int ry = y + (int)(j % MAX_ROWS) * ROW_H;
			fprintf(o,
				"<rect class=open x='%.1f' y='%d' width='%.1f' height='%d' fill='#8fa8c8'/>"
				"<rect class=cw x='%.1f' y='%d' width='%.1f' height='%d' fill='#d93025'>"
				"<title>inode %llu %s peer ",
				x0, ry, xb - x0 > 0.5 ? xb - x0 : 0.5, ROW_H - 2, xb, ry,
				x1 - xb > 1 ? x1 - xb : 1, ROW_H - 2,
				(unsigned long long)b->l->ev.inode, sl_kind_names[b->l->ev.kind]);
			esc(o, b->l->peer ? b->l->peer : "?");
			fprintf(o, " (");
			esc(o, b->l->tcp_state ? b->l->tcp_state : "?");
			fprintf(o, ")</title></rect>\n");
		}
		fprintf(o, "</g>\n");
		y += rows * ROW_H + 16;
	}
	fprintf(o, "</svg>\n");
out:
	for (size_t i = 0; i < capl && i < nl; i++)
		free(ln[i].b);
	free(ln);
}

struct sctx {
	FILE *o;
	int64_t t0;
	const struct sl_analysis *a;
};

static void story_li(void *ctx, const struct sl_story_item *it)
{
	struct sctx *c = ctx;
	const struct sl_frame *fr;
	const struct sl_symf *sf;
	if (it->ts != SL_NONE)
		fprintf(c->o, "<li><code>+%.3f s</code> ", ((double)it->ts - (double)c->t0) / 1e9);
	else
		fprintf(c->o, "<li><code>end</code> ");
	esc(c->o, it->text);
	if (it->stack && sl_stack_site_frame(it->stack, &fr, &sf) >= 0) {
		char b[1024];
		sl_fmt_frame(c->a, fr, sf, b, sizeof b);
		fprintf(c->o, " at <code>");
		esc(c->o, b);
		fprintf(c->o, "</code>");
	}
	fprintf(c->o, "</li>\n");
}

/* What the log could not check, as the text report says it: programs that ran without the
 * preload, sockets it had no memory to track, records that could not be written. A page
 * without it would read as "all clear". */
static void not_checked(FILE *o, const struct sl_analysis *a)
{
	size_t uprocs, dprocs, shown = 0;
	int64_t untracked = sl_analysis_untracked(a, &uprocs),
		dropped = sl_analysis_dropped(a, &dprocs);

	if (!a->nuntracked && !untracked && !dropped)
		return;
	fprintf(o, "<h2>Not checked</h2><div id=not-checked>\n");
	if (a->nuntracked) {
		fprintf(o,
			"<p>%zu process(es) ran without sockleak; their sockets were not checked:</p>"
			"<ul>",
			a->nuntracked);
		for (const struct sl_untracked *u = a->untracked_head; u && shown < 100;
		     u = u->next) {
			fprintf(o, "<li>pid %d <code>", u->pid);
			esc(o, u->argv0 ? u->argv0 : u->path ? u->path : "?");
			fprintf(o, "</code> (");
			esc(o, u->reason);
			if (u->ppid > 0)
				fprintf(o, "), parent pid %d</li>", u->ppid);
			else
				fprintf(o, ")</li>");
			shown++;
		}
		if (shown < a->nuntracked)
			fprintf(o, "<li>and %zu more</li>", a->nuntracked - shown);
		fprintf(o, "</ul>\n");
	}
	if (untracked)
		fprintf(o,
			"<p>Not tracked: %lld socket(s) in %zu process(es): the preload had no memory "
			"for its tables then, so a leak among them could not be reported.</p>\n",
			(long long)untracked, uprocs);
	if (dropped)
		fprintf(o,
			"<p>Not written: %lld record(s) could not be written, in %zu process(es) (a "
			"full disk, or no log): leaks among them are missing here.</p>\n",
			(long long)dropped, dprocs);
	fprintf(o, "</div>\n");
}

int sl_analysis_write_html(const struct sl_analysis *a, FILE *o)
{
	char title[512];
	fprintf(o,
		"<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
		"<meta name=viewport content='width=device-width,initial-scale=1'>"
		"<title>sockleak report</title><style>%s</style></head><body>\n",
		css);
	fprintf(o, "<h1>sockleak report</h1>\n<div class=sum>");
	if (a->leaked)
		fprintf(o,
			"<span class=big id=leaked>%zu</span> leaked socket(s) at <b id=nsites>%zu</b> site(s)",
			a->leaked, sl_analysis_sites_total(a));
	else
		fprintf(o, "<span class='big ok' id=leaked>0</span> leaked sockets");
	fprintf(o,
		" &middot; %zu shared &middot; %zu enforced &middot; %zu suppressed &middot; "
		"%zu process(es), %zu record(s) from %zu input(s)%s</div>\n",
		a->shared_socks, a->enforced_socks, a->suppressed_socks, a->nprocs, a->records,
		a->inputs, a->bad ? ", some input lines were bad (see stderr)" : "");
	if (a->late_socks)
		fprintf(o,
			"<p id=late>Closed late: %zu of the leaked socket(s) were closed by the program "
			"after their report; they fail <code>sockleak run</code> only with "
			"fail_on_late=1, <code>sockleak report --exitcode</code> only with "
			"--fail-on-late.</p>\n",
			a->late_socks);
	fprintf(o, "<h2>Timeline: leaked sockets per process</h2>\n");
	timeline(o, a);
	fprintf(o,
		"<h2>Sites</h2>\n<table id=sites><thead><tr><th>#</th><th>kind</th><th>sockets</th>"
		"<th>where</th><th>kinds</th><th>enforced</th><th>shared</th><th>peers</th>"
		"<th>age (ms)</th><th>processes</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < a->nsites; i++) {
		const struct sl_site *st = a->sites[i];
		struct sl_site_stats ss;
		sl_site_stats(st, &ss);
		fprintf(o,
			"<tr class=site id='site-%u'><td class=n>%u</td><td><span class='kind k%d'>%s</span></td>"
			"<td class=n>%u</td><td>",
			st->rank, st->rank, (int)st->kind, sl_kind_names[st->kind], st->nsock);
		if (ss.file) {
			fprintf(o, "<code>");
			esc(o, sl_path(a, ss.file));
			fprintf(o, ":%d</code> ", ss.line);
		}
		esc(o, sl_site_title(st, title, sizeof title));
		const struct sl_leak *first = sl_site_first(st);
		if (first) { /* as the text's first: line, what a CI user finds the test by */
			char when[64], pn[128];
			sl_proc_name(first->ev.proc, pn, sizeof pn);
			fprintf(o, "<br><span class=first>first: %s, ",
				sl_fmt_utc(first->ev.ts, 0, when, sizeof when));
			esc(o, first->local ? first->local : "?");
			fprintf(o, " &harr; ");
			esc(o, first->peer ? first->peer : "?");
			fprintf(o, " in ");
			esc(o, pn);
			fprintf(o, "</span>");
		}
		fprintf(o, "</td><td>");
		for (int k = 0; k < SL_K_N; k++)
			if (ss.kinds[k])
				fprintf(o, "%s&nbsp;%u ", sl_kind_names[k], ss.kinds[k]);
		if (ss.late_closed)
			fprintf(o, "<br>closed&nbsp;late&nbsp;%u", ss.late_closed);
		fprintf(o, "</td><td class=n>%u</td><td class=n>%u</td><td>", ss.enforced,
			ss.shared);
		for (size_t j = 0; j < ss.npeers && j < SL_SITE_SET; j++) {
			esc(o, ss.peers[j]);
			fprintf(o, "<br>");
		}
		if (ss.npeers > SL_SITE_SET)
			fprintf(o, "&hellip;");
		fprintf(o, "</td><td>");
		if (ss.age_max != INT64_MIN)
			fprintf(o, "%lld&ndash;%lld", (long long)ss.age_min, (long long)ss.age_max);
		fprintf(o, "</td><td>");
		for (size_t j = 0; j < ss.nprocs; j++) {
			char pn[128];
			sl_proc_name(ss.procs[j], pn, sizeof pn);
			esc(o, pn);
			fprintf(o, "<br>");
		}
		fprintf(o,
			"</td></tr>\n<tr class=stacks><td></td><td colspan=9><details%s><summary>stacks</summary>",
			i < 5 ? " open" : "");
		if (st->open || !st->eof)
			stack_pre(o, a, "opened at", st->open);
		if (sl_site_handler(st))
			stack_pre(o, a, "handled at (its first write)", sl_site_handler(st));
		if (st->eof)
			stack_pre(o, a, "EOF read at (no close after it)", st->eof);
		fprintf(o, "</details></td></tr>\n");
	}
	fprintf(o, "</tbody></table>\n");
	if (a->more_sites)
		fprintf(o, "<p>%zu more site(s) with %zu leaked socket(s) not itemised (%s).</p>\n",
			a->more_sites, a->more_socks,
			a->nsites_all >= a->o.max_sites ? "past --max-sites" : "out of memory");
	if (a->lost_socks || a->oom)
		fprintf(o, "<p>Out of memory: %zu leaked socket(s) not grouped; %s</p>\n",
			a->lost_socks,
			a->oom == 1 ? "the input was read only in part" : "all input was read");
	if (a->shared_socks) {
		size_t shown = 0;
		fprintf(o, "<h2>Shared sockets</h2>\n<div id=stories>");
		for (size_t i = 0; i < a->nsites && shown < a->max_stories; i++)
			for (const struct sl_logged_sock *s = a->sites[i]->socks;
			     s && shown < a->max_stories; s = s->next_in_site) {
				if (!s->shared)
					continue;
				struct sctx c = {o, sl_story_t0(s), a};
				fprintf(o, "<div class=story><b>inode %llu</b> ",
					(unsigned long long)sl_logged_sock_inode(s));
				if (s->primary->peer) {
					fprintf(o, "peer ");
					esc(o, s->primary->peer);
				}
				fprintf(o, ", site #%u<ul>\n", a->sites[i]->rank);
				sl_story(a, s, story_li, &c);
				sl_story_holders(a, s, story_li, &c);
				fprintf(o, "</ul></div>\n");
				shown++;
			}
		if (shown < a->shared_socks)
			fprintf(o, "<p>%zu more shared socket(s): --stories N to include more.</p>",
				a->shared_socks - shown);
		fprintf(o, "</div>\n");
	}
	if (a->nsupp) {
		fprintf(o,
			"<h2>Suppressions</h2><table id=suppressions><tr><th>pattern</th><th>sockets</th></tr>");
		for (size_t i = 0; i < a->nsupp; i++) {
			fprintf(o, "<tr><td><code>leak:");
			esc(o, a->supp[i].pattern);
			fprintf(o, "</code></td><td class=n>%zu</td></tr>", a->supp[i].sockets);
		}
		fprintf(o, "</table>\n");
	}
	not_checked(o, a);
	fprintf(o, "<p class=sum>sockleak %s</p></body></html>\n", SL_VERSION);
	return ferror(o) ? EIO : 0;
}
