/* Control for the redis counts: redis-server seeds its dict hash function from /dev/urandom at
 * start-up, so the cost of each command-table lookup (a case-insensitive dict probe) differs
 * from one process to the next by up to ~80 instructions per request, more than the effect being
 * measured. Preloaded into every run, native and sockleak alike, this makes /dev/urandom read as
 * a fixed byte stream for fopen() callers, so every redis run hashes the same way. */
#ifndef _GNU_SOURCE /* the build defines it; by hand, RTLD_NEXT needs it */
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static char seed[4096];

static FILE *fixed(const char *path, const char *mode, const char *sym)
{
	FILE *(*real)(const char *, const char *) =
		(FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, sym);

	if (path && !strcmp(path, "/dev/urandom")) {
		for (size_t i = 0; i < sizeof(seed); i++)
			seed[i] = (char)(i * 131 + 7);
		return fmemopen(seed, sizeof(seed), "r");
	}
	return real ? real(path, mode) : NULL;
}

FILE *fopen(const char *path, const char *mode);
FILE *fopen64(const char *path, const char *mode);
FILE *fopen(const char *path, const char *mode) { return fixed(path, mode, "fopen"); }
FILE *fopen64(const char *path, const char *mode) { return fixed(path, mode, "fopen64"); }
