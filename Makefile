# sockleak top-level Makefile: builds into build/ (or build/$(SAN) for sanitizer builds),
# and delegates per-directory rules to the *.mk fragments included below.
# `make help` lists the targets.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
BINDIR    ?= $(PREFIX)/bin
LIBDIR    ?= $(PREFIX)/lib
INCDIR    ?= $(PREFIX)/include
MANDIR    ?= $(PREFIX)/share/man

CC        ?= cc
SAN       ?=
# NOASM=1: the C versions of the plain I/O wrappers instead of hot_x86_64.S (preload/hot.h),
# built into build/noasm (build/SAN-noasm with a sanitizer) and tested by check-noasm.
NOASM     ?=
VARIANT   := $(SAN)$(if $(filter 1,$(NOASM)),$(if $(SAN),-)noasm)
B         := build$(if $(VARIANT),/$(VARIANT))

WARN      := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 \
             -fno-common
# Warnings are errors in CI (CI=true in .ci/run's environment) and with WERROR=1.
ifneq ($(filter true 1,$(CI) $(WERROR)),)
WARN      += -Werror
endif
SAN_asan  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_ubsan := -fsanitize=undefined -fno-sanitize-recover=undefined
SAN_tsan  := -fsanitize=thread
SANFLAGS  := $(SAN_$(SAN))
ASMFLAGS  := $(if $(filter 1,$(NOASM)),-DSL_NO_ASM)
OPT       ?= -O2
CFLAGS    ?= $(OPT) -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) $(ASMFLAGS) -D_GNU_SOURCE -DSL_VERSION='"$(VERSION)"' \
             -Iinclude -MMD -MP
LDFLAGS   ?=

.DEFAULT_GOAL := all

.PHONY: all check demo deps help clean install uninstall asan ubsan tsan bench fuzz

# Targets that fragments add to.
ALL_TARGETS   :=
CHECK_TARGETS :=
INSTALL_TARGETS :=
UNINSTALL_TARGETS :=
HELP_LINES    :=

# Debian build dependencies, installed when missing (as root) or named in one line.
$(B)/.deps-build: scripts/deps.sh
	@./scripts/deps.sh build
	@mkdir -p $(@D) && touch $@
$(B)/.deps-check: scripts/deps.sh
	@./scripts/deps.sh build check
	@mkdir -p $(@D) && touch $@
deps: $(B)/.deps-build

# tests/lib/lib.mk first: the test groups' fragments call its rule templates.
include tests/lib/lib.mk
include $(sort $(filter-out tests/lib/lib.mk,$(wildcard preload/*.mk examples/*.mk tools/*.mk \
	tests/*.mk tests/*/*.mk bench/*.mk docs/*.mk)))

all: $(ALL_TARGETS)

# Every test group writes "PASSED FAILED" to $(B)/test-results/GROUP; check runs them all (-k: one
# failing group does not hide the others), then adds them up. A group check-GROUP that wrote no
# results (a program of it did not build, its driver crashed) is named and counted as a failure,
# so the total line never reads "0 failed" over a group that did not run.
check: $(B)/.deps-check
	@rm -rf $(B)/test-results && mkdir -p $(B)/test-results
	@$(MAKE) --no-print-directory -k all $(CHECK_TARGETS); st=$$?; \
	for t in $(CHECK_TARGETS); do g=$${t#check-}; \
		if [ -s $(B)/test-results/$$g ]; then cat $(B)/test-results/$$g; \
		else echo "make check: $$t wrote no results (build or driver failed)" >&2; echo "0 1"; fi; \
	done | awk '{p+=$$1; f+=$$2} END {printf "make check: %d groups\n%d passed, %d failed\n", NR, p, f; exit (f>0 || NR==0)}' && exit $$st

# A sanitizer build of the library and the whole suite, in its own build directory.
asan ubsan tsan:
	$(MAKE) SAN=$@ check

install: all $(INSTALL_TARGETS)
uninstall: $(UNINSTALL_TARGETS)

clean:
	rm -rf build

help:
	@echo "sockleak $(VERSION): make targets"
	@echo "  make              build $(B)/libsockleak.so and $(B)/sockleak"
	@echo "  make check        install test dependencies if missing, build, run every test"
	@echo "  make demo         build and show a leaking server caught live"
	@echo "  make asan|ubsan|tsan   the suite under that sanitizer (build/SAN/)"
	@echo "  make NOASM=1 ...  any target with the C plain-I/O wrappers, not hot_x86_64.S (build/noasm/)"
	@echo "  make bench        benchmarks with and without the preload (not part of check)"
	@echo "  make fuzz         bounded fuzz runs of every parser (FUZZ_TIME, FUZZ_OPTIONS_TIME seconds)"
	@echo "  make install PREFIX=/usr/local DESTDIR=   and  make uninstall"
	@echo "  make clean"
	@printf '%s\n' $(HELP_LINES)

-include $(shell find build -name '*.d' 2>/dev/null)
