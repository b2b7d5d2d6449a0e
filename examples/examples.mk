# The demo programs (examples/) and `make demo`.
EXAMPLES := $(B)/examples/leaky-server $(B)/examples/demo-client
ALL_TARGETS += $(EXAMPLES)

$(B)/examples/%: examples/%.c $(B)/.deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -O0 -g -o $@ $<

demo: all
	@./scripts/demo.sh $(B)
