#!/usr/bin/env python3
"""Print the functions of the `buttplug` binary that ran in callgrind profiles, one mangled name per
line, in the order of the profiles given and without repeats: the input of the linker's
--symbol-ordering-file. Profiles must be recorded with --dump-instr=yes --demangle=no."""

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
        for name in functions(path, binary):
            name = re.sub(r"'\d+$", "", name)  # callgrind's recursion-depth suffix
            # Skip addresses without a symbol ("0x...") and "(below main)".
            if not SYMBOL.match(name) or name in seen:
                continue
            seen.add(name)
            print(name)


if __name__ == "__main__":
    main()
