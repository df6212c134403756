"""Scan Go source trees for error registrations and resolve them to (module, number).

The reading is done by a small Go program (``scanner/``) built on the Go
toolchain's own parser and type checker: every package-level registration through
any import alias of an errors package, in the four shapes the platform uses, with
code, module and message arguments that are any constant expression. Files the Go
tool would not build are skipped: ``_test.go`` files, files whose build constraint
needs the ``ignore`` tag, and ``testdata``, ``vendor``, ``.x`` and ``_x`` folders.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from errcodegen.goimport.toolchain import GoSourceError, run_scanner

__all__ = ["GoCode", "GoSourceError", "Scan", "describe", "scan_go"]


@dataclass(frozen=True)
class GoCode:
    """One registration, resolved."""

    module: str
    number: int
    symbol: str
    message: str
    category: str | None  # as the source states it; None when it does not
    description: str  # from the registration's own doc comment; "" when none
    file: str  # path relative to the scanned project's root, "/"-separated
    path: Path  # absolute path of the file
    line: int
    grpc_code: str | None = None  # the gRPC status code RegisterWithGRPCCode names

    @property
    def key(self) -> str:
        return f"{self.module}:{self.number}"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Scan:
    codes: tuple[GoCode, ...]  # sorted by (module, number)
    files: tuple[Path, ...]  # absolute paths of the buildable Go files found
    skipped: tuple[str, ...]  # "file: reason" of the Go files left out
    # "file:line: message" of calls that look like registrations but are not package-level
    # registrations (inside a function, nested in an expression): shown, never imported
    findings: tuple[str, ...] = ()

    @property
    def folders(self) -> set[Path]:
        return {f.parent for f in self.files}


def scan_go(paths: Sequence[Path]) -> Scan:
    """Read every Go file under ``paths``; raise GoSourceError on the first unreadable one."""
    roots: list[Path] = []
    for given in paths:
        if not given.exists():
            raise GoSourceError(f"{given}: no such file or folder")
        if given.is_file() and given.suffix != ".go":
            raise GoSourceError(f"{given}: not a Go file")
        roots.append(_project_root(given.resolve()))
    out: dict[str, Any] = json.loads(run_scanner([str(p.resolve()) for p in paths]))

    def shown(absolute: str) -> str:
        path = Path(absolute)
        for root in sorted(roots, key=lambda r: len(r.parts), reverse=True):
            if path.is_relative_to(root):
                return path.relative_to(root).as_posix()
        return path.as_posix()

    if out["errors"]:
        first = out["errors"][0]
        line = f":{first['line']}" if first["line"] else ""
        raise GoSourceError(f"{shown(first['file'])}{line}: {first['message']}")
    found: dict[tuple[str, int], GoCode] = {}
    for reg in out["registrations"]:
        code = GoCode(
            module=reg["module"],
            number=reg["number"],
            symbol=reg["symbol"],
            message=reg["message"],
            category=reg["category"] or None,
            description=describe(reg["symbol"], reg["doc"]),
            file=shown(reg["file"]),
            path=Path(reg["file"]),
            line=reg["line"],
            grpc_code=reg["grpc_code"] or None,
        )
        earlier = found.get((code.module, code.number))
        if earlier is not None:
            first_code, second = sorted((earlier, code), key=lambda c: (c.file, c.line))
            raise GoSourceError(
                f"{code.key} is registered twice: {first_code.where} ({first_code.symbol}) "
                f"and {second.where} ({second.symbol})"
            )
        found[(code.module, code.number)] = code
    return Scan(
        codes=tuple(found[key] for key in sorted(found)),
        files=tuple(Path(f) for f in out["files"]),
        skipped=tuple(f"{shown(s['file'])}: {s['reason']}" for s in out["skipped"]),
        findings=tuple(f"{shown(f['file'])}:{f['line']}: {f['message']}" for f in out["findings"]),
    )


def _project_root(path: Path) -> Path:
    """The nearest folder (from ``path`` up) holding go.mod or .git; else ``path``'s folder."""
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if (folder / "go.mod").exists() or (folder / ".git").exists():
            return folder
    return start


def describe(symbol: str, doc: str) -> str:
    """The registration's own doc comment as a description.

    Go doc comments start with the name they document: ``ErrX is returned when ...``
    becomes ``Returned when ...``. Text before that sentence (a section header such as
    "Audit log errors" written directly above the first error of a group) and a comment
    that never names the symbol are not the error's documentation; lines that are
    commented-out Go code are dropped.
    """
    lines = [line for line in doc.strip().splitlines() if not _is_code(line)]
    start = next((i for i, line in enumerate(lines) if _names(line, symbol)), None)
    if start is None:
        return ""
    text = "\n".join(lines[start:]).strip()
    if text == symbol:
        return ""
    text = re.sub(r"^is\s+(?=returned|raised|used)", "", text[len(symbol) + 1 :].lstrip())
    text = text[:1].upper() + text[1:]
    return " ".join(text.split()) if "\n\n" not in text else text


def _names(line: str, symbol: str) -> bool:
    return line == symbol or line.startswith(symbol + " ")


def _is_code(line: str) -> bool:
    """``ErrX = errors.Register(...)``, ``)``, ``var (``: Go, not prose."""
    stripped = line.strip()
    return bool(
        re.match(r"^[A-Za-z_]\w*\s*(,\s*\w+\s*)*:?=\s*\S", stripped)
        or re.fullmatch(r"[(){}\[\],]+|var \(|const \(", stripped)
    )
