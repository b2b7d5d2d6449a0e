/* `sockleak run`: the CI runner. Runs a program with libsockleak.so preloaded into its whole
 * process tree, logs into a private directory, forwards the signals it gets to the program, and
 * at the end prints the analysis library's symbolised summary and exits like LeakSanitizer:
 * `exitcode` (23) when leaks remain after suppressions, else the program's own status.
 *
 * Process model (docs/sockleak.1): the program runs in its own process group, and SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT sent to the runner go to that whole group, because a shell in
 * between does not pass a SIGTERM on to its children. The runner is a child subreaper, so
 * descendants orphaned by their parent's death are reaped here and waited for a bounded moment
 * after the program itself exits; what still runs then is stopped. The program dies with the
 * runner (PR_SET_PDEATHSIG), and a guard kills the rest of the tree when the runner is killed
 * (run_tree.c). Logs go to a 0700 directory and are read with distrust (run_logs.c). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../preload/options.h"
#include "analysis.h"
#include "cmd.h"
#include "run.h"

#define SL_RUN_TREE_WAIT_MS 2000
/* descendants still running after the tree wait get SIGTERM, and SIGKILL this much later */
#define SL_RUN_STOP_MS 1000

struct sl_run {
	char *opts; /* SOCKLEAK_OPTIONS as the program gets it */
	int keep_logs;
	const char *library; /* --library, or NULL: search */
	long tree_wait_ms;
	/* The options as the preload reads them (its own parser and defaults, preload/options.c):
	 * exitcode, fail_on_late, suppressions; log_path and summary where given (o.given). */
	struct sl_opts o;
	/* Worked out before the start. */
	char prog[PATH_MAX]; /* CMD resolved through PATH */
	char lib[PATH_MAX];
	char tmpdir[PATH_MAX]; /* where private directories go: $TMPDIR or /tmp */
	char logdir[PATH_MAX]; /* private directory, or "" */
	char prefix[PATH_MAX]; /* log_path given to the preload ("" for stderr) */
	struct timespec start;
	int tty;         /* terminal we hand to the program's group, or -1 */
	char id[64];     /* sl_run_identity */
	char marker[96]; /* "SOCKLEAK_RUN=ID", in the program's environment */
	pid_t self;
	int guard; /* descriptor to the guard, or -1 */
};

static void sl_run_usage(FILE *f)
{
	fprintf(f,
		"usage: sockleak run [options] [--] PROGRAM [ARGS...]\n"
		"\n"
		"Run PROGRAM with libsockleak.so preloaded into it and every process it starts, then\n"
		"print each leak site once with its symbolised stack and a last line\n"
		"  SUMMARY: sockleak: N leaked socket(s) at M site(s)\n"
		"\n"
		"options:\n"
		"  -o, --option K=V[:K=V...]  sockleak options (see sockleak(7)), after SOCKLEAK_OPTIONS;\n"
		"                             the runner reads exitcode, fail_on_late, suppressions,\n"
		"                             log_path, summary\n"
		"  -k, --keep-logs            keep the private log directory and print its path\n"
		"  -L, --library PATH         libsockleak.so to preload (default: next to this binary,\n"
		"                             or ../lib/libsockleak.so from it)\n"
		"  -w, --tree-wait MS         after PROGRAM exits, wait up to MS for its remaining\n"
		"                             descendants (default %d), then stop them\n"
		"  -h, --help                 this help\n"
		"  -V, --version              print the version\n"
		"\n"
		"Signals INT, TERM, HUP and QUIT sent to the runner go to PROGRAM's process group.\n"
		"exit status: exitcode (default %d) when leaks were found after suppressions (and\n"
		"not closed later by the program, unless fail_on_late=1); else\n"
		"PROGRAM's status (128+N when killed by signal N); 125 when the runner fails or\n"
		"refuses PROGRAM (statically linked, setuid), 126 not executable, 127 not found\n",
		SL_RUN_TREE_WAIT_MS, SL_EXITCODE_DEFAULT);
}

/* ---- options ------------------------------------------------------------------------------ */

static int sl_run_uint(const char *s, size_t n, long lo, long hi, long *out)
{
	long v = 0;

	if (n == 0 || n > 9)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* The options the program gets, read by the preload's own parser (issue 12: the runner had a
 * second one). Bad items are not named here: the preload names every bad key and value itself
 * (once per process), and the runner keeps the defaults for them, as the preload does. The
 * text goes to the program as the user wrote it; the runner only appends items. */
static void sl_run_read_opts(struct sl_run *r)
{
	sl_opts_default(&r->o);
	sl_opts_parse(&r->o, r->opts ? r->opts : "", NULL, NULL);
}

static int sl_run_append(char **dst, const char *item)
{
	size_t a = *dst ? strlen(*dst) : 0, b = strlen(item);
	char *p = realloc(*dst, a + b + 2);

	if (!p)
		return ENOMEM;
	if (a && b)
		p[a++] = ':';
	memcpy(p + a, item, b + 1);
	*dst = p;
	return 0;
}

/* ---- the library and the environment ------------------------------------------------------- */

/* Next to the binary (the build tree), else ../lib from it (an install under PREFIX). */
static int sl_run_find_lib(struct sl_run *r)
{
	static const char *const rel[] = {"libsockleak.so", "../lib/libsockleak.so"};
	char exe[PATH_MAX], cand[PATH_MAX + 32];
	ssize_t n;
	char *slash;

	if (r->library) {
		if (!realpath(r->library, r->lib) || access(r->lib, R_OK)) {
			fprintf(stderr, "sockleak: run: --library %s: %s\n", r->library,
				strerror(errno));
			return -1;
		}
		return 0;
	}
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) < 0) {
		fprintf(stderr, "sockleak: run: /proc/self/exe: %s\n", strerror(errno));
		return -1;
	}
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')))
		*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(cand, sizeof(cand), "%s/%s", exe, rel[i]);
		if (!access(cand, R_OK) && realpath(cand, r->lib))
			return 0;
	}
	fprintf(stderr,
		"sockleak: run: libsockleak.so not found in %s or %s/../lib; "
		"use --library PATH\n",
		exe, exe);
	return -1;
}

/* A sanitizer runtime must stay first in LD_PRELOAD or it aborts at start; ours goes right
 * after any, before everything else the user preloads. */
static int sl_run_is_sanrt(const char *item, size_t n)
{
	static const char *const rt[] = {"libasan", "libtsan", "libhwasan", "libmsan"};
	const char *base = item;

	for (size_t i = 0; i < n; i++)
		if (item[i] == '/')
			base = item + i + 1;
	for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++)
		if (!strncmp(base, rt[i], strlen(rt[i])))
			return 1;
	return 0;
}

static char *sl_run_preload_env(const char *lib, const char *old)
{
	size_t cap = strlen(lib) + (old ? strlen(old) : 0) + 4, len = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	out[0] = '\0';
	/* pass 0: sanitizer runtimes, then ours; pass 1: the rest, without a second copy of ours */
	for (int pass = 0; pass < 2; pass++) {
		for (const char *p = old ? old : ""; *p;) {
			size_t n = strcspn(p, ": ");
			int keep = n && sl_run_is_sanrt(p, n) == !pass &&
				   !(strlen(lib) == n && !memcmp(p, lib, n));
			if (keep)
				len += (size_t)snprintf(out + len, cap - len, "%s%.*s",
							len ? ":" : "", (int)n, p);
			p += n;
			while (*p == ':' || *p == ' ')
				p++;
		}
		if (!pass)
			len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? ":" : "", lib);
	}
	return out;
}

/* The preload cannot create PREFIX.PID files in a directory that is missing, and would then
 * log nothing: that must not pass for a clean run. */
static int sl_run_check_dir(const char *prefix)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(prefix, '/');

	snprintf(dir, sizeof(dir), "%.*s", slash == prefix ? 1 : (int)(slash - prefix), prefix);
	if (access(dir, W_OK | X_OK)) {
		fprintf(stderr, "sockleak: run: log_path=%s: directory %s: %s\n", prefix, dir,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Where the preload writes: a private mkdtemp directory unless the user chose log_path. A
 * relative log_path is made absolute so that children that chdir still log to the same place.
 * The private directory is 0700 even when the runner is root: nobody else can plant a record,
 * a link or a FIFO in it. A program that gives up root still logs there, because the preload
 * opens its log while the process has the credentials it started with (docs/ci.md). */
static int sl_run_setup_logs(struct sl_run *r)
{
	char item[PATH_MAX + 16], cwd[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	int n;

	snprintf(r->tmpdir, sizeof(r->tmpdir), "%s", tmp && *tmp ? tmp : "/tmp");
	if (sl_run_identity(r->id, sizeof(r->id))) {
		fprintf(stderr, "sockleak: run: cannot read this process's start time and the boot "
				"id in /proc\n");
		return -1;
	}
	snprintf(r->marker, sizeof(r->marker), "SOCKLEAK_RUN=%s", r->id);
	/* directories of runners killed before they could clean up (SIGKILL, a reboot) */
	sl_run_logdir_sweep(r->tmpdir, r->id);

	/* stderr and syslog are passed through as they are: nothing for the runner to read */
	if (sl_opts_given(&r->o, log_path) && sl_opts_sink(r->o.log_path, NULL) != SL_SINK_FILES) {
		r->prefix[0] = '\0';
		return 0;
	}
	if (sl_opts_given(&r->o, log_path)) {
		int abs = r->o.log_path[0] == '/' || !getcwd(cwd, sizeof(cwd));
		n = snprintf(r->prefix, sizeof(r->prefix), "%s%s%s", abs ? "" : cwd, abs ? "" : "/",
			     r->o.log_path);
	} else {
		if (sl_run_logdir_make(r->tmpdir, r->id, r->logdir, sizeof(r->logdir))) {
			fprintf(stderr, "sockleak: run: cannot create a log directory in %s: %s\n",
				r->tmpdir, strerror(errno));
			r->logdir[0] = '\0';
			return -1;
		}
		n = snprintf(r->prefix, sizeof(r->prefix), "%s/log", r->logdir);
	}
	/* the preload takes a log_path shorter than its SL_PATH_MAX */
	if (n < 0 || n >= SL_PATH_MAX) {
		fprintf(stderr, "sockleak: run: log path %s is too long (at most %d bytes)\n",
			r->prefix, SL_PATH_MAX - 1);
		return -1;
	}
	if (!r->logdir[0] && sl_run_check_dir(r->prefix))
		return -1;
	snprintf(item, sizeof(item), "log_path=%s", r->prefix);
	return sl_run_append(&r->opts, item) ? -1 : 0;
}

static void sl_run_remove_logs(const struct sl_run *r)
{
	if (r->logdir[0])
		sl_run_logdir_remove(r->logdir);
}

/* Kept logs: renamed so that no later run's sweep takes them for a killed runner's. */
static void sl_run_keep_logs(struct sl_run *r, const char *why)
{
	if (sl_run_logdir_keep(r->tmpdir, r->logdir, sizeof(r->logdir)))
		fprintf(stderr, "sockleak: run: cannot rename %s: %s; a later run may remove it\n",
			r->logdir, strerror(errno));
	fprintf(stderr, "sockleak: run: %s %s\n", why, r->logdir);
}

/* ---- running ------------------------------------------------------------------------------- */

static const int sl_run_fwd[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

static void sl_run_sigset(sigset_t *s)
{
	sigemptyset(s);
	for (size_t i = 0; i < sizeof(sl_run_fwd) / sizeof(sl_run_fwd[0]); i++)
		sigaddset(s, sl_run_fwd[i]);
	sigaddset(s, SIGCHLD);
}

/* In the child, between fork and exec: own process group (so that one kill reaches the whole
 * tree), the terminal if we had it, signals as the runner found them, the preload. */
static void sl_run_child(struct sl_run *r, char **argv, const char *preload, const sigset_t *old,
			 int errfd)
{
	int e;

	/* dies with the runner, even by SIGKILL; the runner may have died before this line */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != r->self)
		_exit(SL_RUN_FAIL);
	setpgid(0, 0);
	if (r->tty >= 0)
		tcsetpgrp(r->tty, getpid()); /* SIGTTOU is still ignored here */
	signal(SIGTTOU, SIG_DFL);
	sigprocmask(SIG_SETMASK, old, NULL);
	setenv("LD_PRELOAD", preload, 1);
	setenv("SOCKLEAK_OPTIONS", r->opts ? r->opts : "", 1);
	putenv(r->marker);
	execv(r->prog, argv);
	if (errno == ENOEXEC) { /* no #! line: a shell script, as execvp runs it */
		int n = 0;
		while (argv[n])
			n++;
		char **sh = calloc((size_t)n + 2, sizeof(*sh));
		if (sh) {
			sh[0] = "sh";
			sh[1] = r->prog;
			memcpy(sh + 2, argv + 1, (size_t)n * sizeof(*sh));
			execv("/bin/sh", sh);
		}
	}
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0) {
		/* nothing to do: the parent then sees a plain exit 127 */
	}
	_exit(sl_run_exec_status(e));
}

static pid_t sl_run_spawn(struct sl_run *r, char **argv, const sigset_t *old, int *exec_err)
{
	int pfd[2], e;
	char *preload = sl_run_preload_env(r->lib, getenv("LD_PRELOAD"));
	pid_t pid;

	*exec_err = 0;
	if (!preload || pipe2(pfd, O_CLOEXEC)) {
		fprintf(stderr, "sockleak: run: %s\n", strerror(preload ? errno : ENOMEM));
		free(preload);
		return -1;
	}
	if ((pid = fork()) == 0) {
		close(pfd[0]);
		sl_run_child(r, argv, preload, old, pfd[1]);
	}
	free(preload);
	close(pfd[1]);
	if (pid < 0) {
		fprintf(stderr, "sockleak: run: fork: %s\n", strerror(errno));
		close(pfd[0]);
		return -1;
	}
	/* also here, so that a signal forwarded right now already reaches the group */
	setpgid(pid, pid);
	if (r->tty >= 0)
		tcsetpgrp(r->tty, pid);
	while (read(pfd[0], &e, sizeof(e)) == sizeof(e)) {
		*exec_err = e;
		break;
	}
	close(pfd[0]);
	return pid;
}

static long sl_run_ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000L + (now.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* Ctrl-Z stopped the program: take the terminal back and stop too, so the shell sees the job
 * stopped; when continued, hand the terminal back and continue the program. */
static void sl_run_job_stopped(const struct sl_run *r, pid_t pg)
{
	if (r->tty < 0)
		return;
	tcsetpgrp(r->tty, getpgrp());
	raise(SIGTSTP);
	tcsetpgrp(r->tty, pg);
	kill(-pg, SIGCONT);
}

struct sl_run_wait {
	int status; /* of the direct child, once done */
	int done;   /* direct child exited */
	int others; /* other children (reparented descendants) are left */
};

/* Reap every child that changed state. Returns 1 when no child at all is left. */
static int sl_run_reap(const struct sl_run *r, pid_t child, struct sl_run_wait *w)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG | WUNTRACED)) > 0) {
		if (p != child)
			continue;
		if (WIFSTOPPED(st))
			sl_run_job_stopped(r, child);
		else {
			w->status = st;
			w->done = 1;
		}
	}
	return p < 0 && errno == ECHILD;
}

/* Wait for the program, forwarding signals to its group; then give descendants still running
 * (a background job, a daemon that double-forked) a bounded moment to finish their logs.
 * With wait_ms >= 0, only that bounded moment (the program is already done). */
static int sl_run_wait(const struct sl_run *r, pid_t child, struct sl_run_wait *w, long wait_ms)
{
	sigset_t set;
	struct timespec t_done = {0, 0};

	sl_run_sigset(&set);
	for (;;) {
		int none = sl_run_reap(r, child, w), sig;
		long left = 1000;
		struct timespec ts;

		if (w->done && none)
			return 0;
		if (w->done) {
			if (!t_done.tv_sec && !t_done.tv_nsec)
				clock_gettime(CLOCK_MONOTONIC, &t_done);
			left = (wait_ms >= 0 ? wait_ms : r->tree_wait_ms) -
			       sl_run_ms_since(&t_done);
			if (left <= 0) {
				w->others = 1;
				return 0;
			}
		}
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000L;
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig > 0 && sig != SIGCHLD && kill(-child, sig) && !w->done)
			kill(child, sig); /* the group is gone but the child is not: it left it */
	}
}

/* Descendants still running after the tree wait (daemons, forgotten background jobs) are
 * stopped, not left behind: they would go on with the preload, logging into a directory that
 * is about to be removed, after the summary was printed. SIGTERM first, so that they exit
 * normally and report what they still hold open; SIGKILL for what is left after
 * SL_RUN_STOP_MS. Stopping is part of the run: what they report is in the summary. */
static void sl_run_stop_tree(const struct sl_run *r, pid_t child, const char *prog,
			     struct sl_run_wait *w)
{
	struct sl_run_tree t = {r->self, child, getsid(0), r->marker};
	int n = sl_run_tree_signal(&t, SIGTERM), k;

	if (n) /* else only children that exited a moment ago are left to reap */
		fprintf(stderr,
			"sockleak: run: %d process(es) started by %s still ran %ld ms after "
			"it exited; stopping them (SIGTERM)\n",
			n, prog, r->tree_wait_ms);
	w->others = 0;
	sl_run_wait(r, child, w, SL_RUN_STOP_MS);
	if (!w->others)
		return;
	k = sl_run_tree_signal(&t, SIGKILL);
	if (k)
		fprintf(stderr, "sockleak: run: %d of them still ran %d ms later (SIGKILL)\n", k,
			SL_RUN_STOP_MS);
	w->others = 0;
	sl_run_wait(r, child, w, SL_RUN_STOP_MS);
}

/* ---- analysis ------------------------------------------------------------------------------ */

/* With a user log_path, only files PREFIX.PID written since the run started are this run's. */
static int sl_run_add_prefix_files(const struct sl_run *r, struct sl_analysis *a,
				   const struct timespec *t0)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(r->prefix, '/');

	snprintf(dir, sizeof(dir), "%.*s", slash == r->prefix ? 1 : (int)(slash - r->prefix),
		 r->prefix);
	return sl_run_logs_add(a, dir, slash + 1, t0);
}

/* Returns the leaked sockets that fail the run: after suppressions, and without those the
 * program closed later (reported, then closed: "closed late") unless fail_on_late=1. -1 when the
 * logs could not be analysed. */
static long sl_run_analyse(const struct sl_run *r, const struct timespec *t0)
{
	struct sl_analysis_opts o = {.suppressions =
					     r->o.suppressions[0] ? r->o.suppressions : NULL};
	struct sl_analysis *a;
	long leaked = -1;
	int err;

	o.color = isatty(2) && !getenv("NO_COLOR");
	if (!(a = sl_analysis_new(&o))) {
		fprintf(stderr, "sockleak: run: out of memory\n");
		return -1;
	}
	err = r->logdir[0] ? sl_run_logs_add(a, r->logdir, NULL, NULL)
			   : sl_run_add_prefix_files(r, a, t0);
	if (!err && !sl_analysis_finish(a)) {
		size_t procs;

		/* Lost records may have held leaks: a run that looks clean says so too. Programs
		 * that ran without sockleak are in the summary; without one they are said alone. */
		if (sl_analysis_leaked(a) || sl_analysis_suppressed(a) ||
		    sl_analysis_dropped(a, &procs))
			sl_analysis_write_summary(a, stderr);
		else if (sl_analysis_ran_without(a))
			sl_analysis_write_ran_without(a, stderr, "sockleak: run: ", 20);
		/* closed late: said in the summary, a failure only with fail_on_late=1 */
		leaked = (long)sl_analysis_failing(a, r->o.fail_on_late);
	}
	sl_analysis_free(a);
	return leaked;
}

/* ---- the command --------------------------------------------------------------------------- */

static int sl_run_parse_args(struct sl_run *r, int argc, char **argv)
{
	static const struct option lo[] = {
		{"option", required_argument, NULL, 'o'},
		{"keep-logs", no_argument, NULL, 'k'},
		{"library", required_argument, NULL, 'L'},
		{"tree-wait", required_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;
	long v;

	optind = 1;
	/* '+': options stop at PROGRAM, so its own options are left alone */
	while ((c = getopt_long(argc, argv, "+o:kL:w:hV", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (sl_run_append(&r->opts, optarg))
				return SL_RUN_FAIL;
			break;
		case 'k':
			r->keep_logs = 1;
			break;
		case 'L':
			r->library = optarg;
			break;
		case 'w':
			if (sl_run_uint(optarg, strlen(optarg), 0, 3600000, &v)) {
				fprintf(stderr,
					"sockleak: run: --tree-wait: '%s' is not a number of ms "
					"in 0..3600000\n",
					optarg);
				return SL_RUN_FAIL;
			}
			r->tree_wait_ms = v;
			break;
		case 'h':
			sl_run_usage(stdout);
			return 0;
		case 'V':
			printf("sockleak run %s\n", SL_VERSION);
			return 0;
		default:
			sl_run_usage(stderr);
			return SL_RUN_FAIL;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "sockleak: run: no program given\n");
		sl_run_usage(stderr);
		return SL_RUN_FAIL;
	}
	return -1; /* go on */
}

/* Everything before the fork; returns -1 to go on, else the exit status. */
static int sl_run_prepare(struct sl_run *r, const char *cmd)
{
	int e;

	sl_run_read_opts(r);
	/* the runner prints its own summary, symbolised, unless the user asked for the preload's */
	if (!sl_opts_given(&r->o, summary) && sl_run_append(&r->opts, "summary=0"))
		return SL_RUN_FAIL;
	if ((e = sl_run_resolve(cmd, r->prog, sizeof(r->prog)))) {
		fprintf(stderr, "sockleak: run: %s: %s\n", cmd,
			e == ENOENT ? "command not found" : strerror(e));
		return sl_run_exec_status(e);
	}
	if (sl_run_find_lib(r))
		return SL_RUN_FAIL;
	if ((e = sl_run_check(r->lib, r->prog, 0)))
		return e;
	if (r->o.suppressions[0] && access(r->o.suppressions, R_OK)) {
		fprintf(stderr, "sockleak: run: suppressions %s: %s\n", r->o.suppressions,
			strerror(errno));
		return SL_RUN_FAIL;
	}
	if (sl_run_setup_logs(r))
		return SL_RUN_FAIL;
	if (!r->prefix[0])
		fprintf(stderr,
			"sockleak: run: log_path=%s: records go to %s and are not analysed; "
			"the exit status is the program's\n",
			r->o.log_path,
			sl_opts_sink(r->o.log_path, NULL) == SL_SINK_SYSLOG
				? "syslog"
				: "the program's stderr");
	return -1;
}

static int sl_run_status(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : SL_RUN_FAIL;
}

static int sl_run_finish(struct sl_run *r, const char *prog, pid_t pid, int exec_err,
			 struct sl_run_wait *w, const struct timespec *t0);

static int sl_run_main(struct sl_run *r, int argc, char **argv)
{
	struct sl_run_wait w = {0, 0, 0};
	struct timespec t0;
	sigset_t set, old;
	int ret, exec_err;
	pid_t pid;

	clock_gettime(CLOCK_REALTIME, &t0);
	if (sl_run_append(&r->opts, getenv("SOCKLEAK_OPTIONS") ? getenv("SOCKLEAK_OPTIONS") : ""))
		return SL_RUN_FAIL;
	r->self = getpid();
	if ((ret = sl_run_parse_args(r, argc, argv)) >= 0 ||
	    (ret = sl_run_prepare(r, argv[optind])) >= 0)
		return ret;
	{
		struct sl_run_tree t = {0, 0, getsid(0), r->marker};

		/* before the runner is a subreaper: the guard must not be one of its children */
		r->guard = sl_run_guard_start(&t, r->logdir);
	}
	/* the program gets the terminal while it runs, as if started without us */
	if (isatty(0) && tcgetpgrp(0) == getpgrp())
		r->tty = 0;
	signal(SIGTTOU, SIG_IGN);
	signal(SIGCHLD, SIG_DFL); /* an inherited SIG_IGN would make children unwaitable */
	/* descendants orphaned by their parent come to us, so we can wait for the whole tree */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	sl_run_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = sl_run_spawn(r, argv + optind, &old, &exec_err);
	sl_run_guard_tell(r->guard, pid > 0 ? pid : 0);
	if (pid > 0) {
		sl_run_wait(r, pid, &w, -1);
		if (w.others)
			sl_run_stop_tree(r, pid, argv[optind], &w);
	}
	if (r->tty >= 0)
		tcsetpgrp(r->tty, getpgrp());
	sigprocmask(SIG_SETMASK, &old, NULL);
	ret = sl_run_finish(r, argv[optind], pid, exec_err, &w, &t0);
	sl_run_guard_done(r->guard);
	return ret;
}

/* After the tree is gone: the analysis, the logs, the status. */
static int sl_run_finish(struct sl_run *r, const char *prog, pid_t pid, int exec_err,
			 struct sl_run_wait *w, const struct timespec *t0)
{
	long leaked;
	int ret;

	if (pid < 0 || exec_err) {
		if (exec_err)
			fprintf(stderr, "sockleak: run: %s: %s\n", r->prog, strerror(exec_err));
		sl_run_remove_logs(r);
		return pid < 0 ? SL_RUN_FAIL : sl_run_exec_status(exec_err);
	}
	if (w->others)
		fprintf(stderr,
			"sockleak: run: processes started by %s did not stop; records they "
			"write later are not in this summary\n",
			prog);
	ret = sl_run_status(w->status);
	if (!r->prefix[0])
		return ret;
	leaked = sl_run_analyse(r, t0);
	if (leaked < 0) {
		if (r->logdir[0])
			sl_run_keep_logs(r, "the logs could not be analysed; kept in");
		else
			fprintf(stderr, "sockleak: run: the logs could not be analysed\n");
		return SL_RUN_FAIL;
	}
	if (r->keep_logs && r->logdir[0])
		sl_run_keep_logs(r, "logs kept in");
	else
		sl_run_remove_logs(r);
	return leaked > 0 && r->o.exitcode ? (int)r->o.exitcode : ret;
}

int sl_cmd_run(int argc, char **argv)
{
	struct sl_run *r = calloc(1, sizeof(*r));
	int ret;

	if (!r) {
		fprintf(stderr, "sockleak: run: out of memory\n");
		return SL_RUN_FAIL;
	}
	r->tree_wait_ms = SL_RUN_TREE_WAIT_MS;
	r->tty = -1;
	r->guard = -1;
	ret = sl_run_main(r, argc, argv);
	free(r->opts);
	free(r);
	return ret;
}
