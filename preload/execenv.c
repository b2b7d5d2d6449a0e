/* The environment an exec passes on; see execenv.h. `env -i`, Python's subprocess with
 * env={}, a shell's LD_PRELOAD=other.so cmd: the new image never loads us, or logs somewhere
 * the runner does not read, and nothing else would ever say so. */
#include "execenv.h"

#include "options.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *sl_env_get(char *const envp[], const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

int sl_preload_names_us(const char *v, const char *self)
{
	const char *sb = strrchr(self, '/');
	size_t sl = strlen(self), sbl;

	sb = sb ? sb + 1 : self;
	sbl = strlen(sb);
	while (*v) {
		size_t n = strcspn(v, ": \t\n"), bn = n;
		const char *b = v;

		for (size_t i = 0; i < n; i++)
			if (v[i] == '/') {
				b = v + i + 1;
				bn = n - i - 1;
			}
		if (n &&
		    ((n == sl && !memcmp(v, self, n)) || (sbl && bn == sbl && !memcmp(b, sb, bn)) ||
		     (bn >= 11 && !memcmp(b, "libsockleak", 11))))
			return 1;
		v += n;
		while (*v == ':' || *v == ' ' || *v == '\t' || *v == '\n')
			v++;
	}
	return 0;
}

const char *sl_execenv_why(char *const envp[], const char *self, const char *log_path, int global)
{
	const char *pre = sl_env_get(envp, "LD_PRELOAD");
	const char *opt = sl_env_get(envp, "SOCKLEAK_OPTIONS");
	struct sl_opts o;

	/* Loaded from /etc/ld.so.preload, we are in every new image whatever LD_PRELOAD says:
	 * only where its records go can differ. */
	if (!global && !pre && !opt)
		return "environment cleared";
	if (!global && (!pre || !pre[strspn(pre, ": ")]))
		return "LD_PRELOAD removed";
	if (!global && !sl_preload_names_us(pre, self))
		return "LD_PRELOAD replaced";
	/* loaded, but are its records where ours go? */
	sl_opts_default(&o);
	sl_opts_parse(&o, opt, NULL, NULL);
	if (strcmp(o.log_path, log_path))
		return opt ? "SOCKLEAK_OPTIONS changed" : "SOCKLEAK_OPTIONS removed";
	return NULL;
}

int sl_exec_target_ok(const char *file, enum sl_exec_check check)
{
	char buf[SL_PATH_MAX + 256];
	const char *path;

	if (check == SL_EXEC_FD)
		return 1;
	if (!file || !*file)
		return 0;
	if (check == SL_EXEC_FILE || strchr(file, '/'))
		return !syscall(SYS_faccessat, AT_FDCWD, file, X_OK);
	/* execvp's search: the caller's PATH, glibc's default without one */
	if (!(path = getenv("PATH")))
		path = "/bin:/usr/bin";
	for (const char *p = path;;) {
		size_t n = strcspn(p, ":");
		int len = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)n, p, n ? "/" : "", file);

		if (len > 0 && (size_t)len < sizeof(buf) &&
		    !syscall(SYS_faccessat, AT_FDCWD, buf, X_OK))
			return 1;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* child: the process that runs the program (0: unknown); ppid: its parent. */
