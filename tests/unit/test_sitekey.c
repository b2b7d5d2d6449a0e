/* The site key (preload/sitekey.c), the one definition of a leak site shared by the library's
 * exit summary and the tools (issue 12: the same run said "3 sites" in one place and "2 sites"
 * in the other): which frame names a site, what a site's identity is, and that equal content
 * is an equal key wherever its strings live. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../preload/sitekey.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define PROG "/srv/bin/server"

/* A native frame of PROG (or another module) at an offset. */
static struct sl_site_frame native(const char *module, uint64_t offset)
{
	struct sl_site_frame f = {.module = module, .offset = offset};
	return f;
}

static struct sl_site_frame at_line(const char *module, uint64_t offset, const char *func,
				    const char *file, int line)
{
	struct sl_site_frame f = {
		.module = module, .offset = offset, .func = func, .file = file, .line = line};
	return f;
}

static struct sl_site_frame python(const char *file, int line, const char *func)
{
	struct sl_site_frame f = {.lang = "python", .file = file, .line = line, .func = func};
	return f;
}

static struct sl_site_key key(unsigned kind, const struct sl_site_frame *o, unsigned no,
			      const struct sl_site_frame *e, unsigned ne)
{
	struct sl_site_leak l = {
		.kind = kind, .open = {o, no}, .eof = {e, ne}, .exe = PROG, .role = "accepted"};
	struct sl_site_key k;

	sl_site_key(&l, &k);
	return k;
}

static void fmt(const struct sl_site_key *k, char *buf, size_t cap)
{
	sl_site_key_format(k, buf, cap);
}

/* The case: one helper's connect() from two callers is one open frame; the EOF read
 * decides. Whole stacks differ, sites do not. */
static void test_same_open_frame_other_callers_one_site(void **state)
{
	struct sl_site_frame o1[] = {native(LIBC, 0x100), native(PROG, 0x1398),
				     native(PROG, 0x1576)};
	struct sl_site_frame o2[] = {native(LIBC, 0x100), native(PROG, 0x1398),
				     native(PROG, 0x1590)};
	struct sl_site_frame ea1[] = {native(PROG, 0x152b), native(PROG, 0x157d)};
	struct sl_site_frame ea2[] = {native(PROG, 0x152b), native(PROG, 0x1597)};
	struct sl_site_frame eb[] = {native(PROG, 0x1557), native(PROG, 0x15b9)};
	struct sl_site_key k1 = key(SL_SITE_K_EOF, o1, 3, ea1, 2);
	struct sl_site_key k2 = key(SL_SITE_K_EOF, o2, 3, ea2, 2);
	struct sl_site_key k3 = key(SL_SITE_K_EOF, o1, 3, eb, 2);
	char buf[256];

	(void)state;
	assert_true(sl_site_key_eq(&k1, &k2));
	assert_int_equal(sl_site_key_hash(&k1), sl_site_key_hash(&k2));
	assert_false(sl_site_key_eq(&k1, &k3));
	fmt(&k1, buf, sizeof(buf));
	assert_string_equal(buf, "eof_unclosed|" PROG "+0x1398|" PROG "+0x152b");
}

/* The EOF frame only tells eof_unclosed sites apart: CLOSE_WAIT has no EOF read. */
static void test_eof_frame_only_for_eof_unclosed(void **state)
{
	struct sl_site_frame o[] = {native(PROG, 0x10)};
	struct sl_site_frame e1[] = {native(PROG, 0x20)}, e2[] = {native(PROG, 0x30)};
	struct sl_site_key a = key(SL_SITE_K_CW, o, 1, e1, 1), b = key(SL_SITE_K_CW, o, 1, e2, 1);
	struct sl_site_key c = key(SL_SITE_K_EOF, o, 1, e1, 1);

	(void)state;
	assert_true(sl_site_key_eq(&a, &b));
	assert_false(sl_site_key_eq(&a, &c));
}

/* exit_open is grouped with its cause: after an EOF it is eof_unclosed, after CLOSE_WAIT
 * close_wait; so a socket reported while the program ran and one found at exit are one site. */
static void test_exit_open_grouped_with_its_cause(void **state)
{
	struct sl_site_frame o[] = {native(PROG, 0x10)}, e[] = {native(PROG, 0x20)};
	struct sl_site_leak l = {
		.kind = SL_SITE_K_EXIT, .after_eof = 1, .open = {o, 1}, .eof = {e, 1}};
	struct sl_site_key at_exit, running = key(SL_SITE_K_EOF, o, 1, e, 1);

	(void)state;
	sl_site_key(&l, &at_exit);
	assert_true(sl_site_key_eq(&at_exit, &running));
	assert_int_equal(sl_site_family(SL_SITE_K_EXIT, 0, 1), SL_SITE_K_CW);
	assert_int_equal(sl_site_family(SL_SITE_K_EXIT, 0, 0), SL_SITE_K_EXIT);
	assert_int_equal(sl_site_family(SL_SITE_K_IDLE, 1, 1), SL_SITE_K_IDLE);
}

/* With debug info a frame is its function, file and line: two return addresses on one line
 * are one site; in the format, "func@file:line". */
static void test_file_line_identity(void **state)
{
	struct sl_site_frame o1[] = {at_line(PROG, 0x10, "serve", "srv.c", 42)};
	struct sl_site_frame o2[] = {at_line(PROG, 0x18, "serve", "srv.c", 42)};
	struct sl_site_frame o3[] = {at_line(PROG, 0x10, "serve", "srv.c", 43)};
	struct sl_site_key a = key(SL_SITE_K_CW, o1, 1, NULL, 0);
	struct sl_site_key b = key(SL_SITE_K_CW, o2, 1, NULL, 0);
	struct sl_site_key c = key(SL_SITE_K_CW, o3, 1, NULL, 0);
	char buf[256];

	(void)state;
	assert_true(sl_site_key_eq(&a, &b));
	assert_false(sl_site_key_eq(&a, &c));
	fmt(&a, buf, sizeof(buf));
	assert_string_equal(buf, "close_wait|serve@srv.c:42|-");
}

/* Content, not addresses: the library's strings are copies per stack, the tools' interned. */
static void test_equal_content_equal_key(void **state)
{
	char m1[] = PROG, m2[] = PROG;
	struct sl_site_frame o1[] = {native(m1, 0x10)}, o2[] = {native(m2, 0x10)};
	struct sl_site_key a = key(SL_SITE_K_CW, o1, 1, NULL, 0);
	struct sl_site_key b = key(SL_SITE_K_CW, o2, 1, NULL, 0);

	(void)state;
	assert_ptr_not_equal(a.open.a, b.open.a);
	assert_true(sl_site_key_eq(&a, &b));
	assert_int_equal(sl_site_key_hash(&a), sl_site_key_hash(&b));
	assert_int_equal(sl_site_key_cmp(&a, &b), 0);
}

/* libc, the loader, sockleak and sanitizers are never a site; an interpreter's runtime is one
 * only when nothing of the program's is on the stack, and then one site per runtime. */
static void test_runtime_frames_skipped(void **state)
{
	struct sl_site_frame py1[] = {python("/usr/lib/python3.11/socket.py", 233, "accept"),
				      python("/srv/app.py", 10, "serve"),
				      native("/usr/bin/python3.11", 0x500)};
	struct sl_site_frame rt1[] = {native(LIBC, 0x10), native("/usr/bin/perl", 0x20)};
	struct sl_site_frame rt2[] = {native(LIBC, 0x10), native("/usr/bin/perl", 0x99),
				      native("/usr/lib/libperl.so.5.36", 0x7)};
	struct sl_site_key p = key(SL_SITE_K_CW, py1, 3, NULL, 0);
	struct sl_site_key r1 = key(SL_SITE_K_CW, rt1, 2, NULL, 0);
	struct sl_site_key r2 = key(SL_SITE_K_CW, rt2, 3, NULL, 0);
	char buf[256];

	(void)state;
	fmt(&p, buf, sizeof(buf));
	assert_string_equal(buf, "close_wait|serve@/srv/app.py:10|-");
	assert_true(sl_site_key_eq(&r1, &r2));
	fmt(&r1, buf, sizeof(buf));
	assert_string_equal(buf, "close_wait|runtime:perl|-");
	assert_int_equal(sl_site_frame_class(&rt1[0]),
			 SL_SITE_FR_KNOWN | SL_SITE_FR_SYSTEM | SL_SITE_FR_RUNTIME);
	assert_int_equal(sl_site_frame_class(&py1[1]), SL_SITE_FR_KNOWN);
	/* a program named after an interpreter's prefix is still the program */
	struct sl_site_frame np = native("/srv/node_proxy", 1);
	assert_int_equal(sl_site_frame_class(&np), SL_SITE_FR_KNOWN);
}

/* A remembered class is used as given (the tools cache theirs). */
static void test_known_class_is_trusted(void **state)
{
	uint8_t cls[] = {SL_SITE_FR_KNOWN | SL_SITE_FR_SYSTEM | SL_SITE_FR_RUNTIME,
			 SL_SITE_FR_KNOWN | SL_SITE_FR_RUNTIME, SL_SITE_FR_KNOWN};
	uint8_t all[] = {SL_SITE_FR_KNOWN | SL_SITE_FR_SYSTEM | SL_SITE_FR_RUNTIME,
			 SL_SITE_FR_KNOWN | SL_SITE_FR_RUNTIME};
	int rt;

	(void)state;
	assert_int_equal(sl_site_pick(cls, 3, &rt), 2);
	assert_int_equal(rt, 0);
	assert_int_equal(sl_site_pick(all, 2, &rt), 1);
	assert_int_equal(rt, 1);
	assert_int_equal(sl_site_pick(all, 1, &rt), 0); /* all system: the first */
}

/* A runtime-opened socket (node: libuv's accept) handled by the program's code: the handler's
 * frame is the site; a JIT frame is named by its perf map name. */
static void test_handler_names_runtime_site(void **state)
{
	struct sl_site_frame o[] = {native(LIBC, 0x10), native("/usr/lib/libuv.so.1", 0x20)};
	struct sl_site_frame h1[] = {{.jit = "JS:*onData /srv/app.js:10:3", .offset = 0x7f00}};
	struct sl_site_frame h2[] = {{.jit = "JS:*onEnd /srv/app.js:20:3", .offset = 0x7f80}};
	struct sl_site_leak l = {.kind = SL_SITE_K_CW, .open = {o, 2}, .handler = {h1, 1}};
	struct sl_site_key a, b;
	char buf[256];

	(void)state;
	sl_site_key(&l, &a);
	l.handler.f = h2;
	sl_site_key(&l, &b);
	assert_false(sl_site_key_eq(&a, &b));
	fmt(&a, buf, sizeof(buf));
	assert_string_equal(buf, "close_wait|JS:*onData /srv/app.js:10:3@jit|-");
}

/* Without an open stack (inherited over fork or exec): the process's executable and role. */
static void test_no_open_stack(void **state)
{
	struct sl_site_key k = key(SL_SITE_K_CW, NULL, 0, NULL, 0);
	char buf[256];

	(void)state;
	fmt(&k, buf, sizeof(buf));
	assert_string_equal(buf, "close_wait|no-open-stack:" PROG ":accepted|-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_open_frame_other_callers_one_site),
		cmocka_unit_test(test_eof_frame_only_for_eof_unclosed),
		cmocka_unit_test(test_exit_open_grouped_with_its_cause),
		cmocka_unit_test(test_file_line_identity),
		cmocka_unit_test(test_equal_content_equal_key),
		cmocka_unit_test(test_runtime_frames_skipped),
		cmocka_unit_test(test_known_class_is_trusted),
		cmocka_unit_test(test_handler_names_runtime_site),
		cmocka_unit_test(test_no_open_stack),
	};

	return cmocka_run_group_tests_name("sitekey", tests, NULL, NULL);
}
