/* The sockleak log analysis, as a library: `sockleak report` and `sockleak run` both read logs
 * through it and print through its writers, so CI summaries and offline reports never disagree.
 *
 * Usage: sl_analysis_new, sl_analysis_add_path for every input, sl_analysis_finish once, then any
 * number of writers and counters, then sl_analysis_free. Functions returning int return 0 on
 * success, or an errno value (after printing a `sockleak: ...` line on stderr). */
#ifndef SL_ANALYSIS_H
#define SL_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sl_analysis_opts {
	const char *suppressions; /* file of leak:PATTERN lines, or NULL */
	const char *strip_prefix; /* removed from the front of source paths, or NULL */
	int color;                /* 0/1: ANSI colour in the text writers */
	int max_bad_lines;        /* bad input lines named on stderr before only counting; 0: 20 */
	/* 1: open no module file a log names (logs from untrusted hosts) */
	int no_symbolise;
	/* sites itemised; past it only counted; 0: SL_MAX_SITES_DEFAULT */
	size_t max_sites;
	/* 1: closed-late sockets fail the check too (SARIF: error, not note) */
	int fail_on_late;
};

#define SL_MAX_SITES_DEFAULT 1000000

struct sl_analysis; /* the analysis */

struct sl_analysis *sl_analysis_new(const struct sl_analysis_opts *o);
/* A file, a directory (all regular files in it, recursively, in name order), a glob, or "-"
 * (stdin). Bad lines are named as file:line on stderr and skipped. */
int sl_analysis_add_path(struct sl_analysis *a, const char *path);
/* Read one already open stream; name is used in file:line messages. */
int sl_analysis_add_stream(struct sl_analysis *a, FILE *f, const char *name);
/* Join records, group into sites, symbolise, apply suppressions. Call once. */
int sl_analysis_finish(struct sl_analysis *a);

size_t sl_analysis_leaked(const struct sl_analysis *a);     /* leaked sockets after suppressions */
size_t sl_analysis_sites(const struct sl_analysis *a);      /* sites after suppressions */
size_t sl_analysis_suppressed(const struct sl_analysis *a); /* leaked sockets suppressed */
/* Of sl_analysis_leaked: the sockets the program closed after their leak record ("closed late"). */
size_t sl_analysis_closed_late(const struct sl_analysis *a);
/* Of sl_analysis_leaked: the sockets that fail a check (`run`'s status, `report --exitcode`): all
 * of them with fail_on_late, else those not closed late. One rule for both commands. */
size_t sl_analysis_failing(const struct sl_analysis *a, int fail_on_late);
/* input lines that were not valid records */
size_t sl_analysis_bad_lines(const struct sl_analysis *a);
/* 1 when memory ran out while reading: the analysis covers only the input read until then
 * (said on stderr and in every report). */
int sl_analysis_out_of_memory(const struct sl_analysis *a);
/* Sockets the preload could not track (no memory for its tables; the exit records' "untracked"),
 * and in how many processes. */
int64_t sl_analysis_untracked(const struct sl_analysis *a, size_t *procs);
/* Records the preload could not write (a full disk, no log: the exit records' "dropped"), and
 * in how many processes. */
int64_t sl_analysis_dropped(const struct sl_analysis *a, size_t *procs);

/* Programs that ran without sockleak, or with its records sent elsewhere (the exec_untracked
 * records): their sockets were not checked at all. sl_analysis_write_ran_without prints, each line
 * starting with prefix, "N process(es) ran without sockleak (REASON: n, ...); ..." and then
 * one line per process, the first max of them; strings from the log are escaped. */
size_t sl_analysis_ran_without(const struct sl_analysis *a);
int sl_analysis_write_ran_without(const struct sl_analysis *a, FILE *out, const char *prefix,
				  size_t max);

/* Sanitizer-style summary: each site once with count, kind, peers, age, symbolised stack
 * (function file:line), suppressions used with counts, and as last line exactly
 * "SUMMARY: sockleak: N leaked socket(s) at M site(s)". */
int sl_analysis_write_summary(const struct sl_analysis *a, FILE *out);

/* Stories of shared sockets the json and html writers include (default 20; SIZE_MAX: all).
 * Writing 200,000 stories costs more than the whole analysis, and no reader wants them all. */
void sl_analysis_set_max_stories(struct sl_analysis *a, size_t n);

/* Report writers over the same model. max_stories: shared-socket stories to print (text). */
int sl_analysis_write_text(const struct sl_analysis *a, FILE *out, size_t max_stories);
int sl_analysis_write_json(const struct sl_analysis *a, FILE *out);
int sl_analysis_write_sarif(const struct sl_analysis *a, FILE *out);
int sl_analysis_write_html(const struct sl_analysis *a, FILE *out);

void sl_analysis_free(struct sl_analysis *a);

#endif
