# `sockleak run` tests (issue 5): small C programs built -g (so the summary can name file:line),
# run under the runner by tests/run/run.py, which also does `make install` into a DESTDIR.
# tests/lib: tl.h, harness.py.

RN_SRC   := tests/run
RN_DIR   := $(B)/tests/run
RN_PROGS := rn_server rn_client rn_clean rn_drop rn_hold
RN_BINS  := $(addprefix $(RN_DIR)/,$(RN_PROGS)) $(RN_DIR)/rn_static $(RN_DIR)/rn_libclient
RN_CFLAGS = $(ALL_CFLAGS) -O0 -g -I$(TL_SRC)

.PHONY: check-run
CHECK_TARGETS += check-run
HELP_LINES += '  make check-run    sockleak run on real programs, and make install into a DESTDIR'

$(RN_DIR)/%: $(RN_SRC)/%.c $(TL_HEADER)
	@mkdir -p $(@D)
	$(CC) $(RN_CFLAGS) -o $@ $< $(LDFLAGS)

# rn_hold's drained_b in its dynamic symbol table, where the library finds frame names, so that
# leak:drained_b suppresses in the exit summary as in the runner (issue 12).
$(RN_DIR)/rn_hold: LDFLAGS += -Wl,--export-dynamic-symbol=drained_b

# A leak made in a shared library, for leak:librn_fetch.so (issue 12).
$(RN_DIR)/librn_fetch.so: $(RN_SRC)/rn_fetch.c $(TL_HEADER)
	@mkdir -p $(@D)
	$(CC) $(RN_CFLAGS) -fPIC -shared -o $@ $< $(LDFLAGS)
$(RN_DIR)/rn_libclient: $(RN_SRC)/rn_libclient.c $(TL_HEADER) $(RN_DIR)/librn_fetch.so
	@mkdir -p $(@D)
	$(CC) $(RN_CFLAGS) -o $@ $< -L$(RN_DIR) -lrn_fetch -Wl,-rpath,'$$ORIGIN' $(LDFLAGS)

# Statically linked on purpose (what the runner must refuse); no sanitizer: it cannot be static.
$(RN_DIR)/rn_static: $(RN_SRC)/rn_static.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) -O0 -g -static -o $@ $<

check-run: $(B)/.deps-check $(B)/sockleak $(B)/libsockleak.so $(RN_BINS) $(RN_SRC)/run.py \
           $(TL_HARNESS)
	@mkdir -p $(B)/test-results
	python3 $(RN_SRC)/run.py --sockleak $(B)/sockleak --bin $(RN_DIR) --src $(RN_SRC) \
		--results $(B)/test-results/run $(if $(TL_SANRT),--preload-first $(TL_SANRT)) \
		--install-make '$(MAKE) --no-print-directory -C $(CURDIR) B=$(B) SAN=$(SAN)'
