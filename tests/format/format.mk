# check-format: the C sources are laid out as .clang-format says (the library's style: tabs,
# Linux braces, 100 columns; issue 12), so that the tools and the library keep one dialect.
# `make format` applies it. Tables laid out by hand sit between clang-format off/on comments.

FORMAT_SRC := $(sort $(wildcard preload/*.[ch] tools/*.[ch] include/*.h tests/*/*.[ch] bench/*.[ch]))

.PHONY: check-format format
CHECK_TARGETS += check-format
HELP_LINES += '  make check-format     the C sources match .clang-format (make format applies it)'

check-format: .clang-format $(B)/.deps-check
	@mkdir -p $(B)/test-results
	@if clang-format --dry-run -Werror $(FORMAT_SRC); then \
		echo "1 0" >$(B)/test-results/format; echo "check-format: $(words $(FORMAT_SRC)) files formatted"; \
	else \
		echo "0 1" >$(B)/test-results/format; \
		echo "check-format: run 'make format' (clang-format -i) and review the diff" >&2; exit 1; \
	fi

format: .clang-format
	clang-format -i $(FORMAT_SRC)
