/* The live view; see live.h. */
#include "live.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../preload/options.h"
#include "files.h"
#include "model.h"

#define SL_ENV_MAX (256 * 1024) /* /proc/PID/environ read at most this far */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Whether libsockleak.so is mapped: the truth, whatever LD_PRELOAD says. */
static int has_preload(pid_t pid)
{
	char path[64], line[512];
	FILE *f;
	int yes = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	while (!yes && fgets(line, sizeof(line), f))
		yes = strstr(line, "/libsockleak.so") != NULL;
	fclose(f);
	return yes;
}

/* The log file of a preloaded process, from its SOCKLEAK_OPTIONS, parsed by the preload's own
 * parser. Only file logs can be joined: stderr and syslog are not ours to read back. */
static void env_log(pid_t pid, char *out, size_t cap)
{
	char path[64], *env = malloc(SL_ENV_MAX + 1);
	ssize_t n;

	out[0] = '\0';
	if (!env)
		return;
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	n = sl_read_small(path, env, SL_ENV_MAX + 1);
	for (ssize_t i = 0; n > 0 && i < n;) {
		char *v = env + i;
		size_t len = strnlen(v, (size_t)(n - i));

		v[len < (size_t)(n - i) ? len : (size_t)(n - i - 1)] = '\0';
		if (!strncmp(v, "SOCKLEAK_OPTIONS=", 17)) {
			struct sl_opts o;
			sl_opts_default(&o);
			sl_opts_parse(&o, v + 17, NULL, NULL);
			/* a relative prefix is relative to that process's cwd: not joined */
			if (sl_opts_sink(o.log_path, NULL) == SL_SINK_FILES && o.log_path[0] == '/')
				if ((size_t)snprintf(out, cap, "%s.%d", o.log_path, (int)pid) >=
				    cap)
					out[0] = '\0';
		}
		i += (ssize_t)len + 1;
	}
	free(env);
}

static void user_name(uid_t uid, char *out, size_t cap)
{
	struct passwd pw, *r = NULL;
	char buf[1024];

	if (!getpwuid_r(uid, &pw, buf, sizeof(buf), &r) && r)
		snprintf(out, cap, "%s", r->pw_name);
	else
		snprintf(out, cap, "%u", (unsigned)uid);
}

struct tally {
	char key[48];
	unsigned port;
	size_t n;
};

static int tally_cmp(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	return x->n != y->n ? (x->n < y->n ? 1 : -1) : strcmp(x->key, y->key);
}

/* Add one to key in t[0..*n) (linear: a process's peers are few; the table holds them all). */
static void tally_add(struct tally *t, size_t *n, const char *key, unsigned port)
{
	for (size_t i = 0; i < *n; i++)
		if (t[i].port == port && !strcmp(t[i].key, key)) {
			t[i].n++;
			return;
		}
	snprintf(t[*n].key, sizeof(t[*n].key), "%s", key);
	t[*n].port = port;
	t[*n].n = 1;
	(*n)++;
}

/* The peer's address without its (ephemeral) port. */
static void peer_host(const struct sl_cw *c, char *buf, size_t cap)
{
	char a[80];
	sl_cw_addr(c, 1, a, sizeof(a));
	char *colon = strrchr(a, ':');
	if (colon)
		*colon = '\0';
	snprintf(buf, cap, "%.*s", (int)cap - 1, a);
}

static void row_tops(struct sl_live *l, struct sl_live_row *r, const struct sl_cw **socks, size_t n)
{
	struct tally *peers = calloc(n ? n : 1, sizeof(*peers));
	struct tally *ports = calloc(n ? n : 1, sizeof(*ports));
	size_t np = 0, nq = 0;
	char host[48];

	(void)l;
	if (!peers || !ports)
		goto out;
	for (size_t i = 0; i < n; i++) {
		peer_host(socks[i], host, sizeof(host));
		tally_add(peers, &np, host, 0);
		tally_add(ports, &nq, "", socks[i]->sport);
	}
	qsort(peers, np, sizeof(*peers), tally_cmp);
	qsort(ports, nq, sizeof(*ports), tally_cmp);
	for (size_t i = 0; i < np && i < SL_LIVE_TOP; i++) {
		snprintf(r->peers[i], sizeof(r->peers[i]), "%s", peers[i].key);
		r->peer_n[i] = peers[i].n;
		r->npeers++;
	}
	for (size_t i = 0; i < nq && i < SL_LIVE_TOP; i++) {
		r->ports[i] = ports[i].port;
		r->port_n[i] = ports[i].n;
		r->nports++;
	}
out:
	free(peers);
	free(ports);
}

static char boot_id[40];

/* The site of one CLOSE_WAIT socket in an analysed log, when a leak record of this process
 * names it. */
static const struct sl_site *site_of(struct sl_analysis *a, uint64_t inode, pid_t pid)
{
	struct sl_logged_sock *s = sl_logged_sock_find(a, sl_internz(a, boot_id), inode);

	if (!s || !s->primary || !sl_logged_sock_site(a, s))
		return NULL;
	for (int i = 0; i < s->nholders && i < SL_SITE_SET; i++)
		if (sl_logged_sock_holder(s, (size_t)i) &&
		    sl_logged_sock_holder(s, (size_t)i)->pid == pid)
			return sl_logged_sock_site(a, s);
	return NULL;
}

/* A site as the report shows it: its kind family, its number, and the frame of its location
 * line (the open call, else the EOF read, else the handler or the inherited socket's process);
 * the key's hash tells apart sites that show the same frame (one accept() line, two EOF
 * reads). */
static void site_fill(const struct sl_analysis *a, const struct sl_site *st,
		      struct sl_live_site *out)
{
	struct sl_site_stats ss;
	char *buf = out->where;
	size_t cap = sizeof(out->where);

	sl_site_stats(st, &ss);
	if (ss.file)
		snprintf(buf, cap, "%s:%d in %s", sl_path(a, ss.file), ss.line,
			 ss.func ? ss.func : "??");
	else if (ss.func)
		snprintf(buf, cap, "%s", ss.func);
	else
		snprintf(buf, cap, "%s socket in %s", ss.role ? ss.role : "inherited",
			 ss.module ? sl_base(ss.module) : "??");
	snprintf(out->key, sizeof(out->key), "%016llx", (unsigned long long)sl_site_keyhash(st));
	out->kind = sl_kind_names[st->kind];
	out->rank = st->rank;
	out->n = 0;
}

static void row_sites(struct sl_analysis *a, struct sl_live_row *r, const struct sl_cw **socks,
		      size_t n)
{
	const struct sl_site *seen[SL_LIVE_SITES];

	for (size_t i = 0; i < n; i++) {
		const struct sl_site *st = site_of(a, socks[i]->inode, r->pid);
		int j;

		if (!st) {
			r->unreported++;
			continue;
		}
		/* the analyser's site itself, not its name: two sites can show one frame */
		for (j = 0; j < r->nsites && seen[j] != st; j++)
			;
		if (j == r->nsites) {
			if (j == SL_LIVE_SITES) { /* more sites than shown: counted apart */
				r->more_sites++;
				continue;
			}
			seen[j] = st;
			site_fill(a, st, &r->sites[j]);
			r->nsites++;
		}
		r->sites[j].n++;
	}
	for (int i = 1; i < r->nsites; i++) /* most sockets first, then as the report ranks them */
		for (int j = i; j > 0 && (r->sites[j].n > r->sites[j - 1].n ||
					  (r->sites[j].n == r->sites[j - 1].n &&
					   r->sites[j].rank < r->sites[j - 1].rank));
		     j--) {
			struct sl_live_site t = r->sites[j];
			r->sites[j] = r->sites[j - 1];
			r->sites[j - 1] = t;
		}
}

/* Add one path to an analysis: a directory through the analyser's walk, a file only when it
 * is a regular file reached without a symlink. A log named by a process's environment must
 * also be as the preload makes it: its process's user's (owner), and nobody else may write it
 * (the preload appends to no other): otherwise any user could point root's `sockleak top` at a
 * file of someone else's, or write records for another user's process. */
static void add_log(struct sl_analysis *a, const char *path, uid_t owner)
{
	struct sl_file_rule rule = {.owner = owner, .flags = SL_FILE_NOT_SHARED};
	struct stat st;
	const char *why;
	int fd;
	FILE *f;

	if (owner == (uid_t)-1 && !lstat(path, &st) && S_ISDIR(st.st_mode)) {
		sl_analysis_add_path(a, path);
		return;
	}
	if ((fd = sl_open_file_at(AT_FDCWD, path, owner == (uid_t)-1 ? NULL : &rule, &st, &why)) <
	    0)
		return;
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		return;
	}
	sl_analysis_add_stream(a, f, path);
	fclose(f);
}

/* The logs given with --logs (paths), or one process's own log (its owner's file). */
static struct sl_analysis *analyse(char **paths, int n, const char *own, uid_t owner)
{
	struct sl_analysis_opts o = {.max_bad_lines = 1};
	struct sl_analysis *a = sl_analysis_new(&o);

	if (!a)
		return NULL;
	for (int i = 0; i < n; i++)
		add_log(a, paths[i], (uid_t)-1);
	if (own && *own)
		add_log(a, own, owner);
	if (sl_analysis_finish(a)) {
		sl_analysis_free(a);
		return NULL;
	}
	return a;
}

static int row_cmp(const void *x, const void *y)
{
	const struct sl_live_row *a = x, *b = y;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	if (a->oldest_ms != b->oldest_ms)
		return a->oldest_ms < b->oldest_ms ? 1 : -1;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

/* The exporter's leak series: one per site of the report on the same logs, in its ranking
 * (most sockets first), as many as --max-series writes; the rest, and what the analyser
 * counted without itemising, summed. */
static void stats_from(struct sl_live *l, struct sl_analysis *a)
{
	struct sl_live_stats *s = &l->stats;
	size_t keep = l->max_series ? l->max_series : SL_LIVE_SERIES;

	free(s->sites);
	memset(s, 0, sizeof(*s));
	if (!a)
		return;
	s->bad_lines = sl_analysis_bad_lines(a);
	s->enforced = a->enforced_socks;
	s->other = a->more_socks + a->lost_socks;
	if (keep > a->nsites)
		keep = a->nsites;
	if (keep && !(s->sites = calloc(keep, sizeof(*s->sites))))
		keep = 0;
	for (size_t i = 0; i < a->nsites; i++) {
		const struct sl_site *st = a->sites[i];
		const struct sl_leak *first = sl_site_first(st);
		const struct sl_proc *p = first ? first->ev.proc : NULL;
		struct sl_live_series *e;

		if (i >= keep) {
			s->other += st->nsock;
			continue;
		}
		e = &s->sites[s->nsites];
		site_fill(a, st, &e->site);
		e->site.n = st->nsock;
		snprintf(e->comm, sizeof(e->comm), "%s",
			 p && (p->argv0 || p->exe) ? sl_base(p->argv0 ? p->argv0 : p->exe) : "");
		s->nsites++;
	}
}

static long prev_count(const struct sl_live *l, pid_t pid, int *found)
{
	for (size_t i = 0; i < l->nprev; i++)
		if (l->prev[i].pid == pid) {
			*found = 1;
			return (long)l->prev[i].count;
		}
	*found = 0;
	return 0;
}

static int build_rows(struct sl_live *l, struct sl_analysis *logs)
{
	struct sl_cw_snap *s = &l->snap;
	const struct sl_cw **by = malloc((s->n ? s->n : 1) * sizeof(*by));
	size_t *start = calloc(s->nprocs + 1, sizeof(*start));

	if (!by || !start) {
		free(by);
		free(start);
		return ENOMEM;
	}
	if (s->nprocs > l->rows_cap) {
		void *v = realloc(l->rows, s->nprocs * sizeof(*l->rows));
		if (!v) {
			free(by);
			free(start);
			return ENOMEM;
		}
		l->rows = v;
		l->rows_cap = s->nprocs;
	}
	/* sockets grouped by owner: a counting sort */
	for (size_t i = 0; i < s->n; i++)
		if (s->cw[i].owner >= 0)
			start[s->cw[i].owner + 1]++;
	for (size_t p = 0; p < s->nprocs; p++)
		start[p + 1] += start[p];
	{
		size_t *fill = calloc(s->nprocs + 1, sizeof(*fill));
		if (fill) {
			for (size_t i = 0; i < s->n; i++)
				if (s->cw[i].owner >= 0) {
					size_t o = (size_t)s->cw[i].owner;
					by[start[o] + fill[o]++] = &s->cw[i];
				}
			free(fill);
		}
	}
	l->nrows = s->nprocs;
	for (size_t p = 0; p < s->nprocs; p++) {
		struct sl_live_row *r = &l->rows[p];
		const struct sl_cw_proc *cp = &s->procs[p];
		int found;
		long was;

		memset(r, 0, sizeof(*r));
		r->pid = cp->pid;
		r->uid = cp->uid;
		user_name(cp->uid, r->user, sizeof(r->user));
		snprintf(r->comm, sizeof(r->comm), "%s", cp->comm);
		r->count = cp->count;
		r->oldest_ms = cp->oldest_ms;
		was = prev_count(l, cp->pid, &found);
		r->has_delta = l->refreshed;
		r->delta = (long)cp->count - (found ? was : 0);
		row_tops(l, r, by + start[p], start[p + 1] - start[p]);
		r->preload = has_preload(cp->pid);
		if (!r->preload)
			continue;
		env_log(cp->pid, r->log, sizeof(r->log));
		if (logs)
			row_sites(logs, r, by + start[p], start[p + 1] - start[p]);
		if (!r->nsites && r->log[0]) {
			struct sl_analysis *own = analyse(NULL, 0, r->log, r->uid);
			if (own) {
				r->unreported = 0;
				row_sites(own, r, by + start[p], start[p + 1] - start[p]);
				sl_analysis_free(own);
			}
		} else if (!logs) {
			r->unreported = r->count;
		}
	}
	free(by);
	free(start);
	/* none readable (not root): rows may still be NULL, which qsort may not get */
	if (l->nrows)
		qsort(l->rows, l->nrows, sizeof(*l->rows), row_cmp);
	return 0;
}

static void remember(struct sl_live *l)
{
	void *v = realloc(l->prev, (l->nrows ? l->nrows : 1) * sizeof(*l->prev));
	if (!v) {
		l->nprev = 0;
		return;
	}
	l->prev = v;
	for (size_t i = 0; i < l->nrows; i++) {
		l->prev[i].pid = l->rows[i].pid;
		l->prev[i].count = l->rows[i].count;
	}
	l->nprev = l->nrows;
}

int sl_live_refresh(struct sl_live *l)
{
	double t0 = now_ms(), t1;
	struct sl_analysis *logs = NULL;
	int err;

	if (!boot_id[0])
		sl_boot_id(boot_id, sizeof(boot_id));
	err = sl_cw_take(&l->snap);
	t1 = now_ms();
	l->snap_ms = t1 - t0;
	if (err)
		return err;
	if (l->nlogs)
		logs = analyse(l->logs, l->nlogs, NULL, (uid_t)-1);
	stats_from(l, logs);
	err = build_rows(l, logs);
	if (logs)
		sl_analysis_free(logs);
	if (err)
		return err;
	remember(l);
	l->refreshed = 1;
	l->refresh_ms = now_ms() - t0;
	return 0;
}

void sl_live_free(struct sl_live *l)
{
	sl_cw_free(&l->snap);
	free(l->rows);
	free(l->prev);
	free(l->stats.sites);
	l->rows = NULL;
	l->prev = NULL;
	l->stats.sites = NULL;
}
