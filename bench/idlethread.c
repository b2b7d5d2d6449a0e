/* Control for the nginx and redis counts: a preload that does nothing but start one idle
 * pthread, as libsockleak.so's watchdog did before it ran on a raw thread (raw_thread=0 still
 * does). It isolates what making a single-threaded program multi-threaded costs by itself:
 * glibc then takes the slow path of every cancellable syscall wrapper
 * (__pthread_enable/disable_asynccancel) and of malloc (arena locking). */
#include <pthread.h>
#include <unistd.h>

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

__attribute__((constructor)) static void start(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, idle, NULL) == 0)
		pthread_detach(t);
}
