/* Plain text on stderr (bad options, secure-mode notices, the exit summary): a primitive every
 * layer may use, below the log (preload/layers). Raw syscalls only, no lock, no allocation. */
#ifndef SL_SAY_H
#define SL_SAY_H

#include <stddef.h>
#include <sys/types.h>

/* First thing at init: remember what fd 2 is (sl_log_text writes only there). */
void sl_log_early(void);
/* fd 2 is still the file it was at start-up (sl_log_early). */
int sl_stderr_same(void);
/* write(2) as a raw syscall: never through our own wrapper, never counted as the program's. */
ssize_t sl_raw_write(int fd, const void *buf, size_t len);

/* Write a plain text message on stderr (fd 2), e.g. bad options, the exit summary: only while
 * fd 2 is the file it was at start-up, and never a socket (it could reach a peer). */
void sl_log_text(const char *msg, size_t len);
/* One formatted line on stderr (the newline is added), through sl_log_text. */
__attribute__((format(printf, 1, 2))) void sl_log_say(const char *fmt, ...);

#endif
