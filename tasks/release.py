"""Distributables (``nox -s release``) and the tests that install them as a user does."""

from __future__ import annotations

import atexit
import datetime
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import nox

from tasks import go, python, typescript
from tasks.common import ROOT, once, source_date_epoch

PACKAGES = {"python": python, "typescript": typescript, "go": go}
DIST = ROOT / "dist"
# The install tests run in scratch projects outside the repository, not under pytest.
TESTS: tuple[Path, ...] = ()


def package_all(
    session: nox.Session, out: Path, languages: Iterable[str] = PACKAGES
) -> dict[str, list[Path]]:
    """The distributables of ``languages`` (all by default) built into ``out``."""
    epoch = source_date_epoch()
    session.env["SOURCE_DATE_EPOCH"] = str(epoch)
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)  # for steps the modules run in-process
    return {name: PACKAGES[name].package(session, out) for name in languages}


def build(session: nox.Session, *release_check_args: str) -> None:
    """Check that the sources are fresh and the version bump big enough, write this
    release's CHANGELOG.md section, then build every distributable into dist/."""
    session.run("errcodegen", "generate", "--check")
    date = datetime.datetime.fromtimestamp(source_date_epoch(), datetime.UTC).date()
    session.run(
        "errcodegen",
        "release-check",
        "--changelog",
        "CHANGELOG.md",
        "--date",
        str(date),
        *release_check_args,
    )
    shutil.rmtree(DIST, ignore_errors=True)
    artifacts = [path for paths in package_all(session, DIST).values() for path in paths]
    shutil.copy(ROOT / "CHANGELOG.md", DIST / "CHANGELOG.md")
    sums = [f"{_sha256(path)}  {path.relative_to(DIST)}" for path in sorted(artifacts)]
    (DIST / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    for path in sorted(artifacts):
        session.log(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")


def prepare(session: nox.Session, languages: Iterable[str] = PACKAGES) -> dict[str, list[Path]]:
    """The distributables of ``languages``, built once per run into a scratch folder
    removed when nox exits (before any test runs: ``npm pack`` rebuilds the client's dist/)."""
    names = tuple(languages)

    def build_all() -> dict[str, list[Path]]:
        out = Path(tempfile.mkdtemp(prefix="errcodegen-release-"))
        atexit.register(shutil.rmtree, out, ignore_errors=True)
        return package_all(session, out, names)

    return once(session, f"release-artifacts:{','.join(names)}", build_all)


def check(session: nox.Session, languages: Iterable[str] = PACKAGES) -> None:
    """Install each distributable into scratch projects outside the repository and use it
    as its README says."""
    for name, artifacts in prepare(session, languages).items():
        PACKAGES[name].install_test(session, artifacts)


def install_tests(session: nox.Session, languages: Iterable[str] = PACKAGES) -> None:
    prepare(session, languages)
    check(session, languages)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
