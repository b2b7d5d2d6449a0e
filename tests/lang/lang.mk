# Leaks named in the program's own language (issue 13): Python, node, perl and the JVM under
# `sockleak run` (tests/lang/run.py). Interpreters come from scripts/deps.sh's check group.

.PHONY: check-lang
CHECK_TARGETS += check-lang
HELP_LINES += '  make check-lang   Python, node, perl and Java leaks named in their own code'

# Sanitizer builds: the sanitizer runtime (TL_SANRT, tests/lib/lib.mk) comes first in LD_PRELOAD.
# TSan intercepts close(): every close comes from its interceptor, so gc_closed is off there.
LANG_FLAGS_tsan := --close-intercepted

check-lang: $(B)/.deps-check $(B)/sockleak $(B)/libsockleak.so \
            $(B)/sockleak-python/sitecustomize.py tests/lang/run.py \
            $(TL_HARNESS) $(TL_SRC)/leakwait.py
	@mkdir -p $(B)/test-results
	python3 tests/lang/run.py --sockleak $(B)/sockleak --src tests/lang \
		--results $(B)/test-results/lang $(if $(TL_SANRT),--preload-first $(TL_SANRT)) $(LANG_FLAGS_$(SAN))
