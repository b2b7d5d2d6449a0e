# Issue 10, items 5-9 and 11: nobody else can use the library to write, read or hang anything,
# and no record is lost or mangled. Real files planted by an attacker, a setuid program under
# /etc/ld.so.preload (in a private mount namespace), a FIFO and /dev/stdin as suppressions, a
# full tmpfs, a real logrotate run, privilege drops. Needs root (CI is); cases that cannot set
# up say "skip". tests/lib: tl.h, harness.py, the TL_GROUP rules. HOSTILE_ONLY=NAME[,NAME].

HELP_LINES += '  make check-hostile     symlinks, FIFOs, setuid, full disk, logrotate, privilege drops (as root)'
$(eval $(call TL_GROUP,hostile,hf_host,$(B)/sockleak,\
	$$(if $$(HOSTILE_ONLY),--only $$(HOSTILE_ONLY))))
