/* A JIT's perf map of 48 MiB while other threads write records: the watchdog names the leak's
 * JIT frame from /tmp/perf-PID.map (perfmap.c), which takes it a while; meanwhile this thread
 * keeps closing one of two descriptors of a connection, each close writing a close_shared
 * record at once. Reading the map under the log lock held every such close back for the whole
 * read. The leaked socket is accepted through a stub of machine code in an anonymous mapping
 * (a frame in no module) that the map's last line names st_jit_stub.
 * Usage: st_perfmap PREFIX (log_path). Prints "read_ms R" (this program's own read and parse of
 * the map: the scale of the preload's) and "closes N max_us M" (the slowest close()), and
 * exits at stdin EOF after removing the map. */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "tl.h"

static int lfd, port, leaked = -1;
static char map[64];

void serve_leak(void);
void serve_leak(void) { leaked = tl_accepted_at_eof(lfd, port); }

/* sub $8,%rsp; call *%rdi; add $8,%rsp; ret: a frame whose return address is in no module */
static const unsigned char stub_code[] = {0x48, 0x83, 0xec, 0x08, 0xff, 0xd7,
					  0x48, 0x83, 0xc4, 0x08, 0xc3};

static void write_map(uintptr_t stub)
{
	FILE *f;
	size_t total = 0;

	snprintf(map, sizeof map, "/tmp/perf-%d.map", (int)getpid());
	unlink(map);
	if (!(f = fopen(map, "w")))
		tl_die("perf map");
	/* lines that cover other code, then the stub's */
	for (unsigned long i = 0; total < (48u << 20); i++)
		total += (size_t)fprintf(f, "%lx 40 LazyCompile:~filler_%lu /srv/app.js:1\n",
					 0x100000000ul + i * 0x40, i);
	fprintf(f, "%lx %zx st_jit_stub\n", (unsigned long)stub, sizeof(stub_code));
	if (fclose(f) || chmod(map, 0644))
		tl_die("perf map");
}

/* What reading the map costs, as perfmap.c reads it: 64 KiB chunks, two numbers a line. */
static long long read_map_ms(void)
{
	static char buf[65536];
	long long t0 = tl_now_ms();
	unsigned long long sum = 0;
	int fd = open(map, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		tl_die("open map");
	while ((r = read(fd, buf, sizeof buf - 1)) > 0) {
		char *p = buf, *e;

		buf[r] = '\0';
		while ((e = strchr(p, '\n'))) {
			sum += strtoull(p, NULL, 16);
			p = e + 1;
		}
	}
	close(fd);
	return tl_now_ms() - t0 + (sum == 1);
}

int main(int argc, char **argv)
{
	void *mem;
	long long end, max_us = 0;
	int n = 0;

	if (argc < 2)
		return TL_EXIT_SETUP;
	lfd = tl_listen(&port, 0);
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	if (mem == MAP_FAILED)
		return TL_EXIT_SETUP;
	memcpy(mem, stub_code, sizeof(stub_code));
	write_map((uintptr_t)mem);
	tl_say("read_ms %lld", read_map_ms());
	((void (*)(void (*)(void)))mem)(serve_leak);
	tl_report_sock(leaked);
	/* until the leak record is in the log (its stack record before it), and a little more */
	end = tl_now_ms() + TL_MAX_WAIT_MS;
	for (long long done = 0; tl_now_ms() < end && (!done || tl_now_ms() < done + 200); n++) {
		int c = tl_connect(port), a = accept(lfd, NULL, NULL), d = dup(a);
		struct timespec t0, t1;

		if (c < 0 || a < 0 || d < 0)
			tl_die("connection");
		clock_gettime(CLOCK_MONOTONIC, &t0);
		close(a);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if ((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000 > max_us)
			max_us = (t1.tv_sec - t0.tv_sec) * 1000000 +
				 (t1.tv_nsec - t0.tv_nsec) / 1000;
		close(d);
		close(c);
		if (!done && n % 16 == 0 && tl_leak_records(argv[1]) > 0)
			done = tl_now_ms();
	}
	unlink(map);
	tl_say("closes %d max_us %lld", n, max_us);
	tl_wait_stdin_eof();
	return 0;
}
