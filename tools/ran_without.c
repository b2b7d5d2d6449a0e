/* Programs that ran without the preload: `env -i`, Python's env={}, LD_PRELOAD replaced. The
 * preload records each such exec (exec_untracked); nothing else would ever show that a part of
 * the tree was never checked, so the summary and the report say it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "model.h"

#define SL_REASONS 8

size_t sl_analysis_ran_without(const struct sl_analysis *a) { return a->nuntracked; }

int sl_analysis_write_ran_without(const struct sl_analysis *a, FILE *out, const char *prefix,
				  size_t max)
{
	const char *why[SL_REASONS];
	size_t count[SL_REASONS], nwhy = 0, shown = 0;

	if (!a->nuntracked)
		return 0;
	/* reasons are interned: equal reasons are equal pointers */
	for (const struct sl_untracked *u = a->untracked_head; u; u = u->next) {
		size_t i = 0;
		while (i < nwhy && why[i] != u->reason)
			i++;
		if (i == nwhy && nwhy < SL_REASONS) {
			why[nwhy] = u->reason;
			count[nwhy++] = 0;
		}
		if (i < nwhy)
			count[i]++;
	}
	fprintf(out, "%s%zu process(es) ran without sockleak (", prefix, a->nuntracked);
	for (size_t i = 0; i < nwhy; i++) {
		fputs(i ? ", " : "", out);
		sl_term_puts(out, why[i]);
		fprintf(out, ": %zu", count[i]);
	}
	fputs("); their sockets were not checked:\n", out);
	for (const struct sl_untracked *u = a->untracked_head; u && shown < max; u = u->next) {
		fprintf(out, "%s  pid %d ", prefix, u->pid);
		sl_term_puts(out, u->argv0 ? u->argv0 : u->path ? u->path : "?");
		fputs(" (", out);
		sl_term_puts(out, u->reason);
		if (u->ppid > 0)
			fprintf(out, "), parent pid %d\n", u->ppid);
		else
			fputs(")\n", out);
		shown++;
	}
	if (shown < a->nuntracked)
		fprintf(out, "%s  and %zu more\n", prefix, a->nuntracked - shown);
	return ferror(out) ? EIO : 0;
}
