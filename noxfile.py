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
    test_docs_and_alerts(session)


def test_python_client(session: nox.Session) -> None:
    """The Python client (issue 3, hardening of issue 8): lint and strict typing of the
    generated package, its tests against loopback servers, property tests (hypothesis,
    over 10,000 inputs each for the decoder and the retry helper), a hostile registry
    through the target (needs the tool, installed by ``tests``), and the conformance
    runner on the shared and per-code vectors."""
    from pathlib import Path

    runner = python_runner(session)  # installs the package and the pinned test tools
    client = "clients/python"
    session.run("ruff", "check", "--config", f"{client}/pyproject.toml", client)
    session.run("ruff", "format", "--check", "--config", f"{client}/pyproject.toml", client)
    session.run("mypy", "--config-file", f"{client}/pyproject.toml", f"{client}/src")
    session.run("python", "-c", "import virtengine_errors, virtengine_errors.transport")
    session.run("pytest", "-q", "-p", "no:cacheprovider", "tests/clients/python")
    examples = Path(__file__).resolve().parent.parent / "shared/conformance/examples.json"
    generated = "tests/conformance/generated"
    vectors = [str(examples), f"{generated}/lookup.json", f"{generated}/decode.json"]
    output = session.run(*runner, *vectors, silent=True)  # one line per case; fails loudly
    session.log(f"python conformance runner: {str(output).strip().splitlines()[-1]}")


def python_runner(session: nox.Session) -> list[str]:
    """Install the generated Python package (not editable) and its pinned test tools;
    the argv of its conformance runner."""
    from pathlib import Path

    session.install(
        "pydantic==2.13.4",
        "httpx==0.28.1",
        "hypothesis==6.170.15",
        "pytest==9.2.0",
        "mypy==2.4.1",
        "ruff==0.17.5",
    )
    session.install("--force-reinstall", "--no-deps", "./clients/python[httpx]")
    python = str(Path(session.bin) / "python")
    return [python, "tests/conformance/runners/python/runner.py"]


def python_scenario_runner(session: nox.Session) -> list[str]:
    """The argv of the Python live scenario runner (it takes --base-url, --prefix, FILE)."""
    return [*python_runner(session)[:1], "tests/conformance/runners/python/scenarios.py"]


def python_bench(session: nox.Session) -> list[str]:
    """The argv of the Python client benchmark (prints one JSON line)."""
    return [*python_runner(session)[:1], "benchmarks/python/bench.py"]


def test_typescript_client(session: nox.Session) -> None:
    """Owned by the TypeScript client work (issue 4)."""


def test_go_client(session: nox.Session) -> None:
    """Owned by the Go client work (issue 5)."""


def test_docs_and_alerts(session: nox.Session) -> None:
    """The catalog page in a real headless Chromium (Debian's, driven by Playwright), the
    Markdown through a CommonMark parser, the alert rules through promtool check and test.
    Chromium and promtool come from apt when the machine lacks them."""
    import glob
    import os

    wanted = {"chromium": "/usr/bin/chromium", "prometheus": "/usr/bin/promtool"}
    missing = [package for package, tool in wanted.items() if not os.path.exists(tool)]
    if missing:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        session.run(*sudo, "apt-get", "update", "-q", external=True)
        session.run(*sudo, "apt-get", "install", "-y", "-q", *missing, external=True)
    session.install("playwright==1.65.2", "markdown-it-py==4.3.0")
    rules = sorted(glob.glob("deploy/prometheus/*.rules.yaml"))
    session.run("promtool", "check", "rules", *rules, external=True)
    session.run("pytest", "-q", "-p", "no:cacheprovider", "tests/docs_alerts")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff and mypy --strict on the tool."""
    install_tool(session)
    session.run("ruff", "check", "generators", "tests", "noxfile.py")
    session.run("mypy")
