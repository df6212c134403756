"""TOML literals (``pyproject.toml``)."""

from __future__ import annotations

_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def string(text: str) -> str:
    """A TOML basic string whose value is exactly ``text``.

    TOML files are UTF-8, so printable characters stand as they are ("Société Générale");
    backslash, quote and the short-escape controls get their escapes; every other
    character is ``\\uXXXX`` or ``\\UXXXXXXXX`` (TOML has no ``\\x``).
    """
    return '"' + "".join(_char(c) for c in text) + '"'


def _char(c: str) -> str:
    if c in _SHORT:
        return _SHORT[c]
    if c.isprintable():
        return c
    return f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
