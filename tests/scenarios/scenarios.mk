# Real-process integration scenarios for the preload core (issue 2): C servers and clients over
# loopback, run under LD_PRELOAD=libsockleak.so by run.py, which checks the JSON-lines logs.
# Programs are built without the preload, -O0 -rdynamic so stack records name their functions.

SC_SRC  := tests/scenarios
SC_DIR  := $(B)/tests/scenarios
SC_PROGS := sc_read_once sc_eof_forget sc_accept_close sc_pool_client sc_mt_server \
            sc_mt_client sc_clean_server sc_clean_client sc_exit_open sc_late_close \
            sc_not_tcp sc_contract sc_two_callers
SC_BINS := $(addprefix $(SC_DIR)/,$(SC_PROGS)) $(SC_DIR)/libsc_ctor.so $(SC_DIR)/sc_ctor_main
SC_CFLAGS = $(ALL_CFLAGS) -O0 -g -rdynamic
# Sanitizer builds: the sanitizer runtime must come first in LD_PRELOAD, before libsockleak.so.
SC_SANRT_asan := libasan.so
SC_SANRT_tsan := libtsan.so
SC_SANRT = $(if $(SC_SANRT_$(SAN)),$(shell $(CC) -print-file-name=$(SC_SANRT_$(SAN))))

.PHONY: check-scenarios scenarios
CHECK_TARGETS += check-scenarios
HELP_LINES += '  make check-scenarios   real-process leak scenarios under the preload (tests/scenarios)'

scenarios: $(SC_BINS)

$(SC_DIR)/%: $(SC_SRC)/%.c $(SC_SRC)/scenario.h
	@mkdir -p $(@D)
	$(CC) $(SC_CFLAGS) -o $@ $< -pthread $(LDFLAGS)

$(SC_DIR)/libsc_ctor.so: $(SC_SRC)/sc_ctor_lib.c $(SC_SRC)/sc_ctor_lib.h $(SC_SRC)/scenario.h
	@mkdir -p $(@D)
	$(CC) $(SC_CFLAGS) -fPIC -shared -o $@ $< $(LDFLAGS)

$(SC_DIR)/sc_ctor_main: $(SC_SRC)/sc_ctor_main.c $(SC_SRC)/sc_ctor_lib.h $(SC_DIR)/libsc_ctor.so
	@mkdir -p $(@D)
	$(CC) $(SC_CFLAGS) -o $@ $< -L$(SC_DIR) -lsc_ctor -Wl,-rpath,'$$ORIGIN' $(LDFLAGS)

check-scenarios: $(B)/.deps-check $(B)/libsockleak.so $(SC_BINS) $(SC_SRC)/run.py \
                 $(SC_SRC)/leaky_server.py
	@mkdir -p $(B)/test-results
	python3 $(SC_SRC)/run.py --bin $(SC_DIR) --lib $(abspath $(B))/libsockleak.so \
		--results $(B)/test-results/scenarios $(if $(SC_SANRT),--preload-first $(SC_SANRT))
