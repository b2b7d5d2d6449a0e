# Leaks named in the program's own language (issue 13): Python, node, perl and the JVM under
# `sockleak run` (tests/lang/run.py). Interpreters come from scripts/deps.sh's check group.

.PHONY: check-lang
CHECK_TARGETS += check-lang
HELP_LINES += '  make check-lang   Python, node, perl and Java leaks named in their own code'

# Sanitizer builds: the sanitizer runtime must come first in LD_PRELOAD, before libsockleak.so.
LANG_SANRT_asan := libasan.so
LANG_SANRT_tsan := libtsan.so
LANG_SANRT = $(if $(LANG_SANRT_$(SAN)),$(shell $(CC) -print-file-name=$(LANG_SANRT_$(SAN))))
# TSan intercepts close(): every close comes from its interceptor, so gc_closed is off there.
LANG_FLAGS_tsan := --close-intercepted

check-lang: $(B)/.deps-check $(B)/sockleak $(B)/libsockleak.so \
            $(B)/sockleak-python/sitecustomize.py tests/lang/run.py
	@mkdir -p $(B)/test-results
	python3 tests/lang/run.py --sockleak $(B)/sockleak --src tests/lang \
		--results $(B)/test-results/lang $(if $(LANG_SANRT),--preload-first $(LANG_SANRT)) $(LANG_FLAGS_$(SAN))
