"""The log format for the Python harnesses: the table the library writes its records from
(preload/logformat.h, with the leak kinds of preload/kinds.h), as printed in JSON by
tests/lib/logformat_dump.c (built by tests/lib/logformat.mk, found through SL_LOGFORMAT_JSON),
and a check of a record against it. Every harness that reads log records checks each of them
here, so a field or event the library writes and the table lacks (or the reverse) fails the
tests that see it, with no list of fields kept in a harness.

The check is the writer's contract, stricter than a reader's (tools/parse.c): a version-1
record of a known event, each field the table requires for it present, no field the table does
not give it, each of the table's JSON types, arrays of the table's elements (nested objects
checked the same way), and `kind` one of the leak kinds.
Standard library only."""

import json
import os

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_TYPES = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


class Format:
    """The table: events, nested objects, and for each the fields it requires and knows."""

    def __init__(self, table):
        self.version = table["version"]
        self.kinds = set(table["kinds"])
        self.fields = table["fields"]
        self.objects = table["objects"]
        self.events = {n for n, o in self.objects.items() if o["event"]}
        self.required = {n: [] for n in self.objects}
        self.known = {n: set() for n in self.objects}
        for key, f in self.fields.items():
            for o in f["required"]:
                self.required[o].append(key)
                self.known[o].add(key)
            for o in f["optional"]:
                self.known[o].add(key)

    def problems(self, rec, obj=None):
        """What is wrong with rec (a record, or with obj a nested object of that name), as a
        list of messages; [] when it is as the table says."""
        if not isinstance(rec, dict):
            return [f"not an object: {rec!r:.120}"]
        if obj is None:
            obj = rec.get("event")
            if rec.get("v") != self.version:
                return [f"v is {rec.get('v')!r}, not {self.version}"]
            if obj not in self.events:
                return [f"unknown event {obj!r} (not in preload/logformat.h)"]
        out = [f"{obj} lacks required field {k!r}" for k in self.required[obj] if k not in rec]
        for k, v in rec.items():
            if k not in self.known[obj]:
                out.append(f"{obj} has field {k!r}, which preload/logformat.h does not give it")
                continue
            f = self.fields[k]
            if not any(_TYPES[t](v) for t in f["types"]):
                out.append(f"{obj} field {k!r} is {v!r:.80}, not {' or '.join(f['types'])}")
                continue
            if isinstance(v, list) and f["elem"]:
                for i, e in enumerate(v):
                    if f["elem"] in _TYPES:
                        if not _TYPES[f["elem"]](e):
                            out.append(f"{obj} field {k!r}[{i}] is {e!r:.80}, not {f['elem']}")
                    else:
                        out += [f"{k}[{i}]: {p}" for p in self.problems(e, f["elem"])]
        if "kind" in self.known[obj] and "kind" in rec and rec["kind"] not in self.kinds:
            out.append(f"{obj} kind {rec['kind']!r} is not a leak kind of preload/kinds.h")
        return out


_format = None


def load(path=None):
    """The table, from path, $SL_LOGFORMAT_JSON, or the default build's."""
    path = path or os.environ.get("SL_LOGFORMAT_JSON") or os.path.join(
        _ROOT, "build", "tests", "lib", "logformat.json")
    try:
        with open(path) as f:
            return Format(json.load(f))
    except OSError as e:
        raise SystemExit(f"logformat: cannot read the log format table {path}: {e.strerror} "
                         f"(make {os.path.relpath(path, _ROOT)} builds it)")


def problems(rec):
    """problems() of the one table, loaded at first use."""
    global _format
    if _format is None:
        _format = load()
    return _format.problems(rec)


def checked(rec, where="", error=ValueError):
    """rec, after checking it; otherwise error (the harness's Fail) naming where and what is
    wrong."""
    p = problems(rec)
    if p:
        raise error(f"{where}{': ' if where else ''}record against the log format: "
                    + "; ".join(p[:4]) + f": {json.dumps(rec)[:300]}")
    return rec


def common_fields():
    """The fields every event requires (v, event, ts_ns, pid, tid)."""
    global _format
    if _format is None:
        _format = load()
    return tuple(k for k, f in _format.fields.items() if _format.events <= set(f["required"]))
