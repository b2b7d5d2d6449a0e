# Issue 3: sockets shared across fork, exec, dup and SCM_RIGHTS, and programs that close every
# descriptor. Real processes over loopback under LD_PRELOAD, judged by run.py from their logs.
# tl.h and harness.py here are shared with tests/enforce and tests/stress.

SH_SRC  := tests/sharing
SH_DIR  := $(B)/tests/sharing
SH_PROGS := sh_fork_server sh_exec_parent sh_helper sh_dup sh_scm sh_closeall sh_dup2 sh_vfork
SH_BINS := $(addprefix $(SH_DIR)/,$(SH_PROGS))
# -O0 -g -rdynamic: stack records name the test programs' functions.
TL_CFLAGS = $(ALL_CFLAGS) -O0 -g -rdynamic -I$(SH_SRC)
# Sanitizer builds: the sanitizer runtime goes first in LD_PRELOAD, before libsockleak.so.
TL_SANRT_asan := libasan.so
TL_SANRT_tsan := libtsan.so
TL_SANRT = $(if $(TL_SANRT_$(SAN)),$(shell $(CC) -print-file-name=$(TL_SANRT_$(SAN))))
TL_DRIVER_ARGS = --lib $(abspath $(B))/libsockleak.so $(if $(TL_SANRT),--preload-first $(TL_SANRT))

.PHONY: check-sharing
CHECK_TARGETS += check-sharing
HELP_LINES += '  make check-sharing     fork/exec/dup/SCM_RIGHTS sharing and close-all (tests/sharing)'

$(SH_DIR)/%: $(SH_SRC)/%.c $(SH_SRC)/tl.h
	@mkdir -p $(@D)
	$(CC) $(TL_CFLAGS) -o $@ $< -pthread $(LDFLAGS)

check-sharing: $(B)/.deps-check $(B)/libsockleak.so $(SH_BINS) $(SH_SRC)/run.py $(SH_SRC)/harness.py
	@mkdir -p $(B)/test-results
	python3 $(SH_SRC)/run.py --bin $(SH_DIR) $(TL_DRIVER_ARGS) --results $(B)/test-results/sharing
