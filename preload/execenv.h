/* Will the program an exec starts be tracked? The environment it passes on decides: without
 * LD_PRELOAD naming this library, or with SOCKLEAK_OPTIONS sending records elsewhere, the new
 * image runs unseen (forks.c writes the `exec_untracked` record, docs/log-format.md). Pure: no
 * locks, no allocation, no writes outside the caller's stack, so it runs in vfork children, and
 * the unit tests link it directly. */
#ifndef SL_EXECENV_H
#define SL_EXECENV_H

/* Why a program started with envp would run without sockleak, or NULL when it would not.
 * self: the path this library was loaded from; log_path: where this process's records go;
 * global: /etc/ld.so.preload names us (every image loads us, LD_PRELOAD or not). */
const char *sl_execenv_why(char *const envp[], const char *self, const char *log_path, int global);

/* Does a list of libraries load us: an LD_PRELOAD value (':' or ' ' separated, as ld.so(8)
 * reads it) or /etc/ld.so.preload's text (also tabs and newlines)? By our path, by a file of
 * our name, or a libsockleak* (the loader searches names without a slash). */
int sl_preload_names_us(const char *list, const char *self);

/* How an exec names its program: a path as is (execve), a name searched in the caller's PATH
 * (execvp), a descriptor (fexecve). */
enum sl_exec_check { SL_EXEC_FILE, SL_EXEC_SEARCH, SL_EXEC_FD };

/* Will the exec find an executable file? An exec that fails leaves the caller running with us
 * (a shell tries every PATH entry), so it must leave no record. Raw syscalls only. */
int sl_exec_target_ok(const char *file, enum sl_exec_check check);

#endif
