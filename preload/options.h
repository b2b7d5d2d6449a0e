/* SOCKLEAK_OPTIONS parsing: pure, no I/O, linked directly by the unit tests and the fuzzer. */
#ifndef SL_OPTIONS_H
#define SL_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#define SL_PATH_MAX 512

/* Exit status of `sockleak run` when leaks were found: the exitcode option's default. */
#define SL_EXITCODE_DEFAULT 23

struct sl_opts {
	uint32_t grace_ms;
	uint32_t scan_ms;
	uint32_t stack_depth;
	int report_at_exit;
	int summary;
	int enforce;
	int exitcode;
	int fail_on_late;               /* `sockleak run`: leaks closed late fail it too */
	int help;
	int raw_thread;                 /* watchdog on a thread glibc does not know (rthread.h) */
	int python;                     /* Python frames and gc_closed through our sitecustomize */
	int scan_with;                  /* enum sl_scan_with: how CLOSE_WAIT is found */
	uint32_t idle_ms;              /* 0: off */
	uint32_t keepalive_idle_s, keepalive_intvl_s, keepalive_cnt;   /* 0: leave as is */
	char log_path[SL_PATH_MAX];     /* "stderr" or a prefix for PREFIX.PID */
	/* leak:PATTERN lines: read by the preload at start-up so enforcement spares suppressed
	 * sites (suppress.c), and by the runner and the analyser (suppmatch.h: one matcher) */
	char suppressions[SL_PATH_MAX];
};

#define SL_STACK_MAX 64

/* How the watchdog learns which sockets are in CLOSE_WAIT (docs/options.md). Each falls back
 * to the next when the kernel refuses it. */
enum sl_scan_with { SL_SCAN_EPOLL, SL_SCAN_SOCK_DIAG, SL_SCAN_TCP_INFO };

void sl_opts_default(struct sl_opts *o);

/* Called once per bad item with a complete one-line message (no newline). */
typedef void (*sl_opts_err_fn)(void *ctx, const char *msg);

/* Parse "k=v:k=v" (',' also separates) over the defaults already in *o. Bad keys and values are
 * reported through err and ignored, never fatal. Returns the number of problems. */
int sl_opts_parse(struct sl_opts *o, const char *s, sl_opts_err_fn err, void *ctx);
/* Length of the item at s (up to the next ':' or ','; log_path=syslog:/PATH is one item), for
 * readers that pick out single keys (`sockleak run`). */
size_t sl_opts_item_len(const char *s);

/* Where a program in secure mode (AT_SECURE) takes its options from, instead of the
 * environment: a file owned by root that group and others cannot write (init.c). */
#ifndef SL_SECURE_CONF
#define SL_SECURE_CONF "/etc/sockleak.conf"
#endif

/* The same key=value syntax from a file's text, modified in place: newlines separate too, and a
 * line whose first non-blank character is '#' is a comment. Returns the number of problems. */
int sl_opts_parse_conf(struct sl_opts *o, char *text, sl_opts_err_fn err, void *ctx);

/* Room that always holds sl_opts_json's output: two paths escaped at up to 6 bytes a byte
 * (\u00XX for bytes that are not UTF-8), and the numbers. */
#define SL_OPTS_JSON_MAX (SL_PATH_MAX * 12 + 512)

/* Write the options in force as the body of a JSON object ("k":v,...) into buf. */
size_t sl_opts_json(const struct sl_opts *o, char *buf, size_t cap);

/* The help text for help=1 (one static string). */
const char *sl_opts_help(void);

#endif
