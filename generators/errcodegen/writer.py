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
    """Write every output folder under ``root``, all or nothing; return the files changed.

    Every change is planned (reading what is there), then staged beside its file, then
    put in place; a failure at any step undoes the replacements already made and
    removes the staged files, so the outputs stay as they were, and the error is raised.
    """
    changes = _plan(root, outputs)
    _apply(changes)
    return [path for path, _ in changes]


Change = tuple[Path, bytes | None]  # the new content, or None to remove the file


def _plan(root: Path, outputs: Mapping[str, Files]) -> list[Change]:
    changes: list[Change] = []
    for folder, files in sorted(outputs.items()):
        base, wanted = root / folder, _with_manifest(files)
        for name, content in sorted(wanted.items()):
            if _read(base / name) != _bytes(content):
                changes.append((base / name, _bytes(content)))
        changes += [(base / name, None) for name in sorted(_removed(base, wanted))]
    return changes


def _apply(changes: list[Change]) -> None:
    staged: list[tuple[Path, Path | None, bytes | None]] = []  # path, temp, previous
    try:
        for path, data in changes:
            staged.append((path, None if data is None else _stage(path, data), _read(path)))
    except BaseException:
        _discard(staged)
        raise
    done: list[tuple[Path, bytes | None]] = []
    try:
        for path, temp, previous in staged:
            _put(path, temp)
            done.append((path, previous))
    except BaseException:
        _discard(staged[len(done) :])
        _restore(done)
        raise


def _stage(path: Path, data: bytes) -> Path:
    """``data`` in a temporary file beside ``path``, ready to replace it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


def _put(path: Path, temp: Path | None) -> None:
    if temp is None:
        path.unlink()
    else:
        os.replace(temp, path)


def _discard(staged: list[tuple[Path, Path | None, bytes | None]]) -> None:
    for _, temp, _ in staged:
        if temp is not None:
            temp.unlink(missing_ok=True)


def _restore(done: list[tuple[Path, bytes | None]]) -> None:
    """Put back what was there before the replacements made so far."""
    for path, previous in reversed(done):
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            _put(path, _stage(path, previous))


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
