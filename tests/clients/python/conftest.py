"""Fixtures for the Python client tests: a scripted loopback server; the fuzz report."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

if not os.environ.get("ERRCODEGEN_REQUIRE_ALL"):  # nox sets it: there a missing tool fails
    pytest.importorskip("virtengine_errors", reason="the client is not installed (nox -s python)")
    pytest.importorskip("hypothesis", reason="hypothesis is not installed (nox -s python)")

sys.path.insert(0, str(Path(__file__).parent))

from pyclient_support import FUZZ_COUNTS, Reply, ScriptedServer, Serve, serve


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FUZZ_COUNTS:
        counts = ", ".join(f"{name} {count}" for name, count in sorted(FUZZ_COUNTS.items()))
        terminalreporter.write_line(f"fuzz inputs run: {counts}")


@pytest.fixture
def scripted() -> Iterator[Serve]:
    """``scripted([Reply(...), ...])`` starts a server answering with that script."""
    with ExitStack() as stack:

        def start(script: list[Reply]) -> ScriptedServer:
            return stack.enter_context(contextmanager(serve)(script))

        yield start
