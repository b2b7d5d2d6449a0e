/* What the program's own code calls, read from the ELF images mapped now: the executable and
 * the libraries it was linked with. An object's imports are its undefined dynamic symbols,
 * which GNU ld puts first in .dynsym, before the ones its GNU hash table covers: a few dozen
 * entries to read per object (/bin/true: 50; nginx: 300), no system call, no allocation.
 *
 * Used once, by the constructor, to tell a network program (its own code calls socket() or
 * accept()) from a shell, a compiler or a coreutil, which never makes a TCP socket: only the
 * first pays for libunwind at start-up (stack.c). */
#ifndef SL_IMPORTS_H
#define SL_IMPORTS_H

/* Whether an object mapped now, other than the one holding the address `self` (ours), has
 * one of names (NULL-terminated) among its undefined function symbols. Objects loaded later
 * by dlopen (Python's _socket, Java's libnet) are not seen: they are not mapped yet. */
int sl_imports_any(const char *const *names, const void *self);

#endif
