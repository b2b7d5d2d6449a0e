/* librn_fetch.so: a library that leaks for its caller (rn_libclient), so that a suppression can
 * name it by module, as LSan users write `leak:libfoo.so`. */
#include "tl.h"

int rn_lib_fetch(int port);

/* Connects, reads to EOF, and returns the socket without closing it. */
int rn_lib_fetch(int port)
{
	char buf[64];
	int fd = tl_connect_or_die(port);

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return fd;
}
