/* Call stacks: captured with libunwind only on transitions (open, EOF, close of a shared or
 * leaked socket, fork, exec), de-duplicated by a hash of their instruction pointers, resolved
 * to module + link-time offset + dynamic symbol once, and written once per log as a `stack`
 * record before the first record that names them. */
#ifndef SL_STACK_H
#define SL_STACK_H

#include "json.h"
#include "sl.h"

/* Capture the caller's stack (our own frames dropped). Returns a stack index, 0 for none.
 * Must be called without sl_lock held: it calls libunwind and dladdr, which take the dynamic
 * loader's lock. */
uint32_t sl_stack_capture(void);

/* The same, through a per-thread cache for the per-connection transitions (accept, socket,
 * EOF), keyed by the exported wrapper's return address (the program's call site: the wrapper
 * passes __builtin_return_address(0), which needs no frame pointer) and the frame address of
 * the track.c function that asks, which is the same for the same path to that call site: a
 * server's accept loop calls accept() from the same place at the same depth every time. The
 * opening stack cannot be taken later (the report needs it once the socket leaks), so it is
 * taken at every connection, and must cost next to nothing.
 * The call site and the depth do not tell the callers of a helper apart: rn_connect() called
 * from two functions at the same depth is the same key, and the second caller's sockets were
 * reported with the first's stack (scenario two_callers_one_helper). So a hit also checks the
 * callers: the miss's unwind found where the return addresses into frames #1 and #2 (the
 * caller of the function that called the wrapper, and its caller) are stored, at fixed
 * offsets from sp for this key, and the hit loads those words and compares their low 32 bits
 * (return addresses of one module differ there) with the ones it saw. Two levels, not one: a
 * sanitizer's interceptor between the program and the wrapper is frame #0 then, and the
 * helper frame #1. The loads are safe, in this order: the cache is the thread's, and an equal
 * key is the same function at the same depth, whose frame holds frame #1's return address
 * (the same address as at the miss, on the stack now); an equal frame #1 return address is
 * the same caller, whose frame holds frame #2's. Loaded before frame #1 matched, frame #2's
 * slot could lie past the top of a stack the program switches to (a coroutine's, whose caller
 * has a smaller frame). A site without a frame #1, or with a slot more than 512 KiB from sp,
 * is not cached: it unwinds every time, slow but never wrong; without a frame #2, frame #1 is checked
 * twice. A hit can still be wrong three frames up and beyond (a helper of a helper of a
 * helper reached at the same depth): one hit in SL_SITE_RECHECK still unwinds, so a stale
 * entry is corrected.
 * Measured in `bench/micro accept`: an unwind and its lookup cost ~5,000 instructions with
 * libunwind's trace cache, so 1 in 64 cost ~79 a connection, 1 in 1024 ~5; libgcc's unwinder,
 * linked in since (stack.c), parses each frame's CFI again, ~27,000 for nginx's accept (26 a
 * request at 1 in 1024, bench/nginx.sh), so 1 in 4096: ~7 (a busy server still corrects a
 * stale entry within seconds; the recheck keeps the slots it found); a new entry's search for
 * the slots is a second walk of a few frames. The hit itself is 23,
 * inline, with the callers' check: 263 -> 264 a connection. The check's two loads and
 * compares are paid for by the layout below (22 before, in 16-byte entries whose address took
 * four instructions) and by the recheck count counting down (one instruction, not five); 40
 * when the hit was a call that saved six registers for the miss path.
 * A preloaded library's thread-local storage comes out of every thread's stack, and
 * sockleak's must stay within 256 bytes in all (issue 10): 8 entries of 24 bytes as arrays of
 * each field (indexed by the hit's addressing, no multiply), low 32 bits of the call site (an
 * equal key in another module 4 GiB away would also need the same callers) and of the stack
 * pointer (a thread's stack is smaller than 4 GiB), and one recheck count for the thread: 196
 * bytes in one block (one TLS address for the hit), 220 in all. */
#define SL_SITES 8
#define SL_SITE_RECHECK 4096

struct sl_sites {
	uint32_t ret[SL_SITES];                /* the call site, low 32 bits */
	uint32_t sp[SL_SITES];                 /* low 32 bits */
	uint32_t up1[SL_SITES], up2[SL_SITES]; /* return addresses into frames #1, #2: low 32 */
	/* The stack. An empty entry (all zero) matches only a call site and a stack pointer
	 * whose low 32 bits are both 0 and a zero word at sp (it loads from sp itself). */
	uint32_t idx[SL_SITES];
	uint16_t at1[SL_SITES], at2[SL_SITES]; /* where they are: sp + 8 * at */
	uint32_t hits; /* hits left before the next recheck (a count down: one instruction) */
};

extern SL_TLS struct sl_sites sl_sites;
uint32_t sl_stack_capture_site(unsigned i, uintptr_t ret, uintptr_t sp);

/* The low 32 bits of the word at sp + 8 * at. */
static inline uint32_t sl_site_word(uintptr_t sp, unsigned at)
{
	uint32_t w;

	__builtin_memcpy(&w, (const void *)(sp + 8 * (uintptr_t)at), sizeof(w));
	return w;
}

/* Entry i is this call site's, at this depth, for these callers (in this order: see above). */
static inline int sl_site_match(unsigned i, uintptr_t ret, uintptr_t sp)
{
	return sl_sites.ret[i] == (uint32_t)ret && sl_sites.sp[i] == (uint32_t)sp &&
	       sl_site_word(sp, sl_sites.at1[i]) == sl_sites.up1[i] &&
	       sl_site_word(sp, sl_sites.at2[i]) == sl_sites.up2[i];
}

static inline uint32_t sl_stack_capture_at(uintptr_t ret, uintptr_t sp)
{
	unsigned i = (unsigned)((ret ^ sp) >> 4) % SL_SITES;

	if (SL_LIKELY(sl_site_match(i, ret, sp) && --sl_sites.hits != 0))
		return sl_sites.idx[i];
	return sl_stack_capture_site(i, ret, sp);
}

/* The same, SL_STACK_MAX frames deep whatever stack_depth says (handler.c). */
uint32_t sl_stack_capture_deep(void);

uint64_t sl_stack_id(uint32_t idx); /* 0 for none */

/* This image's executable (/proc/self/exe, read once; "?" when unreadable): the frames of
 * the main program, and the interpreter checks at start-up (langstack.c). */
const char *sl_self_exe(void);

/* Where the program handled a socket that its runtime opened (handler.c): a new stack with
 * open's frames and id(open, handler), which names handler as its handler stack. 0 when open
 * is unknown or has a handler already. Takes sl_lock; not with it held. */
uint32_t sl_stack_with_handler(uint32_t open, uint32_t handler);
uint32_t sl_stack_handler(uint32_t idx);  /* 0 for none */
int sl_stack_wants_handler(uint32_t idx); /* a stack that has no handler yet */

/* A function's code: [lo, hi). */
struct sl_range {
	uintptr_t lo, hi;
};
/* The code of the function `name` exported by some module of the process: 0 or ENOENT. */
int sl_stack_func_range(const char *name, struct sl_range *r);
/* An interpreter whose hooks take a stack at every connection (Perl's close, the Python
 * hook's hand-overs): libunwind takes its stacks from the first one on, where its cache makes a
 * warm unwind ~13x cheaper than libgcc's (docs/performance.md, Perl). Called by the constructor;
 * libunwind is loaded at the first stack, never on a low descriptor budget. */
void sl_stack_want_libunwind(void);
/* Whether the caller's stack, within depth frames, has a frame in callee called from one in
 * caller. An unwind, no symbol lookup: not for hot paths, not under sl_lock. */
int sl_stack_called_from(const struct sl_range *callee, const struct sl_range *caller,
			 unsigned depth);

/* An interpreter's frames on top of a native stack: a new stack whose first frames are
 * FRAMES ("file\tline\tfunction\n" lines, innermost first, at most SL_LANG_MAX) of LANG,
 * followed by base's frames (cut to SL_STACK_MAX in all). 0 when LANG is not known or FRAMES
 * holds no frame. Takes sl_lock; not with it held. */
#define SL_LANG_MAX 40
uint32_t sl_stack_with_lang(uint32_t base, const char *lang, const char *frames);

/* The frames of stack idx as the site key reads them (sitekey.h: the exit summary's sites are
 * the tools'), at most cap; 0 for none. Native frames carry module and offset (no debug info
 * here), an interpreter's its file, line and function; code in no module the name from the
 * perf map that a record of the stack gave it (the map is read only while writing one). */
struct sl_site_frame;
unsigned sl_stack_site_frames(uint32_t idx, struct sl_site_frame *out, unsigned cap);

/* Pure: the id of a list of instruction pointers (FNV-1a 64, never 0). Unit-tested. */
uint64_t sl_stack_hash(const uintptr_t *ips, unsigned n);

/* Called by the log writer with its lock held, the log open (log.c, sl_log_begin_with): when
 * the current log file lacks the stack record of idx, fill its fields (id, frames) into j and
 * return 1; else 0. *epoch is the file's epoch, for sl_stack_written once the record is. */
int sl_stack_fill(struct sl_jsonline *j, uint32_t idx, uint32_t *epoch);
/* Before a record's log lock: the frames of stack idx in no module take their name from the
 * process's perf map, unless the stack is in this file already (stack.c). */
void sl_stack_name_jit(uint32_t idx);
void sl_stack_written(uint32_t idx, uint32_t epoch);

/* The log was switched to a new file (a forked child's own PREFIX.PID): stacks must be
 * written again before they are named there. */
void sl_stack_new_epoch(void);

/* "#0 symbol (module+0xoff)" lines for the human summary, into buf. */
size_t sl_stack_format(uint32_t idx, const char *prefix, char *buf, size_t cap);

/* Whether a frame of the stack matched a leak: suppression when it was captured. */
int sl_stack_suppressed(uint32_t idx);
/* True when any frame of either stack matches a leak:PATTERN (suppmatch.h). Decided once per
 * stack when it is captured (sl_supp_frame_any), so the watchdog only reads a flag. */
int sl_supp_match(uint32_t stack_a, uint32_t stack_b);

/* While libunwind runs on this thread (its first stack, or any unwind): a pipe made now is
 * libunwind's, to be moved high and protected, or refused on a low descriptor budget
 * (sl_stack_own_pipe leaves fds[] at -1 then). */
int sl_stack_loading(void);
void sl_stack_own_pipe(int fds[2]);

/* fork: wait for a libunwind load in progress (first in the lock order), then re-initialise. */
void sl_stack_atfork_prepare(void);
void sl_stack_atfork_parent(void);
void sl_stack_atfork_child(void);

/* Set up: our own code range, and one unwind so later ones do not allocate. */
void sl_stack_init(unsigned depth);

#endif
