# Issue 10, items 5-9 and 11: nobody else can use the library to write, read or hang anything,
# and no record is lost or mangled. Real files planted by an attacker, a setuid program under
# /etc/ld.so.preload (in a private mount namespace), a FIFO and /dev/stdin as suppressions, a
# full tmpfs, a real logrotate run, privilege drops. Needs root (CI is); cases that cannot set
# up say "skip". Shares tl.h and harness.py with tests/sharing.

HF_SRC  := tests/hostile
HF_DIR  := $(B)/tests/hostile
HF_BINS := $(HF_DIR)/hf_host

.PHONY: check-hostile
CHECK_TARGETS += check-hostile
HELP_LINES += '  make check-hostile     symlinks, FIFOs, setuid, full disk, logrotate, privilege drops (as root)'

$(HF_DIR)/%: $(HF_SRC)/%.c tests/sharing/tl.h
	@mkdir -p $(@D)
	$(CC) $(TL_CFLAGS) -o $@ $< -pthread $(LDFLAGS)

check-hostile: $(B)/.deps-check $(B)/libsockleak.so $(B)/sockleak $(HF_BINS) $(HF_SRC)/run.py \
               tests/sharing/harness.py
	@mkdir -p $(B)/test-results
	python3 $(HF_SRC)/run.py --bin $(HF_DIR) $(TL_DRIVER_ARGS) \
		--results $(B)/test-results/hostile $(if $(HOSTILE_ONLY),--only $(HOSTILE_ONLY))
