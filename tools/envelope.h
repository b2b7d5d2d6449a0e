/* Records inside other formats: a sockleak record sent with log_path=syslog arrives as the
 * message of a syslog line (rsyslog's files, RFC 3164 or RFC 3339 timestamps, or RFC 5424) or
 * of a journal entry (`journalctl -o json`). envelope finds the record in such a line, and tells
 * other programs' lines (skipped, counted) from sockleak lines it cannot use (named). */
#ifndef SL_ENVELOPE_H
#define SL_ENVELOPE_H

#include <stddef.h>

enum sl_env_kind {
	SL_ENV_PLAIN,  /* not an envelope: the line itself is (or is not) a record */
	SL_ENV_RECORD, /* a sockleak record at rec[0..n), from host (may be NULL) */
	SL_ENV_OTHER,  /* another program's syslog line or journal entry */
	SL_ENV_BAD,    /* a sockleak line that holds no usable record: why */
};

struct sl_env {
	const char *rec, *host;
	size_t n, hostn;
	const char *why;
	char *buf; /* decoded journal MESSAGE; reused from line to line, caller frees */
	size_t cap;
};

enum sl_env_kind sl_envelope(const char *s, size_t n, struct sl_env *e);

#endif
