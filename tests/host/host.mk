# Issue 10, "the host behaves exactly as without the library": thread stacks (TLS size, node,
# Python and C threads with small stacks), the exit summary never sent to a peer on fd 2, the
# descriptor budget under a low RLIMIT_NOFILE, fork children that touch no socket, and every
# leak of a scan recorded. Real processes under LD_PRELOAD, judged by run.py (tests/lib: tl.h,
# harness.py, the TL_GROUP rules). HOST_ONLY=NAME[,NAME] runs only those cases.

HELP_LINES += '  make check-host        host unchanged: thread stacks, fd 2, fd budget, fork cost, all leaks'
$(eval $(call TL_GROUP,host,ho_fds ho_thread ho_inetd ho_forks ho_leaks ho_start ho_start_net ho_rlimit ho_accepts,\
	$(B)/sockleak,$$(if $$(SAN),--san $$(SAN)) $$(if $$(HOST_ONLY),--only $$(HOST_ONLY))))

# The same program calling socket() and accept() itself, as a network program does.
$(B)/tests/host/ho_start_net: tests/host/ho_start.c $(TL_HEADER)
	@mkdir -p $(@D)
	$(CC) $(TL_CFLAGS) -DHO_NET -o $@ $< -pthread $(LDFLAGS)
