/* JSON-lines writer; see log.h. */
#include "log.h"

#include "lock.h"
#include "logfile.h"
#include "options.h"
#include "real.h"
#include "sockets.h"
#include "stack.h"
#include "syslog.h"

#include <fcntl.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

extern char *program_invocation_name;

#define SL_LOG_BUF (96 * 1024)

static sl_mutex sl_log_mu SL_FORK_STATE = SL_MUTEX_INIT;
static char sl_buf[SL_LOG_BUF];
static struct sl_jsonline sl_jsonline;
static int sl_fd = -1;
static dev_t sl_fd_dev;
static ino_t sl_fd_ino;
static pid_t sl_fd_pid;      /* process that opened sl_fd */
static pid_t sl_started_pid; /* process whose start record is written */
static int sl_to_stderr;
static const char *sl_syslog_path; /* log_path=syslog[:PATH]: the sink of syslog.c */
static const char *sl_event;       /* of the record being written: its syslog priority */
static int sl_err_direct;          /* log_path=stderr on a low budget: fd 2 itself, no duplicate */
static int sl_broken;              /* the log cannot be written: stop trying */
static int sl_warned_open;
static int sl_warned_write SL_FORK_STATE;
static int sl_torn; /* a record was cut short and could not be cut back */
static unsigned long sl_count SL_FORK_STATE;
/* records that could not be written (the exit record says) */
static unsigned long sl_dropped SL_FORK_STATE;
/* sockleak's watchdog thread, which may take the program's creds */
static pid_t sl_wd_tid SL_FORK_STATE;
static char sl_opened_path[SL_PATH_MAX + 32]; /* the file open as sl_fd, for rotation checks */
static char sl_boot_id[40];
static char sl_host[65];
static const char *sl_origin SL_FORK_STATE = "exec";

static void sl_remember(int fd)
{
	struct stat st;

	__atomic_store_n(&sl_fd, fd, __ATOMIC_RELAXED);
	sl_own_add(&sl_fd, fd);
	sl_fd_pid = getpid();
	if (fd >= 0 && !syscall(SYS_fstat, fd, &st)) {
		sl_fd_dev = st.st_dev;
		sl_fd_ino = st.st_ino;
	}
}

void sl_read_small(const char *path, char *out, size_t cap)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	out[0] = '\0';
	if (fd < 0)
		return;
	n = syscall(SYS_read, fd, out, cap - 1);
	syscall(SYS_close, fd);
	if (n <= 0)
		return;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

/* The start record's options, formatted once at init: the first record may be written on a
 * thread with a 16 KiB stack, where these 13 KiB of buffers were a crash (issue 10). */
static char sl_start_opts[SL_OPTS_JSON_MAX + 2];

static void sl_format_start_opts(void)
{
	size_t n = sl_opts_json(&sl_opt, sl_start_opts + 1, sizeof(sl_start_opts) - 2);

	sl_start_opts[0] = '{';
	sl_start_opts[n + 1] = '}';
	sl_start_opts[n + 2] = '\0';
}

void sl_log_init(void)
{
	struct utsname u;

	sl_read_small("/proc/sys/kernel/random/boot_id", sl_boot_id, sizeof(sl_boot_id));
	if (!uname(&u))
		snprintf(sl_host, sizeof(sl_host), "%s", u.nodename);
	/* No log_path at all: secure mode without one in /etc/sockleak.conf (setup.c). */
	__atomic_store_n(&sl_broken, !sl_opt.log_path[0], __ATOMIC_RELAXED);
	sl_to_stderr = !strcmp(sl_opt.log_path, "stderr");
	if (!sl_syslog_wanted(sl_opt.log_path, &sl_syslog_path))
		sl_syslog_path = NULL;
	/* Records never go to a peer: not to a TCP connection the program was started with on
	 * fd 2 (inetd), and on a low descriptor budget not through a duplicate of ours either
	 * (fd 2 itself, while it is the file it was at start-up). */
	if (sl_to_stderr && sl_fd_is_tcp(2, NULL))
		__atomic_store_n(&sl_broken, 1, __ATOMIC_RELAXED);
	else if (sl_to_stderr && sl_fd_budget_low())
		sl_err_direct = 1;
	else if (sl_to_stderr) {
		int fd = (int)syscall(SYS_fcntl, 2, F_DUPFD_CLOEXEC, 3);

		if (fd < 0)
			__atomic_store_n(&sl_broken, 1, __ATOMIC_RELAXED);
		else
			sl_remember(sl_place_high(fd));
	}
}

static const char *sl_errtext(int err)
{
	return strerrordesc_np(err) ? strerrordesc_np(err) : "error";
}

/* Records go to stderr after all (no file could be had): only to a private duplicate of fd 2,
 * and never when fd 2 is a socket, whose peer must not read our records. */
static int sl_fall_back_to_stderr(void)
{
	struct stat st;
	int fd;

	if (syscall(SYS_fstat, 2, &st) || S_ISSOCK(st.st_mode))
		return 0;
	fd = (int)syscall(SYS_fcntl, 2, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return 0;
	sl_to_stderr = 1;
	sl_remember(sl_place_high(fd));
	return 1;
}

/* Log lock held, log_path=syslog: connect our datagram socket. A receiver that is missing now
 * may be back for the next record, so a failure is never final. */
static int sl_log_open_syslog(void)
{
	int fd = sl_syslog_open(sl_syslog_path);

	if (fd < 0) {
		sl_syslog_failed(errno, sl_syslog_path);
		return 0;
	}
	sl_remember(sl_place_high(fd));
	sl_stack_new_epoch();
	return 1;
}

/* Log lock held, no file open: open PREFIX.PID (logfile.c says how, safely). 1 when open. */
static int sl_log_open(pid_t pid)
{
	char why[SL_PATH_MAX * 2 + 120];
	int fd, err;

	if (sl_syslog_path)
		return sl_log_open_syslog();

	/* Never create a file with credentials the program has given up: after a raw
	 * syscall(SYS_setuid) elsewhere this thread may still be root (README, Limits). */
	if (!sl_creds_match_process(sl_gettid() == __atomic_load_n(&sl_wd_tid, __ATOMIC_RELAXED))) {
		if (!sl_warned_open)
			sl_log_say(
				"sockleak: log %s.%d not opened: this thread's credentials are not the "
				"program's (a raw setuid?); records are dropped until they are",
				sl_opt.log_path, (int)pid);
		sl_warned_open = 1;
		return 0;
	}
	fd = sl_logfile_open(sl_opt.log_path, (int)pid, sl_opened_path, sizeof(sl_opened_path), why,
			     sizeof(why));
	if (fd >= 0) {
		if (why[0])
			sl_log_say("sockleak: %s", why);
		sl_remember(sl_place_high(fd));
		sl_stack_new_epoch();
		return 1;
	}
	err = -fd;
	/* Out of descriptors, memory or space is the program's state of the moment: drop this
	 * record and try again with the next. Anything else will not get better. */
	if (err == EMFILE || err == ENFILE || err == ENOMEM || err == EINTR || err == ENOSPC ||
	    err == EDQUOT) {
		if (!sl_warned_open)
			sl_log_say(
				"sockleak: cannot open log %s: %s (records are dropped until it can)",
				sl_opened_path, sl_errtext(err));
		sl_warned_open = 1;
		return 0;
	}
	sl_warned_open = 1;
	if (sl_fall_back_to_stderr()) {
		sl_log_say("sockleak: cannot open log %s: %s; logging to stderr", sl_opened_path,
			   why[0] ? why : sl_errtext(err));
		return 1;
	}
	sl_log_say("sockleak: cannot open log %s: %s; records are dropped", sl_opened_path,
		   why[0] ? why : sl_errtext(err));
	__atomic_store_n(&sl_broken, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Log lock held. Opens PREFIX.PID when this process has no log yet (first record, or the first
 * in a forked child), checks that the descriptor is still the one we opened, and reopens the
 * path when the file was renamed or deleted under us (logrotate). */
static int sl_log_ready(void)
{
	pid_t pid = getpid();
	struct stat st;

	if (sl_err_direct)
		return !sl_broken && sl_stderr_same();
	for (int tries = 0; tries < 3; tries++) {
		if (sl_broken)
			return 0;
		if (sl_fd >= 0 && sl_fd_pid != pid && !sl_to_stderr) {
			/* A forked child: the parent's file is not ours to write; get our own. */
			syscall(SYS_close, sl_fd);
			__atomic_store_n(&sl_fd, -1, __ATOMIC_RELAXED);
		}
		if (sl_fd < 0 && (sl_to_stderr || !sl_log_open(pid)))
			return 0;
		/* A program may close every fd with a raw syscall and reuse the number: never
		 * write into a descriptor that is no longer the one we opened. */
		if (syscall(SYS_fstat, sl_fd, &st) || st.st_dev != sl_fd_dev ||
		    st.st_ino != sl_fd_ino) {
			__atomic_store_n(&sl_fd, -1, __ATOMIC_RELAXED);
			if (sl_to_stderr)
				__atomic_store_n(&sl_broken, 1, __ATOMIC_RELAXED);
			continue;
		}
		/* Rotated: the records belong in the file now at the path, which gets its own
		 * start and stack records. One fstatat per record, 1 us of the record's 3.5 us
		 * (docs/performance.md, "Safe logs"); records are rare. */
		if (!sl_to_stderr && !sl_syslog_path && !sl_logfile_same(sl_opened_path, &st)) {
			syscall(SYS_close, sl_fd);
			__atomic_store_n(&sl_fd, -1, __ATOMIC_RELAXED);
			sl_started_pid = 0;
			continue;
		}
		sl_fd_pid = pid;
		return 1;
	}
	return 0;
}

void sl_log_head(struct sl_jsonline *j, const char *event, pid_t pid, pid_t tid)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	sl_jsonline_obj_begin(j, NULL);
	sl_jsonline_u64(j, SL_KEY(v), SL_LOG_VERSION);
	sl_jsonline_str(j, SL_KEY(event), event);
	sl_jsonline_u64(j, SL_KEY(ts_ns),
			(uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
	sl_jsonline_i64(j, SL_KEY(pid), pid);
	sl_jsonline_i64(j, SL_KEY(tid), tid);
}

static void sl_common(const char *event)
{
	sl_event = event;
	sl_jsonline_init(&sl_jsonline, sl_buf, sizeof(sl_buf));
	sl_log_head(&sl_jsonline, event, getpid(), sl_gettid());
}

static int sl_log_out(void) { return sl_err_direct ? 2 : sl_fd; }

/* A record cut short (a full disk: write(2) wrote part, then ENOSPC) must leave no partial
 * line. The file is ours alone (one per process, written under the log lock), so cutting it
 * back by what this record wrote restores the last whole line; with O_APPEND the next record
 * then lands there. Where that cannot be done (stderr is a pipe or a terminal, or ftruncate
 * refused), the next record starts with a newline instead, so that only this line is bad. */
static void sl_untear(size_t done)
{
	struct stat st;

	if (!sl_to_stderr && !syscall(SYS_fstat, sl_fd, &st) && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size >= done && !syscall(SYS_ftruncate, sl_fd, st.st_size - (off_t)done))
		return;
	sl_torn = 1;
}

static int sl_write_all(const char *p, size_t len, size_t *done)
{
	*done = 0;
	while (*done < len) {
		ssize_t w = sl_raw_write(sl_log_out(), p + *done, len - *done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		*done += (size_t)w;
	}
	return 0;
}

/* A program may limit the size of the files it writes (RLIMIT_FSIZE): a write past the limit
 * raises SIGXFSZ, whose default action kills it. A record of ours must never be what does:
 * one that would cross the limit is not written. One prlimit call per record; the rest only
 * when a limit is set. Raw syscalls: vfork children call it too (forks.c). */
int sl_log_past_fsize(int fd, size_t len)
{
	struct rlimit rl;
	struct stat st;
	off_t end;

	if (syscall(SYS_prlimit64, 0, RLIMIT_FSIZE, NULL, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    syscall(SYS_fstat, fd, &st) || !S_ISREG(st.st_mode))
		return 0;
	/* O_APPEND writes at the end; a stderr opened without it, at its offset. */
	end = (off_t)syscall(SYS_lseek, fd, 0, SEEK_CUR);
	if (end < st.st_size)
		end = st.st_size;
	return (rlim_t)end + len > rl.rlim_cur;
}

/* Write the record in sl_jsonline: whole, or not at all. 0 or errno. */
static int sl_flush(void)
{
	size_t len = sl_jsonline_finish(&sl_jsonline), done = 0;
	int err;

	if (!len)
		return ENOSPC; /* larger than the buffer: never written in part */
	if (sl_syslog_path) {
		/* One datagram: whole or not at all, never waited for. */
		err = sl_syslog_send(sl_fd, sl_event, sl_buf, len - 1);
		if (!err) {
			sl_count++;
			return 0;
		}
		sl_syslog_failed(err, sl_syslog_path);
		/* Receiver restarted or gone: connect afresh for the next record. */
		if (err != EAGAIN && err != EMSGSIZE && err != ENOBUFS) {
			syscall(SYS_close, sl_fd);
			__atomic_store_n(&sl_fd, -1, __ATOMIC_RELAXED);
		}
		return err;
	}
	if (sl_log_past_fsize(sl_log_out(), len + (size_t)sl_torn)) {
		err = EFBIG;
		goto failed;
	}
	if (sl_torn) {
		if ((err = sl_write_all("\n", 1, &done)))
			return err;
		sl_torn = 0;
	}
	err = sl_write_all(sl_buf, len, &done);
	if (!err) {
		sl_count++;
		return 0;
	}
	if (done)
		sl_untear(done);
failed:
	if (!sl_warned_write)
		sl_log_say("sockleak: cannot write log %s: %s; records are dropped (counted in the "
			   "exit record) until it can",
			   sl_to_stderr ? "stderr" : sl_opened_path, sl_errtext(err));
	sl_warned_write = 1;
	return err;
}

/* Log lock held: the buffer is the process's, not the thread stack's. */
static int sl_write_start(void)
{
	/* Read once per image (stack.c): only an exec changes it, and an exec starts us anew; a
	 * fork child's start record names its parent's executable, which is its own. */
	const char *exe = sl_self_exe();

	/* Formatted at the first start record, not at start-up: ~40,000 instructions (snprintf
	 * per option) that a process which writes no record, most of them, never needs. */
	if (!sl_start_opts[0])
		sl_format_start_opts();
	sl_common(SL_LOG_EVENT(start));
	sl_jsonline_i64(&sl_jsonline, SL_KEY(ppid), getppid());
	sl_jsonline_str(&sl_jsonline, SL_KEY(exe), exe);
	sl_jsonline_strn(&sl_jsonline, SL_KEY(argv0), program_invocation_name, 256);
	sl_jsonline_str(&sl_jsonline, SL_KEY(boot_id), sl_boot_id);
	sl_jsonline_str(&sl_jsonline, SL_KEY(host), sl_host);
	sl_jsonline_str(&sl_jsonline, SL_KEY(version), SL_VERSION);
	sl_jsonline_str(&sl_jsonline, SL_KEY(origin), sl_origin);
	sl_jsonline_raw(&sl_jsonline, SL_KEY(options), sl_start_opts);
	sl_jsonline_obj_end(&sl_jsonline);
	return sl_flush();
}

/* Log lock held, log open: write what a record naming these stacks needs before it in this
 * file: the process's start record, and the stack records it lacks. 0, or the errno of the
 * write that failed (the record must then be dropped: it would name what the file lacks). */
static int sl_write_prelude(uint32_t stack_a, uint32_t stack_b)
{
	/* A handler stack (handler.c) before the record that names it, with the open stack. */
	uint32_t stacks[3] = {stack_a, stack_b, sl_stack_handler(stack_a)}, epoch;
	int err;

	if (sl_started_pid != getpid()) {
		if ((err = sl_write_start()))
			return err;
		sl_started_pid = getpid();
	}
	for (int i = 0; i < 3; i++) {
		sl_common(SL_LOG_EVENT(stack));
		if (!sl_stack_fill(&sl_jsonline, stacks[i], &epoch))
			continue;
		sl_jsonline_obj_end(&sl_jsonline);
		if ((err = sl_flush()))
			return err;
		sl_stack_written(stacks[i], epoch);
	}
	return 0;
}

struct sl_jsonline *sl_log_begin_with(const char *event, uint32_t stack_a, uint32_t stack_b)
{
	/* The perf map is read here, not under the log lock (stack.c); not at all for a record
	 * that will be dropped (up to 64 MiB read on the program's thread for nothing). */
	if (!__atomic_load_n(&sl_broken, __ATOMIC_RELAXED)) {
		sl_stack_name_jit(stack_a);
		sl_stack_name_jit(stack_b);
		sl_stack_name_jit(sl_stack_handler(stack_a));
	}
	sl_mutex_lock(&sl_log_mu);
	if (!sl_log_ready() || sl_write_prelude(stack_a, stack_b)) {
		/* Format anyway into the buffer so callers need no checks; it is dropped. */
		sl_jsonline_init(&sl_jsonline, sl_buf, sizeof(sl_buf));
		sl_jsonline.trunc = 1;
		return &sl_jsonline;
	}
	sl_common(event);
	return &sl_jsonline;
}

struct sl_jsonline *sl_log_begin(const char *event) { return sl_log_begin_with(event, 0, 0); }

int sl_log_end(void)
{
	int err = EIO;

	if (!sl_jsonline.trunc && sl_log_out() >= 0) {
		sl_jsonline_obj_end(&sl_jsonline);
		err = sl_flush();
	}
	if (err)
		__atomic_add_fetch(&sl_dropped, 1, __ATOMIC_RELAXED);
	sl_mutex_unlock(&sl_log_mu);
	return err;
}

void sl_log_prepare(void)
{
	sl_mutex_lock(&sl_log_mu);
	sl_log_ready();
	sl_mutex_unlock(&sl_log_mu);
}

void sl_log_set_watchdog(pid_t tid) { __atomic_store_n(&sl_wd_tid, tid, __ATOMIC_RELAXED); }

void sl_log_follow_creds(void)
{
	/* Under the log lock: sl_creds_match_process's buffers are shared with sl_log_open. */
	sl_mutex_lock(&sl_log_mu);
	sl_creds_match_process(1);
	sl_mutex_unlock(&sl_log_mu);
}

void sl_log_cancel(void) { sl_mutex_unlock(&sl_log_mu); }

int sl_log_owns_fd(int fd)
{
	return fd >= 0 && (fd == __atomic_load_n(&sl_fd, __ATOMIC_RELAXED) || sl_own_is_extra(fd));
}

int sl_log_fd(void) { return __atomic_load_n(&sl_fd, __ATOMIC_RELAXED); }
unsigned long sl_log_count(void) { return sl_count; }
unsigned long sl_log_dropped(void) { return __atomic_load_n(&sl_dropped, __ATOMIC_RELAXED); }

void sl_log_atfork_prepare(void) { sl_mutex_lock(&sl_log_mu); }
void sl_log_atfork_parent(void) { sl_mutex_unlock(&sl_log_mu); }

SL_FORK_CODE void sl_log_atfork_child(void)
{
	sl_mutex_reset(&sl_log_mu);
	sl_origin = "fork";
	sl_count = 0;
	sl_dropped = 0;
	sl_warned_write = 0;
	sl_wd_tid = 0;
	sl_syslog_atfork_child();
}

void sl_log_evict(int fd)
{
	sl_mutex_lock(&sl_log_mu);
	if (fd == sl_fd) {
		int hi = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, fd + 1);

		if (hi < 0)
			hi = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 3);
		syscall(SYS_close, fd);
		__atomic_store_n(&sl_fd, hi, __ATOMIC_RELAXED);
		sl_own_add(&sl_fd, hi);
		if (hi < 0 && sl_to_stderr)
			__atomic_store_n(&sl_broken, 1, __ATOMIC_RELAXED);
	}
	sl_mutex_unlock(&sl_log_mu);
}
