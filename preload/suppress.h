/* Suppressions in the preload: the file named by `suppressions=` is read once, so that
 * enforcement never shuts down a socket of a suppressed site. (Reports are still written; the
 * runner and the analyser apply the same file to what they show.) */
#ifndef SL_SUPPRESS_H
#define SL_SUPPRESS_H

#include "sl.h"

void sl_supp_load(const char *path);
/* How many leak:PATTERN lines were loaded (0: no suppressions). */
int sl_supp_count(void);
/* Whether one frame matches any leak:PATTERN: its function, source file (an interpreter's
 * frames; native frames have none here, without debug info) and module, any of them NULL. */
int sl_supp_frame_any(const char *symbol, const char *file, const char *module);

#endif
