"""The generator's own tests (registry, lint, targets, lifecycle commands)."""

from __future__ import annotations

from pathlib import Path

import nox

from tasks.common import ROOT

TESTS: tuple[Path, ...] = (ROOT / "tests" / "tool",)


def prepare(session: nox.Session) -> None:
    """Nothing: the tests need only the tool, which every session installs."""


def check(session: nox.Session) -> None:
    """Nothing beyond the tests."""
