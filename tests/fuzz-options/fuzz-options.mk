# libFuzzer targets for the preload's parsers of untrusted text: SOCKLEAK_OPTIONS
# (fuzz_opts) and the JSON writer / escaper (fuzz_json). Built with clang, always with
# ASan+UBSan (independent of SAN), linked against the module sources directly.
#   make check-fuzz-options   each target for FUZZ_CHECK_TIME s (15), part of make check
#   make fuzz-options         each target for FUZZ_OPTIONS_TIME s (300), for longer runs;
#                             also run by `make fuzz`, where FUZZ_TIME=N given on the command
#                             line or in the environment sets it for every fuzzer
# New corpus entries go to $(B)/fuzz-options/corpus/NAME, seeds are read from
# tests/fuzz-options/corpus/NAME; crashes land in $(B)/fuzz-options/artifacts/ and the
# reproducer is `$(B)/fuzz-options/fuzz_NAME ARTIFACT`.

FZO_SRC := tests/fuzz-options
FZO_DIR := $(B)/fuzz-options
FZO_TARGETS := opts json
FZO_BINS := $(addprefix $(FZO_DIR)/fuzz_,$(FZO_TARGETS))
FUZZ_CC ?= clang
FUZZ_CHECK_TIME ?= 15
FUZZ_OPTIONS_TIME ?= $(if $(filter command% environment%,$(origin FUZZ_TIME)),$(FUZZ_TIME),300)
FZO_CFLAGS = -std=gnu11 $(WARN) -O1 -g -fno-omit-frame-pointer \
             -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
             -D_GNU_SOURCE -Iinclude
# options.c and the fuzzer are both generated from the table: a changed row rebuilds them
FZO_LINK_opts := preload/options.c preload/json.c tests/unit/jsoncheck.c preload/options.h \
		 preload/options.inc
FZO_LINK_json := preload/json.c tests/unit/jsoncheck.c
FZO_ENV := ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1

.PHONY: check-fuzz-options fuzz-options
CHECK_TARGETS += check-fuzz-options
HELP_LINES += '  make check-fuzz-options   options/JSON fuzzers, $(FUZZ_CHECK_TIME) s each (clang)' \
              '  make fuzz-options     the same fuzzers for FUZZ_OPTIONS_TIME=$(FUZZ_OPTIONS_TIME) s each'
fuzz: fuzz-options

$(B)/.deps-fuzz-options: scripts/deps.sh
	@./scripts/deps.sh fuzz
	@mkdir -p $(@D) && touch $@

$(foreach t,$(FZO_TARGETS),$(eval $(FZO_DIR)/fuzz_$(t): $(FZO_SRC)/fuzz_$(t).c $(FZO_LINK_$(t)) \
	tests/unit/jsoncheck.h | $(B)/.deps-fuzz-options))
$(FZO_BINS):
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZO_CFLAGS) -o $@ $(filter %.c,$^)

# $(1): seconds per target; $(2): results file, or empty.
define FZO_RUN
	@mkdir -p $(FZO_DIR)/artifacts $(if $(2),$(dir $(2)))
	@pass=0; fail=0; for t in $(FZO_TARGETS); do \
		mkdir -p $(FZO_DIR)/corpus/$$t; \
		echo "== fuzz_$$t for $(1) s"; \
		if $(FZO_ENV) $(FZO_DIR)/fuzz_$$t -max_total_time=$(1) -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix=$(FZO_DIR)/artifacts/fuzz_$$t- \
			$(FZO_DIR)/corpus/$$t $(FZO_SRC)/corpus/$$t >$(FZO_DIR)/fuzz_$$t.log 2>&1; then \
			pass=$$((pass + 1)); \
			grep -a -E '^stat::number_of_executed_units|^Done' $(FZO_DIR)/fuzz_$$t.log; \
		else \
			fail=$$((fail + 1)); \
			grep -a -v -E '^#[0-9]+|^INFO:|^ +#[0-9]+ 0x' $(FZO_DIR)/fuzz_$$t.log | tail -n 30; \
			grep -a -m 5 -E 'check failed|not valid JSON|ERROR: AddressSanitizer|runtime error' \
				$(FZO_DIR)/fuzz_$$t.log; \
			echo "fuzz_$$t FAILED: reproduce with $(FZO_DIR)/fuzz_$$t $(FZO_DIR)/artifacts/fuzz_$$t-*"; \
		fi; \
	done; \
	$(if $(2),echo "$$pass $$fail" >$(2);) \
	echo "fuzz-options: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]
endef

check-fuzz-options: $(FZO_BINS)
	$(call FZO_RUN,$(FUZZ_CHECK_TIME),$(B)/test-results/fuzz-options)

fuzz-options: $(FZO_BINS)
	$(call FZO_RUN,$(FUZZ_OPTIONS_TIME),)
