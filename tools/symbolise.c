/* Symbolisation of recorded frames with elfutils: module path + module-relative offset to
 * function, source file and line, with inlined calls expanded. One offline Dwfl per module
 * (opened once, cached), one cache entry per distinct (module, address, recorded build-id). */
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <dwarf.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "model.h"

struct sl_mod {
	UT_hash_handle hh;
	const char *path; /* interned: the pointer is the key */
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	char build_id[129];
};

struct sl_symkey { const char *module, *build_id; uint64_t addr; };
struct sl_syment {
	UT_hash_handle hh;
	struct sl_symkey key;
	struct sl_sym sym;
};

struct sl_symcache {
	struct sl_mod *mods;
	struct sl_syment *ents;
};

static const Dwfl_Callbacks offline_cb = {
	.find_debuginfo = dwfl_standard_find_debuginfo, /* also finds /usr/lib/debug/.build-id */
	.section_address = dwfl_offline_section_address,
};

static struct sl_mod *mod_get(struct sl_an *a, const char *path)
{
	struct sl_symcache *c = a->symcache;
	struct sl_mod *m;
	HASH_FIND(hh, c->mods, &path, sizeof path, m);
	if (m) return m;
	m = calloc(1, sizeof *m);
	if (!m) return NULL;
	m->path = path;
	HASH_ADD(hh, c->mods, path, sizeof path, m);
	/* only regular files: a log naming /dev/zero or a fifo must not hang the analysis */
	struct stat st;
	if (!a->symbolise_off && (stat(path, &st) || !S_ISREG(st.st_mode))) return m;
	if (a->symbolise_off) return m;
	m->dwfl = dwfl_begin(&offline_cb);
	if (!m->dwfl) return m;
	m->mod = dwfl_report_offline(m->dwfl, path, path, -1);
	dwfl_report_end(m->dwfl, NULL, NULL);
	if (!m->mod) return m;
	/* Offline reporting places a shared object at some base of its choosing; the log's offsets
	 * are link-time addresses, so translate with the module's bias. */
	if (!dwfl_module_getelf(m->mod, &m->bias)) {
		m->mod = NULL;
		return m;
	}
	const unsigned char *bits;
	GElf_Addr vaddr;
	int n = dwfl_module_build_id(m->mod, &bits, &vaddr);
	for (int i = 0; i < n && i < 64; i++) snprintf(m->build_id + 2 * i, 3, "%02x", bits[i]);
	return m;
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

static void resolve(struct sl_an *a, struct sl_mod *m, uint64_t addr, const struct sl_frame *fr,
		    struct sl_sym *out)
{
	struct sl_symf f[SL_MAX_INLINE];
	int n = 0;
	Dwarf_Addr da = addr + m->bias, dbias;
	const char *fallback = fr->symbol;

	if (!m->mod) {
		out->note = "no debug info";
		return;
	}
	if (fr->build_id && *fr->build_id && strcasecmp(fr->build_id, m->build_id)) {
		out->note = "build-id mismatch, using recorded symbol";
		return;
	}
	/* the file on disk is the one that ran: its own symbol table beats the dynamic symbol
	 * (dladdr only sees exported names, so a static function would get its neighbour's) */
	const char *elfname = dwfl_module_addrname(m->mod, da);
	if (elfname) fallback = elfname;

	Dwarf_Die *cu = dwfl_module_addrdie(m->mod, da, &dbias);
	Dwfl_Line *ln = dwfl_module_getsrc(m->mod, da);
	const char *file = NULL;
	int line = 0;
	if (ln) file = dwfl_lineinfo(ln, NULL, &line, NULL, NULL, NULL);
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
			if (tag != DW_TAG_inlined_subroutine) break;
			/* the caller's location is where this inlined body was called from */
			if (call_site(cu, &scopes[i], &file, &line)) file = NULL, line = 0;
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
		if (!f[i].func) f[i].func = sl_internz(a, fallback);
	out->n = n;
	out->f = sl_alloc(a, sizeof *out->f * (size_t)(n ? n : 1));
	memcpy(out->f, f, sizeof *f * (size_t)n);
}

void sl_symbolise_stack(struct sl_an *a, struct sl_stack *s)
{
	if (!s || s->symbolised) return;
	s->symbolised = 1;
	if (!a->symcache && !(a->symcache = calloc(1, sizeof *a->symcache))) return;
	for (uint32_t i = 0; i < s->n; i++) {
		struct sl_frame *fr = &s->f[i];
		struct sl_symkey k;
		struct sl_syment *e;
		memset(&k, 0, sizeof k);
		k.module = fr->module;
		k.build_id = fr->build_id;
		/* Look up offset-1 for every frame: docs/log-format.md calls the first frame exact,
		 * but the preload drops its own frames, so the first recorded one is the program's
		 * return address from accept()/read() too. A return address can sit on the next line
		 * or past an inlined range; the byte before is inside the call instruction, and for
		 * an exact ip it is still in the same statement in practice. */
		(void)i;
		k.addr = fr->offset ? fr->offset - 1 : 0;
		HASH_FIND(hh, a->symcache->ents, &k, sizeof k, e);
		if (!e) {
			e = sl_alloc(a, sizeof *e);
			e->key = k;
			struct sl_mod *m = fr->module ? mod_get(a, fr->module) : NULL;
			if (m) resolve(a, m, k.addr, fr, &e->sym);
			else e->sym.note = "no debug info";
			HASH_ADD(hh, a->symcache->ents, key, sizeof k, e);
		}
		fr->sym = &e->sym;
	}
}

void sl_symcache_free(struct sl_an *a)
{
	struct sl_mod *m, *t;
	if (!a->symcache) return;
	HASH_ITER(hh, a->symcache->mods, m, t) {
		HASH_DEL(a->symcache->mods, m);
		if (m->dwfl) dwfl_end(m->dwfl);
		free(m);
	}
	HASH_CLEAR(hh, a->symcache->ents);
	free(a->symcache);
	a->symcache = NULL;
}
