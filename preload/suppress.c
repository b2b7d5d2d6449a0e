/* leak:PATTERN suppressions for enforcement; see suppress.h. */
#include "suppress.h"

#include "log.h"
#include "stack.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SL_SUPP_BYTES 16384
#define SL_SUPP_MAX 128

static char sl_supp_text[SL_SUPP_BYTES];
static const char *sl_supp[SL_SUPP_MAX];
static int sl_nsupp;

void sl_supp_load(const char *path)
{
	int fd;
	ssize_t n;
	char *line, *save = NULL;

	if (!path || !path[0])
		return;
	fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		char msg[600];
		int w = snprintf(msg, sizeof(msg), "sockleak: cannot read suppressions %s\n", path);

		sl_log_text(msg, w > 0 && (size_t)w < sizeof(msg) ? (size_t)w : 0);
		return;
	}
	n = syscall(SYS_read, fd, sl_supp_text, sizeof(sl_supp_text) - 1);
	syscall(SYS_close, fd);
	if (n <= 0)
		return;
	sl_supp_text[n] = '\0';
	for (line = strtok_r(sl_supp_text, "\n", &save); line && sl_nsupp < SL_SUPP_MAX;
	     line = strtok_r(NULL, "\n", &save)) {
		while (*line == ' ' || *line == '\t')
			line++;
		line[strcspn(line, "\r")] = '\0';
		if (!strncmp(line, "leak:", 5) && line[5])
			sl_supp[sl_nsupp++] = line + 5;
	}
}

int sl_supp_frame_match(const char *pattern, const char *symbol, const char *module)
{
	const char *base;

	if (symbol && !fnmatch(pattern, symbol, 0))
		return 1;
	if (!module)
		return 0;
	base = strrchr(module, '/');
	return !fnmatch(pattern, module, 0) || (base && !fnmatch(pattern, base + 1, 0));
}

int sl_supp_frame_any(const char *symbol, const char *module)
{
	for (int i = 0; i < sl_nsupp; i++)
		if (sl_supp_frame_match(sl_supp[i], symbol, module))
			return 1;
	return 0;
}

int sl_supp_match(uint32_t a, uint32_t b)
{
	return sl_nsupp && (sl_stack_suppressed(a) || sl_stack_suppressed(b));
}
