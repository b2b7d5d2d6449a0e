# check-sanitizers: the suite once more with the library and the tests built under ASan+UBSan
# (unit, scenarios, stress, enforce) and under TSan (unit, scenarios, stress: the
# threaded tests), in build/asan and build/tsan with that build's SANFLAGS (the same objects
# `make asan` and `make tsan` use). Part of a plain `make check` only: inside `make
# asan|ubsan|tsan` the whole suite already runs sanitized.
#
# Runtime options, and why:
# - ASAN_OPTIONS=detect_leaks=0: LeakSanitizer checks the host program's heap at exit, which is
#   not what these tests are about (the preload allocates from mmap, never malloc), and its
#   stop-the-world tracer crashes at the exit of some multithreaded preloaded test programs.
# - TSAN_OPTIONS=atexit_sleep_ms=0: TSan sleeps a second at every exit, which turns the
#   brief-CLOSE_WAIT scenario into a real leak; die_after_fork=0: the preload starts a
#   watchdog thread in fork children that hold sockets, which TSan otherwise refuses.
#   TSan is not run on sharing/enforce, nor on the stress cases that fork: TSan's own
#   descriptors and fork handling change what those tests measure.
# - Neither runs the sharing group: GCC 12's sanitizer allocators are not locked across fork,
#   so a fork child whose parent had another thread inside malloc at that instant deadlocks on
#   its first allocation, and the sharing tests fork while the preload's watchdog thread
#   starts. glibc's malloc locks its arenas around fork, so plain builds are not affected
#   (the plain sharing group runs in every make check).
#
# Unit tests link the sanitizer runtime themselves. A test that LD_PRELOADs a sanitized
# libsockleak.so into an unsanitized program must put the runtime first instead:
# LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) build/asan/libsockleak.so" (see
# tests/scenarios/scenarios.mk).

SANITIZE_RUNS := asan tsan
SANITIZE_GROUPS_asan := check-unit check-scenarios check-stress check-enforce
SANITIZE_GROUPS_tsan := check-unit check-scenarios check-stress
# Under TSan, the stress cases that fork from a multithreaded parent are left out (above).
SANITIZE_VARS_tsan := STRESS_ONLY=signals_in_wrappers,thread_churn_watchdog,fd_at_rlimit_max,emfile_same_as_native
SANITIZE_ENV := ASAN_OPTIONS=detect_leaks=0 TSAN_OPTIONS=atexit_sleep_ms=0:die_after_fork=0

.PHONY: check-sanitizers
ifeq ($(SAN)$(NOASM),)
CHECK_TARGETS += check-sanitizers
endif
HELP_LINES += '  make check-sanitizers the suite under ASan+UBSan and TSan (part of make check)'

check-sanitizers: $(B)/.deps-check
	@mkdir -p $(B)/test-results
	@for s in $(SANITIZE_RUNS); do rm -rf build/$$s/test-results; done
	@rc=0; for s in $(SANITIZE_RUNS); do \
		groups="$(SANITIZE_GROUPS_asan)"; vars=; \
		[ $$s = tsan ] && groups="$(SANITIZE_GROUPS_tsan)" && vars="$(SANITIZE_VARS_tsan)"; \
		echo "== $$groups under $$s"; \
		env $(SANITIZE_ENV) $(MAKE) --no-print-directory -k SAN=$$s $$vars $$groups \
			>build/$$s.unit.log 2>&1 || rc=1; \
		grep -E '^\[  (PASSED|FAILED|ERROR)  |^\[   LINE   \]|Sanitizer|runtime error|^unit:|^FAIL|passed, | error:|\*\*\*' \
			build/$$s.unit.log || true; \
		echo "   (full output: build/$$s.unit.log)"; \
	done; \
	for s in $(SANITIZE_RUNS); do \
		groups="$(SANITIZE_GROUPS_asan)"; [ $$s = tsan ] && groups="$(SANITIZE_GROUPS_tsan)"; \
		for g in $$groups; do g=$${g#check-}; \
			if [ -s build/$$s/test-results/$$g ]; then cat build/$$s/test-results/$$g; \
			else echo "sanitizers: no results from $$g under $$s (see build/$$s.unit.log)" >&2; \
				echo "0 1"; fi; \
		done; \
	done | awk '{p+=$$1; f+=$$2} END {print p, f > "$(B)/test-results/sanitizers"; \
		printf "sanitizers: %d passed, %d failed\n", p, f; exit f > 0}' && [ $$rc = 0 ]
