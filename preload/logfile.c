/* Safe opening of files by name; see logfile.h. Raw system calls only: this runs on the
 * watchdog's raw thread too (rthread.h), and before libc is bound. */
#include "logfile.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SL_OPEN_SAFE (O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)

static int sl_open(const char *path, int flags, mode_t mode)
{
	long fd = syscall(SYS_openat, AT_FDCWD, path, flags | SL_OPEN_SAFE, mode);

	return fd < 0 ? -errno : (int)fd;
}

static int sl_lstat(const char *path, struct stat *st)
{
	return syscall(SYS_newfstatat, AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

/* Why an existing file may not receive our log, or NULL when it may. One link only: with
 * fs.protected_hardlinks=0 anyone can link a file of root's into a shared directory. Not
 * readable by others: the log holds addresses and peers. */
static const char *sl_log_unfit(const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return "a symbolic link";
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_uid != (uid_t)syscall(SYS_geteuid))
		return "owned by another user";
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return "writable by others";
	if (st->st_mode & S_IROTH)
		return "readable by others";
	if (st->st_nlink != 1)
		return "a hard link";
	return NULL;
}

/* Create path 0600, or append to the file there when it is fit. Returns the descriptor or
 * -errno; *unfit names why an existing file was refused (-EEXIST then). */
static int sl_log_try(const char *path, const char **unfit)
{
	struct stat st;
	int fd;

	*unfit = NULL;
	/* O_EXCL: a symbolic link at path, even a dangling one, is EEXIST, never followed. */
	fd = sl_open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL, 0600);
	if (fd != -EEXIST)
		return fd;
	/* Check before opening, so that a FIFO or a device is never even opened... */
	if ((fd = sl_lstat(path, &st)))
		return fd;
	if ((*unfit = sl_log_unfit(&st)))
		return -EEXIST;
	fd = sl_open(path, O_WRONLY | O_APPEND, 0);
	if (fd == -ELOOP || fd == -ENXIO) {
		*unfit = fd == -ELOOP ? "a symbolic link" : "not a regular file";
		return -EEXIST;
	}
	if (fd < 0)
		return fd;
	/* ...and after, on what was opened: the name may have been swapped in between. */
	if (syscall(SYS_fstat, fd, &st))
		*unfit = "not checkable";
	else
		*unfit = sl_log_unfit(&st);
	if (*unfit) {
		syscall(SYS_close, fd);
		return -EEXIST;
	}
	return fd;
}

int sl_logfile_open(const char *prefix, int pid, char *path, size_t pathcap, char *why,
		    size_t whycap)
{
	const char *unfit, *first;
	int fd, n;

	why[0] = '\0';
	n = snprintf(path, pathcap, "%s.%d", prefix, pid);
	if (n < 0 || (size_t)n >= pathcap)
		return -ENAMETOOLONG;
	fd = sl_log_try(path, &first);
	/* Only a name that is taken by something we may not use is worth another try; a missing
	 * directory or a permission would refuse every name the same way. */
	if (fd != -EEXIST || !first)
		return fd;
	for (int i = 1; i <= SL_LOGFILE_ALT; i++) {
		n = snprintf(path, pathcap, "%s.%d.%d", prefix, pid, i);
		if (n < 0 || (size_t)n >= pathcap)
			break;
		fd = sl_log_try(path, &unfit);
		if (fd >= 0) {
			snprintf(why, whycap, "log %s.%d not used: %s; logging to %s", prefix, pid,
				 first, path);
			return fd;
		}
		if (fd != -EEXIST)
			break;
	}
	snprintf(why, whycap, "log %s.%d not used: %s, nor %s.%d.1..%d", prefix, pid, first, prefix,
		 pid, SL_LOGFILE_ALT);
	snprintf(path, pathcap, "%s.%d", prefix, pid);
	return -EEXIST;
}

int sl_logfile_same(const char *path, const struct stat *st)
{
	struct stat now;
	int err;

	if (st->st_nlink == 0)
		return 0;
	/* Only "nothing there" or "something else there" is a rotation. A process that dropped
	 * privileges may no longer search the directory (EACCES): it keeps the file it has. */
	err = sl_lstat(path, &now);
	if (err)
		return err != -ENOENT;
	return now.st_dev == st->st_dev && now.st_ino == st->st_ino;
}

long sl_file_read(const char *path, char *buf, size_t cap, int flags)
{
	struct stat st;
	long n = 0, r = 0;
	int fd;

	buf[0] = '\0';
	if ((fd = sl_lstat(path, &st)))
		return fd;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((fd = sl_open(path, O_RDONLY, 0)) < 0)
		return fd;
	if (syscall(SYS_fstat, fd, &st))
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	else if ((flags & SL_FILE_ROOT) && (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))))
		r = -EPERM;
	while (!r && (size_t)n < cap - 1) {
		long k = syscall(SYS_read, fd, buf + n, cap - 1 - (size_t)n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			r = -errno;
		if (k <= 0)
			break;
		n += k;
	}
	if (!r && (size_t)n == cap - 1) {
		char more;

		if (syscall(SYS_read, fd, &more, 1) == 1)
			r = -EFBIG;
	}
	syscall(SYS_close, fd);
	buf[n] = '\0';
	return r ? r : n;
}

const char *sl_file_why(int err)
{
	switch (err) {
	case ELOOP:
		return "a symbolic link";
	case EINVAL:
		return "not a regular file";
	case EPERM:
		return "not owned by root, or writable by group or others";
	case EFBIG:
		return "too large";
	default:
		return strerrordesc_np(err) ? strerrordesc_np(err) : "error";
	}
}

/* Credentials, as /proc shows them. Static: called under the log lock, and on threads of
 * the program whose stacks may be 16 KiB. */
#define SL_STATUS_MAX 4096
#define SL_GROUPS_MAX 256
static char sl_status_proc[SL_STATUS_MAX], sl_status_self[SL_STATUS_MAX];
static uint32_t sl_groups[SL_GROUPS_MAX];

/* The "Uid:", "Gid:" and "Groups:" lines of a status file, one after another, in out. */
static int sl_creds_text(const char *file, char *out)
{
	static char raw[SL_STATUS_MAX];
	static const char *const keys[] = {"Uid:", "Gid:", "Groups:"};
	long n = sl_file_read(file, raw, sizeof(raw), 0);
	size_t len = 0;

	/* /proc files are not "regular" to every check, but fstat says S_ISREG; any failure
	 * means we cannot tell, which is a "no". */
	if (n <= 0)
		return -1;
	for (size_t k = 0; k < 3; k++) {
		const char *l = strstr(raw, keys[k]);
		size_t m;

		if (!l || (l != raw && l[-1] != '\n'))
			return -1;
		m = strcspn(l, "\n") + 1;
		if (len + m >= SL_STATUS_MAX)
			return -1;
		memcpy(out + len, l, m);
		len += m;
	}
	out[len] = '\0';
	return 0;
}

/* A decimal after blanks; *p moves past it. No strtoul: it reads the locale, which is more
 * than the raw thread should touch. */
static int sl_parse_id(const char **p, uint32_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9' && v <= 0xffffffffu)
		v = v * 10 + (uint64_t)(*s++ - '0');
	*out = (uint32_t)v;
	*p = s;
	return v > 0xffffffffu ? -1 : 0;
}

/* The four numbers after key (real, effective, saved, filesystem). */
static int sl_creds_ids(const char *text, const char *key, uint32_t id[4])
{
	const char *p = strstr(text, key);

	if (!p)
		return -1;
	p += strlen(key);
	for (int i = 0; i < 4; i++)
		if (sl_parse_id(&p, &id[i]))
			return -1;
	return 0;
}

/* Make this thread's credentials those of text (the leader's): groups, then gids, then uids,
 * the order in which each step is still permitted. */
static int sl_creds_adopt(const char *text)
{
	uint32_t u[4], g[4];
	const char *p = strstr(text, "Groups:");
	size_t n = 0;

	if (!p || sl_creds_ids(text, "Uid:", u) || sl_creds_ids(text, "Gid:", g))
		return -1;
	for (p += 7; n < SL_GROUPS_MAX && !sl_parse_id(&p, &sl_groups[n]);)
		n++;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\n') /* more groups than we hold */
		return -1;
	if (syscall(SYS_setgroups, n, sl_groups) || syscall(SYS_setresgid, g[0], g[1], g[2]) ||
	    syscall(SYS_setresuid, u[0], u[1], u[2]))
		return -1;
	return 0;
}

int sl_creds_match_process(int adopt)
{
	if (sl_creds_text("/proc/self/status", sl_status_proc) ||
	    sl_creds_text("/proc/thread-self/status", sl_status_self))
		return 0;
	if (!strcmp(sl_status_proc, sl_status_self))
		return 1;
	if (!adopt || sl_creds_adopt(sl_status_proc) ||
	    sl_creds_text("/proc/thread-self/status", sl_status_self))
		return 0;
	return !strcmp(sl_status_proc, sl_status_self);
}
