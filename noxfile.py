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
from tasks import tool as tool_tasks
from tasks import typescript as typescript_tasks
from tasks.common import Component

# uv creates and fills a virtualenv in about a second where venv and pip take 15 to 20;
# without uv on the machine nox falls back to venv (same packages, same pins).
nox.options.default_venv_backend = "uv|venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["generate", "tests"]

PYTHON = "3.11"
# Every component of `nox -s tests`, in the order their checks run.
COMPONENTS: tuple[Component, ...] = (
    tool_tasks,
    python_tasks,
    typescript_tasks,
    go_tasks,
    docs_tasks,
    openapi_tasks,
    conformance_tasks,
    release_tasks,
)


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
    """Every test: the tool, the three clients, docs, alerts, OpenAPI, conformance, installs.

    Every component is prepared (installs, builds, packages) first; then one pytest run
    over every component's folders goes in the background while their other checks run."""
    install_tool(session)
    for component in COMPONENTS:
        component.prepare(session)
    folders = [folder for component in COMPONENTS for folder in component.TESTS]
    with common.pytest_in_background(session, *folders, *session.posargs):
        for component in COMPONENTS:
            component.check(session)


def test_component(session: nox.Session, component: Component) -> None:
    install_tool(session)
    component.prepare(session)
    component.check(session)
    if component.TESTS:
        common.pytest(session, *component.TESTS, *session.posargs)


@nox.session(python=PYTHON)
def tool(session: nox.Session) -> None:
    """The generator's own tests (registry, lint, targets, lifecycle commands)."""
    test_component(session, tool_tasks)


@nox.session(python=PYTHON)
def python(session: nox.Session) -> None:
    """The Python client alone: checks, tests, conformance runner, install of the built wheel."""
    test_component(session, python_tasks)
    python_tasks.run_vectors(session, conformance_tasks.corpus())
    release_tasks.install_tests(session, ["python"])


@nox.session(python=PYTHON)
def typescript(session: nox.Session) -> None:
    """The TypeScript client alone: checks, tests, conformance runner, installs of the tarball."""
    test_component(session, typescript_tasks)
    typescript_tasks.run_vectors(session, conformance_tasks.corpus())
    release_tasks.install_tests(session, ["typescript"])


@nox.session(python=PYTHON)
def go(session: nox.Session) -> None:
    """The Go client alone: vet, gofmt, tests, fuzzing, conformance runner, module installs."""
    test_component(session, go_tasks)
    go_tasks.run_vectors(session, conformance_tasks.corpus())
    release_tasks.install_tests(session, ["go"])


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """The error catalog (Markdown, HTML in Chromium) and the Prometheus alert rules."""
    test_component(session, docs_tasks)


@nox.session(python=PYTHON)
def openapi(session: nox.Session) -> None:
    """The OpenAPI document and the merge command through the tools API teams use."""
    test_component(session, openapi_tasks)


@nox.session(python=PYTHON)
def conformance(session: nox.Session) -> None:
    """The three clients on one corpus (or only on the vector files given after --)."""
    if not session.posargs:
        test_component(session, conformance_tasks)
        return
    install_tool(session)
    conformance_tasks.compare(session, session.posargs)


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
