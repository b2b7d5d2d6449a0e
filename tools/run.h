/* `sockleak run`, internal: the checks made on the program before it starts (run_check.c). */
#ifndef SL_RUN_H
#define SL_RUN_H

#include <stddef.h>

/* Status of the runner's own failures, as env(1) and timeout(1): 125 the runner failed or
 * refused, 126 the program cannot be executed, 127 it was not found. */
enum { SL_RUN_FAIL = 125, SL_RUN_NOEXEC = 126, SL_RUN_NOTFOUND = 127 };

/* As execvp(3): a name with a slash as is, else the first executable in PATH, into out.
 * Returns 0, or ENOENT / EACCES / ENAMETOOLONG. */
int sl_run_resolve(const char *cmd, char *out, size_t cap);

/* 0 when libsockleak.so (lib) can see the program at path; else the exit status after a
 * `sockleak: run:` line saying why: SL_RUN_FAIL when it is refused (statically linked,
 * secure-mode exec, another ELF class or machine), 126/127 as a shell gives them when exec
 * would fail (a #! interpreter missing or not executable). A script is judged by its #!
 * interpreter; depth counts the interpreters followed so far. */
int sl_run_check(const char *lib, const char *path, int depth);

/* The status a shell gives for an exec that failed with err (127 not found, else 126). */
int sl_run_exec_status(int err);

/* ---- the log directory (run_logs.c) ---- */
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

struct sl_analysis;

/* "BOOT.NS.PID.START": the first 8 hex digits of the boot id, the inode of the runner's pid
 * namespace, its pid and start time in clock ticks since boot; together they name this runner
 * and no other, ever. */
int sl_run_identity(char *out, size_t cap);
/* mkdtemp TMP/sockleak-run.ID.XXXXXX, mode 0700, into out. 0 or -1 with errno. */
int sl_run_logdir_make(const char *tmp, const char *id, char *out, size_t cap);
/* Remove the directories in tmp left by runners that are gone (another boot, or no process
 * with that pid and start time): only directories owned by us and private, never through a
 * link. self_id: ours, for the boot id. */
void sl_run_logdir_sweep(const char *tmp, const char *self_id);
/* Remove the files in dir and dir, never through a link; only when dir is ours and private. */
void sl_run_logdir_remove(const char *dir);
/* Give a kept directory a name without our identity (so no sweep removes it); dir is updated. */
int sl_run_logdir_keep(const char *tmp, char *dir, size_t cap);
/* Add this run's logs to the analysis. base NULL: every entry of the private directory dir;
 * else the files BASE.PID and BASE.PID.N in dir changed since `since`. Only regular files owned
 * by our uid and writable by nobody else are read; others are named on stderr and skipped. */
int sl_run_logs_add(struct sl_analysis *a, const char *dir, const char *base,
		    const struct timespec *since);

/* ---- the process tree (run_tree.c) ---- */

struct sl_run_tree {
	pid_t runner;       /* its children are members; 0 once it is gone */
	pid_t pgid, sid;    /* the program's process group, in the runner's session */
	const char *marker; /* "SOCKLEAK_RUN=ID" in a member's environment */
};

/* Send sig to every live member; returns how many were sent it. */
int sl_run_tree_signal(const struct sl_run_tree *t, int sig);
/* Start the guard (copies *t); returns the descriptor to tell it through, or -1. */
int sl_run_guard_start(struct sl_run_tree *t, const char *logdir);
/* The program's process group (0: none was started); then done, at the runner's end. */
void sl_run_guard_tell(int fd, pid_t pgid);
void sl_run_guard_done(int fd);

#endif
