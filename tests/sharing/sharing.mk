# Issue 3: sockets shared across fork, exec, dup and SCM_RIGHTS, and programs that close every
# descriptor. Real processes over loopback under LD_PRELOAD, judged by run.py from their logs
# (tests/lib: tl.h, harness.py, the TL_GROUP rules).

HELP_LINES += '  make check-sharing     fork/exec/dup/SCM_RIGHTS sharing and close-all (tests/sharing)'
$(eval $(call TL_GROUP,sharing,sh_fork_server sh_exec_parent sh_helper sh_dup sh_scm \
	sh_closeall sh_dup2 sh_vfork sh_exec_fail))
