#!/usr/bin/env python3
"""Leaks named in the program's own language (issue 13), on the real interpreters: Python
(Debian's python3 with python3-requests, and whatever python3 is first on PATH), node, perl
and the JVM, each under `sockleak run`.

Each case runs one program under the runner with a hard deadline, in its own session, killed
whole at the end. Prints "ok NAME" or "FAIL NAME: reason", then "N passed, M failed"; with
--results it writes "PASSED FAILED" to that file. Exit status 1 when anything failed.

Usage: run.py --sockleak BUILD/sockleak --src tests/lang [--results FILE] [--only NAME,...]
              [--preload-first RT] [-v]
Standard library only."""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from harness import Fail, case_list, check, clean_env, run_cases  # noqa: E402

RUN_OPTS = "grace_ms=200:scan_ms=50"
CASE_TIMEOUT_S = 30
SUMMARY_RE = re.compile(r"^SUMMARY: sockleak: (\d+) leaked socket\(s\) at (\d+) site\(s\)$", re.M)
DEBIAN_PYTHON = "/usr/bin/python3"

A = None
CASES, case = case_list()


def run(argv, opts=RUN_OPTS, keep=False, extra_env=None):
    """`sockleak run -o OPTS -- argv` (-k with keep): (status, stdout+stderr)."""
    if A.close_intercepted:
        # The sanitizer's close() interceptor hides who closed: a socket the interpreter closed
        # at shutdown reads as the program's own late close, which fails a run only with
        # fail_on_late=1.
        opts += ":fail_on_late=1"
    cmd = [A.sockleak, "run", "-o", opts] + (["-k"] if keep else []) + ["--"] + argv
    # A sanitizer build's library needs its runtime first.
    env = clean_env(extra_env, [A.preload_first] if A.preload_first else ())
    if A.preload_first:
        # LeakSanitizer would check the interpreters' heaps at exit, not ours.
        env["ASAN_OPTIONS"] = ":".join(x for x in (env.get("ASAN_OPTIONS"), "detect_leaks=0") if x)
    # In a scratch directory: node writes its isolate logs into the current one.
    p = subprocess.Popen(cmd, cwd=A.tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True, env=env)
    try:
        out, _ = p.communicate(timeout=CASE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        raise Fail("no exit within %d s: %s" % (CASE_TIMEOUT_S, " ".join(argv)))
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    text = out.decode("utf-8", "replace")
    if A.verbose:
        print(text)
    return p.returncode, text


def summary(text):
    m = SUMMARY_RE.search(text)
    check(m, "no SUMMARY line in:\n" + text[-2000:])
    return int(m.group(1)), int(m.group(2))


def S(name):
    return os.path.join(A.src, name)


def src_line(name, marker):
    with open(os.path.join(A.src, name)) as f:
        for i, line in enumerate(f, 1):
            if marker in line:
                return i
    raise Fail("no %s in %s" % (marker, name))


def need(prog):
    path = shutil.which(prog)
    if not path:
        raise Fail("%s is not installed (scripts/deps.sh check installs it)" % prog)
    return path


@case
def python_two_functions_two_sites():
    """Two Python functions each drop a connected socket: the finaliser closes them
    (gc_closed), run exits 23, and the two functions are two sites named by file:line."""
    if A.close_intercepted:
        print("  (gc_closed not checked: the sanitizer's close() interceptor is every close's "
              "caller, so the library turns gc_closed off)")
        return
    for py in sorted({need("python3"), DEBIAN_PYTHON}):
        st, out = run([py, S("py_two_sites.py")])
        check(st == 23, "%s: exit %d, not 23:\n%s" % (py, st, out[-3000:]))
        check(summary(out) == (2, 2), "%s: not 2 leaks at 2 sites:\n%s" % (py, out[-3000:]))
        for fn in ("first_leak", "second_leak"):
            check(re.search(r"gc_closed: .* opened in %s\n  at \S*py_two_sites.py:\d+ in %s"
                            % (fn, fn), out), "%s: no gc_closed site in %s:\n%s"
                  % (py, fn, out[-3000:]))
        check("sock_initobj_impl" not in out.split("opened (connected) at:")[0],
              "%s: a site named after the interpreter" % py)


@case
def python_explicit_close_is_clean():
    """close() and a with block are never gc_closed: exit 0, no summary."""
    for py in sorted({need("python3"), DEBIAN_PYTHON}):
        st, out = run([py, S("py_clean.py")])
        check(st == 0 and "SUMMARY" not in out, "%s: exit %d:\n%s" % (py, st, out[-3000:]))


@case
def python_hook_invisible_to_the_program():
    """The hook takes itself out: the program sees its own PYTHONPATH and sys.path, its own
    sitecustomize runs, and under -X dev (ResourceWarning shown) the probe socket the hook
    drops at start-up prints nothing."""
    own = os.path.join(A.tmp, "own-site")
    os.makedirs(own, exist_ok=True)
    with open(os.path.join(own, "sitecustomize.py"), "w") as f:
        f.write("import os\nos.environ['OWN_SITECUSTOMIZE_RAN'] = 'yes'\n")
    for py in sorted({need("python3"), DEBIAN_PYTHON}):
        st, out = run([py, "-X", "dev", S("py_env.py")], extra_env={"PYTHONPATH": own})
        check(st == 0, "%s: exit %d:\n%s" % (py, st, out[-3000:]))
        check("PYTHONPATH=%s\n" % own in out, "%s: PYTHONPATH changed:\n%s" % (py, out))
        check("sockleak-in-path=False" in out, "%s: sockleak's dir left in sys.path" % py)
        check("own-sitecustomize=yes" in out, "%s: the program's sitecustomize did not run:\n%s"
              % (py, out))
        check("ResourceWarning" not in out, "%s: the probe warned:\n%s" % (py, out))
        st, out = run([py, "-X", "dev", S("py_env.py")])
        check(st == 0 and "PYTHONPATH=None" in out and "ResourceWarning" not in out,
              "%s: without PYTHONPATH of its own:\n%s" % (py, out))


@case
def python_eof_frames():
    """A threaded server reads to EOF and keeps the socket: its EOF stack names the Python
    handler at the recv line, in both interpreters, and the site is that handler."""
    line = src_line("py_eof.py", "EOF-LINE")
    for py in sorted({need("python3"), DEBIAN_PYTHON}):
        st, out = run([py, S("py_eof.py")])
        check(st == 23, "%s: exit %d, not 23:\n%s" % (py, st, out[-3000:]))
        check(summary(out) == (2, 1), "%s: not 2 leaks at 1 site:\n%s" % (py, out[-3000:]))
        if A.preload_first:
            continue  # the sanitizer's recv interceptor is the caller: not CPython's own read
        check(re.search(r"EOF read at \(no close after it\):\n    #0 handle \S*py_eof\.py:%d "
                        r"\(python\)" % line, out),
              "%s: the EOF stack does not start at handle(), line %d:\n%s"
              % (py, line, out[-3000:]))


@case
def python_hook_threads_at_once():
    """A server thread accepts while the main thread is inside the hook (held there by its
    socket's fileno(), which the hook calls): the accepted socket still gets its Python frames,
    and the handler's two leaks are one site at the accept line. One busy flag shared by all
    threads dropped those frames (python_eof_frames failed ~1 run in 13 on a loaded machine)."""
    line = src_line("py_hook_threads.py", "ACCEPT-LINE")
    for py in sorted({need("python3"), DEBIAN_PYTHON}):
        st, out = run([py, S("py_hook_threads.py")])
        check("held in the hook, server accepted: True" in out,
              "%s: the connect was not held in the hook while the server accepted:\n%s"
              % (py, out[-3000:]))
        check(st == 23, "%s: exit %d, not 23:\n%s" % (py, st, out[-3000:]))
        check(summary(out) == (2, 1), "%s: not 2 leaks at 1 site:\n%s" % (py, out[-3000:]))
        check(re.search(r"eof_unclosed: .* opened in serve\n  at \S*py_hook_threads\.py:%d in serve"
                        % line, out), "%s: the site is not serve(), line %d:\n%s"
              % (py, line, out[-3000:]))


@case
def python_requests_session_names_caller():
    """requests.Session, server closes the idle pooled connection: the site is the test's own
    fetch() at the session.get line, with requests and urllib3 frames under it; suppressing
    *urllib3* silences it."""
    line = src_line("py_requests.py", "FETCH-LINE")
    st, out = run([DEBIAN_PYTHON, S("py_requests.py")])
    check(st == 23, "exit %d, not 23:\n%s" % (st, out[-3000:]))
    check(re.search(r"close_wait: .* opened in fetch\n  at \S*py_requests\.py:%d in fetch"
                    % line, out), "site not at fetch, line %d:\n%s" % (line, out[-3000:]))
    check(re.search(r"Session\.get \S*/requests/sessions\.py:\d+ \(python\)", out),
          "no requests frame under it:\n" + out[-3000:])
    supp = os.path.join(A.tmp, "urllib3.supp")
    with open(supp, "w") as f:
        f.write("leak:*urllib3*\n")
    st, out = run([DEBIAN_PYTHON, S("py_requests.py")], RUN_OPTS + ":suppressions=" + supp)
    check(st == 0, "leak:*urllib3* did not suppress it (exit %d):\n%s" % (st, out[-3000:]))


@case
def node_frames_demangled():
    """node's C++ frames are shown demangled, and node starts all its threads under the
    preload (its inspector thread has a 32 KiB stack)."""
    st, out = run([need("node"), S("node_handler.js")])
    check(st == 23, "exit %d, not 23:\n%s" % (st, out[-3000:]))
    check("node::SpinEventLoopInternal(node::Environment*)" in out,
          "no demangled node::SpinEventLoopInternal:\n" + out[-3000:])
    check("_ZN4node" not in out, "a mangled name left:\n" + out[-3000:])
    check("pthread_create" not in out, "node could not start a thread:\n" + out[-3000:])


@case
def node_js_frames_named_in_the_log():
    """node --perf-basic-prof --interpreted-frames-native-stack: the JavaScript frames of a
    connect are named from node's perf map when the library writes the stack record, so the
    report still names them after the map is gone."""
    st, out = run([need("node"), "--perf-basic-prof", "--interpreted-frames-native-stack",
                   S("node_client.js")], keep=True)
    d = re.search(r"logs kept in (\S+)", out)
    pid = re.search(r"processes: node\[(\d+)\]", out)
    check(st == 23 and d and pid, "exit %d, no kept logs or pid:\n%s" % (st, out[-3000:]))
    try:
        os.unlink("/tmp/perf-%s.map" % pid.group(1))
    except OSError:
        pass
    rep = subprocess.run([A.sockleak, "report", d.group(1)], capture_output=True,
                         timeout=CASE_TIMEOUT_S)
    shutil.rmtree(d.group(1), ignore_errors=True)
    text = rep.stdout.decode("utf-8", "replace")
    check(re.search(r"#\d+ JS:~internalConnect node:net:\d+:\d+ \(jit, 0x[0-9a-f]+\)", text),
          "no JavaScript frame named once the map is gone:\n" + text[-3000:])


@case
def node_handler_names_the_site():
    """An allowHalfOpen server (node --perf-basic-prof --interpreted-frames-native-stack)
    whose connection handler writes a greeting and never ends its sockets: node accepts and
    reads the EOF from libuv's loop with no JavaScript on the stack, so the library takes the
    stack of the first write on each accepted socket (its handler stack). The site is the
    JavaScript function that handles the connection, the stack of the accept is kept under
    it, and the leak record names the handler stack."""
    line = src_line("node_handler.js", "function handleConnection")
    st, out = run([need("node"), "--perf-basic-prof", "--interpreted-frames-native-stack",
                   S("node_handler.js")], keep=True)
    d = re.search(r"logs kept in (\S+)", out)
    check(st == 23 and d, "exit %d, no kept logs:\n%s" % (st, out[-3000:]))
    try:
        logs = "".join(open(os.path.join(d.group(1), f), errors="replace").read()
                       for f in os.listdir(d.group(1)))
    finally:
        shutil.rmtree(d.group(1), ignore_errors=True)
    check(summary(out) == (3, 1), "not 3 leaks at 1 site:\n" + out[-3000:])
    # V8 names a function by where it starts: the line of `function handleConnection`
    check(re.search(r"eof_unclosed: .*, handled in JS:\S?handleConnection \S*node_handler\.js:"
                    r"%d:\d+\n" % line, out), "the site is not handleConnection:\n" + out[-3000:])
    # (under a sanitizer its accept interceptor is the first frame)
    check(re.search(r"opened \(accepted\) at:\n(    #\d+ .*\n)*?    #\d+ uv__accept ", out),
          "the accept's own stack is not shown:\n" + out[-3000:])
    check(re.search(r"handled at \(its first write\):\n(    #\d+ .*\n)*?"
                    r"    #\d+ JS:\S?handleConnection \S*node_handler\.js:\d+:\d+ \(jit", out),
          "no handler stack down to handleConnection:\n" + out[-3000:])
    check(logs.count('"handler_stack":"') == 3, "not 3 leak records with a handler_stack")


@case
def node_exit_summary_names_handler_sites():
    """Two handlers leak (node_two_handlers.js): the library's exit summary (summary=1) counts
    2 sites, as the runner does, because it keys JIT frames by the perf map names its records
    gave them (it had no name for them and said 1 site, one per runtime: issue 12)."""
    st, out = run([need("node"), "--perf-basic-prof", "--interpreted-frames-native-stack",
                   S("node_two_handlers.js")], opts=RUN_OPTS + ":summary=1")
    lines = SUMMARY_RE.findall(out)
    check(st == 23 and lines == [("3", "2"), ("3", "2")],
          "exit %d, SUMMARY lines %s (library's, runner's), want 3 leaks at 2 sites each:\n%s"
          % (st, lines, out[-3000:]))
    check(re.search(r"#\d+ JS:\S?handleB \S*node_two_handlers\.js:\d+:\d+ \(no module", out),
          "the library's summary does not name handleB:\n" + out[-3000:])


@case
def perl_one_site():
    """Perl's first accept() takes another internal path than the next ones: still one site."""
    st, out = run([need("perl"), S("perl_server.pl")])
    check(st == 23, "exit %d, not 23:\n%s" % (st, out[-3000:]))
    check(summary(out) == (3, 1), "not 3 leaks at 1 site:\n" + out[-3000:])


@case
def perl_dropped_sockets_exit_23():
    """A short Perl script whose sockets go out of scope unclosed: Perl closes them itself,
    before the exit scan. Both are gc_closed and run exits 23; the explicitly closed pair is
    not reported."""
    if A.close_intercepted:
        print("  (gc_closed not checked: the sanitizer's close() interceptor is every close's "
              "caller)")
        return
    st, out = run([need("perl"), S("perl_drop.pl")])
    check(st == 23, "exit %d, not 23:\n%s" % (st, out[-3000:]))
    check(summary(out) == (2, 1), "not 2 leaks at 1 site:\n" + out[-3000:])
    check("kinds: gc_closed 2;" in out, "not 2 gc_closed:\n" + out[-3000:])


# docs/languages.md: the flags that make the JVM write a perf map with every frame compiled
JAVA_PERF_FLAGS = ["-XX:+PreserveFramePointer", "-XX:+UnlockDiagnosticVMOptions",
                   "-XX:+DumpPerfMapAtExit", "-Xcomp", "-XX:TieredStopAtLevel=1"]


@case
def java_method_names_with_perf_map():
    """A Java server forgetting close() after EOF. Without flags: its JIT and interpreter
    frames are in no module, never `?+0x7f...`. With the documented flags: Java method names
    from the JVM's perf map, and the site is the program's own method, not the JDK's."""
    java = need("java")
    st = subprocess.run([need("javac"), "-d", A.tmp, S("JavaServer.java")],
                        capture_output=True, timeout=CASE_TIMEOUT_S)
    check(st.returncode == 0, "javac failed: %s" % st.stderr.decode(errors="replace"))
    st, out = run([java, "-Xshare:auto", "-cp", A.tmp, "JavaServer"])
    check(st == 23, "exit %d, not 23:\n%s" % (st, out[-3000:]))
    check(not re.search(r"\(\?\+0x", out), "an absolute address as an offset:\n" + out[-3000:])
    check("Java_sun_nio_ch_Net_accept" in out, "no accept frame:\n" + out[-3000:])
    st, out = run([java, "-Xshare:auto"] + JAVA_PERF_FLAGS + ["-cp", A.tmp, "JavaServer"])
    m = re.search(r"processes: java\[(\d+)\]", out)
    if m:  # the map the JVM wrote for this test
        try:
            os.unlink("/tmp/perf-%s.map" % m.group(1))
        except OSError:
            pass
    check(st == 23, "with perf map: exit %d, not 23:\n%s" % (st, out[-3000:]))
    check(re.search(r"eof_unclosed: .* opened in \S+ JavaServer\.(main|serveOne)\(", out),
          "the site is not the program's method:\n" + out[-3000:])
    check(re.search(r"java\.net\.Socket java\.net\.ServerSocket\.accept\(\) \(jit, 0x", out),
          "no JDK method named under it:\n" + out[-3000:])


@case
def java_cleaner_close_is_gc_closed():
    """A Java client drops a connected socket; after a GC the JDK's Cleaner thread closes it:
    gc_closed, run exits 23. The server side, closed explicitly, is not reported."""
    if A.close_intercepted:
        print("  (gc_closed not checked under this sanitizer)")
        return
    st = subprocess.run([need("javac"), "-d", A.tmp, S("JavaDrop.java")],
                        capture_output=True, timeout=CASE_TIMEOUT_S)
    check(st.returncode == 0, "javac failed: %s" % st.stderr.decode(errors="replace"))
    # A long grace: the server's side, in CLOSE_WAIT once the Cleaner closed the client's,
    # is closed a few hundred ms later, which is no leak.
    st, out = run([need("java"), "-Xshare:auto", "-cp", A.tmp, "JavaDrop"],
                  "grace_ms=10000:scan_ms=50")
    check(st == 23, "exit %d, not 23:\n%s" % (st, out[-3000:]))
    check(summary(out) == (1, 1) and "kinds: gc_closed 1;" in out,
          "not one gc_closed leak:\n" + out[-3000:])


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("--sockleak", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--results")
    ap.add_argument("--only")
    ap.add_argument("--preload-first", help="sanitizer runtime to preload before the library")
    ap.add_argument("--close-intercepted", action="store_true",
                    help="a sanitizer intercepts close() (TSan): gc_closed cannot be told")
    ap.add_argument("-v", "--verbose", action="store_true")
    A = ap.parse_args()
    A.sockleak = os.path.abspath(A.sockleak)
    A.src = os.path.abspath(A.src)
    A.tmp = tempfile.mkdtemp(prefix="sockleak-lang.")
    try:
        return run_cases("lang", [(n, lambda _, f=f: f()) for n, f in CASES],
                         lambda name: (None, None), A.only, A.results)
    finally:
        shutil.rmtree(A.tmp, ignore_errors=True)

if __name__ == "__main__":
    sys.exit(main())
