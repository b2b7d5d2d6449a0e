/* Suppressions: `leak:PATTERN` lines, with LeakSanitizer's pattern semantics (a substring,
 * unless anchored with ^ or $; * as wildcard: preload/suppmatch.h), matched against every
 * frame's function, source file and module of a leak's open and EOF stacks. A leak without
 * stacks (an inherited socket) is matched against its process's executable. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "files.h"
#include "model.h"
#include "../preload/suppmatch.h"

int sl_supp_load(struct sl_analysis *a, const char *path)
{
	const char *kind;
	char ep[1024];
	int fd = sl_open_regular(path, 0, &kind); /* a FIFO here would hang the report */
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	char *line = NULL;
	size_t cap = 0, cnt = 0, alloc = 0;
	ssize_t n;
	int ln = 0, r;
	struct sl_supp *v = NULL;
	if (!f) {
		r = errno;
		if (fd >= 0)
			close(fd);
		fprintf(stderr, "sockleak: suppressions %s: %s%s%s\n",
			sl_term_str(ep, sizeof ep, path),
			kind ? "not a regular file (" : strerror(r), kind ? kind : "",
			kind ? ")" : "");
		return r;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *s = line, *e;
		ln++;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		if (!*s || *s == '#')
			continue;
		if (strncmp(s, "leak:", 5) || !s[5]) {
			fprintf(stderr,
				"sockleak: %s:%d: not a suppression (want leak:PATTERN), ignored\n",
				sl_term_str(ep, sizeof ep, path), ln);
			continue;
		}
		if (cnt == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			struct sl_supp *nv = realloc(v, alloc * sizeof *v);
			/* fewer suppressions than asked would report leaks the user hid */
			if (!nv) {
				fprintf(stderr, "sockleak: suppressions %s: out of memory\n",
					sl_term_str(ep, sizeof ep, path));
				free(v);
				free(line);
				fclose(f);
				return ENOMEM;
			}
			v = nv;
		}
		v[cnt].pattern = sl_internz(a, s + 5);
		v[cnt].file = sl_internz(a, path);
		v[cnt].line = ln;
		v[cnt].sockets = 0;
		cnt++;
	}
	free(line);
	fclose(f);
	if (cnt) {
		a->supp = sl_alloc(a, cnt * sizeof *v);
		memcpy(a->supp, v, cnt * sizeof *v);
	}
	free(v);
	a->nsupp = cnt;
	return 0;
}

/* Every frame by its recorded function (the dynamic symbol, or an interpreter's function), its
 * source file (an interpreter's, or from debug info, inlined calls included) and its module,
 * through the matcher the library uses too (preload/suppmatch.c). */
static int stack_matches(const char *pat, const struct sl_stack *st)
{
	if (!st)
		return 0;
	for (uint32_t i = 0; i < st->n; i++) {
		const struct sl_frame *fr = st->f[i];
		if (sl_supp_frame_match(pat, fr->symbol, fr->file, fr->module))
			return 1;
		const struct sl_sym *sym = sl_frame_sym(fr);
		for (int j = 0; sym && j < sym->n; j++)
			if (sl_supp_frame_match(pat, sym->f[j].func, sym->f[j].file, NULL))
				return 1;
	}
	return 0;
}

const char *sl_supp_match(struct sl_analysis *a, const struct sl_leak *l)
{
	for (size_t i = 0; i < a->nsupp; i++) {
		const char *p = a->supp[i].pattern;
		const struct sl_proc *pr = l->ev.proc;
		if (stack_matches(p, l->os) || stack_matches(p, l->es) || stack_matches(p, l->hs) ||
		    (!l->os && !l->es &&
		     (sl_supp_frame_match(p, NULL, NULL, pr->exe) ||
		      sl_supp_frame_match(p, NULL, NULL, pr->argv0)))) {
			a->supp[i].sockets++;
			return p;
		}
	}
	return NULL;
}
