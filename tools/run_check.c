/* `sockleak run`: what the preload can see of a program, decided before it starts (static
 * binaries, secure-mode execs, foreign ELF classes), and PATH lookup as execvp does it. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "run.h"

#define SL_RUN_SCRIPT_DEPTH 4 /* binfmt_script's own limit on nested interpreters */

/* As execvp(3): a name with a slash is used as is, else the first executable in PATH. */
int sl_run_resolve(const char *cmd, char *out, size_t cap)
{
	const char *path = getenv("PATH");
	int err = ENOENT;

	if (strchr(cmd, '/')) {
		struct stat st;

		if (snprintf(out, cap, "%s", cmd) >= (int)cap)
			return ENAMETOOLONG;
		if (access(out, X_OK))
			return errno;
		/* root may "execute" a directory as far as access() is concerned; exec may not */
		return stat(out, &st) || S_ISREG(st.st_mode) ? 0 : EACCES;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;; p++) {
		size_t n = strcspn(p, ":");
		struct stat st;

		/* an empty PATH element is the current directory */
		if (snprintf(out, cap, "%.*s%s%s", (int)n, n ? p : ".", "/", cmd) < (int)cap &&
		    !stat(out, &st) && S_ISREG(st.st_mode)) {
			if (!access(out, X_OK))
				return 0;
			err = EACCES;
		}
		p += n;
		if (!*p)
			break;
	}
	return err;
}

struct sl_run_elf {
	unsigned char cls, data;
	unsigned machine;
	int interp; /* has PT_INTERP: the dynamic loader runs, LD_PRELOAD applies */
};

/* Read the ELF header and program headers ourselves: only PT_INTERP says a loader will run.
 * Returns 0, ENOEXEC when not ELF, or an errno. */
static int sl_run_elf_read(int fd, struct sl_run_elf *e)
{
	Elf64_Ehdr h;
	uint64_t phoff;
	unsigned phnum, phsz;

	if (pread(fd, &h, sizeof(h), 0) < (ssize_t)EI_NIDENT + 4 ||
	    memcmp(h.e_ident, ELFMAG, SELFMAG))
		return ENOEXEC;
	e->cls = h.e_ident[EI_CLASS];
	e->data = h.e_ident[EI_DATA];
	e->interp = 0;
	if (e->cls == ELFCLASS64) {
		e->machine = h.e_machine;
		phoff = h.e_phoff, phnum = h.e_phnum, phsz = h.e_phentsize;
	} else if (e->cls == ELFCLASS32) {
		const Elf32_Ehdr *h32 = (const Elf32_Ehdr *)&h;
		e->machine = h32->e_machine;
		phoff = h32->e_phoff, phnum = h32->e_phnum, phsz = h32->e_phentsize;
	} else {
		return ENOEXEC;
	}
	/* p_type is the first word of both Elf32_Phdr and Elf64_Phdr */
	for (unsigned i = 0; i < phnum && i < 65535 && phsz >= 4; i++) {
		uint32_t type;
		if (pread(fd, &type, sizeof(type), (off_t)(phoff + (uint64_t)i * phsz)) != 4)
			return EIO;
		if (type == PT_INTERP)
			e->interp = 1;
	}
	return 0;
}

/* Would exec switch to secure mode (AT_SECURE), where ld.so drops LD_PRELOAD (ld.so(8))? */
static const char *sl_run_secure_exec(const char *path, const struct stat *st)
{
	struct statvfs vfs;

	/* no_new_privs or a nosuid mount: the kernel ignores the bits, nothing changes */
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
		return NULL;
	if (!statvfs(path, &vfs) && (vfs.f_flag & ST_NOSUID))
		return NULL;
	if ((st->st_mode & S_ISUID) && st->st_uid != geteuid())
		return "setuid";
	/* setgid without group execute is mandatory locking, not setgid (execve(2)) */
	if ((st->st_mode & S_ISGID) && (st->st_mode & S_IXGRP) && st->st_gid != getegid())
		return "setgid";
	if (geteuid() != 0 && getxattr(path, "security.capability", NULL, 0) > 0)
		return "given file capabilities";
	return NULL;
}

/* "#!/bin/sh -e" -> "/bin/sh": the interpreter the kernel runs instead. */
static int sl_run_shebang(int fd, char *out, size_t cap)
{
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	size_t i = 2, s;

	if (n < 3 || buf[0] != '#' || buf[1] != '!')
		return -1;
	buf[n] = '\0';
	while (buf[i] == ' ' || buf[i] == '\t')
		i++;
	s = i;
	while (buf[i] && !strchr(" \t\n", buf[i]))
		i++;
	if (i == s || i - s >= cap)
		return -1;
	memcpy(out, buf + s, i - s);
	out[i - s] = '\0';
	return 0;
}

static int sl_run_elf_of(const char *path, struct sl_run_elf *e)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), r;

	if (fd < 0)
		return errno;
	r = sl_run_elf_read(fd, e);
	close(fd);
	return r;
}

/* The status a shell gives when exec fails with err: 127 not found, 126 anything else. */
int sl_run_exec_status(int err)
{
	return err == ENOENT || err == ENOTDIR ? SL_RUN_NOTFOUND : SL_RUN_NOEXEC;
}

/* An interpreter named by a #! line, as the kernel will look for it: execve fails with its
 * errno (ENOENT when it is missing, EACCES when it is not an executable regular file), and
 * the shells turn that into 127 or 126. Returns 0 or that status. */
static int sl_run_interp_status(const char *script, const char *interp)
{
	struct stat st;
	int err = 0;

	if (access(interp, X_OK))
		err = errno;
	else if (stat(interp, &st) || !S_ISREG(st.st_mode))
		err = EACCES;
	if (!err)
		return 0;
	fprintf(stderr, "sockleak: run: %s: bad interpreter %s: %s\n", script, interp,
		strerror(err));
	return sl_run_exec_status(err);
}

/* Refuse what the preload cannot see, with the reason; 0 when the program is fine. A script is
 * judged by its interpreter; a file that is neither ELF nor script is run by /bin/sh (as
 * execvp does), which the preload sees. */
int sl_run_check(const char *lib, const char *path, int depth)
{
	struct sl_run_elf e, l;
	struct stat st;
	const char *why;
	char interp[256];
	int fd, er;

	/* Non-blocking: sl_run_resolve refused anything but a regular file, and a FIFO swapped in
	 * since then must not hang the runner. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0 || fstat(fd, &st)) {
		er = errno;
		fprintf(stderr, "sockleak: run: %s: %s\n", path, strerror(er));
		if (fd >= 0)
			close(fd);
		return sl_run_exec_status(er);
	}
	er = sl_run_elf_read(fd, &e);
	if (er == ENOEXEC) {
		int sb = sl_run_shebang(fd, interp, sizeof(interp));
		close(fd);
		if (sb)
			return 0;
		if (depth >= SL_RUN_SCRIPT_DEPTH) {
			/* execve's ELOOP: the shells say 126 */
			fprintf(stderr, "sockleak: run: %s: too many levels of #! interpreters\n",
				path);
			return SL_RUN_NOEXEC;
		}
		if ((er = sl_run_interp_status(path, interp)))
			return er;
		return sl_run_check(lib, interp, depth + 1);
	}
	close(fd);
	if (er) {
		fprintf(stderr, "sockleak: run: %s: cannot read its ELF headers: %s\n", path,
			strerror(er));
		return SL_RUN_FAIL;
	}
	if (!e.interp) {
		fprintf(stderr,
			"sockleak: run: %s is statically linked (no PT_INTERP): LD_PRELOAD cannot "
			"reach it, so its sockets cannot be checked; refusing rather than passing "
			"silently\n",
			path);
		return SL_RUN_FAIL;
	}
	if (!sl_run_elf_of(lib, &l) &&
	    (l.cls != e.cls || l.data != e.data || l.machine != e.machine)) {
		fprintf(stderr,
			"sockleak: run: %s is built for another machine or word size than %s; the "
			"loader would skip the library, so its sockets cannot be checked\n",
			path, lib);
		return SL_RUN_FAIL;
	}
	if ((why = sl_run_secure_exec(path, &st))) {
		fprintf(stderr,
			"sockleak: run: %s is %s: the loader runs it in secure mode and drops "
			"LD_PRELOAD (ld.so(8)), so its sockets cannot be checked; refusing rather than "
			"passing silently\n",
			path, why);
		return SL_RUN_FAIL;
	}
	return 0;
}
