# Real-process integration scenarios for the preload core (issue 2): C servers and clients over
# loopback, run under LD_PRELOAD=libsockleak.so by run.py, which checks the JSON-lines logs
# (tests/lib: tl.h, harness.py, the TL_GROUP rules). Programs are built without the preload,
# -O0 -rdynamic so stack records name their functions.

SC_SRC  := tests/scenarios
SC_DIR  := $(B)/tests/scenarios
SC_PROGS := sc_read_once sc_eof_forget sc_accept_close sc_pool_client sc_mt_server \
            sc_mt_client sc_clean_server sc_clean_client sc_exit_open sc_late_close \
            sc_not_tcp sc_contract sc_two_callers
SC_BINS := $(addprefix $(SC_DIR)/,$(SC_PROGS)) $(SC_DIR)/libsc_ctor.so $(SC_DIR)/sc_ctor_main

.PHONY: scenarios
HELP_LINES += '  make check-scenarios   real-process leak scenarios under the preload (tests/scenarios)'
$(eval $(call TL_GROUP,scenarios,$(SC_PROGS),$(SC_DIR)/libsc_ctor.so $(SC_DIR)/sc_ctor_main \
	$(SC_SRC)/leaky_server.py $(SC_SRC)/many_sockets.py))

scenarios: $(SC_BINS)

$(SC_DIR)/libsc_ctor.so: $(SC_SRC)/sc_ctor_lib.c $(SC_SRC)/sc_ctor_lib.h $(TL_HEADER)
	@mkdir -p $(@D)
	$(CC) $(TL_CFLAGS) -fPIC -shared -o $@ $< $(LDFLAGS)

$(SC_DIR)/sc_ctor_main: $(SC_SRC)/sc_ctor_main.c $(SC_SRC)/sc_ctor_lib.h $(SC_DIR)/libsc_ctor.so
	@mkdir -p $(@D)
	$(CC) $(TL_CFLAGS) -o $@ $< -L$(SC_DIR) -lsc_ctor -Wl,-rpath,'$$ORIGIN' $(LDFLAGS)

# check-noasm: the scenarios once more against the library built with the C versions of the
# plain I/O wrappers (NOASM=1, build/noasm: what every architecture but x86-64 runs), so that
# path is not dead code; and the export check on that library, whose read/write/close are then
# C. The scenario programs do not depend on the preload's build: this build's are reused.
# Part of a plain `make check` only (~35 s on 2 loaded cores: ~10 s to build, ~24 s to run).
.PHONY: check-noasm
ifeq ($(SAN)$(NOASM),)
CHECK_TARGETS += check-noasm
endif
HELP_LINES += '  make check-noasm      the scenarios with the C plain-I/O wrappers, not assembly (build/noasm)'

check-noasm: $(B)/.deps-check $(SC_BINS) $(SC_SRC)/run.py $(TL_HARNESS) $(SC_SRC)/leaky_server.py \
             $(SC_SRC)/many_sockets.py
	@mkdir -p $(B)/test-results
	@rm -rf build/noasm/test-results
	@rc=0; $(MAKE) --no-print-directory NOASM=1 check-exports || rc=1; \
	python3 $(SC_SRC)/run.py --bin $(SC_DIR) --lib $(abspath build/noasm)/libsockleak.so \
		--results build/noasm/test-results/scenarios || rc=1; \
	for g in exports scenarios; do \
		if [ -s build/noasm/test-results/$$g ]; then cat build/noasm/test-results/$$g; \
		else echo "noasm: no results from $$g" >&2; echo "0 1"; fi; \
	done | awk '{p+=$$1; f+=$$2} END {print p, f > "$(B)/test-results/noasm"; \
		printf "noasm: %d passed, %d failed\n", p, f; exit f > 0}' && [ $$rc = 0 ]
