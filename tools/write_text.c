/* Text writers: the sanitizer-style summary (also what `sockleak run` prints) and the text
 * report, which is the summary plus the stories of shared sockets. Colour only when asked
 * (the command asks when stdout is a tty). Every string that came from a log goes out through
 * sl_term_puts (issue 11): a log is written by the program under test, and its strings must
 * not move the cursor, clear the screen, reorder the text or forge a SUMMARY line. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "model.h"

struct text_out {
	const struct sl_analysis *a;
	FILE *out;
	int64_t t0;
	int color;
};

static const char *if_color(const struct text_out *t, const char *code)
{
	return t->color ? code : "";
}
static void put_escaped(const struct text_out *t, const char *s) { sl_term_puts(t->out, s); }
/* Our own text and numbers, without a format to parse: some twenty fprintf calls a site were
 * a tenth of the text report of a million sites (issue 11) */
static void P(const struct text_out *t, const char *s) { fputs(s, t->out); }
static void I(const struct text_out *t, long long v)
{
	char b[24];
	size_t o = sizeof b;
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
	do {
		b[--o] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		b[--o] = '-';
	fwrite(b + o, 1, sizeof b - o, t->out);
}
#define BOLD "\033[1m"
#define RED "\033[1;31m"
#define BLUE "\033[34m"
#define DIM "\033[2m"
#define OFF "\033[0m"

static void print_stack(const struct text_out *t, const char *title, const struct sl_stack *s)
{
	const struct sl_analysis *a = t->a;
	int k = 0;
	fputs("  ", t->out);
	put_escaped(t, title);
	fputs(":\n", t->out);
	if (!s) {
		fprintf(t->out, "    (no stack recorded)\n");
		return;
	}
	for (struct sl_stack_walk w = {.s = s}; sl_stack_walk_next(&w); k++) {
		const struct sl_symf *sf = w.sf;
		const char *fn = sf && sf->func ? sf->func : w.fr->symbol;
		P(t, "    #");
		I(t, k);
		P(t, " ");
		P(t, if_color(t, BLUE));
		put_escaped(t, fn ? fn : "??");
		fputs(if_color(t, OFF), t->out);
		if (sf && sf->file) {
			fputc(' ', t->out);
			put_escaped(t, sl_path(a, sf->file));
			P(t, ":");
			I(t, sf->line);
		}
		if (sf && sf->inlined)
			P(t, " (inlined)");
		if (w.last) {
			char where[320];
			P(t, " ");
			P(t, if_color(t, DIM));
			P(t, "(");
			put_escaped(t, sl_frame_where(w.fr, where, sizeof where));
			P(t, ")");
			P(t, if_color(t, OFF));
		}
		if (w.sym && w.sym->note && w.last)
			fprintf(t->out, " (%s)", w.sym->note);
		fputc('\n', t->out);
	}
}

/* A log's realtime ns as "2026-12-01 18:40:12.345 UTC" ("?" when unknown). */
static void print_site(const struct text_out *t, const struct sl_site *st)
{
	char title[512];
	const struct sl_leak *first;
	struct sl_site_stats ss;
	sl_site_stats(st, &ss);
	P(t, if_color(t, RED));
	P(t, "Site #");
	I(t, st->rank);
	P(t, ": ");
	I(t, st->nsock);
	P(t, " leaked socket(s), ");
	put_escaped(t, sl_site_title(st, title, sizeof title));
	P(t, if_color(t, OFF));
	P(t, "\n");
	if (ss.file) {
		fputs("  at ", t->out);
		put_escaped(t, sl_path(t->a, ss.file));
		P(t, ":");
		I(t, ss.line);
		P(t, " in ");
		put_escaped(t, ss.func ? ss.func : "??");
		fputc('\n', t->out);
	}
	P(t, "  kinds:");
	for (int k = 0; k < SL_K_N; k++)
		if (ss.kinds[k]) {
			P(t, " ");
			P(t, sl_kind_names[k]);
			P(t, " ");
			I(t, ss.kinds[k]);
		}
	P(t, "; enforced ");
	I(t, ss.enforced);
	P(t, "; shared ");
	I(t, ss.shared);
	if (ss.late_closed) {
		P(t, "; closed late ");
		I(t, ss.late_closed);
	}
	fputc('\n', t->out);
	if (ss.npeers) {
		fprintf(t->out, "  peers:");
		for (size_t i = 0; i < ss.npeers && i < SL_SITE_SET; i++) {
			fputs(i ? ", " : " ", t->out);
			put_escaped(t, ss.peers[i]);
		}
		if (ss.npeers > SL_SITE_SET)
			fprintf(t->out, ", ...");
		fputc('\n', t->out);
	}
	if ((first = sl_site_first(st))) {
		char pn[128], when[64];

		/* what a CI user finds the test by: when, and the ports */
		fputs("  first: ", t->out);
		fputs(sl_fmt_utc(first->ev.ts, 0, when, sizeof when), t->out);
		fputs(", ", t->out);
		put_escaped(t, first->local ? first->local : "?");
		fputs(" <-> ", t->out);
		put_escaped(t, first->peer ? first->peer : "?");
		sl_proc_name(first->ev.proc, pn, sizeof pn);
		fputs(" in ", t->out);
		put_escaped(t, pn);
		fputc('\n', t->out);
	}
	if (ss.age_max != INT64_MIN) {
		P(t, "  age: min ");
		I(t, ss.age_min);
		P(t, " ms, max ");
		I(t, ss.age_max);
		P(t, " ms, mean ");
		I(t, ss.age_sum / (int64_t)st->nsock);
		P(t, " ms\n");
	}
	P(t, "  processes:");
	for (size_t i = 0; i < ss.nprocs; i++) {
		char pn[128];
		sl_proc_name(ss.procs[i], pn, sizeof pn);
		fputs(i ? ", " : " ", t->out);
		put_escaped(t, pn);
	}
	if (ss.nprocs == SL_SITE_SET)
		fprintf(t->out, ", ...");
	fputc('\n', t->out);
	if (st->open || !st->eof) {
		char h[128];
		sl_snprintf(h, sizeof h, "opened (%s) at", ss.role ? ss.role : "open");
		print_stack(t, h, st->open);
	}
	if (sl_site_handler(st))
		print_stack(t, "handled at (its first write)", sl_site_handler(st));
	if (st->eof)
		print_stack(t, "EOF read at (no close after it)", st->eof);
	fputc('\n', t->out);
}

static void story_line(void *ctx, const struct sl_story_item *it)
{
	struct text_out *t = ctx;
	const struct sl_frame *fr;
	const struct sl_symf *sf;
	if (it->ts != SL_NONE)
		fprintf(t->out, "    +%8.3f s  ", ((double)it->ts - (double)t->t0) / 1e9);
	else
		fprintf(t->out, "    end:        ");
	put_escaped(t, it->text);
	if (it->stack && sl_stack_site_frame(it->stack, &fr, &sf) >= 0) {
		char f[512];
		sl_fmt_frame(t->a, fr, sf, f, sizeof f);
		fputs(", at ", t->out);
		put_escaped(t, f);
	}
	fputc('\n', t->out);
}

static void print_story(struct text_out *t, const struct sl_site *site,
			const struct sl_logged_sock *s)
{
	const struct sl_leak *l = s->primary;
	const struct sl_proc *p = l->ev.proc;
	t->t0 = sl_story_t0(s);
	fprintf(t->out, "%sShared socket inode %llu%s", if_color(t, BOLD),
		(unsigned long long)sl_logged_sock_inode(s), if_color(t, OFF));
	if (l->local || l->peer) {
		fputs(" (", t->out);
		put_escaped(t, l->local ? l->local : "?");
		fputs(" <-> ", t->out);
		put_escaped(t, l->peer ? l->peer : "?");
		fputc(')', t->out);
	}
	if (p->host) {
		fputs(" on ", t->out);
		put_escaped(t, p->host);
	}
	if (site)
		fprintf(t->out, ", site #%u", site->rank);
	fprintf(t->out, ":\n");
	sl_story(t->a, s, story_line, t);
	sl_story_holders(t->a, s, story_line, t);
	fputc('\n', t->out);
}

static int write_text(const struct sl_analysis *a, FILE *out, size_t max_stories)
{
	struct text_out t = {a, out, 0, a->o.color};
	size_t procs = 0, uprocs;
	int64_t untracked, dropped;
	for (const struct sl_proc *p = a->proc_list; p; p = p->next)
		procs += p->nleaks > 0;
	if (a->oom == 1)
		fprintf(out,
			"==sockleak== out of memory after %zu line(s): this report covers only the "
			"input read until then\n\n",
			a->oom_lines);
	if (a->leaked)
		fprintf(out,
			"%s==sockleak== %zu leaked socket(s) at %zu site(s), in %zu process(es)%s\n\n",
			if_color(&t, RED), a->leaked, sl_analysis_sites_total(a), procs,
			if_color(&t, OFF));
	else
		fprintf(out,
			"==sockleak== no leaked sockets (%zu record(s) from %zu process(es))\n\n",
			a->records, a->nprocs);
	for (size_t i = 0; i < a->nsites; i++)
		print_site(&t, a->sites[i]);
	if (a->more_sites)
		fprintf(out, "%zu more site(s) with %zu leaked socket(s) not itemised (%s)\n\n",
			a->more_sites, a->more_socks,
			a->nsites_all >= a->o.max_sites ? "past --max-sites" : "out of memory");
	if (a->lost_socks)
		fprintf(out, "%zu leaked socket(s) not grouped into sites: out of memory\n\n",
			a->lost_socks);
	if (max_stories && a->shared_socks) {
		size_t shown = 0;
		fprintf(out, "%sStories of shared sockets%s (%zu):\n\n", if_color(&t, BOLD),
			if_color(&t, OFF), a->shared_socks);
		for (size_t i = 0; i < a->nsites && shown < max_stories; i++)
			for (const struct sl_logged_sock *s = a->sites[i]->socks;
			     s && shown < max_stories; s = s->next_in_site)
				if (s->shared) {
					print_story(&t, a->sites[i], s);
					shown++;
				}
		if (shown < a->shared_socks)
			fprintf(out, "(%zu more shared socket(s); --stories N to show more)\n\n",
				a->shared_socks - shown);
	}
	if (a->nsupp) {
		fprintf(out, "Suppressions used (%zu socket(s) suppressed):\n  sockets  pattern\n",
			a->suppressed_socks);
		for (size_t i = 0; i < a->nsupp; i++)
			if (a->supp[i].sockets) {
				fprintf(out, "  %7zu  leak:", a->supp[i].sockets);
				put_escaped(&t, a->supp[i].pattern);
				fputc('\n', out);
			}
		fputc('\n', out);
	}
	if (a->nuntracked) {
		sl_analysis_write_ran_without(a, out, "", 20);
		fputc('\n', out);
	}
	untracked = sl_analysis_untracked(a, &uprocs);
	if (untracked)
		fprintf(out,
			"Not tracked: %lld socket(s) in %zu process(es): the preload had no memory "
			"for its tables then, so a leak among them could not be reported.\n\n",
			(long long)untracked, uprocs);
	dropped = sl_analysis_dropped(a, &uprocs);
	if (dropped)
		fprintf(out,
			"Not written: %lld record(s) could not be written, in %zu process(es) "
			"(a full disk, or no log): leaks among them are missing here.\n\n",
			(long long)dropped, uprocs);
	if (a->late_socks)
		fprintf(out,
			"Closed late: %zu of the leaked socket(s) were closed by the program after "
			"their report (held past grace_ms, then closed); `sockleak run` fails on them "
			"only with fail_on_late=1, `sockleak report --exitcode` only with "
			"--fail-on-late.\n\n",
			a->late_socks);
	/* never coloured: CI greps this line */
	fprintf(out, "SUMMARY: sockleak: %zu leaked socket(s) at %zu site(s)\n", a->leaked,
		sl_analysis_sites_total(a));
	return ferror(out) ? EIO : 0;
}

int sl_analysis_write_summary(const struct sl_analysis *a, FILE *out)
{
	int lk = sl_stream_own(out), r = write_text(a, out, 0);
	sl_stream_give_back(out, lk);
	return r;
}

int sl_analysis_write_text(const struct sl_analysis *a, FILE *out, size_t max_stories)
{
	int lk = sl_stream_own(out), r = write_text(a, out, max_stories);
	sl_stream_give_back(out, lk);
	return r;
}
