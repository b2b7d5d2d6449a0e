/* Opening the files the tools are told to read, or that a log names, without ever blocking or
 * reading something that never ends (issue 11): a FIFO's open(2) blocks until a writer comes,
 * /dev/zero never ends, /proc/self/mem and files under /sys are not data. Only regular files
 * are kept; everything else is refused with its kind, for the caller to name. A file found
 * where others can write is also held to an owner and mode rule (struct sl_file_rule), and
 * the small files the kernel makes (/proc) are read by one reader: every tool that opens
 * something opens it here. */
#ifndef SL_FILES_H
#define SL_FILES_H

#include <sys/stat.h>
#include <sys/types.h>

/* "fifo", "character device", "directory", ... for a message. */
const char *sl_file_kind(mode_t mode);
/* Open path read-only (O_CLOEXEC, plus extra flags such as O_NOFOLLOW) without blocking and
 * keep it only when it is a regular file; the descriptor is blocking again for reads.
 * Returns the descriptor, or -1 with errno set; *kind is set (and errno is ENODEV, or ELOOP for
 * a symbolic link under O_NOFOLLOW) when the path is there but not a regular file. */
int sl_open_regular(const char *path, int flags, const char **kind);

/* Who may have made a file that lies where others can write (the runner's log directory,
 * /tmp/perf-PID.map, the log a process's environment names, a module a log names): one policy
 * for every such reader, so that no copy forgets a check. */
struct sl_file_rule {
	uid_t owner;    /* the owner it must have; (uid_t)-1: any */
	unsigned flags; /* SL_FILE_* */
};
#define SL_FILE_ROOT_OWNER_OK 1u /* root may own it as well (perf's rule for its maps) */
#define SL_FILE_NOT_SHARED 2u    /* refused when group or others may write it */
#define SL_FILE_ROOT_PUBLIC \
	4u /* when we are root: only a world-readable file (root must not
				  * read out what the file's owner could not show anyone) */
/* sl_open_regular relative to dirfd (AT_FDCWD: the working directory), never following a
 * symbolic link, then held to rule (NULL: none). *st is the open file's fstat whenever it got
 * that far, so a caller can compare it with an earlier lstat. Returns the descriptor, or -1:
 * *why is the file's kind (errno ENODEV or ELOOP), or the rule it broke (errno EPERM):
 * "owned by uid", "writable by group or others", "not readable by others"; NULL: errno says. */
int sl_open_file_at(int dirfd, const char *path, const struct sl_file_rule *rule, struct stat *st,
		    const char **why);
/* A small file the kernel makes (/proc/PID/stat, /proc/PID/environ, the boot id): at most
 * cap - 1 bytes of it into buf, NUL-terminated; opened without following a symbolic link,
 * blocking or taking a terminal. Returns the length read, or -1 when it cannot be opened. */
ssize_t sl_read_small(const char *path, char *buf, size_t cap);
/* The same, path relative to dirfd (an open /proc, say) */
ssize_t sl_read_small_at(int dirfd, const char *path, char *buf, size_t cap);
/* /proc/PID/stat into buf: a pointer to its third field (the state), past the command name
 * (which may hold spaces and parentheses: the last ')' ends it), or NULL. */
const char *sl_proc_stat(long pid, char *buf, size_t cap);
/* This boot's id (/proc/sys/kernel/random/boot_id) into buf without its newline: the length,
 * or -1 (then buf is ""). */
ssize_t sl_boot_id(char *buf, size_t cap);

#endif
