"""The catalog page in headless Chromium, the Markdown, the alert rules through promtool."""

from __future__ import annotations

import nox

from tasks.common import ROOT, ensure_system_tools, pytest


def test(session: nox.Session) -> None:
    """Chromium (driven by Playwright) and promtool come from apt when the machine lacks them."""
    tools = {"chromium": "/usr/bin/chromium", "prometheus": "/usr/bin/promtool"}
    ensure_system_tools(session, tools)
    session.install("playwright==1.65.2", "markdown-it-py==4.3.0")
    rules = sorted(str(p) for p in (ROOT / "deploy/prometheus").glob("*.rules.yaml"))
    session.run("promtool", "check", "rules", *rules, external=True)
    pytest(session, str(ROOT / "tests/docs_alerts"))
