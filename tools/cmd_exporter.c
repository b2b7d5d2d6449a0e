/* `sockleak exporter`: the live view and the logs' counts as Prometheus metrics on /metrics,
 * served by libmicrohttpd (one internal thread: scrapes are taken one at a time, so two
 * Prometheus servers scraping at once never run two /proc walks together). Loopback unless
 * told otherwise: the metrics name the host's processes. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cmd.h"
#include "live.h"

#define SL_EXPORTER_DEFAULT "127.0.0.1:9742"

struct exporter {
	struct sl_live live;
	struct sl_live_out out;
	unsigned long scrapes;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sockleak exporter [options]\n"
		"\n"
		"Serve Prometheus metrics on http://ADDR:PORT/metrics: CLOSE_WAIT sockets per process\n"
		"and the oldest one's age (as `sockleak top` sees them, taken at each scrape), and the\n"
		"leaks, enforcements and bad lines of the logs given with --logs.\n"
		"\n"
		"options:\n"
		"  -l, --listen ADDR:PORT       where to listen (default " SL_EXPORTER_DEFAULT
		"; [::1]:PORT\n"
		"                               for IPv6; port 0 picks a free one, printed on stderr)\n"
		"      --logs PATH...           sockleak logs (files or directories), read at each scrape\n"
		"      --max-series N           series per metric before the rest is summed into\n"
		"                               pid=\"other\" / site=\"other\" (default 200)\n"
		"  -h, --help                   this help\n");
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, char *body, size_t len,
			     const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text_reply(struct MHD_Connection *c, unsigned status, const char *msg)
{
	char *b = strdup(msg);
	return b ? reply(c, status, b, strlen(b), "text/plain; charset=utf-8") : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **state)
{
	struct exporter *e = cls;
	char *body = NULL;
	size_t len = 0;
	FILE *m;
	double t0;
	int err;

	(void)version;
	(void)data;
	(void)data_size;
	(void)state;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return text_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics\n");
	if (!strcmp(url, "/"))
		return text_reply(c, MHD_HTTP_OK, "sockleak exporter: metrics on /metrics\n");
	if (strcmp(url, "/metrics"))
		return text_reply(c, MHD_HTTP_NOT_FOUND, "not found: metrics are on /metrics\n");
	t0 = now_s();
	if ((err = sl_live_refresh(&e->live))) {
		char msg[128];
		snprintf(msg, sizeof(msg), "sockleak: sock_diag: %s\n", strerror(err));
		return text_reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, msg);
	}
	if (!(m = open_memstream(&body, &len)))
		return MHD_NO;
	e->out.scrape_s = now_s() - t0;
	err = sl_live_write_prom(&e->live, &e->out, m);
	if (fclose(m) || err) {
		free(body);
		return text_reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "sockleak: out of memory\n");
	}
	e->scrapes++;
	return reply(c, MHD_HTTP_OK, body, len, "text/plain; version=0.0.4; charset=utf-8");
}

/* "127.0.0.1:9742" or "[::1]:9742". */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	const char *colon = strrchr(s, ':');
	char host[64], *end;
	long port;
	size_t hn;

	if (!colon)
		return -1;
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0 || port > 65535)
		return -1;
	hn = (size_t)(colon - s);
	if (hn >= sizeof(host))
		return -1;
	memcpy(host, s, hn);
	host[hn] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (hn > 2 && host[0] == '[' && host[hn - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		host[hn - 1] = '\0';
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
		return inet_pton(AF_INET6, host + 1, &a->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	*len = sizeof(*a);
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

int sl_cmd_exporter(int argc, char **argv)
{
	static struct exporter e;
	const char *listen_at = SL_EXPORTER_DEFAULT;
	struct sockaddr_storage ss, bound;
	socklen_t slen = 0, blen = sizeof(bound);
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	char host[INET6_ADDRSTRLEN];
	sigset_t set;
	int sig, flags;

	e.out.max_series = SL_LIVE_SERIES;
	for (int i = 1; i < argc; i++) {
		int c = sl_live_common_opt(&e.live, &e.out, argc, argv, &i);

		if (c < 0)
			return 2;
		if (c)
			continue;
		if ((!strcmp(argv[i], "-l") || !strcmp(argv[i], "--listen")) && i + 1 < argc) {
			listen_at = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr,
				"sockleak: exporter: unknown option or missing value: '%s'\n",
				argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (parse_listen(listen_at, &ss, &slen)) {
		fprintf(stderr, "sockleak: exporter: --listen: '%s' is not ADDR:PORT\n", listen_at);
		return 2;
	}
	/* SIGINT/SIGTERM are taken by sigwait in this thread, never by libmicrohttpd's. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
		(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	d = MHD_start_daemon((unsigned)flags, 0, NULL, NULL, on_request, &e, MHD_OPTION_SOCK_ADDR,
			     (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, 16u,
			     MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "sockleak: exporter: cannot listen on %s\n", listen_at);
		return 2;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
	if (!info || getsockname(info->listen_fd, (struct sockaddr *)&bound, &blen)) {
		fprintf(stderr, "sockleak: exporter: cannot read the listening address\n");
		MHD_stop_daemon(d);
		return 2;
	}
	if (bound.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&bound;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		fprintf(stderr, "sockleak: exporter: listening on http://[%s]:%u/metrics\n", host,
			ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&bound;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		fprintf(stderr, "sockleak: exporter: listening on http://%s:%u/metrics\n", host,
			ntohs(a->sin_port));
	}
	while (sigwait(&set, &sig))
		;
	MHD_stop_daemon(d);
	sl_live_free(&e.live);
	free(e.live.logs);
	return 0;
}
