/* Symbolisation of recorded frames with elfutils: module path + module-relative offset to
 * function, source file and line, with inlined calls expanded. One offline Dwfl per module
 * (opened once, cached), one cache entry per distinct (module, address, recorded build-id).
 *
 * The module paths come from the log, and a log may come from a hostile program or host
 * (issue 11): it named /etc/shadow, /proc/self/mem, files under /sys, a 20 GB sparse file, and
 * an ELF whose .gnu_debuglink named a FIFO. So a module file is read only when
 *  - the frame records a build-id (without one, nothing ties the file to what ran),
 *  - its path, and the path its symbolic links resolve to, are outside /proc, /sys and /dev
 *    (links are followed on purpose: modules are reached as libc.so.6 -> libc-2.36.so; they
 *    are resolved with realpath(3), which opens nothing, and the result opened O_NOFOLLOW),
 *  - it is a regular file (opened O_NONBLOCK, so a FIFO never blocks), readable by everyone
 *    when we run as root (root must not be made to open /etc/shadow for a log's writer),
 *  - it is an ELF file whose GNU build-id is the recorded one.
 * Separate debug info is looked up by our own find_debuginfo under the same rules (the
 * standard one opens whatever .gnu_debuglink names, and may ask debuginfod servers): the
 * .build-id tree of /usr/lib/debug, then the debuglink name (a bare file name) next to the
 * module, in its .debug/ and under /usr/lib/debug; a debug file must carry the module's
 * build-id. A dwz alternate file (.gnu_debugaltlink) is taken only from /usr/lib/debug. */
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "model.h"

struct sl_mod {
	UT_hash_handle hh;
	const char *path; /* interned: the pointer is the key */
	char *real;       /* realpath of path, when it may be read */
	const char *why;  /* why the file is not read, or NULL */
	int fd;           /* the checked file, until dwfl has its own copy */
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	int loaded; /* dwfl tried */
	char build_id[129];
};

/* Symbols live in the interned frames (model.h); the cache holds the module files. */
struct sl_symcache {
	struct sl_mod *mods;
};

#define NOT_SYSTEM "not read: under /proc, /sys or /dev"

static int forbidden_dir(const char *p)
{
	static const char *const dirs[] = {"/proc", "/sys", "/dev", NULL};
	for (int i = 0; dirs[i]; i++) {
		size_t l = strlen(dirs[i]);
		if (!strncmp(p, dirs[i], l) && (p[l] == '/' || !p[l]))
			return 1;
	}
	return 0;
}

static void hex_id(const unsigned char *bits, ssize_t n, char out[129])
{
	out[0] = 0;
	for (ssize_t i = 0; i < n && i < 64; i++)
		snprintf(out + 2 * i, 3, "%02x", bits[i]);
}

/* The build-id of the ELF file open on fd, in hex; "" when it has none. -1: not ELF. */
static int elf_build_id(int fd, char out[129])
{
	unsigned char magic[SELFMAG];
	const void *bits;
	Elf *e;
	ssize_t n;
	out[0] = 0;
	/* four bytes decide: a 20 GB sparse file or a text file costs one read */
	if (pread(fd, magic, sizeof magic, 0) != (ssize_t)sizeof magic ||
	    memcmp(magic, ELFMAG, SELFMAG))
		return -1;
	elf_version(EV_CURRENT);
	if (!(e = elf_begin(fd, ELF_C_READ_MMAP, NULL)))
		return -1;
	if (elf_kind(e) != ELF_K_ELF) {
		elf_end(e);
		return -1;
	}
	n = dwelf_elf_gnu_build_id(e, &bits);
	if (n > 0)
		hex_id(bits, n, out);
	elf_end(e);
	return 0;
}

/* Open a file a log (or an ELF the log named) points to, under the rules above. On success the
 * descriptor, with *real set to the resolved path (malloc'd); else -1 and *why. */
static int open_named(const char *path, char **real, const char **why)
{
	static const struct sl_file_rule rule = {.owner = (uid_t)-1, .flags = SL_FILE_ROOT_PUBLIC};
	static const char ROOT_PUBLIC[] = "not read: root reads only world-readable modules";
	struct stat st;
	const char *broke;
	int fd;
	*real = NULL;
	if (forbidden_dir(path)) {
		*why = NOT_SYSTEM;
		return -1;
	}
	if (!(*real = realpath(path, NULL))) {
		*why = "no debug info"; /* not on this machine */
		return -1;
	}
	if (forbidden_dir(*real)) {
		*why = NOT_SYSTEM;
		goto fail;
	}
	/* not even opened when it is no regular file now; O_NONBLOCK covers a swap after this */
	if (stat(*real, &st) || !S_ISREG(st.st_mode)) {
		*why = "not read: not a regular file";
		goto fail;
	}
	if (geteuid() == 0 && !(st.st_mode & S_IROTH)) {
		*why = ROOT_PUBLIC;
		goto fail;
	}
	if ((fd = sl_open_file_at(AT_FDCWD, *real, &rule, &st, &broke)) < 0) {
		*why = !broke           ? "no debug info"
		       : errno == EPERM ? ROOT_PUBLIC
					: "not read: not a regular file";
		goto fail;
	}
	return fd;
fail:
	free(*real);
	*real = NULL;
	return -1;
}

/* A separate debug file: opened under the same rules, kept when its build-id is want (any
 * ELF when want is NULL). Returns the descriptor, which libdwfl takes over. */
static int try_debug(const char *path, const char *want, char **found)
{
	char *real, bid[129];
	const char *why;
	int fd = open_named(path, &real, &why);
	if (fd < 0)
		return -1;
	if (elf_build_id(fd, bid) || (want && strcasecmp(bid, want))) {
		close(fd);
		free(real);
		return -1;
	}
	*found = real;
	return fd;
}

static int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			  const char *file_name, const char *debuglink, GElf_Word crc, char **found)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	char want[129], p[PATH_MAX + 64], dir[PATH_MAX];
	int n = dwfl_module_build_id(mod, &bits, &vaddr), fd;
	(void)userdata, (void)modname, (void)base, (void)crc;
	*found = NULL;
	if (n <= 0)
		return -1; /* never reached: modules without a build-id are not loaded */
	hex_id(bits, n, want);
	snprintf(p, sizeof p, "/usr/lib/debug/.build-id/%.2s/%s.debug", want, want + 2);
	if ((fd = try_debug(p, want, found)) >= 0)
		return fd;
	if (!debuglink || !*debuglink)
		return -1;
	/* a dwz alternate file (.gnu_debugaltlink, absolute or relative): only the system's */
	if (strchr(debuglink, '/')) {
		char *real = realpath(debuglink[0] == '/' ? debuglink : "/nonexistent", NULL);
		int ok = real && !strncmp(real, "/usr/lib/debug/", 15);
		free(real);
		return ok ? try_debug(debuglink, NULL, found) : -1;
	}
	if (!file_name || strlen(file_name) >= sizeof dir)
		return -1;
	strcpy(dir, file_name);
	*strrchr(dir, '/') = 0; /* file_name is our resolved, absolute path */
	/* where gdb and the standard callback look for a debuglink, in the same order */
	snprintf(p, sizeof p, "%s/%s", dir, debuglink);
	if ((fd = try_debug(p, want, found)) >= 0)
		return fd;
	snprintf(p, sizeof p, "%s/.debug/%s", dir, debuglink);
	if ((fd = try_debug(p, want, found)) >= 0)
		return fd;
	snprintf(p, sizeof p, "/usr/lib/debug%s/%s", dir, debuglink);
	return try_debug(p, want, found);
}

static const Dwfl_Callbacks offline_cb = {
	.find_debuginfo = find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* The module file: checked once (path, type, ELF, build-id), loaded into libdwfl on the first
 * frame whose recorded build-id matches. */
static struct sl_mod *mod_get(struct sl_analysis *a, const char *path)
{
	struct sl_symcache *c = a->symcache;
	struct sl_mod *m;
	HASH_FIND(hh, c->mods, &path, sizeof path, m);
	if (m)
		return m;
	m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->path = path;
	m->fd = -1;
	HASH_ADD(hh, c->mods, path, sizeof path, m);
	if (path[0] != '/') {
		m->why = "no debug info";
		return m;
	}
	if ((m->fd = open_named(path, &m->real, &m->why)) < 0)
		return m;
	if (elf_build_id(m->fd, m->build_id))
		m->why = "not read: not an ELF file";
	else if (!m->build_id[0])
		m->why = "not read: the file has no build-id";
	if (m->why) {
		close(m->fd);
		m->fd = -1;
	}
	return m;
}

static void mod_load(struct sl_mod *m)
{
	int fd;
	m->loaded = 1;
	if (!(m->dwfl = dwfl_begin(&offline_cb)))
		return;
	/* libdwfl takes the descriptor it is given: hand it a copy of the checked one, never the
	 * path (which could be swapped for a FIFO in between) */
	fd = fcntl(m->fd, F_DUPFD_CLOEXEC, 0);
	close(m->fd); /* one descriptor per module, not two: a log may name thousands */
	m->fd = -1;
	if (fd < 0)
		return;
	m->mod = dwfl_report_offline(m->dwfl, m->real, m->real, fd);
	dwfl_report_end(m->dwfl, NULL, NULL);
	if (!m->mod)
		return;
	/* Offline reporting places a shared object at some base of its choosing; the log's offsets
	 * are link-time addresses, so translate with the module's bias. */
	if (!dwfl_module_getelf(m->mod, &m->bias))
		m->mod = NULL;
}

static const char *die_name(Dwarf_Die *d)
{
	Dwarf_Attribute at;
	/* integrate: an inlined instance names its function through DW_AT_abstract_origin */
	if (dwarf_attr_integrate(d, DW_AT_linkage_name, &at) ||
	    dwarf_attr_integrate(d, DW_AT_name, &at))
		return dwarf_formstring(&at);
	return NULL;
}

static int call_site(Dwarf_Die *cu, Dwarf_Die *inl, const char **file, int *line)
{
	Dwarf_Attribute at;
	Dwarf_Word idx, ln;
	Dwarf_Files *files;
	size_t nf;
	if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_file, &at), &idx) ||
	    dwarf_formudata(dwarf_attr(inl, DW_AT_call_line, &at), &ln) ||
	    dwarf_getsrcfiles(cu, &files, &nf) || idx >= nf)
		return -1;
	*file = dwarf_filesrc(files, idx, NULL, NULL);
	*line = (int)ln;
	return *file ? 0 : -1;
}

#define SL_MAX_INLINE 32

static void resolve(struct sl_analysis *a, struct sl_mod *m, uint64_t addr,
		    const struct sl_frame *fr, struct sl_sym *out)
{
	struct sl_symf f[SL_MAX_INLINE];
	int n = 0;
	Dwarf_Addr da, dbias;
	const char *fallback = fr->symbol;

	if (a->symbolise_off) {
		out->note = "not symbolised: --no-symbolise";
		return;
	}
	if (m->why) {
		out->note = m->why;
		return;
	}
	if (!fr->build_id || !*fr->build_id) {
		out->note = "not read: no build-id recorded";
		return;
	}
	if (strcasecmp(fr->build_id, m->build_id)) {
		out->note = "build-id mismatch, using recorded symbol";
		return;
	}
	if (!m->loaded)
		mod_load(m);
	if (!m->mod) {
		out->note = "no debug info";
		return;
	}
	da = addr + m->bias;
	/* the file on disk is the one that ran: its own symbol table beats the dynamic symbol
	 * (dladdr only sees exported names, so a static function would get its neighbour's) */
	const char *elfname = dwfl_module_addrname(m->mod, da);
	if (elfname)
		fallback = elfname;

	Dwarf_Die *cu = dwfl_module_addrdie(m->mod, da, &dbias);
	Dwfl_Line *ln = dwfl_module_getsrc(m->mod, da);
	const char *file = NULL;
	int line = 0;
	if (ln)
		file = dwfl_lineinfo(ln, NULL, &line, NULL, NULL, NULL);
	if (cu) {
		Dwarf_Die *scopes = NULL, *chain = NULL;
		int ns = dwarf_getscopes(cu, da - dbias, &scopes);
		/* Past an inlined instance, dwarf_getscopes continues with the scopes of its
		 * abstract definition, not with the function it was inlined into; the lexical
		 * chain of the innermost DIE gives the real callers (as eu-addr2line -i does). */
		if (ns > 0) {
			int nc = dwarf_getscopes_die(&scopes[0], &chain);
			free(scopes);
			scopes = chain;
			ns = nc;
		}
		for (int i = 0; i < ns && n < SL_MAX_INLINE; i++) {
			int tag = dwarf_tag(&scopes[i]);
			if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine &&
			    tag != DW_TAG_entry_point)
				continue;
			f[n].func = sl_internz(a, die_name(&scopes[i]));
			f[n].file = sl_internz(a, file);
			f[n].line = line;
			f[n].inlined = tag == DW_TAG_inlined_subroutine;
			n++;
			if (tag != DW_TAG_inlined_subroutine)
				break;
			/* the caller's location is where this inlined body was called from */
			if (call_site(cu, &scopes[i], &file, &line))
				file = NULL, line = 0;
		}
		free(scopes);
	}
	if (!n && (file || !cu)) {
		f[0].func = sl_internz(a, fallback);
		f[0].file = sl_internz(a, file);
		f[0].line = line;
		f[0].inlined = 0;
		n = file ? 1 : 0;
	}
	if (!n) {
		out->note = "no debug info";
		if (elfname) {
			f[0].func = sl_internz(a, elfname);
			f[0].file = NULL;
			f[0].line = 0;
			f[0].inlined = 0;
			n = 1;
		}
	}
	for (int i = 0; i < n; i++)
		f[i].func = sl_demangle(a, f[i].func ? f[i].func : sl_internz(a, fallback));
	if (!(out->f = sl_alloc(a, sizeof *out->f * (size_t)(n ? n : 1)))) {
		out->note = "out of memory";
		return;
	}
	out->n = n;
	memcpy(out->f, f, sizeof *f * (size_t)n);
}

void sl_symbolise_stack(struct sl_analysis *a, struct sl_stack *s)
{
	if (!s || s->symbolised)
		return;
	s->symbolised = 1;
	if (!a->symcache && !(a->symcache = calloc(1, sizeof *a->symcache)))
		return;
	for (uint32_t i = 0; i < s->n; i++) {
		struct sl_frame *fr = s->f[i];
		/* interned: a frame shared by many stacks is symbolised once */
		if (fr->symd)
			continue;
		if (fr->perfmap && !a->symbolise_off) { /* JIT code, named by its perf map */
			const char *name =
				sl_perfmap_lookup(a, fr->perfmap, fr->offset ? fr->offset - 1 : 0);
			struct sl_symf *jf = name ? sl_alloc(a, sizeof *jf) : NULL;
			if (jf) {
				jf->func = name;
				fr->symv.n = 1;
				fr->symv.f = jf;
			} else {
				/* the preload's name from the map it read, if it did */
				fr->symv.note = fr->symbol ? NULL : "no perf map names it";
			}
			fr->symd = 1;
			continue;
		}
		if (fr->lang) { /* an interpreter's frame came with its file and line */
			struct sl_symf *lf = sl_alloc(a, sizeof *lf);
			if (lf) {
				lf->func = fr->symbol;
				lf->file = fr->file;
				lf->line = fr->line;
				fr->symv.n = 1;
				fr->symv.f = lf;
			}
			fr->symd = 1;
			continue;
		}
		/* Look up offset-1 for every frame: docs/log-format.md calls the first frame exact,
		 * but the preload drops its own frames, so the first recorded one is the program's
		 * return address from accept()/read() too. A return address can sit on the next line
		 * or past an inlined range; the byte before is inside the call instruction, and for
		 * an exact ip it is still in the same statement in practice. */
		uint64_t addr = fr->offset ? fr->offset - 1 : 0;
		struct sl_mod *m = fr->module && !a->symbolise_off ? mod_get(a, fr->module) : NULL;
		if (m)
			resolve(a, m, addr, fr, &fr->symv);
		else
			fr->symv.note = a->symbolise_off ? "not symbolised: --no-symbolise"
							 : "no debug info";
		if (!fr->symv.n && fr->symbol && sl_demangle(a, fr->symbol) != fr->symbol &&
		    (fr->symv.f = sl_alloc(a, sizeof *fr->symv.f))) {
			/* no debug info: the recorded C++ symbol, demangled */
			fr->symv.n = 1;
			fr->symv.f[0].func = sl_demangle(a, fr->symbol);
		}
		fr->symd = 1;
	}
	sl_stack_classify(s);
}

void sl_symcache_free(struct sl_analysis *a)
{
	struct sl_mod *m, *t;
	if (!a->symcache)
		return;
	HASH_ITER(hh, a->symcache->mods, m, t)
	{
		HASH_DEL(a->symcache->mods, m);
		if (m->dwfl)
			dwfl_end(m->dwfl);
		if (m->fd >= 0)
			close(m->fd);
		free(m->real);
		free(m);
	}

	free(a->symcache);
	a->symcache = NULL;
}
