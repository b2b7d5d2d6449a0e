/* Which frames are the program's own code, and which belong to what runs it.
 *
 * A leak is fixed in the program, so a site is named after the first frame of its stack that
 * the program wrote (group.c). Everything under that is runtime: the C library and the loader,
 * sockleak and the sanitizers, and the interpreters and their standard libraries: libpython,
 * Python's stdlib and installed packages (site-packages, dist-packages), node and libuv, the
 * JVM's libjvm, libnio and libnet, perl. A stack made only of runtime frames (a Perl program:
 * perl records no Perl frames) is named after the runtime itself, so the paths a runtime takes
 * to the same accept() are one site, not one per internal path. */
#include <string.h>

#include "escape.h"
#include "model.h"

/* Native modules, by base-name prefix. "system" ones are never shown as a site's place; the
 * others are when nothing of the program's is on the stack. */
static const char *const sl_system_mod[] = {
	"libc.so", "libc-", "ld-linux", "ld-musl", "libpthread", "libsockleak", "libasan",
	"libubsan", "libtsan", NULL
};
static const char *const sl_runtime_mod[] = {
	"libpython", "libffi", "libuv", "libnode", "libjvm", "libjava", "libnio", "libnet.so",
	"libjli", "libperl", "libstdc++", "libgcc_s", NULL
};
/* Interpreters' executables, by exact base name or with a version after it (python3.11,
 * perl5.36.0), so that a program called node_proxy stays the program. */
static const char *const sl_runtime_exe[] = {
	"python", "python2", "python3", "node", "nodejs", "java", "perl", NULL
};

static int interpreter(const char *b)
{
	for (int i = 0; sl_runtime_exe[i]; i++) {
		size_t n = strlen(sl_runtime_exe[i]);

		if (!strncmp(b, sl_runtime_exe[i], n) &&
		    strspn(b + n, "0123456789.") == strlen(b + n))
			return 1;
	}
	return 0;
}

static int prefixed(const char *b, const char *const *pfx)
{
	for (int i = 0; pfx[i]; i++)
		if (!strncmp(b, pfx[i], strlen(pfx[i]))) return 1;
	return 0;
}

static int frame_system(const struct sl_frame *fr)
{
	return !fr->lang && fr->module && prefixed(sl_base(fr->module), sl_system_mod);
}

int sl_frame_system(const struct sl_frame *fr)
{
	return fr->cls & SL_FR_KNOWN ? !!(fr->cls & SL_FR_SYSTEM) : frame_system(fr);
}

/* Python code that ships with the interpreter or was installed into it: the stdlib
 * (.../lib/python3.11/socket.py), packages (site-packages, Debian's dist-packages), and the
 * frozen modules of the import system. */
static int python_runtime_file(const char *f)
{
	const char *p;

	if (!f) return 1;
	if (!strncmp(f, "<frozen ", 8)) return 1;
	if (strstr(f, "/site-packages/") || strstr(f, "/dist-packages/")) return 1;
	p = strstr(f, "/lib/python");
	return p && p[11] >= '2' && p[11] <= '3' && strchr(p + 11, '/');
}

/* A name from a perf map: the JDK's classes (java., javax., jdk., sun., com.sun.) and node's
 * own modules (node:), builtins and stubs are the runtime; so is code the map does not name
 * (the JVM's "Interpreter", "StubRoutines (1)": no qualified name in them). */
static int jit_runtime_name(const char *n)
{
	static const char *const pkg[] = { "java.", "javax.", "jdk.", "sun.", "com.sun.", NULL };
	const char *paren = strchr(n, '('), *q;

	if (strstr(n, "node:") || !strncmp(n, "Builtin:", 8) || !strncmp(n, "Stub:", 5) ||
	    !strncmp(n, "BytecodeHandler:", 16))
		return 1;
	if (!paren) /* node: "JS:*handler /srv/app.js:10:3"; JVM stubs: no dot, no colon */
		return !strchr(n, '.') && !strchr(n, ':');
	/* JVM: "RET pkg.Class.method(args)": the qualified name ends at the '(' */
	for (q = paren; q > n && q[-1] != ' '; q--)
		;
	for (int i = 0; pkg[i]; i++)
		if (!strncmp(q, pkg[i], strlen(pkg[i]))) return 1;
	return 0;
}

const char *sl_frame_jit_name(const struct sl_frame *fr)
{
	const struct sl_sym *sym = sl_frame_sym(fr);

	if (fr->lang || (fr->module && strcmp(fr->module, "?")))
		return NULL;
	/* the tools' perf map lookup, else the name the preload wrote from the map it saw */
	if (sym && sym->n && sym->f[0].func) return sym->f[0].func;
	return fr->symbol;
}

static int frame_runtime(const struct sl_frame *fr)
{
	const char *b, *jit;

	if (!fr->lang && (!fr->module || !strcmp(fr->module, "?")))
		return !(jit = sl_frame_jit_name(fr)) || jit_runtime_name(jit);
	if (fr->lang)
		return !strcmp(fr->lang, "python") ? python_runtime_file(fr->file) : 0;
	if (!fr->module) return 1;   /* code outside any module: a JIT's, not the program's */
	if (frame_system(fr)) return 1;
	if (strstr(fr->module, "/lib-dynload/")) return 1;   /* Python's C extension modules */
	b = sl_base(fr->module);
	return prefixed(b, sl_runtime_mod) || interpreter(b);
}

int sl_frame_runtime(const struct sl_frame *fr)
{
	return fr->cls & SL_FR_KNOWN ? !!(fr->cls & SL_FR_RUNTIME) : frame_runtime(fr);
}

static uint32_t site_index(const struct sl_stack *s)
{
	uint32_t i = 0;

	while (i < s->n && sl_frame_runtime(s->f[i])) i++;
	if (i == s->n) {
		/* Runtime only: show the first frame past libc and the loader. */
		for (i = 0; i < s->n && sl_frame_system(s->f[i]); i++)
			;
		if (i == s->n) i = 0;
	}
	return i;
}

/* The judgement of a JIT frame needs its perf map name, so it is kept only once the frame is
 * symbolised, and a stack's once all its frames are. */
void sl_stack_classify(struct sl_stack *s)
{
	for (uint32_t i = 0; i < s->n; i++) {
		struct sl_frame *fr = s->f[i];

		if (!fr->symd) return;
		if (!(fr->cls & SL_FR_KNOWN))
			fr->cls = (uint8_t)(SL_FR_KNOWN | (frame_system(fr) ? SL_FR_SYSTEM : 0) |
					    (frame_runtime(fr) ? SL_FR_RUNTIME : 0));
	}
	s->site_idx = (uint8_t)site_index(s);
	s->runtime_only = (uint8_t)sl_stack_runtime_only(s);
	s->classified = 1;
}

int sl_stack_site_frame(const struct sl_stack *s, const struct sl_frame **fr,
			const struct sl_symf **sf)
{
	const struct sl_sym *sym;
	uint32_t i;

	if (!s || !s->n) return -1;
	i = s->classified ? s->site_idx : site_index(s);
	*fr = s->f[i];
	sym = sl_frame_sym(s->f[i]);
	*sf = sym && sym->n ? &sym->f[0] : NULL;
	return (int)i;
}

int sl_stack_runtime_only(const struct sl_stack *s)
{
	if (s && s->classified) return s->runtime_only;
	for (uint32_t i = 0; s && i < s->n; i++)
		if (!sl_frame_runtime(s->f[i])) return 0;
	return 1;
}

/* Where a frame is, in brackets after its name: module+offset for native code, the language
 * for an interpreter's frame, and an absolute address for code in no module (a JIT's, when no
 * perf map named it), never passed off as an offset into a module. */
const char *sl_frame_where(const struct sl_frame *fr, char *buf, size_t cap)
{
	if (fr->lang)
		sl_snprintf(buf, cap, "%s", fr->lang);
	else if (sl_frame_jit_name(fr))
		sl_snprintf(buf, cap, "jit, 0x%llx", (unsigned long long)fr->offset);
	else if (!fr->module || !strcmp(fr->module, "?"))
		/* the preload found no module: its "offset" is the absolute address */
		sl_snprintf(buf, cap, "no module, 0x%llx", (unsigned long long)fr->offset);
	else
		sl_snprintf(buf, cap, "%s+0x%llx", sl_base(fr->module), (unsigned long long)fr->offset);
	return buf;
}
