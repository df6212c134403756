"""Edit module files in place, keeping everything the importer does not change.

A code entry the importer leaves alone keeps its bytes (comments, quoting, order);
a changed entry is re-emitted in the files' own style (block style, nested
mappings such as ``alert`` in flow style, 100 columns), and a new entry is
inserted before the first code with a higher number.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

Entry = Mapping[str, Any]


class _FlowMap(dict[str, Any]):
    """A nested mapping written on one line: ``alert: {above: 0.1, for: 5m}``."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_flow(dumper: yaml.SafeDumper, data: _FlowMap) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


_Dumper.add_representer(_FlowMap, _represent_flow)


def _styled(entry: Entry) -> dict[str, Any]:
    return {k: _FlowMap(v) if isinstance(v, Mapping) else v for k, v in entry.items()}


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def entry_text(entry: Entry, column: int = 2) -> str:
    """One ``- number: ...`` item whose keys start at ``column``."""
    text = _dump([_styled(entry)])
    pad = " " * max(column - 2, 0)
    return "".join(pad + line for line in text.splitlines(keepends=True))


def module_text(name: str, description: str, entries: Sequence[Entry]) -> str:
    """A new module file, laid out like the others."""
    head = _dump({"name": name, "description": description})
    return head + "codes:\n" + "".join(entry_text(e) for e in entries)


def edit_module(text: str, replaced: Mapping[int, Entry], added: Sequence[Entry]) -> str:
    """``text`` with the entries at the given indexes replaced and ``added`` inserted.

    Entries in ``added`` go before the first existing code with a higher number
    (after the last code otherwise), in the order given.
    """
    if not replaced and not added:
        return text
    spans = _code_spans(text)
    if not spans:
        data = yaml.safe_load(text)
        if data.get("codes"):  # written in flow style: rewrite the file in the usual layout
            return _rewritten(data, replaced, added)
        return _without_empty_codes(text) + "codes:\n" + "".join(entry_text(e) for e in added)
    pieces: list[tuple[int, int, str]] = []  # (start, end, replacement) in text order
    for index, entry in replaced.items():
        start, end, column, _ = spans[index]
        pieces.append((start, end, entry_text(entry, column)))
    for entry in added:
        at = next((s for s in spans if s[3] > entry["number"]), None)
        position = at[0] if at is not None else spans[-1][1]
        pieces.append((position, position, entry_text(entry, spans[0][2])))
    out, cursor = [], 0
    for start, end, replacement in sorted(pieces, key=lambda p: (p[0], p[1] > p[0])):
        out.append(text[cursor:start])
        out.append(replacement)
        cursor = max(cursor, end)
    out.append(text[cursor:])
    return "".join(out)


def _rewritten(data: dict[str, Any], replaced: Mapping[int, Entry], added: Sequence[Entry]) -> str:
    codes = [replaced.get(i, entry) for i, entry in enumerate(data["codes"])]
    codes = sorted([*codes, *added], key=lambda e: int(e["number"]))
    head = _dump({k: v for k, v in data.items() if k != "codes"})
    return head + "codes:\n" + "".join(entry_text(e) for e in codes)


def _code_spans(text: str) -> list[tuple[int, int, int, int]]:
    """(start, end, key column, number) of each code entry, whole lines."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    codes = next(
        (v for k, v in getattr(root, "value", []) if getattr(k, "value", None) == "codes"), None
    )
    if not isinstance(codes, yaml.SequenceNode) or codes.flow_style:
        return []
    spans = []
    for item in codes.value:
        start = text.rfind("\n", 0, item.start_mark.index) + 1
        end = _end_of_line(text, _last_index(item))
        number = next((int(v.value) for k, v in item.value if k.value == "number"), -1)
        spans.append((start, end, item.start_mark.column, number))
    return spans


def _last_index(node: yaml.Node) -> int:
    """Index just past the last character of ``node``'s own text."""
    if isinstance(node, yaml.MappingNode) and node.value and not node.flow_style:
        return _last_index(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        return _last_index(node.value[-1])
    end = node.end_mark
    return end.index - 1 if end.column == 0 and end.index > 0 else end.index


def _end_of_line(text: str, index: int) -> int:
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def _without_empty_codes(text: str) -> str:
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith("codes:")]
    body = "".join(lines)
    return body if body.endswith("\n") or not body else body + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` in one step: readers see the old file or the new, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
