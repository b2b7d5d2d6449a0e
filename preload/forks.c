/* fork/exec bookkeeping; see forks.h. */
#include "forks.h"

#include "epwatch.h"
#include "execenv.h"
#include "fdident.h"
#include "fdtable.h"
#include "log.h"
#include "logfile.h"
#include "options.h"
#include "procfd.h"
#include "records.h"
#include "sockets.h"
#include "stack.h"
#include "syslog.h"
#include "track.h"
#include "watchdog.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>


/* /etc/ld.so.preload names us: every image the process starts loads us, LD_PRELOAD or not,
 * and an exec that drops LD_PRELOAD (a shell of a host where every process runs with us) is
 * no exec_untracked. */
static int sl_self_global;

void sl_forks_init(void)
{
	/* Static: the first wrapper call may run this on a thread with a 16 KiB stack. One
	 * openat, ENOENT on most hosts (2 us), once per program image. */
	static char list[4096];
	Dl_info di;

	if (!sl_self_pid)
		sl_self_pid = (pid_t)syscall(SYS_getpid);
	if (!sl_self_path[0] && dladdr((void *)sl_forks_init, &di) && di.dli_fname)
		snprintf(sl_self_path, SL_PATH_MAX, "%s", di.dli_fname);
	if (sl_self_path[0] &&
	    (sl_file_read("/etc/ld.so.preload", list, sizeof(list), 0) > 0 || list[0]))
		sl_self_global = sl_preload_names_us(list, sl_self_path);
}

uint32_t sl_fork_before(void)
{
	if (!sl_sock_count())
		return 0;
	/* Shared with the child from now on: every socket takes its identity here, before the
	 * fork, so that the child inherits it too (fdtable.h). */
	if (__atomic_load_n(&sl_lazy, __ATOMIC_RELAXED))
		sl_fd_identify_all();
	return sl_stack_capture();
}

/* The tracked sockets open now (the first 64), for fork and exec records; with pid set, each
 * is also marked as shared with that process. Filled under sl_lock, on the caller's stack so
 * that two threads forking at once never share it. */
struct sl_sock_list {
	pid_t pid;
	int n;
	int fds[64];
	uint64_t inodes[64];
};

static int sl_list_collect(struct sl_sock *s, void *ctx)
{
	struct sl_sock_list *w = ctx;

	if (w->pid)
		sl_sock_add_shared(s, w->pid);
	if (w->n < 64 && s->fd >= 0) {
		w->fds[w->n] = s->fd;
		w->inodes[w->n++] = s->inode;
	}
	return 0;
}

void sl_fork_parent(pid_t child, uint32_t stack)
{
	struct sl_sock_list w = {.pid = child};
	struct sl_jsonline *j;
	int saved = errno;

	if (!sl_sock_count() || !sl_enter())
		return;
	sl_lock();
	sl_sock_each(sl_list_collect, &w);
	sl_unlock();
	if (w.n) {
		j = sl_log_begin_with(SL_LOG_EVENT(fork), stack, 0);
		sl_jsonline_i64(j, SL_KEY(child), child);
		sl_jsonline_arr_begin(j, SL_KEY(sockets));
		for (int i = 0; i < w.n; i++) {
			/* Opened by another thread during the fork: its identity, from the fd. */
			uint64_t inode = w.inodes[i] ? w.inodes[i] : sl_fd_inode(w.fds[i]);

			sl_jsonline_obj_begin(j, NULL);
			sl_jsonline_i64(j, SL_KEY(fd), w.fds[i]);
			sl_jsonline_u64(j, SL_KEY(inode), inode);
			sl_jsonline_obj_end(j);
		}
		sl_jsonline_arr_end(j);
		sl_jsonline_id(j, SL_KEY(stack), sl_stack_id(stack));
		sl_log_end();
	}
	sl_leave();
	errno = saved;
}

SL_FORK_CODE void sl_forks_atfork_child(void)
{
	/* The parent's pid is the one this process had until now: no getppid() in every child. */
	pid_t ppid = sl_self_pid ? sl_self_pid : getppid();

	/* Inline: libc's syscall() would be one more page for the child to fault in. */
	sl_self_pid = (pid_t)sl_sys4(SYS_getpid, 0, 0, 0, 0);
	sl_ep_atfork_child();
	sl_sock_atfork_child(ppid);
}

/* The `exec` record: the tracked TCP sockets open at the exec (or spawn). Inside sl_enter. */
static void sl_exec_record(const char *path)
{
	struct sl_sock_list w = {0};
	struct sl_jsonline *j;
	uint32_t stack;

	sl_lock();
	sl_sock_each(sl_list_collect, &w);
	sl_unlock();
	if (w.n) {
		stack = sl_stack_capture();
		j = sl_log_begin_with(SL_LOG_EVENT(exec), stack, 0);
		sl_jsonline_str(j, SL_KEY(path), path);
		sl_jsonline_arr_begin(j, SL_KEY(sockets));
		for (int i = 0; i < w.n; i++) {
			int fl = (int)syscall(SYS_fcntl, w.fds[i], F_GETFD);
			uint64_t inode = sl_fd_inode(w.fds[i]);

			/* A record without identity yet takes the one its descriptor names. */
			if (fl < 0 || !inode || (w.inodes[i] && inode != w.inodes[i]))
				continue;
			sl_jsonline_obj_begin(j, NULL);
			sl_jsonline_i64(j, SL_KEY(fd), w.fds[i]);
			sl_jsonline_u64(j, SL_KEY(inode), inode);
			sl_jsonline_bool(j, SL_KEY(cloexec), !!(fl & FD_CLOEXEC));
			sl_jsonline_obj_end(j);
		}
		sl_jsonline_arr_end(j);
		sl_jsonline_id(j, SL_KEY(stack), sl_stack_id(stack));
		sl_log_end();
	}
}


/* ---- programs that will run without us (exec_untracked) ---- */

static void sl_untracked_fields(struct sl_jsonline *j, pid_t child, pid_t ppid, const char *path,
				char *const argv[], const char *why)
{
	if (child > 0)
		sl_jsonline_i64(j, SL_KEY(child), child);
	else
		sl_jsonline_null(j, SL_KEY(child));
	sl_jsonline_i64(j, SL_KEY(ppid), ppid);
	sl_jsonline_strn(j, SL_KEY(path), path, SL_PATH_MAX);
	sl_jsonline_strn(j, SL_KEY(argv0), argv ? argv[0] : NULL, 256);
	sl_jsonline_str(j, SL_KEY(reason), why);
}

static void sl_untracked_log(pid_t child, pid_t ppid, const char *path, char *const argv[],
			     const char *why)
{
	struct sl_jsonline *j = sl_log_begin(SL_LOG_EVENT(exec_untracked));

	sl_untracked_fields(j, child, ppid, path, argv, why);
	sl_log_end();
}

/* The record of sl_untracked_raw below, len bytes with its newline, to where the child's
 * records go. */
static void sl_untracked_send(const char *buf, size_t len)
{
	char name[SL_PATH_MAX + 24], msg[SL_PATH_MAX * 2 + 80];
	const char *spath;
	pid_t pid = (pid_t)syscall(SYS_getpid);
	int fd, own = 0;

	/* log_path=syslog[:PATH]: a datagram of its own (syslog.c: raw calls, never blocks);
	 * "syslog" is no file prefix, or the child would create syslog.PID where it runs. */
	if (sl_syslog_wanted(sl_opt.log_path, &spath)) {
		if ((fd = sl_syslog_open(spath)) >= 0) {
			sl_syslog_send(fd, "exec_untracked", buf, len - 1);
			syscall(SYS_close, fd);
		}
		return;
	}
	if (!strcmp(sl_opt.log_path, "stderr")) {
		fd = sl_log_fd();
	} else {
		fd = sl_logfile_open(sl_opt.log_path, (int)pid, name, sizeof(name), msg,
				     sizeof(msg));
		own = 1;
	}
	/* not the record that makes the kernel kill the program with SIGXFSZ */
	if (fd < 0 || sl_log_past_fsize(fd, len)) {
		if (own && fd >= 0)
			syscall(SYS_close, fd);
		return;
	}
	/* one write: a whole line or, on a full disk, a short one that the reader names */
	while (syscall(SYS_write, fd, buf, len) < 0 && errno == EINTR)
		;
	if (own)
		syscall(SYS_close, fd);
}

/* In a vfork child: the parent's memory is ours only to read, its locks not at all. The record
 * is formatted on this stack and goes to the child's own log PREFIX.PID, opened as every log
 * is (logfile.h: raw syscalls, exclusive, no link followed, 0600), to the private duplicate
 * of stderr the parent took at start-up (the child has a copy of its descriptor table), or to
 * syslog in a datagram of its own. */
/* The longest such record: its path and argv0 (cut at SL_PATH_MAX and 256 bytes) escaped at 6
 * bytes a byte at most, and 512 for the rest (the numbers, the reason). It was formatted into
 * 2 KiB on the stack and dropped when longer. */
#define SL_UNTRACKED_MAX (6 * (SL_PATH_MAX + 256) + 512)

static void sl_untracked_raw(const char *path, char *const argv[], const char *why)
{
	pid_t pid = (pid_t)syscall(SYS_getpid);
	struct sl_jsonline j;
	size_t len;
	char *buf;

	/* No log_path: secure mode without one in /etc/sockleak.conf logs nothing (setup.c), and
	 * PREFIX.PID would be ".PID" in the working directory the invoker chose. */
	if (!sl_opt.log_path[0])
		return;
	/* Pages of its own, unmapped before the exec (they would stay in the parent's memory),
	 * not 5 KiB more of a stack that may be a 16 KiB thread's. */
	if (!(buf = sl_map(SL_UNTRACKED_MAX)))
		return;
	sl_jsonline_init(&j, buf, SL_UNTRACKED_MAX);
	sl_log_head(&j, SL_LOG_EVENT(exec_untracked), pid, pid);
	sl_untracked_fields(&j, pid, (pid_t)syscall(SYS_getppid), path, argv, why);
	sl_jsonline_obj_end(&j);
	if ((len = sl_jsonline_finish(&j)))
		sl_untracked_send(buf, len);
	syscall(SYS_munmap, buf, SL_UNTRACKED_MAX);
}

/* Cost, measured on the 2-core CI machine: 1.4 us per exec whose environment (40 entries) keeps
 * us, the options parse included; an exec itself costs hundreds of microseconds. The check that
 * the exec will find its program (a PATH search: 6 us) runs only when a record would be written:
 * an exec that fails leaves none (a shell trying each PATH entry with a socket open wrote an
 * `exec` record per entry, naming sockets passed to programs that never ran). */
void sl_exec_begin(const char *path, enum sl_exec_check check, char *const argv[],
		   char *const envp[])
{
	const char *why = NULL;
	int saved = errno;

	if (__atomic_load_n(&sl_inited, __ATOMIC_ACQUIRE))
		why = sl_execenv_why(envp, sl_self_path, sl_opt.log_path, sl_self_global);
	if ((__atomic_load_n(&sl_vfork_pending, __ATOMIC_RELAXED) & SL_VFORK_COUNT) &&
	    sl_vfork_child()) {
		/* A vfork child about to exec: its one record is written raw; then the vfork is
		 * over for the parent's bookkeeping. Nothing else of ours may run here. */
		if (why && sl_exec_target_ok(path, check))
			sl_untracked_raw(path, argv, why);
		__atomic_sub_fetch(&sl_vfork_pending, 1, __ATOMIC_RELAXED);
		errno = saved;
		return;
	}
	if ((why || sl_sock_count()) && sl_exec_target_ok(path, check) && sl_enter()) {
		if (why)
			sl_untracked_log(getpid(), getppid(), path, argv, why);
		if (sl_sock_count())
			sl_exec_record(path);
		sl_leave();
	}
	errno = saved;
}

void sl_spawn_after(pid_t child, const char *path, char *const argv[], char *const envp[])
{
	const char *why = NULL;
	int saved = errno;

	if (__atomic_load_n(&sl_inited, __ATOMIC_ACQUIRE))
		why = sl_execenv_why(envp, sl_self_path, sl_opt.log_path, sl_self_global);
	if ((why || sl_sock_count()) && sl_enter()) {
		if (sl_sock_count())
			sl_exec_record(path);
		if (why)
			sl_untracked_log(child, getpid(), path, argv, why);
		sl_leave();
	}
	errno = saved;
}
