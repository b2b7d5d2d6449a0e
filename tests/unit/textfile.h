/* A text file of the tree (the docs, a source), whole, for the tests that check one against the
 * other. Run from the top of the tree (make check-unit does). Test code, not shipped. */
#ifndef SL_TEXTFILE_H
#define SL_TEXTFILE_H

/* The file's first MiB, NUL-terminated, in memory to free(); a cmocka failure when unreadable. */
char *tf_read(const char *path);

#endif
