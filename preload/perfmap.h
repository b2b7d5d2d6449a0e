/* The process's perf map, for frames in no module (perfmap.c). */
#ifndef SL_PERFMAP_H
#define SL_PERFMAP_H

#include "options.h"
#include "sl.h"

/* One caller at a time (stack.c's sl_jit_mu): names[i] (NULL on entry) set to the perf map's name of the code at
 * return address ips[i] (0: skip), valid until the next call. Returns how many were named. */
unsigned sl_perfmap_names(const uintptr_t *ips, unsigned n, const char **names);

#endif
