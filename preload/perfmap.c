/* JIT code named when its stack record is written: the process's own perf map,
 * /tmp/perf-PID.map ("START SIZE name" lines, hex; node --perf-basic-prof, the JVM's
 * Compiler.perfmap, CPython 3.12 -X perf; docs/languages.md), is read for the frames that are
 * in no module. The tools look it up again when they symbolise (tools/perfmap.c), for maps
 * written later (the JVM writes its own at exit); naming here keeps the names in the log after
 * /tmp is cleaned or the log is read on another machine.
 *
 * Called before the record's log lock is taken, one thread at a time (stack.c), on whatever
 * thread writes the record (the watchdog's raw thread included): raw system calls, static
 * buffers, no allocation. The map is the process's
 * own, so it is read only when the process's effective uid owns it and nobody else may write
 * it, it is a regular file reached without a symbolic link, and not blocking (O_NONBLOCK: a
 * FIFO planted in its place is refused by the type check, never waited on). At most
 * SL_PMAP_BYTES are read: a JIT appends to its map, and the last line that covers an address
 * names it. */
#include "perfmap.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SL_PMAP_BYTES (64u << 20)
#define SL_PMAP_CHUNK 65536
#define SL_PMAP_NAME 256

static char sl_pm_buf[SL_PMAP_CHUNK + 1];
static char sl_pm_names[SL_STACK_MAX][SL_PMAP_NAME];

/* One line: the frames it covers take its name. */
static void sl_pm_line(char *l, const uintptr_t *ips, unsigned n, const char **names)
{
	char *e, *f;
	unsigned long long start = strtoull(l, &e, 16), size;

	if (e == l || *e != ' ')
		return;
	size = strtoull(e + 1, &f, 16);
	if (f == e + 1 || *f != ' ' || !size || !f[1])
		return;
	for (unsigned i = 0; i < n; i++) {
		/* a return address: ip-1 is inside the call */
		if (!ips[i] || ips[i] - 1 < start || ips[i] - 1 - start >= size)
			continue;
		snprintf(sl_pm_names[i], SL_PMAP_NAME, "%s", f + 1);
		names[i] = sl_pm_names[i];
	}
}

unsigned sl_perfmap_names(const uintptr_t *ips, unsigned n, const char **names)
{
	char path[64];
	struct stat st;
	size_t have = 0, total = 0;
	unsigned found = 0;
	int fd;

	if (n > SL_STACK_MAX)
		n = SL_STACK_MAX;
	snprintf(path, sizeof(path), "/tmp/perf-%ld.map", (long)syscall(SYS_getpid));
	fd = (int)syscall(SYS_openat, AT_FDCWD, path,
			  O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* ours alone: in /tmp, a map others may write would let them name our frames */
	if (syscall(SYS_fstat, fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_uid != (uid_t)syscall(SYS_geteuid) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		syscall(SYS_close, fd);
		return 0;
	}
	for (;;) {
		ssize_t r = total < SL_PMAP_BYTES
				    ? syscall(SYS_read, fd, sl_pm_buf + have, SL_PMAP_CHUNK - have)
				    : 0;
		char *p = sl_pm_buf, *nl;

		if (r <= 0)
			break;
		total += (size_t)r;
		have += (size_t)r;
		sl_pm_buf[have] = '\0';
		while ((nl = memchr(p, '\n', have - (size_t)(p - sl_pm_buf)))) {
			*nl = '\0';
			sl_pm_line(p, ips, n, names);
			p = nl + 1;
		}
		have -= (size_t)(p - sl_pm_buf);
		if (have == SL_PMAP_CHUNK) /* a line longer than the buffer: dropped */
			have = 0;
		memmove(sl_pm_buf, p, have);
	}
	syscall(SYS_close, fd);
	for (unsigned i = 0; i < n; i++)
		found += names[i] != NULL;
	return found;
}
