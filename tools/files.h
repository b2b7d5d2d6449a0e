/* Opening the files the tools are told to read, or that a log names, without ever blocking or
 * reading something that never ends (issue 11): a FIFO's open(2) blocks until a writer comes,
 * /dev/zero never ends, /proc/self/mem and files under /sys are not data. Only regular files
 * are kept; everything else is refused with its kind, for the caller to name. */
#ifndef SL_FILES_H
#define SL_FILES_H

#include <sys/types.h>

/* "fifo", "character device", "directory", ... for a message. */
const char *sl_file_kind(mode_t mode);
/* Open path read-only (O_CLOEXEC, plus extra flags such as O_NOFOLLOW) without blocking and
 * keep it only when it is a regular file; the descriptor is blocking again for reads.
 * Returns the descriptor, or -1 with errno set; *kind is set (and errno is ENODEV, or ELOOP for
 * a symbolic link under O_NOFOLLOW) when the path is there but not a regular file. */
int sl_open_regular(const char *path, int flags, const char **kind);
/* A small file the kernel makes (/proc/PID/stat, /proc/PID/environ, the boot id): at most
 * cap - 1 bytes of it into buf, NUL-terminated; opened without following a symbolic link,
 * blocking or taking a terminal. Returns the length read, or -1 when it cannot be opened. */
ssize_t sl_read_small(const char *path, char *buf, size_t cap);

#endif
