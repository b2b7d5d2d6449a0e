/* Safe opening of input files; see files.h. */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *sl_file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "regular file";
	case S_IFDIR:
		return "directory";
	case S_IFIFO:
		return "fifo";
	case S_IFCHR:
		return "character device";
	case S_IFBLK:
		return "block device";
	case S_IFSOCK:
		return "socket";
	case S_IFLNK:
		return "symbolic link";
	default:
		return "special file";
	}
}

static int sl_open_regular_at(int dirfd, const char *path, int flags, struct stat *st,
			      const char **kind)
{
	int fd, e;

	*kind = NULL;
	/* O_NONBLOCK: open(2) of a FIFO returns at once instead of waiting for a writer, and a
	 * device is not started; O_NOCTTY: a terminal never becomes ours */
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | flags);
	if (fd < 0) {
		/* O_NOFOLLOW on a symlink: ELOOP; say what it is */
		if (errno == ELOOP && (flags & O_NOFOLLOW))
			*kind = "symbolic link";
		return -1;
	}
	if (fstat(fd, st)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		*kind = sl_file_kind(st->st_mode);
		close(fd);
		errno = ENODEV;
		return -1;
	}
	/* a regular file never blocks; clear the flag so stdio sees ordinary reads */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int sl_open_regular(const char *path, int flags, const char **kind)
{
	struct stat st;
	return sl_open_regular_at(AT_FDCWD, path, flags, &st, kind);
}

/* Why st breaks rule, or NULL */
static const char *sl_file_breaks(const struct stat *st, const struct sl_file_rule *rule)
{
	if (rule->owner != (uid_t)-1 && st->st_uid != rule->owner &&
	    !((rule->flags & SL_FILE_ROOT_OWNER_OK) && st->st_uid == 0))
		return "owned by uid";
	if ((rule->flags & SL_FILE_NOT_SHARED) && (st->st_mode & (S_IWGRP | S_IWOTH)))
		return "writable by group or others";
	if ((rule->flags & SL_FILE_ROOT_PUBLIC) && geteuid() == 0 && !(st->st_mode & S_IROTH))
		return "not readable by others";
	return NULL;
}

int sl_open_file_at(int dirfd, const char *path, const struct sl_file_rule *rule, struct stat *st,
		    const char **why)
{
	int fd = sl_open_regular_at(dirfd, path, O_NOFOLLOW, st, why);

	if (fd < 0 || !rule || !(*why = sl_file_breaks(st, rule)))
		return fd;
	close(fd);
	errno = EPERM;
	return -1;
}

ssize_t sl_read_small(const char *path, char *buf, size_t cap)
{
	return sl_read_small_at(AT_FDCWD, path, buf, cap);
}

const char *sl_proc_stat(long pid, char *buf, size_t cap)
{
	char path[64];
	const char *p;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (sl_read_small(path, buf, cap) <= 0 || !(p = strrchr(buf, ')')) || p[1] != ' ')
		return NULL;
	return p + 2;
}

ssize_t sl_boot_id(char *buf, size_t cap)
{
	ssize_t n = sl_read_small("/proc/sys/kernel/random/boot_id", buf, cap);

	if (n < 0) {
		buf[0] = '\0';
		return -1;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return n;
}

ssize_t sl_read_small_at(int dirfd, const char *path, char *buf, size_t cap)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0) {
		buf[0] = '\0';
		return -1;
	}
	while (len + 1 < cap && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}
