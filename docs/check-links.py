#!/usr/bin/env python3
"""Checks the links of the project's Markdown: every relative `[text](path)` and `[text](path#anchor)`
in README.md, docs/, CONTRIBUTING.md, ARCHITECTURE.md and benches/peers/README.md must name a file
or directory that exists, and every anchor a heading of that file (GitHub's heading ids).

    python3 docs/check-links.py           # links only; exit 1 if one is broken
    python3 docs/check-links.py --paths   # also repository paths quoted in backticks (`src/app/mod.rs`)

Links to other sites (http:, https:, mailto:) are not fetched. Code blocks are skipped."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ["README.md", "CONTRIBUTING.md", "ARCHITECTURE.md", "benches/peers/README.md", "docs/*.md"]
LINK = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)\)")
CODE = re.compile(r"`+[^`]*`+")
# A backticked path into the repository's own folders, with a file extension or a trailing slash.
PATH = re.compile(r"`((?:src|tests|benches|docs|scripts|fixtures|examples|\.ci)/[\w./-]*)`")


def prose(text):
    """The lines outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def anchors(path):
    """GitHub's ids for the headings of a Markdown file."""
    seen, ids = {}, set()
    for _, line in prose(path.read_text(encoding="utf-8")):
        match = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        slug = re.sub(r"[^\w\- ]", "", match.group(1).lower().replace("`", "")).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        ids.add(slug if count == 0 else f"{slug}-{count}")
    return ids


def main():
    check_paths = "--paths" in sys.argv[1:]
    files = sorted({p for pattern in FILES for p in ROOT.glob(pattern)})
    problems, links = [], 0
    for md in files:
        where = md.relative_to(ROOT)
        for number, line in prose(md.read_text(encoding="utf-8")):
            for target in LINK.findall(CODE.sub("", line)):
                if re.match(r"[a-z]+:", target):
                    continue
                links += 1
                name, _, anchor = target.partition("#")
                dest = (md.parent / name).resolve() if name else md
                if not dest.exists():
                    problems.append(f"{where}:{number}: {target}: no such file")
                elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                    problems.append(f"{where}:{number}: {target}: no heading #{anchor} in {dest.relative_to(ROOT)}")
            if check_paths:
                for quoted in PATH.findall(line):
                    if "…" not in quoted and "*" not in quoted and not (ROOT / quoted).exists():
                        problems.append(f"{where}:{number}: `{quoted}`: no such path in the repository")
    for problem in problems:
        print(problem)
    print(f"{len(files)} files, {links} relative links: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
