/* Naming JIT code from perf map files: /tmp/perf-PID.map, the convention perf and bcc read,
 * one "START SIZE name" line (hex, hex, rest of line) per piece of generated code. The JVM
 * writes one with -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit (or jcmd PID
 * Compiler.perfmap), node with --perf-basic-prof, CPython 3.12+ with -X perf
 * (docs/languages.md).
 *
 * A frame the preload found in no module carries its absolute address; parse.c gives it the map
 * path of the process that wrote it when the log comes from this boot, and symbolise.c asks
 * here. The map is read only when it is a regular file reached without a symbolic link, at most
 * SL_PMAP_MAX bytes, owned by us or root and writable by nobody else (perf's rule: /tmp is
 * anyone's), and as root only when world-readable (the rules of the module files). A
 * JIT reuses addresses for new code and appends lines: the last line that covers an address
 * names it. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "model.h"

#define SL_PMAP_MAX (64u << 20)

struct sl_pment {
	uint64_t start, size;
	const char *name;
};
struct sl_pmap {
	UT_hash_handle hh;
	const char *path; /* interned: the pointer is the key */
	struct sl_pment *e;
	size_t n;
	int64_t not_before; /* realtime ns: a map older than its process is another's */
	int read;
};

static struct sl_pmap *pmap_get(struct sl_analysis *a, const char *path)
{
	struct sl_pmap *m;
	HASH_FIND(hh, a->pmaps, &path, sizeof path, m);
	if (m || !(m = calloc(1, sizeof *m)))
		return m;
	m->path = path;
	m->not_before = INT64_MIN;
	HASH_ADD(hh, a->pmaps, path, sizeof path, m);
	return m;
}

void sl_perfmap_note(struct sl_analysis *a, const char *path, int64_t start_ns)
{
	struct sl_pmap *m = pmap_get(a, path);
	if (m && start_ns != SL_NONE && start_ns > m->not_before)
		m->not_before = start_ns;
}

static char *read_map(const char *path, int64_t not_before, size_t *len)
{
	/* /tmp is anyone's: a map planted there by another user would name (and so could
	 * suppress) our leaks. perf's rule: only our own or root's, that nobody else may write. */
	struct sl_file_rule rule = {
		.owner = geteuid(),
		.flags = SL_FILE_ROOT_OWNER_OK | SL_FILE_NOT_SHARED | SL_FILE_ROOT_PUBLIC,
	};
	const char *why;
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = sl_open_file_at(AT_FDCWD, path, &rule, &st, &why);

	if (fd < 0)
		return NULL;
	/* pids are reused: a map last written before the process started was another's */
	if ((int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec < not_before ||
	    st.st_size <= 0 || (uint64_t)st.st_size > SL_PMAP_MAX ||
	    !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

static void parse_map(struct sl_analysis *a, struct sl_pmap *m, char *buf, size_t len)
{
	size_t cap = 0;
	for (char *p = buf, *end = buf + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *q, *r;
		if (!nl)
			nl = end;
		*nl = '\0';
		uint64_t start = strtoull(p, &q, 16), size = q > p ? strtoull(q, &r, 16) : 0;
		if (q > p && size && *r == ' ' && r[1]) {
			if (m->n == cap) {
				size_t nc = cap ? cap * 2 : 1024;
				struct sl_pment *ne = realloc(m->e, nc * sizeof *ne);
				if (!ne)
					break;
				m->e = ne;
				cap = nc;
			}
			m->e[m->n].start = start;
			m->e[m->n].size = size;
			if ((m->e[m->n].name = sl_internz(a, r + 1)))
				m->n++;
		}
		p = nl + 1;
	}
}

const char *sl_perfmap_lookup(struct sl_analysis *a, const char *path, uint64_t addr)
{
	struct sl_pmap *m = pmap_get(a, path);
	if (!m)
		return NULL;
	if (!m->read) {
		char *buf;
		size_t len = 0;
		m->read = 1;
		if ((buf = read_map(path, m->not_before, &len))) {
			parse_map(a, m, buf, len);
			free(buf);
		}
	}
	for (size_t i = m->n; i-- > 0;)
		if (addr >= m->e[i].start && addr - m->e[i].start < m->e[i].size)
			return m->e[i].name;
	return NULL;
}

void sl_perfmap_free(struct sl_analysis *a)
{
	struct sl_pmap *m, *t;
	HASH_ITER(hh, a->pmaps, m, t)
	{
		HASH_DEL(a->pmaps, m);
		free(m->e);
		free(m);
	}
}

/* This machine's boot id, to tell whether a log's pid names a process of this boot. */
const char *sl_this_boot(struct sl_analysis *a)
{
	char buf[64];
	ssize_t n;

	if (a->this_boot_read)
		return a->this_boot;
	a->this_boot_read = 1;
	if ((n = sl_boot_id(buf, sizeof buf)) <= 0)
		return NULL;
	a->this_boot = sl_intern(a, buf, (size_t)n);
	return a->this_boot;
}
