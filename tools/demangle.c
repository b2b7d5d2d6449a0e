/* C++ names demangled for people: node's `_ZN4node21SpinEventLoopInternalEPNS_11EnvironmentE`
 * becomes `node::SpinEventLoopInternal(node::Environment*)`. The demangler is the C++ ABI's own,
 * __cxa_demangle from Debian's libstdc++6 (the one c++filt's output matches), not ours: the
 * grammar is large and a hand-written subset would show half-demangled names. Raw names stay in
 * the model (JSON keeps them as "symbol"); what people read goes through here. */
#include <stdlib.h>
#include <string.h>

#include "model.h"

char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

const char *sl_demangle(struct sl_analysis *a, const char *name)
{
	char *d;
	const char *r;
	int status = 0;

	/* Itanium ABI names start with _Z; anything else (C, Rust v0 `_R`) is shown as it is. */
	if (!name || name[0] != '_' || name[1] != 'Z')
		return name;
	d = __cxa_demangle(name, NULL, NULL, &status);
	if (!d || status)
		return name;
	r = sl_internz(a, d);
	free(d);
	return r ? r : name; /* out of memory: the raw name */
}
