/* A fork-per-connection server for the report tests, run under libsockleak.so. The parent
 * accepts and forks; the child reads the request to EOF, answers and closes (close_shared: the
 * parent still holds the socket, so no FIN). The parent forgets its own close(), so the socket
 * sits in CLOSE_WAIT in the parent once the client hangs up. Over 127.0.0.1 only; waits for
 * its leak records by polling its own log with a deadline. Env: LEAK_LOG_PREFIX. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tl.h"

#define NCONN 2

static int port;

static void *client(void *arg)
{
	(void)arg;
	for (int i = 0; i < NCONN; i++) {
		struct sockaddr_in sa = {.sin_family = AF_INET,
					 .sin_port = htons((uint16_t)port),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		struct timeval tv = {5, 0};
		char buf[16];
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			continue;
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		if (!connect(s, (struct sockaddr *)&sa, sizeof sa)) {
			if (write(s, "ping", 4) != 4)
				perror("write");
			shutdown(s, SHUT_WR);
			if (read(s, buf, 4) != 4)
				fprintf(stderr, "fork_server: client: short reply\n");
		}
		close(s); /* FIN: the server's socket goes to CLOSE_WAIT */
	}
	return NULL;
}

static void handle(int c)
{
	char buf[64];
	while (read(c, buf, sizeof buf) > 0) {
	}
	if (write(c, "pong", 4) != 4)
		perror("write");
	close(c); /* SITE:child-close: the parent still holds it, so no FIN goes out */
}

int main(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof sa;
	pthread_t th;
	int kids[NCONN];
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	alarm(30);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) || listen(lfd, 8) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &l))
		return 2;
	port = ntohs(sa.sin_port);
	if (pthread_create(&th, NULL, client, NULL))
		return 2;
	for (int i = 0; i < NCONN; i++) {
		int c = accept(lfd, NULL, NULL); /* SITE:accept */
		if (c < 0)
			return 2;
		pid_t pid = fork(); /* SITE:fork */
		if (pid == 0) {
			handle(c);
			exit(0);
		}
		kids[i] = (int)pid;
		/* BUG (on purpose): the parent never closes c */
	}
	pthread_join(th, NULL);
	for (int i = 0; i < NCONN; i++)
		waitpid(kids[i], NULL, 0);
	const char *pre = getenv("LEAK_LOG_PREFIX");
	if (pre && tl_wait_leak_records(pre, NCONN, 15000) < 0) {
		fprintf(stderr, "fork_server: not %d leak records after 15 s\n", NCONN);
		return 1;
	}
	printf("fork_server parent %d children %d %d\n", (int)getpid(), kids[0], kids[1]);
	return 0;
}
