/* SOCKLEAK_OPTIONS: the options of options.inc (their one definition) and the code generated
 * from it. Pure, no I/O: linked into the preload, the tools (run, top, exporter), the unit tests
 * and the fuzzer alike, so all of them read an option the same way. */
#ifndef SL_OPTIONS_H
#define SL_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#define SL_PATH_MAX 512
#define SL_STACK_MAX 64

/* Exit status of `sockleak run` when leaks were found: the exitcode option's default. */
#define SL_EXITCODE_DEFAULT 23

/* How the watchdog learns which sockets are in CLOSE_WAIT (docs/options.md). Each falls back
 * to the next when the kernel refuses it. The names are the values of scan_with: an enum
 * option's values are SL_OPT_VALUES_name(X), X(constant, "name") each, in the enum's order. */
#define SL_OPT_VALUES_scan_with(X) \
	X(SL_SCAN_EPOLL, "epoll") X(SL_SCAN_SOCK_DIAG, "sock_diag") X(SL_SCAN_TCP_INFO, "tcp_info")
#define SL_OPT_ENUM_CONST(c, name) c,
enum sl_scan_with { SL_OPT_VALUES_scan_with(SL_OPT_ENUM_CONST) };

/* The fields, one per row of options.inc, by type. */
#define SL_OPT_FIELD_bool(n) int n;
#define SL_OPT_FIELD_uint(n) uint32_t n;
#define SL_OPT_FIELD_enum(n) int n;
#define SL_OPT_FIELD_path(n) char n[SL_PATH_MAX];
#define SL_OPT_FIELD_sink(n) char n[SL_PATH_MAX];

struct sl_opts {
#define SL_OPT(type, name, def, min, max, help) SL_OPT_FIELD_##type(name)
#include "options.inc"
#undef SL_OPT
	/* The options an item set (bit SL_OPT_ID_name), for a reader whose defaults differ:
	 * `sockleak run` passes summary=0 and its own log_path unless the user gave them. */
	uint64_t given;
};

/* SL_OPT_ID_name: the option's row in options.inc; SL_OPT_COUNT of them, SL_OPT_PATHS paths. */
enum sl_opt_id {
#define SL_OPT(type, name, def, min, max, help) SL_OPT_ID_##name,
#include "options.inc"
#undef SL_OPT
	SL_OPT_COUNT
};
#define SL_OPT_IS_PATH_bool 0
#define SL_OPT_IS_PATH_uint 0
#define SL_OPT_IS_PATH_enum 0
#define SL_OPT_IS_PATH_path 1
#define SL_OPT_IS_PATH_sink 1
enum {
	SL_OPT_PATHS = 0
#define SL_OPT(type, name, def, min, max, help) +SL_OPT_IS_PATH_##type
#include "options.inc"
#undef SL_OPT
};

#define sl_opts_given(o, name) ((int)(((o)->given >> SL_OPT_ID_##name) & 1))

void sl_opts_default(struct sl_opts *o);

/* Called once per bad item with a complete one-line message (no newline). */
typedef void (*sl_opts_err_fn)(void *ctx, const char *msg);

/* Parse "k=v:k=v" (',' also separates) over the defaults already in *o. Bad keys and values are
 * reported through err and ignored, never fatal; a good one sets its bit in o->given. Returns
 * the number of problems. */
int sl_opts_parse(struct sl_opts *o, const char *s, sl_opts_err_fn err, void *ctx);

/* Where a program in secure mode (AT_SECURE) takes its options from, instead of the
 * environment: a file owned by root that group and others cannot write (setup.c). */
#ifndef SL_SECURE_CONF
#define SL_SECURE_CONF "/etc/sockleak.conf"
#endif

/* The same key=value syntax from a file's text, modified in place: newlines separate too, and a
 * line whose first non-blank character is '#' is a comment. Returns the number of problems. */
int sl_opts_parse_conf(struct sl_opts *o, char *text, sl_opts_err_fn err, void *ctx);

/* Room that always holds sl_opts_json's output: the paths escaped at up to 6 bytes a byte
 * (\u00XX for bytes that are not UTF-8), and for each option its key, quotes and number. */
#define SL_OPTS_JSON_MAX (SL_OPT_PATHS * SL_PATH_MAX * 6 + SL_OPT_COUNT * 48)

/* Write the options in force as the body of a JSON object ("k":v,...) into buf. */
size_t sl_opts_json(const struct sl_opts *o, char *buf, size_t cap);

/* The help text for help=1 (one static string, made at the first call). */
const char *sl_opts_help(void);

/* Secure mode (init.c): a relative path option would be resolved in the working directory the
 * invoker chose, so each is reported through err and cleared. Returns the number cleared. */
int sl_opts_secure_paths(struct sl_opts *o, sl_opts_err_fn err, void *ctx);

/* Where a sink option (log_path) sends records. SL_SINK_SYSLOG sets *socket (when not NULL) to
 * the datagram socket: /dev/log, or PATH of syslog:/PATH. */
enum sl_sink { SL_SINK_NONE, SL_SINK_STDERR, SL_SINK_SYSLOG, SL_SINK_FILES };
enum sl_sink sl_opts_sink(const char *value, const char **socket);

#endif
