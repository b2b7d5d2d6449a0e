# Issue 10, "the host behaves exactly as without the library": thread stacks (TLS size, node,
# Python and C threads with small stacks), the exit summary never sent to a peer on fd 2, the
# descriptor budget under a low RLIMIT_NOFILE, fork children that touch no socket, and every
# leak of a scan recorded. Real processes under LD_PRELOAD, judged by run.py. Uses tl.h and
# harness.py of tests/sharing (TL_CFLAGS, TL_DRIVER_ARGS: sharing.mk).

HO_SRC  := tests/host
HO_DIR  := $(B)/tests/host
HO_PROGS := ho_fds ho_thread ho_inetd ho_forks ho_leaks
HO_BINS := $(addprefix $(HO_DIR)/,$(HO_PROGS))

.PHONY: check-host
CHECK_TARGETS += check-host
HELP_LINES += '  make check-host        host unchanged: thread stacks, fd 2, fd budget, fork cost, all leaks'

$(HO_DIR)/%: $(HO_SRC)/%.c tests/sharing/tl.h
	@mkdir -p $(@D)
	$(CC) $(TL_CFLAGS) -o $@ $< -pthread $(LDFLAGS)

check-host: $(B)/.deps-check $(B)/libsockleak.so $(B)/sockleak $(HO_BINS) $(HO_SRC)/run.py \
            tests/sharing/harness.py
	@mkdir -p $(B)/test-results
	python3 $(HO_SRC)/run.py --bin $(HO_DIR) $(TL_DRIVER_ARGS) --results $(B)/test-results/host \
		$(if $(SAN),--san $(SAN)) $(if $(HOST_ONLY),--only $(HOST_ONLY))
