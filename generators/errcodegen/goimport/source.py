"""Scan Go source trees for error registrations and resolve them to (module, number).

Files the Go tool would not build are skipped: ``_test.go`` files, files whose build
constraint needs the ``ignore`` tag, and ``testdata``, ``vendor``, ``.x`` and ``_x``
folders. A module name given as a constant is resolved in the file's own package
or, for ``pkg.Name``, in the scanned package the import path names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from errcodegen.goimport.lexer import GoSyntaxError
from errcodegen.goimport.parse import (
    GoFile,
    IntExpr,
    Ref,
    Registration,
    StringExpr,
    build_constraint_lines,
    parse_go,
)

SKIPPED_FOLDERS = {"testdata", "vendor"}
NEVER_SET_TAGS = {"ignore"}  # a tag no build sets: files requiring it are not compiled


class GoSourceError(Exception):
    """Go source the importer cannot read; the message is one line naming the file."""


@dataclass(frozen=True)
class GoCode:
    """One registration, resolved."""

    module: str
    number: int
    symbol: str
    message: str
    category: str | None  # as the source states it; None when it does not
    description: str  # from the doc comment; "" when none
    file: str  # path relative to the scanned project's root, "/"-separated
    path: Path  # absolute path of the file
    line: int

    @property
    def key(self) -> str:
        return f"{self.module}:{self.number}"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Scan:
    codes: tuple[GoCode, ...]  # sorted by (module, number)
    files: tuple[Path, ...]  # absolute paths of the files read
    skipped: tuple[str, ...]  # "file: reason" of the Go files left out

    @property
    def folders(self) -> set[Path]:
        return {f.parent for f in self.files}


@dataclass
class _Package:
    name: str
    files: list[tuple[Path, str, GoFile]] = field(default_factory=list)  # path, shown, parsed

    def constant(self, name: str) -> tuple[StringExpr | IntExpr, GoFile, Path] | None:
        for path, _, parsed in self.files:
            if name in parsed.constants:
                return parsed.constants[name], parsed, path.parent
        return None


def scan_go(paths: Sequence[Path]) -> Scan:
    """Read every Go file under ``paths``; raise GoSourceError on the first unreadable one."""
    packages: dict[Path, _Package] = {}
    skipped: list[str] = []
    read: list[Path] = []
    for path, shown in _go_files(paths):
        source = _read(path, shown)
        reason = _skip_reason(path, source)
        if reason:
            skipped.append(f"{shown}: {reason}")
            continue
        try:
            parsed = parse_go(source)
        except GoSyntaxError as exc:
            raise GoSourceError(f"{shown}:{exc.line}: {exc.detail}") from None
        package = packages.setdefault(path.parent, _Package(parsed.package))
        package.files.append((path, shown, parsed))
        read.append(path)
    codes = _resolve_all(packages)
    return Scan(tuple(codes), tuple(read), tuple(skipped))


def _go_files(paths: Sequence[Path]) -> Iterator[tuple[Path, str]]:
    seen: set[Path] = set()
    for given in paths:
        if not given.exists():
            raise GoSourceError(f"{given}: no such file or folder")
        root = _project_root(given.resolve())
        files = [given] if given.is_file() else _walk(given)
        for file in files:
            absolute = file.resolve()
            if file.is_file() and file.suffix != ".go":
                raise GoSourceError(f"{file}: not a Go file")
            if absolute not in seen:
                seen.add(absolute)
                yield absolute, _shown(absolute, root)


def _walk(folder: Path) -> Iterator[Path]:
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir() and entry.name not in SKIPPED_FOLDERS:
            yield from _walk(entry)
        elif entry.is_file() and entry.suffix == ".go":
            yield entry


def _project_root(path: Path) -> Path:
    """The nearest folder (from ``path`` up) holding go.mod or .git; else ``path``'s folder."""
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if (folder / "go.mod").exists() or (folder / ".git").exists():
            return folder
    return start


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _read(path: Path, shown: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise GoSourceError(f"{shown}: cannot read: not UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise GoSourceError(f"{shown}: cannot read: {exc.strerror or exc}") from None


def _skip_reason(path: Path, source: str) -> str | None:
    if path.name.endswith("_test.go"):
        return "test file"
    if path.name.startswith((".", "_")):
        return "ignored by the Go tool"
    try:
        lines = build_constraint_lines(source)
    except GoSyntaxError:
        return None  # parse_go reports it with its line
    constraint = next((line for line in lines if line.startswith("go:build")), None)
    if constraint is not None:
        if not _satisfiable(constraint.removeprefix("go:build")):
            return f"build constraint {constraint.removeprefix('go:build').strip()!r}"
        return None
    for line in lines:  # the old "// +build" form: spaces are OR, commas AND
        expression = " || ".join(
            "(" + " && ".join(term.split(",")) + ")" for term in line.split()[1:]
        )
        if expression and not _satisfiable(expression):
            return f"build constraint {line!r}"
    return None


def _satisfiable(expression: str) -> bool:
    """Whether some build compiles the file: only tags no build sets are false.

    Every other tag is unknown (an OS, an architecture, a feature), and a file
    built under some configuration registers real codes, so unknown tags and
    their negations both count as true.
    """
    tokens = re.findall(r"&&|\|\||!|\(|\)|[^\s!()&|]+", expression)
    value, _ = _or(tokens, 0)
    return value


def _or(tokens: list[str], i: int) -> tuple[bool, int]:
    value, i = _and(tokens, i)
    while i < len(tokens) and tokens[i] == "||":
        right, i = _and(tokens, i + 1)
        value = value or right
    return value, i


def _and(tokens: list[str], i: int) -> tuple[bool, int]:
    value, i = _not(tokens, i)
    while i < len(tokens) and tokens[i] == "&&":
        right, i = _not(tokens, i + 1)
        value = value and right
    return value, i


def _not(tokens: list[str], i: int) -> tuple[bool, int]:
    if i >= len(tokens):
        return True, i
    if tokens[i] == "!":
        if i + 1 < len(tokens) and tokens[i + 1] not in ("(", "!"):
            return True, i + 2  # the negation of a tag: never-set tags' is true, others unknown
        value, i = _not(tokens, i + 1)
        return not value, i
    if tokens[i] == "(":
        value, i = _or(tokens, i + 1)
        return value, i + 1
    return tokens[i] not in NEVER_SET_TAGS, i + 1


def _resolve_all(packages: dict[Path, _Package]) -> list[GoCode]:
    found: dict[tuple[str, int], GoCode] = {}
    for folder in sorted(packages):
        for path, shown, parsed in packages[folder].files:
            for registration in parsed.registrations:
                code = _resolve(registration, path, shown, parsed, packages)
                earlier = found.get((code.module, code.number))
                if earlier is not None:
                    raise GoSourceError(
                        f"{code.key} is registered twice: {earlier.where} ({earlier.symbol}) "
                        f"and {code.where} ({code.symbol})"
                    )
                found[(code.module, code.number)] = code
    return [found[key] for key in sorted(found)]


def _resolve(
    registration: Registration,
    path: Path,
    shown: str,
    parsed: GoFile,
    packages: dict[Path, _Package],
) -> GoCode:
    resolver = _Resolver(packages, f"{shown}:{registration.line}: {registration.symbol}")
    number = resolver.integer(registration.number, parsed, path.parent)
    return GoCode(
        module=resolver.string(registration.module, parsed, path.parent),
        number=number,
        symbol=registration.symbol,
        message=resolver.string(registration.message, parsed, path.parent),
        category=registration.category,
        description=describe(registration.symbol, registration.doc),
        file=shown,
        path=path,
        line=registration.line,
    )


class _Resolver:
    def __init__(self, packages: dict[Path, _Package], where: str) -> None:
        self.packages = packages
        self.where = where
        self.depth = 0

    def fail(self, message: str) -> GoSourceError:
        return GoSourceError(f"{self.where}: {message}")

    def string(self, expr: StringExpr, file: GoFile, folder: Path) -> str:
        parts = []
        for part in expr:
            if isinstance(part, str):
                parts.append(part)
                continue
            value, defined_in, defined_folder = self.constant(part, file, folder)
            if not isinstance(value, tuple):
                raise self.fail(f"{part} is not a string constant")
            parts.append(self.string(value, defined_in, defined_folder))
        return "".join(parts)

    def integer(self, expr: IntExpr, file: GoFile, folder: Path) -> int:
        if isinstance(expr, int):
            return expr
        value, defined_in, defined_folder = self.constant(expr, file, folder)
        if isinstance(value, tuple):
            raise self.fail(f"{expr} is not an integer constant")
        return self.integer(value, defined_in, defined_folder)

    def constant(
        self, ref: Ref, file: GoFile, folder: Path
    ) -> tuple[StringExpr | IntExpr, GoFile, Path]:
        self.depth += 1
        if self.depth > 50:
            raise self.fail(f"constant {ref} refers to itself")
        target = folder if ref.package is None else self.imported_folder(ref.package, file)
        found = self.packages[target].constant(ref.name)
        if found is None:
            raise self.fail(f"cannot resolve {ref}: no such constant in {target.name}/")
        return found

    def imported_folder(self, alias: str, file: GoFile) -> Path:
        import_path = file.imports.get(alias)
        candidates = [import_path] if import_path else file.plain_imports
        best: tuple[int, Path] | None = None
        for path in candidates:
            for folder, package in self.packages.items():
                score = _suffix_match(PurePosixPath(path).parts, folder.parts)
                named = import_path is not None or package.name == alias
                if score and named and (best is None or score > best[0]):
                    best = (score, folder)
        if best is None:
            shown = import_path or f"a package named {alias}"
            raise self.fail(f"cannot resolve {alias}: {shown} is not among the scanned files")
        return best[1]


def _suffix_match(import_parts: tuple[str, ...], folder_parts: tuple[str, ...]) -> int:
    """How many trailing path elements the import path and the folder share."""
    count = 0
    for a, b in zip(reversed(import_parts), reversed(folder_parts), strict=False):
        if a != b:
            break
        count += 1
    return count


def describe(symbol: str, doc: str) -> str:
    """The doc comment as a description: ``ErrX is returned when ...`` -> ``Returned when ...``.

    Go doc comments start with the name they document; the registry already
    records the symbol, so the description starts with what follows it.
    """
    text = doc.strip()
    if text == symbol:
        return ""
    if text.startswith(symbol + " "):
        text = re.sub(r"^is\s+(?=returned|raised|used)", "", text[len(symbol) + 1 :].lstrip())
        text = text[:1].upper() + text[1:]
    return text
