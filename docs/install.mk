# Install the `sockleak` command, its man pages and a pkg-config file generated with the
# PREFIX (preload/preload.mk installs libsockleak.so and sockleak.h). DESTDIR for packaging.

PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DOC_MANS     := docs/sockleak.1 docs/sockleak.7

INSTALL_TARGETS   += install-tools
UNINSTALL_TARGETS += uninstall-tools
.PHONY: install-tools uninstall-tools

# sockleak.pc: the header's include path, and where the preload is (nothing to link: the
# annotations in sockleak.h are weak; `pkg-config --variable=preload sockleak` gives the path).
$(B)/sockleak.pc: FORCE_PC
	@mkdir -p $(@D)
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCDIR)' \
		'preload=$${libdir}/libsockleak.so' '' 'Name: sockleak' \
		'Description: find TCP sockets leaked in CLOSE_WAIT (LD_PRELOAD library, annotations)' \
		'Version: $(VERSION)' 'Cflags: -I$${includedir}' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
.PHONY: FORCE_PC

install-tools: $(B)/sockleak $(B)/sockleak.pc $(DOC_MANS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man7
	install -m 0755 $(B)/sockleak $(DESTDIR)$(BINDIR)/sockleak
	install -m 0644 $(B)/sockleak.pc $(DESTDIR)$(PKGCONFIGDIR)/sockleak.pc
	install -m 0644 docs/sockleak.1 $(DESTDIR)$(MANDIR)/man1/sockleak.1
	install -m 0644 docs/sockleak.7 $(DESTDIR)$(MANDIR)/man7/sockleak.7

uninstall-tools:
	rm -f $(DESTDIR)$(BINDIR)/sockleak $(DESTDIR)$(PKGCONFIGDIR)/sockleak.pc \
		$(DESTDIR)$(MANDIR)/man1/sockleak.1 $(DESTDIR)$(MANDIR)/man7/sockleak.7
