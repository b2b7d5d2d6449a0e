# Benchmarks of libsockleak.so: every comparison runs native and preloaded in the same run and
# reports ratios; the targets are checked on deterministic counts (callgrind instructions,
# strace syscalls). Results: $(B)/bench/results/*.md, env.md saying when, at which commit and
# build; docs/performance.md quotes one whole run. Not part of `make check`; about 10 minutes
# on a 2-core machine.

BENCH_PROGS := $(B)/bench/micro $(B)/bench/httpc $(B)/bench/scale $(B)/bench/sizes \
               $(B)/bench/idlethread.so $(B)/bench/fixedseed.so $(B)/bench/spawn \
               $(B)/bench/forks $(B)/bench/forks_net $(B)/bench/emptylib.so $(B)/bench/safelog \
               $(B)/bench/unwindlib.so $(B)/bench/gccunwindlib.so
BENCH_ENV   := B=$(B)

.PHONY: bench-preload bench-progs

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

# A preload that does nothing: what any preloaded library costs start-up and fork children.
$(B)/bench/emptylib.so: bench/emptylib.c $(B)/.deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ $< $(LDFLAGS)

# Preloads that take one stack in their constructor, as sockleak's does in a network program:
# with libunwind loaded the way sockleak loads it, and with libgcc's unwinder linked in
# (bench/unwindlib.c): what an unwinder alone costs a fork child.
$(B)/bench/unwindlib.so: bench/unwindlib.c $(B)/.deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ $< $(LDFLAGS) -ldl

$(B)/bench/gccunwindlib.so: bench/unwindlib.c $(B)/.deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DSL_BENCH_LIBGCC -fPIC -shared -static-libgcc -o $@ $< $(LDFLAGS)

# The same fork loop in a network program that holds a socket (bench/forks is socket-less).
$(B)/bench/forks_net: bench/forks.c $(B)/.deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DFORKS_NET -o $@ $< $(LDFLAGS)

# Makes redis's dict hash seed fixed, so its command lookups cost the same in every run.
$(B)/bench/fixedseed.so: bench/fixedseed.c $(B)/.deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ $< $(LDFLAGS) -ldl

# The Python hook's directory next to the library: without it python=1 loads no hook, and
# bench-python measured nothing (a clean build had only libsockleak.so).
bench-progs: $(B)/libsockleak.so $(B)/sockleak-python/sitecustomize.py $(B)/.deps-bench \
	     $(BENCH_PROGS)
	@mkdir -p $(B)/bench/results
	@{ echo "measured $$(date -u '+%F %H:%M:%S UTC') on $$(nproc) CPUs, $$(uname -r)," \
	   "git $$(git describe --always --dirty 2>/dev/null || echo '?')," \
	   "libsockleak.so sha256 $$(sha256sum $(B)/libsockleak.so | cut -c1-16)," \
	   "load average $$(cut -d' ' -f1-3 /proc/loadavg)"; } \
	   >$(B)/bench/results/env.md

# The groups of make bench, in the order it runs them; bench-NAME runs bench/NAME.sh alone.
#   wrapper  the wrapper's own cost a call (bench/micro.c)
#   nginx    nginx keep-alive and one connection per request, syscalls, wrk, leak records
#   redis    redis SET and GET
#   scale    bytes per tracked socket, scan time, latency while scanning
#   top      sockleak top's refresh on a host with ~100k TCP sockets (issue 14)
#   start    start-up of a short-lived process (/bin/true) and of a network program (nginx -v)
#   fork     fork children that touch no socket: a socket-less program, socket-holding ones
#   python   the Python hook: start-up, a whole connection, one audit event (bench/python_*.py)
#   perl     Perl: a whole connection (bench/perl_conn.pl)
#   node     node's handler stacks: a whole connection (bench/node_conn.js)
#   safelog  the safe log: what a record costs, the rotation, credential and size-limit checks
BENCH_GROUPS := wrapper nginx redis scale top start fork python perl node safelog
.PHONY: $(BENCH_GROUPS:%=bench-%)

$(BENCH_GROUPS:%=bench-%): bench-%: bench-progs
	$(BENCH_ENV) bench/$*.sh
# top.sh's programs: without them it waited for a server that was never built.
bench-top: $(B)/sockleak $(B)/tests/ops/op_server

# One after the other even under -j: they measure each other's machine otherwise. A group that
# fails (a target missed, a server that would not start) does not stop the others: the run is
# still one run, and its end is still written; the failed groups are named at the end and in
# env.md, and make fails.
BENCH_RUN = failed=; for g in $(BENCH_GROUPS); do echo "make bench: $$g"; \
		$(BENCH_ENV) bench/$$g.sh || failed="$$failed $$g"; done; \
	{ $(B)/bench/sizes 19900; $(B)/bench/sizes 100000; } | tee $(B)/bench/results/sizes.md || \
		failed="$$failed sizes"
BENCH_VERDICT = if [ -n "$$failed" ]; then echo "failed:$$failed" >>$(B)/bench/results/env.md; \
		echo "make bench: FAILED:$$failed (the other groups ran; see $(B)/bench/results)" >&2; \
		exit 1; fi; echo "make bench: results in $(B)/bench/results/*.md; see docs/performance.md"
BENCH_DEPS = bench-progs $(B)/sockleak $(B)/tests/ops/op_server $(B)/tests/report/leaky_server

bench-preload: $(BENCH_DEPS)
	@$(BENCH_RUN); $(BENCH_VERDICT)

# The whole run, bench-report last; its end beside its start in env.md: every figure of
# docs/performance.md is from one run.
bench: $(BENCH_DEPS)
	@$(BENCH_RUN); \
	echo "make bench: report"; { $(BENCH_REPORT_RUN); } || failed="$$failed report"; \
	echo "finished $$(date -u '+%F %H:%M:%S UTC'), load average $$(cut -d' ' -f1-3 /proc/loadavg)" \
		>>$(B)/bench/results/env.md; \
	$(BENCH_VERDICT)
