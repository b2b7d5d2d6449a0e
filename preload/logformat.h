/* The log format (docs/log-format.md, version 1) in one table: every record event the library
 * writes, the objects nested in them, and every field with its JSON type, the objects it is
 * required in and those it may appear in. The library's writer takes its event names and field
 * keys from here (SL_LOG_EVENT, SL_KEY), the analyser's reader its field lookup and its check of
 * required fields (tools/parse.c), the tests' harnesses their record check (the table as JSON:
 * tests/lib/logformat_dump.c, tests/lib/logformat.py), and the docs check its list
 * (tests/unit/test_logformat.c). An event or field added here is written, read, validated and
 * must be documented, with no other list to update (issue 12). The leak kinds, the values of
 * `kind`, have their own table (kinds.h). Pure macros and constants: no code, no data.
 *
 * "Required" is what a reader may count on in every record of the event; a field the library
 * added to an event after its first release is optional, since logs of older versions lack it
 * (the library writes it always).
 *
 * SL_LOG_OBJECTS(X): X(name, is an event, one-line meaning). An event is a top-level record
 * ("event":"name"); the others are the objects inside an event's array field. */
#ifndef SL_LOGFORMAT_H
#define SL_LOGFORMAT_H

#define SL_LOG_VERSION 1

/* clang-format off */
#define SL_LOG_OBJECTS(X)                                                                     \
	X(start, 1, "first record of every process and of every per-process log file")        \
	X(stack, 1, "a call stack, written before the first record that names it")           \
	X(leak, 1, "a socket the program is leaking; one per socket per process")            \
	X(late_close, 1, "a socket reported as leaked was closed after all")                 \
	X(enforce, 1, "with enforce=1, the watchdog shut a leaked socket down")              \
	X(close_shared, 1, "a close() that sent no FIN: another descriptor or process holds it") \
	X(fork, 1, "written by the parent after a successful fork")                          \
	X(exec, 1, "written before an exec, with the tracked sockets open at it")            \
	X(exec_untracked, 1, "a program is about to run without sockleak, or logging elsewhere") \
	X(exit, 1, "written at normal exit when anything else was written, or could not be") \
	X(frame, 0, "one element of a stack record's frames, innermost first")               \
	X(socket, 0, "one element of a fork or exec record's sockets")
/* clang-format on */

/* Objects, numbered in table order: SL_LO_start, ..., SL_LO_N. */
#define SL_LO_ENUM(name, event, meaning) SL_LO_##name,
enum sl_log_object { SL_LOG_OBJECTS(SL_LO_ENUM) SL_LO_N };
#undef SL_LO_ENUM

/* The bit of an object in a field's masks below; SL_IN_EVENTS: every event. */
#define SL_IN(name) (1u << SL_LO_##name)
#define SL_LO_EVENT_BIT(name, event, meaning) | ((event) ? SL_IN(name) : 0u)
#define SL_IN_EVENTS (0u SL_LOG_OBJECTS(SL_LO_EVENT_BIT))

/* JSON types of a value, a mask: a field may take several ("string or null"). */
#define SL_JT_INT 1u
#define SL_JT_STR 2u
#define SL_JT_BOOL 4u
#define SL_JT_NULL 8u
#define SL_JT_ARR 16u
#define SL_JT_OBJ 32u

/* SL_LOG_FIELDS(X): X(key, JSON types, element of an array ("" if none: "int", or the object),
 * required in (mask), may appear in besides (mask), one-line meaning).
 * Identifiers are strings (stack ids: 16 hex digits, addresses "0x..."), so no JSON reader loses
 * precision; an integer field is a JSON integer. */
/* clang-format off */
#define SL_LOG_FIELDS(X)                                                                      \
	X(v, SL_JT_INT, "", SL_IN_EVENTS, 0, "format version, 1")                              \
	X(event, SL_JT_STR, "", SL_IN_EVENTS, 0, "the record's event, one of the table's")      \
	X(ts_ns, SL_JT_INT, "", SL_IN_EVENTS, 0, "CLOCK_REALTIME of the record in nanoseconds") \
	X(pid, SL_JT_INT, "", SL_IN_EVENTS, 0, "the writing process")                          \
	X(tid, SL_JT_INT, "", SL_IN_EVENTS, 0, "kernel thread id of the writer")               \
	/* start */                                                                           \
	X(ppid, SL_JT_INT, "", SL_IN(start) | SL_IN(exec_untracked), 0, "parent pid")          \
	X(exe, SL_JT_STR, "", SL_IN(start), 0, "/proc/self/exe")                               \
	X(argv0, SL_JT_STR | SL_JT_NULL, "", SL_IN(start) | SL_IN(exec_untracked), 0,          \
	  "argv[0], at most 256 bytes")                                                       \
	X(boot_id, SL_JT_STR, "", SL_IN(start), 0, "the host's boot id: joins processes")      \
	X(host, SL_JT_STR, "", SL_IN(start), 0, "host name")                                   \
	X(version, SL_JT_STR, "", SL_IN(start), 0, "sockleak version")                         \
	X(origin, SL_JT_STR, "", SL_IN(start), 0, "exec (a new image) or fork (no exec)")      \
	X(options, SL_JT_OBJ, "", SL_IN(start), 0, "the options in force")                     \
	/* stack and its frames */                                                            \
	X(id, SL_JT_STR, "", SL_IN(stack), 0, "stack id, 16 hex digits")                       \
	X(frames, SL_JT_ARR, "frame", SL_IN(stack), 0, "the frames, innermost first")          \
	X(ip, SL_JT_STR | SL_JT_NULL, "", SL_IN(frame), 0, "absolute return address, \"0x...\"") \
	X(module, SL_JT_STR | SL_JT_NULL, "", SL_IN(frame), 0, "path of the ELF object")       \
	X(offset, SL_JT_STR | SL_JT_NULL, "", SL_IN(frame), 0, "ip in the module's link-time space") \
	X(symbol, SL_JT_STR | SL_JT_NULL, "", SL_IN(frame), 0, "dynamic symbol or function")   \
	X(build_id, SL_JT_STR | SL_JT_NULL, "", SL_IN(frame), 0, "GNU build-id in hex")        \
	X(lang, SL_JT_STR, "", 0, SL_IN(frame), "an interpreter's frame: its language")        \
	X(file, SL_JT_STR | SL_JT_NULL, "", 0, SL_IN(frame), "an interpreter's frame: source file") \
	X(line, SL_JT_INT, "", 0, SL_IN(frame), "an interpreter's frame: source line")         \
	/* sockets */                                                                         \
	X(kind, SL_JT_STR, "", SL_IN(leak) | SL_IN(late_close) | SL_IN(enforce), 0,            \
	  "leak kind (kinds.h)")                                                              \
	X(fd, SL_JT_INT, "", SL_IN(leak) | SL_IN(late_close) | SL_IN(enforce) |               \
	  SL_IN(close_shared) | SL_IN(socket), 0, "a descriptor of the socket in the writer")   \
	X(fds, SL_JT_ARR, "int", SL_IN(leak), 0, "all descriptors of the writer on the socket") \
	X(inode, SL_JT_INT, "", SL_IN(leak) | SL_IN(late_close) | SL_IN(enforce) |            \
	  SL_IN(close_shared) | SL_IN(socket), 0, "the socket's inode: its identity")         \
	X(gen, SL_JT_INT, "", SL_IN(leak), 0, "changes when a descriptor number is reused")    \
	X(family, SL_JT_STR, "", SL_IN(leak), 0, "inet or inet6")                              \
	X(local, SL_JT_STR | SL_JT_NULL, "", SL_IN(leak), 0, "local address:port")             \
	X(peer, SL_JT_STR | SL_JT_NULL, "", SL_IN(leak), 0, "peer address:port")               \
	X(tcp_state, SL_JT_STR, "", SL_IN(leak), 0, "kernel TCP state name")                   \
	X(role, SL_JT_STR, "", SL_IN(leak), 0, "how the socket was made")                     \
	X(age_ms, SL_JT_INT, "", SL_IN(leak), 0, "how long it has been leaking")               \
	X(open_age_ms, SL_JT_INT, "", SL_IN(leak), 0, "since it was opened in this process")   \
	X(open_ts_ns, SL_JT_INT | SL_JT_NULL, "", SL_IN(leak), 0, "realtime of the open")      \
	X(eof_ts_ns, SL_JT_INT | SL_JT_NULL, "", SL_IN(leak), 0, "realtime of the EOF read")   \
	X(cw_ts_ns, SL_JT_INT | SL_JT_NULL, "", SL_IN(leak), 0, "realtime of first CLOSE_WAIT") \
	X(open_stack, SL_JT_STR | SL_JT_NULL, "", SL_IN(leak), 0, "stack that made the socket") \
	X(eof_stack, SL_JT_STR | SL_JT_NULL, "", SL_IN(leak), 0, "stack of the read of EOF")   \
	X(handler_stack, SL_JT_STR, "", 0, SL_IN(leak), "node: stack of the first write")      \
	X(last_io_stack, SL_JT_NULL, "", SL_IN(leak), 0, "always null in version 1")          \
	X(shared_with, SL_JT_ARR, "int", SL_IN(leak) | SL_IN(close_shared), 0,                 \
	  "pids of other processes that hold the socket")                                     \
	X(inherited, SL_JT_BOOL, "", SL_IN(leak), 0, "got across fork or exec")               \
	X(late_ms, SL_JT_INT, "", SL_IN(late_close), 0, "from the leak record to the close")   \
	X(leak_age_ms, SL_JT_INT, "", SL_IN(late_close), 0, "total time it leaked")            \
	X(by_runtime, SL_JT_BOOL, "", 0, SL_IN(late_close),                                     \
	  "an interpreter's finaliser closed it (absent in older logs)") \
	X(stack, SL_JT_STR | SL_JT_NULL, "", SL_IN(late_close) | SL_IN(close_shared) |        \
	  SL_IN(fork) | SL_IN(exec), 0, "stack of the close, fork or exec")                   \
	X(action, SL_JT_STR, "", SL_IN(enforce), 0, "shutdown")                                \
	X(result, SL_JT_INT | SL_JT_STR, "", SL_IN(enforce), 0, "0, or the errno name")         \
	X(remaining_fds, SL_JT_ARR, "int", SL_IN(close_shared), 0, "the writer's descriptors still on it") \
	/* fork, exec, exec_untracked */                                                      \
	X(child, SL_JT_INT | SL_JT_NULL, "", SL_IN(fork) | SL_IN(exec_untracked), 0,           \
	  "pid of the child, or of the process that runs the program")                        \
	X(sockets, SL_JT_ARR, "socket", SL_IN(fork) | SL_IN(exec), 0,                          \
	  "tracked sockets with one more holder, or open at the exec")                        \
	X(cloexec, SL_JT_BOOL, "", 0, SL_IN(socket), "exec only: closed by the exec")          \
	X(path, SL_JT_STR | SL_JT_NULL, "", SL_IN(exec) | SL_IN(exec_untracked), 0,            \
	  "the program as the caller named it")                                               \
	X(reason, SL_JT_STR, "", SL_IN(exec_untracked), 0, "why it will run untracked")        \
	/* exit */                                                                            \
	X(tracked, SL_JT_INT, "", SL_IN(exit), 0, "TCP sockets tracked over the lifetime")     \
	X(open, SL_JT_INT, "", SL_IN(exit), 0, "still open at exit")                           \
	X(leaked, SL_JT_INT, "", SL_IN(exit), 0, "leak records written")                       \
	X(enforced, SL_JT_INT, "", SL_IN(exit), 0, "enforce records written")                  \
	X(untracked, SL_JT_INT, "", 0, SL_IN(exit),                                              \
	  "TCP sockets the tables had no room for (absent in older logs)")  \
	X(dropped, SL_JT_INT, "", 0, SL_IN(exit), "records that could not be written (absent in older logs)")
/* clang-format on */

/* How many fields, for #if (SL_LF_N is the same number, for C). */
#define SL_LF_ONE(key, types, elem, req, opt, meaning) +1
#define SL_LOG_NFIELDS (0 SL_LOG_FIELDS(SL_LF_ONE))

/* Fields, numbered in table order: SL_LF_v, ..., SL_LF_N. */
#define SL_LF_ENUM(key, types, elem, req, opt, meaning) SL_LF_##key,
enum sl_log_field { SL_LOG_FIELDS(SL_LF_ENUM) SL_LF_N };
#undef SL_LF_ENUM

/* The writer's names: SL_LOG_EVENT(leak) is "leak", SL_KEY(fd) is "fd", each a compile error
 * for a name that is not in the table. No code and no data: a string literal, as before. */
#define SL_LOG_EVENT(name) ((void)sizeof(char[SL_LO_##name + 1]), #name)
#define SL_KEY(key) ((void)sizeof(char[SL_LF_##key + 1]), #key)

#endif
