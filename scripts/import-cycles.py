#!/usr/bin/env python3
"""Import cycles between the files of src/: the file -> file graph of `use` and path references.

Reads every src/**/*.rs of the library (src/main.rs and src/bin/ are another crate, and only
call into the library, so they cannot close a cycle), finds each `use crate::…`, `use super::…`,
`use self::…` (and the 2018 form naming a child module or an imported name) and each path in
code that starts with `crate::`, `super::` or `self::`, and resolves it to the file that defines
what it names: the module's file, or, when that module only re-exports the name with a `use`,
the file the re-export leads to (so `crate::app::PendingChange` counts as a reference to
app/modal/confirm.rs, not to app/mod.rs). `--no-follow` stops at the module's file instead.

An edge between a module and one of its own ancestors is ignored: a child using its parent's
items and a parent declaring or re-exporting its children is the normal shape of a Rust crate.
Every strongly connected component of more than one file among the other edges is a cycle; it
is printed with the references that make each of its edges.

Comments and string literals are skipped (an intra-doc link is not an import). Code under
`#[cfg(test)]` counts like any other, unless `--no-tests` is given.

Exit status: 0 without cycles, 1 with any, 2 on a usage error. Standard library only.

    python3 scripts/import-cycles.py            # from the repository root
    python3 scripts/import-cycles.py --no-tests --no-follow path/to/src
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import defaultdict

ITEM_KEYWORDS = {"fn", "struct", "enum", "trait", "type", "const", "static", "union", "mod"}
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# ---- lexing ---------------------------------------------------------------------------------


def tokenize(text: str) -> list[tuple[str, int]]:
    """Identifiers, `::` and single punctuation characters, with their line; comments, strings,
    character literals, lifetimes and numbers dropped."""
    tokens: list[tuple[str, int]] = []
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    line += text[i] == "\n"
                    i += 1
        elif (m := re.compile(r'b?r(#*)"').match(text, i)) and (
            i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")
        ):
            end = '"' + m.group(1)
            j = text.find(end, m.end())
            j = n if j < 0 else j + len(end)
            line += text.count("\n", i, j)
            i = j
        elif c == '"' or (c == "b" and text.startswith('b"', i)):
            i += 1 if c == '"' else 2
            while i < n and text[i] != '"':
                if text[i] == "\\":
                    i += 1
                line += text[i] == "\n"
                i += 1
            i += 1
        elif c == "'":
            # A character literal ('a', '\n', '\u{1F}') or a lifetime ('a, 'static).
            m = re.compile(r"'(\\.[^']*|[^\\'])'").match(text, i)
            if m:
                i = m.end()
            else:
                m = IDENT.match(text, i + 1)
                i = m.end() if m else i + 1
        elif c.isdigit():
            m = re.compile(r"[0-9][0-9A-Za-z_]*").match(text, i)
            i = m.end()
        elif c.isalpha() or c == "_":
            m = IDENT.match(text, i)
            word = m.group(0)
            # Raw identifiers: r#type is the identifier `type`.
            if word == "r" and text.startswith("#", m.end()):
                m2 = IDENT.match(text, m.end() + 1)
                if m2:
                    tokens.append((m2.group(0), line))
                    i = m2.end()
                    continue
            tokens.append((word, line))
            i = m.end()
        elif text.startswith("::", i):
            tokens.append(("::", line))
            i += 2
        else:
            tokens.append((c, line))
            i += 1
    return tokens


# ---- the modules and what each file says --------------------------------------------------------


class Module:
    """One module: a file's, or an inline `mod name { … }` inside a file."""

    def __init__(self, path: tuple[str, ...], file: str, test: bool):
        self.path = path
        self.file = file
        self.test = test
        self.defined: set[str] = set()
        self.aliases: dict[str, tuple[tuple[str, ...], int]] = {}  # name -> (raw path, line)
        self.globs: list[tuple[str, ...]] = []
        self.children: set[str] = set()
        self.refs: list[tuple[tuple[str, ...], int, str]] = []  # raw path, line, text


def file_module_path(rel: str) -> tuple[str, ...]:
    parts = rel[:-3].split("/")
    if parts[-1] in ("lib", "mod"):
        parts = parts[:-1]
    return tuple(parts)


def parse_use_tree(tokens, i):
    """Parses a use tree from tokens[i]; returns ([(segments, alias or None, line)], next i)."""
    out = []

    def tree(i, prefix):
        segs = list(prefix)
        line = tokens[i][1] if i < len(tokens) else 0
        while i < len(tokens):
            tok, line = tokens[i]
            if tok == "{":
                i += 1
                while i < len(tokens) and tokens[i][0] != "}":
                    i = tree(i, segs)
                    if i < len(tokens) and tokens[i][0] == ",":
                        i += 1
                return i + 1
            if tok == "*":
                out.append((tuple(segs), "*", line))
                return i + 1
            if tok == "::":
                i += 1
                continue
            if IDENT.fullmatch(tok):
                segs.append(tok)
                i += 1
                if i < len(tokens) and tokens[i][0] == "::":
                    continue
                alias = None
                if i + 1 < len(tokens) and tokens[i][0] == "as":
                    alias = tokens[i + 1][0]
                    i += 2
                out.append((tuple(segs), alias, line))
                return i
            return i  # `,`, `}` or `;`: an empty branch
        return i

    i = tree(i, ())
    return out, i


def scan_file(root: str, rel: str, modules: dict, skip_tests: bool) -> None:
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        tokens = tokenize(f.read())
    base = file_module_path(rel)
    top = modules.setdefault(base, Module(base, rel, False))
    top.file = rel
    stack = [(top, -1)]  # (module, brace depth its block opened at)
    depth = 0
    attr_test = False  # the last attributes before an item included #[cfg(test)]
    skip_depth = None  # inside a #[cfg(test)] block skipped by --no-tests
    i = 0
    while i < len(tokens):
        tok, line = tokens[i]
        module = stack[-1][0]
        if tok == "#":
            # An attribute: #[...] or #![...]; note cfg(test).
            j = i + 1
            if j < len(tokens) and tokens[j][0] == "!":
                j += 1
            if j < len(tokens) and tokens[j][0] == "[":
                level, k = 0, j
                body = []
                while k < len(tokens):
                    if tokens[k][0] == "[":
                        level += 1
                    elif tokens[k][0] == "]":
                        level -= 1
                        if level == 0:
                            break
                    body.append(tokens[k][0])
                    k += 1
                if body[1:5] == ["cfg", "(", "test", ")"]:
                    attr_test = True
                i = k + 1
                continue
        if tok == "{":
            if attr_test and skip_tests and skip_depth is None:
                skip_depth = depth
            depth += 1
            attr_test = False
            i += 1
            continue
        if tok == "}":
            depth -= 1
            if skip_depth is not None and depth == skip_depth:
                skip_depth = None
            if len(stack) > 1 and depth == stack[-1][1]:
                stack.pop()
            i += 1
            continue
        if tok == ";":
            attr_test = False
            i += 1
            continue
        if skip_depth is not None:
            i += 1
            continue
        if tok == "mod" and i + 2 < len(tokens) and IDENT.fullmatch(tokens[i + 1][0]):
            name, after = tokens[i + 1][0], tokens[i + 2][0]
            module.defined.add(name)
            module.children.add(name)
            if after == "{":
                if attr_test and skip_tests:
                    i += 2  # the `{` handler starts skipping
                    continue
                path = module.path + (name,)
                child = modules.setdefault(path, Module(path, rel, attr_test or module.test))
                child.file = rel
                stack.append((child, depth))
                depth += 1
                attr_test = False
                i += 3
                continue
            if after == ";" and attr_test and skip_tests:
                skipped_files.add(module.path + (name,))
            i += 2
            continue
        if tok in ITEM_KEYWORDS and i + 1 < len(tokens) and IDENT.fullmatch(tokens[i + 1][0]):
            module.defined.add(tokens[i + 1][0])
        if tok == "macro_rules" and i + 2 < len(tokens) and tokens[i + 1][0] == "!":
            module.defined.add(tokens[i + 2][0])
        if tok == "use" and attr_test and skip_tests:
            while i < len(tokens) and tokens[i][0] != ";":
                i += 1
            continue
        if tok == "use" and (i == 0 or tokens[i - 1][0] != "::"):
            uses, i = parse_use_tree(tokens, i + 1)
            for segs, alias, uline in uses:
                if not segs:
                    continue
                text = "use " + "::".join(segs) + ("::*" if alias == "*" else "")
                if alias == "*":
                    module.globs.append(segs)
                    module.refs.append((segs, uline, text))
                    continue
                name = alias or segs[-1]
                if segs[-1] == "self":
                    segs = segs[:-1]
                    name = alias or (segs[-1] if segs else "self")
                if name != "_":
                    module.aliases[name] = (segs, uline)
                module.refs.append((segs, uline, text))
            continue
        if tok in ("crate", "super", "self") and i + 1 < len(tokens) and tokens[i + 1][0] == "::":
            if i > 0 and tokens[i - 1][0] in ("$", "::"):
                i += 1
                continue
            segs, j = [tok], i + 1
            while j + 1 < len(tokens) and tokens[j][0] == "::" and IDENT.fullmatch(tokens[j + 1][0]):
                segs.append(tokens[j + 1][0])
                j += 2
            module.refs.append((tuple(segs), line, "::".join(segs)))
            i = j
            continue
        i += 1


skipped_files: set[tuple[str, ...]] = set()


# ---- resolving a path to the file that defines it ----------------------------------------------


def absolute(module: Module, segs: tuple[str, ...], modules: dict) -> tuple[str, ...] | None:
    """The path from the crate root that `segs`, written in `module`, names; None if it names
    another crate."""
    first = segs[0]
    if first == "crate":
        return segs[1:]
    if first in ("super", "self"):
        path = list(module.path)
        k = 0
        while k < len(segs) and segs[k] in ("super", "self"):
            if segs[k] == "super":
                if not path:
                    return None
                path.pop()
            k += 1
        return tuple(path) + segs[k:]
    # The 2018 forms: a child module, or a name this module imported.
    if first in module.children:
        return module.path + segs
    if first in module.aliases:
        target, _ = module.aliases[first]
        if target == segs:  # `use name;` of another crate
            return None
        inner = absolute(module, target, modules) if target else None
        return None if inner is None else inner + segs[1:]
    return None


def resolve(path: tuple[str, ...], modules: dict, follow: bool, seen=None) -> tuple[str, ...] | None:
    """The module whose file defines what `path` (from the crate root) names."""
    seen = seen or set()
    k = len(path)
    while k >= 0 and path[:k] not in modules:
        k -= 1
    if k < 0:
        return None
    module_path, rest = path[:k], path[k:]
    module = modules[module_path]
    if module is None or not follow or not rest or (module_path, rest[0]) in seen:
        return module_path
    name = rest[0]
    if name in module.defined:
        return module_path
    seen.add((module_path, name))
    if name in module.aliases:
        target, _ = module.aliases[name]
        full = absolute(module, target, modules)
        if full is not None:
            found = resolve(full + rest[1:], modules, follow, seen)
            if found is not None:
                return found
    for glob in module.globs:
        full = absolute(module, glob, modules)
        if full is None:
            continue
        target = resolve(full, modules, False)
        if target is not None and modules.get(target) and name in modules[target].defined:
            return resolve(target + rest, modules, follow, seen)
    return module_path


# ---- the graph ---------------------------------------------------------------------------------


def strongly_connected(nodes, edges):
    """Tarjan's algorithm, iterative; components in no particular order."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(sorted(component))
    return out


def is_ancestor(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return len(a) < len(b) and b[: len(a)] == a


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", nargs="?", default="src", help="the library's src/ (default: src)")
    parser.add_argument("--no-tests", action="store_true", help="leave out #[cfg(test)] code")
    parser.add_argument(
        "--no-follow", action="store_true", help="stop at the module's file, not a re-export's source"
    )
    parser.add_argument("--edges", action="store_true", help="print every edge kept, too")
    args = parser.parse_args()
    root = args.src
    if not os.path.isfile(os.path.join(root, "lib.rs")):
        print(f"{root}/lib.rs not found: run from the repository root or name src/", file=sys.stderr)
        return 2

    files = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            if name.endswith(".rs"):
                rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
                if rel != "main.rs" and not rel.startswith("bin/"):
                    files.append(rel)
    files.sort()
    modules: dict = {}
    # Every file module first, so paths resolve whatever order the files are read in.
    for rel in files:
        path = file_module_path(rel)
        modules[path] = Module(path, rel, False)
    for rel in files:
        scan_file(root, rel, modules, args.no_tests)
    for path in skipped_files:
        # A test-only file module left out with --no-tests.
        for p in [p for p in modules if p[: len(path)] == path]:
            modules[p] = None

    file_module = {m.file: file_module_path(m.file) for m in modules.values() if m is not None}
    edges: dict[str, set[str]] = defaultdict(set)
    why: dict[tuple[str, str], list[str]] = defaultdict(list)
    for module in modules.values():
        if module is None:
            continue
        source = module.file
        for segs, line, text in module.refs:
            full = absolute(module, segs, modules)
            if full is None:
                continue
            target_module = resolve(full, modules, not args.no_follow)
            if target_module is None or modules.get(target_module) is None:
                continue
            target = modules[target_module].file
            a, b = file_module[source], file_module[target]
            if target == source or is_ancestor(a, b) or is_ancestor(b, a):
                continue
            edges[source].add(target)
            why[(source, target)].append(f"{text} (line {line})")

    nodes = sorted(file_module)
    cycles = [c for c in strongly_connected(nodes, edges) if len(c) > 1]
    cycles.sort(key=lambda c: (-len(c), c))
    if args.edges:
        for source in sorted(edges):
            for target in sorted(edges[source]):
                print(f"{source} -> {target}")
        print()
    kept = sum(len(t) for t in edges.values())
    print(f"{len(nodes)} files, {kept} edges between files that are not ancestor and descendant")
    if not cycles:
        print("no import cycle")
        return 0
    print(f"{len(cycles)} cycle(s):")
    for component in cycles:
        members = set(component)
        print(f"\n- {len(component)} files: {', '.join(component)}")
        for source in component:
            for target in sorted(edges[source] & members):
                refs = why[(source, target)]
                more = f" (+{len(refs) - 3} more)" if len(refs) > 3 else ""
                print(f"    {source} -> {target}: {'; '.join(refs[:3])}{more}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
