/* Address formatting and TCP state names (preload/sockets.c, pure parts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <string.h>

#include "../../preload/sockets.h"

static void test_inet4(void **state)
{
	char out[SL_ADDR_MAX];
	struct in_addr a;

	(void)state;
	inet_pton(AF_INET, "127.0.0.1", &a);
	assert_int_equal(sl_fmt_inet(out, sizeof(out), AF_INET, &a, htons(8080)), 14);
	assert_string_equal(out, "127.0.0.1:8080");
	inet_pton(AF_INET, "0.0.0.0", &a);
	sl_fmt_inet(out, sizeof(out), AF_INET, &a, 0);
	assert_string_equal(out, "0.0.0.0:0");
	inet_pton(AF_INET, "255.255.255.255", &a);
	sl_fmt_inet(out, sizeof(out), AF_INET, &a, htons(65535));
	assert_string_equal(out, "255.255.255.255:65535");
}

static void test_inet6(void **state)
{
	char out[SL_ADDR_MAX];
	struct in6_addr a;
	size_t n;

	(void)state;
	inet_pton(AF_INET6, "::1", &a);
	sl_fmt_inet(out, sizeof(out), AF_INET6, &a, htons(8080));
	assert_string_equal(out, "[::1]:8080");
	inet_pton(AF_INET6, "::ffff:10.1.2.3", &a);
	sl_fmt_inet(out, sizeof(out), AF_INET6, &a, htons(443));
	assert_string_equal(out, "[::ffff:10.1.2.3]:443");
	/* The longest text form fits SL_ADDR_MAX. */
	memset(&a, 0xff, sizeof(a));
	n = sl_fmt_inet(out, sizeof(out), AF_INET6, &a, htons(65535));
	assert_string_equal(out, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	assert_int_equal(n, strlen(out));
}

static void test_inet_bad_family_or_small_buffer(void **state)
{
	char out[8];
	struct in_addr a;

	(void)state;
	inet_pton(AF_INET, "127.0.0.1", &a);
	assert_int_equal(sl_fmt_inet(out, sizeof(out), AF_UNIX, &a, 0), 0);
	assert_int_equal(sl_fmt_inet(out, sizeof(out), AF_INET, &a, htons(80)), 0);
	assert_int_equal(sl_fmt_inet(out, 0, AF_INET, &a, htons(80)), 0);
}

static void test_sockaddr(void **state)
{
	char out[SL_ADDR_MAX];
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(80)};
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(81)};
	struct sockaddr un = {.sa_family = AF_UNIX};

	(void)state;
	inet_pton(AF_INET, "10.0.0.1", &in.sin_addr);
	inet_pton(AF_INET6, "fe80::1", &in6.sin6_addr);
	assert_int_equal(sl_fmt_sockaddr(out, sizeof(out), (void *)&in, sizeof(in)), 11);
	assert_string_equal(out, "10.0.0.1:80");
	assert_true(sl_fmt_sockaddr(out, sizeof(out), (void *)&in6, sizeof(in6)) > 0);
	assert_string_equal(out, "[fe80::1]:81");
	/* Short lengths and other families: 0 and an empty string, never a read past len. */
	assert_int_equal(sl_fmt_sockaddr(out, sizeof(out), (void *)&in, sizeof(in) - 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(sl_fmt_sockaddr(out, sizeof(out), (void *)&in6, sizeof(in) + 1), 0);
	assert_int_equal(sl_fmt_sockaddr(out, sizeof(out), &un, sizeof(un)), 0);
	assert_string_equal(out, "");
}

static void test_tcp_state_names(void **state)
{
	(void)state;
	assert_string_equal(sl_tcp_state_name(TCP_ESTABLISHED), "ESTABLISHED");
	assert_string_equal(sl_tcp_state_name(TCP_SYN_SENT), "SYN_SENT");
	assert_string_equal(sl_tcp_state_name(TCP_SYN_RECV), "SYN_RECV");
	assert_string_equal(sl_tcp_state_name(TCP_FIN_WAIT1), "FIN_WAIT1");
	assert_string_equal(sl_tcp_state_name(TCP_FIN_WAIT2), "FIN_WAIT2");
	assert_string_equal(sl_tcp_state_name(TCP_TIME_WAIT), "TIME_WAIT");
	assert_string_equal(sl_tcp_state_name(TCP_CLOSE), "CLOSE");
	assert_string_equal(sl_tcp_state_name(TCP_CLOSE_WAIT), "CLOSE_WAIT");
	assert_string_equal(sl_tcp_state_name(TCP_LAST_ACK), "LAST_ACK");
	assert_string_equal(sl_tcp_state_name(TCP_LISTEN), "LISTEN");
	assert_string_equal(sl_tcp_state_name(TCP_CLOSING), "CLOSING");
}

static void test_tcp_state_name_bounds(void **state)
{
	(void)state;
	assert_string_equal(sl_tcp_state_name(0), "UNKNOWN");
	assert_string_equal(sl_tcp_state_name(-1), "UNKNOWN");
	assert_string_equal(sl_tcp_state_name(12), "UNKNOWN"); /* TCP_NEW_SYN_RECV */
	assert_string_equal(sl_tcp_state_name(255), "UNKNOWN");
	assert_string_equal(sl_tcp_state_name(INT32_MIN), "UNKNOWN");
	assert_string_equal(sl_tcp_state_name(INT32_MAX), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inet4),
		cmocka_unit_test(test_inet6),
		cmocka_unit_test(test_inet_bad_family_or_small_buffer),
		cmocka_unit_test(test_sockaddr),
		cmocka_unit_test(test_tcp_state_names),
		cmocka_unit_test(test_tcp_state_name_bounds),
	};

	return cmocka_run_group_tests_name("sockets", tests, NULL, NULL);
}
