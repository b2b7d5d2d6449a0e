/* leak:PATTERN suppressions for enforcement; see suppress.h. */
#include "suppress.h"

#include "say.h"
#include "logfile.h"
#include "options.h"
#include "suppmatch.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SL_SUPP_BYTES 16384
#define SL_SUPP_MAX 128

static char sl_supp_text[SL_SUPP_BYTES];
static const char *sl_supp[SL_SUPP_MAX];
static int sl_nsupp;

/* Read from the program's constructor: a FIFO there would hang it, /dev/stdin would eat its
 * input. So only a regular file, never through a symbolic link, never blocking (logfile.h), and
 * only the first SL_SUPP_BYTES: the lines that fit whole are used, a cut one never is (a cut
 * "leak:*_handler" would read "leak:*"). */
void sl_supp_load(const char *path)
{
	long n;
	char *line, *save = NULL;

	if (!path || !path[0])
		return;
	n = sl_file_read(path, sl_supp_text, sizeof(sl_supp_text), 0);
	if (n == -EFBIG) {
		char *cut = strrchr(sl_supp_text, '\n');

		n = cut ? cut + 1 - sl_supp_text : 0;
		sl_supp_text[n] = '\0';
		sl_log_say("sockleak: suppressions %s: larger than %d bytes; only the lines in the "
			   "first %ld bytes are used",
			   path, SL_SUPP_BYTES - 1, n);
	} else if (n < 0) {
		sl_log_say("sockleak: cannot read suppressions %s: %s", path, sl_file_why((int)-n));
		return;
	}
	for (line = strtok_r(sl_supp_text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		while (*line == ' ' || *line == '\t')
			line++;
		line[strcspn(line, "\r")] = '\0';
		if (strncmp(line, "leak:", 5) || !line[5])
			continue;
		if (sl_nsupp == SL_SUPP_MAX) {
			sl_log_say(
				"sockleak: suppressions %s: more than %d patterns; the rest are not "
				"used",
				path, SL_SUPP_MAX);
			break;
		}
		sl_supp[sl_nsupp++] = line + 5;
	}
}

int sl_supp_frame_any(const char *symbol, const char *file, const char *module)
{
	for (int i = 0; i < sl_nsupp; i++)
		if (sl_supp_frame_match(sl_supp[i], symbol, file, module))
			return 1;
	return 0;
}

int sl_supp_count(void) { return sl_nsupp; }
