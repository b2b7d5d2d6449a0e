/* The log format's table (preload/logformat.h) against docs/log-format.md, both ways: every
 * event has its "### `name`" section, every field of an event a row in that section's table
 * (the fields of every record, in "Fields in every record"), every field of a nested object
 * (a stack's frames, a fork's or exec's sockets) its name in the section of the event that
 * holds it; and the document names no event and no field in a table row that the table lacks
 * (issue 12: one definition of the log format); and its "All fields" table is the table's,
 * row for row: type, where required, where optional, meaning. Run from the top of the tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textfile.h"

#include "../../preload/logformat.h"

struct obj {
	const char *name;
	int event;
};
struct field {
	const char *key;
	unsigned types, req, opt;
	const char *elem, *meaning;
};

#define OBJ(name, event, meaning) {#name, event},
static const struct obj objs[] = {SL_LOG_OBJECTS(OBJ)};
#undef OBJ
#define FIELD(key, types, elem, req, opt, meaning) {#key, types, req, opt, elem, meaning},
static const struct field fields[] = {SL_LOG_FIELDS(FIELD)};
#undef FIELD
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A copy of the section that starts at the line `head` (up to the next heading of the same
 * or a higher level), or NULL. */
static char *section(const char *md, const char *head)
{
	char want[128];
	const char *s, *e, *p;
	int level;
	char *out;

	snprintf(want, sizeof(want), "\n%s\n", head);
	if (!(s = strstr(md, want)))
		return NULL;
	s++;
	level = (int)strspn(s, "#");
	for (p = strchr(s, '\n'); p; p = strchr(p + 1, '\n'))
		if (p[1] == '#' && (int)strspn(p + 1, "#") <= level)
			break;
	e = p ? p : s + strlen(s);
	out = strndup(s, (size_t)(e - s));
	assert_non_null(out);
	return out;
}

/* Whether `key` (backquoted) is in the first cell of a table row of sec. */
static int in_row(const char *sec, const char *key)
{
	char want[96];

	snprintf(want, sizeof(want), "`%s`", key);
	for (const char *l = sec; l; l = strchr(l, '\n')) {
		const char *cell, *end;

		l += *l == '\n';
		if (!strncmp(l, "| ", 2) && (end = strchr(l + 2, '|')) &&
		    (cell = strstr(l + 2, want)) && cell < end)
			return 1;
	}
	return 0;
}

static char *event_section(const char *md, const char *name)
{
	char head[96];

	snprintf(head, sizeof(head), "### `%s`", name);
	return section(md, head);
}

static void test_events_and_fields_documented(void **state)
{
	char *md = tf_read("docs/log-format.md"),
	     *common = section(md, "## Fields in every record");
	int bad = 0;

	(void)state;
	assert_non_null(common);
	for (size_t o = 0; o < N(objs); o++) {
		char *sec = objs[o].event ? event_section(md, objs[o].name) : NULL;

		if (objs[o].event && !sec) {
			print_error("docs/log-format.md: event %s has no \"### `%s`\" section\n",
				    objs[o].name, objs[o].name);
			bad++;
			continue;
		}
		for (size_t f = 0; f < N(fields); f++) {
			unsigned bit = 1u << o;
			int ok = 0;

			if (!((fields[f].req | fields[f].opt) & bit))
				continue;
			if (objs[o].event) {
				/* The fields of every record are documented once, above. */
				ok = (fields[f].req & SL_IN_EVENTS) == SL_IN_EVENTS
					     ? in_row(common, fields[f].key)
					     : in_row(sec, fields[f].key);
			} else {
				/* A nested object: named in the section of an event that holds it. */
				char q[96], b[96];

				snprintf(q, sizeof(q), "\"%s\"", fields[f].key);
				snprintf(b, sizeof(b), "`%s`", fields[f].key);
				for (size_t h = 0; h < N(fields) && !ok; h++) {
					if (strcmp(fields[h].elem, objs[o].name))
						continue;
					for (size_t e = 0; e < N(objs) && !ok; e++) {
						char *es;

						if (!objs[e].event ||
						    !((fields[h].req | fields[h].opt) & (1u << e)))
							continue;
						es = event_section(md, objs[e].name);
						ok = es && (strstr(es, q) || strstr(es, b));
						free(es);
					}
				}
			}
			if (!ok) {
				print_error(
					"docs/log-format.md: field %s of %s is not documented\n",
					fields[f].key, objs[o].name);
				bad++;
			}
		}
		free(sec);
	}
	free(common);
	free(md);
	if (bad)
		fail_msg("%d events or fields of preload/logformat.h lack their documentation",
			 bad);
}

static int known_event(const char *name, size_t n)
{
	for (size_t o = 0; o < N(objs); o++)
		if (objs[o].event && strlen(objs[o].name) == n && !strncmp(objs[o].name, name, n))
			return (int)o;
	return -1;
}

static int field_of(const char *key, size_t n, unsigned mask)
{
	for (size_t f = 0; f < N(fields); f++)
		if (strlen(fields[f].key) == n && !strncmp(fields[f].key, key, n))
			return ((fields[f].req | fields[f].opt) & mask) != 0;
	return 0;
}

/* Every "### `name`" under "## Events" is an event of the table, and every backquoted name in
 * the first cell of its table's rows a field of it: the document describes what is written. */
static void test_documented_is_written(void **state)
{
	char *md = tf_read("docs/log-format.md"), *events = section(md, "## Events");
	int bad = 0;

	(void)state;
	assert_non_null(events);
	for (const char *h = strstr(events, "\n### `"); h; h = strstr(h + 1, "\n### `")) {
		const char *name = h + 6, *q = strchr(name, '`'), *end;
		int o = known_event(name, (size_t)(q - name));

		if (o < 0) {
			print_error("docs/log-format.md: documents event %.*s, which is not in "
				    "preload/logformat.h\n",
				    (int)(q - name), name);
			bad++;
			continue;
		}
		end = strstr(h + 1, "\n### ");
		end = end ? end : h + strlen(h);
		for (const char *l = strchr(h + 1, '\n'); l && l < end; l = strchr(l + 1, '\n')) {
			const char *cell = l + 1, *cend;

			if (strncmp(cell, "| `", 3) || !(cend = strchr(cell + 2, '|')))
				continue;
			for (const char *k = strchr(cell, '`'), *ke;
			     k && k < cend && (ke = strchr(k + 1, '`')); k = strchr(ke + 1, '`')) {
				if (!field_of(k + 1, (size_t)(ke - k - 1), 1u << o)) {
					print_error("docs/log-format.md: %s row names field %.*s, "
						    "which preload/logformat.h does not give it\n",
						    objs[o].name, (int)(ke - k - 1), k + 1);
					bad++;
				}
			}
		}
	}
	free(events);
	free(md);
	if (bad)
		fail_msg("%d documented events or fields are not in preload/logformat.h", bad);
}

/* ", "-separated backquoted names of the objects in mask; "every event" for all of them, "-"
 * for none. */
static void objects_text(char *out, size_t cap, unsigned mask)
{
	size_t n = 0;

	out[0] = '\0';
	if (mask == SL_IN_EVENTS) {
		snprintf(out, cap, "every event");
		return;
	}
	for (size_t o = 0; o < N(objs); o++)
		if (mask & (1u << o))
			n += (size_t)snprintf(out + n, cap - n, "%s`%s`", n ? ", " : "",
					      objs[o].name);
	if (!n)
		snprintf(out, cap, "-");
}

/* The row of the "All fields" table for field f. */
static void field_row(char *out, size_t cap, const struct field *f)
{
	static const struct {
		unsigned bit;
		const char *name;
	} tn[] = {{SL_JT_INT, "int"},   {SL_JT_STR, "string"}, {SL_JT_BOOL, "bool"},
		  {SL_JT_NULL, "null"}, {SL_JT_ARR, "array"},  {SL_JT_OBJ, "object"}};
	char types[96] = "", req[256], opt[256];
	size_t n = 0;

	for (size_t i = 0; i < N(tn); i++)
		if (f->types & tn[i].bit)
			n += (size_t)snprintf(types + n, sizeof(types) - n, "%s%s%s%s",
					      n ? " or " : "", tn[i].name,
					      tn[i].bit == SL_JT_ARR && f->elem[0] ? " of " : "",
					      tn[i].bit == SL_JT_ARR ? f->elem : "");
	objects_text(req, sizeof(req), f->req);
	objects_text(opt, sizeof(opt), f->opt);
	snprintf(out, cap, "\n| `%s` | %s | %s | %s | %s |\n", f->key, types, req, opt, f->meaning);
}

static void test_all_fields_table(void **state)
{
	char *md = tf_read("docs/log-format.md"), *sec = section(md, "## All fields"), row[1024];
	int bad = 0, rows = 0;

	(void)state;
	assert_non_null(sec);
	for (size_t f = 0; f < N(fields); f++) {
		field_row(row, sizeof(row), &fields[f]);
		if (!strstr(sec, row)) {
			print_error("docs/log-format.md, All fields: want the row%s", row);
			bad++;
		}
	}
	for (const char *l = strstr(sec, "\n| `"); l; l = strstr(l + 1, "\n| `"))
		rows++;
	if (rows != (int)N(fields)) {
		print_error("docs/log-format.md, All fields: %d rows for %zu fields\n", rows,
			    N(fields));
		bad++;
	}
	free(sec);
	free(md);
	if (bad)
		fail_msg("docs/log-format.md's All fields table is not preload/logformat.h's");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_and_fields_documented),
		cmocka_unit_test(test_documented_is_written),
		cmocka_unit_test(test_all_fields_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
