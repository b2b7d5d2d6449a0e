# libsockleak.so: the LD_PRELOAD interposer.
PRELOAD_SRC := $(wildcard preload/*.c)
PRELOAD_ASM := $(wildcard preload/*.S)
PRELOAD_OBJ := $(patsubst preload/%.c,$(B)/obj/preload/%.o,$(PRELOAD_SRC)) \
	       $(patsubst preload/%.S,$(B)/obj/preload/%.o,$(PRELOAD_ASM))
# Position-independent, hidden by default, TLS that never allocates.
PRELOAD_CFLAGS := -fPIC -fvisibility=hidden -ftls-model=initial-exec -pthread
# libgcc's unwinder is linked in, its symbols hidden (--exclude-libs): stacks map no other
# object; libunwind is dlopen'ed RTLD_LOCAL for code without unwind information (stack.c).
PRELOAD_LIBS := -ldl -pthread -static-libgcc

ALL_TARGETS += $(B)/libsockleak.so

$(B)/obj/preload/%.o: preload/%.c $(B)/.deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PRELOAD_CFLAGS) -c $< -o $@

# The plain I/O path in assembly (x86-64; empty elsewhere, where the C wrappers are built).
$(B)/obj/preload/%.o: preload/%.S preload/hot.h $(B)/.deps-build
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PRELOAD_CFLAGS) -c $< -o $@

$(B)/libsockleak.so: $(PRELOAD_OBJ) preload/exports.map
	$(CC) -shared $(SANFLAGS) $(LDFLAGS) -o $@ $(PRELOAD_OBJ) \
		-Wl,--version-script=preload/exports.map -Wl,--exclude-libs,ALL -Wl,-z,now \
		-Wl,-z,relro -Wl,--sort-section=name -Wl,-fini=sl_fini $(PRELOAD_LIBS)

INSTALL_TARGETS += install-preload
UNINSTALL_TARGETS += uninstall-preload
.PHONY: install-preload uninstall-preload
install-preload: $(B)/libsockleak.so
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(LIBDIR)/sockleak-python
	install -m 0755 $(B)/libsockleak.so $(DESTDIR)$(LIBDIR)/libsockleak.so
	install -m 0644 preload/python/sitecustomize.py $(DESTDIR)$(LIBDIR)/sockleak-python/
	install -m 0644 include/sockleak.h $(DESTDIR)$(INCDIR)/sockleak.h
uninstall-preload:
	rm -f $(DESTDIR)$(LIBDIR)/libsockleak.so $(DESTDIR)$(INCDIR)/sockleak.h
	rm -rf $(DESTDIR)$(LIBDIR)/sockleak-python

# The Python hook (docs/languages.md), found by the library next to itself.
$(B)/sockleak-python/sitecustomize.py: preload/python/sitecustomize.py
	@mkdir -p $(@D)
	cp $< $@
ALL_TARGETS += $(B)/sockleak-python/sitecustomize.py
