"""Style check for Python sources: line length, whitespace, final newline, and
no bare `except:` or `import *`. Exit 1 if anything is found.

usage: python3 pystyle.py [PATH ...]
"""

import ast
import sys
from pathlib import Path

MAX_LINE = 100


def check(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    problems = [] if not text or text.endswith("\n") else [f"{path}: no newline at end of file"]
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE:
            problems.append(f"{path}:{number}: line longer than {MAX_LINE} characters")
        if line != line.rstrip():
            problems.append(f"{path}:{number}: trailing whitespace")
        if line.startswith("\t"):
            problems.append(f"{path}:{number}: tab indentation")
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if isinstance(node, ast.ExceptHandler) and node.type is None:
            problems.append(f"{path}:{node.lineno}: bare except")
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            problems.append(f"{path}:{node.lineno}: import *")
    return problems


def main(roots: list[str]) -> int:
    files = sorted(path for root in roots or ["."] for path in Path(root).rglob("*.py"))
    problems = [problem for path in files for problem in check(path)]
    for line in problems:
        print(line, file=sys.stderr)
    print(f"pystyle: {len(files)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
