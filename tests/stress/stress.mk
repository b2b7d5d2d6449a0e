# Issue 7: stress, each case bounded in time: signals inside wrappers, fork under churn, many
# threads against a fast watchdog, descriptors above 65536, EMFILE, every log line valid
# JSON, the watchdog's raw thread (its TLS, its credentials), no memory for the tables, and no
# syscall of ours for a connection shorter than a scan (tests/lib: tl.h, harness.py, the
# TL_GROUP rules). STRESS_ONLY=NAME[,NAME] runs only those cases.

# The signal case needs this many handled signals to count. TSan delivers a signal only at
# its next interceptor: seen here, 8,600 to 20,000 handled in the 30 s the case allows where a
# plain build handles 10,000 in a few seconds, so a TSan build's floor is 2,000.
STRESS_MIN_SIGNALS ?= $(if $(filter tsan,$(SAN)),2000,10000)

HELP_LINES += '  make check-stress      signals, fork, thread churn, fd>65536, EMFILE, no memory, raw thread'
$(eval $(call TL_GROUP,stress,st_signals st_fork st_churn st_highfd st_emfile st_rthread st_nomem \
	st_short st_perfmap,,$$(if $$(STRESS_ONLY),--only $$(STRESS_ONLY)),STRESS_MIN_SIGNALS=$$(STRESS_MIN_SIGNALS)))
