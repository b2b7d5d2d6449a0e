/* `sockleak run`: where the logs go and how they are read back. The private directory is 0700
 * and carries the runner's identity in its name, so that a later run can tell a directory
 * whose runner is gone (SIGKILLed by a CI timeout) from a live one. Reading trusts nothing in
 * the directory: only regular files owned by the runner's uid that nobody else can write, opened
 * without following a link and without blocking. Removal never follows a link either. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "escape.h"
#include "files.h"
#include "run.h"

#define SL_RUN_DIR_PREFIX "sockleak-run."

static void sl_run_refuse(const char *dir, const char *name, const char *why, long uid)
{
	fputs("sockleak: run: not reading ", stderr);
	sl_term_puts(stderr, dir);
	fputc('/', stderr);
	sl_term_puts(stderr, name);
	if (uid >= 0)
		fprintf(stderr, ": %s %ld, not by uid %ld (you)\n", why, uid, (long)geteuid());
	else
		fprintf(stderr, ": %s\n", why);
}

/* ---- who we are ----------------------------------------------------------------------------- */

/* Start time of pid in clock ticks since boot (/proc/PID/stat field 22), or 0. */
static unsigned long long sl_run_start_time(long pid)
{
	char buf[1024];
	const char *p = sl_proc_stat(pid, buf, sizeof(buf));
	unsigned long long t = 0;

	/* state is field 3, starttime field 22 */
	if (!p || sscanf(p,
			 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			 "%*d %*d %llu",
			 &t) != 1)
		return 0;
	return t;
}

int sl_run_identity(char *out, size_t cap)
{
	char boot[64];
	long pid = (long)getpid();
	struct stat ns;

	if (sl_boot_id(boot, sizeof(boot)) <= 0 || strspn(boot, "0123456789abcdef") < 8 ||
	    stat("/proc/self/ns/pid", &ns))
		return -1;
	return snprintf(out, cap, "%.8s.%llu.%ld.%llu", boot, (unsigned long long)ns.st_ino, pid,
			sl_run_start_time(pid)) < (int)cap
		       ? 0
		       : -1;
}

struct sl_run_id {
	char boot[9];
	unsigned long long ns, start;
	long pid;
};

/* "BOOT.NS.PID.START" at the front of s; returns the length parsed, or 0. */
static int sl_run_id_parse(const char *s, struct sl_run_id *id)
{
	int used = 0;

	if (sscanf(s, "%8[0-9a-f].%llu.%ld.%llu%n", id->boot, &id->ns, &id->pid, &id->start,
		   &used) != 4 ||
	    strlen(id->boot) != 8 || id->pid <= 0)
		return 0;
	return used;
}

/* Is the runner named by a directory "sockleak-run.BOOT.NS.PID.START.XXXXXX" gone? Returns 1
 * gone, 0 alive or not ours to judge: a runner in another pid namespace (a container sharing
 * this /tmp) is not in our /proc even while it runs. */
static int sl_run_dir_stale(const char *name, const char *self_id)
{
	struct sl_run_id dir, self;
	int used;

	if (strncmp(name, SL_RUN_DIR_PREFIX, strlen(SL_RUN_DIR_PREFIX)))
		return 0;
	name += strlen(SL_RUN_DIR_PREFIX);
	if (!(used = sl_run_id_parse(name, &dir)) || name[used] != '.' ||
	    strlen(name + used + 1) != 6 || !sl_run_id_parse(self_id, &self))
		return 0;
	if (strcmp(dir.boot, self.boot))
		return 1; /* written before the last boot */
	if (dir.ns != self.ns)
		return 0;
	return sl_run_start_time(dir.pid) != dir.start;
}

/* ---- the private directory ------------------------------------------------------------------ */

int sl_run_logdir_make(const char *tmp, const char *id, char *out, size_t cap)
{
	if (snprintf(out, cap, "%s/" SL_RUN_DIR_PREFIX "%s.XXXXXX", tmp, id) >= (int)cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* mkdtemp makes it 0700 less the umask; the runner needs exactly 0700 */
	if (!mkdtemp(out) || chmod(out, 0700))
		return -1;
	return 0;
}

/* Remove the files in the directory dfd refers to, then the directory name in parent. Never
 * follows a link: entries are unlinked, never opened; a subdirectory someone made is left. */
static void sl_run_rmdir_at(int parent, const char *name, int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	unlinkat(parent, name, AT_REMOVEDIR);
}

/* Open parent/name as a directory of ours: not a link, owned by us, private. -1 with errno
 * (EPERM: not ours alone). */
static int sl_run_open_own_dir(int parent, const char *name)
{
	struct stat st;
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || st.st_uid != geteuid() || (st.st_mode & 077)) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

void sl_run_logdir_remove(const char *dir)
{
	char parent[4096];
	const char *slash = strrchr(dir, '/');
	int pfd, dfd;

	if (!slash || snprintf(parent, sizeof(parent), "%.*s",
			       slash == dir ? 1 : (int)(slash - dir), dir) >= (int)sizeof(parent))
		return;
	if ((pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	if ((dfd = sl_run_open_own_dir(pfd, slash + 1)) >= 0)
		sl_run_rmdir_at(pfd, slash + 1, dfd);
	close(pfd);
}

void sl_run_logdir_sweep(const char *tmp, const char *self_id)
{
	int tfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC), dfd;
	DIR *d;
	struct dirent *de;
	struct stat st;

	if (tfd < 0 || !(d = fdopendir(tfd))) {
		if (tfd >= 0)
			close(tfd);
		return;
	}
	while ((de = readdir(d))) {
		/* lstat first: a link or another user's directory is never ours to remove */
		if (!sl_run_dir_stale(de->d_name, self_id) ||
		    fstatat(tfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(st.st_mode) ||
		    st.st_uid != geteuid())
			continue;
		if ((dfd = sl_run_open_own_dir(tfd, de->d_name)) >= 0)
			sl_run_rmdir_at(tfd, de->d_name, dfd);
	}
	closedir(d);
}

int sl_run_logdir_keep(const char *tmp, char *dir, size_t cap)
{
	char kept[4096];

	/* a name without the runner's identity, so no later run takes it for a stale one: a new
	 * empty directory, which rename(2) may replace */
	if (snprintf(kept, sizeof(kept), "%s/" SL_RUN_DIR_PREFIX "XXXXXX", tmp) >=
		    (int)sizeof(kept) ||
	    !mkdtemp(kept))
		return -1;
	if (rename(dir, kept)) {
		rmdir(kept);
		return -1;
	}
	snprintf(dir, cap, "%s", kept);
	return 0;
}

/* ---- reading -------------------------------------------------------------------------------- */

/* PREFIX.PID, or PREFIX.PID.N (a name the preload takes when PREFIX.PID is not usable). */
static int sl_run_is_log_name(const char *name, const char *base)
{
	size_t bl = strlen(base), n;

	if (strncmp(name, base, bl) || name[bl] != '.')
		return 0;
	name += bl + 1;
	if (!(n = strspn(name, "0123456789")))
		return 0;
	if (!name[n])
		return 1;
	return name[n] == '.' && name[n + 1] &&
	       strspn(name + n + 1, "0123456789") == strlen(name + n + 1);
}

static int sl_run_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* One entry: checked by lstat, opened without following or blocking, checked again on the
 * descriptor (the same file, still ours), then read. Returns 0, or an errno of the reading. */
static int sl_run_add_one(struct sl_analysis *a, int dfd, const char *dir, const char *name,
			  const struct timespec *since)
{
	struct sl_file_rule rule = {.owner = geteuid(), .flags = SL_FILE_NOT_SHARED};
	struct stat ls, st;
	const char *why;
	char path[8192];
	FILE *f;
	int fd, r;

	if (fstatat(dfd, name, &ls, AT_SYMLINK_NOFOLLOW))
		return 0;
	if (since && ls.st_mtim.tv_sec < since->tv_sec - 1)
		return 0; /* an earlier run's (a second of slack: the kernel's coarse file clock) */
	if (S_ISLNK(ls.st_mode)) {
		sl_run_refuse(dir, name, "a symbolic link", -1);
		return 0;
	}
	if (!S_ISREG(ls.st_mode)) {
		sl_run_refuse(dir, name, "not a regular file", -1);
		return 0;
	}
	fd = sl_open_file_at(dfd, name, &rule, &st, &why);
	/* st is the opened file's only when it was a regular file: then it was opened or broke
	 * the rule (EPERM) */
	if ((fd < 0 && (errno != EPERM || !why)) || st.st_dev != ls.st_dev ||
	    st.st_ino != ls.st_ino) {
		if (fd >= 0)
			close(fd);
		sl_run_refuse(dir, name, "changed while it was opened", -1);
		return 0;
	}
	if (fd < 0) {
		sl_run_refuse(dir, name, why, st.st_uid != rule.owner ? (long)st.st_uid : -1);
		return 0;
	}
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		return errno;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	r = sl_analysis_add_stream(a, f, path);
	fclose(f);
	return r;
}

int sl_run_logs_add(struct sl_analysis *a, const char *dir, const char *base,
		    const struct timespec *since)
{
	/* the private directory must still be ours alone (a user's log_path directory is theirs) */
	int dfd = base ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
		       : sl_run_open_own_dir(AT_FDCWD, dir),
	    err = 0;
	char **names = NULL;
	size_t n = 0, cap = 0;
	DIR *d;
	struct dirent *de;

	if (dfd < 0 || !(d = fdopendir(dup(dfd)))) {
		err = errno;
		fprintf(stderr, "sockleak: run: %s: %s\n", dir, strerror(err));
		if (dfd >= 0)
			close(dfd);
		return err;
	}
	/* in name order, so that the summary does not depend on the directory's layout */
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (base && !sl_run_is_log_name(de->d_name, base)))
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));
			if (!p) {
				err = ENOMEM;
				break;
			}
			names = p;
		}
		if (!(names[n] = strdup(de->d_name))) {
			err = ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), sl_run_cmp);
	for (size_t i = 0; i < n; i++) {
		int e = err ? 0 : sl_run_add_one(a, dfd, dir, names[i], since);
		if (e && !err)
			err = e;
		free(names[i]);
	}
	free(names);
	close(dfd);
	if (err == ENOMEM)
		fprintf(stderr, "sockleak: run: %s: out of memory\n", dir);
	return err;
}
