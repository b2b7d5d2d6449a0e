/* Which frames are the program's own code, and which belong to what runs it.
 *
 * A leak is fixed in the program, so a site is named after the first frame of its stack that
 * the program wrote (group.c). Everything under that is runtime: the C library and the loader,
 * sockleak and the sanitizers, and the interpreters and their standard libraries: libpython,
 * Python's stdlib and installed packages (site-packages, dist-packages), node and libuv, the
 * JVM's libjvm, libnio and libnet, perl. A stack made only of runtime frames (a Perl program:
 * perl records no Perl frames) is named after the runtime itself, so the paths a runtime takes
 * to the same accept() are one site, not one per internal path. The judgement is
 * preload/sitekey.c's, the library's too; here it is remembered per frame and per stack. */
#include <string.h>

#include "escape.h"
#include "model.h"

const char *sl_frame_jit_name(const struct sl_frame *fr)
{
	const struct sl_sym *sym = sl_frame_sym(fr);

	if (fr->lang || (fr->module && strcmp(fr->module, "?")))
		return NULL;
	/* the tools' perf map lookup, else the name the preload wrote from the map it saw */
	if (sym && sym->n && sym->f[0].func)
		return sym->f[0].func;
	return fr->symbol;
}

void sl_frame_site_view(const struct sl_frame *fr, struct sl_site_frame *v)
{
	const struct sl_sym *sym = sl_frame_sym(fr);
	const struct sl_symf *sf = sym && sym->n ? &sym->f[0] : NULL;

	v->module = fr->module;
	v->lang = fr->lang;
	v->jit = sl_frame_jit_name(fr);
	v->offset = fr->offset;
	v->cls = fr->cls;
	if (sf && sf->file) {
		v->file = sf->file;
		v->func = sf->func;
		v->line = sf->line;
	} else { /* an interpreter's frame before symbolisation: its file decides its class */
		v->file = fr->lang ? fr->file : NULL;
		v->func = fr->lang ? fr->symbol : NULL;
		v->line = fr->line;
	}
}

static uint8_t frame_class(const struct sl_frame *fr)
{
	struct sl_site_frame v;

	if (fr->cls & SL_FR_KNOWN)
		return fr->cls;
	sl_frame_site_view(fr, &v);
	return sl_site_frame_class(&v);
}

int sl_frame_system(const struct sl_frame *fr) { return !!(frame_class(fr) & SL_FR_SYSTEM); }

int sl_frame_runtime(const struct sl_frame *fr) { return !!(frame_class(fr) & SL_FR_RUNTIME); }

/* The site frame, as sitekey.h picks it (the same choice as the site key's). */
static uint32_t site_index(const struct sl_stack *s)
{
	uint8_t cls[256];
	uint32_t n = s->n < sizeof cls ? s->n : (uint32_t)sizeof cls;
	int runtime_only;

	if (!n)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		cls[i] = frame_class(s->f[i]);
	return sl_site_pick(cls, n, &runtime_only);
}

/* The judgement of a JIT frame needs its perf map name, so it is kept only once the frame is
 * symbolised, and a stack's once all its frames are. */
void sl_stack_classify(struct sl_stack *s)
{
	for (uint32_t i = 0; i < s->n; i++) {
		struct sl_frame *fr = s->f[i];

		if (!fr->symd)
			return;
		if (!(fr->cls & SL_FR_KNOWN))
			fr->cls = frame_class(fr);
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

	if (!s || !s->n)
		return -1;
	i = s->classified ? s->site_idx : site_index(s);
	*fr = s->f[i];
	sym = sl_frame_sym(s->f[i]);
	*sf = sym && sym->n ? &sym->f[0] : NULL;
	return (int)i;
}

int sl_stack_runtime_only(const struct sl_stack *s)
{
	if (s && s->classified)
		return s->runtime_only;
	for (uint32_t i = 0; s && i < s->n; i++)
		if (!sl_frame_runtime(s->f[i]))
			return 0;
	return 1;
}

/* Where a frame is, in brackets after its name: module+offset for native code, the language
 * for an interpreter's frame, and an absolute address for code in no module (a JIT's, when no
 * perf map named it), never passed off as an offset into a module. */
const char *sl_frame_where(const struct sl_frame *fr, char *buf, size_t cap)
{
	char hex[19];
	if (fr->lang)
		sl_snprintf(buf, cap, "%s", fr->lang);
	else if (sl_frame_jit_name(fr))
		sl_snprintf(buf, cap, "jit, 0x%llx", (unsigned long long)fr->offset);
	else if (!fr->module || !strcmp(fr->module, "?"))
		/* the preload found no module: its "offset" is the absolute address */
		sl_snprintf(buf, cap, "no module, 0x%llx", (unsigned long long)fr->offset);
	else
		sl_strs(buf, cap, sl_base(fr->module), "+",
			sl_hex(hex, (unsigned long long)fr->offset), (char *)NULL);
	return buf;
}
