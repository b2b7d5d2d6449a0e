# bench-report: `sockleak report` on 1,000,000-line generated logs and on 1,000,000 distinct
# sites, time and peak RSS. Its lines go to the terminal and to results/report.md; its exit
# status is the target's.
.PHONY: bench-report
BENCH_REPORT_RUN = mkdir -p $(B)/bench/results; \
	{ ./bench/report-bench.sh $(B) 2>&1; echo $$? >$(B)/bench/results/report.rc; } | \
		tee $(B)/bench/results/report.md; [ "$$(cat $(B)/bench/results/report.rc)" = 0 ]
bench-report: $(B)/sockleak $(B)/tests/report/leaky_server
	@$(BENCH_REPORT_RUN)

HELP_LINES += "  make bench-report  time sockleak report on 1,000,000-line logs and 1,000,000 sites (peak RSS too)"
