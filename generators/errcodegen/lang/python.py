"""Python naming, reserved words and literals."""

from __future__ import annotations

import builtins
import keyword

from errcodegen.lang.words import escape_char, pascal, safe_text_lines, upper_snake, words

RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))

_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def constant(*parts: str) -> str:
    """``VEID_ML_INFERENCE_FAILED`` for module ``veid``, name ``ml_inference_failed``."""
    return _avoid_reserved(upper_snake(*parts))


def class_name(*parts: str) -> str:
    """``NotFoundError`` for ``not_found``, ``error``."""
    return _avoid_reserved(pascal(*parts))


def attribute(*parts: str) -> str:
    return _avoid_reserved("_".join(words(*parts)))


def _avoid_reserved(name: str) -> str:
    if not name or name[0].isdigit():
        name = "_" + name
    return name + "_" if name in RESERVED else name


def string(text: str) -> str:
    """A double-quoted Python string literal whose value is exactly ``text``."""
    return (
        '"'
        + "".join(
            c if c.isprintable() and c not in _SHORT else escape_char(c, _SHORT) for c in text
        )
        + '"'
    )


def docstring_lines(text: str) -> list[str]:
    """Lines safe inside a ``\"\"\"`` docstring: backslashes and quotes cannot close it."""
    return [line.replace("\\", "\\\\").replace('"', '\\"') for line in safe_text_lines(text)]


def comment_lines(text: str) -> list[str]:
    return safe_text_lines(text)
