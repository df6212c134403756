"""Prometheus rule files: YAML scalars, PromQL literals, alert names, annotation text."""

from __future__ import annotations

import json
import math
import re

from errcodegen.lang.words import escape_char, pascal

_PROMQL_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# YAML reads these as line breaks inside a double-quoted scalar and would fold them.
_YAML_BREAKS = frozenset("\x85\u2028\u2029")
# Plain scalars that no YAML 1.1 or 1.2 reader takes for anything but a string: a word,
# or digits followed by letters (a duration such as 5m).
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*|[0-9]+[a-z]+")
_YAML_WORDS = frozenset("y n yes no true false on off null nan inf".split())


def yaml_string(value: str) -> str:
    """A YAML scalar whose value is exactly the string ``value``, in the plainest style
    that holds it: plain for words, single-quoted for printable text, else double-quoted."""
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    if value and all(c.isprintable() for c in value) and value == value.strip():
        return "'" + value.replace("'", "''") + "'"
    return "".join(_yaml_char(c) for c in json.dumps(value, ensure_ascii=False))


def _yaml_char(c: str) -> str:
    # json.dumps already escaped quotes, backslashes and C0 controls; YAML 1.1 parsers
    # reject or fold the rest of the non-printables, so spell them as \u escapes.
    if c in _YAML_BREAKS or c == "\x7f" or "\x80" <= c < "\xa0" or not c.isprintable():
        return f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
    return c


def promql_string(value: str) -> str:
    """A double-quoted PromQL string literal (Go escapes) whose value is exactly ``value``."""
    return (
        '"'
        + "".join(
            c
            if c.isprintable() and c not in _PROMQL_SHORT
            else escape_char(c, _PROMQL_SHORT, max_hex=0x7F)
            for c in value
        )
        + '"'
    )


def number(value: float) -> str:
    """A PromQL float literal: ``0.2``, ``10``."""
    if not math.isfinite(value):
        raise ValueError(f"alert threshold must be finite, got {value!r}")
    return str(int(value)) if value.is_integer() else repr(value)


def template_text(value: str) -> str:
    """Annotation text: Prometheus expands annotations as Go templates, so a literal ``{{``
    in registry text is written as an action printing ``{{``."""
    return value.replace("{{", '{{ "{{" }}')


def alert_name(*parts: str) -> str:
    """``VeidVerificationTimeoutErrors``: a valid alert (metric-style) name."""
    name = pascal(*parts)
    return name if name and not name[0].isdigit() else "Alert" + name
