# Operations tests (issue 14): top, the exporter under a real Prometheus, syslog through a real
# rsyslogd, journalctl -o json input. About 20 s; tests/ops/run.py says what each case checks.

OP_SRC := tests/ops
OP_DIR := $(B)/tests/ops

.PHONY: check-ops
CHECK_TARGETS += check-ops
HELP_LINES += '  make check-ops    top, exporter + prometheus, syslog via rsyslogd, journal input'

$(OP_DIR)/op_server: $(OP_SRC)/op_server.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -O0 -g -o $@ $< $(LDFLAGS)

# Statically linked: the preload cannot be in it, and top must still see its sockets.
$(OP_DIR)/op_server_static: $(OP_SRC)/op_server.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -O0 -g -static -o $@ $<

check-ops: $(B)/.deps-check $(B)/sockleak $(B)/libsockleak.so $(OP_DIR)/op_server \
	   $(OP_DIR)/op_server_static $(OP_SRC)/run.py $(TL_HARNESS)
	@mkdir -p $(B)/test-results
	python3 $(OP_SRC)/run.py --sockleak $(B)/sockleak --lib $(B)/libsockleak.so --bin $(OP_DIR) \
		--top $(CURDIR) --results $(B)/test-results/ops $(if $(TL_SANRT),--preload-first $(TL_SANRT))
