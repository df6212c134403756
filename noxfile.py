"""Every task of the project, one session per component; the logic lives in tasks/."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tasks import common
from tasks import conformance as conformance_tasks
from tasks import docs as docs_tasks
from tasks import go as go_tasks
from tasks import openapi as openapi_tasks
from tasks import python as python_tasks
from tasks import release as release_tasks
from tasks import typescript as typescript_tasks

# uv creates and fills a virtualenv in about a second where venv and pip take 15 to 20;
# without uv on the machine nox falls back to venv (same packages, same pins).
nox.options.default_venv_backend = "uv|venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["generate", "tests"]

PYTHON = "3.11"


def install_tool(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.env["ERRCODEGEN_REQUIRE_ALL"] = "1"  # no test may skip for a missing tool here


@nox.session(python=PYTHON)
def generate(session: nox.Session) -> None:
    """Validate and lint the registry, then regenerate every output (and the golden one)."""
    install_tool(session)
    session.run("errcodegen", "generate", *session.posargs)
    golden = ["--spec", "tests/golden/spec", "--root", "tests/golden/output"]
    session.run("errcodegen", "generate", *golden, *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Every test: the tool, the three clients, docs, alerts, OpenAPI, conformance, installs."""
    install_tool(session)
    tool_tests(session)
    python_tasks.test(session)
    typescript_tasks.test(session)
    go_tasks.test(session)
    docs_tasks.test(session)
    openapi_tasks.test(session)
    conformance_tasks.run(session, [])
    release_tasks.install_tests(session)


def tool_tests(session: nox.Session) -> None:
    common.pytest(session, "tests/tool", *session.posargs)


@nox.session(python=PYTHON)
def tool(session: nox.Session) -> None:
    """The generator's own tests (registry, lint, targets, lifecycle commands)."""
    install_tool(session)
    tool_tests(session)


@nox.session(python=PYTHON)
def python(session: nox.Session) -> None:
    """The Python client alone: checks, tests, conformance runner, install of the built wheel."""
    install_tool(session)
    python_tasks.test(session)
    python_tasks.run_vectors(session, conformance_tasks.corpus())
    release_tasks.install_tests(session, ["python"])


@nox.session(python=PYTHON)
def typescript(session: nox.Session) -> None:
    """The TypeScript client alone: checks, tests, conformance runner, installs of the tarball."""
    install_tool(session)
    typescript_tasks.test(session)
    typescript_tasks.run_vectors(session, conformance_tasks.corpus())
    release_tasks.install_tests(session, ["typescript"])


@nox.session(python=PYTHON)
def go(session: nox.Session) -> None:
    """The Go client alone: vet, gofmt, tests, fuzzing, conformance runner, module installs."""
    install_tool(session)
    go_tasks.test(session)
    go_tasks.run_vectors(session, conformance_tasks.corpus())
    release_tasks.install_tests(session, ["go"])


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """The error catalog (Markdown, HTML in Chromium) and the Prometheus alert rules."""
    install_tool(session)
    docs_tasks.test(session)


@nox.session(python=PYTHON)
def openapi(session: nox.Session) -> None:
    """The OpenAPI document and the merge command through the tools API teams use."""
    install_tool(session)
    openapi_tasks.test(session)


@nox.session(python=PYTHON)
def conformance(session: nox.Session) -> None:
    """The three clients on one corpus (or on the vector files given after --)."""
    install_tool(session)
    conformance_tasks.run(session, session.posargs)


@nox.session(python=PYTHON)
def release(session: nox.Session) -> None:
    """Build every distributable into dist/ (refuses a version bump smaller than compat asks)."""
    install_tool(session)
    release_tasks.build(session, *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Every benchmark, each figure beside its target; writes docs/benchmarks.md (commit it).

    About 5 to 10 minutes. Set ERRCODEGEN_BENCH_PLATFORM_SRC to a checkout of the
    platform's Go source to time the import scan on it too (skipped when unset)."""
    install_tool(session)
    languages = {"python": python_tasks, "typescript": typescript_tasks, "go": go_tasks}
    flags = [f"--lang={name}={shlex.join(m.bench(session))}" for name, m in languages.items()]
    session.run("python", "benchmarks/report.py", "--out", "docs/benchmarks.md", *flags)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff, ruff format and mypy --strict on the tool and its tasks; generated files fresh."""
    install_tool(session)
    sources = ["generators", "tests", "tasks", "noxfile.py", "benchmarks"]
    session.run("ruff", "check", *sources)
    session.run("ruff", "format", "--check", *sources)
    session.run("mypy")
    session.run("errcodegen", "generate", "--check")
