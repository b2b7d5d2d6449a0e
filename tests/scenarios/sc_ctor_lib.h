/* libsc_ctor.so: sockets used from a shared library's constructor (see sc_ctor_lib.c). */
#ifndef SC_CTOR_LIB_H
#define SC_CTOR_LIB_H

struct sc_ctor_result {
	long listen_fd, client_fd, connect_ret, accepted_fd, write_ret, read_bytes, eof_ret;
	long close_client_ret;
	int connect_errno;
};

const struct sc_ctor_result *sc_ctor_result(void);
int sc_ctor_accept(int lfd);
long sc_ctor_read_to_eof(int fd, long *last);
void sc_ctor_open_and_read(void);

#endif
