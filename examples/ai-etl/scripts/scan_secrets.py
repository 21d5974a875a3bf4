"""Scan files for hard-coded secrets; print findings redacted, exit 1 if any.

A line containing `scan-secrets: allow` is skipped.
usage: python3 scan_secrets.py [--exclude DIR_NAME]... [PATH ...]
"""

import argparse
import re
import sys
from pathlib import Path

PATTERNS = {
    "AWS access key id": r"\bAKIA[0-9A-Z]{16}\b",
    "GitHub token": r"\bgh[pousr]_[A-Za-z0-9]{36}\b",
    "OpenAI-style API key": r"\bsk-[A-Za-z0-9_-]{20,}",
    "Slack webhook URL": r"https://hooks\.slack\.com/services/[A-Za-z0-9/]+",
    "private key": r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    "hard-coded credential": (
        r"(?i)\b(password|passwd|secret|api_?key|token)\b['\"]?\s*[:=]\s*['\"][^'\"\s]{8,}['\"]"
    ),
}
SKIP_DIRS = {".git", "__pycache__", "dist", "node_modules"}


def files_under(root: Path, skip: set[str]) -> list[Path]:
    if root.is_file():
        return [root]
    paths = (path for path in root.rglob("*") if path.is_file())
    return sorted(path for path in paths if not skip & set(path.relative_to(root).parts))


def scan(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        return []  # a binary file
    return [
        f"{path}:{number}: {name}: {match.group()[:6]}…"
        for number, line in enumerate(lines, start=1)
        if "scan-secrets: allow" not in line
        for name, pattern in PATTERNS.items()
        if (match := re.search(pattern, line))
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="scan files for hard-coded secrets")
    parser.add_argument("paths", nargs="*", default=["."])
    parser.add_argument("--exclude", action="append", default=[], help="folder name to skip")
    args = parser.parse_args(argv)
    skip = SKIP_DIRS | set(args.exclude)
    files = [path for root in args.paths for path in files_under(Path(root), skip)]
    findings = [finding for path in files for finding in scan(path)]
    for line in findings:
        print(line, file=sys.stderr)
    print(f"scan-secrets: {len(files)} files, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
