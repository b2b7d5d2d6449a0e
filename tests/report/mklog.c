/* mklog: writes a sockleak log (docs/log-format.md) by hand, but with real stacks of this very
 * program, so `sockleak report` symbolises real frames (built with -g; one function is inlined).
 * Scenarios: a leaking server (eof_unclosed at an accept, close_wait at a connect), a fork
 * server story (parent, child, fork, close_shared, enforce), and an inherited leak.
 * Usage: mklog OUTFILE [BUILD_ID_OVERRIDE]. Lines marked SITE: are what the tests look for. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <execinfo.h>
#include <inttypes.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *out;
static const char *bid_override;
static const long long T0 = 1764000000000000000LL;

/* the GNU build-id of the object containing addr, hex */
struct bid {
	uintptr_t addr;
	char hex[129];
};
static int bid_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct bid *b = arg;
	(void)size;
	int mine = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && b->addr >= lo && b->addr < lo + ph->p_memsz)
			mine = 1;
	}
	if (!mine)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr), *e = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= e) {
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
			const unsigned char *desc =
				(const unsigned char *)(p + sizeof *n + ((n->n_namesz + 3) & ~3u));
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
			    !memcmp(p + sizeof *n, "GNU", 4)) {
				for (unsigned k = 0; k < n->n_descsz && k < 64; k++)
					sprintf(b->hex + 2 * k, "%02x", desc[k]);
				return 1;
			}
			p += sizeof *n + ((n->n_namesz + 3) & ~3u) + ((n->n_descsz + 3) & ~3u);
		}
	}
	return 1;
}

/* Emit a stack record for the current call stack (minus this function) and return its id. */
__attribute__((noinline)) static unsigned long long stack_rec(int pid, long long ts)
{
	void *ips[32], *caller = __builtin_return_address(0);
	int n = backtrace(ips, 32), first = 1;
	unsigned long long id = 1469598103934665603ull;
	/* start at our caller: sanitizer builds add frames of their own above it */
	for (int i = 0; i < n; i++)
		if (ips[i] == caller) {
			first = i;
			break;
		}
	for (int i = first; i < n; i++)
		id = (id ^ (uintptr_t)ips[i]) * 1099511628211ull;
	fprintf(out,
		"{\"v\":1,\"event\":\"stack\",\"ts_ns\":%lld,\"pid\":%d,\"tid\":%d,\"id\":\"%016llx\",\"frames\":[",
		ts, pid, pid, id);
	for (int i = first; i < n; i++) {
		Dl_info di;
		struct link_map *lm = NULL;
		char path[4096] = "";
		if (!dladdr1(ips[i], &di, (void **)&lm, RTLD_DL_LINKMAP) || !lm)
			continue;
		if (lm->l_name && lm->l_name[0])
			snprintf(path, sizeof path, "%s", lm->l_name);
		else if (!realpath("/proc/self/exe", path))
			continue;
		struct bid b = {(uintptr_t)ips[i], ""};
		dl_iterate_phdr(bid_cb, &b);
		fprintf(out,
			"%s{\"ip\":\"%p\",\"module\":\"%s\",\"offset\":\"0x%" PRIxPTR
			"\",\"symbol\":",
			i > first ? "," : "", ips[i], path, (uintptr_t)ips[i] - lm->l_addr);
		if (di.dli_sname)
			fprintf(out, "\"%s\"", di.dli_sname);
		else
			fprintf(out, "null");
		if (bid_override || b.hex[0])
			fprintf(out, ",\"build_id\":\"%s\"}", bid_override ? bid_override : b.hex);
		else
			fprintf(out, ",\"build_id\":null}");
	}
	fprintf(out, "]}\n");
	return id;
}

static void start(int pid, int ppid, const char *origin, long long ts)
{
	char exe[4096] = "";
	if (!realpath("/proc/self/exe", exe))
		strcpy(exe, "mklog");
	fprintf(out,
		"{\"v\":1,\"event\":\"start\",\"ts_ns\":%lld,\"pid\":%d,\"tid\":%d,\"ppid\":%d,\"exe\":\"%s\",\"argv0\":\"./mklog\",\"boot_id\":\"0b0b0b0b-1111-2222-3333-444455556666\",\"host\":\"testhost\",\"version\":\"0.1.0\",\"origin\":\"%s\",\"options\":{\"grace_ms\":300,\"scan_ms\":50}}\n",
		ts, pid, pid, ppid, exe, origin);
}

static void leak(int pid, const char *kind, int fd, unsigned long inode, const char *peer,
		 const char *role, long long age, unsigned long long os, unsigned long long es,
		 const char *shared, int inherited, long long ts, long long open_ts)
{
	char o[32] = "null", e[32] = "null";
	if (os)
		snprintf(o, sizeof o, "\"%016llx\"", os);
	if (es)
		snprintf(e, sizeof e, "\"%016llx\"", es);
	fprintf(out,
		"{\"v\":1,\"event\":\"leak\",\"ts_ns\":%lld,\"pid\":%d,\"tid\":%d,\"kind\":\"%s\",\"fd\":%d,\"fds\":[%d],\"inode\":%lu,\"gen\":1,\"family\":\"inet\",\"local\":\"127.0.0.1:8080\",\"peer\":\"%s\",\"tcp_state\":\"CLOSE_WAIT\",\"role\":\"%s\",\"age_ms\":%lld,\"open_age_ms\":%lld,\"open_ts_ns\":%lld,\"eof_ts_ns\":%s,\"cw_ts_ns\":%lld,\"open_stack\":%s,\"eof_stack\":%s,\"last_io_stack\":null,\"shared_with\":[%s],\"inherited\":%s,\"future_field\":{\"x\":[1,2]}}\n",
		ts, pid, pid + 1, kind, fd, fd, inode, peer, role, age, (ts - open_ts) / 1000000LL,
		open_ts, es ? "1764000000500000000" : "null", ts - age * 1000000LL, o, e, shared,
		inherited ? "true" : "false");
}

/* The "program": each function stands for code that calls accept/read/connect. */
__attribute__((noinline)) static unsigned long long do_accept(int pid, long long ts)
{
	return stack_rec(pid, ts); /* SITE:accept */
}

static inline __attribute__((always_inline)) unsigned long long read_request(int pid, long long ts)
{
	return stack_rec(pid, ts); /* SITE:eof-read */
}

__attribute__((noinline)) static unsigned long long handle_client(int pid, long long ts)
{
	unsigned long long id = read_request(pid, ts); /* SITE:inlined-call */
	return id;
}

__attribute__((noinline)) static unsigned long long dial_backend(int pid, long long ts)
{
	return stack_rec(pid, ts); /* SITE:connect */
}

__attribute__((noinline)) static unsigned long long fork_worker(int pid, long long ts)
{
	return stack_rec(pid, ts); /* SITE:fork */
}

__attribute__((noinline)) static unsigned long long child_close(int pid, long long ts)
{
	return stack_rec(pid, ts); /* SITE:child-close */
}

int main(int argc, char **argv)
{
	if (argc < 2 || !(out = fopen(argv[1], "w"))) {
		fprintf(stderr, "usage: mklog OUTFILE [BUILD_ID]\n");
		return 2;
	}
	bid_override = argc > 2 ? argv[2] : NULL;
	long long t = T0;
	/* leaky server, pid 100: three accepted sockets read to EOF and never closed */
	start(100, 1, "exec", t);
	unsigned long long acc = do_accept(100, t + 1000000);
	unsigned long long eof = handle_client(100, t + 2000000);
	for (int i = 0; i < 3; i++) {
		char peer[32];
		snprintf(peer, sizeof peer, "127.0.0.1:%d", 40000 + i);
		leak(100, i == 2 ? "exit_open" : "eof_unclosed", 5 + i, 5000 + (unsigned)i, peer,
		     "accepted", 300 + i * 100, acc, eof, "", 0, t + 900000000LL + i * 1000000LL,
		     t + 1000000);
	}
	/* one connected socket whose peer closed, EOF never read */
	unsigned long long con = dial_backend(100, t + 3000000);
	leak(100, "close_wait", 9, 6000, "127.0.0.1:6379", "connected", 450, con, 0, "", 0,
	     t + 950000000LL, t + 3000000);
	fprintf(out,
		"{\"v\":1,\"event\":\"exit\",\"ts_ns\":%lld,\"pid\":100,\"tid\":100,\"tracked\":5,\"open\":4,\"leaked\":4,\"enforced\":0}\n",
		t + 1000000000LL);

	/* fork server: parent 200 accepts, forks 201, child closes (no FIN: parent holds it),
	 * parent leaks it in CLOSE_WAIT and enforcement shuts it down */
	t += 2000000000LL;
	start(200, 1, "exec", t);
	unsigned long long acc2 = do_accept(200, t + 1000000);
	unsigned long long fk = fork_worker(200, t + 2000000);
	fprintf(out,
		"{\"v\":1,\"event\":\"fork\",\"ts_ns\":%lld,\"pid\":200,\"tid\":200,\"child\":201,\"sockets\":[{\"fd\":4,\"inode\":7000}],\"stack\":\"%016llx\"}\n",
		t + 2000000, fk);
	start(201, 200, "fork", t + 3000000);
	unsigned long long cc = child_close(201, t + 50000000);
	fprintf(out,
		"{\"v\":1,\"event\":\"close_shared\",\"ts_ns\":%lld,\"pid\":201,\"tid\":201,\"fd\":4,\"inode\":7000,\"remaining_fds\":[],\"shared_with\":[200],\"stack\":\"%016llx\"}\n",
		t + 50000000, cc);
	fprintf(out,
		"{\"v\":1,\"event\":\"exit\",\"ts_ns\":%lld,\"pid\":201,\"tid\":201,\"tracked\":1,\"open\":0,\"leaked\":0,\"enforced\":0}\n",
		t + 51000000);
	leak(200, "close_wait", 4, 7000, "127.0.0.1:41000", "accepted", 300, acc2, 0, "", 0,
	     t + 400000000LL, t + 1000000);
	fprintf(out,
		"{\"v\":1,\"event\":\"enforce\",\"ts_ns\":%lld,\"pid\":200,\"tid\":202,\"fd\":4,\"inode\":7000,\"kind\":\"close_wait\",\"action\":\"shutdown\",\"result\":0}\n",
		t + 400100000LL);
	/* an inherited socket leaked by an exec'd helper that got it without FD_CLOEXEC */
	fprintf(out,
		"{\"v\":1,\"event\":\"exec\",\"ts_ns\":%lld,\"pid\":200,\"tid\":200,\"path\":\"/bin/helper\",\"sockets\":[{\"fd\":6,\"inode\":7100,\"cloexec\":false}],\"stack\":\"%016llx\"}\n",
		t + 500000000LL, fk);
	leak(200, "exit_open", 6, 7100, "127.0.0.1:41001", "inherited", 100, 0, 0, "", 1,
	     t + 800000000LL, t + 500000000LL);
	fclose(out);
	return 0;
}
