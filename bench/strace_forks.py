#!/usr/bin/env python3
"""Split an `strace -f -o FILE` of a forking parent into its fork children and the rest.

    strace_forks.py FILE

A child is a pid that a clone without CLONE_THREAD (a fork) returned. Prints
"children C child_calls A parent_calls P typical NAME,NAME,...": the children's system calls
per child (mean), every other task's (the parent and its threads) in all, and the system calls
of the most common child, in order (bench/fork.sh compares them with native).
"""
import collections
import re
import sys

CALL = re.compile(r"^(\d+)\s+(?:<\.\.\. )?([a-z_0-9]+)[( ]")
FORK = re.compile(r"^(\d+)\s+(?:clone3?|fork|vfork)\((.*)=\s*(\d+)\s*$")
STARTED = re.compile(r"^(\d+)\s+(?:clone3?|fork|vfork)\((.*)<unfinished \.\.\.>\s*$")
RESUMED = re.compile(r"^(\d+)\s+<\.\.\. (?:clone3?|fork|vfork) resumed>(.*)=\s*(\d+)\s*$")


def main():
    lines = open(sys.argv[1], errors="replace").read().splitlines()
    kids = set()
    started = {}   # pid -> the first half of its interrupted clone (the flags are there)
    for ln in lines:
        m = FORK.match(ln)
        if m and "CLONE_THREAD" not in m.group(2):
            kids.add(m.group(3))
        m = STARTED.match(ln)
        if m:
            started[m.group(1)] = m.group(2)
        m = RESUMED.match(ln)
        if m and "CLONE_THREAD" not in started.pop(m.group(1), "") + m.group(2):
            kids.add(m.group(3))
    per = collections.defaultdict(list)
    other = 0
    for ln in lines:
        if "resumed>" in ln and "<..." in ln:
            continue   # the second half of an interrupted call: counted once, at its start
        m = CALL.match(ln)
        if not m:
            continue
        if m.group(1) in kids:
            per[m.group(1)].append(m.group(2))
        else:
            other += 1
    calls = [len(v) for v in per.values()]
    mean = sum(calls) / len(calls) if calls else 0
    typical = collections.Counter(tuple(v) for v in per.values()).most_common(1)
    print(f"children {len(per)} child_calls {mean:.2f} parent_calls {other} typical "
          f"{','.join(typical[0][0]) if typical else '-'}")


if __name__ == "__main__":
    main()
