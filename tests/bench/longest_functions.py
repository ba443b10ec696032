"""The longest functions in santamerge/, by lines (def line to last line), longest first.

python tests/bench/longest_functions.py [--top 15] [--root santamerge]
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path


def lengths(root: Path) -> list[tuple[int, str]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                found.append((size, f"{path.as_posix()}:{node.name}"))
    return sorted(found, key=lambda item: (-item[0], item[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--root", default="santamerge")
    args = parser.parse_args()
    for size, where in lengths(Path(args.root))[: args.top]:
        print(f"{size:5d}  {where}")


if __name__ == "__main__":
    main()
