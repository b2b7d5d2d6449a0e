/* Every file sockleak opens by name goes through here: the log (PREFIX.PID), the suppressions
 * file, /etc/sockleak.conf (issue 10). sockleak runs inside other people's processes, often
 * root's, with paths in shared directories, so the rules are those of a setuid program:
 *
 * - never follow a symbolic link (O_NOFOLLOW; O_EXCL when creating, which never follows one);
 * - never block (O_NONBLOCK): a FIFO or a device planted at the name would hang the host;
 * - only regular files, checked with fstat on the descriptor after the open, so a file swapped
 *   between a check and the open is still caught;
 * - the log: created 0600 with O_EXCL; an existing one is appended to only when it is a regular
 *   file with one link, owned by our effective uid, that nobody else may write or read;
 *   otherwise the next free name PREFIX.PID.1 .. PREFIX.PID.8 is created. */
#ifndef SL_LOGFILE_H
#define SL_LOGFILE_H

#include "sl.h"

#include <sys/stat.h>

/* How many PREFIX.PID.N names are tried after PREFIX.PID. */
#define SL_LOGFILE_ALT 8

/* Open the log of process pid for appending. Returns the descriptor (O_CLOEXEC) and the name
 * used in path, or -errno (the error of PREFIX.PID, the name that mattered). why receives a
 * one-line explanation, without the newline, whenever PREFIX.PID itself was not used (empty
 * otherwise). */
int sl_logfile_open(const char *prefix, int pid, char *path, size_t pathcap, char *why,
		    size_t whycap);

/* Whether path still names the file open as st (same device and inode, not unlinked): false
 * after logrotate renamed or deleted it; true when the path cannot be looked at (EACCES after a
 * privilege drop). One fstatat of the path, 1 us (docs/performance.md, "Safe logs"). */
int sl_logfile_same(const char *path, const struct stat *st);

/* Read a regular file of at most cap-1 bytes into buf, NUL-terminated, without following a
 * symbolic link or blocking. SL_FILE_ROOT: only a file owned by root that neither group nor
 * others may write. Returns the bytes read, or -errno (EFBIG: larger than cap-1 bytes, buf then
 * holds the first cap-1; ELOOP: a symbolic link; EINVAL: not a regular file; EPERM: the owner or
 * mode check of SL_FILE_ROOT failed). */
#define SL_FILE_ROOT 1
long sl_file_read(const char *path, char *buf, size_t cap, int flags);

/* The text for those -errno values, as the reasons above. */
const char *sl_file_why(int err);

/* Whether this thread may create a file now: its credentials are the process's (those of the
 * thread group leader, /proc/self/status). A raw syscall(SYS_setuid) in the main thread leaves
 * every other thread with the old ones; a file created by such a thread would belong to an
 * identity the program has given up. With adopt set (sockleak's own watchdog thread only, never
 * a thread of the program), a thread that differs first takes the leader's groups, gids and
 * uids with raw system calls, which change only itself. */
int sl_creds_match_process(int adopt);

#endif
