"""Distributables (nox -s release) and the tests that install them as a user does."""

from __future__ import annotations

import nox


def build(session: nox.Session, *args: str) -> None:
    """Build every distributable into dist/."""
    session.error("release: not built yet")


def install_tests(session: nox.Session) -> None:
    """Install each built artifact into a scratch project outside the repository and use it."""
