/* `sockleak top`: the host's processes holding TCP sockets in CLOSE_WAIT, refreshed every
 * --interval seconds on a terminal (a plain ANSI clear and redraw), or once for scripts. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "live.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sockleak top [options]\n"
		"\n"
		"Every process on the host holding TCP sockets in CLOSE_WAIT (IPv4 and IPv6, with or\n"
		"without the preload): pid, user, command, count and its change since the last\n"
		"refresh, the oldest socket's age (an estimate from tcp_info), top peers and local\n"
		"ports; for processes under the preload, the leak sites from their logs. Sorted by\n"
		"count, then age. Without root, only your own processes can be attributed.\n"
		"\n"
		"options:\n"
		"      --once                   one refresh, then exit (for scripts)\n"
		"  -f, --format FMT             text (default), json or prometheus\n"
		"  -n, --interval SECONDS       between refreshes (default 2; 0.1 .. 3600)\n"
		"      --logs PATH...           sockleak logs (files or directories) to join leak sites\n"
		"                               from; every argument up to the next option\n"
		"      --max-series N           prometheus: series per metric (default 200)\n"
		"      --color WHEN             auto (default), always or never\n"
		"  -h, --help                   this help\n"
		"\n"
		"exit status: 0, or 2 on usage errors or when sock_diag cannot be read\n");
}

/* --logs takes every following argument up to the next one starting with '-'. */
static int take_logs(struct sl_live *l, int argc, char **argv, int *i)
{
	while (*i + 1 < argc && argv[*i + 1][0] != '-') {
		char **v = realloc(l->logs, (size_t)(l->nlogs + 1) * sizeof(*v));
		if (!v)
			return ENOMEM;
		l->logs = v;
		l->logs[l->nlogs++] = argv[++*i];
	}
	return l->nlogs ? 0 : EINVAL;
}

/* Options shared with the exporter: --logs PATH..., --max-series N. Returns 1 when argv[*i]
 * was one of them, 0 when not, -1 on a bad value. */
int sl_live_common_opt(struct sl_live *l, struct sl_live_out *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	char *end;

	if (!strcmp(a, "--logs")) {
		if (take_logs(l, argc, argv, i)) {
			fprintf(stderr, "sockleak: --logs: give at least one file or directory\n");
			return -1;
		}
		return 1;
	}
	if (!strcmp(a, "--max-series")) {
		long v = *i + 1 < argc ? strtol(argv[*i + 1], &end, 10) : 0;
		if (*i + 1 >= argc || *end || v < 1 || v > 100000) {
			fprintf(stderr, "sockleak: --max-series: a number in 1..100000\n");
			return -1;
		}
		o->max_series = l->max_series = (size_t)v;
		++*i;
		return 1;
	}
	return 0;
}

int sl_cmd_top(int argc, char **argv)
{
	struct sl_live l;
	struct sl_live_out o = {0, SL_LIVE_SERIES, -1};
	const char *format = "text", *color = "auto";
	double interval = 2;
	int once = 0, err = 0;

	memset(&l, 0, sizeof(l));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int c = sl_live_common_opt(&l, &o, argc, argv, &i);
		char *end;

		if (c < 0)
			return 2;
		if (c)
			continue;
		if (!strcmp(a, "--once")) {
			once = 1;
		} else if ((!strcmp(a, "-f") || !strcmp(a, "--format")) && v) {
			format = v;
			i++;
		} else if ((!strcmp(a, "-n") || !strcmp(a, "--interval")) && v) {
			interval = strtod(v, &end);
			if (*end || !(interval >= 0.1 && interval <= 3600)) {
				fprintf(stderr,
					"sockleak: top: --interval: '%s' is not 0.1 .. 3600 seconds\n",
					v);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--color") && v) {
			color = v;
			i++;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "sockleak: top: unknown option or missing value: '%s'\n",
				a);
			usage(stderr);
			return 2;
		}
	}
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "prometheus")) {
		fprintf(stderr, "sockleak: top: unknown format '%s' (text, json, prometheus)\n",
			format);
		return 2;
	}
	if (strcmp(color, "auto") && strcmp(color, "always") && strcmp(color, "never")) {
		fprintf(stderr, "sockleak: top: --color: '%s' is not auto, always or never\n",
			color);
		return 2;
	}
	o.color = !strcmp(color, "always") ||
		  (!strcmp(color, "auto") && isatty(1) && !getenv("NO_COLOR"));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop) {
		int tty_redraw = !once && !strcmp(format, "text") && isatty(1);

		if ((err = sl_live_refresh(&l))) {
			fprintf(stderr, "sockleak: top: sock_diag: %s\n", strerror(err));
			break;
		}
		if (tty_redraw)
			fputs("\033[H\033[2J", stdout);
		if (!strcmp(format, "json"))
			err = sl_live_write_json(&l, stdout);
		else if (!strcmp(format, "prometheus"))
			err = sl_live_write_prom(&l, &o, stdout);
		else
			err = sl_live_write_text(&l, &o, stdout);
		if (fflush(stdout) || err) {
			err = err ? err : errno;
			break;
		}
		if (once)
			break;
		struct timespec ts = {(time_t)interval,
				      (long)((interval - (double)(time_t)interval) * 1e9)};
		while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	sl_live_free(&l);
	free(l.logs);
	return err ? 2 : 0;
}
