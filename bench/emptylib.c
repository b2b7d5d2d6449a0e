/* A preload that does nothing: the control for what any preloaded library costs a process's
 * start-up and its fork children (the loader maps it, a fork copies and tears down one more
 * mapping), apart from what libsockleak.so does (bench/start.sh, bench/fork.sh). */
int sl_bench_empty(void);
int sl_bench_empty(void) { return 0; }
