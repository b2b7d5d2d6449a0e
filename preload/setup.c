/* The lazy set-up of the process (sl_init, sl.h): options, clocks, our own path, the real
 * functions, the log, libunwind's settings, suppressions and the atfork handlers. In the
 * tracking layer (preload/layers), above the watchdog and the fork code whose atfork handlers
 * it registers and below track.c, whose first call of a process may be what runs it. */
#include "forks.h"
#include "log.h"
#include "logfile.h"
#include "options.h"
#include "real.h"
#include "stack.h"
#include "suppress.h"
#include "watchdog.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

static pthread_once_t sl_init_once = PTHREAD_ONCE_INIT;

static void sl_opt_error(void *ctx, const char *msg)
{
	(void)ctx;
	sl_log_text(msg, strlen(msg));
	sl_log_text("\n", 1);
}

/* atfork: bind symbols first (dlsym takes the loader's lock, which no lock of ours may be held
 * around), then every lock of ours in the lock order (libunwind load, scan, state, log); the
 * child re-initialises them, as it may have been forked while another thread held one. */
static void sl_atfork_prepare(void)
{
	sl_real_bind();
	sl_stack_atfork_prepare();
	sl_watchdog_atfork_prepare();
	sl_lock();
	sl_log_atfork_prepare();
}

static void sl_atfork_parent(void)
{
	sl_log_atfork_parent();
	sl_unlock();
	sl_watchdog_atfork_parent();
	sl_stack_atfork_parent();
}

SL_FORK_CODE static void sl_atfork_child(void)
{
	sl_log_atfork_child();
	sl_stack_atfork_child();
	sl_mutex_reset(&sl_mu);
	sl_watchdog_atfork_child();
	sl_forks_atfork_child();
}

/* Secure mode (AT_SECURE: a setuid or setgid program, or one with file capabilities, started
 * by someone with less privilege): the environment belongs to that someone, who must not choose
 * where a privileged process writes. Options come only from SL_SECURE_CONF, a file only root
 * may change; without a log_path there, nothing is logged (stderr belongs to the invoker too,
 * and records hold the program's addresses), and no summary is printed unless it says so. */
static void sl_secure_options(void)
{
	static char text[4096];
	long n = sl_file_read(SL_SECURE_CONF, text, sizeof(text), SL_FILE_ROOT);

	sl_opt.log_path[0] = '\0';
	sl_opt.summary = 0;
	if (getenv("SOCKLEAK_OPTIONS"))
		sl_log_say("sockleak: secure mode (setuid, setgid or file capabilities): "
			   "SOCKLEAK_OPTIONS ignored, options from %s",
			   SL_SECURE_CONF);
	if (n == -ENOENT)
		return;
	if (n < 0) {
		sl_log_say("sockleak: secure mode: %s not used: %s", SL_SECURE_CONF,
			   sl_file_why((int)-n));
		return;
	}
	sl_opts_parse_conf(&sl_opt, text, sl_opt_error, NULL);
	/* A relative path would be resolved in the working directory the invoker chose: root's
	 * log created, or suppressions read, wherever they stand. */
	sl_opts_secure_paths(&sl_opt, sl_opt_error, NULL);
}

static void sl_do_init(void)
{
	sl_log_early();
	sl_opts_default(&sl_opt);
	if (getauxval(AT_SECURE))
		sl_secure_options();
	else
		sl_opts_parse(&sl_opt, getenv("SOCKLEAK_OPTIONS"), sl_opt_error, NULL);
	if (sl_opt.help) {
		const char *h = sl_opts_help();

		sl_log_text(h, strlen(h));
	}
	sl_mono_ms();
	sl_forks_init();
	sl_real_bind();
	sl_log_init();
	sl_stack_init(sl_opt.stack_depth);
	sl_supp_load(sl_opt.suppressions);
	pthread_atfork(sl_atfork_prepare, sl_atfork_parent, sl_atfork_child);
	__atomic_store_n(&sl_inited, 1, __ATOMIC_RELEASE);
}

/* Keeps errno: the per-connection callers save none (track.c). */
void sl_init_slow(void)
{
	int saved = errno;

	pthread_once(&sl_init_once, sl_do_init);
	errno = saved;
}
