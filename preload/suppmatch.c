/* leak:PATTERN matching; see suppmatch.h. */
#include "suppmatch.h"

#include <string.h>

int sl_supp_template_match(const char *templ, const char *str)
{
	int start = 0, star = 0;

	if (!str || !*str)
		return 0;
	if (templ && *templ == '^') {
		start = 1;
		templ++;
	}
	while (templ && *templ) {
		const char *at;
		size_t n;

		if (*templ == '*') {
			templ++;
			start = 0;
			star = 1;
			continue;
		}
		if (*templ == '$')
			return !*str || star;
		if (!*str)
			return 0;
		/* the literal run up to the next wildcard or anchor, found leftmost */
		n = strcspn(templ, "*$");
		at = memmem(str, strlen(str), templ, n);
		if (!at || (start && at != str))
			return 0;
		str = at + n;
		templ += n;
		start = star = 0;
	}
	return 1;
}

int sl_supp_frame_match(const char *pattern, const char *func, const char *file, const char *module)
{
	const char *base;

	if (sl_supp_template_match(pattern, func) || sl_supp_template_match(pattern, file) ||
	    sl_supp_template_match(pattern, module))
		return 1;
	/* "^libfoo.so$" names a module by its base name, as LSan users write it */
	base = module ? strrchr(module, '/') : NULL;
	return base && sl_supp_template_match(pattern, base + 1);
}
