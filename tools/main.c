/* sockleak: the command-line front end. Dispatches to subcommands. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sockleak COMMAND [options] ...\n"
		"\n"
		"commands:\n"
		"  run [options] -- PROGRAM [ARGS...]   run a program under libsockleak.so (CI runner)\n"
		"  report [options] LOG...              analyse sockleak logs offline\n"
		"  top [options]                        live view of CLOSE_WAIT on this host\n"
		"  exporter [options]                   Prometheus metrics on /metrics\n"
		"\n"
		"  sockleak COMMAND --help              options of a command\n"
		"  sockleak --version\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("sockleak %s\n", SL_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "report"))
		return sl_cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "top"))
		return sl_cmd_top(argc - 1, argv + 1);
	if (!strcmp(cmd, "exporter"))
		return sl_cmd_exporter(argc - 1, argv + 1);
	if (!strcmp(cmd, "run")) {
		if (!sl_cmd_run) {
			fprintf(stderr, "sockleak: run: not built\n");
			return 2;
		}
		return sl_cmd_run(argc - 1, argv + 1);
	}
	fprintf(stderr, "sockleak: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
