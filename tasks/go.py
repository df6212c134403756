"""The Go client: vet, gofmt, tests, fuzzing, conformance runner, benchmark."""

from __future__ import annotations

from pathlib import Path

import nox

from tasks.common import CONFORMANCE, ROOT, last_line, once

CLIENT = ROOT / "clients" / "go"
RUNNERS = CONFORMANCE / "runners" / "go"


def test(session: nox.Session) -> None:
    """go vet, gofmt, go test -race (loopback servers) and a bounded fuzz run."""
    with session.chdir(CLIENT):
        session.run("go", "vet", "./...", external=True)
        unformatted = session.run("gofmt", "-l", ".", external=True, silent=True)
        if str(unformatted).strip():
            session.error(f"gofmt -l lists files:\n{unformatted}")
        session.run("go", "test", "-race", "./...", external=True)
        fuzz = ["-run=^$", "-fuzz=FuzzDecodeError", "-fuzztime=10000x"]
        session.run("go", "test", *fuzz, ".", external=True)


def _command(session: nox.Session, name: str, root: Path) -> str:
    folder = root / RUNNERS.relative_to(ROOT)

    def step() -> str:
        with session.chdir(folder):
            session.run("go", "vet", "./...", external=True)
            session.run("go", "build", "-o", f"build/{name}", f"./cmd/{name}", external=True)
        return str(folder / "build" / name)

    return once(session, f"go-{name}:{root}", step)


def runner(session: nox.Session, root: Path = ROOT) -> list[str]:
    """Build the conformance runner against the module generated under ``root``; its argv."""
    return [_command(session, "runner", root)]


def scenario_runner(session: nox.Session) -> list[str]:
    """Build the live scenario runner (the real Transport); its argv."""
    return [_command(session, "scenarios", ROOT)]


def bench(session: nox.Session) -> list[str]:
    """Build the client benchmark (prints one JSON line); its argv."""
    folder = ROOT / "benchmarks/go"
    with session.chdir(folder):
        session.run("go", "build", "-o", "build/bench", ".", external=True)
    return [str(folder / "build" / "bench")]


def run_vectors(session: nox.Session, files: list[str]) -> None:
    for vectors in files:
        output = session.run(*runner(session), vectors, silent=True)  # fails loudly
        session.log(f"go runner, {vectors}: {last_line(output)}")
