# tools/: the `sockleak` command (report, and run when tools/run.c exists).
# Every tools/*.c links into $(B)/sockleak; the analysis objects also form a static library
# that tests and the fuzz target link.

TOOLS_SRC      := $(sort $(wildcard tools/*.c))
TOOLS_OBJ      := $(patsubst %.c,$(B)/obj/%.o,$(TOOLS_SRC))
# the command front ends; everything else is the reusable analysis
TOOLS_CMD_SRC  := tools/main.c $(wildcard tools/cmd_*.c) $(wildcard tools/run.c) \
                  tools/live.c tools/live_out.c tools/cwdiag.c
TOOLS_LIB_OBJ  := $(patsubst %.c,$(B)/obj/%.o,$(filter-out $(TOOLS_CMD_SRC),$(TOOLS_SRC)))
# (no jansson: lines are read by tools/jscan.c and JSON written by tools/jwrite.c; the tests
# that hold those to jansson link it themselves)
TOOLS_PKGS     := libdw libmicrohttpd
# Pure code of the preload (no I/O) the tools use too: the option parser (run and top read
# SOCKLEAK_OPTIONS with it), and the suppression matcher, which the analysis needs (so it is in
# libsl_analysis.a as well): one definition of each for both halves.
TOOLS_LIB_SHARED := $(B)/obj/preload/suppmatch.o $(B)/obj/preload/sitekey.o
TOOLS_SHARED   := $(B)/obj/preload/options.o $(B)/obj/preload/json.o $(TOOLS_LIB_SHARED)
TOOLS_CFLAGS   = $(shell pkg-config --cflags $(TOOLS_PKGS) 2>/dev/null)
# __cxa_demangle (tools/demangle.c) from Debian's libstdc++6, which needs no -dev package.
TOOLS_CXXABI   := -l:libstdc++.so.6
TOOLS_LIBS     = $(shell pkg-config --libs $(TOOLS_PKGS) 2>/dev/null || \
                   echo -ldw -lelf -lmicrohttpd) $(TOOLS_CXXABI)

$(B)/obj/tools/%.o: tools/%.c $(B)/.deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TOOLS_CFLAGS) -Itools -c $< -o $@

$(B)/libsl_analysis.a: $(TOOLS_LIB_OBJ) $(TOOLS_LIB_SHARED)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/sockleak: $(TOOLS_OBJ) $(TOOLS_SHARED)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(TOOLS_LIBS)

.PHONY: tools
tools: $(B)/sockleak $(B)/libsl_analysis.a

ALL_TARGETS += $(B)/sockleak $(B)/libsl_analysis.a
HELP_LINES  += "  make tools        build $(B)/sockleak (report; run when tools/run.c exists)"
