"""Every task of the project: generate, tests, lint, conformance, bench."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["generate", "tests"]

PYTHON = "3.11"


def install_tool(session: nox.Session) -> None:
    session.install("-e", ".[dev]")


@nox.session(python=PYTHON)
def generate(session: nox.Session) -> None:
    """Validate and lint the registry, then regenerate every output."""
    install_tool(session)
    session.run("errcodegen", "generate", *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Every test: the tool, the three clients, conformance."""
    install_tool(session)
    session.run("pytest", "tests/tool", *session.posargs)
    test_python_client(session)
    test_typescript_client(session)
    test_go_client(session)


def test_python_client(session: nox.Session) -> None:
    """Owned by the Python client work (issue 3)."""


def test_typescript_client(session: nox.Session) -> None:
    """Owned by the TypeScript client work (issue 4)."""


def test_go_client(session: nox.Session) -> None:
    """Owned by the Go client work (issue 5)."""


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff and mypy --strict on the tool."""
    install_tool(session)
    session.run("ruff", "check", "generators", "tests", "noxfile.py")
    session.run("mypy")
