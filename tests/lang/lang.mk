# Leaks named in the program's own language (issue 13): Python, node, perl and the JVM under
# `sockleak run` (tests/lang/run.py). Interpreters come from scripts/deps.sh's check group.

.PHONY: check-lang
CHECK_TARGETS += check-lang
HELP_LINES += '  make check-lang   Python, node, perl and Java leaks named in their own code'

check-lang: $(B)/.deps-check $(B)/sockleak $(B)/libsockleak.so \
            $(B)/sockleak-python/sitecustomize.py tests/lang/run.py
	@mkdir -p $(B)/test-results
	python3 tests/lang/run.py --sockleak $(B)/sockleak --src tests/lang \
		--results $(B)/test-results/lang
