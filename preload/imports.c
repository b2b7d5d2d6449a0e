/* The program's imports, from the dynamic sections mapped now; see imports.h. */
#include "imports.h"

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

/* A corrupt or unusual table must not make us read far: no object imports more. */
#define SL_IMPORTS_MAX 65536u

struct sl_imports_ctx {
	const char *const *names;
	uintptr_t self;
};

/* The loader relocates d_ptr in place where the dynamic section is writable (everywhere on
 * x86-64) but not in the vDSO's, which is read-only: an address below the object's base is
 * still an offset from it. */
static uintptr_t sl_dyn_addr(const struct dl_phdr_info *info, ElfW(Addr) ptr)
{
	return ptr < info->dlpi_addr ? info->dlpi_addr + ptr : ptr;
}

/* Whether [addr, addr + len) lies in one readable segment of the object: its dynamic section
 * is data of the file's, and a corrupt or hostile one may point anywhere (a GNU hash table
 * claiming 65,536 unhashed symbols had us read 1.5 MB past /bin/true's image: SIGSEGV). */
static int sl_holds(const struct dl_phdr_info *info, uintptr_t addr, size_t len)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_R) && addr >= lo &&
		    addr - lo <= ph->p_memsz && len <= ph->p_memsz - (addr - lo))
			return 1;
	}
	return 0;
}

static const ElfW(Dyn) *sl_dynamic(const struct dl_phdr_info *info)
{
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			return (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	return NULL;
}

static int sl_imports_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	const struct sl_imports_ctx *ctx = arg;
	const ElfW(Dyn) *d = sl_dynamic(info);
	const ElfW(Sym) *sym = NULL;
	const uint32_t *gnu = NULL, *sysv = NULL;
	const char *str = NULL;
	size_t strsz = 0, n;

	(void)size;
	if (!d || sl_holds(info, ctx->self, 1))
		return 0;
	for (; d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
		case DT_SYMTAB:
			sym = (const ElfW(Sym) *)sl_dyn_addr(info, d->d_un.d_ptr);
			break;
		case DT_STRTAB:
			str = (const char *)sl_dyn_addr(info, d->d_un.d_ptr);
			break;
		case DT_STRSZ:
			strsz = d->d_un.d_val;
			break;
		case DT_GNU_HASH:
			gnu = (const uint32_t *)sl_dyn_addr(info, d->d_un.d_ptr);
			break;
		case DT_HASH:
			sysv = (const uint32_t *)sl_dyn_addr(info, d->d_un.d_ptr);
			break;
		}
	}
	if (!sym || !str || !sl_holds(info, (uintptr_t)str, strsz))
		return 0;
	/* GNU hash: the symbols before symoffset (its second word) are the unhashed ones, the
	 * undefined among them; SysV hash: nchain (its second word) is every symbol. */
	if (gnu && !sl_holds(info, (uintptr_t)gnu, 2 * sizeof(*gnu)))
		gnu = NULL;
	if (sysv && !sl_holds(info, (uintptr_t)sysv, 2 * sizeof(*sysv)))
		sysv = NULL;
	n = gnu ? gnu[1] : sysv ? sysv[1] : 0;
	if (n > SL_IMPORTS_MAX)
		n = SL_IMPORTS_MAX;
	if (!sl_holds(info, (uintptr_t)sym, n * sizeof(*sym)))
		return 0;
	for (size_t i = 1; i < n; i++) {
		unsigned type = ELF64_ST_TYPE(sym[i].st_info); /* ELF32_ST_TYPE is the same */
		size_t at = sym[i].st_name;

		if (sym[i].st_shndx != SHN_UNDEF || at >= strsz ||
		    (type != STT_FUNC && type != STT_NOTYPE))
			continue;
		/* The first byte before the call: most imports differ there (~10k instructions of
		 * strcmp for /bin/true otherwise). The name with its NUL within DT_STRSZ: a table
		 * without a final NUL is not read past. */
		for (const char *const *nm = ctx->names; *nm; nm++) {
			size_t len = strlen(*nm);

			if (str[at] == **nm && len < strsz - at && !memcmp(str + at, *nm, len + 1))
				return 1;
		}
	}
	return 0;
}

int sl_imports_any(const char *const *names, const void *self)
{
	struct sl_imports_ctx ctx = {names, (uintptr_t)self};

	return dl_iterate_phdr(sl_imports_cb, &ctx) == 1;
}
