/* Subcommands of the `sockleak` binary. Each takes the argv after the subcommand name
 * (argv[0] is the subcommand) and returns the process exit status. */
#ifndef SL_CMD_H
#define SL_CMD_H

int sl_cmd_report(int argc, char **argv);
int sl_cmd_top(int argc, char **argv);
int sl_cmd_exporter(int argc, char **argv);
/* `sockleak run` lives in tools/run.c when it is built; weak so the binary links without it. */
extern int sl_cmd_run(int argc, char **argv) __attribute__((weak));

#endif
