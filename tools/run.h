/* `sockleak run`, internal: the checks made on the program before it starts (run_check.c). */
#ifndef SL_RUN_H
#define SL_RUN_H

#include <stddef.h>

/* As execvp(3): a name with a slash as is, else the first executable in PATH, into out.
 * Returns 0, or ENOENT / EACCES / ENAMETOOLONG. */
int sl_run_resolve(const char *cmd, char *out, size_t cap);

/* 0 when libsockleak.so (lib) can see the program at path; else -1 after a `sockleak: run:`
 * line saying why (statically linked, secure-mode exec, another ELF class or machine). A
 * script is judged by its #! interpreter; depth counts the interpreters followed so far. */
int sl_run_check(const char *lib, const char *path, int depth);

#endif
