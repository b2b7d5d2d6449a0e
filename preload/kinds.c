/* Names of the leak kinds; the table is kinds.h. */
#include "kinds.h"

const char *sl_kind_name(enum sl_kind k)
{
#define SL_KIND_NAME(id, name, rule, title) name,
	static const char *const names[SL_KIND_N] = {"none", SL_LEAK_KINDS(SL_KIND_NAME)};
#undef SL_KIND_NAME

	return (unsigned)k < SL_KIND_N ? names[k] : "none";
}
