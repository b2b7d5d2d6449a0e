/* The writers of the live view: a terminal table, JSON for scripts, and the Prometheus text
 * exposition format (also what `sockleak exporter` serves). */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "jwrite.h"
#include "live.h"

#define SL_LABEL_MAX 128 /* bytes of a label value: a path or a command, never a story */

static void fmt_age(int64_t ms, char *buf, size_t cap)
{
	if (ms < 0)
		snprintf(buf, cap, "?");
	else if (ms < 60000)
		snprintf(buf, cap, "%.1fs", (double)ms / 1000);
	else if (ms < 3600000)
		snprintf(buf, cap, "%dm%02ds", (int)(ms / 60000), (int)(ms / 1000 % 60));
	else
		snprintf(buf, cap, "%dh%02dm", (int)(ms / 3600000), (int)(ms / 60000 % 60));
}

static const char *hint(const struct sl_live_row *r)
{
	if (r->preload)
		return NULL;
	return "not under sockleak: restart it with LD_PRELOAD=libsockleak.so "
	       "SOCKLEAK_OPTIONS=log_path=/var/log/sockleak/log (or `sockleak run -- CMD`) to see "
	       "where these sockets were opened";
}

int sl_live_write_text(const struct sl_live *l, const struct sl_live_out *o, FILE *out)
{
	const char *b = o->color ? "\033[1m" : "", *n = o->color ? "\033[0m" : "";
	size_t total = 0;
	char comm[256], user[140], age[32], s[1600];

	for (size_t i = 0; i < l->nrows; i++)
		total += l->rows[i].count;
	fprintf(out,
		"%ssockleak top%s: %zu socket(s) in CLOSE_WAIT in %zu process(es); "
		"refresh %.1f ms; ages are estimates from tcp_info\n\n",
		b, n, total + l->snap.unattributed, l->nrows, l->refresh_ms);
	fprintf(out, "%s%7s %-10s %-16s %10s %7s %8s  %s%s\n", b, "PID", "USER", "COMMAND",
		"CLOSE_WAIT", "CHANGE", "OLDEST~", "PEERS / LOCAL PORTS", n);
	for (size_t i = 0; i < l->nrows; i++) {
		const struct sl_live_row *r = &l->rows[i];
		char delta[24], tops[512];
		size_t t = 0;

		sl_term_str(comm, sizeof(comm), r->comm);
		sl_term_str(user, sizeof(user), r->user);
		fmt_age(r->oldest_ms, age, sizeof(age));
		if (r->has_delta)
			snprintf(delta, sizeof(delta), "%+ld", r->delta);
		else
			snprintf(delta, sizeof(delta), "-");
		tops[0] = '\0';
		for (int j = 0; j < r->npeers && t < sizeof(tops); j++)
			t += (size_t)snprintf(tops + t, sizeof(tops) - t, "%s%s (%zu)",
					      j ? ", " : "", r->peers[j], r->peer_n[j]);
		for (int j = 0; j < r->nports && t < sizeof(tops); j++)
			t += (size_t)snprintf(tops + t, sizeof(tops) - t, "%s:%u (%zu)",
					      j ? ", " : " / ", r->ports[j], r->port_n[j]);
		/* The command whole, escaped: cutting it could cut an escape in half. */
		fprintf(out, "%7d %-10.10s %-16s %10zu %7s %8s  %s\n", (int)r->pid, user, comm,
			r->count, delta, age, tops);
		for (int j = 0; j < r->nsites; j++) {
			/* as the report's "Site #N" and its location line */
			sl_term_str(s, sizeof(s), r->sites[j].where);
			fprintf(out, "%27s site #%u: %s at %s (%zu socket%s)\n", "",
				r->sites[j].rank, r->sites[j].kind, s, r->sites[j].n,
				r->sites[j].n == 1 ? "" : "s");
		}
		if (r->more_sites)
			fprintf(out, "%27s %zu socket(s) at sites past the %d shown\n", "",
				r->more_sites, SL_LIVE_SITES);
		if (r->preload && r->unreported)
			fprintf(out,
				"%27s %zu not named by a leak record (yet: younger than grace_ms, "
				"or %s)\n",
				"", r->unreported,
				r->log[0] ? "not in the log" : "no log given: --logs DIR");
		if (hint(r))
			fprintf(out, "%27s hint: %s\n", "", hint(r));
	}
	if (!l->nrows && !l->snap.unattributed)
		fprintf(out, "no TCP socket in CLOSE_WAIT\n");
	if (l->snap.unattributed)
		fprintf(out,
			"\n%zu socket(s) in CLOSE_WAIT could not be attributed to a process "
			"(%s)\n",
			l->snap.unattributed,
			geteuid() ? "held by other users' processes: run as root to see them"
				  : "held by no process we could read");
	return ferror(out) ? EIO : 0;
}

/* Built with the reports' writer (jwrite.h): every string from a process or a log whole, with
 * its invalid bytes as U+FFFD and everything past ASCII as \u escapes. */
int sl_live_write_json(const struct sl_live *l, FILE *out)
{
	struct sl_jsondoc w;
	struct timespec ts;
	int r;

	sl_jsondoc_init(&w, 2, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	sl_jsondoc_open(&w, '{');
	sl_jsondoc_kint(&w, "ts_ns", (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
	sl_jsondoc_key(&w, "refresh_ms");
	sl_jsondoc_real(&w, l->refresh_ms);
	sl_jsondoc_key(&w, "snapshot_ms");
	sl_jsondoc_real(&w, l->snap_ms);
	sl_jsondoc_kint(&w, "fd_links_read", (int64_t)l->snap.fds_read);
	sl_jsondoc_key(&w, "age_is_estimate");
	sl_jsondoc_bool(&w, 1);
	sl_jsondoc_kint(&w, "unattributed", (int64_t)l->snap.unattributed);
	sl_jsondoc_kint(&w, "unreadable_processes", (int64_t)l->snap.unreadable);
	sl_jsondoc_key(&w, "processes");
	sl_jsondoc_open(&w, '[');
	for (size_t i = 0; i < l->nrows; i++) {
		const struct sl_live_row *p = &l->rows[i];

		sl_jsondoc_open(&w, '{');
		sl_jsondoc_kint(&w, "pid", p->pid);
		sl_jsondoc_kint(&w, "uid", p->uid);
		sl_jsondoc_kstr(&w, "user", p->user);
		sl_jsondoc_kstr(&w, "comm", p->comm);
		sl_jsondoc_kint(&w, "close_wait", (int64_t)p->count);
		sl_jsondoc_key(&w, "delta");
		if (p->has_delta)
			sl_jsondoc_int(&w, p->delta);
		else
			sl_jsondoc_null(&w);
		sl_jsondoc_key(&w, "oldest_age_ms");
		if (p->oldest_ms >= 0)
			sl_jsondoc_int(&w, p->oldest_ms);
		else
			sl_jsondoc_null(&w);
		sl_jsondoc_key(&w, "peers");
		sl_jsondoc_open(&w, '[');
		for (int j = 0; j < p->npeers; j++) {
			sl_jsondoc_open(&w, '{');
			sl_jsondoc_kstr(&w, "addr", p->peers[j]);
			sl_jsondoc_kint(&w, "sockets", (int64_t)p->peer_n[j]);
			sl_jsondoc_close(&w, '}');
		}
		sl_jsondoc_close(&w, ']');
		sl_jsondoc_key(&w, "local_ports");
		sl_jsondoc_open(&w, '[');
		for (int j = 0; j < p->nports; j++) {
			sl_jsondoc_open(&w, '{');
			sl_jsondoc_kint(&w, "port", p->ports[j]);
			sl_jsondoc_kint(&w, "sockets", (int64_t)p->port_n[j]);
			sl_jsondoc_close(&w, '}');
		}
		sl_jsondoc_close(&w, ']');
		sl_jsondoc_key(&w, "preload");
		sl_jsondoc_bool(&w, p->preload);
		sl_jsondoc_kstr(&w, "log", p->log[0] ? p->log : NULL);
		sl_jsondoc_key(&w, "sites");
		sl_jsondoc_open(&w, '[');
		for (int j = 0; j < p->nsites; j++) {
			const struct sl_live_site *st = &p->sites[j];
			sl_jsondoc_open(&w, '{');
			sl_jsondoc_kint(&w, "rank", st->rank);
			sl_jsondoc_kstr(&w, "kind", st->kind);
			sl_jsondoc_kstr(&w, "site", st->where);
			sl_jsondoc_kstr(&w, "key", st->key);
			sl_jsondoc_kint(&w, "sockets", (int64_t)st->n);
			sl_jsondoc_close(&w, '}');
		}
		sl_jsondoc_close(&w, ']');
		sl_jsondoc_kint(&w, "more_sites", (int64_t)p->more_sites);
		sl_jsondoc_kint(&w, "unreported", (int64_t)p->unreported);
		sl_jsondoc_kstr(&w, "hint", hint(p));
		sl_jsondoc_close(&w, '}');
	}
	sl_jsondoc_close(&w, ']');
	sl_jsondoc_close(&w, '}');
	sl_jsondoc_raw(&w, "\n", 1);
	r = sl_jsondoc_flush(&w, out);
	sl_jsondoc_free(&w);
	return r || ferror(out) ? (r ? r : EIO) : 0;
}

/* A label value: escaped as on the terminal (escape.h: controls and invalid bytes made
 * visible, so the value is valid UTF-8 on one line), cut at SL_LABEL_MAX on a character
 * boundary, then escaped for the text format (backslash and quote). */
static void prom_label(FILE *out, const char *s)
{
	char t[4 * SL_LABEL_MAX + 8];

	sl_term_str(t, sizeof(t), s);
	t[SL_LABEL_MAX] = '\0';
	sl_utf8_trim(t);
	for (const char *p = t; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', out);
		fputc(*p, out);
	}
}

static void prom_head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int sl_live_write_prom(const struct sl_live *l, const struct sl_live_out *o, FILE *out)
{
	size_t max = o->max_series ? o->max_series : 1;
	size_t other = 0;
	int64_t other_age = -1;

	prom_head(
		out, "sockleak_close_wait_sockets", "gauge",
		"TCP sockets in CLOSE_WAIT held by the process (pid=\"other\": the processes past --max-series, summed).");
	for (size_t i = 0; i < l->nrows; i++) {
		const struct sl_live_row *r = &l->rows[i];
		if (i >= max) {
			other += r->count;
			continue;
		}
		fprintf(out, "sockleak_close_wait_sockets{pid=\"%d\",comm=\"", (int)r->pid);
		prom_label(out, r->comm);
		fprintf(out, "\"} %zu\n", r->count);
	}
	if (other)
		fprintf(out, "sockleak_close_wait_sockets{pid=\"other\",comm=\"other\"} %zu\n",
			other);
	prom_head(
		out, "sockleak_close_wait_oldest_seconds", "gauge",
		"Age of the process's oldest CLOSE_WAIT socket, estimated from tcp_info (time since the peer last sent anything).");
	for (size_t i = 0; i < l->nrows; i++) {
		const struct sl_live_row *r = &l->rows[i];
		if (r->oldest_ms < 0)
			continue;
		if (i >= max) {
			if (r->oldest_ms > other_age)
				other_age = r->oldest_ms;
			continue;
		}
		fprintf(out, "sockleak_close_wait_oldest_seconds{pid=\"%d\",comm=\"", (int)r->pid);
		prom_label(out, r->comm);
		fprintf(out, "\"} %.3f\n", (double)r->oldest_ms / 1000);
	}
	if (other_age >= 0)
		fprintf(out,
			"sockleak_close_wait_oldest_seconds{pid=\"other\",comm=\"other\"} %.3f\n",
			(double)other_age / 1000);
	prom_head(
		out, "sockleak_close_wait_unattributed_sockets", "gauge",
		"CLOSE_WAIT sockets whose process could not be read (other users' without root).");
	fprintf(out, "sockleak_close_wait_unattributed_sockets %zu\n", l->snap.unattributed);

	/* One series per site of `sockleak report` on the same logs: site_key keeps two sites that
	 * show one frame apart (two series with one label set would be one to Prometheus), and
	 * stays the same across scrapes and runs while the rank does not. */
	prom_head(
		out, "sockleak_leaked_sockets_total", "counter",
		"Leaked sockets in the logs given with --logs, one series per leak site as sockleak report groups them (site=\"other\": past --max-series).");
	other = l->stats.other;
	for (size_t i = 0; i < l->stats.nsites; i++) {
		const struct sl_live_series *s = &l->stats.sites[i];
		if (i >= max) {
			other += s->site.n;
			continue;
		}
		fprintf(out, "sockleak_leaked_sockets_total{kind=\"%s\",site=\"", s->site.kind);
		prom_label(out, s->site.where);
		fprintf(out, "\",site_key=\"%s\",comm=\"", s->site.key);
		prom_label(out, s->comm);
		fprintf(out, "\"} %zu\n", s->site.n);
	}
	if (other)
		fprintf(out,
			"sockleak_leaked_sockets_total{kind=\"other\",site=\"other\",site_key=\"other\",comm=\"other\"} %zu\n",
			other);
	prom_head(out, "sockleak_enforced_sockets_total", "counter",
		  "Sockets sockleak shut down (enforce=1), in the logs given with --logs.");
	fprintf(out, "sockleak_enforced_sockets_total %zu\n", l->stats.enforced);
	prom_head(
		out, "sockleak_log_bad_lines_total", "counter",
		"Lines of the logs given with --logs named as bad: not a sockleak record, or one that breaks the log format (used as far as it could be read).");
	fprintf(out, "sockleak_log_bad_lines_total %zu\n", l->stats.bad_lines);
	prom_head(out, "sockleak_scrape_duration_seconds", "gauge",
		  "Time this scrape took: sock_diag, the /proc walk and the logs.");
	fprintf(out, "sockleak_scrape_duration_seconds %.6f\n",
		(o->scrape_s >= 0 ? o->scrape_s : l->refresh_ms / 1000));
	return ferror(out) ? EIO : 0;
}
