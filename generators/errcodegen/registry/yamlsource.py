"""YAML reading that remembers where every value came from.

The registry is plain data, so only plain YAML is read: one document of mappings,
sequences and scalars. Anchors and aliases are refused outright (the registry never needs
them, and refusing them rules out alias bombs and self-referencing aliases without a
budget to tune), and so are merge keys (``<<``), tags other than YAML's core ones, and the
YAML 1.1 number forms a reader would not recognise as numbers (``02131`` is octal 1113,
``18:34`` is sexagesimal 1114, ``0x10``, ``1_000``). Values are built from the parser's
event stream without recursion, nested at most ``MAX_DEPTH`` deep, from a regular file of
at most ``MAX_FILE_BYTES``: time and memory stay proportional to the file.
"""

from __future__ import annotations

import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from errcodegen.registry.problems import Problem, field_path

Path_ = tuple[str | int, ...]

# libyaml's parser when PyYAML was built with it: the same events, several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 16 * 1024 * 1024  # the largest registry file read (20,000 codes fit)
MAX_DEPTH = 32  # the registry nests five levels; anything far deeper is not a registry
MAX_INT_DIGITS = 20  # every number the registry holds fits in 20 digits

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null"))
_COLLECTION_TAGS = {
    yaml.MappingStartEvent: f"{_CORE}map",
    yaml.SequenceStartEvent: f"{_CORE}seq",
}
_DECIMAL_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
_ONLY_PLAIN = {
    f"{_CORE}merge": "merge keys (<<) are not allowed: write every field out",
    f"{_CORE}value": "a bare '=' is a YAML value key; quote it to make it a string",
    f"{_CORE}timestamp": "is read as a YAML timestamp; quote it to make it a string",
}


@dataclass
class YamlDocument:
    """A parsed YAML file and the (line, column) of each value, by path."""

    file: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path_, message: str) -> Problem:
        """A problem at ``path``, or at its closest ancestor that has a position."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                line, column = self.positions[path[:end]]
                return Problem(self.file, line, column, field_path(path), message)
        return Problem(self.file, 0, 0, field_path(path), message)


class _Refused(Exception):
    """Reading stops at the first construct the registry does not allow."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_yaml(path: Path, display: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse ``path``; every way it can be unreadable or not plain YAML is a problem."""
    try:
        text = decode_utf8(read_regular_file(path, display), display)
        document = YamlDocument(display, None)
        problems: list[Problem] = []
        document.data = _Builder(document, problems).build(text)
    except _Refused as refused:
        return None, [refused.problem]
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(exc, display, text)]
    return document, problems


def read_regular_file(path: Path, display: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    Opened without blocking and checked on the open descriptor, so a FIFO, a device
    (a symlink to ``/dev/zero``) or a directory is refused instead of read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise _Refused(Problem(display, 0, 0, "", f"cannot read file: {exc.strerror}")) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Refused(
                Problem(display, 0, 0, "", f"not a regular file ({_kind(info.st_mode)})")
            )
        data = _read_at_most(fd, limit + 1) if info.st_size <= limit else b""
    finally:
        os.close(fd)
    if info.st_size > limit or len(data) > limit:
        raise _Refused(Problem(display, 0, 0, "", f"file is larger than {limit} bytes"))
    return data


def _read_at_most(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    while size > 0 and (chunk := os.read(fd, min(size, 1 << 20))):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _kind(mode: int) -> str:
    kinds = {stat.S_ISDIR: "a directory", stat.S_ISFIFO: "a FIFO", stat.S_ISCHR: "a device"}
    return next((name for test, name in kinds.items() if test(mode)), "a special file")


def decode_utf8(data: bytes, display: str) -> str:
    """``data`` as text; invalid UTF-8 is a problem at the line and column of the bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        bad = data[exc.start : exc.end].hex(" ")
        raise _Refused(Problem(display, line, column, "", f"not UTF-8: byte(s) {bad}")) from exc


def _syntax_problem(exc: yaml.YAMLError, display: str, text: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    position = getattr(exc, "position", None)  # a reader error: a character YAML forbids
    if mark is None and isinstance(position, int):
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
    reason = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
    return Problem(display, line, column, "", f"YAML syntax error: {reason}")


@dataclass
class _Frame:
    """A mapping or sequence being filled."""

    value: dict[Any, Any] | list[Any]
    path: Path_
    record: bool  # False inside the value of a duplicate key: read, then dropped
    key: Any = None
    drop: bool = False  # the current key is a duplicate: its value is read, then dropped
    has_key: bool = False
    key_path: Path_ = ()


class _Builder:
    """Plain data and positions from the parser's events, with an explicit stack."""

    def __init__(self, doc: YamlDocument, problems: list[Problem]) -> None:
        self.doc = doc
        self.problems = problems
        self.stack: list[_Frame] = []
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()
        self.result: Any = None
        self.documents = 0

    def build(self, text: str) -> Any:
        for event in yaml.parse(text, Loader=_LOADER):
            self.event(event)
        return self.result

    def event(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.refuse(event, (), "a registry file holds one YAML document")
        elif isinstance(event, yaml.AliasEvent):
            self.refuse(event, self.next_path(), f"aliases are not allowed (*{event.anchor})")
        elif isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
            self.node(event)
        elif isinstance(event, yaml.CollectionEndEvent):
            self.close(self.stack.pop())

    def node(self, event: Any) -> None:
        if event.anchor is not None:
            self.refuse(event, self.next_path(), f"anchors are not allowed (&{event.anchor})")
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.value, dict) and not frame.has_key:
            self.key(frame, event)
            return
        path = self.next_path()
        record = frame is None or (frame.record and not frame.drop)
        if record:
            self.doc.positions.setdefault(path, _position(event))
        if isinstance(event, yaml.ScalarEvent):
            self.place(self.scalar(event, path))
        else:
            self.open(event, path, record)

    def open(self, event: Any, path: Path_, record: bool) -> None:
        expected = _COLLECTION_TAGS[type(event)]
        if event.tag not in (None, "!", expected):
            self.refuse(event, path, f"tag {event.tag} is not allowed")
        if len(self.stack) >= MAX_DEPTH:
            self.refuse(event, path, f"nested deeper than {MAX_DEPTH} levels")
        container: dict[Any, Any] | list[Any] = (
            {} if isinstance(event, yaml.MappingStartEvent) else []
        )
        self.stack.append(_Frame(container, path, record))

    def close(self, frame: _Frame) -> None:
        self.place(frame.value)

    def key(self, frame: _Frame, event: Any) -> None:
        if not isinstance(event, yaml.ScalarEvent):
            self.refuse(event, frame.path, "a mapping key must be a scalar")
        key = self.scalar(event, frame.path)
        child = (*frame.path, key if isinstance(key, str | int) else str(key))
        frame.key, frame.has_key, frame.key_path = key, True, child
        duplicate = frame.drop = key in frame.value
        if frame.record and not duplicate:
            self.doc.positions[child] = _position(event)
        if duplicate and frame.record:
            self.problems.append(
                Problem(self.doc.file, *_position(event), field_path(child), "duplicate key")
            )

    def place(self, value: Any) -> None:
        if not self.stack:
            self.result = value
            return
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            frame.value.append(value)
            return
        if not frame.drop:
            frame.value[frame.key] = value
        frame.has_key = False

    def next_path(self) -> Path_:
        """The path of the node the next event starts."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            return (*frame.path, len(frame.value))
        return frame.key_path if frame.has_key else frame.path

    def scalar(self, event: Any, path: Path_) -> Any:
        tag = event.tag
        if tag in (None, "!"):
            tag = self.resolver.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, event.value, event.implicit
            )
        _check_scalar(tag, event.value, lambda message: self.refuse(event, path, message))
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = self.constructor.construct_object(node)
        except (yaml.YAMLError, ValueError, KeyError, TypeError, OverflowError):
            self.refuse(
                event, path, f"{_shown(event.value)} is not a valid {tag.removeprefix(_CORE)}"
            )
        if isinstance(value, float) and not math.isfinite(value):
            self.refuse(event, path, f"{_shown(event.value)}: only finite numbers are allowed")
        return value

    def refuse(self, event: Any, path: Path_, message: str) -> NoReturn:
        line, column = _position(event)
        raise _Refused(Problem(self.doc.file, line, column, field_path(path), message))


def _check_scalar(tag: str, value: str, refuse: Any) -> None:
    text = _shown(value)
    if tag in _ONLY_PLAIN:
        reason = _ONLY_PLAIN[tag]
        refuse(f"{text} {reason}" if reason.startswith("is ") else reason)
    elif tag not in _SCALAR_TAGS:
        refuse(f"tag {tag} is not allowed")
    elif tag.endswith(":int") and not _DECIMAL_INT.fullmatch(value):
        refuse(
            f"{text} is a YAML 1.1 number form (octal, hex, sexagesimal or with '_'); "
            "write the number in decimal, or quote it to make it a string"
        )
    elif tag.endswith(":int") and len(value.lstrip("+-")) > MAX_INT_DIGITS:
        refuse(f"{text} has more than {MAX_INT_DIGITS} digits")
    elif tag.endswith(":float") and not _DECIMAL_FLOAT.fullmatch(value):
        refuse(f"{text} is not a plain decimal number; write it in decimal, or quote it")


def _shown(text: str) -> str:
    """``text`` quoted for a message, cut short when long."""
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _position(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1
