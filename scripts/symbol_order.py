#!/usr/bin/env python3
"""Print the functions of the `buttplug` binary that ran in callgrind profiles, one mangled name
per line: those of the first profile (sorted), then those new in the next one, and so on. This is
the input of the linker's --symbol-ordering-file. Profiles must be recorded with
--dump-instr=yes --demangle=no."""

import re
import sys

SYMBOL = re.compile(r"[A-Za-z_][\w.$]*$")
NAMED = re.compile(r"(ob|cob|fn|cfn|fl|fi|fe|cfi|cfl)=\((\d+)\)(?:\s+(.*))?$")


def functions(path, binary):
    """The functions of `binary` that have a cost line in one callgrind output file."""
    objects, funcs = {}, {}
    ob = fn = None
    found = []
    for line in open(path, errors="replace"):
        m = NAMED.match(line.rstrip("\n"))
        if not m:
            continue
        kind, ident, name = m.groups()
        if kind in ("ob", "cob"):
            if name is not None:
                objects[ident] = name
            if kind == "ob":
                ob = objects.get(ident)
        elif kind in ("fn", "cfn"):
            if name is not None:
                funcs[ident] = name
            if kind == "fn":
                fn = funcs.get(ident)
                if ob and ob.endswith("/" + binary) and fn:
                    found.append(fn)
    return found


def main():
    binary, paths = sys.argv[1], sys.argv[2:]
    seen = set()
    for path in paths:
        # Each profile's new names sorted, so that a re-recorded list diffs cleanly.
        new = set()
        for name in functions(path, binary):
            name = re.sub(r"'\d+$", "", name)  # callgrind's recursion-depth suffix
            # Skip addresses without a symbol ("0x...") and "(below main)".
            if SYMBOL.match(name) and name not in seen:
                new.add(name)
        seen |= new
        for name in sorted(new):
            print(name)


if __name__ == "__main__":
    main()
