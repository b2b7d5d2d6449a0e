/* The docs check, walking the options table (preload/options.inc): every option is in help=1
 * and in the start record's options object, has its row in docs/options.md and its entry in
 * sockleak(7), and both say its default and its range as the table has them; the parser is
 * tried at the ends of each documented range. Nothing is documented that the table lacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/options.h"
#include "textfile.h"

struct row {
	const char *name, *type;
	unsigned long min, max;
	const char *const *names; /* enum: its values */
};

#define ENUM_NAME(c, name) name,
#define NAMES_bool(n) NULL
#define NAMES_uint(n) NULL
#define NAMES_enum(n) ((const char *const[]){SL_OPT_VALUES_##n(ENUM_NAME) NULL})
#define NAMES_path(n) NULL
#define NAMES_sink(n) NULL
static const struct row rows[] = {
#define SL_OPT(type, name, def, min, max, help) {#name, #type, min, max, NAMES_##type(name)},
#include "../../preload/options.inc"
#undef SL_OPT
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* The range as docs/options.md writes it ("LO..HI", "0, 1", "`a`, `b`"), and as sockleak(7)
 * does ("LO..HI", "0 or 1", "a, b or c"); "" for paths, whose range is free text. */
static void range_text(const struct row *r, int man, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	if (!strcmp(r->type, "uint"))
		snprintf(buf, cap, "%lu..%lu", r->min, r->max);
	else if (!strcmp(r->type, "bool"))
		snprintf(buf, cap, man ? "0 or 1" : "0, 1");
	else if (r->names)
		for (unsigned long i = r->min; i <= r->max; i++)
			len += (size_t)snprintf(buf + len, cap - len, man ? "%s%s" : "%s`%s`",
						i == r->min          ? ""
						: man && i == r->max ? " or "
								     : ", ",
						r->names[i]);
}

/* The default of key as the start record says it ("" for an empty path); 0 when missing. */
static int json_default(const char *key, char *out, size_t cap)
{
	static char json[SL_OPTS_JSON_MAX];
	struct sl_opts o;
	char m[48];
	const char *at;

	sl_opts_default(&o);
	assert_true(sl_opts_json(&o, json, sizeof(json)) > 0);
	snprintf(m, sizeof(m), "\"%.40s\":", key);
	at = strstr(json, m);
	if (!at)
		return 0;
	at += strlen(m);
	if (*at == '"')
		snprintf(out, cap, "%.*s", (int)strcspn(at + 1, "\""), at + 1);
	else
		snprintf(out, cap, "%.*s", (int)strcspn(at, ","), at);
	return 1;
}

static int accepted(const char *key, const char *value)
{
	char item[128];
	struct sl_opts o;

	snprintf(item, sizeof(item), "%s=%s", key, value);
	sl_opts_default(&o);
	return sl_opts_parse(&o, item, NULL, NULL) == 0;
}

/* A documented range "LO..HI", "0, 1" or "`a`, `b`" holds on the parser: its ends and each
 * value are taken, what lies just outside is not. Other ranges (paths) are free text. */
static void range_holds(const char *key, const char *range)
{
	unsigned long lo, hi;
	char v[32];
	int end;

	if (sscanf(range, "%lu..%lu%n", &lo, &hi, &end) == 2 && !range[end]) {
		snprintf(v, sizeof(v), "%lu", lo);
		if (!accepted(key, v))
			fail_msg("%s: documented low end %lu refused", key, lo);
		snprintf(v, sizeof(v), "%lu", hi);
		if (!accepted(key, v))
			fail_msg("%s: documented high end %lu refused", key, hi);
		snprintf(v, sizeof(v), "%lu", hi + 1);
		if (accepted(key, v))
			fail_msg("%s: %lu past the documented range taken", key, hi + 1);
		snprintf(v, sizeof(v), "%lu", lo - 1);
		if (lo && accepted(key, v))
			fail_msg("%s: %lu below the documented range taken", key, lo - 1);
	} else if (!strcmp(range, "0, 1")) {
		if (!accepted(key, "0") || !accepted(key, "1") || accepted(key, "2"))
			fail_msg("%s: documented as 0, 1", key);
	} else if (range[0] == '`') {
		for (const char *p = range; (p = strchr(p, '`')); p += 1) {
			size_t n = strcspn(p + 1, "`");

			snprintf(v, sizeof(v), "%.*s", (int)n, p + 1);
			if (!accepted(key, v))
				fail_msg("%s: documented value %s refused", key, v);
			p += n + 1;
		}
	}
}

/* "| `key` | default | range | meaning |": the row's default (without `` and a trailing
 * " (note)") and range. */
static int md_row(const char *md, const char *key, char *def, char *range, size_t cap)
{
	char head[64];
	const char *p, *q;
	size_t n;

	snprintf(head, sizeof(head), "\n| `%.40s` | ", key);
	if (!(p = strstr(md, head)))
		return 0;
	p += strlen(head);
	q = strstr(p, " | ");
	n = (size_t)(q - p);
	if (p[0] == '(') /* "(none)": an empty path */
		n = 0;
	else if (strstr(p, " (") && strstr(p, " (") < q)
		n = (size_t)(strstr(p, " (") - p);
	if (n >= 2 && p[0] == '`' && p[n - 1] == '`')
		snprintf(def, cap, "%.*s", (int)n - 2, p + 1);
	else
		snprintf(def, cap, "%.*s", (int)n, p);
	p = q + 3;
	snprintf(range, cap, "%.*s", (int)(strstr(p, " | ") - p), p);
	return 1;
}

/* The header line of key's entry in sockleak(7): ".BR key " (default D...)", possibly shared
 * with other keys. */
static const char *man_entry(const char *man, const char *key, char *line, size_t cap)
{
	for (const char *p = man; (p = strstr(p, "\n.BR ")); p++) {
		size_t n = strcspn(p + 1, "\n");
		char word[64];

		snprintf(line, cap, "%.*s", (int)n, p + 1);
		snprintf(word, sizeof(word), " %.40s ", key);
		if (strstr(line, word) && strstr(line, "(default "))
			return line;
	}
	return NULL;
}

static void test_every_option_documented(void **state)
{
	char def[64], mdef[512], range[512], want[512], line[512], head[64];
	char *md = tf_read("docs/options.md"), *man = tf_read("docs/sockleak.7");
	const char *help = sl_opts_help();
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < NROWS; i++) {
		const char *k = rows[i].name, *d, *dn;

		snprintf(head, sizeof(head), "\n  %-17s ", k);
		if (!strstr(help, head)) {
			print_error("%s: not in help=1\n", k);
			bad++;
		}
		if (!json_default(k, def, sizeof(def))) {
			print_error("%s: not in the start record's options object\n", k);
			bad++;
			snprintf(def, sizeof(def), "?");
		}
		range_text(&rows[i], 0, want, sizeof(want));
		if (!md_row(md, k, mdef, range, sizeof(mdef))) {
			print_error("%s: no row in docs/options.md\n", k);
			bad++;
		} else {
			if (strcmp(mdef, def)) {
				print_error(
					"%s: docs/options.md says default '%s', the table '%s'\n",
					k, mdef, def);
				bad++;
			}
			if (want[0] && strcmp(range, want)) {
				print_error("%s: docs/options.md says range '%s', the table '%s'\n",
					    k, range, want);
				bad++;
			}
			range_holds(k, range);
		}
		range_text(&rows[i], 1, want, sizeof(want));
		if (!man_entry(man, k, line, sizeof(line))) {
			print_error("%s: no entry in docs/sockleak.7\n", k);
			bad++;
			continue;
		}
		d = strstr(line, "(default ") + 9;
		dn = def[0] ? def : "none";
		if (strncmp(d, dn, strlen(dn)) || !strchr(":,)", d[strlen(dn)])) {
			print_error("%s: sockleak.7 '%s', the table's default is '%s'\n", k, line,
				    dn);
			bad++;
		}
		if (want[0] && !strstr(line, want)) {
			print_error("%s: sockleak.7 '%s' does not give the range '%s'\n", k, line,
				    want);
			bad++;
		}
	}
	free(md);
	free(man);
	assert_int_equal(bad, 0);
}

/* And nothing is documented that the table does not have. */
static void test_no_unknown_option_documented(void **state)
{
	char *md = tf_read("docs/options.md");
	int bad = 0;

	(void)state;
	for (const char *p = md; (p = strstr(p, "\n| `")); p++) {
		char k[64];
		int known = 0;

		snprintf(k, sizeof(k), "%.*s", (int)strcspn(p + 4, "`"), p + 4);
		for (size_t i = 0; i < NROWS; i++)
			known |= !strcmp(rows[i].name, k);
		if (!known) {
			print_error(
				"docs/options.md documents '%s', which the table does not have\n",
				k);
			bad++;
		}
	}
	free(md);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_option_documented),
		cmocka_unit_test(test_no_unknown_option_documented),
	};

	return cmocka_run_group_tests_name("options_docs", tests, NULL, NULL);
}
