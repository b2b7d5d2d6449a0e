/* `sockleak report`: offline analysis of sockleak logs. Options, inputs, one writer. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "cmd.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sockleak report [options] LOG...\n"
		"\n"
		"Analyse sockleak logs (files, directories, globs, or - for stdin) from any number of\n"
		"processes and hosts: leak sites ranked by leaked sockets, with symbolised stacks, and\n"
		"the story of every shared socket across processes.\n"
		"\n"
		"options:\n"
		"  -f, --format FMT             text (default), json, sarif or html\n"
		"  -o, --output FILE            write the report to FILE instead of stdout\n"
		"      --strip-path-prefix P    remove P from the front of source paths\n"
		"      --suppressions FILE      leak:PATTERN lines; matching leaks are not reported\n"
		"      --exitcode N             exit with N when leaks remain (default 0: report only)\n"
		"      --fail-on-late           with --exitcode, count sockets the program closed late\n"
		"                               (reported, then closed) too, as run's fail_on_late=1\n"
		"      --color WHEN             auto (default: on a terminal), always or never\n"
		"      --stories N              stories of shared sockets to include (default 20)\n"
		"      --max-bad-lines N        bad input lines named on stderr (default 20)\n"
		"      --max-sites N            sites itemised (default 1000000); the rest are counted\n"
		"      --no-symbolise           open no module or debug file the logs name (for logs\n"
		"                               from untrusted hosts): recorded symbols only\n"
		"  -h, --help                   this help\n"
		"  -V, --version                print the version\n"
		"\n"
		"Only regular files are read: a FIFO, a device or (in a directory or a glob) a\n"
		"symbolic link is named on stderr and skipped.\n"
		"\n"
		"exit status: N from --exitcode when leaks remain (not counting sockets closed late,\n"
		"unless --fail-on-late); 2 on usage errors, when an input\n"
		"could not be read or was skipped, or when the report could not be written whole;\n"
		"else 0\n");
}

static int num(const char *opt, const char *s, long lo, long hi, long *out)
{
	char *e;
	errno = 0;
	long v = strtol(s, &e, 10);
	if (errno || e == s || *e || v < lo || v > hi) {
		fprintf(stderr, "sockleak: report: %s: '%s' is not a number in %ld..%ld\n", opt, s,
			lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int sl_cmd_report(int argc, char **argv)
{
	enum {
		O_STRIP = 256,
		O_SUPP,
		O_EXIT,
		O_LATE,
		O_COLOR,
		O_STORIES,
		O_BAD,
		O_MAXSITES,
		O_NOSYM
	};
	static const struct option lo[] = {
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"strip-path-prefix", required_argument, NULL, O_STRIP},
		{"suppressions", required_argument, NULL, O_SUPP},
		{"exitcode", required_argument, NULL, O_EXIT},
		{"fail-on-late", no_argument, NULL, O_LATE},
		{"color", required_argument, NULL, O_COLOR},
		{"colour", required_argument, NULL, O_COLOR},
		{"stories", required_argument, NULL, O_STORIES},
		{"max-bad-lines", required_argument, NULL, O_BAD},
		{"max-sites", required_argument, NULL, O_MAXSITES},
		{"no-symbolise", no_argument, NULL, O_NOSYM},
		{"no-symbolize", no_argument, NULL, O_NOSYM},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct sl_analysis_opts o = {NULL, NULL, 0, 20, 0, 0, 0};
	const char *format = "text", *output = NULL, *color = "auto";
	long exitcode = 0, stories = 20, v;
	int c, fail_on_late = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:o:hV", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case O_STRIP:
			o.strip_prefix = optarg;
			break;
		case O_SUPP:
			o.suppressions = optarg;
			break;
		case O_EXIT:
			if (num("--exitcode", optarg, 0, 255, &exitcode))
				return 2;
			break;
		case O_LATE:
			fail_on_late = o.fail_on_late = 1;
			break;
		case O_COLOR:
			color = optarg;
			break;
		case O_STORIES:
			if (num("--stories", optarg, 0, 1000000, &stories))
				return 2;
			break;
		case O_BAD:
			if (num("--max-bad-lines", optarg, 1, 1000000, &v))
				return 2;
			o.max_bad_lines = (int)v;
			break;
		case O_MAXSITES:
			if (num("--max-sites", optarg, 1, 1000000000, &v))
				return 2;
			o.max_sites = (size_t)v;
			break;
		case O_NOSYM:
			o.no_symbolise = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sockleak report %s\n", SL_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "sarif") &&
	    strcmp(format, "html")) {
		fprintf(stderr, "sockleak: report: unknown format '%s' (text, json, sarif, html)\n",
			format);
		return 2;
	}
	if (strcmp(color, "auto") && strcmp(color, "always") && strcmp(color, "never")) {
		fprintf(stderr, "sockleak: report: --color: '%s' is not auto, always or never\n",
			color);
		return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "sockleak: report: no log given (use - for stdin)\n");
		usage(stderr);
		return 2;
	}
	FILE *out = stdout;
	if (output && !(out = fopen(output, "we"))) {
		fprintf(stderr, "sockleak: report: %s: %s\n", output, strerror(errno));
		return 2;
	}
	if (!strcmp(color, "always"))
		o.color = 1;
	else if (!strcmp(color, "auto"))
		o.color = isatty(fileno(out)) && !getenv("NO_COLOR") &&
			  !(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));

	/* A report of a million sites is gigabytes: written in 64 KiB blocks, a sixteenth of the
	 * system calls of stdio's 4 KiB (larger blocks measured no better on ext4: the time is the
	 * kernel's copy into the page cache); a terminal keeps its lines */
	static char outbuf[1 << 16];
	if (!isatty(fileno(out)))
		setvbuf(out, outbuf, _IOFBF, sizeof outbuf);

	struct sl_analysis *a = sl_analysis_new(&o);
	int input_err = 0, r;
	if (!a) {
		fprintf(stderr, "sockleak: report: out of memory\n");
		return 2;
	}
	sl_analysis_set_max_stories(a, (size_t)stories);
	for (int i = optind; i < argc; i++)
		if (sl_analysis_add_path(a, argv[i]))
			input_err = 1;
	if ((r = sl_analysis_finish(a))) {
		sl_analysis_free(a);
		return 2;
	}
	if (!strcmp(format, "text"))
		r = sl_analysis_write_text(a, out, (size_t)stories);
	else if (!strcmp(format, "json"))
		r = sl_analysis_write_json(a, out);
	else if (!strcmp(format, "sarif"))
		r = sl_analysis_write_sarif(a, out);
	else
		r = sl_analysis_write_html(a, out);
	if (fflush(out) || (out != stdout && fclose(out)))
		r = r ? r : errno;
	if (r)
		fprintf(stderr, "sockleak: report: writing %s: %s\n", output ? output : "stdout",
			strerror(r));
	size_t leaked = sl_analysis_failing(a, fail_on_late); /* as `sockleak run` decides */
	int oom = sl_analysis_out_of_memory(a);
	sl_analysis_free(a);
	if (leaked && exitcode)
		return (int)exitcode;
	return r || input_err || oom ? 2 : 0;
}
