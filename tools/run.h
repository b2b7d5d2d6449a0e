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

#endif
