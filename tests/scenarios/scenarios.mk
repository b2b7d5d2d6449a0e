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
