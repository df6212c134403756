"""TypeScript naming, reserved words and literals."""

from __future__ import annotations

from errcodegen.lang.words import camel, pascal, safe_text_lines, upper_snake

RESERVED = frozenset(
    """break case catch class const continue debugger default delete do else enum export
    extends false finally for function if import in instanceof new null return super switch
    this throw true try typeof var void while with as implements interface let package private
    protected public static yield any boolean constructor declare get module require number set
    string symbol type from of async await undefined NaN Infinity eval arguments Object Error
    Array Promise globalThis""".split()
)

_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def constant(*parts: str) -> str:
    return _avoid_reserved(upper_snake(*parts))


def type_name(*parts: str) -> str:
    return _avoid_reserved(pascal(*parts))


def member(*parts: str) -> str:
    return _avoid_reserved(camel(*parts))


def _avoid_reserved(name: str) -> str:
    if not name or name[0].isdigit():
        name = "_" + name
    return name + "_" if name in RESERVED else name


def string(text: str) -> str:
    """A double-quoted TypeScript string literal whose value is exactly ``text``.

    Printable characters stand as they are; backslash, quote, CR, LF and tab get their short
    escapes; every other character is written as a code point escape ``\\u{...}`` (ES2015),
    which holds any code point, astral ones included, and a lone surrogate as itself.
    """
    return '"' + "".join(_char(c) for c in text) + '"'


def _char(c: str) -> str:
    if c in _SHORT:
        return _SHORT[c]
    return c if c.isprintable() else f"\\u{{{ord(c):x}}}"


def doc_lines(text: str) -> list[str]:
    """Lines safe inside a ``/** ... */`` comment."""
    return [line.replace("*/", "*\\/") for line in safe_text_lines(text)]
