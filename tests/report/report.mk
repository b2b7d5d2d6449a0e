# tests/report: `sockleak report` on hand-made logs with real stacks and on logs of real runs
# under libsockleak.so; the HTML page is rendered in headless Chromium. ~20 s.

REPORT_TEST_BINS := $(B)/tests/report/mklog $(B)/tests/report/leaky_server $(B)/tests/report/fork_server

# -O0 -g and absolute source paths: the tests check exact file:line and --strip-path-prefix.
$(B)/tests/report/%: tests/report/%.c $(TL_HEADER) $(B)/.deps-build
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O0 -g -Wall -Wextra $(SANFLAGS) -I$(CURDIR)/$(TL_SRC) -o $@ $(CURDIR)/$< -pthread -ldl

.PHONY: check-report
check-report: $(B)/.deps-check $(B)/sockleak $(B)/libsockleak.so $(REPORT_TEST_BINS)
	@./scripts/deps.sh html
	@mkdir -p $(B)/test-results $(B)/tests/report
	@timeout 120 ./tests/report/run-tests.sh $(B) $(B)/test-results/report

CHECK_TARGETS += check-report
HELP_LINES    += "  make check-report  tests of sockleak report (text/json/sarif/html, real runs)"
