/* Program linked against libsc_ctor.so (see sc_ctor_lib.c): prints what the library's
 * constructor got from each call, so run.py can compare runs with and without the preload,
 * then names the socket the constructor leaked and waits.
 * Usage: sc_ctor_main    prints "ctor ..." lines, "sock FD INODE", "ready". */
#include "tl.h"
#include "sc_ctor_lib.h"

int main(void)
{
	const struct sc_ctor_result *r = sc_ctor_result();

	tl_say("ctor listen_fd=%ld client_fd=%ld accepted_fd=%ld", r->listen_fd, r->client_fd,
	       r->accepted_fd);
	tl_say("ctor connect=%ld errno=%d write=%ld close=%ld read_bytes=%ld eof=%ld",
	       r->connect_ret, r->connect_errno, r->write_ret, r->close_client_ret, r->read_bytes,
	       r->eof_ret);
	if (r->accepted_fd >= 0)
		tl_report_sock((int)r->accepted_fd);
	tl_say("ready");
	tl_wait_stdin_eof();
	return 0;
}
