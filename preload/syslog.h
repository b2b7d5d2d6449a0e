/* The syslog sink for log_path=syslog and log_path=syslog:PATH: each record one datagram,
 * "<PRI>sockleak[PID]: JSON", on a unix datagram socket of ours (/dev/log by default, where
 * journald and rsyslog listen). It never blocks the host: the socket is non-blocking and every
 * send is MSG_DONTWAIT, so a full or missing receiver costs a dropped record, counted, never a
 * wait. No timestamp and no hostname in the header: on a local socket both receivers stamp
 * their own (rsyslog ignores the sender's by default), and the record carries ts_ns. */
#ifndef SL_SYSLOG_H
#define SL_SYSLOG_H

#include <stddef.h>

/* Whether log_path names the syslog sink; *path is the socket's path ("/dev/log" for plain
 * "syslog"). */
int sl_syslog_wanted(const char *log_path, const char **path);

/* A non-blocking, close-on-exec datagram socket connected to path; -1 with errno on failure. */
int sl_syslog_open(const char *path);

/* Send one record (JSON without its trailing newline) with the priority its event deserves:
 * warning for a leak, info for the others. 0 or an errno value (EAGAIN: the receiver is full;
 * ECONNREFUSED/ENOENT: it is gone). */
int sl_syslog_send(int fd, const char *event, const char *json, size_t len);

/* Say once per process (on stderr) that records are being dropped, and why; the log counts
 * them (the exit record's "dropped"). */
void sl_syslog_failed(int err, const char *path);
void sl_syslog_atfork_child(void);

#endif
