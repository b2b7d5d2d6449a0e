# Issue 4: enforcement (enforce=1): leaked sockets are shut down, the program keeps working,
# healthy connections are never cut, annotated sockets are left alone. Shares tl.h and
# harness.py with tests/sharing (TL_CFLAGS, TL_DRIVER_ARGS come from sharing.mk).

EN_SRC  := tests/enforce
EN_DIR  := $(B)/tests/enforce
EN_PROGS := en_leaky_server en_exempt en_churn_server en_churn_client
EN_BINS := $(addprefix $(EN_DIR)/,$(EN_PROGS))

.PHONY: check-enforce
CHECK_TARGETS += check-enforce
HELP_LINES += '  make check-enforce     enforce=1: shutdown of leaks, no healthy connection cut (tests/enforce)'

$(EN_DIR)/%: $(EN_SRC)/%.c tests/sharing/tl.h
	@mkdir -p $(@D)
	$(CC) $(TL_CFLAGS) -o $@ $< -pthread $(LDFLAGS)

check-enforce: $(B)/.deps-check $(B)/libsockleak.so $(EN_BINS) $(EN_SRC)/run.py \
               tests/sharing/harness.py
	@mkdir -p $(B)/test-results
	python3 $(EN_SRC)/run.py --bin $(EN_DIR) $(TL_DRIVER_ARGS) --results $(B)/test-results/enforce
