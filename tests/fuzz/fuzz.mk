# The log-reader fuzz target (sockleak report), clang -fsanitize=fuzzer,address,undefined.
#   make check-fuzz-report   FUZZ_REPORT_CHECK_TIME s (20), part of make check
#   make fuzz-report         FUZZ_TIME s when given (command line or environment), else 300;
#                            also run by `make fuzz`. Reproduce: $(B)/fuzz/fuzz_report ARTIFACT

FUZZ_CC         ?= clang
FUZZ_REPORT_CHECK_TIME ?= 20
FUZZ_REPORT_TIME ?= $(if $(filter command% environment%,$(origin FUZZ_TIME)),$(FUZZ_TIME),300)
FUZZ_FLAGS      := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                   -D_GNU_SOURCE -DSL_VERSION='"$(VERSION)"' -Iinclude -Itools
FUZZ_REPORT_SRC := tests/fuzz/fuzz_report.c \
                   $(filter-out tools/main.c tools/run.c $(wildcard tools/cmd_*.c) tools/live.c \
                   tools/live_out.c tools/cwdiag.c,$(wildcard tools/*.c)) preload/suppmatch.c \
                   preload/sitekey.c

$(B)/fuzz/fuzz_report: $(FUZZ_REPORT_SRC) $(wildcard tools/*.h) $(B)/.deps-check
	@./scripts/deps.sh fuzz
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(shell pkg-config --cflags jansson libdw) -o $@ $(FUZZ_REPORT_SRC) \
		$(shell pkg-config --libs jansson libdw) $(TOOLS_CXXABI)

.PHONY: check-fuzz-report fuzz-report
# New inputs go to the build copy; the seed corpus in tests/fuzz/corpus-report is only read.
FUZZ_REPORT_RUN = mkdir -p $(B)/fuzz/corpus-report $(B)/test-results; \
	if $(B)/fuzz/fuzz_report -max_total_time=$(1) -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -artifact_prefix=$(B)/fuzz/ -print_final_stats=1 \
		$(B)/fuzz/corpus-report tests/fuzz/corpus-report >$(B)/fuzz/fuzz_report.log 2>&1; then \
		grep -E '^Done' $(B)/fuzz/fuzz_report.log; $(2) echo "PASS fuzz_report ($(1) s)"; \
	else tail -n 40 $(B)/fuzz/fuzz_report.log; $(3) \
		echo "FAIL fuzz_report: see $(B)/fuzz/fuzz_report.log"; exit 1; fi
check-fuzz-report: $(B)/fuzz/fuzz_report
	@$(call FUZZ_REPORT_RUN,$(FUZZ_REPORT_CHECK_TIME),echo "1 0" >$(B)/test-results/fuzz-report;,echo "0 1" >$(B)/test-results/fuzz-report;)
fuzz-report: $(B)/fuzz/fuzz_report
	@$(call FUZZ_REPORT_RUN,$(FUZZ_REPORT_TIME),,)

fuzz: fuzz-report
CHECK_TARGETS += check-fuzz-report
HELP_LINES    += "  make fuzz-report  fuzz the log reader (sockleak report) for FUZZ_TIME s (300)"
