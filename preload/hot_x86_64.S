/* The plain I/O path in assembly: read, __read_chk, recv, __recv_chk, recvfrom, write,
 * writev, send, sendto, sendmsg; and close.
 *
 * Why assembly: these run on every I/O call of the program, and the target is at most 20
 * instructions added per call (docs/performance.md). In C the read side kept a frame and
 * saved registers for every fd (22 instructions untracked, 34 tracked), since it must look at
 * the result. Here a read of an fd the table does not know costs the lookup and a jump (8),
 * and only a read of a tracked socket is stamped and keeps a frame, of one register, to see
 * the 0 that means EOF (17). A write is one jump (1): when a connection last carried data is
 * asked of the kernel by the watchdog, and only when a verdict depends on it
 * (sl_still_leaked; issue 15: a write's stamp was 2 instructions, and its lookup 7, on every
 * call of a tracked socket, and missed sendfile()). A read keeps its stamp (2): the kernel
 * knows when data arrived, not when the program read it, and a server reading slowly a
 * request that arrived whole before the client's half-close is using the socket at every
 * read (tests/enforce: slow_read_after_half_close_not_cut).
 *
 * What each does is what the C versions (interpose.c, kept for other architectures) do:
 * - reads on a tracked socket: stamp its last_io_ms with the coarse clock;
 * - reads of n > 0 bytes on a tracked socket that return 0: sl_hot_eof(fd, call site), which
 *   records the EOF with the program's stack (the jump keeps the program's frame on top);
 * - then (or instead) the real function, through sl_real, whose slots always hold a callable
 *   function (a binding stub until dlsym ran; real.c; node's write slots: handler.c).
 * Only %rax and %r11 are used before the real call: every argument register, the
 * seventh-argument stack slot included, reaches libc untouched. */
#include "hot.h"
#include "interposed.h"

#if defined(SL_HOT_ASM)

/* SL_REAL_field: the offset of field's slot in struct sl_real (real.h): the slots are pointers
 * in interposed.h's order (checked in real.c). */
	.set	sl_real_slots, 0
#define SL_REAL_OFFSET(field, ...) \
	.set SL_REAL_##field, sl_real_slots; .set sl_real_slots, sl_real_slots + 8;
	SL_INTERPOSED(SL_REAL_OFFSET, SL_REAL_OFFSET, SL_INTERPOSED_NONE)

	.text

/* fd in %edi. Falls through with the record in %rax, its last_io_ms stamped, or jumps to
 * \untracked. Descriptors below 4096 (nearly all, in nearly every program) are one load from
 * the table's first chunk, a static array; the others go through the two-level table
 * (SL_LOOKUP_HIGH, out of line), whose top level covers every 32-bit value. */
.macro SL_LOOKUP untracked
	mov	%edi, %eax
	cmp	$(1 << SL_HOT_FD_SHIFT), %eax
	jae	9f
	lea	sl_fd_chunk0(%rip), %r11
	mov	(%r11,%rax,8), %rax
8:	test	%rax, %rax
	jz	\untracked
	mov	sl_coarse_ms(%rip), %r11
	mov	%r11, SL_SOCK_LAST_IO(%rax)
.endm

.macro SL_LOOKUP_HIGH untracked
9:	shr	$SL_HOT_FD_SHIFT, %eax
	lea	sl_fd_chunks(%rip), %r11
	mov	(%r11,%rax,8), %rax
	test	%rax, %rax
	jz	\untracked
	mov	%edi, %r11d
	and	$((1 << SL_HOT_FD_SHIFT) - 1), %r11d
	mov	(%rax,%r11,8), %rax
	jmp	8b
.endm

/* An exported function's entry and end. */
.macro SL_HOT_ENTRY name
	.globl	\name
	.type	\name, @function
	.p2align 4
\name:
	.cfi_startproc
.endm

.macro SL_HOT_END name, slot
1:	jmp	*sl_real+\slot(%rip)
	SL_LOOKUP_HIGH 1b
	.cfi_endproc
	.size	\name, .-\name
.endm

/* A read-side call whose byte count is in %rdx. */
.macro SL_HOT_read name, slot
	SL_HOT_ENTRY \name
	SL_LOOKUP 1f
	test	%rdx, %rdx
	jz	1f			/* nothing asked: a 0 is not an EOF */
	push	%rdi
	.cfi_adjust_cfa_offset 8
	call	*sl_real+\slot(%rip)
	pop	%rdi
	.cfi_adjust_cfa_offset -8
	test	%rax, %rax
	jz	2f
	ret
2:	mov	(%rsp), %rsi		/* the program's call site */
	jmp	sl_hot_eof		/* returns the 0 */
	SL_HOT_END \name, \slot
.endm

.macro SL_HOT_write name, slot
	SL_HOT_ENTRY \name
	jmp	*sl_real+\slot(%rip)
	.cfi_endproc
	.size	\name, .-\name
.endm

/* close: every descriptor a program closes passes here (a served file, each connection). A
 * number below our own descriptors' range and below 4096: untracked, the real close (8
 * instructions, 20 in C); a tracked socket, sl_track_close_from first with the call site (its
 * transition, the common one without a record; 14 here, 21 in C). Our own range (the C wrapper protects our
 * descriptors) and high numbers go to the C wrapper, sl_close_slow. A negative fd compares
 * below our range and, unsigned, above 4096: C too. */
.macro SL_HOT_close name, slot
	SL_HOT_ENTRY \name
	cmp	sl_own_lo(%rip), %edi
	jge	3f
	mov	%edi, %eax
	cmp	$(1 << SL_HOT_FD_SHIFT), %eax
	jae	3f
	lea	sl_fd_chunk0(%rip), %r11
	cmpq	$0, (%r11,%rax,8)
	jne	2f
1:	jmp	*sl_real+\slot(%rip)
2:	mov	(%rsp), %rsi		/* the program's call site: an interpreter's finaliser? */
	push	%rdi
	.cfi_adjust_cfa_offset 8
	call	sl_track_close_from
	pop	%rdi
	.cfi_adjust_cfa_offset -8
	jmp	1b
3:	jmp	sl_close_slow
	.cfi_endproc
	.size	\name, .-\name
.endm

/* One entry point per HOT entry of interposed.h, its macro named by the entry's side. */
#define SL_HOT_WRAPPER(field, symbol, ret, params, args, fallback, side) \
	SL_HOT_##side symbol, SL_REAL_##field;
	SL_INTERPOSED(SL_HOT_WRAPPER, SL_INTERPOSED_NONE, SL_INTERPOSED_NONE)

#endif

	.section .note.GNU-stack, "", @progbits
