"""Language-neutral word handling shared by the per-language naming modules."""

from __future__ import annotations

import re

_SPLIT = re.compile(r"[^0-9A-Za-z]+")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def words(*parts: str) -> list[str]:
    """Lower-case words of ``parts``: separators and camel-case humps split words."""
    found: list[str] = []
    for part in parts:
        for chunk in _SPLIT.split(part):
            found.extend(w.lower() for w in _CAMEL_BOUNDARY.split(chunk) if w)
    return found


def upper_snake(*parts: str) -> str:
    return "_".join(w.upper() for w in words(*parts))


def pascal(*parts: str, initialisms: frozenset[str] = frozenset()) -> str:
    return "".join(w.upper() if w in initialisms else w.capitalize() for w in words(*parts))


def camel(*parts: str, initialisms: frozenset[str] = frozenset()) -> str:
    name = pascal(*parts, initialisms=initialisms)
    head = words(*parts)[:1]
    if not head:
        return name
    first = head[0]
    return first + name[len(first) :]


def escape_char(ch: str, short: dict[str, str], max_hex: int = 0xFF) -> str:
    r"""One character as a C-family escape: ``short`` first, then \xNN, \uNNNN, \UNNNNNNNN."""
    if ch in short:
        return short[ch]
    code = ord(ch)
    if code <= max_hex:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def safe_text_lines(text: str) -> list[str]:
    """Text for comments: one entry per line, invisible and control characters made visible.

    Line breaks of every kind split lines, so no registry text can end a comment
    early; bidi overrides and zero-width characters become ``U+XXXX`` so that
    reviewers see them.
    """
    lines = re.split(r"\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", text)
    return [
        "".join(c if c.isprintable() or c == "\t" else f"U+{ord(c):04X}" for c in line).rstrip()
        for line in lines
    ]
