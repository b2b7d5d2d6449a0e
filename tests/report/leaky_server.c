/* A leaking server for the report tests, run under libsockleak.so. Over 127.0.0.1 only:
 *  - serve_one() reads a request until EOF and forgets close(): eof_unclosed at its accept;
 *  - dial_backend() connects to a backend that hangs up, never reads: close_wait, located at
 *    the socket() call of dial() (the preload records a connected socket's open stack there).
 * It waits (with a deadline, by polling its own sockleak log) until the preload has reported
 * every leak, then exits normally. Env: LEAK_LOG_PREFIX (the log_path prefix). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "tl.h"

#define NCLIENTS 3

static int port;

static int listener(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof sa;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) || listen(s, 16) ||
	    getsockname(s, (struct sockaddr *)&sa, &l)) {
		perror("listener");
		exit(2);
	}
	port = ntohs(sa.sin_port);
	return s;
}

static int dial(int p)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)p),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {5, 0};
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); /* SITE:socket (the open stack) */
	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(s, (struct sockaddr *)&sa, sizeof sa)) {
		close(s);
		return -1;
	}
	return s;
}

static void *clients(void *arg)
{
	(void)arg;
	for (int i = 0; i < NCLIENTS; i++) {
		int s = dial(port);
		if (s < 0)
			continue;
		if (write(s, "hello\n", 6) != 6)
			perror("write");
		close(s); /* our side is fine: the server is the one that leaks */
	}
	return NULL;
}

static void serve_one(int lfd)
{
	char buf[256];
	struct timeval tv = {5, 0};
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC); /* SITE:accept */
	if (c < 0)
		return;
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	while (read(c, buf, sizeof buf) > 0) { /* SITE:eof-read */
	}
	/* BUG (on purpose): no close(c) after EOF */
}

/* The backend accepts and hangs up at once; we never read the EOF. */
static int dial_backend(int blfd)
{
	int s = dial(port);
	int b = accept4(blfd, NULL, NULL, SOCK_CLOEXEC);
	if (b >= 0)
		close(b);
	return s;
}

int main(void)
{
	pthread_t th;
	int lfd = listener();
	alarm(30); /* a hung test must not hang CI */
	if (pthread_create(&th, NULL, clients, NULL))
		return 2;
	for (int i = 0; i < NCLIENTS; i++)
		serve_one(lfd);
	pthread_join(th, NULL);
	int backend = dial_backend(lfd);
	(void)backend;
	/* wait for the preload's watchdog to report all of them, bounded */
	const char *pre = getenv("LEAK_LOG_PREFIX");
	if (pre && tl_wait_leak_records(pre, NCLIENTS + 1, 15000) < 0) {
		fprintf(stderr, "leaky_server: not %d leak records after 15 s\n", NCLIENTS + 1);
		return 1;
	}
	printf("leaky_server pid %d port %d\n", (int)getpid(), port);
	return 0;
}
