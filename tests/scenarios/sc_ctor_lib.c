/* A library whose constructor does TCP work before libsockleak.so's constructor has run (run.py
 * checks that order with LD_DEBUG=files): listen, connect, accept, write, read to EOF, and keep
 * the accepted socket open: a leak made before sockleak was initialised.
 * Proves (with sc_ctor_main): those calls return what they return without the preload, and the
 * socket is tracked all the same: an `eof_unclosed` leak naming sc_ctor_accept() and
 * sc_ctor_read_to_eof(). Built as libsc_ctor.so; sc_ctor_main links against it. */
#include "tl.h"
#include "sc_ctor_lib.h"

static struct sc_ctor_result result;

const struct sc_ctor_result *sc_ctor_result(void) { return &result; }

int sc_ctor_accept(int lfd) { return accept(lfd, NULL, NULL); }

long sc_ctor_read_to_eof(int fd, long *last)
{
	char buf[64];
	long total = 0, n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		total += n;
	*last = n;
	return total;
}

void sc_ctor_open_and_read(void)
{
	int port, lfd = tl_listen(&port, 0), cfd, afd;
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

	result.listen_fd = lfd;
	result.client_fd = cfd = socket(AF_INET, SOCK_STREAM, 0);
	errno = 0;
	result.connect_ret = connect(cfd, (struct sockaddr *)&to, sizeof to);
	result.connect_errno = errno;
	result.accepted_fd = afd = sc_ctor_accept(lfd);
	result.write_ret = write(cfd, "from a constructor", 18);
	result.close_client_ret = close(cfd);
	result.read_bytes = sc_ctor_read_to_eof(afd, &result.eof_ret);
	close(lfd);
	/* afd stays open: the leak sockleak must find */
}

__attribute__((constructor)) static void sc_ctor_early(void) { sc_ctor_open_and_read(); }
