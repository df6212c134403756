"""The repository stands alone: nothing tracked points outside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# A parent-folder path that leaves the repository, an absolute path into a workplace, or
# the names of documents this project does not hold.
OUTSIDE = re.compile(
    r"\.\./shared\b|\bshared/(conformance|reference|hooks)\b|/work/|"
    r"CLIENT_BEHAVIOUR\.md|parent\.parent\s*/\s*[\"']shared"
)
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)")


def tracked_files() -> list[Path]:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout
    return [REPO / name for name in listing.decode().split("\0") if name]


def test_no_tracked_file_refers_outside_the_repository() -> None:
    offenders = []
    for path in tracked_files():
        if not path.is_file() or path == Path(__file__) or path.suffix in {".gz", ".zip"}:
            continue
        text = path.read_text(errors="replace")
        offenders += [
            f"{path.relative_to(REPO)}:{number}: {line.strip()[:120]}"
            for number, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line)
        ]
    assert offenders == []


def test_relative_markdown_links_stay_inside_and_resolve() -> None:
    broken = []
    for path in tracked_files():
        if path.suffix != ".md":
            continue
        for target in MARKDOWN_LINK.findall(path.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            resolved = (path.parent / target).resolve()
            if not resolved.is_relative_to(REPO) or not resolved.exists():
                broken.append(f"{path.relative_to(REPO)}: {target}")
    assert broken == []
