# bench-report: `sockleak report` on 1,000,000-line generated logs and on 1,000,000 distinct
# sites, time and peak RSS.
.PHONY: bench-report
bench-report: $(B)/sockleak $(B)/tests/report/leaky_server
	./bench/report-bench.sh $(B)

bench: bench-report
HELP_LINES += "  make bench-report  time sockleak report on 1,000,000-line logs and 1,000,000 sites (peak RSS too)"
