/* Inputs: files, directories (recursively, in name order so output is reproducible), globs the
 * shell did not expand (quoted in CI configs), and "-" for stdin. */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model.h"

int sl_an_add_stream(struct sl_an *a, FILE *f, const char *name)
{
	return sl_read_stream(a, f, name);
}

static int add_file(struct sl_an *a, const char *path)
{
	FILE *f = fopen(path, "re");
	int r;
	if (!f) {
		r = errno;
		fprintf(stderr, "sockleak: %s: %s\n", path, strerror(r));
		return r;
	}
	r = sl_read_stream(a, f, path);
	fclose(f);
	return r;
}

static int add_dir(struct sl_an *a, const char *path, int depth)
{
	struct dirent **ents;
	int n, r = 0;
	if (depth > 32) return 0; /* deeper than any log tree; a bind-mount loop otherwise */
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		r = errno;
		fprintf(stderr, "sockleak: %s: %s\n", path, strerror(r));
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
				/* lstat: symlinked directories are not followed (loops), files are */
				if (!lstat(p, &st) && S_ISDIR(st.st_mode)) {
					int e = add_dir(a, p, depth + 1);
					if (e && !r) r = e;
				} else if (!stat(p, &st) && S_ISREG(st.st_mode)) {
					int e = add_file(a, p);
					if (e && !r) r = e;
				}
				free(p);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return r;
}

int sl_an_add_path(struct sl_an *a, const char *path)
{
	struct stat st;
	if (!strcmp(path, "-")) return sl_read_stream(a, stdin, "<stdin>");
	if (!stat(path, &st)) {
		if (S_ISDIR(st.st_mode)) return add_dir(a, path, 0);
		return add_file(a, path);
	}
	if (strpbrk(path, "*?[")) {
		glob_t g;
		int r = 0, gr = glob(path, 0, NULL, &g);
		if (gr == GLOB_NOMATCH) {
			fprintf(stderr, "sockleak: %s: no file matches\n", path);
			return ENOENT;
		}
		if (gr) {
			fprintf(stderr, "sockleak: %s: glob failed\n", path);
			return EINVAL;
		}
		for (size_t i = 0; i < g.gl_pathc; i++) {
			int e = sl_an_add_path(a, g.gl_pathv[i]);
			if (e && !r) r = e;
		}
		globfree(&g);
		return r;
	}
	fprintf(stderr, "sockleak: %s: %s\n", path, strerror(errno));
	return errno;
}
