# sockleak's Python hook (docs/languages.md). libsockleak.so puts this directory first on
# PYTHONPATH in Python processes, so `site` imports this module at start-up. It:
#   1. takes itself out again: sys.path and PYTHONPATH become what they were, and the
#      program's own sitecustomize (the next one on sys.path), if any, runs as it would have;
#   2. installs an audit hook (PEP 578, Python 3.8+) that hands the Python frames to the
#      library where a socket is accepted (event socket.__new__ with a descriptor) or connected
#      (event socket.connect): sockleak_lang_stack(fd, "python", "file\tline\tfunc\n...");
#   3. registers a callback the library calls from the thread that read a socket's EOF
#      (CPython raises no audit event there): it hands that thread's frames to
#      sockleak_lang_eof_stack(fd, "python", ...);
#   4. shows the library, once, where CPython's socket finaliser calls close(), with a probe
#      socket dropped under a warnings filter: sockets closed from there later were left to
#      the garbage collector (the ResourceWarning path) and are reported as gc_closed.
# Nothing here may change what the program does: every error is swallowed, and without the
# library (or without ctypes) the hook is not installed.
import os
import sys


def _sockleak_unhook():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    pp = os.environ.get("PYTHONPATH")
    if pp is not None:
        parts = pp.split(os.pathsep)
        if parts and os.path.abspath(parts[0] or ".") == here:
            parts = parts[1:]
        if parts:
            os.environ["PYTHONPATH"] = os.pathsep.join(parts)
        else:
            del os.environ["PYTHONPATH"]


_sockleak_keep = []


def _sockleak_install():
    if sys.version_info < (3, 8):
        return
    import _thread
    import ctypes
    # PyDLL: calls keep the GIL (a hand-over takes microseconds; releasing and taking the GIL
    # around it would cost more). The library never waits for the GIL while holding a lock.
    lib = ctypes.PyDLL(None)
    try:
        stack_fn = lib.sockleak_lang_stack
        eof_fn = lib.sockleak_lang_eof_stack
        eof_hook_fn = lib.sockleak_lang_eof_hook
        probe_fn = lib.sockleak_lang_gc_probe
        close_probe_fn = lib.sockleak_lang_close_probe
    except AttributeError:
        return
    stack_fn.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p)
    stack_fn.restype = ctypes.c_int
    eof_fn.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p)
    eof_fn.restype = ctypes.c_int
    for fn in (probe_fn, close_probe_fn):
        fn.argtypes = (ctypes.c_int,)
        fn.restype = ctypes.c_int
    getframe = sys._getframe
    get_ident = _thread.get_ident
    lang = b"python"
    # The threads inside the hook: a socket event raised there on the same thread (by a
    # socket subclass's fileno(), which the hook calls) must not re-enter it. Per thread, not
    # one flag: the GIL passes to other threads inside the hook's Python code too (at any
    # bytecode, once per switch interval), and one flag dropped the frames of a socket
    # accepted in one thread while another was connecting: one handler's leaks were two
    # sites, one of them named after the interpreter's accept.
    busy = set()

    def frames(f):
        out = []
        n = 0
        while f is not None and n < 40:
            co = f.f_code
            name = getattr(co, "co_qualname", co.co_name)
            out.append("%s\t%d\t%s\n" % (co.co_filename.replace("\t", " ").replace("\n", " "),
                                         f.f_lineno or 0, name))
            f = f.f_back
            n += 1
        return "".join(out).encode("utf-8", "surrogateescape")

    def hook(event, args):
        if event != "socket.connect" and event != "socket.__new__":
            return
        me = get_ident()
        if me in busy:
            return
        busy.add(me)
        try:
            f = getframe(1)
            if event == "socket.connect":
                fd = args[0].fileno()
            else:
                # An accepted socket is made by socket.socket.__init__(..., fileno=fd); a new
                # one has no descriptor yet (its stack comes with its connect).
                co = f.f_code
                if co.co_name != "__init__" or "fileno" not in co.co_varnames:
                    return
                fd = f.f_locals.get("fileno")
                if type(fd) is not int or fd < 0:
                    return
            stack_fn(fd, lang, frames(f))
        except BaseException:
            pass
        finally:
            busy.discard(me)

    def on_eof(fd):
        # Called by the library, GIL taken by ctypes, in the thread whose recv() returned b"":
        # frame 1 is the Python code that called it. An exception must not escape (ctypes
        # would print it).
        try:
            eof_fn(fd, lang, frames(getframe(1)))
        except BaseException:
            pass

    eof_cb = ctypes.CFUNCTYPE(None, ctypes.c_int)(on_eof)
    _sockleak_keep.append(eof_cb)   # the library holds its address for the process's life
    eof_hook_fn.argtypes = (eof_cb.__class__,)
    eof_hook_fn.restype = ctypes.c_int
    eof_hook_fn(eof_cb)

    # The finaliser's close() call site, shown once with a socket the finaliser closes. Only
    # this thread runs yet, so the warnings filter changed here changes nothing for others.
    import _socket
    import warnings
    s = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    if probe_fn(s.fileno()) == 0:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            del s
    else:
        s.close()
    # And an explicit close(), which must come from another place (else something sits
    # between CPython and the library, and the two cannot be told apart).
    s = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    close_probe_fn(s.fileno())
    s.close()
    sys.addaudithook(hook)


try:
    _sockleak_unhook()
    _sockleak_install()
except BaseException:
    pass

# The program's own sitecustomize, which ours shadowed: import it as site would have, errors
# and all (site reports them the same way). Whatever happens, the import system finds a
# module under the name when ours returns.
_sockleak_self = sys.modules.pop("sitecustomize")
try:
    import sitecustomize  # noqa: F401
except ImportError as e:
    if e.name != "sitecustomize":
        raise
finally:
    sys.modules.setdefault("sitecustomize", _sockleak_self)
