/* The real libc functions behind our wrappers, bound once with dlsym(RTLD_NEXT).
 * A wrapper called before binding finished (another library's constructor, or dlsym itself
 * calling back into us) gets the raw system call instead; see real.c. */
#ifndef SL_REAL_H
#define SL_REAL_H

#include <spawn.h>
#include <sys/socket.h>
#include <sys/uio.h>

struct sl_real {
	/* First, at the offsets hot.h gives the assembly wrappers; never NULL (real.c). */
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*read_chk)(int, void *, size_t, size_t);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*recv_chk)(int, void *, size_t, size_t, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	int (*close)(int);
	/* The rest: NULL until bound. */
	int (*socket)(int, int, int);
	int (*socketpair)(int, int, int, int[2]);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	ssize_t (*readv)(int, const struct iovec *, int);
	ssize_t (*recvfrom_chk)(int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	int (*shutdown)(int, int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*close_range)(unsigned, unsigned, int);
	void (*closefrom)(int);
	pid_t (*fork)(void);
	pid_t (*vfork)(void);
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*posix_spawn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			   const posix_spawnattr_t *, char *const[], char *const[]);
	int (*posix_spawnp)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			    const posix_spawnattr_t *, char *const[], char *const[]);
	int (*setuid)(uid_t);
	int (*setgid)(gid_t);
	int (*seteuid)(uid_t);
	int (*setegid)(gid_t);
	int (*setreuid)(uid_t, uid_t);
	int (*setregid)(gid_t, gid_t);
	int (*setresuid)(uid_t, uid_t, uid_t);
	int (*setresgid)(gid_t, gid_t, gid_t);
	int (*setgroups)(size_t, const gid_t *);
	int (*initgroups)(const char *, gid_t);
	int (*pipe)(int[2]);
	int (*pipe2)(int[2], int);
};

extern struct sl_real sl_real;

/* Binds everything once. Returns 0 when this thread is the one binding (re-entry): the caller
 * must then use the raw syscall. */
int sl_real_bind(void);
/* Out of line, so that the wrappers' fast path needs no stack frame: bind, then return *slot
 * (NULL when the caller must fall back to the raw syscall). */
void *sl_real_slow(void **slot) __attribute__((noinline, cold));

/* The function pointer for NAME, binding on first use; NULL when the caller must fall back. */
#define SL_REAL(name) \
	(SL_LIKELY(sl_real.name != NULL) ? sl_real.name : (sl_real_bind(), sl_real.name))

/* Call the real function, binding on first use; the fallback (the raw syscall) while binding
 * re-enters. */
#define SL_CALL(name, fallback, ...) \
	({ \
		__typeof__(sl_real.name) f_ = __atomic_load_n(&sl_real.name, __ATOMIC_ACQUIRE); \
		if (SL_UNLIKELY(!f_)) \
			f_ = (__typeof__(f_))sl_real_slow((void **)&sl_real.name); \
		f_ ? f_(__VA_ARGS__) : (fallback); \
	})

#define SL_NOSYS (errno = ENOSYS, -1)

#endif
