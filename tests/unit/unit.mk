# cmocka unit tests of the pure modules of the preload (and of the tools: jwrite), linked
# against the module sources directly (compiled here with the suite's flags, so
# `make asan|ubsan|tsan` sanitizes them too).

UNIT_SRC := tests/unit
UNIT_DIR := $(B)/tests/unit
UNIT_TESTS := test_options test_options_docs test_json test_stackhash test_fdtable \
	      test_sockets test_lock test_execenv test_perfmap test_kinds test_suppmatch test_sitekey \
	      test_policy test_jwrite test_logformat
UNIT_BINS := $(addprefix $(UNIT_DIR)/,$(UNIT_TESTS))

# What each test links besides itself: preload modules (the real ones of the layers below, never a
# stub: preload/layers), the strict JSON checker, and the reader of the docs and sources that tests
# check against each other.
UNIT_LINK_test_options := preload/options preload/json jsoncheck
UNIT_LINK_test_options_docs := preload/options preload/json textfile
UNIT_LINK_test_json := preload/json jsoncheck
UNIT_LINK_test_stackhash := preload/stackhash
UNIT_LINK_test_fdtable := preload/fdtable preload/mem preload/prim preload/lock
UNIT_LINK_test_sockets := preload/sockets preload/ownfd
UNIT_LINK_test_lock := preload/lock
UNIT_LINK_test_execenv := preload/execenv preload/options preload/json
UNIT_LINK_test_perfmap := preload/perfmap
UNIT_LINK_test_kinds := preload/kinds textfile
UNIT_LINK_test_suppmatch := preload/suppmatch
UNIT_LINK_test_sitekey := preload/sitekey
UNIT_LINK_test_policy := preload/policy preload/options preload/json textfile
# the tools' JSON writer, compared byte for byte with jansson's dump
UNIT_LINK_test_jwrite := tools/jwrite tools/escape tools/jscan
UNIT_LIBS_test_jwrite := -ljansson
UNIT_LINK_test_logformat := textfile

# Test programs run with halt-on-error sanitizers so a report is never a pass.
UNIT_ENV := ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:strict_string_checks=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

.PHONY: check-unit unit
CHECK_TARGETS += check-unit
HELP_LINES += '  make check-unit       cmocka unit tests of the pure preload modules (tests/unit)'

unit: $(UNIT_BINS)

$(UNIT_DIR)/obj/preload/%.o: preload/%.c | $(B)/.deps-check
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -pthread -c $< -o $@

$(UNIT_DIR)/obj/tools/%.o: tools/%.c | $(B)/.deps-check
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itools -pthread -c $< -o $@

$(UNIT_DIR)/obj/%.o: $(UNIT_SRC)/%.c | $(B)/.deps-check
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -pthread -c $< -o $@

# Explicit prerequisites per test (no .SECONDEXPANSION: it would change every later fragment).
$(foreach t,$(UNIT_TESTS),$(eval $(UNIT_DIR)/$(t): $(UNIT_DIR)/obj/$(t).o \
	$(addprefix $(UNIT_DIR)/obj/,$(addsuffix .o,$(UNIT_LINK_$(t))))))
$(UNIT_BINS):
	$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(UNIT_LIBS_$(@F)) -pthread

check-unit: $(UNIT_BINS) $(UNIT_SRC)/run-unit.sh
	@mkdir -p $(B)/test-results
	@$(UNIT_ENV) $(UNIT_SRC)/run-unit.sh $(B)/test-results/unit $(UNIT_BINS)
