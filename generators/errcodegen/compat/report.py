"""The result of a compatibility check: the changes, the suggested bump, text and JSON."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from errcodegen.compat.rules import BUMP_ORDER, RULES, Bump, Change


@dataclass(frozen=True)
class CompatReport:
    against: str
    previous_version: str
    current_version: str
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.rule.breaking)

    @property
    def bump(self) -> Bump | None:
        """The largest bump any change calls for; None when nothing changed."""
        if not self.changes:
            return None
        return max((c.rule.bump for c in self.changes), key=BUMP_ORDER.__getitem__)

    @property
    def suggested_version(self) -> str:
        return next_version(self.previous_version, self.bump)

    @property
    def reason(self) -> str:
        bump = self.bump
        if bump is None:
            return "no change a client can observe"
        counts = Counter(c.rule.id for c in self.changes if c.rule.bump == bump)
        rules = ", ".join(f"{rule} ({n})" for rule, n in sorted(counts.items()))
        kind = "breaking change(s)" if bump == "major" else f"{bump} change(s)"
        return f"{sum(counts.values())} {kind}: {rules}"

    def to_json(self) -> str:
        body = {
            "against": self.against,
            "previous_version": self.previous_version,
            "current_version": self.current_version,
            "breaking": bool(self.breaking),
            "bump": self.bump,
            "suggested_version": self.suggested_version,
            "reason": self.reason,
            "changes": [
                {
                    "rule": c.rule.id,
                    "bump": c.rule.bump,
                    "breaking": c.rule.breaking,
                    "subject": c.subject,
                    "message": c.message,
                }
                for c in self.changes
            ],
        }
        return json.dumps(body, indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        counts = Counter(c.rule.bump for c in self.changes)
        lines = [
            f"{'BREAKING' if c.rule.breaking else c.rule.bump:<8}  {c.rule.id:<24}  {c.message}"
            for c in self.changes
        ]
        lines.append(
            f"compared with {self.against}: {len(self.breaking)} breaking, "
            f"{counts['minor']} minor, {counts['patch']} patch change(s)"
        )
        lines.append(self._bump_line())
        return "\n".join(lines)

    def _bump_line(self) -> str:
        if self.bump is None:
            return f"suggested bump: none ({self.reason})"
        line = (
            f"suggested bump: {self.bump} ({self.previous_version} -> {self.suggested_version}): "
            f"{self.reason}"
        )
        if version_key(self.current_version) < version_key(self.suggested_version):
            line += f"; registry.yaml still says version {self.current_version}"
        return line


def next_version(version: str, bump: Bump | None) -> str:
    major, minor, patch = version_key(version)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    if bump == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return version


def version_key(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def rules_text() -> str:
    """Every rule with its bump and purpose, for ``compat --list-rules``."""
    return "\n".join(f"{r.id:<24}  {r.bump:<5}  {r.purpose}" for r in RULES)
