"""The catalog page in headless Chromium, the Markdown, the alert rules through promtool."""

from __future__ import annotations

from pathlib import Path

import nox

from tasks.common import ROOT, ensure_system_tools

TESTS: tuple[Path, ...] = (ROOT / "tests" / "docs_alerts",)


def prepare(session: nox.Session) -> None:
    """Chromium (driven by Playwright) and promtool come from apt when the machine lacks them."""
    tools = {"chromium": "/usr/bin/chromium", "prometheus": "/usr/bin/promtool"}
    ensure_system_tools(session, tools)
    session.install("playwright==1.65.2", "markdown-it-py==4.3.0")


def check(session: nox.Session) -> None:
    """The shipped alert rules through promtool."""
    rules = sorted(str(p) for p in (ROOT / "deploy/prometheus").glob("*.rules.yaml"))
    session.run("promtool", "check", "rules", *rules, external=True)
