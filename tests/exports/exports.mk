# check-exports: the list of interposed functions (preload/interposed.h) against exports.map,
# the preload's objects and `nm -D` of the built library (tests/exports/check.sh); then the
# check itself, fed a list and a version script that drift, must fail on each drift.

EX_SRC := tests/exports
EX_DIR := $(B)/tests/exports
EX_LIBC = $(shell $(CC) -print-file-name=libc.so.6)

.PHONY: check-exports
CHECK_TARGETS += check-exports
HELP_LINES += '  make check-exports    interposed.h, exports.map and nm -D of the library agree (tests/exports)'

# The symbols of interposed.h, one a line: the list expanded by the preprocessor, as assembly
# so that no C header comes with it.
$(EX_DIR)/interposed.txt: preload/interposed.h
	@mkdir -p $(@D)
	printf '#include "interposed.h"\n#define N(f, s, ...) SL_NAME s\n#define A(s, ...) SL_NAME s\nSL_INTERPOSED(N, N, A)\n' | \
		$(CC) -E -P -x assembler-with-cpp -Ipreload - | \
		grep -o 'SL_NAME [A-Za-z0-9_]*' | cut -d' ' -f2 >$@.tmp
	@test -s $@.tmp && mv $@.tmp $@

check-exports: $(B)/libsockleak.so $(EX_DIR)/interposed.txt $(EX_SRC)/check.sh
	@mkdir -p $(B)/test-results
	@pass=0; fail=0; \
	if $(EX_SRC)/check.sh $(EX_DIR)/interposed.txt preload/exports.map $(B)/libsockleak.so \
		$(EX_LIBC) $(PRELOAD_OBJ); then pass=$$((pass + 1)); else fail=$$((fail + 1)); fi; \
	echo "== the check on drift (each FAIL below is expected)"; \
	grep -v '^pipe2$$' $(EX_DIR)/interposed.txt >$(EX_DIR)/drift.txt; \
	printf 'read\ngetpid\nsl_lookup_fd\n' >>$(EX_DIR)/drift.txt; \
	sed 's/ shutdown;/ shutdown; sl_lookup_fd;/' preload/exports.map >$(EX_DIR)/drift.map; \
	$(EX_SRC)/check.sh $(EX_DIR)/drift.txt $(EX_DIR)/drift.map $(B)/libsockleak.so \
		$(EX_LIBC) $(PRELOAD_OBJ) >$(EX_DIR)/drift.out; \
	cat $(EX_DIR)/drift.out; \
	for want in 'listed twice in interposed.h: read $$' \
		'interposed but not in exports.map: getpid $$' \
		'in exports.map but not in interposed.h: pipe2 $$' \
		'interposed but not exported by libsockleak.so: getpid sl_lookup_fd $$' \
		'exported by libsockleak.so but neither interposed nor sockleak_\*: pipe2 $$' \
		'defined for export in an object but not in interposed.h: pipe2 $$' \
		'interposed but not a libc name: sl_lookup_fd $$' ; do \
		if grep -q "^FAIL: $$want" $(EX_DIR)/drift.out; then pass=$$((pass + 1)); \
		else echo "exports: the check missed: $$want" >&2; fail=$$((fail + 1)); fi; \
	done; \
	echo "$$pass $$fail" >$(B)/test-results/exports; \
	echo "check-exports: $$pass passed, $$fail failed"; [ $$fail = 0 ]
