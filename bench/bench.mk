# Benchmarks of libsockleak.so: every comparison runs native and preloaded in the same run and
# reports ratios; the targets are checked on deterministic counts (callgrind instructions,
# strace syscalls). Results: $(B)/bench/results/*.md (and docs/performance.md, by hand).
# Not part of `make check`; about 10 minutes on a 2-core machine.

BENCH_PROGS := $(B)/bench/micro $(B)/bench/httpc $(B)/bench/scale $(B)/bench/sizes \
               $(B)/bench/idlethread.so $(B)/bench/fixedseed.so
BENCH_ENV   := B=$(B)

.PHONY: bench-preload bench-wrapper bench-nginx bench-redis bench-scale bench-top bench-progs

# valgrind, strace, nginx-light, curl, wrk, redis-server, redis-tools: installed when missing.
$(B)/.deps-bench: scripts/deps.sh
	@./scripts/deps.sh build bench
	@mkdir -p $(@D) && touch $@

$(B)/bench/%: bench/%.c $(B)/.deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ipreload -o $@ $< $(LDFLAGS)

# A preload that only starts an idle thread: the control for "what multi-threading costs".
$(B)/bench/idlethread.so: bench/idlethread.c $(B)/.deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -pthread -o $@ $< $(LDFLAGS)

# Makes redis's dict hash seed fixed, so its command lookups cost the same in every run.
$(B)/bench/fixedseed.so: bench/fixedseed.c $(B)/.deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ $< $(LDFLAGS) -ldl

bench-progs: $(B)/libsockleak.so $(B)/.deps-bench $(BENCH_PROGS)
	@mkdir -p $(B)/bench/results
	@{ echo "measured $$(date -u '+%F %H:%M UTC') on $$(nproc) CPUs, $$(uname -r)," \
	   "git $$(git describe --always --dirty 2>/dev/null || echo '?')," \
	   "libsockleak.so sha256 $$(sha256sum $(B)/libsockleak.so | cut -c1-16)"; } \
	   >$(B)/bench/results/env.md

bench-wrapper: bench-progs
	$(BENCH_ENV) bench/wrapper.sh
bench-nginx: bench-progs
	$(BENCH_ENV) bench/nginx.sh
bench-redis: bench-progs
	$(BENCH_ENV) bench/redis.sh
bench-scale: bench-progs
	$(BENCH_ENV) bench/scale.sh
# sockleak top's refresh on a host with ~100k TCP sockets (issue 14).
bench-top: bench-progs $(B)/sockleak $(B)/tests/ops/op_server
	$(BENCH_ENV) bench/top.sh

# One after the other even under -j: they measure each other's machine otherwise. top.sh's
# programs too: without them it waited for a server that was never built.
bench-preload: bench-progs $(B)/sockleak $(B)/tests/ops/op_server
	$(BENCH_ENV) bench/wrapper.sh
	$(BENCH_ENV) bench/nginx.sh
	$(BENCH_ENV) bench/redis.sh
	$(BENCH_ENV) bench/scale.sh
	$(BENCH_ENV) bench/top.sh
	@$(B)/bench/sizes 100000
	@echo "make bench: results in $(B)/bench/results/*.md; see docs/performance.md"

bench: bench-preload
HELP_LINES += '  make bench-wrapper|bench-nginx|bench-redis|bench-scale|bench-top   one group of make bench'
