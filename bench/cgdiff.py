#!/usr/bin/env python3
"""Where the added instructions go: per-function Ir per unit of load, preloaded minus native.

    cgdiff.py N1 N2 NATIVE_N1 NATIVE_N2 PRELOAD_N1 PRELOAD_N2 [--inclusive] [--top K] [--own OBJ]

--own OBJ prints one number: the added cost of OBJ's functions (and of the code inlined into
them from headers), per unit.

Each profile is a callgrind.out file; self (or inclusive) cost per function comes from
callgrind_annotate. For every function: ((P2 - P1) - (N2 - N1)) / (n2 - n1), i.e. what the
preload adds per request (or per iteration), with start-up cancelled as in the totals.
"""
import re
import subprocess
import sys

LINE = re.compile(r"^\s*([\d,]+)\s+\([\s\d.]+%\)\s+(.*?)\s*$")


def costs(path, inclusive):
    args = ["callgrind_annotate", "--threshold=100", "--auto=no"]
    if inclusive:
        args.append("--inclusive=yes")
    out = subprocess.run(args + [path], capture_output=True, text=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if not m or "PROGRAM TOTALS" in line or m.group(2).startswith("=>"):
            continue
        name = m.group(2)
        # Recursion levels ('2) and anonymous addresses are folded by name.
        name = re.sub(r"'\d+", "", name)
        res[name] = res.get(name, 0) + int(m.group(1).replace(",", ""))
    return res


def main():
    argv = sys.argv[1:]
    inclusive = "--inclusive" in argv
    top = 25
    if "--top" in argv:
        top = int(argv[argv.index("--top") + 1])
    own = argv[argv.index("--own") + 1] if "--own" in argv else None
    pos = []
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a in ("--top", "--own"):
            skip = True
        elif not a.startswith("--"):
            pos.append(a)
    n1, n2 = int(pos[0]), int(pos[1])
    nat1, nat2, pre1, pre2 = (costs(p, inclusive) for p in pos[2:6])
    names = set(nat1) | set(nat2) | set(pre1) | set(pre2)
    if own:
        mine = {n for n in names if re.search(r"\[[^]]*" + re.escape(own) + r"[^]]*\]$", n)}
        # Code inlined from a header is listed as "header:caller" without an object: it is
        # the object's when its caller is one of the object's functions.
        fns = {n.split(" [")[0].rsplit(":", 1)[-1] for n in mine}
        mine |= {n for n in names if "[" not in n and n.rsplit(":", 1)[-1] in fns}
        total = sum(((pre2.get(n, 0) - pre1.get(n, 0)) - (nat2.get(n, 0) - nat1.get(n, 0)))
                    for n in mine)
        print(f"{total / (n2 - n1):.1f}")
        return
    rows = []
    for n in names:
        added = ((pre2.get(n, 0) - pre1.get(n, 0)) - (nat2.get(n, 0) - nat1.get(n, 0))) / (n2 - n1)
        if abs(added) >= 0.5:
            rows.append((added, n))
    rows.sort(key=lambda r: -abs(r[0]))
    kind = "inclusive" if inclusive else "self"
    print(f"| added Ir per unit ({kind}) | function |")
    print("|---:|---|")
    for added, n in rows[:top]:
        print(f"| {added:+.1f} | `{n}` |")


if __name__ == "__main__":
    main()
