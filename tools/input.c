/* Inputs: files, directories (recursively, in name order so output is reproducible), globs the
 * shell did not expand (quoted in CI configs), and "-" for stdin.
 *
 * Only regular files are read (issue 11): a FIFO would block the open or the read forever and
 * /dev/zero never ends. Anything else is named on stderr and skipped. A path the user named is
 * followed through symbolic links; what a glob or a directory walk finds was chosen by whoever
 * writes in that directory (often shared), so a symbolic link there is skipped too. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "files.h"
#include "model.h"

enum how { NAMED, FOUND_BY_GLOB, FOUND_IN_DIR };

int sl_analysis_add_stream(struct sl_analysis *a, FILE *f, const char *name)
{
	return sl_read_stream(a, f, name);
}

/* A named file or a glob match that is skipped is an input error (exit 2, the rest is still
 * reported); a directory entry is only a warning: the directory is what was named. */
static int add_file(struct sl_analysis *a, const char *path, enum how how)
{
	const char *kind;
	char e[1024];
	int fd = sl_open_regular(path, how == NAMED ? 0 : O_NOFOLLOW, &kind), r;
	FILE *f;
	if (fd < 0) {
		r = errno;
		if (kind)
			fprintf(stderr, "sockleak: %s: not a regular file (%s), skipped\n",
				sl_term_str(e, sizeof e, path), kind);
		else
			fprintf(stderr, "sockleak: %s: %s\n", sl_term_str(e, sizeof e, path),
				strerror(r));
		return how == FOUND_IN_DIR && kind ? 0 : r;
	}
	if (!(f = fdopen(fd, "r"))) {
		r = errno;
		close(fd);
		return r;
	}
	r = sl_read_stream(a, f, path);
	fclose(f);
	return r;
}

static int add_dir(struct sl_analysis *a, const char *path, int depth)
{
	struct dirent **ents;
	int n, r = 0;
	if (depth > 32)
		return 0; /* deeper than any log tree; a bind-mount loop otherwise */
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		char e[1024];
		r = errno;
		fprintf(stderr, "sockleak: %s: %s\n", sl_term_str(e, sizeof e, path), strerror(r));
		return r;
	}
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		if (strcmp(nm, ".") && strcmp(nm, "..")) {
			size_t l = strlen(path) + strlen(nm) + 2;
			char *p = malloc(l);
			struct stat st;
			if (p) {
				snprintf(p, l, "%s/%s", path, nm);
				/* lstat: symlinked directories are not followed (loops) */
				int e = !lstat(p, &st) && S_ISDIR(st.st_mode)
						? add_dir(a, p, depth + 1)
						: add_file(a, p, FOUND_IN_DIR);
				if (e && !r)
					r = e;
				free(p);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return r;
}

static int add_path(struct sl_analysis *a, const char *path, enum how how)
{
	struct stat st;
	char e[1024];
	if (a->oom)
		return ENOMEM; /* said once, when it happened */
	if (!strcmp(path, "-") && how == NAMED)
		return sl_read_stream(a, stdin, "<stdin>");
	if (!(how == NAMED ? stat(path, &st) : lstat(path, &st))) {
		if (S_ISDIR(st.st_mode))
			return add_dir(a, path, 0);
		return add_file(a, path, how);
	}
	int r = 0;
	if (how == NAMED && strpbrk(path, "*?[")) {
		glob_t g;
		int gr = glob(path, 0, NULL, &g);
		if (gr == GLOB_NOMATCH) {
			fprintf(stderr, "sockleak: %s: no file matches\n",
				sl_term_str(e, sizeof e, path));
			return ENOENT;
		}
		if (gr) {
			fprintf(stderr, "sockleak: %s: glob failed\n",
				sl_term_str(e, sizeof e, path));
			return EINVAL;
		}
		for (size_t i = 0; i < g.gl_pathc; i++) {
			int er = add_path(a, g.gl_pathv[i], FOUND_BY_GLOB);
			if (er && !r)
				r = er;
		}
		globfree(&g);
		return r;
	}
	r = errno;
	fprintf(stderr, "sockleak: %s: %s\n", sl_term_str(e, sizeof e, path), strerror(r));
	return r;
}

int sl_analysis_add_path(struct sl_analysis *a, const char *path)
{
	return add_path(a, path, NAMED);
}
