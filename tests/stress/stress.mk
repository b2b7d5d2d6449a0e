# Issue 7: stress, each case bounded in time: signals inside wrappers, fork under churn, many
# threads against a fast watchdog, descriptors above 65536, EMFILE, and every log line valid
# JSON. Shares tl.h and harness.py with tests/sharing (TL_CFLAGS, TL_DRIVER_ARGS: sharing.mk).

ST_SRC  := tests/stress
ST_DIR  := $(B)/tests/stress
ST_PROGS := st_signals st_fork st_churn st_highfd st_emfile
ST_BINS := $(addprefix $(ST_DIR)/,$(ST_PROGS))

.PHONY: check-stress
CHECK_TARGETS += check-stress
HELP_LINES += '  make check-stress      signals, fork, thread churn, fd>65536, EMFILE (tests/stress)'

$(ST_DIR)/%: $(ST_SRC)/%.c tests/sharing/tl.h
	@mkdir -p $(@D)
	$(CC) $(TL_CFLAGS) -o $@ $< -pthread $(LDFLAGS)

check-stress: $(B)/.deps-check $(B)/libsockleak.so $(ST_BINS) $(ST_SRC)/run.py \
              tests/sharing/harness.py
	@mkdir -p $(B)/test-results
	python3 $(ST_SRC)/run.py --bin $(ST_DIR) $(TL_DRIVER_ARGS) --results $(B)/test-results/stress \
		$(if $(STRESS_ONLY),--only $(STRESS_ONLY))
