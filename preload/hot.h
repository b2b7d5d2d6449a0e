/* Layout facts shared by the assembly wrappers of the plain I/O path (hot_x86_64.S) and the
 * C code, checked at compile time in real.c. */
#ifndef SL_HOT_H
#define SL_HOT_H

#if defined(__x86_64__) && !defined(SL_NO_ASM)
#define SL_HOT_ASM 1
#endif

/* Offsets in struct sl_real (real.h) of the functions the assembly calls. */
#define SL_REAL_READ 0
#define SL_REAL_READ_CHK 8
#define SL_REAL_RECV 16
#define SL_REAL_RECV_CHK 24
#define SL_REAL_RECVFROM 32
#define SL_REAL_WRITE 40
#define SL_REAL_WRITEV 48
#define SL_REAL_SEND 56
#define SL_REAL_SENDTO 64
#define SL_REAL_SENDMSG 72
#define SL_REAL_CLOSE 80

/* struct sl_sock (fdtable.h): offset of last_io_ms; the fd table's chunk size. */
#define SL_SOCK_LAST_IO 16
#define SL_HOT_FD_SHIFT 12

#endif
