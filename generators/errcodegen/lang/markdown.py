"""Markdown (CommonMark with GitHub tables): registry text always reads as text, never as markup.

Every character that can open inline markup here is backslash-escaped (CommonMark allows
a backslash before any ASCII punctuation), so ``<script>``, ``-->``, backticks, ``|`` in
a table cell, emphasis, links, entities and math stay literal. Line breaks become
``<br>``: one registry string never spans two Markdown lines, so it cannot end a table
row or start a block.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from errcodegen.lang.words import safe_text_lines

# [ ] cannot open a link once escaped, so ( ) and ! need nothing.
_ALWAYS = frozenset("\\`*[]<>|~$&")
# At the start of a line these open a heading, list, quote, thematic break or setext line.
_BLOCK_START = re.compile(r"[#>+=-]|\d+(?=[.)])")


def text(value: str) -> str:
    """Inline text, safe anywhere inside a line: a table cell, a heading, mid-sentence."""
    return "<br>".join(_escape_inline(line.strip()) for line in safe_text_lines(value))


def paragraph(value: str) -> str:
    """Text that starts a line of its own (it may not open a heading or a list)."""
    return "<br>".join(_escape_block_start(line) for line in text(value).split("<br>"))


def _escape_inline(line: str) -> str:
    out = []
    for i, c in enumerate(line):
        if c in _ALWAYS or (c == "_" and not _inside_word(line, i)):
            out.append("\\" + c)
        else:
            out.append(c)
    return "".join(out)


def _inside_word(line: str, i: int) -> bool:
    """An ``_`` between two letters or digits never opens or closes emphasis."""
    return 0 < i < len(line) - 1 and line[i - 1].isalnum() and line[i + 1].isalnum()


def _escape_block_start(line: str) -> str:
    match = _BLOCK_START.match(line)
    if match is None:
        return line
    marker = match.group(0)
    if marker[0].isdigit():  # "1." would open an ordered list: escape the dot
        return marker + "\\" + line[len(marker) :]
    return "\\" + line


def code(value: str) -> str:
    """A code span; ``|`` is escaped too because GitHub splits table cells inside spans."""
    body = " ".join(safe_text_lines(value)).strip().replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def link(label: str, target: str) -> str:
    """``[label](target)``: the label escaped as text, the target percent-encoded."""
    return f"[{text(label)}]({quote(target, safe='/#.-_~')})"
