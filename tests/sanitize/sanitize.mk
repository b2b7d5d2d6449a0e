# check-sanitizers: the unit tests once more under ASan+UBSan and under TSan, built in
# build/asan and build/tsan with that build's SANFLAGS (the same objects `make asan` and
# `make tsan` use). Part of a plain `make check` only: inside `make asan|ubsan|tsan` the whole
# suite already runs sanitized, and a nested sanitizer build would only cost time.
#
# Unit tests link the sanitizer runtime themselves. A test that LD_PRELOADs a sanitized
# libsockleak.so into an unsanitized program must put the runtime first instead:
# LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) build/asan/libsockleak.so" (see
# tests/scenarios/scenarios.mk).

SANITIZE_RUNS := asan tsan

.PHONY: check-sanitizers
ifeq ($(SAN),)
CHECK_TARGETS += check-sanitizers
endif
HELP_LINES += '  make check-sanitizers unit tests under ASan+UBSan and TSan (part of make check)'

check-sanitizers: $(B)/.deps-check
	@mkdir -p $(B)/test-results
	@for s in $(SANITIZE_RUNS); do rm -f build/$$s/test-results/unit; done
	@rc=0; for s in $(SANITIZE_RUNS); do \
		echo "== unit tests under $$s"; \
		$(MAKE) --no-print-directory SAN=$$s check-unit >build/$$s.unit.log 2>&1 || rc=1; \
		grep -E '^\[  (PASSED|FAILED|ERROR)  |^\[   LINE   \]|Sanitizer|runtime error|^unit:| error:|\*\*\*' \
			build/$$s.unit.log || true; \
		echo "   (full output: build/$$s.unit.log)"; \
	done; \
	for s in $(SANITIZE_RUNS); do \
		if [ -s build/$$s/test-results/unit ]; then cat build/$$s/test-results/unit; \
		else echo "sanitizers: no results from $$s (build failed? see build/$$s.unit.log)" >&2; \
			echo "0 1"; fi; \
	done | awk '{p+=$$1; f+=$$2} END {print p, f > "$(B)/test-results/sanitizers"; \
		printf "sanitizers: %d passed, %d failed\n", p, f; exit f > 0}' && [ $$rc = 0 ]
