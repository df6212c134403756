"""The release gate and changelog (``errcodegen release-check``).

A release may not bump the version less than the compatibility report asks for: a client
built on the previous release must be able to trust the version number.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from errcodegen.compat.report import CompatReport, version_key
from errcodegen.compat.rules import BUMP_ORDER, Bump

RELEASE_TAG = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")
CHANGELOG_TITLE = "# Changelog"

# Changelog sections, in order, and the rules whose changes they list.
SECTIONS: tuple[tuple[str, frozenset[str]], ...] = (
    ("Codes added", frozenset({"CODE_ADDED", "MODULE_ADDED", "CATEGORY_ADDED", "SENTINEL_ADDED"})),
    ("Deprecated", frozenset({"CODE_DEPRECATED"})),
    (
        "Changed behaviour",
        frozenset({"CODE_SEVERITY_CHANGED", "RETRY_POLICY_CHANGED", "RANGE_EXTENDED"}),
    ),
    ("Messages and documentation", frozenset({"CODE_MESSAGE_CHANGED", "CODE_DOCS_CHANGED"})),
    ("Undeprecated", frozenset({"CODE_UNDEPRECATED"})),
)


@dataclass(frozen=True)
class ReleaseVerdict:
    report: CompatReport
    version_bump: Bump | None  # what the registry's version says
    required_bump: Bump | None  # what the changes ask for

    @property
    def refused(self) -> str | None:
        """Why this version may not be released, or None."""
        previous, current = self.report.previous_version, self.report.current_version
        if version_key(current) < version_key(previous):
            return f"version {current} is lower than the previous release's {previous}"
        if _rank(self.version_bump) < _rank(self.required_bump):
            return (
                f"version {current} is a {self.version_bump or 'no'} bump from {previous}, "
                f"but the changes need a {self.required_bump} bump "
                f"({self.report.reason}): set version: {self.report.suggested_version}"
            )
        return None


def _rank(bump: Bump | None) -> int:
    return -1 if bump is None else BUMP_ORDER[bump]


def bump_between(previous: str, current: str) -> Bump | None:
    old, new = version_key(previous), version_key(current)
    if new[0] > old[0]:
        return "major"
    if new[:2] > old[:2]:
        return "minor"
    if new > old:
        return "patch"
    return None


def verdict(report: CompatReport) -> ReleaseVerdict:
    return ReleaseVerdict(
        report, bump_between(report.previous_version, report.current_version), report.bump
    )


def previous_release(repo: Path) -> str | None:
    """The newest release tag (``vX.Y.Z``) reachable from HEAD, or None before the first."""
    listing = subprocess.run(
        ["git", "tag", "--merged", "HEAD"], cwd=repo, capture_output=True, text=True, check=False
    )
    tags = [t for t in listing.stdout.split() if RELEASE_TAG.match(t)]
    return max(tags, key=lambda t: version_key(t[1:]), default=None)


def changelog_section(report: CompatReport, date: str) -> str:
    """The section for this release: what a client of the previous release will notice."""
    lines = [f"## {report.current_version} ({date})", ""]
    lines.append(f"Compared with {report.against} ({report.previous_version}): {report.reason}.")
    breaking = [c for c in report.changes if c.rule.breaking]
    groups = [("Breaking changes", breaking)] + [
        (title, [c for c in report.changes if c.rule.id in rules and not c.rule.breaking])
        for title, rules in SECTIONS
    ]
    for title, changes in groups:
        if changes:
            lines += ["", f"### {title}", ""]
            lines += [f"- `{c.rule.id}` {c.message}" for c in changes]
    return "\n".join(lines) + "\n"


def first_release_section(version: str, date: str) -> str:
    return f"## {version} ({date})\n\nFirst release.\n"


def update_changelog(path: Path, version: str, section: str) -> None:
    """Put ``section`` at the top of the changelog, replacing an earlier one for ``version``."""
    text = path.read_text() if path.exists() else f"{CHANGELOG_TITLE}\n"
    body = text.split("\n", 1)[1] if text.startswith(CHANGELOG_TITLE) else text
    parts = re.split(r"(?m)^(?=## )", body)
    kept = [p.strip() for p in parts if p.strip() and not p.startswith(f"## {version} ")]
    path.write_text("\n\n".join([CHANGELOG_TITLE, section.strip(), *kept]) + "\n")
