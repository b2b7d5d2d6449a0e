# tests/lib: what the real-process test groups share (included by the top Makefile before every
# other fragment, so the groups can $(eval $(call ...)) the rules below).
#   tl.h        the C test programs' helpers: loopback listen/connect, deadlines, the stdout
#               line protocol with the driver, stdin commands
#   harness.py  the Python drivers' helpers: programs started under the preload, their logs
#               found and parsed, polls with deadlines, the case loop and its results file

TL_SRC := tests/lib
TL_HEADER := $(TL_SRC)/tl.h
TL_HARNESS := $(TL_SRC)/harness.py
# -O0 -g -rdynamic: stack records name the test programs' functions.
TL_CFLAGS = $(ALL_CFLAGS) -O0 -g -rdynamic -I$(TL_SRC)
# Sanitizer builds: the sanitizer runtime goes first in LD_PRELOAD, before libsockleak.so.
TL_SANRT_asan := libasan.so
TL_SANRT_tsan := libtsan.so
TL_SANRT = $(if $(TL_SANRT_$(SAN)),$(shell $(CC) -print-file-name=$(TL_SANRT_$(SAN))))
TL_DRIVER_ARGS = --lib $(abspath $(B))/libsockleak.so $(if $(TL_SANRT),--preload-first $(TL_SANRT))

# A group of tl.h programs driven by a harness.py driver: tests/GROUP/PROG.c is built into
# $(B)/tests/GROUP/PROG, and check-GROUP runs tests/GROUP/run.py --bin that directory, writing
# $(B)/test-results/GROUP.
#   $(1) group   $(2) programs   $(3) more prerequisites of check-GROUP
#   $(4) more arguments of run.py (expanded when the rule runs)
#   $(5) environment assignments before python3 (expanded when the rule runs)
define TL_GROUP
.PHONY: check-$(1)
CHECK_TARGETS += check-$(1)

$(B)/tests/$(1)/%: tests/$(1)/%.c $(TL_HEADER)
	@mkdir -p $$(@D)
	$$(CC) $$(TL_CFLAGS) -o $$@ $$< -pthread $$(LDFLAGS)

check-$(1): $(B)/.deps-check $(B)/libsockleak.so $(addprefix $(B)/tests/$(1)/,$(2)) \
            tests/$(1)/run.py $(TL_HARNESS) $(3)
	@mkdir -p $(B)/test-results
	$(5) python3 tests/$(1)/run.py --bin $(B)/tests/$(1) $$(TL_DRIVER_ARGS) \
		--results $(B)/test-results/$(1) $(4)
endef
