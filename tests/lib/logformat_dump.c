/* Prints the log format's table (preload/logformat.h) and the leak kinds (preload/kinds.h) as
 * one JSON object, for the Python harnesses (tests/lib/logformat.py): the tests check every
 * record they read against the table the library writes from, not against a copy of it.
 * {"version":1,"kinds":[...],"objects":{NAME:{"event":bool,"meaning":...}},
 *  "fields":{KEY:{"types":[...],"elem":...,"required":[...],"optional":[...],"meaning":...}}} */
#include <stdio.h>

#define SL_KINDS_TOOLS
#include "../../preload/kinds.h"
#include "../../preload/logformat.h"

static void str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static const char *const obj_names[] = {
#define OBJ(name, event, meaning) #name,
	SL_LOG_OBJECTS(OBJ)
#undef OBJ
};

static void objects_in(unsigned mask)
{
	int first = 1;

	putchar('[');
	for (int o = 0; o < SL_LO_N; o++)
		if (mask & (1u << o)) {
			printf("%s", first ? "" : ",");
			str(obj_names[o]);
			first = 0;
		}
	putchar(']');
}

static void types(unsigned t)
{
	static const struct {
		unsigned bit;
		const char *name;
	} tn[] = {{SL_JT_INT, "int"},   {SL_JT_STR, "string"}, {SL_JT_BOOL, "bool"},
		  {SL_JT_NULL, "null"}, {SL_JT_ARR, "array"},  {SL_JT_OBJ, "object"}};
	int first = 1;

	putchar('[');
	for (size_t i = 0; i < sizeof(tn) / sizeof(tn[0]); i++)
		if (t & tn[i].bit) {
			printf("%s", first ? "" : ",");
			str(tn[i].name);
			first = 0;
		}
	putchar(']');
}

static void field(const char *key, unsigned t, const char *elem, unsigned req, unsigned opt,
		  const char *meaning, int first)
{
	printf("%s\n  ", first ? "" : ",");
	str(key);
	printf(": {\"types\": ");
	types(t);
	printf(", \"elem\": ");
	str(elem);
	printf(", \"required\": ");
	objects_in(req);
	printf(", \"optional\": ");
	objects_in(opt);
	printf(", \"meaning\": ");
	str(meaning);
	putchar('}');
}

int main(void)
{
	int first = 1;

	printf("{\"version\": %d,\n \"kinds\": [", SL_LOG_VERSION);
#define KIND(id, name, rule, title) printf("%s", first ? "" : ", "), str(name), first = 0;
	SL_LEAK_KINDS(KIND)
#undef KIND
	printf("],\n \"objects\": {");
	first = 1;
/* clang-format off */
#define OBJ(name, event, meaning)                                                             \
	printf("%s\n  ", first ? "" : ","), str(#name),                                       \
		printf(": {\"event\": %s, \"meaning\": ", (event) ? "true" : "false"),        \
		str(meaning), putchar('}'), first = 0;
	/* clang-format on */
	SL_LOG_OBJECTS(OBJ)
#undef OBJ
	printf("},\n \"fields\": {");
	first = 1;
/* clang-format off */
#define FIELD(key, t, elem, req, opt, meaning)                                                \
	field(#key, t, elem, req, opt, meaning, first), first = 0;
	/* clang-format on */
	SL_LOG_FIELDS(FIELD)
#undef FIELD
	printf("}}\n");
	return ferror(stdout) ? 1 : 0;
}
