"""The Python client: install, checks, tests, conformance runner, benchmark."""

from __future__ import annotations

from pathlib import Path

import nox

from tasks.common import CONFORMANCE, PYTHON_PINS, ROOT, last_line, once

CLIENT = ROOT / "clients" / "python"


def install(session: nox.Session) -> None:
    """The generated package, installed as a user installs it (not editable), once per run."""

    def step() -> None:
        session.install(*PYTHON_PINS)
        session.install("--force-reinstall", "--no-deps", f"{CLIENT}[httpx]")

    once(session, "python-client", step)


def check(session: nox.Session) -> None:
    """Lint, format and strict typing of the generated package."""
    install(session)
    config = str(CLIENT / "pyproject.toml")
    session.run("ruff", "check", "--config", config, str(CLIENT))
    session.run("ruff", "format", "--check", "--config", config, str(CLIENT))
    session.run("mypy", "--config-file", config, str(CLIENT / "src"))
    session.run("python", "-c", "import virtengine_errors, virtengine_errors.transport")


def test(session: nox.Session) -> None:
    """Checks, then the client's tests (loopback servers, properties, hostile registry)."""
    check(session)
    session.run("pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests/clients/python"))


def runner(session: nox.Session, root: Path = ROOT) -> list[str]:
    """The argv of the conformance runner on the client generated under ``root``.

    Outside the repository (a regenerated copy) the copy's sources go first on the path
    instead of being installed over the real client.
    """
    install(session)
    python = str(Path(session.bin) / "python")
    script = str(CONFORMANCE / "runners/python/runner.py")
    if root == ROOT:
        return [python, script]
    return ["env", f"PYTHONPATH={root / 'clients/python/src'}", python, script]


def scenario_runner(session: nox.Session) -> list[str]:
    """The argv of the live scenario runner (it takes --base-url, --prefix, FILE)."""
    return [runner(session)[0], str(CONFORMANCE / "runners/python/scenarios.py")]


def bench(session: nox.Session) -> list[str]:
    """The argv of the client benchmark (prints one JSON line)."""
    return [runner(session)[0], str(ROOT / "benchmarks/python/bench.py")]


def run_vectors(session: nox.Session, files: list[str]) -> None:
    output = session.run(*runner(session), *files, silent=True)  # fails loudly
    session.log(f"python conformance runner: {last_line(output)}")
