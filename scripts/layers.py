#!/usr/bin/env python3
"""Check that libsockleak.so's files call only down (docs/architecture.md).

Usage: scripts/layers.py LAYERS OBJDIR [RESULTS]

Reads the layer table LAYERS (preload/layers) and the symbols of OBJDIR/*.o (`nm`): an
undefined symbol of A.o that B.o defines is a call (or a data reference) from A to B. Fails,
printing each offending edge with the symbols that make it, when
  - an object is not in the table, or the table names a file that has no object;
  - a file calls a file of a higher layer;
  - the files of one layer call each other in a cycle;
  - the whole graph has a cycle (implied by the two above; printed as the path, for reading).
With RESULTS, writes "PASSED FAILED" there (one check per rule above) for `make check`.
"""
import collections
import os
import subprocess
import sys


def read_table(path):
    """[(layer, [unit, ...])], and {file: unit}: a unit is one file or a+b (one module)."""
    layers, unit_of = [], {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, sep, rest = line.partition(":")
            if not sep or not rest.split():
                sys.exit(f"{path}:{n}: expected 'layer: file file ...'")
            units = rest.split()
            for u in units:
                for f_ in u.split("+"):
                    if f_ in unit_of:
                        sys.exit(f"{path}:{n}: {f_} is listed twice")
                    unit_of[f_] = u
            layers.append((name.strip(), units))
    return layers, unit_of


def read_objects(objdir, srcdir):
    """{file: set(defined)}, {file: set(undefined)} from nm, for the objects whose source is
    still in srcdir (a build tree keeps the object of a file since removed)."""
    defined, undefined = {}, {}
    for name in sorted(os.listdir(objdir)):
        if not name.endswith(".o"):
            continue
        f = name[:-2]
        if not any(os.path.exists(os.path.join(srcdir, f + ext)) for ext in (".c", ".S")):
            continue
        out = subprocess.run(["nm", os.path.join(objdir, name)], check=True,
                             capture_output=True, text=True).stdout
        defined[f], undefined[f] = set(), set()
        for line in out.splitlines():
            p = line.split()
            if len(p) == 2 and p[0] == "U":
                undefined[f].add(p[1])
            elif len(p) == 3 and p[1].isupper() and p[1] not in "UwvN":
                defined[f].add(p[2])
    return defined, undefined


def find_cycle(edges, nodes):
    """One cycle among nodes (a list that starts and ends with the same node), or None."""
    colour = {n: 0 for n in nodes}
    stack = []

    def visit(n):
        colour[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            if m not in colour:
                continue
            if colour[m] == 1:
                return stack[stack.index(m):] + [m]
            if colour[m] == 0:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        colour[n] = 2
        return None

    for n in sorted(nodes):
        if colour[n] == 0:
            c = visit(n)
            if c:
                return c
    return None


def components(edges, nodes):
    """The sets of two or more files that all reach each other (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    sys.setrecursionlimit(10000)
    layers, unit_of = read_table(sys.argv[1])
    defined, undefined = read_objects(sys.argv[2], os.path.dirname(sys.argv[1]) or ".")
    failed, passed = [], 0

    def check(ok, what, lines):
        nonlocal passed
        if ok:
            passed += 1
            print(f"layers: ok: {what}")
        else:
            failed.append(what)
            print(f"layers: FAIL: {what}")
            for line in lines:
                print(f"  {line}")

    missing = sorted(set(defined) - set(unit_of))
    stale = sorted(set(unit_of) - set(defined))
    check(not missing and not stale, "every object has a layer",
          [f"{f}.o has no layer in {sys.argv[1]}" for f in missing] +
          [f"{sys.argv[1]} names {f}, which has no object" for f in stale])

    level = {u: i for i, (_, units) in enumerate(layers) for u in units}
    layer_name = {u: name for name, units in layers for u in units}
    owner = {s: unit_of.get(f, f) for f, syms in defined.items() for s in syms}
    calls = collections.defaultdict(lambda: collections.defaultdict(set))
    for f, syms in undefined.items():
        a = unit_of.get(f, f)
        for s in syms:
            b = owner.get(s)
            if b and b != a:
                calls[a][b].add(s)

    def edge(a, b):
        syms = sorted(calls[a][b])
        more = f" and {len(syms) - 4} more" if len(syms) > 4 else ""
        return f"{a} -> {b} ({', '.join(syms[:4])}{more})"

    up = [f"{edge(a, b)}: {layer_name[a]} calls up into {layer_name[b]}"
          for a in sorted(calls) for b in sorted(calls[a])
          if a in level and b in level and level[b] > level[a]]
    check(not up, "each file calls only its own layer or lower", up)

    for name, units in layers:
        c = find_cycle(calls, set(units))
        check(not c, f"no cycle within layer {name}",
              [edge(c[i], c[i + 1]) for i in range(len(c) - 1)] if c else [])

    nodes = set(calls) | {b for a in calls for b in calls[a]}
    c = find_cycle(calls, nodes)
    check(not c, "no cycle in the whole call graph",
          ["cycle: " + " -> ".join(c)] + [edge(c[i], c[i + 1]) for i in range(len(c) - 1)] +
          [f"{len(comp)} files call each other: {' '.join(comp)}"
           for comp in components(calls, nodes)] if c else [])

    if len(sys.argv) == 4:
        os.makedirs(os.path.dirname(sys.argv[3]) or ".", exist_ok=True)
        with open(sys.argv[3], "w", encoding="utf-8") as f:
            f.write(f"{passed} {len(failed)}\n")
    print(f"layers: {passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
