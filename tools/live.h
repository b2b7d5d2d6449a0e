/* The live view behind `sockleak top` and `sockleak exporter`: one refresh takes the host's
 * CLOSE_WAIT sockets with their owners (cwdiag.h), groups them by process, remembers the
 * previous counts for the change since the last refresh, and for processes running under the
 * preload joins the leak sites from their logs through the analyser (analysis.h), so a site is
 * named the way `sockleak report` names it.
 *
 * Logs come from --logs (files and directories, read whole each refresh) or, for a process
 * whose environment we may read, from its SOCKLEAK_OPTIONS log_path (the file PREFIX.PID).
 * Both are input we do not trust: only regular files are read, never through a symlink, and
 * every string is escaped where it is printed. */
#ifndef SL_LIVE_H
#define SL_LIVE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "cwdiag.h"

#define SL_LIVE_TOP 3   /* peers and local ports shown per process */
#define SL_LIVE_SITES 4 /* leak sites shown per process */

/* A site as `sockleak report` has it (issue 12: one notion of a site): grouped by the analyser's
 * site key, so two report sites that share their open frame stay two here, and named as the
 * report names them: the kind family, and the frame its location line shows. */
struct sl_live_site {
	char where[400];  /* "file:line in function", raw: escape before printing */
	char key[17];     /* the site key's hash in hex: the same site in every view and run */
	const char *kind; /* the kind family, sl_kind_names */
	uint32_t rank;    /* its number in `sockleak report` of the same logs */
	size_t n;         /* of this process's CLOSE_WAIT sockets */
};

struct sl_live_row {
	pid_t pid;
	uid_t uid;
	char user[33];
	char comm[64]; /* raw */
	size_t count;
	long delta;        /* since the previous refresh */
	int has_delta;     /* 0 on the first refresh, or a process not seen then */
	int64_t oldest_ms; /* estimate; -1 unknown */
	char peers[SL_LIVE_TOP][48];
	size_t peer_n[SL_LIVE_TOP];
	int npeers;
	unsigned ports[SL_LIVE_TOP];
	size_t port_n[SL_LIVE_TOP];
	int nports;
	int preload;   /* libsockleak.so is mapped in the process */
	char log[512]; /* the log joined ("" none), raw */
	struct sl_live_site sites[SL_LIVE_SITES];
	int nsites;
	size_t more_sites; /* CLOSE_WAIT sockets at its sites past the SL_LIVE_SITES shown */
	size_t unreported; /* CLOSE_WAIT sockets no leak record names (yet) */
};

struct sl_live_stats { /* from the logs given with --logs, for the exporter */
	size_t nsites; /* the report's sites, ranked: at most --max-series of them */
	struct sl_live_series {
		struct sl_live_site site; /* n: all its leaked sockets */
		char comm[64]; /* of its first leak's process, as the report's "first:" */
	} * sites;
	size_t other; /* leaked sockets of the sites past those */
	size_t enforced;
	size_t bad_lines;
};

struct sl_live {
	char **logs; /* --logs paths */
	int nlogs;
	struct sl_cw_snap snap;
	struct sl_live_row *rows; /* sorted by count, then oldest age */
	size_t nrows, rows_cap;
	struct sl_live_prev {
		pid_t pid;
		size_t count;
	} * prev;
	size_t nprev;
	int refreshed;
	double refresh_ms; /* the last refresh, wall clock */
	double snap_ms;    /* of which sock_diag and the /proc walk */
	struct sl_live_stats stats;
	size_t max_series; /* --max-series: sites kept in stats (0: SL_LIVE_SERIES) */
};

#define SL_LIVE_SERIES 200 /* --max-series by default */

/* 0 or an errno value (a failed sock_diag dump). */
int sl_live_refresh(struct sl_live *l);
void sl_live_free(struct sl_live *l);

/* Writers of one refresh (live_out.c). */
struct sl_live_out {
	int color;         /* ANSI emphasis in the text view */
	size_t max_series; /* prometheus: series per metric before the rest goes to "other" */
	double scrape_s;   /* prometheus: sockleak_scrape_duration_seconds; <0: the refresh's */
};
int sl_live_write_text(const struct sl_live *l, const struct sl_live_out *o, FILE *out);
int sl_live_write_json(const struct sl_live *l, FILE *out);
int sl_live_write_prom(const struct sl_live *l, const struct sl_live_out *o, FILE *out);
/* Options top and the exporter share (cmd_top.c): --logs PATH..., --max-series N. 1 when
 * argv[*i] was one (consumed), 0 when not, -1 after naming a bad value on stderr. */
int sl_live_common_opt(struct sl_live *l, struct sl_live_out *o, int argc, char **argv, int *i);

#endif
