/* The environment an exec passes on; see execenv.h. `env -i`, Python's subprocess with
 * env={}, a shell's LD_PRELOAD=other.so cmd: the new image never loads us, or logs somewhere
 * the runner does not read, and nothing else would ever say so. */
#include "execenv.h"

#include "json.h"
#include "log.h"
#include "options.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

extern struct sl_opts sl_opt;

/* The path we were loaded from, as LD_PRELOAD named it (the loader keeps that name). */
static char sl_self_path[SL_PATH_MAX];

void sl_execenv_init(void)
{
	Dl_info di;

	if (dladdr((void *)sl_execenv_init, &di) && di.dli_fname)
		snprintf(sl_self_path, sizeof(sl_self_path), "%s", di.dli_fname);
}

static const char *sl_env_get(char *const envp[], const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* Does an LD_PRELOAD value (':' or ' ' separated, as ld.so(8) reads it) load us? By our path,
 * or by a file of our name found elsewhere (the loader searches names without a slash). */
static int sl_preload_has_us(const char *v)
{
	const char *sb = strrchr(sl_self_path, '/');
	size_t sl = strlen(sl_self_path), sbl;

	sb = sb ? sb + 1 : sl_self_path;
	sbl = strlen(sb);
	while (*v) {
		size_t n = strcspn(v, ": "), bn = n;
		const char *b = v;

		for (size_t i = 0; i < n; i++)
			if (v[i] == '/') {
				b = v + i + 1;
				bn = n - i - 1;
			}
		if (n && ((n == sl && !memcmp(v, sl_self_path, n)) ||
			  (sbl && bn == sbl && !memcmp(b, sb, bn)) ||
			  (bn >= 11 && !memcmp(b, "libsockleak", 11))))
			return 1;
		v += n;
		while (*v == ':' || *v == ' ')
			v++;
	}
	return 0;
}

const char *sl_execenv_why(char *const envp[])
{
	const char *pre = sl_env_get(envp, "LD_PRELOAD");
	const char *opt = sl_env_get(envp, "SOCKLEAK_OPTIONS");
	struct sl_opts o;

	if (!pre && !opt)
		return "environment cleared";
	if (!pre)
		return "LD_PRELOAD removed";
	if (!sl_preload_has_us(pre))
		return "LD_PRELOAD replaced";
	/* loaded, but are its records where ours go? */
	sl_opts_default(&o);
	sl_opts_parse(&o, opt, NULL, NULL);
	if (strcmp(o.log_path, sl_opt.log_path))
		return opt ? "SOCKLEAK_OPTIONS changed" : "SOCKLEAK_OPTIONS removed";
	return NULL;
}

/* Will the exec find a program to run? An exec that fails leaves the caller running with us
 * (a shell tries every PATH entry): no record for that. Raw syscalls: vfork-child safe. */
static int sl_exec_target_ok(const char *file, enum sl_exec_check check)
{
	char buf[SL_PATH_MAX + 256];
	const char *path;

	if (check == SL_EXEC_FD)
		return 1;
	if (!file || !*file)
		return 0;
	if (check == SL_EXEC_FILE || strchr(file, '/'))
		return !syscall(SYS_faccessat, AT_FDCWD, file, X_OK);
	/* execvp's search: the caller's PATH, glibc's default without one */
	if (!(path = getenv("PATH")))
		path = "/bin:/usr/bin";
	for (const char *p = path;;) {
		size_t n = strcspn(p, ":");
		int len = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)n, p, n ? "/" : "", file);

		if (len > 0 && (size_t)len < sizeof(buf) &&
		    !syscall(SYS_faccessat, AT_FDCWD, buf, X_OK))
			return 1;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* child: the process that runs the program (0: unknown); ppid: its parent. */
static void sl_untracked_fields(struct sl_jb *j, pid_t child, pid_t ppid, const char *path,
				char *const argv[], const char *why)
{
	if (child > 0)
		sl_jb_i64(j, "child", child);
	else
		sl_jb_null(j, "child");
	sl_jb_i64(j, "ppid", ppid);
	sl_jb_strn(j, "path", path, SL_PATH_MAX);
	sl_jb_strn(j, "argv0", argv ? argv[0] : NULL, 256);
	sl_jb_str(j, "reason", why);
}

static void sl_untracked_log(pid_t child, pid_t ppid, const char *path, char *const argv[],
			     const char *why)
{
	struct sl_jb *j = sl_log_begin("exec_untracked");

	sl_untracked_fields(j, child, ppid, path, argv, why);
	sl_log_end();
}

/* In a vfork child: the parent's memory is ours only to read, its locks not at all. The record
 * is formatted on this stack and goes to a new file PREFIX.PID of the child's own (created as
 * the log always is: exclusive, no link followed, 0600), or to the private duplicate of stderr
 * the parent took at start-up (a copy of the parent's descriptor table is the child's). */
static void sl_untracked_raw(const char *path, char *const argv[], const char *why)
{
	char buf[2048], name[SL_PATH_MAX + 24];
	pid_t pid = (pid_t)syscall(SYS_getpid);
	struct sl_jb j;
	struct timespec ts;
	size_t len;
	int fd, own = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	sl_jb_init(&j, buf, sizeof(buf));
	sl_jb_obj_begin(&j, NULL);
	sl_jb_u64(&j, "v", 1);
	sl_jb_str(&j, "event", "exec_untracked");
	sl_jb_u64(&j, "ts_ns", (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
	sl_jb_i64(&j, "pid", pid);
	sl_jb_i64(&j, "tid", pid);
	sl_untracked_fields(&j, pid, (pid_t)syscall(SYS_getppid), path, argv, why);
	sl_jb_obj_end(&j);
	if (!(len = sl_jb_finish(&j)))
		return;
	if (!strcmp(sl_opt.log_path, "stderr")) {
		fd = sl_log_fd();
	} else {
		snprintf(name, sizeof(name), "%s.%d", sl_opt.log_path, (int)pid);
		fd = (int)syscall(SYS_openat, AT_FDCWD, name, O_WRONLY | O_CREAT | O_EXCL |
				  O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
		own = 1;
	}
	if (fd < 0)
		return;
	/* one write: a whole line or, on a full disk, a short one that the reader names */
	while (syscall(SYS_write, fd, buf, len) < 0 && errno == EINTR)
		;
	if (own)
		syscall(SYS_close, fd);
}

void sl_exec_untracked_before(const char *path, enum sl_exec_check check, char *const argv[],
			      char *const envp[])
{
	const char *why;
	int saved = errno;

	if (!__atomic_load_n(&sl_inited, __ATOMIC_ACQUIRE) || !(why = sl_execenv_why(envp)) ||
	    !sl_exec_target_ok(path, check))
		goto out;
	if (__atomic_load_n(&sl_vfork_pending, __ATOMIC_RELAXED) && sl_vfork_child()) {
		sl_untracked_raw(path, argv, why);
	} else if (sl_enter()) {
		sl_untracked_log(getpid(), getppid(), path, argv, why);
		sl_leave();
	}
out:
	errno = saved;
}

void sl_spawn_untracked_after(pid_t child, const char *path, char *const argv[],
			      char *const envp[])
{
	const char *why;
	int saved = errno;

	if (__atomic_load_n(&sl_inited, __ATOMIC_ACQUIRE) && (why = sl_execenv_why(envp)) &&
	    sl_enter()) {
		sl_untracked_log(child, getpid(), path, argv, why);
		sl_leave();
	}
	errno = saved;
}
