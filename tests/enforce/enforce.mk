# Issue 4: enforcement (enforce=1): leaked sockets are shut down, the program keeps working,
# healthy connections are never cut, annotated sockets are left alone (tests/lib: tl.h,
# harness.py, the TL_GROUP rules).

HELP_LINES += '  make check-enforce     enforce=1: shutdown of leaks, no healthy connection cut (tests/enforce)'
$(eval $(call TL_GROUP,enforce,en_leaky_server en_exempt en_churn_server en_churn_client en_sendfile_server en_slow_reader))
