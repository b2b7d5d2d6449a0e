/* Leak sites: one key for the library and the tools; see sitekey.h. */
#include "sitekey.h"

#include <stdio.h>
#include <string.h>

/* Native modules, by base-name prefix. "system" ones are never a site's place; the others are
 * when nothing of the program's is on the stack. */
/* clang-format off */
static const char *const sl_system_mod[] = {
	"libc.so", "libc-", "ld-linux", "ld-musl", "libpthread", "libsockleak", "libasan",
	"libubsan", "libtsan", NULL
};
/* clang-format on */
/* clang-format off */
static const char *const sl_runtime_mod[] = {
	"libpython", "libffi", "libuv", "libnode", "libjvm", "libjava", "libnio", "libnet.so",
	"libjli", "libperl", "libstdc++", "libgcc_s", NULL
};
/* clang-format on */
/* Interpreters' executables, by exact base name or with a version after it (python3.11,
 * perl5.36.0), so that a program called node_proxy stays the program. */
/* clang-format off */
static const char *const sl_runtime_exe[] = {
	"python", "python2", "python3", "node", "nodejs", "java", "perl", NULL
};
/* clang-format on */

static const char *sl_site_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int sl_site_interpreter(const char *b)
{
	for (int i = 0; sl_runtime_exe[i]; i++) {
		size_t n = strlen(sl_runtime_exe[i]);

		if (!strncmp(b, sl_runtime_exe[i], n) &&
		    strspn(b + n, "0123456789.") == strlen(b + n))
			return 1;
	}
	return 0;
}

static int sl_site_prefixed(const char *b, const char *const *pfx)
{
	for (int i = 0; pfx[i]; i++)
		if (!strncmp(b, pfx[i], strlen(pfx[i])))
			return 1;
	return 0;
}

/* Python code that ships with the interpreter or was installed into it: the stdlib
 * (.../lib/python3.11/socket.py), packages (site-packages, Debian's dist-packages), and the
 * frozen modules of the import system. */
static int sl_site_python_runtime_file(const char *f)
{
	const char *p;

	if (!f)
		return 1;
	if (!strncmp(f, "<frozen ", 8))
		return 1;
	if (strstr(f, "/site-packages/") || strstr(f, "/dist-packages/"))
		return 1;
	p = strstr(f, "/lib/python");
	return p && p[11] >= '2' && p[11] <= '3' && strchr(p + 11, '/');
}

/* A name from a perf map: the JDK's classes (java., javax., jdk., sun., com.sun.) and node's
 * own modules (node:), builtins and stubs are the runtime; so is code the map does not name
 * (the JVM's "Interpreter", "StubRoutines (1)": no qualified name in them). */
static int sl_site_jit_runtime_name(const char *n)
{
	static const char *const pkg[] = {"java.", "javax.", "jdk.", "sun.", "com.sun.", NULL};
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
		if (!strncmp(q, pkg[i], strlen(pkg[i])))
			return 1;
	return 0;
}

static int sl_site_no_module(const struct sl_site_frame *f)
{
	return !f->lang && (!f->module || !strcmp(f->module, "?"));
}

uint8_t sl_site_frame_class(const struct sl_site_frame *f)
{
	const char *b;

	if (f->cls & SL_SITE_FR_KNOWN)
		return f->cls;
	if (sl_site_no_module(f)) /* a JIT's code: its perf map name says whose */
		return SL_SITE_FR_KNOWN |
		       (!f->jit || sl_site_jit_runtime_name(f->jit) ? SL_SITE_FR_RUNTIME : 0);
	if (f->lang)
		return SL_SITE_FR_KNOWN |
		       (!strcmp(f->lang, "python") && sl_site_python_runtime_file(f->file)
				? SL_SITE_FR_RUNTIME
				: 0);
	b = sl_site_base(f->module);
	if (sl_site_prefixed(b, sl_system_mod))
		return SL_SITE_FR_KNOWN | SL_SITE_FR_SYSTEM | SL_SITE_FR_RUNTIME;
	if (strstr(f->module, "/lib-dynload/") || /* Python's C extension modules */
	    sl_site_prefixed(b, sl_runtime_mod) || sl_site_interpreter(b))
		return SL_SITE_FR_KNOWN | SL_SITE_FR_RUNTIME;
	return SL_SITE_FR_KNOWN;
}

unsigned sl_site_pick(const uint8_t *cls, unsigned n, int *runtime_only)
{
	unsigned i = 0;

	while (i < n && (cls[i] & SL_SITE_FR_RUNTIME))
		i++;
	*runtime_only = i == n;
	if (i == n) {
		/* runtime only: the first frame past libc and the loader */
		for (i = 0; i < n && (cls[i] & SL_SITE_FR_SYSTEM); i++)
			;
		if (i == n)
			i = 0;
	}
	return i;
}

unsigned sl_site_family(unsigned kind, int after_eof, int after_cw)
{
	if (kind == SL_SITE_K_EXIT && after_eof)
		return SL_SITE_K_EOF;
	if (kind == SL_SITE_K_EXIT && after_cw)
		return SL_SITE_K_CW;
	return kind;
}

/* A stack's site frame and whether the stack is all runtime; NULL for no stack. */
static const struct sl_site_frame *sl_site_frame_of(const struct sl_site_stack *s,
						    int *runtime_only)
{
	uint8_t cls[256];
	unsigned n = s->n < sizeof(cls) ? s->n : (unsigned)sizeof(cls);

	*runtime_only = 0;
	if (!s->f || !n)
		return NULL;
	for (unsigned i = 0; i < n; i++)
		cls[i] = sl_site_frame_class(&s->f[i]);
	return &s->f[sl_site_pick(cls, n, runtime_only)];
}

static void sl_site_ident(const struct sl_site_frame *f, int runtime_only, struct sl_site_id *id)
{
	if (runtime_only) {
		id->a = f->lang ? f->lang : f->module;
		id->c = SL_SITE_ID_RUNTIME;
	} else if (sl_site_no_module(f) && f->jit) {
		id->a = f->jit;
		id->c = SL_SITE_ID_JIT;
	} else if (f->file) {
		id->a = f->func;
		id->b = f->file;
		id->c = (uint64_t)(uint32_t)f->line;
	} else {
		id->a = f->module;
		id->c = f->offset | SL_SITE_ID_RAW;
	}
}

/* FNV-1a over the bytes of the strings (with their terminators, NULL apart from "") and
 * numbers: equal content, equal hash, wherever the strings live. */
static uint64_t sl_site_mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t sl_site_mix_str(uint64_t h, const char *s)
{
	static const unsigned char none = 0xff;

	return s ? sl_site_mix(h, s, strlen(s) + 1) : sl_site_mix(h, &none, 1);
}

static uint64_t sl_site_mix_id(uint64_t h, const struct sl_site_id *id)
{
	h = sl_site_mix_str(h, id->a);
	h = sl_site_mix_str(h, id->b);
	return sl_site_mix(h, &id->c, sizeof(id->c));
}

void sl_site_key(const struct sl_site_leak *l, struct sl_site_key *k)
{
	const struct sl_site_frame *o, *e, *hf;
	int o_rt, e_rt, h_rt;

	memset(k, 0, sizeof(*k));
	k->kind = sl_site_family(l->kind, l->after_eof, l->after_cw);
	o = sl_site_frame_of(&l->open, &o_rt);
	/* A socket its runtime opened and the program handled: the site is the handler's code. */
	if (o && o_rt && (hf = sl_site_frame_of(&l->handler, &h_rt)) && !h_rt) {
		o = hf;
		o_rt = 0;
	}
	if (o) {
		sl_site_ident(o, o_rt, &k->open);
	} else {
		k->open.a = l->exe;
		k->open.b = l->role;
		k->open.c = SL_SITE_ID_NOSTACK;
	}
	if (k->kind == SL_SITE_K_EOF && (e = sl_site_frame_of(&l->eof, &e_rt)))
		sl_site_ident(e, e_rt, &k->eof);
}

uint64_t sl_site_key_hash(const struct sl_site_key *k)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = sl_site_mix(h, &k->kind, sizeof(k->kind));
	h = sl_site_mix_id(h, &k->open);
	return sl_site_mix_id(h, &k->eof);
}

static int sl_site_str_cmp(const char *x, const char *y)
{
	if (x == y)
		return 0;
	if (!x || !y)
		return x ? 1 : -1;
	return strcmp(x, y);
}

static int sl_site_id_cmp(const struct sl_site_id *x, const struct sl_site_id *y)
{
	int c;

	if ((c = sl_site_str_cmp(x->a, y->a)) || (c = sl_site_str_cmp(x->b, y->b)))
		return c;
	return (x->c > y->c) - (x->c < y->c);
}

static const char *sl_site_kind_name(unsigned kind)
{
#define SL_SITE_KIND_NAME(id, name, rule, title) name,
	static const char *const names[] = {SL_LEAK_KINDS(SL_SITE_KIND_NAME)};
#undef SL_SITE_KIND_NAME

	return kind < SL_SITE_K_N ? names[kind] : "none";
}

int sl_site_key_cmp(const struct sl_site_key *x, const struct sl_site_key *y)
{
	int c;

	if (x->kind != y->kind &&
	    (c = strcmp(sl_site_kind_name(x->kind), sl_site_kind_name(y->kind))))
		return c;
	if ((c = sl_site_id_cmp(&x->open, &y->open)))
		return c;
	return sl_site_id_cmp(&x->eof, &y->eof);
}

int sl_site_key_eq(const struct sl_site_key *x, const struct sl_site_key *y)
{
	return x->kind == y->kind && !sl_site_key_cmp(x, y);
}

static int sl_site_id_format(const struct sl_site_id *id, char *buf, size_t cap)
{
	if (id->c == SL_SITE_ID_NOSTACK)
		return snprintf(buf, cap, "no-open-stack:%s:%s", id->a ? id->a : "?",
				id->b ? id->b : "?");
	if (id->c == SL_SITE_ID_RUNTIME)
		return snprintf(buf, cap, "runtime:%s", id->a ? sl_site_base(id->a) : "?");
	if (id->c == SL_SITE_ID_JIT)
		return snprintf(buf, cap, "%s@jit", id->a);
	if (id->c & SL_SITE_ID_RAW)
		return snprintf(buf, cap, "%s+0x%llx", id->a ? id->a : "?",
				(unsigned long long)(id->c & ~SL_SITE_ID_RAW));
	if (id->b)
		return snprintf(buf, cap, "%s@%s:%d", id->a ? id->a : "?", id->b, (int)id->c);
	return snprintf(buf, cap, "-");
}

int sl_site_key_format(const struct sl_site_key *k, char *buf, size_t cap)
{
	char o[1024], e[1024];

	sl_site_id_format(&k->open, o, sizeof(o));
	sl_site_id_format(&k->eof, e, sizeof(e));
	return snprintf(buf, cap, "%s|%s|%s", sl_site_kind_name(k->kind), o, e);
}
