/* Descriptors of processes, read from /proc; see procfd.h. */
#include "procfd.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct sl_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Call fn(fd-number, ctx) for each entry of /proc/PID/fd (pid 0: self); stops when fn returns
 * non-zero and returns that value. Raw syscalls only: no opendir (malloc). */
int sl_each_fd(pid_t pid, int (*fn)(int dirfd, const char *name, void *ctx), void *ctx)
{
	char path[48], buf[4096];
	int dfd, r = 0;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	else
		strcpy(path, "/proc/self/fd");
	dfd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	for (;;) {
		long n = syscall(SYS_getdents64, dfd, buf, sizeof(buf));

		if (n <= 0)
			break;
		for (long off = 0; off < n && !r;) {
			struct sl_dirent64 *d = (struct sl_dirent64 *)(void *)(buf + off);

			off += d->d_reclen;
			if (d->d_name[0] != '.')
				r = fn(dfd, d->d_name, ctx);
		}
		if (r)
			break;
	}
	syscall(SYS_close, dfd);
	return r;
}

static int sl_is_holder(int dirfd, const char *name, void *ctx)
{
	char link[64];
	long n = syscall(SYS_readlinkat, dirfd, name, link, sizeof(link) - 1);

	if (n <= 0)
		return 0;
	link[n] = '\0';
	return !strcmp(link, (const char *)ctx);
}

int sl_holders_alive(uint64_t inode, pid_t *pids, int n)
{
	char want[48];
	int k = 0;

	snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)inode);
	for (int i = 0; i < n; i++)
		if (pids[i] > 0 && sl_each_fd(pids[i], sl_is_holder, want))
			pids[k++] = pids[i];
	return k;
}
