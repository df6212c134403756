"""Atomic, minimal writing of generated files.

Everything is rendered in memory first; only when every target succeeded does
anything touch the disk. Each output folder keeps a manifest of the files the
generator owns there, so files it no longer produces are removed and files it
never produced (tests, node_modules, lock files written by tools) are left alone.
A lock file serialises concurrent runs.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

MANIFEST = ".generated-files"

Files = Mapping[str, str | bytes]  # path relative to an output folder -> content


@contextmanager
def generation_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``root`` so two runs never interleave their writes."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".errcodegen.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_outputs(root: Path, outputs: Mapping[str, Files]) -> list[Path]:
    """Write every output folder under ``root``; return the files that changed."""
    changed: list[Path] = []
    for folder, files in sorted(outputs.items()):
        changed.extend(_write_folder(root / folder, files))
    return changed


def outdated_files(root: Path, outputs: Mapping[str, Files]) -> list[Path]:
    """The files ``write_outputs`` would create, change or remove; writes nothing."""
    outdated: list[Path] = []
    for folder, files in sorted(outputs.items()):
        wanted = _with_manifest(files)
        outdated += [
            root / folder / name
            for name, content in sorted(wanted.items())
            if _read(root / folder / name) != _bytes(content)
        ]
        outdated += [root / folder / name for name in sorted(_removed(root / folder, wanted))]
    return outdated


def _with_manifest(files: Files) -> dict[str, str | bytes]:
    return {**files, MANIFEST: "".join(f"{name}\n" for name in sorted(files))}


def _removed(folder: Path, wanted: Mapping[str, object]) -> set[str]:
    return {name for name in _previous_files(folder) - set(wanted) if (folder / name).is_file()}


def _write_folder(folder: Path, files: Files) -> list[Path]:
    wanted = _with_manifest(files)
    removed = sorted(_removed(folder, wanted))  # read the old manifest before replacing it
    changed = [
        folder / name
        for name, content in sorted(wanted.items())
        if _write_if_changed(folder / name, content)
    ]
    for name in removed:
        (folder / name).unlink()
        changed.append(folder / name)
    return changed


def _bytes(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _previous_files(folder: Path) -> set[str]:
    try:
        return set((folder / MANIFEST).read_text(encoding="utf-8").split())
    except FileNotFoundError:
        return set()


def _write_if_changed(path: Path, content: str | bytes) -> bool:
    data = _bytes(content)
    if _read(path) == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return True
