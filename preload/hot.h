/* Layout facts shared by the assembly wrappers of the plain I/O path (hot_x86_64.S) and the
 * C code, checked at compile time in real.c. */
#ifndef SL_HOT_H
#define SL_HOT_H

#if defined(__x86_64__) && !defined(SL_NO_ASM)
#define SL_HOT_ASM 1
#endif

/* The offsets of struct sl_real's slots come from interposed.h's list (hot_x86_64.S). */

/* struct sl_sock (fdtable.h): offset of last_io_ms; the fd table's chunk size. */
#define SL_SOCK_LAST_IO 16
#define SL_HOT_FD_SHIFT 12

#endif
