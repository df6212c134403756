"""Find the earlier registry: a folder, a registry.yaml, or a git revision of ``spec/``."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SETTINGS = "registry.yaml"
TEMP_PREFIX = "errcodegen-compat-"


class SourceError(Exception):
    """The earlier registry cannot be found; the message is one line for the user."""


@contextmanager
def previous_spec(against: str, spec: Path) -> Iterator[Path]:
    """The registry folder ``against`` names, valid while the context is open.

    ``against`` is tried as a path first (a registry folder, a folder holding
    ``spec/``, or a ``registry.yaml``), then as a git revision of the repository
    ``spec`` lives in; a revision's ``spec/`` is extracted to a temporary folder.
    """
    path = Path(against)
    if path.exists():
        yield _spec_folder(path)
        return
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as tmp:
        yield _from_git(against, spec, Path(tmp))


def _spec_folder(path: Path) -> Path:
    if path.is_file():
        if path.name == SETTINGS:
            return path.parent
        raise SourceError(f"{path} is not a registry: expected a folder or a {SETTINGS}")
    for candidate in (path, path / "spec"):
        if (candidate / SETTINGS).is_file():
            return candidate
    raise SourceError(f"{path} holds no {SETTINGS} (nor spec/{SETTINGS})")


def _git(where: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(where), *args], capture_output=True, check=False)


def _from_git(revision: str, spec: Path, tmp: Path) -> Path:
    where = spec if spec.is_dir() else spec.parent
    top = _git(where, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise SourceError(
            f"{revision!r} is not a file or folder, and {where} is not in a git repository"
        )
    root = Path(top.stdout.decode().strip())
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if revision.startswith("-") or commit.returncode != 0:
        raise SourceError(f"unknown git revision {revision!r} (and no such file or folder)")
    relative = spec.resolve().relative_to(root.resolve()).as_posix()
    sha = commit.stdout.decode().strip()
    archive = _git(root, "archive", "--format=tar", sha, "--", relative)
    if archive.returncode != 0:
        raise SourceError(f"revision {revision!r} has no {relative}/ folder")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tmp, filter="data")
    return _spec_folder(tmp / relative)
