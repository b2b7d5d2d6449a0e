/* Will the program an exec starts be tracked? The environment it passes on decides: without
 * LD_PRELOAD naming this library, or with SOCKLEAK_OPTIONS sending records elsewhere, the new
 * image runs unseen, and an `exec_untracked` record says so (docs/log-format.md). */
#ifndef SL_EXECENV_H
#define SL_EXECENV_H

#include "sl.h"

/* At init: remember the path this library was loaded from. */
void sl_execenv_init(void);

/* Why a program started with envp would run without sockleak, or NULL when it would not.
 * Pure apart from reading our options and path: safe in a vfork child. */
const char *sl_execenv_why(char *const envp[]);

/* How the exec names its program: a path as is (execve), a name searched in PATH (execvp),
 * a descriptor (fexecve). */
enum sl_exec_check { SL_EXEC_FILE, SL_EXEC_SEARCH, SL_EXEC_FD };

/* Before an exec of path with argv and envp: the `exec_untracked` record when the new image
 * would run unseen and the exec will find its program. In a vfork child it is written with raw
 * syscalls into a file of the child's own, touching nothing of the parent's. */
void sl_exec_untracked_before(const char *path, enum sl_exec_check check, char *const argv[],
			      char *const envp[]);

/* After a posix_spawn that started child (0: pid not asked for) with argv and envp. */
void sl_spawn_untracked_after(pid_t child, const char *path, char *const argv[],
			      char *const envp[]);

#endif
