# The log format's table (preload/logformat.h) as JSON, for the Python harnesses that read log
# records (tests/lib/logformat.py checks every record against it). Built from the same header
# the library writes from; the groups whose harnesses read records depend on it, and find it
# through SL_LOGFORMAT_JSON.

LOGFORMAT_DUMP := $(B)/tests/lib/logformat_dump
LOGFORMAT_JSON := $(B)/tests/lib/logformat.json
export SL_LOGFORMAT_JSON := $(abspath $(LOGFORMAT_JSON))

$(LOGFORMAT_DUMP): tests/lib/logformat_dump.c preload/logformat.h preload/kinds.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) -O1 -D_GNU_SOURCE -o $@ $<

$(LOGFORMAT_JSON): $(LOGFORMAT_DUMP)
	$(LOGFORMAT_DUMP) >$@.tmp && mv $@.tmp $@

# Every group whose driver imports harness.py (its log_records and validate check records).
check-scenarios check-noasm check-sharing check-enforce check-host check-hostile check-stress \
check-run check-ops check-lang: $(LOGFORMAT_JSON)
