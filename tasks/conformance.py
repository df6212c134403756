"""The three clients on one corpus: comparison, mutant check, live scenarios, regenerated copies."""

from __future__ import annotations

import shlex
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import nox

from tasks import go, python, typescript
from tasks.common import CONFORMANCE, ROOT

LANGUAGES = {"python": python, "typescript": typescript, "go": go}


def corpus() -> list[str]:
    """Every vector file: the hand-written ones, then one lookup and decode case per code."""
    hand_written = sorted(str(p) for p in (CONFORMANCE / "vectors").glob("*.json"))
    generated = sorted(str(p) for p in (CONFORMANCE / "generated").glob("*.json"))
    return [*hand_written, *generated]


def runner_flags(runners: dict[str, list[str]]) -> list[str]:
    return [f"--runner={name}={shlex.join(argv)}" for name, argv in runners.items()]


def compare(session: nox.Session, files: list[str], root: Path = ROOT) -> None:
    runners = {name: module.runner(session, root) for name, module in LANGUAGES.items()}
    session.run("python", str(CONFORMANCE / "compare.py"), *runner_flags(runners), *files)


TESTS: tuple[Path, ...] = (CONFORMANCE,)


def prepare(session: nox.Session) -> None:
    """Every language's conformance and live scenario runner, built."""
    for module in LANGUAGES.values():
        module.runner(session)
        module.scenario_runner(session)


def check(session: nox.Session) -> None:
    """The corpus through every runner, the mutant check, the live scenarios, and the
    runners on clients regenerated from changed registries."""
    compare(session, corpus())
    runners = {name: module.runner(session) for name, module in LANGUAGES.items()}
    session.run("python", str(CONFORMANCE / "check_mutant.py"), *runner_flags(runners))
    scenarios = {name: module.scenario_runner(session) for name, module in LANGUAGES.items()}
    session.run("python", str(CONFORMANCE / "live/run.py"), *runner_flags(scenarios))
    check_retry_default_change(session)
    check_hostile_registry(session)


def check_retry_default_change(session: nox.Session) -> None:
    """One retry default changed in the registry changes every client together: regenerated
    with base_delay_ms 500 -> 800 they must sleep r * 800 * 2^n (default_change.json, which
    the real clients fail)."""

    def slower_backoff(copy: Path) -> None:
        registry = copy / "spec/registry.yaml"
        registry.write_text(
            registry.read_text().replace("base_delay_ms: 500", "base_delay_ms: 800")
        )

    on_copy(session, slower_backoff, [str(CONFORMANCE / "default_change.json")])


def check_hostile_registry(session: nox.Session) -> None:
    """Every client generated from tests/fixtures/hostile builds and returns the fixture's
    strings byte for byte through its lookup and decode vectors, in every language."""

    def hostile(copy: Path) -> None:
        shutil.rmtree(copy / "spec")
        shutil.copytree(ROOT / "tests/fixtures/hostile/spec", copy / "spec")

    on_copy(
        session,
        hostile,
        ["tests/conformance/generated/lookup.json", "tests/conformance/generated/decode.json"],
    )


def on_copy(session: nox.Session, edit: Callable[[Path], None], vectors: list[str]) -> None:
    """Regenerate every client in a copy of the repository whose registry ``edit`` changed,
    and run every runner there on ``vectors`` (absolute, or relative to the copy)."""
    scratch = Path(tempfile.mkdtemp(prefix="conformance-copy-"))
    copy = scratch / "repo"
    junk = shutil.ignore_patterns(
        "node_modules", ".nox", ".venv", ".git", "dist", "build", "__pycache__"
    )
    shutil.copytree(ROOT, copy, ignore=junk)
    edit(copy)
    session.run(
        "errcodegen", "generate", "--spec", str(copy / "spec"), "--root", str(copy), silent=True
    )
    compare(session, [str(copy / v) for v in vectors], root=copy)
    shutil.rmtree(scratch)
