"""What the session modules share: paths, steps done once per run, system packages."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol, TypeVar

import nox

ROOT = Path(__file__).resolve().parent.parent
EARLIEST_ZIP_TIME = 315532800  # 1980-01-01: zip archives cannot say earlier
CONFORMANCE = ROOT / "tests" / "conformance"
PYTHON_PINS = (
    "pydantic==2.13.4",
    "httpx==0.28.1",
    "hypothesis==6.170.15",
    "pytest==9.2.0",
    "pytest-xdist==3.8.0",
    "mypy==2.4.1",
    "ruff==0.17.5",
)


class Component(Protocol):
    """A part of the project with its tests: what they need, the checks that are not
    pytest's (compilers, linters, other languages' test runners), its pytest folders."""

    TESTS: tuple[Path, ...]

    def prepare(self, session: nox.Session) -> object: ...

    def check(self, session: nox.Session) -> None: ...


T = TypeVar("T")
_done: dict[tuple[str, str], object] = {}


def once(session: nox.Session, key: str, step: Callable[[], T]) -> T:
    """Run ``step`` once per virtualenv; later calls with the same ``key`` get its result.

    In ``nox -s tests`` several components ask for the same build (the conformance runners
    need the clients the client components built); this keeps each build to one per run.
    """
    venv = str(getattr(session.virtualenv, "location", ""))
    memo = (venv, key)
    if memo not in _done:
        _done[memo] = step()
    return _done[memo]  # type: ignore[return-value]


def npm_ci(session: nox.Session, folder: str | Path) -> None:
    """``npm ci`` in ``folder`` (its committed lockfile), once per run."""

    def install() -> None:
        session.run("npm", "ci", "--no-audit", "--no-fund", "--prefix", str(folder), external=True)

    once(session, f"npm-ci:{Path(folder).resolve()}", install)


def tsc(session: nox.Session, folder: str | Path, *args: str) -> None:
    """The TypeScript compiler ``folder`` pins, on its own tsconfig."""
    compiler = Path(folder) / "node_modules/typescript/bin/tsc"
    session.run("node", str(compiler), "-p", str(folder), *args, external=True)


# pytest on every core (pytest-xdist). A test file stays on one worker, so the fixtures a
# file shares (a built client, a browser, a merged document) are built once.
PYTEST = ("pytest", "-q", "-p", "no:cacheprovider", "-n", "auto", "--dist", "loadfile")


def pytest(session: nox.Session, *args: str | Path) -> None:
    session.run(*PYTEST, *map(str, args))


@contextlib.contextmanager
def pytest_in_background(session: nox.Session, *args: str | Path) -> Iterator[None]:
    """pytest runs while the block runs its commands; its report is shown when both end.

    Most of the block's steps (compilers, package installs, bundlers) keep one core busy;
    pytest's workers (one per core) take what is left. pytest is stopped if the block fails.
    """
    argv = [*PYTEST, *map(str, args)]
    session.log(f"{shlex.join(argv)} (in the background)")
    env = {**os.environ, **session.virtualenv.env, **session.env}
    env["PATH"] = os.pathsep.join([session.bin, os.environ.get("PATH", "")])
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as report:
        process = subprocess.Popen(
            [str(Path(session.bin) / argv[0]), *argv[1:]],
            env={name: value for name, value in env.items() if value is not None},
            stdout=report,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its xdist workers are stopped with it
        )
        try:
            yield
        except BaseException:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            raise
        returncode = process.wait()
        report.seek(0)
        print(report.read(), end="", flush=True)
    if returncode != 0:
        session.error(f"pytest failed (exit status {returncode})")


def node() -> str:
    return shutil.which("node") or "node"


def ensure_system_tools(session: nox.Session, tools: dict[str, str]) -> None:
    """Install Debian packages (package -> a file it provides) the machine lacks."""
    missing = [package for package, path in tools.items() if not os.path.exists(path)]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    session.run(*sudo, "apt-get", "update", "-q", external=True)
    session.run(*sudo, "apt-get", "install", "-y", "-q", *missing, external=True)


def source_date_epoch() -> int:
    """SOURCE_DATE_EPOCH, else the last commit's time: two builds of one commit are identical."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    last = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%ct"], capture_output=True, text=True
    ).stdout.strip()
    return max(int(last) if last.isdigit() else 0, EARLIEST_ZIP_TIME)


def last_line(output: object) -> str:
    lines = str(output).strip().splitlines()
    return lines[-1] if lines else ""
