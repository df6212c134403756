"""Fixtures for the Python client tests: a scripted loopback server."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from loopback import Reply, ScriptedServer, serve

Serve = Callable[[list[Reply]], ScriptedServer]


@pytest.fixture
def scripted() -> Iterator[Serve]:
    """``scripted([Reply(...), ...])`` starts a server answering with that script."""
    with ExitStack() as stack:

        def start(script: list[Reply]) -> ScriptedServer:
            return stack.enter_context(contextmanager(serve)(script))

        yield start
