/* Interpreters' frames and runtime-closed sockets (langstack.c, docs/languages.md). */
#ifndef SL_LANG_H
#define SL_LANG_H

#include "fdtable.h"
#include "records.h"
#include "sl.h"

/* Exported for the interpreters' hooks (langstack.c says what they do). */
int sockleak_lang_stack(int fd, const char *lang, const char *frames);
int sockleak_lang_eof_stack(int fd, const char *lang, const char *frames);
int sockleak_lang_eof_hook(void (*cb)(int fd));
int sockleak_lang_gc_probe(int fd);
int sockleak_lang_close_probe(int fd);

/* After the EOF of fd was recorded, read from ret: the interpreter's frames, when its hook
 * asked for them (Python). Only when sl_lang_eof_on. */
extern int sl_lang_eof_on;
void sl_lang_eof(int fd, uintptr_t ret);

/* At start-up (our constructor): set up the Python hook when this process is a Python. */
void sl_lang_init(void);
/* close(fd) from ret: 1 when it is the runtime's finaliser closing fd (or learns that it is,
 * for the probe, and returns 0). Only asked when sl_lang_gc_on: in a program that is no
 * Python or Perl, close() pays one load and a branch. */
extern int sl_lang_gc_on;
int sl_lang_gc_close(int fd, uintptr_t ret);
/* With sl_lock held: the leak record's facts for a connection the runtime closed; 0 when it
 * is not one to report (listening, exempt, already reported, never connected). */
int sl_lang_gc_leak(const struct sl_sock *s, int fd, struct sl_leak_info *l);

/* node: the first write on an accepted socket takes the stack of the JavaScript that handled
 * it (handler.c). sl_handler_init points the write slots of sl_real at it; sl_lang_init calls
 * it when the executable is node. */
extern int sl_node;
void sl_handler_init(void);

#endif
